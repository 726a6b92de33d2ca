/**
 * Packet records kept for an output (`--packets`, the walkthrough, the diagrams) as 72 bytes
 * each in one buffer, not as an object each.
 *
 * A connection's records wait for its end (its record, its walkthrough), up to
 * MAX_PACKET_RECORDS of them. As objects (18 fields and the time's heap number, 184 bytes) they
 * lived long enough for the young generation's collections to copy every one twice, to the
 * other half and then to the old generation: on the bulk bench capture's 100 000 kept records,
 * 90-130 ms of collections in a run of 0.5-0.7 s (`--trace-gc`; docs/performance.md,
 * "2026-12-04 (night)"). Here a record is a slot of a RecordStore: words in an ArrayBuffer the
 * collector never copies, taken from a stack of freed slots first, so that a finalised
 * connection's slots are filled again for later packets. A connection's list (RecordList) is
 * the array of its slots, small integers the collector copies as 8 bytes each.
 *
 * Consumers read a record through at(i), one view of the store filled again at every call (read
 * it before the next at() of any list of the store: the loops of the writers do), or copy(i),
 * an object of its own (what a diagram keeps).
 */
import type { Packet } from '../decode/packet.js';
import type { PacketResult } from '../analyze/tracker.js';
import { N_FIRST_DATA, NOTE_KEYS, PHASE_NAMES, PH_DATA, STATE_NAMES, type StoryNote } from '../analyze/story.js';

/** What a kept packet says of its segment, as the outputs show it (the packet records, the lab's). */
export interface PacketNumbers {
  frame: number;
  /** Seconds since the first frame of the capture. */
  time: number;
  fromA: boolean;
  flags: number;
  /** Relative sequence and acknowledgement numbers (Wireshark's tcp.seq, tcp.ack). */
  seq: number;
  ack: number;
  /** TCP payload length. */
  len: number;
  /** Advertised window, scaled when the scale is known (Wireshark's tcp.window_size). */
  window: number;
  /** Analysis flags (A_* bits). */
  analysis: number;
}

/** A packet as kept for output (copied out of the reused decode/analysis objects). */
export interface PacketRecord extends PacketNumbers, StoryNote {
  /**
   * The raw sequence and acknowledgement numbers as int32s, the same 32 bits (`>>> 0` gives the
   * number): a field that has held a uint32 from 2^31 up keeps a heap number of its own in every
   * record, two more objects a packet to allocate, and to fetch from elsewhere in memory when the
   * record is written.
   */
  rawSeq: number;
  rawAck: number;
}

/** Segments with data and their payload bytes, from a and from b. */
export interface SegmentCounts {
  readonly dataSegmentsA: number;
  readonly dataBytesA: number;
  readonly dataSegmentsB: number;
  readonly dataBytesB: number;
}

/**
 * Records left out of a capped connection: `count` packets from frame `fromFrame` to `toFrame`;
 * and, of those, the data phase's segments with data and their payload bytes (the walkthrough's
 * data counts cover the whole connection, the kept records and these).
 */
export interface PacketOmission extends SegmentCounts {
  count: number;
  fromFrame: number;
  toFrame: number;
  /** The cap that applied (records kept per connection). */
  limit: number;
}

/**
 * Packets of the data phase with a note that the walkthrough lists without --verbose (its
 * DATA_SAMPLE): the first with each kind of note (story.ts N_*), up to this many: a sparse list
 * keeps at least these.
 */
export const LISTED_NOTED = 8;

/**
 * Whether a note of kind `note` (story.ts N_*, below 64) is among those of `low` and `high`, a
 * bit each (bits 0-31 and 32-63): the kinds the walkthrough has listed. The first data of each
 * side is one kind said at most twice, both listed: never among them.
 */
export function noteListed(low: number, high: number, note: number): boolean {
  return note !== N_FIRST_DATA && ((note < 32 ? low : high) & (1 << (note & 31))) !== 0;
}
/**
 * Frames the walkthrough names for each analysis flag, the first ones (the last of them only to
 * say there are more): a sparse list keeps at least these.
 */
export const NAMED_FLAG_FRAMES = 9;
/**
 * Of each run of the data phase's packets between two steps, the first and the last a
 * walkthrough's diagram (the ladder) shows; Mermaid's diagrams (`--format mermaid`, Markdown)
 * show the first MERMAID_HEAD and the same last DIAGRAM_TAIL.
 */
export const DIAGRAM_HEAD = 3;
export const DIAGRAM_TAIL = 2;
export const MERMAID_HEAD = 4;

