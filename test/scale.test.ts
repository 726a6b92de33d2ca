/**
 * Performance and scale (issue 8): bounded memory without changing results. Released
 * connections keep Wireshark's numbering (tombstones); the cap on open connections evicts with a
 * warning and a count; several captures in worker threads give the sequential run's bytes; the
 * spool gives records back in id order from memory or disk; the progress line never reaches a
 * pipe.
 */
import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { runCapture, type CaptureSummary } from '../src/pipeline.js';
import { CliContext, noteTrackerLimits } from '../src/cli/context.js';
import { mermaid } from '../src/render/mermaid.js';
import { NO_RECORDS } from '../src/render/records.js';
import { Tracker, defaultMaxConnections, DEFAULT_LINGER_HARD, DEFAULT_LINGER_MIN } from '../src/analyze/tracker.js';
import { prettyJson, recordJson } from '../src/render/pretty.js';
import { Spool, SPILLS_IN_FLIGHT } from '../src/util/spool.js';
import { renderProgress, renderFinishing, renderWriting, renderDoing, formatSeconds, JobsProgress, type JobProgress } from '../src/cli/progress.js';
import { writeInterleavedPcap, writeLateFinPcap, writeReusePcap, writeSynFloodPcap, writeSyntheticPcap } from '../scripts/synth.js';
import type { Connection } from '../src/analyze/connection.js';
import { ANALYSIS_ORDER } from '../src/analyze/flags.js';
import { LOADER, runCli, type BundleLoader } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { fixtureCaptures, records, verdicts, lastRecords } from './helpers/release.js';
import { tempDir } from './helpers/tmp.js';
import { readTsv, REF_FLAG_FIELDS } from './helpers/tshark-ref.js';

type Rec = Record<string, unknown>;

describe('release with tombstones keeps Wireshark\'s numbering', () => {
  it('port reuse released at once: the later SYNs still start new streams flagged reused_ports', async () => {
    const f = join(REPO_ROOT, 'fixtures', 'tcp-port-reuse', 'capture.pcap');
    const all = await records(f);
    const rel = await records(f, { keepAll: false, lingerSeconds: 0 });
    assert.equal(rel.tracker.splitConnections, 0);
    assert.deepEqual(rel.recs, all.recs);
    assert.deepEqual(rel.recs.map((r) => (r.analysis as Rec).reused_ports ?? 0), [0, 1, 1]);
  });

  it('every fixture: released at once, the records equal the kept ones unless a continuation is reported; every packet keeps its id, numbers and analysis flags', async () => {
    let splits = 0;
    for (const f of fixtureCaptures()) {
      const all = await records(f);
      const rel = await records(f, { keepAll: false, lingerSeconds: 0 });
      // the connection id, relative numbers, window and analysis flags of every packet are
      // Wireshark's (the kept tracker's), continuations included
      assert.deepEqual([...rel.frames], [...all.frames], f);
      if (rel.tracker.splitConnections === 0) assert.deepEqual(rel.recs, all.recs, f);
      else {
        splits++;
        // a continuation: one more record, with an id the kept records have
        const conts = rel.recs.filter((r) => r.continuation === true);
        assert.equal(conts.length, rel.tracker.splitConnections, f);
        assert.equal(rel.recs.length, all.recs.length + conts.length, f);
        assert.deepEqual([...new Set(rel.recs.map((r) => r.id))], all.recs.map((r) => r.id), f);
        for (const r of all.recs) assert.equal(r.continuation, undefined);
        // a continuation goes on with its stream's story and Zeek's view: every packet's phase,
        // note and states are the kept tracker's, and so are the handshake, teardown, final
        // states, Zeek verdict and completeness of each stream's last record
        assert.equal(rel.afresh.size, 0, f);
        assert.deepEqual([...rel.story], [...all.story], f);
        const last = lastRecords(rel.recs);
        for (const r of all.recs) assert.deepEqual(verdicts(last.get(r.id as number)!), verdicts(r), `${f} #${r.id as number}`);
        // (and the single pass's completeness: a continuation's first packet does not open its stream)
        assert.deepEqual([...rel.firstPass].sort((x, y) => x[0] - y[0]), [...all.firstPass].sort((x, y) => x[0] - y[0]), f);
      }
    }
    // stragglers after the close (a RST after the last ACK, a retransmitted FIN) in these captures
    assert.ok(splits > 0 && splits < 10, `${splits} with continuations`);
  });
});

