/**
 * Developer tool: what a connection laid out as one typed-array record could save over the
 * tracker's objects (docs/performance.md, "evening, second round"; since ea40a10 Zeek's view
 * is itself a record in a chunk, and the objects' column reads it there). N connections are
 * made with newConnection(), and as many 512-byte records in one Int32Array; then, for a
 * connection drawn at random, the same forty or so field reads and writes a data packet makes
 * (its two flows, the story, Zeek's record, the connection's counts), 4M times each
 * way. Prints nanoseconds a packet for each N.
 *   node --expose-gc dist/scripts/layout-microbench.js [--scattered] [--packets N] [counts…]
 * --scattered keeps one connection in four of those made, in shuffled order, so that their
 * objects are spread through the heap, as a long run's reused connections are; without it the
 * objects lie one after another, which flatters them. Default counts: 1000 10000 100000.
 * The field work is a stand-in, not the tracker: compare the two columns, not with a run.
 */
import { newConnection, type Connection } from '../src/analyze/connection.js';

const argv = process.argv.slice(2);
let scattered = false;
let packets = 4_000_000;
const counts: number[] = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--scattered') scattered = true;
  else if (argv[i] === '--packets') packets = Number(argv[++i]);
  else counts.push(Number(argv[i]));
}
if (counts.length === 0) counts.push(1000, 10_000, 100_000);
if (!Number.isInteger(packets) || packets <= 0 || counts.some((n) => !Number.isInteger(n) || n <= 0)) {
  process.stderr.write('usage: node --expose-gc dist/scripts/layout-microbench.js [--scattered] [--packets N] [counts…]\n');
  process.exit(2);
}

/** A data packet's field work on the objects. */
function objectPacket(c: Connection, k: number, fromA: boolean): number {
  const F = fromA ? c.a : c.b;
  const R = fromA ? c.b : c.a;
  let x = F.nextseq + R.lastack + F.window + F.winScale + R.baseSeq + F.bits + F.dupacknum + F.lastSegmentFlags + F.maxseqtobeacked;
  F.nextseq = (F.nextseq + 1448) | 0;
  F.nextseqSec = k;
  F.nextseqNsec = k & 1023;
  F.lastack = k;
  F.lastackSec = k;
  F.window = 502;
  F.packets++;
  F.payloadBytes += 1448;
  if (F.addr0 !== 0 || R.port !== 0) x++;
  const s = c.story;
  x += s.stateA + s.stateB + s.bits + s.fin1Frame + s.rstFrame;
  s.lastDataFrame = k;
  // (Zeek's view is a record of int32 words in a chunk already: zeek.ts)
  const z = c.zeekWords;
  const zs = c.zeekAt + (fromA ? 4 : 16);
  x += z[c.zeekAt + 3]! + z[zs]! + z[zs + 2]! + z[zs + 7]!;
  z[zs + 7] = k;
  z[zs + 2] = z[zs + 2]! | 1024;
  c.completeness |= 8;
  c.packets++;
  c.lastFrame = k;
  c.lastTime = k * 1e-6;
  if (c.closed) x++;
  return x;
}

/** Int32 words of a record (512 bytes). */
const WORDS = 128;
/** Where each part starts in a record: the connection's own words, the flows, the story, Zeek's. */
const FLOW_A = 8;
const FLOW_B = 32;
const STORY = 56;
const ZEEK = 80;
const SIDE_A = 8;
const SIDE_B = 21;

/** The same work on record i of `m` (its time in `times`). */
function recordPacket(m: Int32Array, times: Float64Array, i: number, k: number, fromA: boolean): number {
  const o = i * WORDS;
  const F = o + (fromA ? FLOW_A : FLOW_B);
  const R = o + (fromA ? FLOW_B : FLOW_A);
  let x = m[F + 7]! + m[R + 11]! + m[F + 14]! + m[F + 15]! + m[R + 5]! + m[F + 6]! + m[F + 16]! + m[F + 17]! + m[F + 10]!;
  m[F + 7] = (m[F + 7]! + 1448) | 0;
  m[F + 8] = k;
  m[F + 9] = k & 1023;
  m[F + 11] = k;
  m[F + 12] = k;
  m[F + 14] = 502;
  m[F + 19]!++;
  m[F + 20]! += 1448;
  if (m[F]! !== 0 || m[R + 4]! !== 0) x++;
  const s = o + STORY;
  x += m[s]! + m[s + 1]! + m[s + 2]! + m[s + 11]! + m[s + 19]!;
  m[s + 20] = k;
  const z = o + ZEEK;
  const zs = z + (fromA ? SIDE_A : SIDE_B);
  x += m[z + 3]! + m[zs]! + m[zs + 2]! + m[zs + 7]!;
  m[zs + 7] = k;
  m[zs + 12]! += 1448;
  m[o + 7]! |= 8;
  m[o + 18]!++;
  m[o + 15] = k;
  times[i] = k * 1e-6;
  if (m[o + 20]! !== 0) x++;
  return x;
}

/** n connections: made in a row, or (scattered) one in four of 4n, shuffled. */
function connections(n: number): Connection[] {
  if (!scattered) return Array.from({ length: n }, () => newConnection());
  const all = Array.from({ length: 4 * n }, () => newConnection());
  const kept = all.filter((_, i) => Math.imul(i, 0x9e3779b1) >>> 30 === 0).slice(0, n);
  while (kept.length < n) kept.push(newConnection());
  for (let i = kept.length - 1; i > 0; i--) {
    const j = (i * 7919) % (i + 1);
    [kept[i], kept[j]] = [kept[j]!, kept[i]!];
  }
  return kept;
}

let state = 12345;
/** xorshift32. */
function next(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return state >>> 0;
}

let sink = 0;
for (const n of counts) {
  const cs = connections(n);
  const m = new Int32Array(n * WORDS);
  const times = new Float64Array(n);
  (globalThis as { gc?: () => void }).gc?.();
  let objectNs = 0;
  let recordNs = 0;
  // a round to warm up, then the one timed
  for (let round = 0; round < 2; round++) {
    let t = process.hrtime.bigint();
    for (let k = 0; k < packets; k++) {
      const r = next();
      sink += objectPacket(cs[r % n]!, k, (r & 1) === 0);
    }
    objectNs = Number(process.hrtime.bigint() - t) / packets;
    t = process.hrtime.bigint();
    for (let k = 0; k < packets; k++) {
      const r = next();
      sink += recordPacket(m, times, r % n, k, (r & 1) === 0);
    }
    recordNs = Number(process.hrtime.bigint() - t) / packets;
  }
  process.stdout.write(`${String(n).padStart(9)} connections${scattered ? ' (scattered)' : ''}: objects ${objectNs.toFixed(1)} ns a packet, one typed-array record ${recordNs.toFixed(1)} ns\n`);
}
if (sink === 0.5) process.stdout.write('\n');