/** Segments with data and their payload bytes, from a and from b (of packets not kept: PacketSkip, Overflow). */
class DataCounts implements SegmentCounts {
  dataSegmentsA = 0;
  dataBytesA = 0;
  dataSegmentsB = 0;
  dataBytesB = 0;

  /** Counts a packet's payload of `len` bytes (none when 0), from a or from b. */
  protected countData(fromA: boolean, len: number): void {
    if (len <= 0) return;
    if (fromA) {
      this.dataSegmentsA++;
      this.dataBytesA += len;
    } else {
      this.dataSegmentsB++;
      this.dataBytesB += len;
    }
  }
}

/**
 * Records a sparse list did not keep (PacketCollector's `sparse`): packets of the data phase,
 * not of the teardown's story, that the walkthrough without --verbose (and its diagram) does not
 * show. It counts them, as it does the kept ones: `count` of them, and their segments with data
 * and payload bytes from a and from b.
 */
export class PacketSkip extends DataCounts {
  count = 0;

  /** As new (a list recycled keeps its object: no new one a connection). */
  reset(): void {
    this.count = 0;
    this.dataSegmentsA = 0;
    this.dataBytesA = 0;
    this.dataSegmentsB = 0;
    this.dataBytesB = 0;
  }

  /** Counts a packet not kept: its direction and payload length (of the data phase, as they all are). */
  skip(fromA: boolean, len: number): void {
    this.count++;
    this.countData(fromA, len);
  }
}

/** A connection's kept records, in capture order, with what was left out when capped. */
export interface PacketRecords {
  readonly length: number;
  readonly omitted?: PacketOmission;
  /**
   * Of a sparse list, the records of the kept range (the first and the last, up to the cap) that
   * were not kept, at their place among the others (none when undefined or its count is 0): only
   * a walkthrough without --verbose is given such a list (Walkthrough.write).
   */
  readonly skipped?: PacketSkip;
  /**
   * Of a sparse list for the walkthrough with its diagram, by record: how many of the records
   * not kept came right before it (all of them in a run of the data phase's packets, between the
   * first and the last that the diagram shows of it: visitDiagram).
   */
  readonly gaps?: readonly number[];
  /** Record i (0 <= i < length) as a view, valid until the next at() of any list of its store. */
  at(i: number): PacketRecord;
  /** Record i as an object of its own. */
  copy(i: number): PacketRecord;
}

/** Records that are objects already (what tests make, and an empty list). */
export class ArrayRecords implements PacketRecords {
  constructor(readonly list: readonly PacketRecord[], readonly omitted?: PacketOmission) {}

  get length(): number {
    return this.list.length;
  }

  at(i: number): PacketRecord {
    return this.list[i]!;
  }

  copy(i: number): PacketRecord {
    return plainRecord(this.list[i]!);
  }
}

/** No records. */
export const NO_RECORDS: PacketRecords = new ArrayRecords([]);

/** A record's fields as an object of its own (every record object of the outputs has this shape). */
export function plainRecord(r: PacketRecord): PacketRecord {
  return {
    frame: r.frame, time: r.time, fromA: r.fromA, flags: r.flags, seq: r.seq, ack: r.ack, rawSeq: r.rawSeq, rawAck: r.rawAck,
    len: r.len, window: r.window, analysis: r.analysis, phase: r.phase, stateA: r.stateA, stateB: r.stateB, note: r.note,
    n1: r.n1, n2: r.n2, n3: r.n3,
  };
}

/**
 * Overwrites `rec` with the record of this packet: for a record written at once and forgotten
 * (NDJSON's), which need not go through a store.
 */
export function fillRecord(rec: PacketRecord, r: PacketResult, p: Packet): PacketRecord {
  rec.frame = r.frame;
  rec.time = r.time;
  rec.fromA = r.fromA;
  rec.flags = p.flags;
  rec.seq = r.seq;
  rec.ack = r.ack;
  rec.rawSeq = p.seq32;
  rec.rawAck = p.ack32;
  rec.len = p.payloadLen;
  rec.window = r.window;
  rec.analysis = r.analysis;
  rec.phase = r.phase;
  rec.stateA = r.stateA;
  rec.stateB = r.stateB;
  rec.note = r.note;
  rec.n1 = r.n1;
  rec.n2 = r.n2;
  rec.n3 = r.n3;
  return rec;
}

/** A record of zeros (what plainRecord copies for a new object). */
export const NO_FIELDS: PacketRecord = {
  frame: 0, time: 0, fromA: false, flags: 0, seq: 0, ack: 0, rawSeq: 0, rawAck: 0, len: 0, window: 0, analysis: 0,
  phase: 0, stateA: 0, stateB: 0, note: 0, n1: 0, n2: 0, n3: 0,
};