describe('continuations: packets after a connection was released keep its id (tcp.stream)', () => {
  const file = join(REPO_ROOT, 'fixtures', 'tcp-continuation', 'capture.pcap');

  it('the CLI\'s release (60 s after the close): every frame\'s stream id, relative seq and ack, window and analysis flags are tshark\'s', async () => {
    const rel = await records(file, { keepAll: false, lingerSeconds: 60, reuseConnections: true });
    // tshark's single pass (the two passes differ on an earlier SYN-ACK's reused_ports, docs/differences.md)
    const ref = readTsv(`${file}.tshark1.tsv`);
    assert.equal(ref.length, 65);
    const flagged: number[] = [];
    for (const row of ref) {
      const hasAck = (parseInt(row['tcp.flags']!, 16) & 0x10) !== 0;
      const [id, seq, ack, win, bits, dupAckNum] = rel.frames.get(Number(row['frame.number']))!.split(' ');
      let theirs = 0;
      for (const [field, name] of REF_FLAG_FIELDS) {
        const v = row[field];
        if (v !== undefined && v !== '' && v !== '0') theirs |= ANALYSIS_ORDER.find(([, n]) => n === name)![0];
      }
      if (theirs !== 0) flagged.push(Number(row['frame.number']));
      assert.deepEqual([id, seq, hasAck ? ack : '', win, Number(bits), dupAckNum], [row['tcp.stream'], row['tcp.seq'], hasAck ? row['tcp.ack'] : '', row['tcp.window_size'], theirs,
        row['tcp.analysis.duplicate_ack_num'] || '0'], `frame ${row['frame.number']}`);
    }
    // flags that need the stream's state, in continuations: frame 10 (a copy of the FIN) a
    // retransmission; 21-27 and 39-44 retransmissions, previous segment not captured, ACKed
    // unseen, keep-alives (11 is a new stream's SYN, reused_ports); 63-65 duplicate ACKs #1-#3
    // after stream 4's ACKed unseen segment (61), whose count the release kept as Wireshark's -1
    assert.deepEqual(flagged, [10, 11, 21, 22, 23, 24, 26, 27, 39, 40, 41, 43, 44, 61, 63, 64, 65]);
    assert.equal(rel.tracker.splitConnections, 5);
    assert.equal(rel.tracker.continuedAnalysis, 5);
    // records in id order, each continuation after its connection's first record
    assert.deepEqual(rel.recs.map((r) => [r.id, r.continuation ?? false]),
      [[0, false], [0, true], [1, false], [1, true], [2, false], [2, true], [3, false], [3, true], [4, false], [4, true]]);
    // the continuation of stream 1 begins with the server's data and keeps the client (from its SYN)
    const c1 = rel.recs[3]!;
    assert.deepEqual([c1.firstFrame, c1.lastFrame, (c1.client as Rec).port, (c1.client as Rec).inferredBy], [20, 29, 42001, undefined]);
    // a SYN-ACK with a new ISN in a continuation re-bases its direction, as in the stream itself;
    // the counts of its flags are those of frames 21-29 and 39-46 (above)
    assert.deepEqual([rel.recs[3]!.analysis, rel.recs[5]!.analysis], [
      { retransmission: 3, lost_segment: 1, ack_lost_segment: 1, keep_alive: 1, reused_ports: 1 },
      { retransmission: 2, lost_segment: 1, ack_lost_segment: 1, keep_alive: 1, reused_ports: 1 },
    ]);
    // no continuation without the release: the kept tracker's records are tshark's streams
    const all = await records(file);
    assert.deepEqual(all.recs.map((r) => r.id), [0, 1, 2, 3, 4]);
  });

  it('many continuations, interleaved: each goes on from its stream\'s analysis state while the ring holds it, and starts afresh (said) once overwritten', async () => {
    const file = join(tempDir('tcpflow-cont-'), 'reuse.pcap');
    writeReusePcap(file, { connections: 3000, tuples: 150, active: 40, split: true, seed: 5 });
    const all = await records(file);
    const rel = await records(file, { keepAll: false, lingerSeconds: 0 });
    const split = rel.tracker.splitConnections;
    assert.ok(split > 100, `${split} continuations`);
    assert.equal(rel.tracker.continuedAnalysis, split);
    // every frame's id, numbers, window and analysis flags: the kept tracker's (tshark's)
    assert.deepEqual([...rel.frames], [...all.frames]);
    // and its phase, note and states; each stream's last record says what the kept one says of
    // the handshake, the teardown, the final states and Zeek's verdict
    assert.deepEqual([...rel.story], [...all.story]);
    const last = lastRecords(rel.recs);
    for (const r of all.recs) assert.deepEqual(verdicts(last.get(r.id as number)!), verdicts(r), `#${r.id as number}`);
    const conts = rel.recs.filter((r) => r.continuation === true);
    assert.ok(conts.filter((r) => (r.handshake as Rec).kind === 'three-way').length > 100);
    let flaggedInContinuations = 0;
    const contIds = new Set<number>();
    const t = new Tracker({
      onPacket: (c, r) => {
        if (c.continued && r.analysis !== 0) flaggedInContinuations++;
        if (c.continuedAfresh) contIds.add(c.id);
      },
    }, { keepAll: false, lingerSeconds: 0 });
    await runCapture(file, t);
    assert.ok(flaggedInContinuations > 50, `${flaggedInContinuations} flagged frames in continuations`);
    assert.equal(contIds.size, 0);
    // a ring of 16: most continuations come after more than 16 releases, and start afresh
    // (and fewer are records of their own: a continuation that went on from a closed stream is
    // closed, and released at once here, so each straggler after it makes one more)
    const small = await records(file, { keepAll: false, lingerSeconds: 0, analysisStates: 16 });
    const smallSplit = small.tracker.splitConnections;
    assert.ok(smallSplit > 100 && smallSplit < split, `${smallSplit} of ${split}`);
    assert.ok(small.tracker.continuedAnalysis < smallSplit / 2, `${small.tracker.continuedAnalysis} of ${smallSplit}`);
    // ids and numbers stay the kept tracker's; only analysis flags and the story may differ, some
    // do, and only in continuations said to have started afresh (or to go on from one that did)
    const afreshFrames = new Set<number>();
    const t16 = new Tracker({
      onPacket: (c, r) => {
        if (c.continuedAfresh) afreshFrames.add(r.frame);
      },
    }, { keepAll: false, lingerSeconds: 0, analysisStates: 16 });
    await runCapture(file, t16);
    let flagsDiffer = 0;
    let storyDiffers = 0;
    for (const [n, v] of all.frames) {
      const w = small.frames.get(n)!;
      assert.deepEqual(w.split(' ').slice(0, 4), v.split(' ').slice(0, 4), `frame ${n}`);
      if (w !== v) {
        flagsDiffer++;
        assert.ok(afreshFrames.has(n), `frame ${n}: flags differ outside an afresh continuation`);
      }
      if (small.story.get(n) !== all.story.get(n)) {
        storyDiffers++;
        assert.ok(small.afresh.has(n), `frame ${n}: the story differs outside an afresh continuation`);
      }
    }
    assert.ok(flagsDiffer > 0);
    assert.ok(storyDiffers > 0);
  });

  it('a continuation says whether its analysis went on or started afresh, in both languages', async () => {
    const file = join(tempDir('tcpflow-cont-'), 'reuse.pcap');
    writeReusePcap(file, { connections: 600, tuples: 30, active: 20, split: true, seed: 5 });
    const seen: Connection[] = [];
    const t = new Tracker({
      onPacket: () => undefined,
      onFinal: (c) => {
        if (c.continued) seen.push(c);
      },
    }, { keepAll: false, lingerSeconds: 0, analysisStates: 4 });
    await runCapture(file, t);
    t.finish();
    const afresh = seen.find((c) => c.continuedAfresh)!;
    const goesOn = seen.find((c) => !c.continuedAfresh)!;
    assert.ok(afresh !== undefined && goesOn !== undefined, `${seen.length} continuations`);
    assert.match(mermaid(afresh, NO_RECORDS), /analysis started afresh/);
    assert.match(mermaid(goesOn, NO_RECORDS), /analysis going on from its state/);
    assert.match(mermaid(afresh, NO_RECORDS, false, 'zh'), /分析重新开始/);
    assert.match(mermaid(goesOn, NO_RECORDS, false, 'zh'), /分析接着该流的状态继续/);
  });

  it('the warning counts the continuations whose analysis started afresh, and says nothing of them when there are none', () => {
    const warn = (split: number, kept: number, records = true): string[] => {
      const summary = { warnings: [] as string[] } as unknown as CaptureSummary;
      noteTrackerLimits(summary, { evicted: 0, splitConnections: split, continuedAnalysis: kept, maxConnectionsCap: 10 } as unknown as Tracker, records);
      return summary.warnings;
    };
    const all = warn(4, 4);
    assert.equal(all.length, 1);
    assert.match(all[0]!, /^4 continuation record\(s\): .*whose analysis goes on from the stream's state as Wireshark's does, and whose handshake, close, states and Zeek verdict are the stream's$/);
    assert.match(warn(5, 3)[0]!, /; 2 of them started their analysis afresh \(\"analysisAfresh\": more connections were released between them and an earlier part of their stream than the tool keeps the analysis state of: 8 192 until the capture's first continuation, 32 768 from then on\), so their analysis flags may differ from Wireshark's and their handshake, close, states and Zeek verdict are those of their own packets$/);
    assert.deepEqual(warn(0, 0), []);
    // the lab writes no continuation record: no warning about them
    assert.deepEqual(warn(4, 4, false), []);
  });

  it('the outputs: JSON records with "continuation", the same records in NDJSON, the summary and check count connections, not records', async () => {
    const j = await runCli(['--json', file]);
    assert.equal(j.code, 0, j.stderr);
    const doc = JSON.parse(j.stdout) as { capture: Rec; connections: Rec[] };
    assert.equal(doc.capture.splitConnections, 5);
    assert.deepEqual(doc.connections.map((c) => [c.id, c.continuation ?? false]),
      [[0, false], [0, true], [1, false], [1, true], [2, false], [2, true], [3, false], [3, true], [4, false], [4, true]]);
    assert.deepEqual(Object.keys(doc.connections[1]!).slice(0, 3), ['id', 'continuation', 'client']);
    // a continuation says nothing of where the capture started or ended
    assert.deepEqual(doc.connections[1]!.diagnostics, []);
    assert.match(j.stderr, /5 continuation record\(s\)/);
    const nd = await runCli(['--format', 'ndjson', file]);
    const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
    assert.deepEqual(lines.filter((l) => l.type === 'connection').map((l) => [l.id, l.continuation ?? false]),
      [[0, false], [0, true], [1, false], [1, true], [2, false], [2, true], [3, false], [3, true], [4, false], [4, true]]);
    const sum = await runCli(['--format', 'summary', file]);
    assert.match(sum.stdout, /│ 0 \(cont\.\) │/);
    assert.match(sum.stdout, /\n5 connection\(s\), 65 TCP packets/);
    const text = await runCli([file]);
    assert.match(text.stdout, /continued: these packets of connection #3 came after/);
    const chk = await runCli(['check', '--json', '-e', 'connections=5', '-e', 'handshake=three-way,not-captured', file]);
    assert.equal(chk.code, 0, chk.stdout);
    const report = JSON.parse(chk.stdout) as { captures: { connections: number }[] };
    assert.equal(report.captures[0]!.connections, 5);
    // a continuation is judged as its stream (its handshake and close were in the earlier record)
    // and every report says which record it is: stream 0's copy of the FIN (frame 10) leaves its
    // close graceful, stream 3's RST after the FINs (frame 56) makes it a reset (stream 4 was one
    // from the start: both its records fail)
    const fin = await runCli(['check', '-e', 'teardown=graceful', '-e', 'handshake=three-way', file]);
    assert.equal(fin.code, 1);
    assert.match(fin.stdout, /^  ✘ #3 127\.0\.0\.1:42003 → 127\.0\.0\.2:80 \(continued from frame 56: packets after the connection was finalised\)  teardown=graceful\n      found: FINs exchanged \(three-way\), then a RST in frame 56/m);
    assert.equal((fin.stdout.match(/✘ #4 127\.0\.0\.1:42004 → 127\.0\.0\.2:80 .*teardown=graceful\n      found: reset: RST from the client in frame 62/g) ?? []).length, 2);
    assert.doesNotMatch(fin.stdout, /✘ #[012] /);
    // (holds on the five streams: their continuations' passes are not more connections)
    assert.match(fin.stdout, /✔ handshake=three-way: holds on 5 connections/);
    const v = await runCli(['check', '--verbose', '-e', 'handshake=three-way', file]);
    assert.equal((v.stdout.match(/✔ #\d+ .*handshake=three-way: three-way: frames/g) ?? []).length, 10);
    const md = await runCli(['check', '--markdown', '-', '-e', 'handshake=three-way', file]);
    assert.equal((md.stdout.match(/^\| ✅ \| #\d `[^`]*\(continued from frame \d+: packets after the connection was finalised\)` \| `handshake=three-way` \| three-way: frames/gm) ?? []).length, 5);
    assert.match(fin.stdout, /FAILED: 3 of 22 expectation/);
  });
});

describe('cap on open connections', () => {
  it('a SYN flood over the cap: least recently active evicted, counted, warned; ids unchanged', async () => {
    const file = join(tempDir('tcpflow-flood-'), 'flood.pcap');
    writeSynFloodPcap(file, 2000);
    const r = await runCli(['--json', '--max-connections', '100', file]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { capture: Rec; connections: Rec[] };
    assert.equal(doc.capture.evictedConnections, 1900);
    assert.equal(doc.capture.splitConnections, 0);
    assert.deepEqual(doc.connections.map((c) => c.id), Array.from({ length: 2000 }, (_, i) => i));
    assert.match(r.stderr, /1900 connection\(s\) finalised early because more than 100 were open at once \(--max-connections\)/);
    assert.ok((doc.capture.warnings as string[]).some((w) => w.includes('--max-connections')));
    const t = new Tracker(null, { keepAll: false, maxConnections: 100 });
    await runCapture(file, t);
    assert.equal(t.maxOpen, 100);
    assert.equal(t.evicted, 1900);
    const nd = await runCli(['--format', 'ndjson', '--max-connections', '10', file]);
    assert.equal(nd.code, 0);
    assert.equal(nd.stdout.trimEnd().split('\n').filter((l) => l.startsWith('{"type":"connection"')).length, 2000);
  });

  it('interleaved connections: the cap and the idle timeout finalise the least recently active, as a plain LRU list says', async () => {
    // 25 connections open at once, their packets interleaved: a connection opened early but
    // active since is not the one to go; one opened later but quiet since is
    const file = join(tempDir('tcpflow-lru-'), 'interleaved.pcap');
    const total = writeInterleavedPcap(file, { connections: 400, active: 25 });
    for (const opts of [{ maxConnections: 10 }, { maxConnections: 24 }, { idleTimeout: 0.0002 }, { idleTimeout: 0.0002, maxConnections: 12 }]) {
      // the reference: a Map's order is insertion order, so delete-and-set moves a key last
      const lru = new Map<Connection, number>();
      let packets = 0;
      let early = 0;
      const wrong: string[] = [];
      const t = new Tracker({
        onPacket: (c, r) => {
          packets++;
          lru.delete(c);
          lru.set(c, r.time);
        },
        onFinal: (c) => {
          // before the end of input, only the cap and the idle timeout finalise (no linger here)
          if (packets < total) {
            early++;
            const first = lru.keys().next().value as Connection;
            if (first !== c) wrong.push(`#${c.id} finalised, #${first.id} least recently active`);
          }
          lru.delete(c);
        },
      }, { keepAll: false, ...opts });
      await runCapture(file, t);
      assert.deepEqual(wrong, [], JSON.stringify(opts));
      assert.equal(early, t.evicted + t.idleReleased);
      assert.ok(early > 100, `${JSON.stringify(opts)}: ${early} finalised early`);
      if (opts.maxConnections !== undefined) assert.ok(t.maxOpen <= opts.maxConnections);
    }
  });

  it('at the end of input the connections still open are finalised in id order, dense ids or sparse', async () => {
    const dir = tempDir('tcpflow-end-');
    // dense: every id of the capture still open (in the table's order), or the last few hundred
    // (in slots freed by released connections, so not in the table's order); sparse: the
    // connections never closed (about one in twelve) among thousands released after their close
    const dense = join(dir, 'flood.pcap');
    writeSynFloodPcap(dense, 3000);
    const recent = join(dir, 'interleaved.pcap');
    writeInterleavedPcap(recent, { connections: 6000, active: 400 });
    const sparse = join(dir, 'reuse.pcap');
    writeReusePcap(sparse, { connections: 6000, tuples: 6000, active: 40, seed: 7 });
    for (const [file, wantSparse] of [[dense, false], [recent, false], [sparse, true]] as const) {
      const atEnd: number[] = [];
      let ended = false;
      const t = new Tracker({
        onPacket: () => undefined,
        onFinal: (c) => {
          if (ended) atEnd.push(c.id);
        },
      }, { keepAll: false, lingerSeconds: 0 });
      // the interleaved capture ends every connection: its input stops two thirds of the way
      let n = 0;
      await runCapture(file, {
        packet: (f, p) => {
          if (file !== recent || ++n <= 40_000) t.packet(f, p);
        },
      });
      ended = true;
      t.finish();
      assert.ok(atEnd.length > 100, `${file}: ${atEnd.length} open at the end`);
      assert.deepEqual(atEnd, [...atEnd].sort((x, y) => x - y), file);
      assert.equal(new Set(atEnd).size, atEnd.length);
      const range = atEnd[atEnd.length - 1]! - atEnd[0]! + 1;
      assert.equal(range > 2 * atEnd.length + 1024, wantSparse, `${file}: ${atEnd.length} ids over ${range}`);
    }
  });

  it('the default cap (node:v8 asked only once 10 000 are open) is the one in force past 10 000 open connections', async () => {
    const file = join(tempDir('tcpflow-flood-'), 'flood.pcap');
    writeSynFloodPcap(file, 10_050);
    const t = new Tracker(null, { keepAll: false });
    await runCapture(file, t);
    const cap = defaultMaxConnections();
    assert.ok(cap >= 10_000);
    assert.equal(t.maxConnectionsCap, cap);
    assert.equal(t.evicted, Math.max(0, 10_050 - cap));
    assert.equal(t.maxOpen, Math.min(10_050, cap));
    // asked before any connection, the cap is the same
    assert.equal(new Tracker(null, { keepAll: false }).maxConnectionsCap, cap);
  });

  it('at the cap, connections closed and waiting out the linger make room first: neither evicted nor warned of', async () => {
    const dir = tempDir('tcpflow-cap-closed-');
    // short connections one after the other: one open at a time, the closed ones lingering
    const serial = join(dir, 'serial.pcap');
    writeSyntheticPcap(serial, { connections: 300 });
    const uncapped = await runCli(['--json', serial]);
    for (const cap of ['1', '5']) {
      const r = await runCli(['--json', '--max-connections', cap, serial]);
      assert.equal(r.stderr, '', `cap ${cap}`);
      assert.equal(r.stdout, uncapped.stdout, `cap ${cap}: the same document`);
    }
    const t = new Tracker(null, { keepAll: false, lingerSeconds: 60, maxConnections: 5 });
    await runCapture(serial, t);
    assert.deepEqual([t.evicted, t.maxOpen], [0, 5]);
    // 25 open at once under a cap of 10: open connections are still evicted, and said to be
    const busy = join(dir, 'busy.pcap');
    writeInterleavedPcap(busy, { connections: 400, active: 25 });
    const b = await runCli(['--json', '--max-connections', '10', busy]);
    const evicted = (JSON.parse(b.stdout) as { capture: Rec }).capture.evictedConnections as number;
    assert.ok(evicted > 100, `${evicted} evicted`);
    assert.match(b.stderr, new RegExp(`warning: .*busy\\.pcap: ${evicted} connection\\(s\\) finalised early because more than 10 were open at once`));
  });

  it('a FIN sent again a retransmission timeout after the close, hundreds of closes later, is in the same record, flagged as tshark flags it', async () => {
    const dir = tempDir('tcpflow-late-fin-');
    // 600 connections closed in 42 ms, then the first one's FIN again 0.5 s later and its ACK:
    // tshark 4.0.17 shows them in stream 0 as "retransmission" and "Dup ACK #1"
    const late = join(dir, 'late.pcap');
    writeLateFinPcap(late, { connections: 600, lateUsec: 500_000 });
    const nd = await runCli(['--format', 'ndjson', '--packets', late]);
    assert.equal(nd.stderr, '');
    const lines = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
    const last2 = lines.filter((l) => l.type === 'packet' && l.connection === 0).slice(-2);
    assert.deepEqual(last2.map((l) => [l.frame, l.seq, l.ack, l.analysis]), [[6001, 481, 122, ['retransmission']], [6002, 122, 482, ['duplicate_ack']]]);
    const conn0 = lines.filter((l) => l.type === 'connection' && l.id === 0);
    assert.equal(conn0.length, 1);
    const chk = await runCli(['check', '-e', 'handshake=three-way', late]);
    assert.equal(chk.code, 0, chk.stdout);
    // more than DEFAULT_LINGER_HARD closes in between, or more than DEFAULT_LINGER_MIN seconds
    // later: released by then, the straggler is a continuation, and said to be
    for (const [n, usec] of [[DEFAULT_LINGER_HARD + 500, 500_000], [600, (DEFAULT_LINGER_MIN + 2) * 1e6]]) {
      const f = join(dir, `late-${n}-${usec}.pcap`);
      writeLateFinPcap(f, { connections: n, lateUsec: usec });
      const r = await runCli(['--json', f]);
      assert.equal((JSON.parse(r.stdout) as { capture: Rec }).capture.splitConnections, 1, `${n} ${usec}`);
      assert.match(r.stderr, /1 continuation record/);
    }
  });

  it('under the cap nothing is evicted and nothing is said', async () => {
    const file = join(REPO_ROOT, 'fixtures', 'tcp-port-reuse', 'capture.pcap');
    const r = await runCli(['--json', '--max-connections', '3', file]);
    assert.equal(r.stderr, '');
    assert.equal((JSON.parse(r.stdout) as { capture: Rec }).capture.evictedConnections, 0);
  });

  it('--idle-timeout finalises idle connections; a later packet is a continuation, reported, with the same id and numbers', async () => {
    const file = join(REPO_ROOT, 'fixtures', 'tcp-port-reuse', 'capture.pcap');
    const { recs, tracker, frames } = await records(file, { keepAll: false, idleTimeout: 0.00001 });
    assert.ok(tracker.idleReleased > 0);
    assert.ok(tracker.splitConnections > 0);
    assert.equal(recs.length, 3 + tracker.splitConnections);
    assert.equal(recs.filter((r) => r.continuation === true).length, tracker.splitConnections);
    // every packet keeps the connection id, numbers and window it has when nothing is released
    assert.deepEqual([...frames], [...(await records(file)).frames]);
    const bad = await runCli(['--idle-timeout', 'soon', file]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--idle-timeout: expected a positive number/);
  });

  it('100k packets of 10k connections released as they close: few open, the same records', async () => {
    const file = join(tempDir('tcpflow-scale-'), 'synth.pcap');
    writeSyntheticPcap(file, { connections: 10000 });
    const all = await records(file);
    const rel = await records(file, { keepAll: false, lingerSeconds: 60, lingerMax: 16, lingerMin: 0 });
    assert.ok(rel.tracker.maxOpen <= 20, `max open ${rel.tracker.maxOpen}`);
    assert.deepEqual(rel.recs, all.recs);
  });
});

describe('several captures at once (-j)', () => {
  it('output, messages and exit code identical to the sequential run, for every format', async () => {
    const fx = (d: string): string => join(REPO_ROOT, 'fixtures', d, 'capture.pcap');
    const files = [fx('tcp-port-reuse'), fx('http-ipv4'), join(REPO_ROOT, 'README.md'), fx('tcp-loss'), fx('tcp-refused'), fx('tcp-continuation')];
    const variants = [['--json'], ['--json', '--packets'], ['--format', 'ndjson', '--packets'], ['--format', 'summary'], ['--format', 'text', '--lang', 'zh'],
      ['--format', 'mermaid'], ['--format', 'markdown'], ['--format', 'packets']];
    for (const v of variants) {
      const seq = await runCli([...v, '-j', '1', ...files]);
      const par = await runCli([...v, '-j', '3', ...files]);
      assert.equal(par.stdout, seq.stdout, v.join(' '));
      assert.equal(par.stderr, seq.stderr, v.join(' '));
      assert.equal(par.code, seq.code, v.join(' '));
      assert.equal(seq.code, 2);
    }
    // two readable captures: an array of two documents, as JSON.parse sees it
    const two = await runCli(['--json', '-j', '2', files[0], files[1]]);
    assert.equal((JSON.parse(two.stdout) as unknown[]).length, 2);
    // one of them readable: still an array (of one document), as the command line has several
    const one = await runCli(['--json', '-j', '2', files[0], files[2]]);
    assert.equal((JSON.parse(one.stdout) as { connections: unknown[] }[])[0]!.connections.length, 3);
  });

  it('big outputs: the capture whose turn it is streams from its worker, the others wait in files, switching on their turn', async () => {
    // a small capture first: the second, big, is analysed beside it into its file, then sends
    // the rest of its output once the first is written; the third waits its turn in a file too
    const dir = tempDir('tcpflow-jobs-stream-');
    const files = ['small', 'big', 'big2', 'small2'].map((n) => join(dir, `${n}.pcap`));
    writeSyntheticPcap(files[0]!, { connections: 50 });
    writeSyntheticPcap(files[1]!, { connections: 6000 });
    writeSyntheticPcap(files[2]!, { connections: 4000, requestLen: 200 });
    writeSyntheticPcap(files[3]!, { connections: 30, responseLen: 100 });
    for (const v of [['--format', 'ndjson', '--packets'], ['--verbose', '--lang', 'zh']]) {
      const seq = await runCli([...v, '-j', '1', ...files]);
      assert.equal(seq.code, 0, seq.stderr);
      assert.ok(seq.stdout.length > 20 << 20, `${v.join(' ')}: ${seq.stdout.length} bytes, more than a streaming job sends before it waits`);
      for (const j of ['2', '3']) {
        const par = await runCli([...v, '-j', j, ...files]);
        assert.equal(par.code, 0, par.stderr);
        assert.ok(par.stdout === seq.stdout, `${v.join(' ')} -j ${j}: the same output (${par.stdout.length} against ${seq.stdout.length} bytes)`);
      }
    }
  });

  it('text of several captures: each as it is alone, a blank line between them; the line formats without one', async () => {
    const fx = (d: string): string => join(REPO_ROOT, 'fixtures', d, 'capture.pcap');
    const unreadable = join(REPO_ROOT, 'README.md');
    const a = fx('http-ipv4');
    const b = fx('tcp-loss');
    for (const [v, between] of [[['--verbose'], '\n'], [['--format', 'summary', '--lang', 'zh'], '\n'], [['--format', 'markdown'], '\n'], [['--format', 'mermaid'], '\n'],
      [['--format', 'ndjson', '--packets'], ''], [['--format', 'packets'], '']] as const) {
      const alone = async (f: string): Promise<string> => (await runCli([...v, f])).stdout;
      const [ta, tb] = [await alone(a), await alone(b)];
      assert.ok(ta.length > 0 && tb.length > 0);
      for (const j of ['1', '2']) {
        const what = `${v.join(' ')} -j ${j}`;
        assert.equal((await runCli([...v, '-j', j, a, b])).stdout, ta + between + tb, what);
        // a capture that cannot be read writes nothing, nor a blank line for itself
        assert.equal((await runCli([...v, '-j', j, unreadable, a, unreadable, b, unreadable])).stdout, ta + between + tb, what);
        assert.equal((await runCli([...v, '-j', j, a, unreadable])).stdout, ta, what);
      }
    }
  });

  it('--json of several captures: an array of each document as it is alone, two spaces deeper; of those that can be read', async () => {
    const fx = (d: string): string => join(REPO_ROOT, 'fixtures', d, 'capture.pcap');
    const unreadable = join(REPO_ROOT, 'README.md');
    const a = fx('tcp-port-reuse');
    const b = fx('tcp-loss');
    for (const v of [['--json'], ['--json', '--packets'], ['--json', '--lang', 'zh', '--packets']]) {
      const alone = async (f: string): Promise<string> => (await runCli([...v, f])).stdout.replace(/\n$/, '');
      const [da, db] = [await alone(a), await alone(b)];
      const nested = (d: string): string => d.replaceAll('\n', '\n  ');
      for (const j of ['1', '2']) {
        const what = `${v.join(' ')} -j ${j}`;
        assert.equal((await runCli([...v, '-j', j, a, b])).stdout, `[\n  ${nested(da)},\n  ${nested(db)}\n]\n`, what);
        assert.equal((await runCli([...v, '-j', j, b, a, b])).stdout, `[\n  ${nested(db)},\n  ${nested(da)},\n  ${nested(db)}\n]\n`, what);
        // a capture that cannot be read has no document: the others' array, whatever its place
        assert.equal((await runCli([...v, '-j', j, a, unreadable])).stdout, `[\n  ${nested(da)}\n]\n`, what);
        assert.equal((await runCli([...v, '-j', j, unreadable, b])).stdout, `[\n  ${nested(db)}\n]\n`, what);
        assert.equal((await runCli([...v, '-j', j, unreadable, a, unreadable, b])).stdout, `[\n  ${nested(da)},\n  ${nested(db)}\n]\n`, what);
        assert.equal((await runCli([...v, '-j', j, unreadable, unreadable])).stdout, '[]\n', what);
      }
    }
  });
});

describe('spool and record layout', () => {
  it('records come back in key order from memory and after spilling to disk', async () => {
    for (const budget of [1 << 20, 64]) {
      const s = new Spool(budget);
      const keys = [5, 0, 3, 9, 1, 2, 7];
      for (const k of keys) s.put(k, `record ${k} 三次握手 ${'x'.repeat(k * 10)}`);
      s.put(11, 'y'.repeat(500));
      const got: string[] = [];
      await s.drain((b, start, len) => { got.push(b.toString('utf8', start, start + len)); return true; }, async () => undefined);
      assert.deepEqual(got, [...keys.sort((a, b) => a - b).map((k) => `record ${k} 三次握手 ${'x'.repeat(k * 10)}`), 'y'.repeat(500)]);
      assert.equal(s.spilled, false); // drained: the file is gone
    }
  });

  it('records spilled by background writes, several at once, come back whole and in key order', async () => {
    // a small budget: most spills start a write while earlier ones are still going
    const s = new Spool(256);
    const n = 3000;
    const keys = Array.from({ length: n }, (_, i) => i);
    let seed = 7;
    for (let i = n - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const j = seed % (i + 1);
      [keys[i], keys[j]] = [keys[j], keys[i]];
    }
    const text = (k: number): string => `#${k} ${'四次挥手'.repeat(k % 7)}${'z'.repeat((k * 37) % 190)}`;
    for (const k of keys) s.put(k, text(k));
    assert.equal(s.spilled, true);
    // no callback ran during the puts: the writes went up to the cap and no further (the arenas
    // in memory are bounded), the spills after that on the spot
    assert.equal(s.peakInFlight, SPILLS_IN_FLIGHT);
    const got: string[] = [];
    await s.drain((b, start, len) => { got.push(b.toString('utf8', start, start + len)); return false; }, async () => undefined);
    assert.equal(got.length, n);
    for (let k = 0; k < n; k++) assert.equal(got[k], text(k), `record ${k}`);
    assert.equal(s.spilled, false);
  });

  it('records rendered in place (writer() and commit()), some longer than the arena, among put ones', async () => {
    // a budget of 64 bytes: most records fill the room asked for, some are longer than the
    // arena (the writer grows, the grown buffer becomes the arena and goes out at once), with
    // put() and putBytes() records between them, keys out of order, with and without disk
    const text = (k: number): string => `#${k} ${'挥手'.repeat(k % 3)}${'w'.repeat((k * 53) % 150)}`;
    for (const [budget, n] of [[64, 400], [1 << 20, 300]] as const) {
      const s = new Spool(budget);
      const keys = Array.from({ length: n }, (_, i) => (i * 7919) % n);
      for (const k of keys) {
        if (k % 5 === 0) s.put(k, text(k));
        else if (k % 5 === 1) {
          const b = Buffer.from(text(k));
          s.putBytes(k, b, 0, b.length);
        } else {
          const w = s.writer(Math.min(budget, 32));
          w.text(text(k));
          s.commit(k);
        }
      }
      assert.equal(s.spilled, budget === 64);
      const got: string[] = [];
      await s.drain((b, start, len) => { got.push(b.toString('utf8', start, start + len)); return false; }, async () => undefined);
      assert.deepEqual(got, Array.from({ length: n }, (_, k) => text(k)), `budget ${budget}`);
    }
  });

  it('keys across many pages of the index, sparse and out of order, come back in key order', async () => {
    // the index is paged by 4096 keys: keys on both sides of page edges, far apart, and absent
    const keys = [100_000, 4096, 0, 4095, 8191, 8192, 12_289, 65_535, 65_536, 1, 40_000];
    for (let k = 20_000; k < 30_000; k += 3) keys.push(k);
    const text = (k: number): string => `#${k} ${'三次'.repeat(k % 5)}${'p'.repeat(k % 61)}`;
    for (const [budget, background] of [[1 << 20, true], [512, true], [512, false]] as const) {
      const s = new Spool(budget, background);
      for (const k of keys) s.put(k, text(k));
      const want = [...keys].sort((a, b) => a - b).map((k) => text(k));
      if (!background) assert.deepEqual(Array.from(s.records(), ({ bytes }) => bytes.toString('utf8')), want);
      else {
        const got: string[] = [];
        await s.drain((b, start, len) => { got.push(b.toString('utf8', start, start + len)); return false; }, async () => undefined);
        assert.deepEqual(got, want, `budget ${budget}`);
      }
      s.close();
    }
  });

  it('a key put again (a continuation has its connection\'s id): its records in the order put, after the earlier keys', async () => {
    // 3 twice and 0 three times, put between others; a later key's record between a key's two
    const puts: [number, string][] = [[3, 'c1'], [5, 'e'], [0, 'a1'], [3, 'c2 三次'], [1, 'b'], [0, 'a2'], [0, 'a3'], [4096, 'z1'], [4096, 'z2']];
    const want: [number, string][] = [[0, 'a1'], [0, 'a2'], [0, 'a3'], [1, 'b'], [3, 'c1'], [3, 'c2 三次'], [5, 'e'], [4096, 'z1'], [4096, 'z2']];
    for (const [budget, background] of [[1 << 20, true], [8, true], [1 << 20, false], [8, false]] as const) {
      const s = new Spool(budget, background);
      for (const [k, t] of puts) s.put(k, `${t} ${'x'.repeat(k % 7)}`);
      const exp = want.map(([k, t]) => [k, `${t} ${'x'.repeat(k % 7)}`]);
      if (!background) {
        assert.deepEqual(Array.from(s.records(), ({ key, bytes }) => [key, bytes.toString('utf8')]), exp, `budget ${budget}`);
        s.close();
      } else {
        const got: string[] = [];
        const index: number[] = [];
        await s.drain((b, start, len, i) => { got.push(b.toString('utf8', start, start + len)); index.push(i); return false; }, async () => undefined);
        assert.deepEqual(got, exp.map(([, t]) => t), `budget ${budget}`);
        assert.deepEqual(index, exp.map((_, i) => i));
      }
      assert.equal(s.count, puts.length);
    }
  });

  it('records() reads a spool without background writes any number of times, from memory or disk', () => {
    for (const budget of [1 << 20, 200]) {
      const s = new Spool(budget, false);
      const keys = [8, 0, 3, 12, 1, 2, 7, 40];
      const text = (k: number): string => `record ${k} 三次握手 ${'x'.repeat(k * 9)}`;
      for (const k of keys) s.put(k, text(k));
      assert.equal(s.spilled, budget === 200);
      const want = [...keys].sort((a, b) => a - b).map((k) => [k, text(k)]);
      for (let pass = 0; pass < 3; pass++) {
        assert.deepEqual(Array.from(s.records(), ({ key, bytes }) => [key, bytes.toString('utf8')]), want, `budget ${budget}, pass ${pass}`);
        // views(): the same records, in one object reused (no view made a record)
        const seen = new Set<object>();
        const viewed: [number, string][] = [];
        for (const r of s.views()) {
          seen.add(r);
          viewed.push([r.key, r.buf.toString('utf8', r.start, r.start + r.len)]);
        }
        assert.deepEqual(viewed, want, `views(), budget ${budget}, pass ${pass}`);
        assert.equal(seen.size, 1);
      }
      s.close();
      assert.equal(s.spilled, false);
    }
  });

  it('records() of a spool with background writes: refused while a write is going, every record once they are done', async () => {
    const s = new Spool(200, true);
    const text = (k: number): string => `record ${k} 三次握手 ${'x'.repeat(k * 9)}`;
    for (let k = 0; k < 30; k++) s.put(k, text(k));
    assert.equal(s.spilled, true);
    assert.throws(() => s.records().next(), /while writes are going: await settle\(\) first/);
    await s.settle();
    for (let pass = 0; pass < 2; pass++) {
      assert.deepEqual(Array.from(s.records(), ({ key, bytes }) => [key, bytes.toString('utf8')]), Array.from({ length: 30 }, (_, k) => [k, text(k)]));
    }
    s.close();
  });

  it('the temporary file is gone from its directory as soon as it is made, and still read back', async () => {
    const { existsSync } = await import('node:fs');
    for (const background of [true, false]) {
      const s = new Spool(64, background);
      for (let k = 0; k < 40; k++) s.put(k, `record ${k} ${'q'.repeat(30)}`);
      assert.equal(s.spilled, true);
      assert.ok(s.file !== null && !existsSync(s.file), `${s.file} removed (interrupting the run leaves nothing)`);
      const got: string[] = [];
      if (background) await s.drain((b, start, len) => { got.push(b.toString('utf8', start, start + len)); return false; }, async () => undefined);
      else for (const { bytes } of s.records()) got.push(bytes.toString('utf8'));
      assert.deepEqual(got, Array.from({ length: 40 }, (_, k) => `record ${k} ${'q'.repeat(30)}`));
      s.close();
    }
  });

  it('closed while background writes are going: no error, the file is removed', async () => {
    const s = new Spool(128);
    for (let k = 0; k < 500; k++) s.put(k, 'r'.repeat(100));
    assert.equal(s.spilled, true);
    s.close();
    assert.equal(s.spilled, false);
    // the writes still going finish (and the descriptor is closed) without raising
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('recordJson lays out a record exactly as prettyJson does, at any depth', () => {
    const rec = { id: 1, a: { b: [1, 'x\ny', null, true], c: {} }, d: [], e: undefined, packets: [{ frame: 1, s: 'q"' }, { frame: 2 }] };
    for (const ind of ['', '  ', '    ', '      ']) {
      for (const o of [rec, { ...rec, packets: [] }, { id: 2 }, {}, { packets: [{}] }]) assert.equal(recordJson(o as Rec, ind), prettyJson(o, ind));
    }
  });
});

/** A pipe as Node makes standard output for one (a Socket), taking every write. */
class Pipe extends Socket {
  override _write(_c: Buffer, _e: BufferEncoding, cb: (e?: Error | null) => void): void {
    cb();
  }
}

/**
 * Runs `f` with the main thread's clock 1000 times as fast, so that a progress line is drawn for
 * small inputs (a millisecond of the run is a second of its clock); -j workers keep their own
 * clock. (A mocked clock advanced by an interval timer moved only when the event loop turned,
 * and a run of a few milliseconds could end before it had: no line, one run in three.)
 */
async function withFastClock(f: () => Promise<void>): Promise<void> {
  const realNow = Date.now;
  const t0 = realNow();
  Date.now = () => t0 + (realNow() - t0) * 1000;
  try {
    await f();
  } finally {
    Date.now = realNow;
  }
}

/** The CLI (the bundle, in-process) with a terminal of 100 columns as standard error and `stdout`: its exit code and what it drew there. */
async function onTerminal(args: string[], stdout: Pipe | PassThrough): Promise<{ code: number; stderr: string }> {
  const { main } = ((await import(LOADER.href)) as BundleLoader).loadBundle().exports;
  const err: string[] = [];
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  stderr.on('data', (d: Buffer) => err.push(d.toString()));
  if (stdout instanceof PassThrough) stdout.resume();
  const code = await main(args, { stdout: stdout as never, stderr, stdin: Readable.from([]) });
  return { code, stderr: err.join('') };
}

describe('progress line', () => {
  it('renders bytes, percentage, rate and time left to fit the terminal', () => {
    const line = renderProgress('big.pcap', { bytes: 50e6, total: 200e6, packets: 1_500_000, elapsed: 1 }, 100);
    assert.match(line, /^big\.pcap \[#+\.+\]  25%  50\.0\/200\.0 MB  1\.50 M pkt\/s  ETA 3s$/);
    assert.ok(line.length < 100);
    assert.match(renderProgress('-', { bytes: 5e6, total: null, packets: 40_000, elapsed: 2 }, 80), /5\.0 MB {2}40000 packets {2}20 k pkt\/s/);
    assert.ok(renderProgress('a/very/long/path/to/a/capture.pcap', { bytes: 1, total: 2, packets: 1, elapsed: 1 }, 40).length < 40);
    // the bar keeps its place and width while the bytes, the rate and the time left change width
    const bars = [[1e6, 900_000, 0.1], [99e6, 1_200_000, 30], [150e6, 40_000_000, 40], [199e6, 5_000, 3000], [200e6, 5_000, 100]].map(([bytes, packets, elapsed]) =>
      /\[[#.]+\]/.exec(renderProgress('big.pcap', { bytes, total: 200e6, packets, elapsed }, 100)));
    for (const b of bars) {
      assert.ok(b !== null);
      assert.deepEqual([b.index, b[0].length], [bars[0]?.index, bars[0]?.[0].length]);
    }
    assert.equal(formatSeconds(3725), '1h02m');
    assert.equal(formatSeconds(75), '1m15s');
  });

  it('after the input: the connections still open being finalised, with their count and time left', () => {
    const line = renderFinishing('flood.pcap', 250_000, 1_000_000, 1, 100);
    assert.match(line, /^flood\.pcap \[#+\.+\]  25% finalising  250000\/1000000 open  ETA 3s$/);
    const bars = [0, 5, 999_999, 1_000_000].map((done) => /\[[#.]+\]/.exec(renderFinishing('flood.pcap', done, 1_000_000, 1 + done / 1000, 100)));
    for (const b of bars) assert.deepEqual([b?.index, b?.[0].length], [bars[0]?.index, bars[0]?.[0].length]);
    assert.ok(line.length < 100);
    assert.ok(renderFinishing('a/very/long/path/to/a/capture.pcap', 1, 2, 1, 40).length < 40);
    assert.match(renderFinishing('x.pcap', 0, 0, 0, 80), / 100% finalising 0\/0 open/);
  });

  it('writing out the spooled records: connections written of all, with the time left; drawn after a second, on a terminal, when the output is neither a terminal nor a pipe', async () => {
    const line = renderWriting('big.pcap', 250_000, 1_000_000, 1, 100);
    assert.match(line, /^big\.pcap \[#+\.+\]  25% writing  250000\/1000000 connections  ETA 3s$/);
    const bars = [0, 5, 999_999, 1_000_000].map((done) => /\[[#.]+\]/.exec(renderWriting('big.pcap', done, 1_000_000, 1 + done / 1000, 100)));
    for (const b of bars) assert.deepEqual([b?.index, b?.[0].length], [bars[0]?.index, bars[0]?.[0].length]);
    assert.ok(renderWriting('a/very/long/path/to/a/capture.pcap', 1, 2, 1, 40).length < 40);
    // the spools a report drains one after the other count as one run of records
    const spool = (n: number): Spool => {
      const sp = new Spool(1 << 20, false);
      for (let i = 0; i < n; i++) sp.put(i, `record ${i}\n`);
      return sp;
    };
    const terminal = (): { stream: NodeJS.WritableStream; writes: string[] } => {
      const writes: string[] = [];
      return { writes, stream: { isTTY: true, columns: 100, write: (x: string) => writes.push(x) > 0 } as unknown as NodeJS.WritableStream };
    };
    mock.timers.enable({ apis: ['Date'], now: 0 });
    try {
      const err = terminal();
      const ctx = new CliContext({ stdout: new PassThrough(), stderr: err.stream, stdin: Readable.from([]) });
      ctx.progress = true;
      const rows = spool(3000);
      const sections = spool(3000);
      const erase = ctx.writing('big.pcap', [rows, sections]);
      const seen: number[] = [];
      let ticked = false;
      for (const sp of [rows, sections]) {
        await sp.drain(() => {
          // a second passes once some records are written: the line is drawn from then on
          if (!ticked && seen.length === 0) {
            mock.timers.tick(1500);
            ticked = true;
          }
          return false;
        }, async () => undefined);
        seen.push(err.writes.length);
        mock.timers.tick(200);
      }
      // told every 1 024 records, drawn at most ten times a second (the clock moves only here):
      // once the second has passed, then at the second spool's first record
      assert.deepEqual(seen, [1, 2]);
      assert.match(err.writes[0] ?? '', /^\rbig\.pcap \[#+\.+\]  17% writing 1024\/6000 connections  ETA \d+s\x1b\[K$/);
      assert.match(err.writes[1] ?? '', /  50% writing 3000\/6000 connections/);
      erase();
      assert.equal(err.writes.at(-1), '\r\x1b[K');
      // standard output a terminal or a pipe (both Sockets: a pager may be reading on the same
      // terminal), or no progress asked for: nothing
      for (const [out, asked] of [[new Socket(), true], [new PassThrough(), false]] as const) {
        const e = terminal();
        const c = new CliContext({ stdout: out as unknown as PassThrough, stderr: e.stream, stdin: Readable.from([]) });
        c.progress = asked;
        const sp = spool(2000);
        const done = c.writing('big.pcap', [sp]);
        mock.timers.tick(1500);
        await sp.drain(() => false, async () => undefined);
        done();
        assert.deepEqual(e.writes, []);
      }
    } finally {
      mock.timers.reset();
    }
  });

  it('a report read back from spools (check\'s): its part of the passes\' bytes, with the time left; drawn after a second, on a terminal; to standard output only when that is a file', () => {
    assert.match(renderDoing('big.pcap', 'writing the JSON report', 25, 100, 1, 100), /^big\.pcap \[#+\.+\]  25% writing the JSON report  ETA 3s$/);
    assert.match(renderDoing('x.pcap', 'writing the report', 0, 0, 0, 80), / 100% writing the report  ETA 0s$/);
    const bars = [[0, 0.1], [5, 1], [999, 100], [1000, 3000]].map(([done, elapsed]) => /\[[#.]+\]/.exec(renderDoing('big.pcap', 'writing the report', done!, 1000, elapsed!, 100)));
    for (const b of bars) assert.deepEqual([b?.index, b?.[0].length], [bars[0]?.index, bars[0]?.[0].length]);
    assert.ok(renderDoing('a/very/long/path/to/a/capture.pcap', 'writing the JUnit report', 1, 2, 1, 40).length < 40);
    const spool = (n: number): Spool => {
      const sp = new Spool(1 << 20, false);
      for (let i = 0; i < n; i++) sp.put(i, `record ${String(i).padStart(5, '0')}\n`);
      return sp;
    };
    const terminal = (): { stream: NodeJS.WritableStream; writes: string[] } => {
      const writes: string[] = [];
      return { writes, stream: { isTTY: true, columns: 100, write: (x: string) => writes.push(x) > 0 } as unknown as NodeJS.WritableStream };
    };
    const read = (sp: Spool, then?: () => void): void => {
      let k = 0;
      for (const _ of sp.views()) if (++k === 1 && then) then();
    };
    mock.timers.enable({ apis: ['Date'], now: 0 });
    try {
      // two passes over one spool (two rule groups), one over another: 4 000 records of 13 bytes in all
      const err = terminal();
      const ctx = new CliContext({ stdout: new PassThrough(), stderr: err.stream, stdin: Readable.from([]) });
      ctx.progress = true;
      const [a, b] = [spool(1000), spool(2000)];
      assert.deepEqual([a.size, b.size], [13_000, 26_000]);
      const erase = ctx.readingBack('short10m.pcap', 'writing the JSON report', [{ source: a, passes: 2 }, { source: b, passes: 1 }], true);
      // told every 1 024 records, drawn at most ten times a second once a second has passed
      // (the clock moves only here: once at each pass's first record; `a` tells at the end of a
      // pass, `b` at its 1 024th record too)
      const seen: number[] = [];
      for (const sp of [a, a, b]) {
        read(sp, () => mock.timers.tick(sp === b ? 200 : seen.length === 0 ? 1500 : 200));
        seen.push(err.writes.length);
      }
      assert.deepEqual(seen, [1, 2, 3], err.writes.join(' | '));
      assert.match(err.writes[0] ?? '', /^\rshort10m\.pcap \[#+\.+\]  25% writing the JSON report  ETA \d+s\x1b\[K$/);
      assert.match(err.writes[1] ?? '', /  50% writing the JSON report/);
      assert.match(err.writes[2] ?? '', /  76% writing the JSON report/);
      erase();
      assert.equal(err.writes.at(-1), '\r\x1b[K');
      assert.deepEqual([a.onRead, b.onRead], [null, null]);
      // standard output a terminal or a pipe: nothing for a report written there, a line for a
      // report written to a file (JUnit's); no progress asked for: nothing
      for (const [out, asked, toOutput, lines] of [[new Socket(), true, true, 0], [new Socket(), true, false, 1], [new PassThrough(), false, false, 0]] as const) {
        const e = terminal();
        const c = new CliContext({ stdout: out as unknown as PassThrough, stderr: e.stream, stdin: Readable.from([]) });
        c.progress = asked;
        const sp = spool(2000);
        const done = c.readingBack('junit.xml', 'writing the JUnit report', [{ source: sp, passes: 1 }], toOutput);
        mock.timers.tick(1500);
        read(sp);
        done();
        assert.equal(e.writes.length, lines * 2, `${toOutput}: ${e.writes.join(' | ')}`);
        if (lines) assert.match(e.writes[0] ?? '', /^\rjunit\.xml \[#+\.+\]  51% writing the JUnit report/);
      }
    } finally {
      mock.timers.reset();
    }
  });

  it('the tracker counts what finishStep has finalised, of how many', async () => {
    const file = join(tempDir('tcpflow-finish-'), 'flood.pcap');
    writeSynFloodPcap(file, 2500);
    const t = new Tracker(null, { keepAll: false });
    await runCapture(file, { packet: (f, p) => t.packet(f, p) });
    assert.deepEqual([t.finishDone, t.finishTotal], [0, 0]);
    const seen: [number, number][] = [];
    while (!t.finishStep()) seen.push([t.finishDone, t.finishTotal]);
    seen.push([t.finishDone, t.finishTotal]);
    assert.deepEqual(seen, [[1024, 2500], [2048, 2500], [2500, 2500]]);
  });

  it('finalising at the end of input gives the event loop turns (the spools\' write callbacks run meanwhile)', async () => {
    const file = join(tempDir('tcpflow-turns-'), 'flood.pcap');
    writeSynFloodPcap(file, 10);
    // twenty steps of 1 ms each: the callback set when the input is read runs before the last
    let steps = 0;
    let ranAt = -1;
    const sink = {
      packet: () => undefined,
      finishStep: (): boolean => {
        const until = performance.now() + 1;
        while (performance.now() < until) { /* a step's work */ }
        return ++steps === 20;
      },
    };
    await runCapture(file, sink, { afterRead: async () => void setImmediate(() => (ranAt = steps)) });
    assert.equal(steps, 20);
    assert.ok(ranAt > 0 && ranAt < 20, `the callback ran after step ${ranAt}`);
  });

  it('with -j, one line for all the captures: done of all, bytes read of all over their sizes; a capture of unknown size counts once done', () => {
    mock.timers.enable({ apis: ['Date'], now: 0 });
    try {
      const writes: string[] = [];
      const stream = { isTTY: true, columns: 100, write: (s: string) => writes.push(s) > 0 } as unknown as NodeJS.WritableStream;
      const p = new JobsProgress(stream, [100e6, 200e6, 50e6]);
      const report = (bytes: number, total: number | null, packets: number): JobProgress => ({ kind: 'progress', bytes, total, packets });
      p.update(0, report(10e6, 100e6, 1000));
      assert.deepEqual(writes, [], 'nothing in the first second');
      mock.timers.tick(2000);
      p.update(1, report(50e6, 200e6, 3000));
      assert.match(writes.at(-1) ?? '', /^\r0\/3 captures \[#+\.+\]  17%  60\.0\/350\.0 MB {2}2 k pkt\/s {2}ETA 10s\x1b\[K$/);
      // a capture of unknown size (standard input): counted once it is done
      mock.timers.tick(200);
      p.update(2, report(500e6, null, 1000));
      assert.match(writes.at(-1) ?? '', /^\r0\/3 captures \[#+\.+\]  17%  60\.0\/350\.0 MB /);
      mock.timers.tick(200);
      p.finished(0);
      assert.match(writes.at(-1) ?? '', /^\r1\/3 captures \[#+\.+\]  43% 150\.0\/350\.0 MB /);
      mock.timers.tick(200);
      p.finished(2);
      assert.match(writes.at(-1) ?? '', /^\r2\/3 captures \[#+\.+\]  57% 200\.0\/350\.0 MB /);
      p.clear();
      assert.equal(writes.at(-1), '\r\x1b[K');
      // after the run (a stopped worker's late answer): nothing more
      p.end();
      const n = writes.length;
      mock.timers.tick(500);
      p.finished(1);
      p.update(1, report(200e6, 200e6, 9000));
      assert.equal(writes.length, n);
    } finally {
      mock.timers.reset();
    }
  });

  it('explain -j, check -j and check: the workers\' reports reach the line (the clock of the main thread sped up)', async () => {
    const file = join(tempDir('tcpflow-jobs-progress-'), 'a.pcap');
    writeSyntheticPcap(file, { connections: 3000 });
    const bytes = statSync(file).size;
    const size = (bytes / 1e6).toFixed(1);
    const all = (3 * bytes / 1e6).toFixed(1);
    await withFastClock(async () => {
      for (const [args, files, name, total] of [
        [['-j', '2', '--json', '--port', '1'], [file, file, file], /^[0-3]\/3 captures$/, all],
        [['check', '-j', '2', '--expect', 'connections>=1'], [file, file, file], /^[0-3]\/3 captures$/, all],
        [['check', '--expect', 'connections>=1'], [file], /a\.pcap$/, size],
      ] as const) {
        const r = await runCli([...args, ...files], undefined, { columns: 100 });
        assert.equal(r.code, 0, r.stderr);
        const parts = r.stderr.split('\r').filter((l) => l !== '');
        assert.equal(parts.at(-1), '\x1b[K', 'erased at the end');
        // erased too before a capture's messages (check -j), drawn again after
        const lines = parts.filter((l) => l !== '\x1b[K');
        assert.ok(lines.length >= 1, `${args.join(' ')}: drawn: ${JSON.stringify(r.stderr.slice(0, 200))}`);
        let reading = 0;
        for (const l of lines) {
          // at the end, the connections still waiting (up to DEFAULT_LINGER_HARD closed ones
          // lingering) are finalised, with a line of their own
          const fin = /^(.*) \[[#.]+\] +\d+% finalising \d+\/\d+ open {2}ETA \S+\x1b\[K$/.exec(l);
          if (fin !== null) {
            assert.match(fin[1], name);
            continue;
          }
          const m = /^(.*) \[[#.]+\] +\d+% +[\d.]+\/([\d.]+) MB {2}[\d.]+ [kM] pkt\/s {2}ETA \S+\x1b\[K$/.exec(l);
          assert.ok(m, `${args.join(' ')}: a progress line: ${JSON.stringify(l)}`);
          assert.match(m[1], name);
          assert.equal(m[2], total);
          reading++;
        }
        assert.ok(reading >= 1, `${args.join(' ')}: a line while reading`);
        const quiet = await runCli([...args, '--no-progress', ...files], undefined, { columns: 100 });
        assert.equal(quiet.stderr, '', `${args.join(' ')} --no-progress`);
      }
    });
  });

  it('not drawn while packets stream to a pipe, which a pager may be showing on the terminal (`--format packets | less`); drawn when they go to a file', async () => {
    const file = join(tempDir('tcpflow-pipe-progress-'), 'a.pcap');
    writeSyntheticPcap(file, { connections: 3000 });
    await withFastClock(async () => {
      const drawn: Record<string, boolean> = {};
      for (const [name, stdout] of [['pipe', new Pipe()], ['file', new PassThrough()]] as const) {
        for (const format of ['packets', 'ndjson']) {
          const r = await onTerminal(['--format', format, ...(format === 'ndjson' ? ['--packets'] : []), file], stdout);
          assert.equal(r.code, 0);
          drawn[`${name} ${format}`] = /pkt\/s/.test(r.stderr);
        }
      }
      assert.deepEqual(drawn, { 'pipe packets': false, 'pipe ndjson': false, 'file packets': true, 'file ndjson': true });
    });
  });

  it('check: a line while each report of every result is written: JSON and the verbose text to a file, JUnit whatever standard output is', async () => {
    const dir = tempDir('tcpflow-report-progress-');
    const file = join(dir, 'a.pcap');
    // (enough results that writing a report takes several real milliseconds: a line is drawn
    // only once a second of the fast clock has passed)
    writeSyntheticPcap(file, { connections: 20000 });
    const junit = join(dir, 'junit.xml');
    await withFastClock(async () => {
      const expect = ['-e', 'handshake=three-way', '-e', 'teardown=graceful', '-e', 'zeek=SF'];
      const seen: Record<string, string[]> = {};
      for (const [name, stdout, args] of [
        ['file', new PassThrough(), ['--json', '--junit', junit]],
        ['pipe', new Pipe(), ['--json', '--junit', junit]],
        ['file verbose', new PassThrough(), ['--verbose']],
        ['pipe verbose', new Pipe(), ['--verbose']],
      ] as const) {
        const r = await onTerminal(['check', ...args, ...expect, file], stdout);
        assert.equal(r.code, 0, r.stderr);
        const lines = r.stderr.split('\r').filter((l) => / writing /.test(l));
        for (const l of lines) assert.match(l, /^\S+ \[[#.]+\] +\d+% writing the ((JSON|JUnit) )?report {2}ETA \S+\x1b\[K$/, l);
        seen[name] = [...new Set(lines.map((l) => `${l.split(' ')[0]!.replace(dir, '')} ${/writing the \w+( report)?/.exec(l)![0]}`))];
        // erased at the end
        assert.ok(r.stderr.endsWith('\r\x1b[K'), name);
      }
      assert.deepEqual(seen, {
        'file': ['/junit.xml writing the JUnit report', `${file.replace(dir, '')} writing the JSON report`],
        'pipe': ['/junit.xml writing the JUnit report'],
        'file verbose': [`${file.replace(dir, '')} writing the report`],
        'pipe verbose': [],
      });
    });
  });

  it('never drawn when standard error is not a terminal', async () => {
    const file = join(tempDir('tcpflow-progress-'), 'synth.pcap');
    writeSyntheticPcap(file, { connections: 30000 });
    const r = await runCli(['--json', file]);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
  });
});
