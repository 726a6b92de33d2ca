/**
 * Records written as soon as the input is read (src/cli/explain.ts, explainFile): when every
 * record spooled while reading belongs before every connection still open, the header and the
 * spool are written then, and the connections finalised after that go straight to the output;
 * otherwise all of them wait in the spool as before. Either way the bytes must be those of the
 * spool path, in id order. Three captures, one per case:
 * - `allOpen`: nothing finalised while reading (the spool is empty): straight out;
 * - `spooledFirst`: a short connection (id 0) released while reading, a long one (id 1) open at
 *   the end: the spool first, then straight out;
 * - `spooledAfter`: a long connection (id 0) open at the end, a short one (id 1) released while
 *   reading: its record must come after id 0's, so everything waits in the spool.
 * A short connection is released 60 s (the linger) after it closed, at the next packet.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../src/decode/packet.js';
import { ethernet, ETHERTYPE, ipv4, IPPROTO, tcp } from './helpers/wire.js';
import { pcapFile, type PcapRecord } from './helpers/capfile.js';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { PassThrough, Readable } from 'node:stream';
import { CliContext } from '../src/cli/context.js';
import { explainFile, settingsFrom, writeDocument, type ExplainOptions } from '../src/cli/explain.js';
import { Spool } from '../src/util/spool.js';
import { Tracker } from '../src/analyze/tracker.js';
import { runCapture } from '../src/pipeline.js';
import { Output } from '../src/util/output.js';
import { RING_BYTES } from '../src/cli/worker.js';

const BIN = join(REPO_ROOT, 'bin', 'tcpflow-explain.js');
const dir = mkdtempSync(join(tmpdir(), 'tcpflow-early-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Pkt {
  t: number;
  port: number;
  fromClient: boolean;
  flags: number;
  seq: number;
  ack: number;
  len?: number;
}

function capture(name: string, pkts: Pkt[]): string {
  const records: PcapRecord[] = pkts.map((p) => ({
    sec: 1_700_000_000 + Math.floor(p.t),
    frac: Math.round((p.t % 1) * 1e6),
    data: ethernet({
      type: ETHERTYPE.IPV4,
      payload: ipv4({
        src: p.fromClient ? '192.0.2.1' : '192.0.2.2', dst: p.fromClient ? '192.0.2.2' : '192.0.2.1', proto: IPPROTO.TCP,
        payload: tcp({
          srcPort: p.fromClient ? p.port : 80, dstPort: p.fromClient ? 80 : p.port, seq: p.seq, ack: p.ack, flags: p.flags, window: 1000,
          payload: new Uint8Array(p.len ?? 0),
        }),
      }),
    }),
  }));
  const file = join(dir, `${name}.pcap`);
  writeFileSync(file, pcapFile({ byteOrder: 'le', records }));
  return file;
}

/** A whole short connection from `t`: handshake, 10 bytes each way, three-way close. */
function short(t: number, port: number): Pkt[] {
  const c = 1000 + port;
  const s = 9000;
  return [
    { t, port, fromClient: true, flags: TCP_SYN, seq: c, ack: 0 },
    { t: t + 0.001, port, fromClient: false, flags: TCP_SYN | TCP_ACK, seq: s, ack: c + 1 },
    { t: t + 0.002, port, fromClient: true, flags: TCP_ACK, seq: c + 1, ack: s + 1 },
    { t: t + 0.003, port, fromClient: true, flags: TCP_PSH | TCP_ACK, seq: c + 1, ack: s + 1, len: 10 },
    { t: t + 0.004, port, fromClient: false, flags: TCP_PSH | TCP_ACK, seq: s + 1, ack: c + 11, len: 10 },
    { t: t + 0.005, port, fromClient: true, flags: TCP_FIN | TCP_ACK, seq: c + 11, ack: s + 11 },
    { t: t + 0.006, port, fromClient: false, flags: TCP_FIN | TCP_ACK, seq: s + 11, ack: c + 12 },
    { t: t + 0.007, port, fromClient: true, flags: TCP_ACK, seq: c + 12, ack: s + 12 },
  ];
}