// A slot: 9 float64 words, read also as 18 int32 words. The doubles: the time, the frame and the
// note's three numbers (any number). The int32 words from 10 on: the small fields packed in one
// (flags 9 bits, fromA 1, phase 3, the states 4 each, the note 8), then the relative and raw
// sequence and acknowledgement numbers, the payload length (the uint32s stored as their int32
// bits), the scaled window (below 2^30) and the analysis bits (15).
const SLOT_F64 = 9;
const SLOT_I32 = 18;
const F_TIME = 0;
const F_FRAME = 1;
const F_N1 = 2;
const F_N2 = 3;
const F_N3 = 4;
const I_PACKED = 10;
const I_SEQ = 11;
const I_ACK = 12;
const I_RAW_SEQ = 13;
const I_RAW_ACK = 14;
const I_LEN = 15;
const I_WINDOW = 16;
const I_ANALYSIS = 17;
const FROM_A = 1 << 9;
const PHASE_SHIFT = 10;
const STATE_A_SHIFT = 13;
const STATE_B_SHIFT = 17;
const NOTE_SHIFT = 21;
if (PHASE_NAMES.length > 8 || STATE_NAMES.length > 16 || NOTE_KEYS.length > 256) throw new Error('records.ts: a packed field outgrew its bits');

/**
 * Slots a chunk of the store holds (72 KB). The store grows a chunk at a time: doubling one
 * buffer copied what it held at every step and took twice the memory it needed, each page of
 * it fresh (11-15 us a page here): on the bulk capture's 100 000 records, 36 ms a run in the
 * growth alone.
 */
const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;
const IN_CHUNK = CHUNK - 1;

export class RecordStore {
  /** The chunks' words, as doubles and as int32s (the same buffers). */
  private readonly f64s: Float64Array[] = [];
  private readonly i32s: Int32Array[] = [];
  /** Freed slots, taken again last in first out. */
  private free = new Int32Array(CHUNK);
  private freeCount = 0;
  /** Slots ever taken (the ones from `used` on are new). */
  private used = 0;
  /** The record at() fills. */
  readonly view: PacketRecord = plainRecord(NO_FIELDS);

  /** Slots the chunks hold. */
  get capacity(): number {
    return this.f64s.length * CHUNK;
  }

  /** Slots holding a record now. */
  get live(): number {
    return this.used - this.freeCount;
  }

  /** A slot for a new record: a freed one, else the next. */
  take(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    if (this.used === this.f64s.length * CHUNK) {
      const buf = new ArrayBuffer(CHUNK * SLOT_F64 * 8);
      this.f64s.push(new Float64Array(buf));
      this.i32s.push(new Int32Array(buf));
    }
    return this.used++;
  }

  /** A slot holding the record of this packet (take, then fill). */
  add(r: PacketResult, p: Packet): number {
    const s = this.take();
    this.fill(s, r, p);
    return s;
  }

  /** Gives `slots` back: they are filled again by later records. */
  give(slots: readonly number[]): void {
    const n = slots.length;
    const free = this.freeRoom(n);
    let k = this.freeCount;
    for (let i = 0; i < n; i++) free[k++] = slots[i]!;
    this.freeCount = k;
  }

  /** Gives slot `s` back (give()'s, for one). */
  giveOne(s: number): void {
    this.freeRoom(1)[this.freeCount++] = s;
  }

  /** The stack of freed slots, with room for `n` more (doubled as needed). */
  private freeRoom(n: number): Int32Array {
    const k = this.freeCount;
    if (k + n <= this.free.length) return this.free;
    let size = this.free.length * 2;
    while (size < k + n) size *= 2;
    const free = new Int32Array(size);
    free.set(this.free.subarray(0, k));
    this.free = free;
    return free;
  }

