/** A capture read with given tracker options, for comparing batched and one-at-a-time runs. */
import assert from 'node:assert/strict';
import { runCapture, type CaptureSummary } from '../../src/pipeline.js';
import { Tracker, type TrackerOptions } from '../../src/analyze/tracker.js';
import { writeNdjsonConnection } from '../../src/render/json-bytes.js';
import { ByteWriter } from '../../src/util/bytes.js';

interface Run {
  /**
   * The connections' records, in the order finalised: their NDJSON lines (writeNdjsonConnection,
   * JSON.stringify of connectionJson() with its type first, as test/json-bytes.test.ts holds it),
   * one after another. As bytes, since these runs make thousands of records: built as objects and
   * compared by assert.deepEqual, they were most of npm test's slowest tests' time.
   */
  recs: Buffer;
  /**
   * Per TCP frame, in the order handled, a row of PACKET_COLUMNS (frame, connection id, direction,
   * relative seq and ack, window, analysis bits, phase, note, states, dupAckNum, whether opened):
   * rows of a typed array rather than a line of text each, compared in one memcmp.
   */
  packets: Float64Array;
  summary: CaptureSummary;
  batches: number;
  /** The tracker's counts: evicted, idle-released, continuations, continued analyses, most open at once. */
  counts: number[];
}

export async function run(file: string, opts: TrackerOptions): Promise<Run> {
  const recs = new ByteWriter(1 << 20);
  let packets = new Float64Array(PACKET_COLUMNS.length * 1024);
  let n = 0;
  const t = new Tracker({
    onPacket: (c, r) => {
      if (n + PACKET_COLUMNS.length > packets.length) {
        const more = new Float64Array(packets.length * 2);
        more.set(packets);
        packets = more;
      }
      // (in PACKET_COLUMNS' order; + 0: a -0 is written 0, and compared so)
      packets[n++] = r.frame;
      packets[n++] = c.id;
      packets[n++] = r.fromA ? 1 : 0;
      packets[n++] = r.seq + 0;
      packets[n++] = r.ack + 0;
      packets[n++] = r.window + 0;
      packets[n++] = r.analysis;
      packets[n++] = r.phase;
      packets[n++] = r.note;
      packets[n++] = r.stateA;
      packets[n++] = r.stateB;
      packets[n++] = r.dupAckNum;
      packets[n++] = r.opened ? 1 : 0;
    },
    onFinal: (c) => {
      writeNdjsonConnection(recs, c, 'en');
      recs.byte(10);
    },
  }, opts);
  const summary = await runCapture(file, t);
  return {
    recs: recs.buf.subarray(0, recs.pos), packets: packets.subarray(0, n), summary, batches: t.batches,
    counts: [t.evicted, t.idleReleased, t.splitConnections, t.continuedAnalysis, t.maxOpen],
  };
}

/** The index of the first line of `a` and `e` that differs (the shorter's length when one is a prefix of the other). */
export function firstDifference(a: readonly string[], e: readonly string[]): number {
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  return i;
}

/** Records (Run.recs) the same, byte for byte; when not, the first that differs is shown, parsed. */
export function assertSameRecords(actual: Buffer, expected: Buffer, message: string): void {
  if (actual.equals(expected)) return;
  const a = actual.toString('utf8').split('\n');
  const e = expected.toString('utf8').split('\n');
  const i = firstDifference(a, e);
  const parse = (line: string | undefined): unknown => (line === undefined || line === '' ? line : JSON.parse(line));
  assert.deepEqual(parse(a[i]), parse(e[i]), `${message}: record ${i} (of ${a.length - 1} and ${e.length - 1})`);
  assert.fail(`${message}: record ${i} written differently`);
}

/** The columns of Run.packets' rows. */
export const PACKET_COLUMNS = ['frame', 'id', 'fromA', 'seq', 'ack', 'window', 'analysis', 'phase', 'note', 'stateA', 'stateB', 'dupAckNum', 'opened'];

/** Rows of packets (Run.packets) the same; when not, the first row that differs is shown. */
export function assertSamePackets(actual: Float64Array, expected: Float64Array, message: string): void {
  const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  if (bytes(actual).equals(bytes(expected))) return;
  const w = PACKET_COLUMNS.length;
  const rows = (a: Float64Array): number => a.length / w;
  const row = (a: Float64Array, i: number): string | undefined =>
    (i < rows(a) ? PACKET_COLUMNS.map((name, k) => `${name} ${a[i * w + k]}`).join(', ') : undefined);
  let i = 0;
  while (i < rows(actual) && i < rows(expected) && row(actual, i) === row(expected, i)) i++;
  assert.equal(row(actual, i), row(expected, i), `${message}: packet ${i} (of ${rows(actual)} and ${rows(expected)})`);
  assert.fail(`${message}: packet ${i} differs`);
}

export function assertSame(a: Run, b: Run, what: string): void {
  assertSamePackets(a.packets, b.packets, `${what}: packets`);
  // in the order finalised, not sorted: batching must not change when a connection ends either
  assertSameRecords(a.recs, b.recs, `${what}: records`);
  assert.deepEqual(a.summary, b.summary, `${what}: capture summary`);
  assert.deepEqual(a.counts, b.counts, `${what}: tracker counts`);
}

/**
 * Run.packets' rows grouped by connection id, each id's in the order handled (whatever the order
 * across ids), the ids in increasing order.
 */
export function packetsById(r: Run): Float64Array {
  const w = PACKET_COLUMNS.length;
  const p = r.packets;
  const order = Array.from({ length: p.length / w }, (_, i) => i);
  // (a stable sort: each id's packets keep their order)
  order.sort((i, j) => p[i * w + 1] - p[j * w + 1]);
  const out = new Float64Array(p.length);
  for (let k = 0; k < order.length; k++) out.set(p.subarray(order[k] * w, order[k] * w + w), k * w);
  return out;
}

/**
 * The same run with SYNs kept and without: everything but the order of packets across
 * connections equal. `from`: TrackerOptions.deferSynFrom, or 'default' for the tracker's own
 * (DEFER_SYN_EARLY, adapting).
 */
export async function assertDeferralSame(file: string, opts: TrackerOptions, from: number | 'default' = 0): Promise<void> {
  const made = await run(file, { ...opts, deferSyn: false });
  const deferSynFrom = from === 'default' ? undefined : from;
  const kept = await run(file, { ...opts, deferSyn: true, deferSynFrom });
  const what = `${file} ${JSON.stringify(opts)} (SYNs kept from ${from} open)`;
  assertSameRecords(kept.recs, made.recs, `${what}: records in the order finalised`);
  assert.deepEqual(kept.summary, made.summary, `${what}: capture summary`);
  assert.deepEqual(kept.counts, made.counts, `${what}: tracker counts`);
  assertSamePackets(packetsById(kept), packetsById(made), `${what}: each connection's packets`);
  assert.equal(kept.packets.length, made.packets.length, what);
  // shown as they arrive (echoKeptSyn): every packet in the capture's order, as when made at once
  const echoed = await run(file, { ...opts, deferSyn: true, deferSynFrom, echoKeptSyn: true });
  assertSamePackets(echoed.packets, made.packets, `${what}, shown as they arrive: packets in the order handled`);
  assertSameRecords(echoed.recs, made.recs, `${what}, shown as they arrive: records in the order finalised`);
  assert.deepEqual(echoed.summary, made.summary, `${what}, shown as they arrive: capture summary`);
  assert.deepEqual(echoed.counts, made.counts, `${what}, shown as they arrive: tracker counts`);
}