/** A connection opened at `t` that sends 10 bytes every 10 s until `end` and never closes. */
function long(t: number, end: number, port: number): Pkt[] {
  const c = 1000 + port;
  const s = 7000;
  const out: Pkt[] = [
    { t, port, fromClient: true, flags: TCP_SYN, seq: c, ack: 0 },
    { t: t + 0.001, port, fromClient: false, flags: TCP_SYN | TCP_ACK, seq: s, ack: c + 1 },
    { t: t + 0.002, port, fromClient: true, flags: TCP_ACK, seq: c + 1, ack: s + 1 },
  ];
  let seq = c + 1;
  for (let at = t + 10; at <= end; at += 10) {
    out.push({ t: at, port, fromClient: true, flags: TCP_PSH | TCP_ACK, seq, ack: s + 1, len: 10 });
    seq += 10;
    out.push({ t: at + 0.001, port, fromClient: false, flags: TCP_ACK, seq: s + 1, ack: seq });
  }
  return out;
}

/** 40 connections opened with long() and given 1000 data packets each, all open at the end. */
function manyLong(): Pkt[] {
  const pkts: Pkt[] = [];
  for (let c = 0; c < 40; c++) pkts.push(...long(c * 0.001, 0, 42000 + c));
  for (let k = 0; k < 1000; k++) {
    for (let c = 0; c < 40; c++) pkts.push({ t: 1 + k * 0.01 + c * 0.0001, port: 42000 + c, fromClient: true, flags: TCP_PSH | TCP_ACK, seq: 1000 + 42000 + c + 1 + 10 * k, ack: 7001, len: 10 });
  }
  return pkts;
}

const byTime = (pkts: Pkt[]): Pkt[] => pkts.sort((a, b) => a.t - b.t);

const cases: Record<string, string> = {
  allOpen: capture('all-open', [0, 1, 2, 3].map((i) => ({ t: i, port: 41000 + i, fromClient: true, flags: TCP_SYN, seq: 5 + i, ack: 0 }))),
  spooledFirst: capture('spooled-first', byTime([...short(0, 40002), ...long(5, 200, 40001)])),
  spooledAfter: capture('spooled-after', byTime([...long(0, 200, 40001), ...short(1, 40002)])),
};

interface Doc {
  capture: { packets: number };
  connections: { id: number; client: { port: number }; teardown: { kind: string } }[];
}