  /** Slot `s` becomes the record of this packet (as packetRecord makes it). */
  fill(s: number, r: PacketResult, p: Packet): void {
    const f = this.f64s[s >>> CHUNK_BITS]!;
    const d = (s & IN_CHUNK) * SLOT_F64;
    f[d + F_TIME] = r.time;
    f[d + F_FRAME] = r.frame;
    f[d + F_N1] = r.n1;
    f[d + F_N2] = r.n2;
    f[d + F_N3] = r.n3;
    const w = this.i32s[s >>> CHUNK_BITS]!;
    const i = (s & IN_CHUNK) * SLOT_I32;
    w[i + I_PACKED] = p.flags | (r.fromA ? FROM_A : 0) | (r.phase << PHASE_SHIFT) | (r.stateA << STATE_A_SHIFT) | (r.stateB << STATE_B_SHIFT) | (r.note << NOTE_SHIFT);
    w[i + I_SEQ] = r.seq;
    w[i + I_ACK] = r.ack;
    w[i + I_RAW_SEQ] = p.seq32;
    w[i + I_RAW_ACK] = p.ack32;
    w[i + I_LEN] = p.payloadLen;
    w[i + I_WINDOW] = r.window;
    w[i + I_ANALYSIS] = r.analysis;
  }

  /** The record in slot `s`, in the store's one view (see RecordList.at). */
  at(s: number): PacketRecord {
    return this.read(s, this.view);
  }

  /** The record in slot `s` as an object of its own. */
  copy(s: number): PacketRecord {
    return this.read(s, plainRecord(NO_FIELDS));
  }

  /** Overwrites `rec` with the record in slot `s`, and returns it. */
  read(s: number, rec: PacketRecord): PacketRecord {
    const f = this.f64s[s >>> CHUNK_BITS]!;
    const d = (s & IN_CHUNK) * SLOT_F64;
    rec.frame = f[d + F_FRAME]!;
    rec.time = f[d + F_TIME]!;
    const w = this.i32s[s >>> CHUNK_BITS]!;
    const i = (s & IN_CHUNK) * SLOT_I32;
    const packed = w[i + I_PACKED]!;
    rec.fromA = (packed & FROM_A) !== 0;
    rec.flags = packed & 0x1ff;
    rec.seq = w[i + I_SEQ]! >>> 0;
    rec.ack = w[i + I_ACK]! >>> 0;
    rec.rawSeq = w[i + I_RAW_SEQ]!;
    rec.rawAck = w[i + I_RAW_ACK]!;
    rec.len = w[i + I_LEN]! >>> 0;
    rec.window = w[i + I_WINDOW]!;
    rec.analysis = w[i + I_ANALYSIS]!;
    rec.phase = (packed >>> PHASE_SHIFT) & 7;
    rec.stateA = (packed >>> STATE_A_SHIFT) & 15;
    rec.stateB = (packed >>> STATE_B_SHIFT) & 15;
    rec.note = packed >>> NOTE_SHIFT;
    rec.n1 = f[d + F_N1]!;
    rec.n2 = f[d + F_N2]!;
    rec.n3 = f[d + F_N3]!;
    return rec;
  }

  /** Slot `s`'s frame, direction, phase and payload length (what an omission counts). */
  frameOf(s: number): number {
    return this.f64s[s >>> CHUNK_BITS]![(s & IN_CHUNK) * SLOT_F64 + F_FRAME]!;
  }

  fromAOf(s: number): boolean {
    return (this.packedOf(s) & FROM_A) !== 0;
  }

  phaseOf(s: number): number {
    return (this.packedOf(s) >>> PHASE_SHIFT) & 7;
  }

  lenOf(s: number): number {
    return this.i32s[s >>> CHUNK_BITS]![(s & IN_CHUNK) * SLOT_I32 + I_LEN]! >>> 0;
  }

  private packedOf(s: number): number {
    return this.i32s[s >>> CHUNK_BITS]![(s & IN_CHUNK) * SLOT_I32 + I_PACKED]!;
  }

  /**
   * Loads the slots' cache lines in one loop of independent loads (a slot's first and last
   * words), before they are read one after another: with many connections open a connection's
   * slots were last written thousands of packets ago, and read in turn each waited for its own.
   * Returns a sum of what it read, which the caller keeps.
   */
  touch(slots: readonly number[]): number {
    const f64s = this.f64s;
    const i32s = this.i32s;
    let sum = 0;
    for (let k = 0; k < slots.length; k++) {
      const s = slots[k]!;
      sum += f64s[s >>> CHUNK_BITS]![(s & IN_CHUNK) * SLOT_F64]! + i32s[s >>> CHUNK_BITS]![(s & IN_CHUNK) * SLOT_I32 + I_ANALYSIS]!;
    }
    return sum;
  }
}

/** The last records of a capped connection: a ring, and the count of those pushed out of it. */
export class Overflow extends DataCounts {
  /**
   * The slots of the last records, the oldest at `next` once full. Of a sparse list without the
   * diagram, NOT_KEPT where the packet is counted, not kept (PacketCollector.sparseTailPacket):
   * its frame, direction and payload length are then in `counted` at the same place.
   */
  readonly ring: number[] = [];
  next = 0;
  omitted = 0;
  fromFrame = 0;
  toFrame = 0;
  /** The ring's packets not kept, by place (made with the first of them). */
  counted: CountedRing | null = null;

