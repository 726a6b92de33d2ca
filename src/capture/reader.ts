/**
 * Streaming reader for classic pcap and pcapng, fed in chunks of any size.
 *
 * Contract (the mcap model): bytes are pushed with feed(); records are pulled with next(), which
 * returns FRAME (the reused `frame` holds the record), NEED_MORE (feed more bytes, or call end()),
 * or DONE (no more records: `error` says why if it stopped early, `truncated` if the input was
 * cut short inside a record). "Not enough bytes yet" is a value and the reader rewinds; nothing
 * is thrown. A record split across any chunk boundary is read the same as a whole one.
 *
 * Memory is bounded: a record is only waited for once its length has passed the sanity checks
 * (at most MAX_RECORD data bytes, MAX_BLOCK for a pcapng block), so a corrupted length field stops
 * the reader with a message naming the byte offset instead of buffering the rest of the input.
 *
 * Formats (found from the magic number, never from a file name):
 * - pcap: both byte orders, microsecond (a1b2c3d4) and nanosecond (a1b23c4d) magics, and the
 *   "modified" Kuznetsov format (a1b2cd34, 8 extra bytes per record header). Version must be 2.x
 *   (Wireshark reads 2.5, so do we).
 * - pcapng: any number of sections in either byte order, any number of interfaces, if_tsresol
 *   (decimal and power-of-two) and if_tsoffset; Enhanced, Simple and obsolete Packet Blocks;
 *   every other block is skipped by its length. Custom Blocks are skipped (tshark 4.0 lists them
 *   as frames, capinfos and libpcap do not; documented in docs/differences.md).
 */
import { Frame } from './frame.js';

export const FRAME = 1;
export const NEED_MORE = 2;
export const DONE = 3;
export type ReadResult = typeof FRAME | typeof NEED_MORE | typeof DONE;

/** Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD: the largest record data it accepts. */
export const MAX_RECORD = 262144;
/** Largest pcapng block we are willing to buffer (a non-packet block, e.g. a name table). */
export const MAX_BLOCK = 16 * 1024 * 1024;

// --- classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap) ---
const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_MAGIC_KUZNETSOV = 0xa1b2cd34;
const PCAP_HEADER_LEN = 24;
const PCAP_OFF_VERSION_MAJOR = 4;
const PCAP_OFF_VERSION_MINOR = 6;
const PCAP_OFF_SNAPLEN = 16;
const PCAP_OFF_LINKTYPE = 20;
const PCAP_RECORD_LEN = 16;
const PCAP_RECORD_LEN_KUZNETSOV = 24;
const PCAP_LINKTYPE_MASK = 0x0000ffff;
const PCAP_LINKTYPE_RESERVED_MASK = 0x03ff0000;

// --- pcapng (draft-ietf-opsawg-pcapng) ---
const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_OPB = 0x00000002;
const BT_SPB = 0x00000003;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_HEADER_LEN = 8; // type + total length
const BLOCK_MIN_LEN = 12; // header + trailing length
const SHB_MIN_LEN = 28;
const SHB_OFF_BOM = 8;
const SHB_OFF_MAJOR = 12;
const SHB_OFF_MINOR = 14;
const SHB_OFF_OPTIONS = 24;
const IDB_MIN_LEN = 20;
const IDB_OFF_LINKTYPE = 8;
const IDB_OFF_SNAPLEN = 12;
const IDB_OFF_OPTIONS = 16;
const EPB_MIN_LEN = 32;
const EPB_OFF_IFACE = 8;
const EPB_OFF_TS_HIGH = 12;
const EPB_OFF_TS_LOW = 16;
const EPB_OFF_CAPLEN = 20;
const EPB_OFF_ORIGLEN = 24;
const EPB_OFF_DATA = 28;
const OPB_OFF_IFACE = 8; // 16-bit interface id, then 16-bit drops count
const SPB_MIN_LEN = 16;
const SPB_OFF_ORIGLEN = 8;
const SPB_OFF_DATA = 12;
const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;
const MAX_INTERFACES = 65536;

const FMT_UNKNOWN = 0;
const FMT_PCAP = 1;
const FMT_PCAPNG = 2;

