/**
 * A sparse list of packet records (PacketCollector's `sparse`: the walkthrough without --verbose,
 * with its diagram or without; Mermaid's diagrams, and check's, which show the first frames of
 * each flag it counts too) keeps of the data phase only what that walkthrough or diagram shows,
 * and counts the rest: its walkthrough or diagram is the full list's, byte for byte, for every fixture
 * connection and for long connections with loss and reordering, capped or not, in both
 * languages, with colour and with --absolute; and a long connection keeps tens of records, not
 * one a packet.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { fixtureCaptures } from './helpers/release.js';
import { tempDir } from './helpers/tmp.js';
import { runCapture } from '../src/pipeline.js';
import { Tracker, type TrackerOptions } from '../src/analyze/tracker.js';
import type { Connection } from '../src/analyze/connection.js';
import { MAX_PACKET_RECORDS, PacketCollector } from '../src/render/json.js';
import { Walkthrough, type WalkthroughOptions } from '../src/render/walkthrough.js';
import { LISTED_NOTED, MERMAID_HEAD, NAMED_FLAG_FRAMES, NO_RECORDS, type PacketRecords } from '../src/render/records.js';
import { mermaid } from '../src/render/mermaid.js';
import { ByteWriter } from '../src/util/bytes.js';
import { PH_DATA } from '../src/analyze/story.js';
import { ANALYSIS_ORDER } from '../src/analyze/flags.js';
import { AnalysisFrames } from '../src/check/evaluate.js';
import { writeBulkPcap } from '../scripts/synth.js';
import { writeFileSync } from 'node:fs';
import { rng } from './helpers/rng.js';
import { pcapFile, type PcapRecord } from './helpers/capfile.js';
import { segment } from './helpers/wire.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../src/decode/packet.js';

/**
 * `connections` conversations, one after the other on ports of their own, each of random events
 * (from `seed`): data from either side, its ACKs, duplicate ACKs, retransmissions, segments
 * swapped or lost, keep-alives, a zero window and its update, a half-close with data after the
 * FIN, a reset; now and then without the handshake. What they make (phases, notes, analysis
 * flags, the story's frames) is the tracker's: the shapes the fixtures have few of, many times.
 */