  /** Counts a packet left out: its frame, direction, phase and payload length (its data counted of the data phase only). */
  omit(frame: number, fromA: boolean, phase: number, len: number): void {
    if (this.omitted === 0) this.fromFrame = frame;
    this.toFrame = frame;
    this.omitted++;
    if (phase === PH_DATA) this.countData(fromA, len);
  }
}

/** An Overflow's ring entry for a packet counted, not kept. */
export const NOT_KEPT = -1;

/**
 * The frame, direction and payload length of the packets of a sparse list's ring that are
 * counted, not kept (all of the data phase): what they add when pushed out of the ring
 * (Overflow.omit) or when the list is completed (PacketSkip.skip).
 */
export class CountedRing {
  readonly frames: Float64Array;
  readonly lens: Int32Array;
  readonly fromA: Uint8Array;

  constructor(size: number) {
    this.frames = new Float64Array(size);
    this.lens = new Int32Array(size);
    this.fromA = new Uint8Array(size);
  }

  set(i: number, frame: number, fromA: boolean, len: number): void {
    this.frames[i] = frame;
    this.lens[i] = len;
    this.fromA[i] = fromA ? 1 : 0;
  }
}

/** A connection's records in a RecordStore: its slots, in capture order. */
export class RecordList implements PacketRecords {
  omitted?: PacketOmission;
  /** A sparse list's records not kept (PacketCollector's `sparse`), from the first one (none when its count is 0). */
  skipped?: PacketSkip = undefined;
  /** A sparse list's packets so far in its first range (kept or not). */
  seen = 0;
  /** A sparse list's kept records of the data phase with a note (the steps of the handshake and teardown not counted). */
  noted = 0;
  /** Their kinds of note (story.ts N_*): a bit each, 0-31 and 32-63 (noteListed). */
  notesLow = 0;
  notesHigh = 0;
  /** A sparse list's kept records of the data phase with each analysis flag: 4 bits a flag, bits 0-7 and 8-15. */
  flagsLow = 0;
  flagsHigh = 0;
  /** Of a connection past the first range (PacketCollector), its last records until it is finalised. */
  overflow: Overflow | undefined = undefined;
  /**
   * A sparse list's for the diagram: the records not kept before each record (PacketRecords.gaps);
   * made with its first packet let go, and as long as its records once completed (before, the
   * records after the last packet let go have no entry: 0).
   */
  gaps: number[] | undefined = undefined;
  /** A sparse list's for the diagram: packets of the data phase since the last step (the run's). */
  runPos = 0;
  /**
   * A sparse list's for the diagram: its last record kept only for now (bit 0:
   * PacketCollector.diagramPacket), and the two before it (bits 1, 2); which of the three came
   * from a (bits 3-5).
   */
  provisional = 0;
  /** A sparse list's for the diagram: the payload lengths of the last three packets of its runs (1: the last), as `provisional` has their directions. */
  provLen1 = 0;
  provLen2 = 0;
  provLen3 = 0;

  constructor(readonly store: RecordStore, readonly slots: number[]) {}

  get length(): number {
    return this.slots.length;
  }

  at(i: number): PacketRecord {
    return this.store.at(this.slots[i]!);
  }

  copy(i: number): PacketRecord {
    return this.store.copy(this.slots[i]!);
  }
}

/**
 * A list's records read out of their store once, into objects kept for the next list: for a
 * consumer that reads each record several times (the walkthrough's passes), where at() would
 * fill the store's view again at every pass.
 */
export class RecordPool implements PacketRecords {
  length = 0;
  omitted?: PacketOmission;
  skipped?: PacketSkip;
  gaps?: readonly number[];
  private readonly objects: PacketRecord[] = [];

  /** Holds `list`'s records now (until the next fill). */
  fill(list: RecordList): this {
    const objects = this.objects;
    const n = list.length;
    for (let i = 0; i < n; i++) {
      if (i === objects.length) objects.push(list.copy(i));
      else list.store.read(list.slots[i]!, objects[i]!);
    }
    this.length = n;
    this.omitted = list.omitted;
    this.skipped = list.skipped;
    this.gaps = list.gaps;
    return this;
  }

  at(i: number): PacketRecord {
    return this.objects[i]!;
  }

  copy(i: number): PacketRecord {
    return plainRecord(this.objects[i]!);
  }
}