describe('output written as soon as the input is read', () => {
  it('the captures are the three cases: what is released while reading, what is open at the end', async () => {
    // idle-timeout 1 s less than the linger releases nothing more: the linger decides
    const ids = async (file: string): Promise<[number, number, string][]> =>
      ((JSON.parse((await runCli(['--json', file])).stdout) as Doc).connections).map((c) => [c.id, c.client.port, c.teardown.kind]);
    assert.deepEqual(await ids(cases.allOpen), [[0, 41000, 'none'], [1, 41001, 'none'], [2, 41002, 'none'], [3, 41003, 'none']]);
    assert.deepEqual(await ids(cases.spooledFirst), [[0, 40002, 'three-way'], [1, 40001, 'none']]);
    assert.deepEqual(await ids(cases.spooledAfter), [[0, 40001, 'none'], [1, 40002, 'three-way']]);
  });

  it('which records go through the spool: only those finalised while reading, and all of them when one must wait', async () => {
    // explainFile from dist/src (the CLI tests run the bundle, whose Spool is another class)
    const spooled = async (file: string, format: 'json' | 'text', alone: boolean): Promise<{ puts: number; out: string }> => {
      let puts = 0;
      const put = Spool.prototype.put;
      const putBytes = Spool.prototype.putBytes;
      const commit = Spool.prototype.commit;
      Spool.prototype.put = function (this: Spool, ...a: Parameters<Spool['put']>) { puts++; return put.apply(this, a); };
      Spool.prototype.putBytes = function (this: Spool, ...a: Parameters<Spool['putBytes']>) { puts++; return putBytes.apply(this, a); };
      // a json record rendered in the spool's arena (Spool.writer) is added by commit()
      Spool.prototype.commit = function (this: Spool, ...a: Parameters<Spool['commit']>) { puts++; return commit.apply(this, a); };
      try {
        const stdout = new PassThrough();
        const chunks: Buffer[] = [];
        stdout.on('data', (d: Buffer) => chunks.push(d));
        const ctx = new CliContext({ stdout, stderr: new PassThrough(), stdin: Readable.from([]) });
        const opts = { format, lang: 'en', color: false, progress: false } as ExplainOptions;
        const doc = await explainFile(ctx, file, opts, settingsFrom(ctx, opts)!, ctx.out, alone);
        if (doc) {
          await writeDocument(ctx.out, doc, false);
          ctx.out.write('\n');
        }
        await ctx.out.flush();
        return { puts, out: Buffer.concat(chunks).toString('utf8') };
      } finally {
        Spool.prototype.put = put;
        Spool.prototype.putBytes = putBytes;
        Spool.prototype.commit = commit;
      }
    };
    for (const format of ['json', 'text'] as const) {
      assert.equal((await spooled(cases.allOpen, format, true)).puts, 0, format);
      assert.equal((await spooled(cases.spooledFirst, format, true)).puts, 1, format);
      assert.equal((await spooled(cases.spooledAfter, format, true)).puts, 2, format);
    }
    // a json document that is not alone (one of several) always waits: its head comes last
    const notAlone = await spooled(cases.allOpen, 'json', false);
    assert.equal(notAlone.puts, 4);
    assert.equal(notAlone.out, (await spooled(cases.allOpen, 'json', true)).out);
  });

  it('finishing pauses for a flush when the observer asks (wantsFlush): a step finalises one connection at a time then', async () => {
    const steps = async (wants: boolean): Promise<number[]> => {
      const finals: number[] = [];
      const t = new Tracker({ onPacket: () => undefined, onFinal: (c) => void finals.push(c.id), wantsFlush: () => wants }, { keepAll: false });
      await runCapture(cases.allOpen, { packet: (f, p) => t.packet(f, p) });
      const sizes: number[] = [];
      let before = 0;
      for (let done = false; !done;) {
        done = t.finishStep();
        sizes.push(finals.length - before);
        before = finals.length;
      }
      assert.deepEqual(finals, [0, 1, 2, 3]);
      return sizes;
    };
    assert.deepEqual(await steps(false), [4]);
    assert.deepEqual(await steps(true), [1, 1, 1, 1]);
  });

  it('--json --packets, records written straight out: the output is flushed as they pile up, not once per step of 1024', async () => {
    // 40 connections of 1000 data packets, all open at the end: 40 records of about 250 KB
    const file = capture('many-long', manyLong());
    let most = 0;
    const bytes = Output.prototype.bytes;
    Output.prototype.bytes = function (this: Output, ...a: Parameters<Output['bytes']>) {
      bytes.apply(this, a);
      if (this.buffered > most) most = this.buffered;
    };
    let total = 0;
    try {
      const stdout = new PassThrough();
      stdout.on('data', (d: Buffer) => void (total += d.length));
      const ctx = new CliContext({ stdout, stderr: new PassThrough(), stdin: Readable.from([]) });
      const opts = { format: 'json', packets: true, lang: 'en', color: false, progress: false } as ExplainOptions;
      const doc = await explainFile(ctx, file, opts, settingsFrom(ctx, opts)!, ctx.out, true);
      assert.equal(doc?.written, true);
      await writeDocument(ctx.out, doc!, false);
      ctx.out.write('\n');
      await ctx.out.flush();
    } finally {
      Output.prototype.bytes = bytes;
    }
    assert.ok(total > 8 << 20, `${total} bytes written`);
    assert.ok(most < 5 << 20, `${most} bytes buffered at most`);
  });

  it('--json --packets to a file: a long connection\'s record, written as it piles up (Output.writeNow), is the bytes written through a pipe', async () => {
    // one connection of 6 000 data packets, open at the end: a record of about 1.5 MB, written
    // at the end of input straight into the output's batch, which a file takes a flush's worth
    // at a time in the middle of the record
    const pkts = long(0, 0, 42000);
    for (let k = 0; k < 6000; k++) pkts.push({ t: 1 + k * 0.001, port: 42000, fromClient: k % 3 !== 2, flags: TCP_PSH | TCP_ACK, seq: k % 3 !== 2 ? 1000 + 42000 + 1 + 10 * k : 7001, ack: k % 3 !== 2 ? 7001 : 1000 + 42000 + 1 + 10 * k, len: k % 3 !== 2 ? 10 : 0 });
    const file = capture('one-long', pkts);
    for (const args of [['--json', '--packets'], ['--json', '--packets', '--lang', 'zh']]) {
      const piped = spawnSync(process.execPath, [BIN, ...args, file], { encoding: 'buffer', maxBuffer: 1 << 30 });
      assert.equal(piped.status, 0, piped.stderr.toString());
      assert.ok(piped.stdout.length > 1 << 20, `${piped.stdout.length} bytes`);
      const path = join(dir, 'out.json');
      const fd = openSync(path, 'w');
      let r;
      try {
        r = spawnSync(process.execPath, [BIN, ...args, file], { stdio: ['ignore', fd, 'pipe'] });
      } finally {
        closeSync(fd);
      }
      assert.equal(r.status, 0, r.stderr.toString());
      assert.ok(readFileSync(path).equals(piped.stdout), `${args.join(' ')}: the file's bytes`);
      // and the same as the in-process run's (a PassThrough)
      assert.equal(readFileSync(path, 'utf8'), (await runCli([...args, file])).stdout);
    }
  });

  it('-j 2: an output larger than the ring it is sent through (pieces across its end) is the bytes of -j 1', async () => {
    // the same 40 long connections: about 10 MB of --json --packets a capture, more than the
    // 8 MB ring through which the capture whose turn it is sends its output (JobSink); the
    // second capture's output goes to its file first, then through its ring
    const file = capture('many-long-j', manyLong());
    for (const args of [['--json', '--packets'], ['--format', 'ndjson', '--packets']]) {
      const one = await runCli([...args, '-j', '1', file, file]);
      assert.equal(one.code, 0, one.stderr);
      assert.ok(one.stdout.length > 2 * RING_BYTES, `${one.stdout.length} bytes`);
      const two = await runCli([...args, '-j', '2', file, file]);
      assert.equal(two.code, 0, two.stderr);
      assert.equal(two.stderr, one.stderr);
      assert.ok(two.stdout === one.stdout, `${args.join(' ')}: -j 2 wrote ${two.stdout.length} bytes, -j 1 ${one.stdout.length}`);
    }
  });

  for (const [name, file] of Object.entries(cases)) {
    it(`${name}: --json alone is, byte for byte, the document the spool writes inside an array`, async () => {
      for (const extra of [[], ['--packets']]) {
        const one = await runCli(['--json', ...extra, file]);
        assert.equal(one.code, 0);
        assert.equal(one.stderr, '');
        assert.ok(one.stdout.endsWith('}\n'));
        // several documents always go through the spool: an array of them, each indented by two
        const two = await runCli(['--json', ...extra, '-j', '1', file, file]);
        const doc = one.stdout.slice(0, -1).replaceAll('\n', '\n  ');
        assert.equal(two.stdout, `[\n  ${doc},\n  ${doc}\n]\n`, extra.join(' '));
        // and a -j worker, which writes its one document to a file, frames to the same bytes
        assert.equal((await runCli(['--json', ...extra, '-j', '2', file, file])).stdout, two.stdout);
      }
    });

    it(`${name}: the walkthrough and Mermaid list the connections once each, in id order, after the header`, async () => {
      const doc = JSON.parse((await runCli(['--json', file])).stdout) as Doc;
      const want = doc.connections.map((c) => c.id);
      const text = await runCli(['--format', 'text', file]);
      assert.ok(text.stdout.startsWith(`${file}: pcap`), text.stdout.slice(0, 80));
      assert.deepEqual([...text.stdout.matchAll(/^Connection #(\d+) /gm)].map((m) => Number(m[1])), want);
      const mmd = await runCli(['--format', 'mermaid', file]);
      assert.deepEqual([...mmd.stdout.matchAll(/^%% connection (\d+)\b/gim)].map((m) => Number(m[1])), want);
      // the same bytes one capture at a time and in parallel workers
      for (const f of [['--format', 'text'], ['--format', 'mermaid']]) {
        const seq = await runCli([...f, '-j', '1', file, file]);
        const par = await runCli([...f, '-j', '2', file, file]);
        assert.equal(par.stdout, seq.stdout);
      }
    });
  }
});