function randomConversations(seed: number, connections: number): Uint8Array {
  const rnd = rng(seed);
  const pick = (n: number): number => Math.floor(rnd() * n);
  const records: PcapRecord[] = [];
  let usec = 0;
  for (let k = 0; k < connections; k++) {
    const port = 20000 + k;
    const put = (fromClient: boolean, flags: number, seq: number, ack: number, len: number, window = 1000): void => {
      usec += 1 + pick(2000);
      records.push({ sec: 1700000000 + Math.floor(usec / 1e6), frac: usec % 1e6, data: segment(fromClient, port, flags, seq, ack, len, window) });
    };
    // each side: next byte to send, what it has acknowledged of the other, its last segment
    const next = [1000 + pick(1e9), 5000 + pick(1e9)];
    const acked = [0, 0];
    const last = [{ seq: 0, len: 0 }, { seq: 0, len: 0 }];
    acked[0] = next[1]!;
    acked[1] = next[0]!;
    if (pick(8) !== 0) {
      put(true, TCP_SYN, next[0]!, 0, 0);
      if (pick(10) === 0) put(true, TCP_SYN, next[0]!, 0, 0);
      put(false, TCP_SYN | TCP_ACK, next[1]!, next[0]! + 1, 0);
      put(true, TCP_ACK, next[0]! + 1, next[1]! + 1, 0);
    }
    next[0]! += 1;
    next[1]! += 1;
    acked[0] = next[1]!;
    acked[1] = next[0]!;
    const events = 10 + pick(90);
    let finFrom = -1;
    for (let e = 0; e < events; e++) {
      const side = finFrom >= 0 ? 1 - finFrom : pick(2);
      const c = side === 0;
      const ev = pick(20);
      const len = 1 + pick(1400);
      if (ev < 8) {
        // data in order
        last[side] = { seq: next[side]!, len };
        put(c, TCP_PSH | TCP_ACK, next[side]!, acked[side]!, len);
        next[side]! += len;
      } else if (ev < 11) {
        // the other side acknowledges everything
        acked[1 - side] = next[side]!;
        put(!c, TCP_ACK, next[1 - side]!, acked[1 - side]!, 0);
      } else if (ev < 13) {
        // the same ACK again (a duplicate)
        put(c, TCP_ACK, next[side]!, acked[side]!, 0);
      } else if (ev === 13) {
        // the last segment again
        if (last[side]!.len > 0) put(c, TCP_PSH | TCP_ACK, last[side]!.seq, acked[side]!, last[side]!.len);
      } else if (ev === 14) {
        // two segments swapped
        put(c, TCP_ACK, next[side]! + len, acked[side]!, len);
        put(c, TCP_ACK, next[side]!, acked[side]!, len);
        next[side]! += 2 * len;
      } else if (ev === 15) {
        // a segment lost before the capture
        next[side]! += len;
        put(c, TCP_ACK, next[side]!, acked[side]!, len);
        next[side]! += len;
      } else if (ev === 16) {
        // a keep-alive
        put(c, TCP_ACK, next[side]! - 1, acked[side]!, pick(2));
      } else if (ev === 17) {
        // a zero window, then its update
        put(c, TCP_ACK, next[side]!, acked[side]!, 0, 0);
        put(c, TCP_ACK, next[side]!, acked[side]!, 0, 1000);
      } else if (ev === 18 && finFrom < 0) {
        // a half-close: this side's FIN; the other sends on
        finFrom = side;
        put(c, TCP_FIN | TCP_ACK, next[side]!, acked[side]!, 0);
        next[side]! += 1;
        if (pick(2) === 0) {
          // its ACK, now and then with data
          acked[1 - side] = next[side]!;
          const d = pick(3) === 0 ? len : 0;
          put(!c, TCP_ACK, next[1 - side]!, acked[1 - side]!, d);
          next[1 - side]! += d;
        }
      } else if (ev === 19 && pick(4) === 0) {
        put(c, TCP_RST | TCP_ACK, next[side]!, acked[side]!, 0);
        break;
      }
    }
    // the close: the FIN not sent yet, and the last ACK
    const closer = finFrom >= 0 ? 1 - finFrom : pick(2);
    if (finFrom < 0) {
      put(closer === 0, TCP_FIN | TCP_ACK, next[closer]!, acked[closer]!, 0);
      next[closer]! += 1;
      acked[1 - closer] = next[closer]!;
    }
    const other = finFrom >= 0 ? finFrom : 1 - closer;
    put(other === 0, TCP_FIN | TCP_ACK, next[other]!, next[1 - other]!, 0);
    next[other]! += 1;
    put(other !== 0, TCP_ACK, next[1 - other]!, next[other]!, 0);
  }
  return pcapFile({ byteOrder: 'le', records });
}

const OPTIONS: WalkthroughOptions[] = [
  { lang: 'en', absolute: false, verbose: false, chalk: new Chalk({ level: 0 }), diagram: false, width: 100 },
  { lang: 'zh', absolute: true, verbose: false, chalk: new Chalk({ level: 3 }), diagram: false, width: 100 },
];
/** With the ladder diagram (--diagram, or a terminal at least 100 columns wide). */
const DIAGRAM_OPTIONS: WalkthroughOptions[] = [
  { lang: 'en', absolute: false, verbose: false, chalk: new Chalk({ level: 0 }), diagram: true, width: 100 },
  { lang: 'zh', absolute: true, verbose: false, chalk: new Chalk({ level: 3 }), diagram: true, width: 140 },
];

interface Totals {
  connections: number;
  full: number;
  kept: number;
  skipped: number;
  /** Connections whose sparse list left records out and was capped too. */
  cappedSkipping: number;
  /** Records the sparse lists for the diagram skipped. */
  diagramSkipped: number;
  /** Records the sparse lists for Mermaid's diagram skipped. */
  mermaidSkipped: number;
  /** Records the sparse lists for check's diagrams skipped, and those kept only for the frames of a flag beyond the walkthrough's. */
  checkSkipped: number;
  checkFlagged: number;
}

const newTotals = (): Totals => ({ connections: 0, full: 0, kept: 0, skipped: 0, cappedSkipping: 0, diagramSkipped: 0, mermaidSkipped: 0, checkSkipped: 0, checkFlagged: 0 });

/** Every analysis flag: check's AnalysisFrames for expectations counting each. */
const ALL_FLAGS = ANALYSIS_ORDER.reduce((m, [bit]) => m | bit, 0);