export type CaptureFormat = 'pcap' | 'pcapng';

/** Why the reader stopped before the end of its input. */
export class CaptureError {
  constructor(
    /** Byte offset in the (decompressed) input where the problem is. */
    readonly offset: number,
    /** Human text with the numbers: what was found and what was expected. */
    readonly message: string,
    /** True when nothing could be read at all (not a capture): the CLI exits 2. */
    readonly fatal: boolean,
  ) {}
}

/** Per-interface data of a pcapng section (or the single pcap "interface"). */
class Interface {
  constructor(
    readonly linkType: number,
    readonly snapLen: number,
    /** Timestamp units per second, e.g. 1e6; for 2^-k resolutions, 2^k. */
    readonly unitsPerSecond: number,
    /** if_tsoffset, whole seconds added to every timestamp. */
    readonly offsetSeconds: number,
  ) {}
  /**
   * The second of this interface's last timestamp (offset added) and its start in units: the
   * next timestamp of the same second needs no division (setPcapngTime). Infinity: none yet.
   */
  second = 0;
  secondStart = Infinity;
}

export class CaptureReader {
  /**
   * The record next() fills: one reused object unless the caller hands it others in turn (the
   * pipeline's batches keep a few records at once).
   */
  frame = new Frame();
  format: CaptureFormat | null = null;
  /** Set when reading stopped early (bad header, impossible length, ...). */
  error: CaptureError | null = null;
  /** True when the input ended inside a record or block. */
  truncated = false;
  /** Human text on the truncation (offset, what was missing). */
  truncation: string | null = null;
  /** Link types seen, in order of first appearance. */
  readonly linkTypes: number[] = [];
  /** pcapng sections seen. */
  sections = 0;
  /**
   * The most frames next() gives (the CLI's -c): once it has given this many, it reports DONE as
   * at the end of input, reading nothing more, so nothing past the limit (not even a damaged
   * record) counts. Infinity: no limit.
   */
  limit = Infinity;
  /** Set when next() stopped at `limit` with more of the capture left unread (see atLimit). */
  stoppedAtLimit = false;
  /** Notes on oddities that did not stop reading (non-standard version, ...). */
  readonly notes: string[] = [];
  /** Records whose timestamp fraction was >= 1 s and was carried into the seconds. */
  fractionOverflows = 0;
  /** Blocks skipped by length (pcapng), by block type. */
  readonly skippedBlocks = new Map<number, number>();

  private buf: Uint8Array = new Uint8Array(0);
  /** A DataView of buf (made when buf changes): the record header's fields in one load each. */
  private dv: DataView = new DataView(new ArrayBuffer(0));
  /** buf is the reader's own carry buffer (may have room beyond end), not a caller's chunk. */
  private ownsBuf = false;
  /** Bytes fed but not yet in view (the rest of a chunk after a straddling record). */
  private pending: Uint8Array | null = null;
  /** Size of the unit (header, record, block) the reader is waiting to complete. */
  private need = 0;
  private pos = 0;
  private end = 0;
  /** Absolute input offset of buf[0]. */
  private base = 0;
  private ended = false;
  private done = false;
  private fmt = FMT_UNKNOWN;
  private le = true;
  private nano = false;
  private recordLen = PCAP_RECORD_LEN;
  private snapLen = 0;
  private pcapLinkType = 0;
  private interfaces: Interface[] = [];
  private frameCount = 0;

