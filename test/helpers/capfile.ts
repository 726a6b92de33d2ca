/**
 * Byte builders for capture-file tests: classic pcap and pcapng laid out field by field, with a
 * comment per field, so a test reads like the file it describes. Every length is computed from
 * the contents; overrides (`capLen`, `totalLength`, `trailingLength`, `version`, ...) exist to
 * build deliberately broken files.
 *
 * References: draft-ietf-opsawg-pcap (classic pcap) and draft-ietf-opsawg-pcapng.
 */
import { CaptureReader, DONE, FRAME, NEED_MORE } from '../../src/capture/reader.js';
import { cat } from './wire.js';

export type ByteOrder = 'le' | 'be';

/** Little byte writer in one byte order. */
class Out {
  private readonly parts: number[] = [];
  constructor(private readonly order: ByteOrder) {}

  get length(): number {
    return this.parts.length;
  }
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    const b = [(v >>> 8) & 0xff, v & 0xff];
    if (this.order === 'le') b.reverse();
    this.parts.push(...b);
    return this;
  }
  u32(v: number): this {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    if (this.order === 'le') b.reverse();
    this.parts.push(...b);
    return this;
  }
  /** 64-bit two's complement (BigInt so every value is exact). */
  u64(v: bigint): this {
    const x = BigInt.asUintN(64, v);
    const hi = Number(x >> 32n);
    const lo = Number(x & 0xffffffffn);
    return this.order === 'le' ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  bytes(b: Uint8Array | readonly number[]): this {
    for (const v of b) this.parts.push(v & 0xff);
    return this;
  }
  /** Zero bytes up to the next multiple of 4. */
  pad4(): this {
    while (this.parts.length % 4 !== 0) this.parts.push(0);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Concatenates byte runs (the wire builders' `cat`). */
export const concat: (...parts: Uint8Array[]) => Uint8Array = cat;

/** Bytes start, start+1, ... (mod 256): recognisable packet data. */
export function seq(n: number, start = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (start + i) & 0xff;
  return b;
}

// ================================================================== classic pcap

export interface PcapRecord {
  /** ts_sec */
  sec: number;
  /** ts_usec or ts_nsec, depending on the magic (written as is, so ≥ 1e6 is possible). */
  frac: number;
  data: Uint8Array;
  /** orig_len; defaults to data.length */
  origLen?: number;
  /** incl_len; defaults to data.length (override to lie about the length) */
  capLen?: number;
}

export interface PcapOptions {
  byteOrder: ByteOrder;
  /** Nanosecond magic a1b23c4d instead of a1b2c3d4. */
  nano?: boolean;
  /** Kuznetsov "modified" pcap, magic a1b2cd34, 24-byte record headers. */
  modified?: boolean;
  /** [major, minor]; default [2, 4]. */
  version?: [number, number];
  /** default 262144 */
  snaplen?: number;
  /** LINKTYPE_*; default 1 (Ethernet). */
  linkType?: number;
  /** The whole 32-bit link-type field (FCS bits, reserved bits); overrides linkType. */
  linkTypeField?: number;
  records: PcapRecord[];
}

export const PCAP_HEADER_LEN = 24;

export interface PcapLayout {
  bytes: Uint8Array;
  /** Byte offset of each record header. */
  recordOffsets: number[];
  /** Byte offset just past each record (header + data). */
  recordEnds: number[];
}

/** A classic pcap file, with where each record is. */
export function pcapLayout(o: PcapOptions): PcapLayout {
  const w = new Out(o.byteOrder);
  const magic = o.modified ? 0xa1b2cd34 : o.nano ? 0xa1b23c4d : 0xa1b2c3d4;
  const [major, minor] = o.version ?? [2, 4];
  w.u32(magic); //                  magic_number (its byte order gives the file's)
  w.u16(major); //                  version_major
  w.u16(minor); //                  version_minor
  w.u32(0); //                      thiszone (reserved, 0)
  w.u32(0); //                      sigfigs (reserved, 0)
  w.u32(o.snaplen ?? 262144); //    snaplen
  w.u32(o.linkTypeField ?? o.linkType ?? 1); // LinkType and additional information
  const recordOffsets: number[] = [];
  const recordEnds: number[] = [];
  for (const r of o.records) {
    recordOffsets.push(w.length);
    w.u32(r.sec); //                        ts_sec
    w.u32(r.frac); //                       ts_usec / ts_nsec
    w.u32(r.capLen ?? r.data.length); //    incl_len (captured length)
    w.u32(r.origLen ?? r.data.length); //   orig_len (length on the wire)
    if (o.modified) {
      w.u32(0); //                          ifindex
      w.u16(0x0800); //                     protocol
      w.u8(0); //                           pkt_type
      w.u8(0); //                           pad
    }
    w.bytes(r.data); //                     packet data, no padding
    recordEnds.push(w.length);
  }
  return { bytes: w.done(), recordOffsets, recordEnds };
}

export function pcapFile(o: PcapOptions): Uint8Array {
  return pcapLayout(o).bytes;
}

// ================================================================== pcapng

/** An option: code, value (raw bytes, or built in the section's byte order). */
export interface Option {
  code: number;
  value: Uint8Array | ((order: ByteOrder) => Uint8Array);
  /** Override option_length (to build an option that runs past its block). */
  length?: number;
}

/** Options encoded as code / length / value / padding, ending with opt_endofopt. */
export function encodeOptions(order: ByteOrder, opts: Option[], endOfOpt = true): Uint8Array {
  const w = new Out(order);
  for (const op of opts) {
    const v = typeof op.value === 'function' ? op.value(order) : op.value;
    w.u16(op.code); //                  option_code
    w.u16(op.length ?? v.length); //    option_length (without padding)
    w.bytes(v); //                      option_value
    w.pad4(); //                        padding to 32 bits
  }
  if (endOfOpt && opts.length > 0) {
    w.u16(0); //                        opt_endofopt
    w.u16(0); //                        length 0
  }
  return w.done();
}

/** A text option value (UTF-8, no terminator). */
export function optText(code: number, text: string): Option {
  return { code, value: new TextEncoder().encode(text) };
}

/** A 32-bit option value in the section's byte order. */
export function optU32(code: number, v: number): Option {
  return { code, value: (order) => new Out(order).u32(v).done() };
}

/** A 64-bit option value in the section's byte order. */
export function optU64(code: number, v: bigint): Option {
  return { code, value: (order) => new Out(order).u64(v).done() };
}

/** A generic block: its body is built once the section's byte order is known. */
export interface Block {
  type: number;
  /** Block body: everything between Block Total Length and the trailing length. */
  body: (order: ByteOrder) => Uint8Array;
  /** Override the leading Block Total Length. */
  totalLength?: number;
  /** Override the trailing Block Total Length (defaults to the leading one). */
  trailingLength?: number;
}

export interface BlockOverrides {
  totalLength?: number;
  trailingLength?: number;
}

export interface Section extends BlockOverrides {
  byteOrder: ByteOrder;
  /** [major, minor]; default [1, 0]. */
  version?: [number, number];
  /** Section Length; default -1 (not specified). */
  sectionLength?: bigint;
  /** Raw option bytes placed after Section Length (or options to encode). */
  shbOptions?: Uint8Array | Option[];
  blocks: Block[];
}

export const BT = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  OPB: 0x00000002,
  SPB: 0x00000003,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
  CUSTOM: 0x00000bad,
  CUSTOM_NOCOPY: 0x40000bad,
} as const;

/** Splits a 64-bit timestamp into the two 32-bit words pcapng stores. */
export function ts64(v: bigint): { tsHigh: number; tsLow: number } {
  return { tsHigh: Number(v >> 32n), tsLow: Number(v & 0xffffffffn) };
}

/** Wraps a body as a block: type, total length, body (padded to 32 bits), total length again. */
function blockBytes(order: ByteOrder, type: number, body: Uint8Array, ov: BlockOverrides): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const w = new Out(order);
  w.u32(type); //                                       Block Type
  w.u32(ov.totalLength ?? total); //                    Block Total Length
  w.bytes(body).pad4(); //                              Block Body (padded)
  w.u32(ov.trailingLength ?? ov.totalLength ?? total); // Block Total Length (trailing)
  return w.done();
}

export interface IdbOptions extends BlockOverrides {
  linkType: number;
  snaplen: number;
  /** if_tsresol raw byte: 6 = µs, 9 = ns, 0x80|k = 2^-k s */
  tsresol?: number;
  /** if_tsoffset, seconds */
  tsoffset?: number | bigint;
  /** Extra options before if_tsresol / if_tsoffset. */
  options?: Option[];
}

/** Interface Description Block. */
export function idb(o: IdbOptions): Block {
  return {
    type: BT.IDB,
    totalLength: o.totalLength,
    trailingLength: o.trailingLength,
    body: (order) => {
      const opts: Option[] = [...(o.options ?? [])];
      if (o.tsresol !== undefined) opts.push({ code: 9, value: Uint8Array.of(o.tsresol) }); // if_tsresol
      if (o.tsoffset !== undefined) opts.push(optU64(14, BigInt(o.tsoffset))); //            if_tsoffset
      return new Out(order)
        .u16(o.linkType) //     LinkType
        .u16(0) //              Reserved
        .u32(o.snaplen) //      SnapLen
        .bytes(encodeOptions(order, opts)) // Options
        .done();
    },
  };
}

export interface EpbOptions extends BlockOverrides {
  iface: number;
  tsHigh: number;
  tsLow: number;
  data: Uint8Array;
  /** Original Packet Length; defaults to data.length */
  origLen?: number;
  /** Captured Packet Length; defaults to data.length (override to lie) */
  capLen?: number;
  /** Options after the (padded) packet data. */
  options?: Option[];
}

/** Enhanced Packet Block. */
export function epb(o: EpbOptions): Block {
  return {
    type: BT.EPB,
    totalLength: o.totalLength,
    trailingLength: o.trailingLength,
    body: (order) =>
      new Out(order)
        .u32(o.iface) //                        Interface ID
        .u32(o.tsHigh) //                       Timestamp (High)
        .u32(o.tsLow) //                        Timestamp (Low)
        .u32(o.capLen ?? o.data.length) //      Captured Packet Length
        .u32(o.origLen ?? o.data.length) //     Original Packet Length
        .bytes(o.data) //                       Packet Data
        .pad4() //                              padding to 32 bits
        .bytes(encodeOptions(order, o.options ?? [])) // Options
        .done(),
  };
}

export interface SpbOptions extends BlockOverrides {
  data: Uint8Array;
  /** Original Packet Length; defaults to data.length */
  origLen?: number;
}

/** Simple Packet Block (interface 0, no timestamp, no captured length). */
export function spb(o: SpbOptions): Block {
  return {
    type: BT.SPB,
    totalLength: o.totalLength,
    trailingLength: o.trailingLength,
    body: (order) =>
      new Out(order)
        .u32(o.origLen ?? o.data.length) // Original Packet Length
        .bytes(o.data) //                   Packet Data
        .pad4() //                          padding to 32 bits
        .done(),
  };
}

export interface OpbOptions extends BlockOverrides {
  iface: number;
  /** Drops Count (16 bits) */
  drops?: number;
  tsHigh: number;
  tsLow: number;
  data: Uint8Array;
  origLen?: number;
}

/** (obsolete) Packet Block. */
export function opb(o: OpbOptions): Block {
  return {
    type: BT.OPB,
    totalLength: o.totalLength,
    trailingLength: o.trailingLength,
    body: (order) =>
      new Out(order)
        .u16(o.iface) //                    Interface ID (16 bits)
        .u16(o.drops ?? 0) //               Drops Count (16 bits)
        .u32(o.tsHigh) //                   Timestamp (High)
        .u32(o.tsLow) //                    Timestamp (Low)
        .u32(o.data.length) //              Captured Packet Length
        .u32(o.origLen ?? o.data.length) // Original Packet Length
        .bytes(o.data) //                   Packet Data
        .pad4() //                          padding to 32 bits
        .done(),
  };
}

/** Custom Block: Private Enterprise Number, then custom data. */
export function customBlock(pen: number, data: Uint8Array, copyable = true, ov: BlockOverrides = {}): Block {
  return {
    type: copyable ? BT.CUSTOM : BT.CUSTOM_NOCOPY,
    ...ov,
    body: (order) =>
      new Out(order)
        .u32(pen) //    Private Enterprise Number
        .bytes(data) // Custom Data
        .done(),
  };
}

/** Any block type with a raw body. */
export function unknownBlock(type: number, body: Uint8Array, ov: BlockOverrides = {}): Block {
  return { type, ...ov, body: () => body };
}

/** Name Resolution Block with one IPv4 record (192.0.2.1 → "host") and nrb_record_end. */
export function nrb(ov: BlockOverrides = {}): Block {
  return {
    type: BT.NRB,
    ...ov,
    body: (order) =>
      new Out(order)
        .u16(1) //                          Record Type: nrb_record_ipv4
        .u16(9) //                          Record Value Length
        .bytes([192, 0, 2, 1]) //           IPv4 address
        .bytes([0x68, 0x6f, 0x73, 0x74, 0]) // "host\0"
        .pad4()
        .u16(0) //                          Record Type: nrb_record_end
        .u16(0) //                          Record Value Length
        .done(),
  };
}

/** Interface Statistics Block for an interface, with isb_ifrecv. */
export function isb(iface = 0, tsHigh = 0, tsLow = 0, ov: BlockOverrides = {}): Block {
  return {
    type: BT.ISB,
    ...ov,
    body: (order) =>
      new Out(order)
        .u32(iface) //  Interface ID
        .u32(tsHigh) // Timestamp (High)
        .u32(tsLow) //  Timestamp (Low)
        .bytes(encodeOptions(order, [optU64(4, 42n)])) // isb_ifrecv = 42
        .done(),
  };
}

export interface BlockSpan {
  type: number;
  offset: number;
  length: number;
}

export interface PcapngLayout {
  bytes: Uint8Array;
  /** Every block (SHBs included), in file order. */
  blocks: BlockSpan[];
}

/** A pcapng file, with where each block is. */
export function pcapngLayout(sections: Section[]): PcapngLayout {
  const parts: Uint8Array[] = [];
  const blocks: BlockSpan[] = [];
  let at = 0;
  const add = (type: number, b: Uint8Array): void => {
    blocks.push({ type, offset: at, length: b.length });
    parts.push(b);
    at += b.length;
  };
  for (const s of sections) {
    const order = s.byteOrder;
    const [major, minor] = s.version ?? [1, 0];
    const opts = s.shbOptions === undefined ? new Uint8Array(0)
      : s.shbOptions instanceof Uint8Array ? s.shbOptions : encodeOptions(order, s.shbOptions);
    const body = new Out(order)
      .u32(0x1a2b3c4d) //                 Byte-Order Magic
      .u16(major) //                      Major Version
      .u16(minor) //                      Minor Version
      .u64(s.sectionLength ?? -1n) //     Section Length (-1: not specified)
      .bytes(opts) //                     Options
      .done();
    add(BT.SHB, blockBytes(order, BT.SHB, body, s));
    for (const b of s.blocks) add(b.type, blockBytes(order, b.type, b.body(order), b));
  }
  return { bytes: concat(...parts), blocks };
}

export function pcapngFile(sections: Section[]): Uint8Array {
  return pcapngLayout(sections).bytes;
}

// ================================================================== reading

/** A frame's fields, copied out of the reused Frame, with its data bytes. */
export interface FrameCopy {
  number: number;
  tsSec: number;
  tsNsec: number;
  hasTs: boolean;
  capLen: number;
  origLen: number;
  linkType: number;
  interfaceId: number;
  offset: number;
  data: Uint8Array;
}

export interface ReadAllResult {
  frames: FrameCopy[];
  reader: CaptureReader;
}

/**
 * Feeds `bytes` to a new reader (reading at most `limit` frames) in chunks of `chunkSize`, pulling every record after each
 * chunk, then ends the input and pulls the rest. Each frame is copied (the reader's buffer is
 * borrowed). Throws if the reader asks for more after endInput(), which would be a hang.
 */
export function readAll(bytes: Uint8Array, chunkSize: number, limit = Infinity): ReadAllResult {
  if (chunkSize < 1) throw new Error('chunkSize must be >= 1');
  const reader = new CaptureReader();
  reader.limit = limit;
  const frames: FrameCopy[] = [];
  const f = reader.frame;
  const pull = (): number => {
    for (;;) {
      const r = reader.next();
      if (r !== FRAME) return r;
      frames.push({
        number: f.number,
        tsSec: f.tsSec,
        tsNsec: f.tsNsec,
        hasTs: f.hasTs,
        capLen: f.capLen,
        origLen: f.origLen,
        linkType: f.linkType,
        interfaceId: f.interfaceId,
        offset: f.offset,
        data: f.buf.slice(f.dataOffset, f.dataOffset + f.capLen),
      });
    }
  };
  let stopped = false;
  for (let o = 0; o < bytes.length && !stopped; o += chunkSize) {
    reader.feed(bytes.subarray(o, Math.min(bytes.length, o + chunkSize)));
    if (pull() === DONE) stopped = true;
  }
  reader.endInput();
  const last = pull();
  if (last === NEED_MORE) throw new Error('reader returned NEED_MORE after endInput()');
  return { frames, reader };
}