/**
 * The frames a failing connection's diagram in check's Markdown report shows wherever they are
 * (CaptureEvaluator's failedFrames): the first frames of each flag (a failing count's), the
 * first and the last packet (a handshake not captured, a state), and the story's frames.
 */
function checkFrames(c: Connection, af: AnalysisFrames): Set<number> {
  const keep = new Set<number>([c.firstFrame, c.lastFrame]);
  for (let i = 0; i < ANALYSIS_ORDER.length; i++) for (const f of af.frames(c, i)) keep.add(f);
  const s = c.story;
  for (const f of [s.synFrame, s.synAckFrame, s.hsAckFrame, s.fin1Frame, s.fin1AckFrame, s.fin2Frame, s.fin2AckFrame, s.rstFrame]) if (f > 0) keep.add(f);
  return keep;
}

const fromFull = new ByteWriter(1 << 16);
const fromOther = new ByteWriter(1 << 16);

/** Each of `walkers` (made from `options`) writes the same walkthrough of `c` from the full list and from `other`. */
function sameWalkthrough(walkers: Walkthrough[], options: WalkthroughOptions[], c: Connection, full: PacketRecords, other: PacketRecords, at: string): void {
  for (let i = 0; i < walkers.length; i++) {
    fromFull.pos = 0;
    walkers[i]!.write(fromFull, c, full);
    fromOther.pos = 0;
    walkers[i]!.write(fromOther, c, other);
    assert.equal(fromOther.buf.subarray(0, fromOther.pos).toString(), fromFull.buf.subarray(0, fromFull.pos).toString(), `${at} (${options[i]!.lang})`);
  }
}

/**
 * A sparse list for a diagram: its records and those it skipped are the full list's, and its
 * gaps count every record skipped. Returns how many it skipped.
 */
function skippedInGaps(list: PacketRecords, full: PacketRecords, at: string): number {
  const skipped = list.skipped?.count ?? 0;
  assert.equal(list.length + skipped, full.length, `${at}: kept and skipped`);
  let gaps = 0;
  for (let i = 0; i < list.length; i++) gaps += list.gaps?.[i] ?? 0;
  assert.equal(gaps, skipped, `${at}: the gaps count every record skipped`);
  return skipped;
}

/** The capture read once into a full and a sparse collector of `limit`; each connection's walkthroughs compared. */
async function compare(file: string, limit: number, totals: Totals, each?: (full: PacketRecords, sparse: PacketRecords) => void, opts: TrackerOptions = {}): Promise<void> {
  const full = new PacketCollector(limit);
  const sparse = new PacketCollector(limit, true);
  const drawn = new PacketCollector(limit, true, true);
  // Mermaid's (--format mermaid, Markdown): its diagram's first MERMAID_HEAD of a run
  const charted = new PacketCollector(limit, true, true, MERMAID_HEAD);
  // check's (--markdown, a GitHub summary): Mermaid's, and the first frames of each flag counted
  const af = new AnalysisFrames(ALL_FLAGS);
  const judged = new PacketCollector(limit, true, true, MERMAID_HEAD);
  judged.keepAlso(af);
  const walkers = OPTIONS.map((o) => new Walkthrough(o));
  const drawers = DIAGRAM_OPTIONS.map((o) => new Walkthrough(o));
  const tracker = new Tracker({
    onPacket: (c, r, f, p) => {
      full.onPacket(c, r, f, p);
      sparse.onPacket(c, r, f, p);
      drawn.onPacket(c, r, f, p);
      charted.onPacket(c, r, f, p);
      af.onPacket(c, r, f, p);
      judged.onPacket(c, r, f, p);
    },
    onFinal: (c) => {
      full.onFinal(c);
      sparse.onFinal(c);
      drawn.onFinal(c);
      charted.onFinal(c);
      judged.onFinal(c);
      const fl = full.byConnection.get(c) ?? NO_RECORDS;
      const sl = sparse.byConnection.get(c) ?? NO_RECORDS;
      const dl = drawn.byConnection.get(c) ?? NO_RECORDS;
      const at = `${file} limit ${limit} #${c.id}`;
      sameWalkthrough(drawers, DIAGRAM_OPTIONS, c, fl, dl, `${at} with the diagram`);
      totals.diagramSkipped += skippedInGaps(dl, fl, `${at} for the diagram`);
      const ml = charted.byConnection.get(c) ?? NO_RECORDS;
      for (const [absolute, lang] of [[false, 'en'], [true, 'zh']] as const) {
        assert.equal(mermaid(c, ml, absolute, lang), mermaid(c, fl, absolute, lang), `${at} Mermaid (${lang})`);
      }
      totals.mermaidSkipped += skippedInGaps(ml, fl, `${at} for Mermaid`);
      const jl = judged.byConnection.get(c) ?? NO_RECORDS;
      const keep = checkFrames(c, af);
      assert.equal(mermaid(c, jl, false, 'en', keep), mermaid(c, fl, false, 'en', keep), `${at} check's Mermaid`);
      totals.checkSkipped += skippedInGaps(jl, fl, `${at} for check's Mermaid`);
      totals.checkFlagged += jl.length - ml.length;
      af.forget(c);
      sameWalkthrough(walkers, OPTIONS, c, fl, sl, at);
      // the records kept and those counted are the full list's, and the same omitted
      const skipped = sl.skipped?.count ?? 0;
      assert.equal(sl.length + skipped, fl.length, `${file} #${c.id}: kept and skipped`);
      assert.deepEqual(sl.omitted, fl.omitted, `${file} #${c.id}: omitted`);
      if (each) each(fl, sl);
      totals.connections++;
      totals.full += fl.length;
      totals.kept += sl.length;
      totals.skipped += skipped;
      if (skipped > 0 && sl.omitted) totals.cappedSkipping++;
      full.recycle(c);
      sparse.recycle(c);
      drawn.recycle(c);
      charted.recycle(c);
      judged.recycle(c);
    },
  }, opts);
  await runCapture(file, tracker);
}