  /**
   * Appends a chunk. The reader keeps a reference to it (no copy); when a record straddles the
   * boundary, only the bytes that complete that record are copied, then reading continues in
   * the new chunk itself. That copy is made here, not when the record is next read: once feed
   * returns, the reader holds no view of any earlier chunk, so its buffer may be reused.
   */
  feed(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    // Frames always view a plain Uint8Array: a Buffer chunk (Node's streams and fs) and the
    // reader's own carry copies would otherwise give the decoders two receiver maps, and each
    // decoder, optimised for the first, is thrown away and recompiled when the second appears.
    if (Object.getPrototypeOf(chunk) !== Uint8Array.prototype) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.pending === null) {
      this.pending = chunk;
    } else {
      const merged = new Uint8Array(this.pending.length + chunk.length);
      merged.set(this.pending, 0);
      merged.set(chunk, this.pending.length);
      this.pending = merged;
    }
    this.attach();
  }

  /** Moves pending bytes into view. Returns false when there were none. */
  private attach(): boolean {
    const chunk = this.pending;
    if (chunk === null) return false;
    if (this.pos >= this.end) {
      this.base += this.end;
      this.buf = chunk;
      this.dv = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.ownsBuf = false;
      this.pos = 0;
      this.end = chunk.length;
      this.pending = null;
      return true;
    }
    const rest = this.end - this.pos;
    const want = this.need - rest;
    if (this.ownsBuf && this.pos === 0 && this.buf.length > this.end) {
      // our carry buffer already has room for the unit: fill it in place
      const room = this.buf.length - this.end;
      const take = Math.min(room, chunk.length, want > 0 ? want : chunk.length);
      this.buf.set(take === chunk.length ? chunk : chunk.subarray(0, take), this.end);
      this.end += take;
      this.pending = take === chunk.length ? null : chunk.subarray(take);
      return true;
    }
    const take = want > 0 && want < chunk.length ? want : chunk.length;
    // size the carry buffer for the whole unit, so a unit fed in tiny chunks is copied once
    const merged = new Uint8Array(rest + (want > take ? want : take));
    merged.set(this.buf.subarray(this.pos, this.end), 0);
    merged.set(take === chunk.length ? chunk : chunk.subarray(0, take), rest);
    this.base += this.pos;
    this.buf = merged;
    this.dv = new DataView(merged.buffer);
    this.ownsBuf = true;
    this.pos = 0;
    this.end = rest + take;
    this.pending = take === chunk.length ? null : chunk.subarray(take);
    return true;
  }

  /** Not enough bytes for a unit of `need` bytes from pos: more are needed (or pending). */
  private wait(need: number): boolean {
    if (!this.ended || this.pending !== null) {
      this.need = need;
      return true;
    }
    return false;
  }

  /** Marks the end of input; next() then reports DONE, with `truncated` if bytes were left over. */
  endInput(): void {
    this.ended = true;
  }

  /** Byte offset in the input of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  next(): ReadResult {
    for (;;) {
      if (this.done) return DONE;
      let r: ReadResult;
      if (this.frameCount >= this.limit) r = this.atLimit();
      else if (this.fmt === FMT_PCAP) r = this.nextPcap();
      else if (this.fmt === FMT_PCAPNG) r = this.nextPcapng();
      else r = this.start();
      if (r !== NEED_MORE || !this.attach()) return r;
    }
  }

  // ------------------------------------------------------------------ format detection

  private start(): ReadResult {
    const avail = this.end - this.pos;
    if (avail < 4) {
      if (this.wait(4)) return NEED_MORE;
      if (avail === 0) return this.fail(0, 'empty input: not a pcap or pcapng file (0 bytes)');
      return this.fail(0, `not a pcap or pcapng file (only ${avail} bytes)`);
    }
    const b = this.buf;
    const p = this.pos;
    const be = ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
    const le = ((b[p + 3] << 24) | (b[p + 2] << 16) | (b[p + 1] << 8) | b[p]) >>> 0;
    if (be === BT_SHB) {
      this.fmt = FMT_PCAPNG;
      this.format = 'pcapng';
      return this.nextPcapng();
    }
    let magic = 0;
    if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS || be === PCAP_MAGIC_KUZNETSOV) {
      this.le = false;
      magic = be;
    } else if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS || le === PCAP_MAGIC_KUZNETSOV) {
      this.le = true;
      magic = le;
    } else {
      return this.fail(0, `not a pcap or pcapng file (magic 0x${hex8(be)})`);
    }
    if (avail < PCAP_HEADER_LEN) {
      if (this.wait(PCAP_HEADER_LEN)) return NEED_MORE;
      return this.fail(0, `pcap file header cut short: ${avail} of ${PCAP_HEADER_LEN} bytes`);
    }
    this.format = 'pcap';
    this.nano = magic === PCAP_MAGIC_NS;
    this.recordLen = magic === PCAP_MAGIC_KUZNETSOV ? PCAP_RECORD_LEN_KUZNETSOV : PCAP_RECORD_LEN;
    const major = this.u16(p + PCAP_OFF_VERSION_MAJOR);
    const minor = this.u16(p + PCAP_OFF_VERSION_MINOR);
    if (major !== 2) {
      return this.fail(p + PCAP_OFF_VERSION_MAJOR, `pcap file header: unsupported version ${major}.${minor} at offset ${PCAP_OFF_VERSION_MAJOR} (expected 2.x)`);
    }
    if (minor !== 4) this.notes.push(`pcap version ${major}.${minor} is not the standard 2.4; read as 2.4`);
    const lt = this.u32(p + PCAP_OFF_LINKTYPE);
    if ((lt & PCAP_LINKTYPE_RESERVED_MASK) !== 0) {
      return this.fail(
        p + PCAP_OFF_LINKTYPE,
        `pcap file header: link-type field 0x${hex8(lt)} at offset ${PCAP_OFF_LINKTYPE} has reserved bits 0x${hex8((lt & PCAP_LINKTYPE_RESERVED_MASK) >>> 0)} set`,
      );
    }
    this.snapLen = this.u32(p + PCAP_OFF_SNAPLEN);
    this.pcapLinkType = lt & PCAP_LINKTYPE_MASK;
    this.noteLinkType(this.pcapLinkType);
    this.pos += PCAP_HEADER_LEN;
    this.fmt = FMT_PCAP;
    return this.nextPcap();
  }

  // ------------------------------------------------------------------ classic pcap

  private nextPcap(): ReadResult {
    const avail = this.end - this.pos;
    const rl = this.recordLen;
    if (avail < rl) return this.short(avail, rl, 'record header');
    const p = this.pos;
    // the record header is in the buffer (avail >= rl): one load a field through the DataView
    const dv = this.dv;
    const le = this.le;
    const sec = dv.getUint32(p, le);
    const frac = dv.getUint32(p + 4, le);
    const capLen = dv.getUint32(p + 8, le);
    const origLen = dv.getUint32(p + 12, le);
    if (capLen > MAX_RECORD) {
      return this.fail(
        this.base + p + 8,
        `pcap record ${this.frameCount + 1} at offset ${this.base + p}: captured length ${capLen} exceeds the ${MAX_RECORD}-byte limit (snaplen ${this.snapLen}); reading stopped`,
      );
    }
    if (avail < rl + capLen) return this.short(avail, rl + capLen, `record ${this.frameCount + 1} (${capLen} data bytes)`);
    const f = this.frame;
    f.number = ++this.frameCount;
    const limit = this.nano ? 1e9 : 1e6;
    if (frac >= limit) this.fractionOverflows++;
    setTime(f, sec, this.nano ? frac : frac * 1000);
    f.hasTs = true;
    f.capLen = capLen;
    f.origLen = origLen;
    f.linkType = this.pcapLinkType;
    f.interfaceId = 0;
    f.offset = this.base + p;
    // stored when it changes (once a chunk), not once a packet: the frame is old and each chunk's
    // buffer young, so every store took the write barrier's slow path (RecordWrite, 5 ms a
    // million packets)
    if (f.buf !== this.buf) f.buf = this.buf;
    f.dataOffset = p + rl;
    this.pos = p + rl + capLen;
    return FRAME;
  }

  // ------------------------------------------------------------------ pcapng

  private nextPcapng(): ReadResult {
    for (;;) {
      const avail = this.end - this.pos;
      if (avail < BLOCK_HEADER_LEN) return this.short(avail, BLOCK_HEADER_LEN, 'block header');
      const p = this.pos;
      // the block header is in the buffer (avail >= BLOCK_HEADER_LEN), and its trailer once
      // avail >= len: their fields through the DataView
      const dv = this.dv;
      const typeBE = dv.getUint32(p);
      if (typeBE === BT_SHB) {
        const r = this.readShb(avail);
        if (r !== FRAME) return r;
        continue;
      }
      if (this.sections === 0) {
        return this.fail(this.base + p, `pcapng: the block at offset ${this.base + p} comes before any Section Header Block`);
      }
      const type = dv.getUint32(p, this.le);
      const len = dv.getUint32(p + 4, this.le);
      const at = this.base + p;
      if (len < BLOCK_MIN_LEN || len % 4 !== 0) {
        return this.fail(at, `pcapng block type 0x${hex8(type)} at offset ${at}: impossible total length ${len} (must be a multiple of 4, at least ${BLOCK_MIN_LEN}); reading stopped`);
      }
      const isPacket = type === BT_EPB || type === BT_SPB || type === BT_OPB;
      const limit = isPacket ? MAX_RECORD + 64 + 65536 : MAX_BLOCK;
      if (len > limit) {
        return this.fail(at, `pcapng block type 0x${hex8(type)} at offset ${at}: total length ${len} exceeds the ${limit}-byte limit; reading stopped`);
      }
      if (avail < len) return this.short(avail, len, `block type 0x${hex8(type)}`);
      const trailer = dv.getUint32(p + len - 4, this.le);
      if (trailer !== len) {
        return this.fail(at, `pcapng block type 0x${hex8(type)} at offset ${at}: trailing length ${trailer} does not match leading length ${len}; reading stopped`);
      }
      if (type === BT_EPB || type === BT_OPB) {
        const r = this.readEpb(p, len, type === BT_OPB);
        this.pos = p + len;
        if (r === FRAME) return FRAME;
        if (r === DONE) return DONE;
        continue;
      }
      if (type === BT_SPB) {
        const r = this.readSpb(p, len);
        this.pos = p + len;
        if (r === FRAME) return FRAME;
        if (r === DONE) return DONE;
        continue;
      }
      if (type === BT_IDB) {
        if (!this.readIdb(p, len)) return DONE;
      } else {
        this.skippedBlocks.set(type, (this.skippedBlocks.get(type) ?? 0) + 1);
      }
      this.pos = p + len;
    }
  }

  /** Section Header Block: byte order, version, and a fresh interface list. FRAME means "go on". */
  private readShb(avail: number): ReadResult {
    const p = this.pos;
    const at = this.base + p;
    if (avail < 12) return this.short(avail, 12, 'section header block');
    const b = this.buf;
    const bomBE = ((b[p + 8] << 24) | (b[p + 9] << 16) | (b[p + 10] << 8) | b[p + 11]) >>> 0;
    const bomLE = ((b[p + 11] << 24) | (b[p + 10] << 16) | (b[p + 9] << 8) | b[p + 8]) >>> 0;
    if (bomBE === BYTE_ORDER_MAGIC) this.le = false;
    else if (bomLE === BYTE_ORDER_MAGIC) this.le = true;
    else {
      return this.fail(at + SHB_OFF_BOM, `pcapng section header at offset ${at}: bad byte-order magic 0x${hex8(bomBE)} (expected 0x1a2b3c4d)`);
    }
    const len = this.u32(p + 4);
    if (len < SHB_MIN_LEN || len % 4 !== 0 || len > MAX_BLOCK) {
      return this.fail(at, `pcapng section header at offset ${at}: impossible total length ${len}`);
    }
    if (avail < len) return this.short(avail, len, 'section header block');
    const major = this.u16(p + SHB_OFF_MAJOR);
    const minor = this.u16(p + SHB_OFF_MINOR);
    // Wireshark accepts 1.0 and 1.2 (some writers emit 1.2); 1.1 and anything else is refused.
    if (!(major === 1 && (minor === 0 || minor === 2))) {
      return this.fail(at + SHB_OFF_MAJOR, `pcapng section header at offset ${at}: unsupported version ${major}.${minor} (expected 1.0)`);
    }
    const trailer = this.u32(p + len - 4);
    if (trailer !== len) {
      return this.fail(at, `pcapng section header at offset ${at}: trailing length ${trailer} does not match leading length ${len}`);
    }
    const optErr = this.checkOptions(p + SHB_OFF_OPTIONS, p + len - 4);
    if (optErr >= 0) {
      return this.fail(this.base + optErr, `pcapng section header at offset ${at}: option at offset ${this.base + optErr} runs past the end of the block`);
    }
    this.sections++;
    this.interfaces = [];
    this.pos = p + len;
    return FRAME;
  }

  /** Interface Description Block. Returns false after fail(). */
  private readIdb(p: number, len: number): boolean {
    const at = this.base + p;
    if (len < IDB_MIN_LEN) {
      this.fail(at, `pcapng interface block at offset ${at}: length ${len} is shorter than ${IDB_MIN_LEN}`);
      return false;
    }
    if (this.interfaces.length >= MAX_INTERFACES) {
      this.fail(at, `pcapng interface block at offset ${at}: more than ${MAX_INTERFACES} interfaces in one section`);
      return false;
    }
    const linkType = this.u16(p + IDB_OFF_LINKTYPE);
    const snapLen = this.u32(p + IDB_OFF_SNAPLEN);
    let units = 1e6;
    let offsetSeconds = 0;
    let o = p + IDB_OFF_OPTIONS;
    const stop = p + len - 4;
    while (o + 4 <= stop) {
      const code = this.u16(o);
      const olen = this.u16(o + 2);
      if (code === OPT_ENDOFOPT) break;
      if (o + 4 + olen > stop) {
        this.fail(this.base + o, `pcapng interface block at offset ${at}: option ${code} at offset ${this.base + o} runs past the end of the block`);
        return false;
      }
      if (code === OPT_IF_TSRESOL && olen >= 1) {
        const v = this.buf[o + 4];
        units = v & 0x80 ? Math.pow(2, v & 0x7f) : Math.pow(10, v);
      } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        offsetSeconds = this.i64(o + 4);
      }
      o += 4 + ((olen + 3) & ~3);
    }
    this.interfaces.push(new Interface(linkType, snapLen, units, offsetSeconds));
    this.noteLinkType(linkType);
    return true;
  }

  /** Enhanced (and obsolete) Packet Block. */
  private readEpb(p: number, len: number, obsolete: boolean): ReadResult {
    const at = this.base + p;
    if (len < EPB_MIN_LEN) {
      return this.fail(at, `pcapng packet block at offset ${at}: length ${len} is shorter than ${EPB_MIN_LEN}`);
    }
    // the block is in the buffer and at least EPB_MIN_LEN long: its fixed fields through the DataView
    const dv = this.dv;
    const le = this.le;
    const ifId = obsolete ? dv.getUint16(p + OPB_OFF_IFACE, le) : dv.getUint32(p + EPB_OFF_IFACE, le);
    if (ifId >= this.interfaces.length) {
      return this.fail(at, `pcapng packet block at offset ${at}: interface ${ifId} is not defined (section has ${this.interfaces.length})`);
    }
    const capLen = dv.getUint32(p + EPB_OFF_CAPLEN, le);
    const origLen = dv.getUint32(p + EPB_OFF_ORIGLEN, le);
    if (capLen > MAX_RECORD || capLen > len - EPB_MIN_LEN) {
      return this.fail(at, `pcapng packet block at offset ${at}: captured length ${capLen} does not fit in a block of ${len} bytes; reading stopped`);
    }
    const iface = this.interfaces[ifId];
    const f = this.frame;
    f.number = ++this.frameCount;
    // as int32: a uint32 of 2^31 or more handed to a call is a heap number (garbage per packet)
    this.setPcapngTime(f, iface, dv.getInt32(p + EPB_OFF_TS_HIGH, le), dv.getInt32(p + EPB_OFF_TS_LOW, le));
    f.hasTs = true;
    f.capLen = capLen;
    f.origLen = origLen;
    f.linkType = iface.linkType;
    f.interfaceId = ifId;
    f.offset = at;
    if (f.buf !== this.buf) f.buf = this.buf; // (as in nextPcap)
    f.dataOffset = p + EPB_OFF_DATA;
    return FRAME;
  }

  /** Simple Packet Block: interface 0, no timestamp, captured length from the block size. */
  private readSpb(p: number, len: number): ReadResult {
    const at = this.base + p;
    if (len < SPB_MIN_LEN) {
      return this.fail(at, `pcapng simple packet block at offset ${at}: length ${len} is shorter than ${SPB_MIN_LEN}`);
    }
    if (this.interfaces.length === 0) {
      return this.fail(at, `pcapng simple packet block at offset ${at}: no interface is defined`);
    }
    const iface = this.interfaces[0];
    const origLen = this.u32(p + SPB_OFF_ORIGLEN);
    let capLen = Math.min(origLen, len - SPB_MIN_LEN);
    if (iface.snapLen > 0 && capLen > iface.snapLen) capLen = iface.snapLen;
    const f = this.frame;
    f.number = ++this.frameCount;
    f.tsSec = 0;
    f.tsNsec = 0;
    f.hasTs = false;
    f.capLen = capLen;
    f.origLen = origLen;
    f.linkType = iface.linkType;
    f.interfaceId = 0;
    f.offset = at;
    f.buf = this.buf;
    f.dataOffset = p + SPB_OFF_DATA;
    return FRAME;
  }

  /** Walks an option list; returns the offset of the first option that overruns `stop`, or -1. */
  private checkOptions(o: number, stop: number): number {
    while (o + 4 <= stop) {
      const code = this.u16(o);
      const olen = this.u16(o + 2);
      if (code === OPT_ENDOFOPT) return -1;
      if (o + 4 + olen > stop) return o;
      o += 4 + ((olen + 3) & ~3);
    }
    return -1;
  }

  /**
   * 64-bit timestamp in interface units -> seconds + nanoseconds, exact for resolutions up to
   * 1 ns. `high` and `low` come as int32 (see readEpb). The common case (a value below 2^53, as
   * every timestamp of this era in us or ns is) is kept small enough to be inlined.
   */
  private setPcapngTime(f: Frame, iface: Interface, highI32: number, lowI32: number): void {
    const high = highI32 >>> 0;
    const low = lowI32 >>> 0;
    const u = iface.unitsPerSecond;
    if (high < 0x200000) {
      // value < 2^53: exact in a double
      const v = high * 4294967296 + low;
      const d = v - iface.secondStart;
      if (d >= 0 && d < u) {
        // the second of the timestamp before (most packets): no division
        setTime(f, iface.second, nanosOf(d, u));
        return;
      }
      const sec = Math.floor(v / u);
      const rem = v - sec * u;
      if (rem >= 0 && rem < u) {
        iface.second = sec + iface.offsetSeconds;
        iface.secondStart = v - rem;
      }
      setTime(f, sec + iface.offsetSeconds, nanosOf(rem, u));
      return;
    }
    this.setPcapngTimeLarge(f, iface, high, low);
  }

  /** setPcapngTime for a value of 2^53 or more. */
  private setPcapngTimeLarge(f: Frame, iface: Interface, high: number, low: number): void {
    const u = iface.unitsPerSecond;
    if (u > 1073741824) {
      // units finer than 2^-30 s (10^-10, 2^-31 …): exact in BigInt, rare enough to allocate
      const v = (BigInt(high) << 32n) | BigInt(low);
      const U = BigInt(u);
      setTime(f, Number(v / U) + iface.offsetSeconds, Number(((v % U) * 1000000000n) / U));
      return;
    }
    // long division in 16-bit digits keeps every intermediate below 2^46
    let q = 0;
    let r = 0;
    for (let i = 0; i < 4; i++) {
      const word = i < 2 ? high : low;
      const cur = r * 65536 + (i & 1 ? word & 0xffff : word >>> 16);
      const d = Math.floor(cur / u);
      q = q * 65536 + d;
      r = cur - d * u;
    }
    setTime(f, q + iface.offsetSeconds, nanosOf(r, u));
  }

  // ------------------------------------------------------------------ helpers

  /** Not enough bytes: ask for more, or at end of input report the cut. */
  private short(avail: number, need: number, what: string): ReadResult {
    if (this.wait(need)) return NEED_MORE;
    if (this.fmt === FMT_PCAPNG && this.sections === 0) {
      // the file ends inside its first section header: like a cut pcap header, not a capture
      return this.fail(this.base + this.pos, `pcapng section header block cut short: ${avail} of ${need} bytes`);
    }
    this.done = true;
    if (avail > 0) {
      this.truncated = true;
      const at = this.base + this.pos;
      this.truncation = `capture cut short at byte ${at + avail}: ${what} at offset ${at} needs ${need} bytes, only ${avail} present`;
    }
    return DONE;
  }

  /**
   * `limit` frames given: DONE, with stoppedAtLimit when the input goes on with more of the
   * capture: any byte of a pcap file (a record, or a cut one); in a pcapng file a packet block, a
   * new section, or damaged or cut data, past blocks that hold no frame (the interface
   * statistics dumpcap writes at the end), which are passed over unread. No frame past the limit
   * is read, and nothing there is an error.
   */
  private atLimit(): ReadResult {
    const pcapng = this.fmt === FMT_PCAPNG;
    const want = pcapng ? BLOCK_HEADER_LEN : 1;
    for (;;) {
      const avail = this.end - this.pos;
      if (avail < want) {
        if (this.wait(want)) return NEED_MORE;
        return this.stopAtLimit(avail > 0);
      }
      if (!pcapng) return this.stopAtLimit(true);
      const p = this.pos;
      const type = this.dv.getUint32(p, this.le);
      const len = this.dv.getUint32(p + 4, this.le);
      if (this.dv.getUint32(p) === BT_SHB || type === BT_EPB || type === BT_SPB || type === BT_OPB) return this.stopAtLimit(true);
      if (len < BLOCK_MIN_LEN || len % 4 !== 0 || len > MAX_BLOCK) return this.stopAtLimit(true);
      if (avail < len) {
        if (this.wait(len)) return NEED_MORE;
        return this.stopAtLimit(true);
      }
      this.pos = p + len;
    }
  }

  private stopAtLimit(more: boolean): ReadResult {
    this.stoppedAtLimit = more;
    this.done = true;
    return DONE;
  }

  /** Stops reading. Nothing read yet means the input is unreadable (fatal), whatever the cause. */
  private fail(offset: number, message: string): ReadResult {
    this.error = new CaptureError(offset, message, this.frameCount === 0);
    this.done = true;
    return DONE;
  }

  private noteLinkType(lt: number): void {
    if (this.linkTypes.indexOf(lt) < 0) this.linkTypes.push(lt);
  }

  private u16(o: number): number {
    const b = this.buf;
    return this.le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
  }

  private u32(o: number): number {
    const b = this.buf;
    return this.le
      ? ((b[o + 3] << 24) | (b[o + 2] << 16) | (b[o + 1] << 8) | b[o]) >>> 0
      : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }

  /** Signed 64-bit as a double (exact up to 2^53). */
  private i64(o: number): number {
    const lo = this.le ? this.u32(o) : this.u32(o + 4);
    const hi = this.le ? this.u32(o + 4) : this.u32(o);
    const shi = hi | 0;
    return shi * 4294967296 + lo;
  }
}

/**
 * floor(rem × 10^9 / u), exactly, for integers 0 <= rem < u: microseconds (the default) and
 * nanoseconds without a division; otherwise one division, exact while rem × 10^9 is below 2^53
 * (a quotient of exact doubles below 2^53 never rounds up to the next integer), and BigInt
 * beyond (units of 10^-7 s and finer, 2^-24 s and finer).
 */
function nanosOf(rem: number, u: number): number {
  if (u === 1e6) return rem * 1000;
  if (u === 1e9) return rem;
  const x = rem * 1e9;
  if (x <= Number.MAX_SAFE_INTEGER) return Math.floor(x / u);
  return Number((BigInt(rem) * 1000000000n) / BigInt(u));
}

/** Stores a timestamp, carrying an out-of-range fraction into the seconds as Wireshark does. */
function setTime(f: Frame, sec: number, nsec: number): void {
  if (nsec >= 1e9) {
    const carry = Math.floor(nsec / 1e9);
    sec += carry;
    nsec -= carry * 1e9;
  }
  f.tsSec = sec;
  f.tsNsec = nsec;
}

function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}
