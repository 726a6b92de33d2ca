/**
 * The fuzzer's input generator: a seeded PRNG, a structure index of a capture (pcap records,
 * pcapng blocks and their options, and per frame the innermost IP and TCP header offsets as our
 * own decoder finds them), and mutations that aim at those structures. Input i of seed S is a
 * pure function of (S, i, source bytes): `generate` draws everything from mulberry32(S, i).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { CaptureReader, FRAME } from '../../src/capture/reader.js';
import { Decoder } from '../../src/decode/decoder.js';
import { DECODED_TCP } from '../../src/decode/packet.js';

// ------------------------------------------------------------------ PRNG

/** mulberry32: a tiny, well-mixed 32-bit generator; deterministic on every platform. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [0, n) for n ≥ 1. */
  int(n: number): number {
    return n <= 1 ? 0 : Math.floor((this.u32() / 4294967296) * n);
  }
  /** Uniform in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

/** Seed of input `index` under run seed `seed` (independent of every other input). */
export function inputSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (index + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

// ------------------------------------------------------------------ structure index

export type UnitKind = 'pcap-header' | 'pcap-record' | 'shb' | 'idb' | 'epb' | 'spb' | 'opb' | 'block';

/** One container unit: the pcap file header, a pcap record, or a pcapng block. */
export interface Unit {
  kind: UnitKind;
  off: number;
  len: number;
  /** Byte order of the unit's fields. */
  le: boolean;
  /** Header length before the packet data (records, packet blocks), else 0. */
  hdr: number;
  /** Start of the option list (pcapng), -1 when the block has none. */
  optOff: number;
}

/** An option of a pcapng block: where its code/length header is. */
export interface OptionRef {
  off: number;
  le: boolean;
  code: number;
  len: number;
}

/** A frame of the capture with what our decoder found in it (absolute offsets). */
export interface FrameRef {
  /** Index of the frame's unit in `units`. */
  unit: number;
  dataOff: number;
  capLen: number;
  ipVersion: number;
  ipOff: number;
  tcpOff: number;
}

export interface Index {
  format: 'pcap' | 'pcapng' | null;
  units: Unit[];
  options: OptionRef[];
  frames: FrameRef[];
}

function rd16(b: Uint8Array, o: number, le: boolean): number {
  if (o + 2 > b.length) return 0;
  return le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
}

function rd32(b: Uint8Array, o: number, le: boolean): number {
  if (o + 4 > b.length) return 0;
  return le
    ? ((b[o + 3] << 24) | (b[o + 2] << 16) | (b[o + 1] << 8) | b[o]) >>> 0
    : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export function wr16(b: Uint8Array, o: number, v: number, le: boolean): void {
  if (o < 0 || o + 2 > b.length) return;
  if (le) { b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff; } else { b[o] = (v >>> 8) & 0xff; b[o + 1] = v & 0xff; }
}

export function wr32(b: Uint8Array, o: number, v: number, le: boolean): void {
  if (o < 0 || o + 4 > b.length) return;
  for (let i = 0; i < 4; i++) b[o + (le ? i : 3 - i)] = (v >>> (8 * i)) & 0xff;
}

function walkOptions(b: Uint8Array, o: number, stop: number, le: boolean, out: OptionRef[]): void {
  for (let n = 0; o + 4 <= stop && n < 64; n++) {
    const code = rd16(b, o, le);
    const len = rd16(b, o + 2, le);
    out.push({ off: o, le, code, len });
    if (code === 0 || o + 4 + len > stop) return;
    o += 4 + ((len + 3) & ~3);
  }
}

/** Walks the container as far as it makes sense; never throws, stops at the first nonsense. */
export function indexCapture(b: Uint8Array): Index {
  const idx: Index = { format: null, units: [], options: [], frames: [] };
  if (b.length < 4) return idx;
  const be = rd32(b, 0, false);
  const le = rd32(b, 0, true);
  const magics = [0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34];
  if (be === 0x0a0d0d0a) {
    idx.format = 'pcapng';
    let o = 0;
    let order = true;
    while (o + 12 <= b.length && idx.units.length < 100000) {
      if (rd32(b, o, false) === 0x0a0d0d0a) {
        const bom = rd32(b, o + 8, true);
        if (bom === 0x1a2b3c4d) order = true;
        else if (bom === 0x4d3c2b1a) order = false;
        else break;
      }
      const type = rd32(b, o, order);
      const len = rd32(b, o + 4, order);
      if (len < 12 || len % 4 !== 0 || o + len > b.length) break;
      let kind: UnitKind = 'block';
      let hdr = 0;
      let optOff = -1;
      if (type === 0x0a0d0d0a) { kind = 'shb'; optOff = o + 24; }
      else if (type === 1) { kind = 'idb'; optOff = o + 16; }
      else if (type === 6 || type === 2) {
        kind = type === 6 ? 'epb' : 'opb';
        hdr = 28;
        const cap = rd32(b, o + 20, order);
        if (cap <= len - 32) optOff = o + 28 + ((cap + 3) & ~3);
      } else if (type === 3) { kind = 'spb'; hdr = 12; }
      idx.units.push({ kind, off: o, len, le: order, hdr, optOff });
      if (optOff >= 0 && optOff < o + len - 4) walkOptions(b, optOff, o + len - 4, order, idx.options);
      o += len;
    }
  } else if (magics.includes(be) || magics.includes(le)) {
    idx.format = 'pcap';
    const order = magics.includes(le);
    const rl = (order ? le : be) === 0xa1b2cd34 ? 24 : 16;
    idx.units.push({ kind: 'pcap-header', off: 0, len: 24, le: order, hdr: 0, optOff: -1 });
    let o = 24;
    while (o + rl <= b.length && idx.units.length < 100000) {
      const cap = rd32(b, o + 8, order);
      if (cap > 262144 || o + rl + cap > b.length) break;
      idx.units.push({ kind: 'pcap-record', off: o, len: rl + cap, le: order, hdr: rl, optOff: -1 });
      o += rl + cap;
    }
  }
  // frames, and where the decoder finds their IP and TCP headers (one chunk: offsets absolute)
  const r = new CaptureReader();
  r.feed(b);
  r.endInput();
  const d = new Decoder();
  const f = r.frame;
  for (let n = 0; n < 100000 && r.next() === FRAME; n++) {
    const s = d.decode(f);
    const p = d.packet;
    const unit = idx.units.findIndex((u) => u.off === f.offset);
    idx.frames.push({
      unit, dataOff: f.dataOffset, capLen: f.capLen,
      ipVersion: p.ipVersion, ipOff: p.ipVersion !== 0 ? p.ipOffset : -1, tcpOff: s === DECODED_TCP ? p.tcpOffset : -1,
    });
  }
  return idx;
}

// ------------------------------------------------------------------ mutations

/** Numbers that break length checks: zeros, ones, off-by-one around the real value, extremes. */
function interesting32(rng: Rng, real: number): number {
  return rng.pick([0, 1, 3, 4, 8, 12, 13, 16, 20, 28, 31, 32, real - 1, real + 1, real - 4, real + 4, real * 2, 65535, 65536,
    262143, 262144, 262145, 262208, 327744, 0x7ffffff0, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff, rng.u32()]) >>> 0;
}

function interesting16(rng: Rng, real: number): number {
  return rng.pick([0, 1, 2, 3, 4, 7, 8, 19, 20, 39, 40, real - 1, real + 1, real - 4, real + 4, real * 2, 0x7fff, 0x8000, 0xfffe, 0xffff, rng.int(65536)]) & 0xffff;
}

/** Link types the decoder supports, and a few it does not. */
const LINK_TYPES = [0, 1, 9, 10, 12, 14, 50, 101, 104, 105, 108, 113, 127, 129, 192, 228, 229, 239, 242, 276, 3, 147, 65535];

export interface Mutated {
  bytes: Uint8Array;
  desc: string;
}

type Mutation = (b: Uint8Array, idx: Index, rng: Rng) => Mutated | null;

function splice(b: Uint8Array, at: number, del: number, ins: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length - del + ins.length);
  out.set(b.subarray(0, at), 0);
  out.set(ins, at);
  out.set(b.subarray(at + del), at + ins.length);
  return out;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.u32() & 0xff;
  return a;
}

/** A position, half the time near the start of a container unit or a header. */
function position(b: Uint8Array, idx: Index, rng: Rng): number {
  if (b.length === 0) return 0;
  if (rng.chance(0.5)) {
    const anchors: number[] = [];
    if (idx.units.length > 0) anchors.push(rng.pick(idx.units).off);
    if (idx.frames.length > 0) {
      const f = rng.pick(idx.frames);
      anchors.push(f.dataOff);
      if (f.ipOff >= 0) anchors.push(f.ipOff);
      if (f.tcpOff >= 0) anchors.push(f.tcpOff);
    }
    if (anchors.length > 0) return Math.min(b.length - 1, rng.pick(anchors) + rng.int(40));
  }
  return rng.int(b.length);
}

const bitFlips: Mutation = (b, idx, rng) => {
  const out = b.slice();
  const n = rng.range(1, 8);
  const at: number[] = [];
  for (let i = 0; i < n && out.length > 0; i++) {
    const p = position(out, idx, rng);
    out[p] ^= 1 << rng.int(8);
    at.push(p);
  }
  return { bytes: out, desc: `bit flips at ${at.join(',')}` };
};

const byteSets: Mutation = (b, idx, rng) => {
  if (b.length === 0) return null;
  const out = b.slice();
  const p = position(out, idx, rng);
  const w = rng.pick([1, 2, 4]);
  const v = rng.pick([0, 0xff, 0x7f, 0x80, rng.u32() & 0xff]);
  for (let i = 0; i < w && p + i < out.length; i++) out[p + i] = v;
  return { bytes: out, desc: `${w} byte(s) at ${p} set to 0x${v.toString(16)}` };
};

const insertBytes: Mutation = (b, idx, rng) => {
  const p = position(b, idx, rng);
  const n = rng.pick([1, 2, 3, 4, 8, 16, rng.range(1, 64)]);
  return { bytes: splice(b, p, 0, randomBytes(rng, n)), desc: `${n} random byte(s) inserted at ${p}` };
};

const deleteBytes: Mutation = (b, idx, rng) => {
  if (b.length === 0) return null;
  const p = position(b, idx, rng);
  const n = Math.min(b.length - p, rng.pick([1, 2, 3, 4, 8, 16, rng.range(1, 64)]));
  return { bytes: splice(b, p, n, new Uint8Array(0)), desc: `${n} byte(s) deleted at ${p}` };
};

const truncateAtBoundary: Mutation = (b, idx, rng) => {
  const cuts: number[] = [];
  for (const u of idx.units) cuts.push(u.off, u.off + 1, u.off + 4, u.off + 8, u.off + u.hdr, u.off + u.len - 4, u.off + u.len - 1);
  for (const f of idx.frames) {
    if (f.ipOff >= 0) cuts.push(f.ipOff, f.ipOff + 10);
    if (f.tcpOff >= 0) cuts.push(f.tcpOff, f.tcpOff + 13, f.tcpOff + 20);
  }
  cuts.push(0, 1, 3, 4, 23, 24, 25, rng.int(b.length + 1));
  const at = Math.max(0, Math.min(b.length, rng.pick(cuts)));
  return { bytes: b.slice(0, at), desc: `truncated to ${at} bytes` };
};

function units(idx: Index, ...kinds: UnitKind[]): Unit[] {
  return idx.units.filter((u) => kinds.includes(u.kind));
}

const pcapRecordLength: Mutation = (b, idx, rng) => {
  const recs = units(idx, 'pcap-record');
  if (recs.length === 0) return null;
  const u = rng.pick(recs);
  const out = b.slice();
  const field = rng.chance(0.7) ? 8 : 12;
  const v = interesting32(rng, u.len - u.hdr);
  wr32(out, u.off + field, v, u.le);
  return { bytes: out, desc: `pcap record at ${u.off}: ${field === 8 ? 'captured' : 'original'} length set to ${v}` };
};

const pcapHeaderField: Mutation = (b, idx, rng) => {
  const h = units(idx, 'pcap-header')[0];
  if (!h) return null;
  const out = b.slice();
  const which = rng.int(4);
  if (which === 0) {
    const v = rng.pick(LINK_TYPES);
    wr32(out, 20, v, h.le);
    return { bytes: out, desc: `pcap link type set to ${v}` };
  }
  if (which === 1) {
    const v = interesting32(rng, rd32(b, 16, h.le));
    wr32(out, 16, v, h.le);
    return { bytes: out, desc: `pcap snaplen set to ${v}` };
  }
  if (which === 2) {
    const v = rng.pick([0, 1, 2, 3, 0xffff]);
    const m = rng.pick([0, 4, 5, 0xffff]);
    wr16(out, 4, v, h.le);
    wr16(out, 6, m, h.le);
    return { bytes: out, desc: `pcap version set to ${v}.${m}` };
  }
  const magic = rng.pick([0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34]);
  wr32(out, 0, magic, rng.chance(0.5));
  return { bytes: out, desc: `pcap magic set to 0x${magic.toString(16)}` };
};

const pcapngBlockLength: Mutation = (b, idx, rng) => {
  const blocks = idx.units.filter((u) => u.kind !== 'pcap-header' && u.kind !== 'pcap-record');
  if (blocks.length === 0) return null;
  const u = rng.pick(blocks);
  const out = b.slice();
  const v = interesting32(rng, u.len);
  const where = rng.int(3);
  if (where !== 1) wr32(out, u.off + 4, v, u.le);
  if (where !== 0) wr32(out, u.off + u.len - 4, v, u.le);
  return { bytes: out, desc: `pcapng ${u.kind} at ${u.off}: ${['leading', 'trailing', 'both'][where]} length set to ${v}` };
};

const pcapngPacketField: Mutation = (b, idx, rng) => {
  const pk = units(idx, 'epb', 'opb', 'spb');
  if (pk.length === 0) return null;
  const u = rng.pick(pk);
  const out = b.slice();
  if (u.kind === 'spb') {
    const v = interesting32(rng, u.len - 16);
    wr32(out, u.off + 8, v, u.le);
    return { bytes: out, desc: `pcapng SPB at ${u.off}: original length set to ${v}` };
  }
  const which = rng.int(3);
  if (which === 0) {
    const v = interesting32(rng, rd32(b, u.off + 20, u.le));
    wr32(out, u.off + 20, v, u.le);
    return { bytes: out, desc: `pcapng ${u.kind} at ${u.off}: captured length set to ${v}` };
  }
  if (which === 1) {
    const v = rng.pick([1, 2, 7, 255, 65535, 0xffffffff]);
    if (u.kind === 'opb') wr16(out, u.off + 8, v & 0xffff, u.le);
    else wr32(out, u.off + 8, v, u.le);
    return { bytes: out, desc: `pcapng ${u.kind} at ${u.off}: interface id set to ${v}` };
  }
  const v = interesting32(rng, rd32(b, u.off + 24, u.le));
  wr32(out, u.off + 24, v, u.le);
  return { bytes: out, desc: `pcapng ${u.kind} at ${u.off}: original length set to ${v}` };
};

const pcapngOptionLength: Mutation = (b, idx, rng) => {
  if (idx.options.length === 0) return null;
  const o = rng.pick(idx.options);
  const out = b.slice();
  if (rng.chance(0.75)) {
    const v = interesting16(rng, o.len);
    wr16(out, o.off + 2, v, o.le);
    return { bytes: out, desc: `pcapng option ${o.code} at ${o.off}: length set to ${v}` };
  }
  const code = rng.pick([0, 1, 2, 9, 14, 0x8000, 0xffff]);
  wr16(out, o.off, code, o.le);
  return { bytes: out, desc: `pcapng option at ${o.off}: code ${o.code} set to ${code}` };
};

const pcapngInterface: Mutation = (b, idx, rng) => {
  const idbs = units(idx, 'idb');
  if (idbs.length === 0) return null;
  const u = rng.pick(idbs);
  if (rng.chance(0.4)) {
    const out = b.slice();
    const v = rng.pick(LINK_TYPES);
    wr16(out, u.off + 8, v, u.le);
    return { bytes: out, desc: `pcapng IDB at ${u.off}: link type set to ${v}` };
  }
  // replace the option list with an absurd if_tsresol and if_tsoffset
  const resol = rng.pick([0, 3, 6, 9, 19, 20, 63, 127, 0x80, 0x8a, 0xbf, 0xff]);
  const tsoff = rng.pick([0n, 1n, -1n, 1n << 40n, -(1n << 40n), (1n << 62n), -(1n << 63n), (1n << 63n) - 1n]);
  return { bytes: replaceIdbOptions(b, u, resol, tsoff), desc: `pcapng IDB at ${u.off}: options replaced by if_tsresol 0x${resol.toString(16)}, if_tsoffset ${tsoff}` };
};

/** The capture with the options of one IDB replaced by if_tsresol `resol` and if_tsoffset `tsoff`. */
export function replaceIdbOptions(b: Uint8Array, u: Unit, resol: number, tsoff: bigint): Uint8Array {
  const le = u.le;
  const opts = new Uint8Array(4 + 4 + 4 + 8 + 4);
  wr16(opts, 0, 9, le); wr16(opts, 2, 1, le); opts[4] = resol;
  wr16(opts, 8, 14, le); wr16(opts, 10, 8, le);
  const x = BigInt.asUintN(64, tsoff);
  const hi = Number(x >> 32n);
  const lo = Number(x & 0xffffffffn);
  wr32(opts, 12, le ? lo : hi, le); wr32(opts, 16, le ? hi : lo, le);
  // opts[20..24) stays zero: opt_endofopt
  const block = new Uint8Array(16 + opts.length + 4);
  block.set(b.subarray(u.off, u.off + 16), 0);
  block.set(opts, 16);
  wr32(block, 4, block.length, le);
  wr32(block, block.length - 4, block.length, le);
  return splice(b, u.off, u.len, block);
}

const timestamps: Mutation = (b, idx, rng) => {
  const recs = units(idx, 'pcap-record', 'epb', 'opb');
  if (recs.length === 0) return null;
  const out = b.slice();
  const n = rng.chance(0.3) ? recs.length : 1;
  const vHigh = rng.pick([0, 0xffffffff, 0x7fffffff, 0x80000000, 999999, 1000000, 999999999, 1000000000, rng.u32()]);
  const vLow = rng.pick([0, 0xffffffff, 0x7fffffff, 0x80000000, 999999, 1000000, 999999999, 1000000000, rng.u32()]);
  const start = rng.int(recs.length);
  for (let i = 0; i < n; i++) {
    const u = recs[(start + i) % recs.length];
    const o = u.kind === 'pcap-record' ? u.off : u.off + 12;
    if (rng.chance(0.5) || n === 1) wr32(out, o, vHigh, u.le);
    wr32(out, o + 4, vLow, u.le);
  }
  return { bytes: out, desc: `timestamps of ${n} record(s) from #${start} set to ${vHigh}/${vLow}` };
};

function tcpFrames(idx: Index, v = 0): FrameRef[] {
  return idx.frames.filter((f) => f.ipOff >= 0 && (v === 0 || f.ipVersion === v));
}

const ipv4Fields: Mutation = (b, idx, rng) => {
  const fs = tcpFrames(idx, 4);
  if (fs.length === 0) return null;
  const f = rng.pick(fs);
  const out = b.slice();
  const which = rng.int(4);
  if (which === 0) {
    const ihl = rng.int(16);
    out[f.ipOff] = (out[f.ipOff] & 0xf0) | ihl;
    return { bytes: out, desc: `frame at ${f.dataOff}: IPv4 IHL set to ${ihl}` };
  }
  if (which === 1) {
    const v = interesting16(rng, rd16(b, f.ipOff + 2, false));
    wr16(out, f.ipOff + 2, v, false);
    return { bytes: out, desc: `frame at ${f.dataOff}: IPv4 total length set to ${v}` };
  }
  if (which === 2) {
    const v = rng.pick([0x2000, 0x0001, 0x1fff, 0x4000, 0xffff, 0x8000]);
    wr16(out, f.ipOff + 6, v, false);
    return { bytes: out, desc: `frame at ${f.dataOff}: IPv4 flags/fragment offset set to 0x${v.toString(16)}` };
  }
  const proto = rng.pick([0, 4, 6, 17, 41, 47, 50, 51, 255]);
  out[f.ipOff + 9] = proto;
  return { bytes: out, desc: `frame at ${f.dataOff}: IPv4 protocol set to ${proto}` };
};

const ipv6Fields: Mutation = (b, idx, rng) => {
  const fs = tcpFrames(idx, 6);
  if (fs.length === 0) return null;
  const f = rng.pick(fs);
  const out = b.slice();
  if (rng.chance(0.6)) {
    const v = interesting16(rng, rd16(b, f.ipOff + 4, false));
    wr16(out, f.ipOff + 4, v, false);
    return { bytes: out, desc: `frame at ${f.dataOff}: IPv6 payload length set to ${v}` };
  }
  const nh = rng.pick([0, 4, 6, 17, 41, 43, 44, 47, 51, 59, 60, 135, 139, 140]);
  out[f.ipOff + 6] = nh;
  return { bytes: out, desc: `frame at ${f.dataOff}: IPv6 next header set to ${nh}` };
};

const tcpFields: Mutation = (b, idx, rng) => {
  const fs = idx.frames.filter((f) => f.tcpOff >= 0);
  if (fs.length === 0) return null;
  const f = rng.pick(fs);
  const t = f.tcpOff;
  const out = b.slice();
  const which = rng.int(5);
  if (which === 0) {
    const doff = rng.int(16);
    out[t + 12] = (out[t + 12] & 0x0f) | (doff << 4);
    return { bytes: out, desc: `frame at ${f.dataOff}: TCP data offset set to ${doff}` };
  }
  if (which === 1) {
    const flags = rng.pick([0, 0x1ff, 0x003, 0x005, 0x007, 0x012, 0x014, 0x011, 0x001, 0x002, 0x004, rng.int(512)]);
    out[t + 12] = (out[t + 12] & 0xfe) | (flags >> 8);
    out[t + 13] = flags & 0xff;
    return { bytes: out, desc: `frame at ${f.dataOff}: TCP flags set to 0x${flags.toString(16)}` };
  }
  if (which === 2) {
    const field = rng.pick([4, 8]);
    const v = rng.pick([0, 1, 0x7fffffff, 0x80000000, 0xffffffff, rd32(b, t + field, false) + rng.range(-70000, 70000), rng.u32()]) >>> 0;
    wr32(out, t + field, v, false);
    return { bytes: out, desc: `frame at ${f.dataOff}: TCP ${field === 4 ? 'seq' : 'ack'} set to ${v}` };
  }
  if (which === 3) {
    // an option with an odd kind/length where the option list starts
    if (t + 22 > out.length) return null;
    const kind = rng.pick([0, 1, 2, 3, 4, 5, 8, 19, 28, 29, 30, 34, 254, 255]);
    const len = rng.pick([0, 1, 2, 3, 10, 18, 34, 40, 255]);
    out[t + 20] = kind;
    out[t + 21] = len;
    return { bytes: out, desc: `frame at ${f.dataOff}: first TCP option set to kind ${kind} length ${len}` };
  }
  const v = rng.pick([0, 1, 65535, rng.int(65536)]);
  wr16(out, t + rng.pick([0, 2, 14, 18]), v, false);
  return { bytes: out, desc: `frame at ${f.dataOff}: a TCP port/window/urgent field set to ${v}` };
};

/** Records repeated, dropped, swapped: exercises the tracker more than the decoders. */
const recordOrder: Mutation = (b, idx, rng) => {
  const recs = units(idx, 'pcap-record', 'epb', 'spb', 'opb');
  if (recs.length < 2) return null;
  const which = rng.int(3);
  const u = rng.pick(recs);
  const rec = b.slice(u.off, u.off + u.len);
  if (which === 0) {
    const times = rng.pick([1, 2, 5, 50]);
    const ins = new Uint8Array(rec.length * times);
    for (let i = 0; i < times; i++) ins.set(rec, i * rec.length);
    const at = rng.pick(recs);
    return { bytes: splice(b, at.off, 0, ins), desc: `record at ${u.off} copied ${times} time(s) before the record at ${at.off}` };
  }
  if (which === 1) return { bytes: splice(b, u.off, u.len, new Uint8Array(0)), desc: `record at ${u.off} removed` };
  const i = recs.indexOf(u);
  const v = recs[(i + 1 + rng.int(recs.length - 1)) % recs.length];
  const [x, y] = u.off < v.off ? [u, v] : [v, u];
  const out = new Uint8Array(b.length);
  let o = 0;
  out.set(b.subarray(0, x.off), o); o += x.off;
  out.set(b.subarray(y.off, y.off + y.len), o); o += y.len;
  out.set(b.subarray(x.off + x.len, y.off), o); o += y.off - x.off - x.len;
  out.set(b.subarray(x.off, x.off + x.len), o); o += x.len;
  out.set(b.subarray(y.off + y.len), o);
  return { bytes: out, desc: `records at ${x.off} and ${y.off} swapped` };
};

export const MUTATIONS: Record<string, Mutation> = {
  'bit-flips': bitFlips,
  'byte-set': byteSets,
  'insert-bytes': insertBytes,
  'delete-bytes': deleteBytes,
  'truncate-at-boundary': truncateAtBoundary,
  'pcap-record-length': pcapRecordLength,
  'pcap-header': pcapHeaderField,
  'pcapng-block-length': pcapngBlockLength,
  'pcapng-packet-field': pcapngPacketField,
  'pcapng-option-length': pcapngOptionLength,
  'pcapng-interface': pcapngInterface,
  'timestamps': timestamps,
  'ipv4-fields': ipv4Fields,
  'ipv6-fields': ipv6Fields,
  'tcp-fields': tcpFields,
  'record-order': recordOrder,
};
const NAMES = Object.keys(MUTATIONS);

export interface Source {
  /** Path relative to the repository or the corpus, for the report. */
  name: string;
  bytes: Uint8Array;
}

export interface Input {
  index: number;
  source: string;
  bytes: Uint8Array;
  /** The mutations applied, in order, each "name: what". */
  steps: string[];
  /** Primary mutation name (the first one applied), for statistics. */
  kind: string;
  /** Chunk sizes to feed the input in (the differential run), summing to bytes.length. */
  chunks: number[];
}

const GZIP = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Input `index` of run `seed`: 1–4 mutations of one source, maybe gzipped; deterministic. */
export function generate(seed: number, index: number, sources: readonly Source[]): Input {
  const rng = new Rng(inputSeed(seed, index));
  const src = sources[rng.int(sources.length)];
  let bytes = src.bytes;
  const steps: string[] = [];
  let gz = false;
  if (GZIP(bytes)) {
    if (rng.chance(0.15)) {
      // mutate the compressed stream itself
      const m = rng.pick(['bit-flips', 'truncate-at-boundary', 'delete-bytes', 'insert-bytes']);
      const r = MUTATIONS[m](bytes, { format: null, units: [], options: [], frames: [] }, rng);
      bytes = r ? r.bytes : bytes;
      if (r) steps.push(`${m} (compressed): ${r.desc}`);
      return { index, source: src.name, bytes, steps, kind: `gzip-${m}`, chunks: chunking(rng, bytes.length) };
    }
    try {
      bytes = new Uint8Array(gunzipSync(bytes));
      gz = true;
    } catch {
      // a damaged gzip source (fixtures/regress): mutated as it is
    }
  }
  const n = rng.pick([1, 1, 1, 2, 2, 3, 4]);
  let kind = '';
  for (let i = 0; i < n; i++) {
    const idx = indexCapture(bytes);
    // a few tries to find a mutation that applies to this input
    for (let t = 0; t < 8; t++) {
      const m = NAMES[rng.int(NAMES.length)];
      const r = MUTATIONS[m](bytes, idx, rng);
      if (r === null) continue;
      bytes = r.bytes;
      steps.push(`${m}: ${r.desc}`);
      if (kind === '') kind = m;
      break;
    }
  }
  if (steps.length === 0) {
    const r = bitFlips(bytes, indexCapture(bytes), rng);
    if (r) {
      bytes = r.bytes;
      steps.push(`bit-flips: ${r.desc}`);
      kind = 'bit-flips';
    }
  }
  if (gz) {
    bytes = new Uint8Array(gzipSync(bytes, { level: 1 }));
    steps.push('gzip-compressed again');
  }
  return { index, source: src.name, bytes, steps, kind, chunks: chunking(rng, bytes.length) };
}

/**
 * Random chunk sizes that sum to n: tiny, medium or large, at most about MAX_CHUNKS of them (the
 * reader's own chunk-invariance is tested exhaustively in test/property.test.ts; here chunks
 * go through the whole source: stdin, gzip, the pipeline).
 */
const MAX_CHUNKS = 256;

function chunking(rng: Rng, n: number): number[] {
  const out: number[] = [];
  const style = rng.int(3);
  const min = Math.max(1, Math.ceil(n / MAX_CHUNKS));
  let left = n;
  while (left > 0) {
    const want = style === 0 ? rng.range(1, 7) : style === 1 ? rng.range(1, 300) : rng.range(1, 65536);
    const c = Math.min(left, Math.max(min, want));
    out.push(c);
    left -= c;
  }
  return out;
}