describe('walkthrough: a sparse list of records', () => {
  const dir = tempDir('tcpflow-sparse-');
  // long connections: loss (three duplicate ACKs and a retransmission) every 37th segment and a
  // swap every 41st, and one with neither
  const lossy = join(dir, 'lossy.pcap');
  writeBulkPcap(lossy, 30_000, { lossEvery: 37, reorderEvery: 41 });
  const clean = join(dir, 'clean.pcap');
  writeBulkPcap(clean, 5_000, { lossEvery: 1_000_000, reorderEvery: 1_000_000 });

  it('every fixture connection, and long ones capped at 12, 300 and the default: the walkthrough of the full list, byte for byte', async () => {
    const totals = newTotals();
    for (const file of [...fixtureCaptures(), lossy, clean]) {
      for (const limit of [MAX_PACKET_RECORDS, 300, 12]) await compare(file, limit, totals);
    }
    assert.ok(totals.connections > 150, `${totals.connections} connections`);
    // not a comparison of two full lists: most records were left out, some of capped connections
    assert.ok(totals.skipped > totals.full / 2, `${totals.skipped} of ${totals.full} records skipped`);
    assert.ok(totals.cappedSkipping > 10, `${totals.cappedSkipping} capped connections skipped records`);
    assert.ok(totals.diagramSkipped > totals.full / 2, `${totals.diagramSkipped} of ${totals.full} records skipped for the diagram`);
    assert.ok(totals.mermaidSkipped > totals.full / 2, `${totals.mermaidSkipped} of ${totals.full} records skipped for Mermaid`);
    assert.ok(totals.checkSkipped > totals.full / 2, `${totals.checkSkipped} of ${totals.full} records skipped for check's Mermaid`);
    // the lossy connection's flags beyond the walkthrough's 9 frames of each, up to check's 20
    assert.ok(totals.checkFlagged > 20, `${totals.checkFlagged} kept for check's frames of a flag`);
  });

  it('400 random conversations, capped at 8, 30 and the default: the walkthrough of the full list, byte for byte', async () => {
    const totals = newTotals();
    for (const seed of [1, 2, 3, 4]) {
      const file = join(dir, `random-${seed}.pcap`);
      writeFileSync(file, randomConversations(seed, 100));
      // released 0.1 s after their close, as the CLI does after 60 s: their lists are taken
      // again by later connections
      for (const limit of [MAX_PACKET_RECORDS, 30, 8]) await compare(file, limit, totals, undefined, { lingerSeconds: 0.1 });
    }
    assert.ok(totals.connections >= 1200, `${totals.connections} connections`);
    assert.ok(totals.skipped > totals.full / 4, `${totals.skipped} of ${totals.full} records skipped`);
    assert.ok(totals.cappedSkipping > 100, `${totals.cappedSkipping} capped connections skipped records`);
    assert.ok(totals.diagramSkipped > totals.full / 8, `${totals.diagramSkipped} of ${totals.full} records skipped for the diagram`);
    assert.ok(totals.mermaidSkipped > totals.full / 8, `${totals.mermaidSkipped} of ${totals.full} records skipped for Mermaid`);
    assert.ok(totals.checkSkipped > totals.full / 8, `${totals.checkSkipped} of ${totals.full} records skipped for check's Mermaid`);
  });

  it('a long connection keeps its handshake, teardown, first noted packets and first frames of each flag: tens of records', async () => {
    const totals = newTotals();
    let checked = 0;
    await compare(lossy, MAX_PACKET_RECORDS, totals, (full, sparse) => {
      assert.equal(full.length, 30_000);
      // what is not of the data phase, every one
      let notData = 0;
      const flags = new Set<number>();
      for (let i = 0; i < full.length; i++) {
        const p = full.at(i);
        if (p.phase !== PH_DATA) notData++;
        for (const [bit] of ANALYSIS_ORDER) if (p.analysis & bit) flags.add(bit);
      }
      let keptNotData = 0;
      for (let i = 0; i < sparse.length; i++) if (sparse.at(i).phase !== PH_DATA) keptNotData++;
      assert.equal(keptNotData, notData);
      // at most: those, the handshake's ACK, the first noted and the first of each flag
      assert.ok(flags.size >= 4, `${flags.size} flags`);
      assert.ok(sparse.length <= notData + 1 + LISTED_NOTED + NAMED_FLAG_FRAMES * flags.size, `${sparse.length} kept`);
      assert.ok(sparse.length >= NAMED_FLAG_FRAMES * 2, `${sparse.length} kept`);
      // the records kept are the full list's, in its order
      let j = 0;
      for (let i = 0; i < sparse.length; i++) {
        const frame = sparse.at(i).frame;
        while (j < full.length && full.at(j).frame !== frame) j++;
        assert.ok(j < full.length, `frame ${frame} in order`);
      }
      checked++;
    });
    assert.equal(checked, 1);
  });

  it('a long connection capped: the ring of its last packets keeps only what the walkthrough may show of them, and counts the rest', async () => {
    const totals = newTotals();
    let checked = 0;
    // 30 000 packets capped at 2 000: the first 1 000 and a ring of the last 1 000 (whose
    // packets with a flag come after the first range's 9 of each: none of them is named)
    await compare(lossy, 2_000, totals, (full, sparse) => {
      assert.equal(full.length, 2_000);
      assert.equal(full.omitted?.count, 28_000);
      let notData = 0;
      let ringFlagged = 0;
      const flags = new Set<number>();
      for (let i = 0; i < full.length; i++) {
        const p = full.at(i);
        if (p.phase !== PH_DATA) notData++;
        if (i >= 1_000 && p.analysis !== 0) ringFlagged++;
        for (const [bit] of ANALYSIS_ORDER) if (p.analysis & bit) flags.add(bit);
      }
      // the ring had packets with flags and many without; the sparse list kept none of them
      // beyond the steps (the teardown's, not of the data phase)
      assert.ok(ringFlagged > 20, `${ringFlagged} flagged in the ring`);
      const ringFrom = full.at(1_000).frame;
      let ringKept = 0;
      for (let i = 0; i < sparse.length; i++) if (sparse.at(i).frame >= ringFrom) ringKept++;
      let ringSteps = 0;
      for (let i = 1_000; i < full.length; i++) if (full.at(i).phase !== PH_DATA) ringSteps++;
      assert.ok(ringSteps > 0 && ringSteps < 10, `${ringSteps} steps in the ring`);
      assert.equal(ringKept, ringSteps);
      assert.ok(sparse.length <= notData + 1 + LISTED_NOTED + NAMED_FLAG_FRAMES * flags.size, `${sparse.length} kept`);
      checked++;
    });
    assert.equal(checked, 1);
    // (compare() checked the walkthrough, the kept plus skipped, and the omission against the full list's)
    assert.ok(totals.skipped > 1_900, `${totals.skipped} skipped`);
  });
});
