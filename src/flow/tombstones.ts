/**
 * What is left of a 4-tuple once its connection has been finalised and released before the end
 * of input: the two directions' relative-numbering bases, which is all Wireshark 4.0 looks at
 * when a later packet of that 4-tuple arrives (a pure SYN with a new ISN starts a new stream
 * flagged `reused_ports`; anything else continues the old stream), and what a continuation of
 * the old stream needs to be numbered as Wireshark numbers it: its stream id and which end was
 * the client and each direction's window scale; and where the connection's analysis state is, kept
 * apart for the connections released most recently (flow/analysis-states.ts). Typed arrays, no
 * objects: 4 bytes of index and half a byte of filter per slot, and 28 of log per 4-tuple
 * (TombstoneTable).
 *
 * Wireshark never forgets a 4-tuple; this store remembers the last `generation` released
 * 4-tuples at least (2^17 by default, up to twice that): two tables, the current one and the one
 * before; when the current one is full it becomes the previous one and the oldest is dropped.
 * So memory is bounded (about 9 MB at most) whatever the size of the capture, and a 4-tuple is
 * only forgotten after 131 072 other connections have been released since its
 * own (docs/differences.md says what then differs from tshark: one `reused_ports` flag).
 *
 * The 4-tuple is kept as a 64-bit fingerprint (two independent 32-bit symmetric hashes), so two
 * distinct 4-tuples are confused with probability about n²/2⁶⁵ (n = 4-tuples remembered;
 * 2·10⁻⁹ for 2^18). Directions are stored in a canonical order (the endpoint with the smaller
 * address words, then port, is "lo"), so either direction of the 4-tuple finds the same entry.
 */
import type { Packet } from '../decode/packet.js';
import type { Flow } from '../analyze/connection.js';
import { settleDoubles, settleMutable } from '../util/shapes.js';

const INITIAL = 1 << 10;
/**
 * A full table grows eightfold, up to the size a generation needs (its 4-tuples at half load).
 * Each growth re-inserts every 4-tuple at a random place in an index bigger than the caches:
 * doubling from 1 024 slots, short1m's 100 000 releases paid for 131 000 such moves (then of
 * every field, in nine arrays), 15 ms of a 0.5 s `check` (docs/performance.md).
 */
const GROWTH = 8;
/** A table's slots at most (TombstoneTable's index keeps an entry's number in 30 bits at most, and a tag above it). */
const MAX_SLOTS = 1 << 30;
/**
 * The filter's bits per index slot (TombstoneTable.filter): four, so a generation's table at its
 * fullest (a 4-tuple per two slots) has one bit in eight set, and a 4-tuple never released
 * passes it once in about nine times; once in about seventeen on average over a generation.
 */
const FILTER_BITS_PER_SLOT = 4;
/** The filter's bits at most (1 MB; 2^20 for the default generation's 2^18 slots). */
const FILTER_MAX_BITS = 1 << 23;
/** Default number of 4-tuples per generation. */
export const TOMBSTONE_GENERATION = 1 << 17;
/** Flag bits (bit 0 is free: it said a slot was used, before the index). */
const LO_SET = 2;
const HI_SET = 4;
/** The client was the lo endpoint (else the hi one). */
const CLIENT_LO = 8;
/** The client was known by a SYN, or by a SYN-ACK (else inferred from the ports). */
const BY_SYN = 16;
const BY_SYN_ACK = 32;

/** A log entry's words (TombstoneTable). */
const LOG_WORDS = 7;
const L_H1 = 0;
const L_H2 = 1;
const L_BASE_LO = 2;
const L_BASE_HI = 3;
const L_ID = 4;
const L_MEMORY = 5;
/** The flag bits, and above them each endpoint's window scale plus SCALE_BIAS (-2 to 14 as 0 to 16). */
const L_FLAGS = 6;
const SCALE_BIAS = 2;
const SCALE_MASK = 0xff;
const SCALE_LO_SHIFT = 8;
const SCALE_HI_SHIFT = 16;

/** How the client of a released connection was known (Connection.clientBy), as stored. */
export const ROLES_INFERRED = 0;
export const ROLES_BY_SYN = 1;
export const ROLES_BY_SYN_ACK = 2;

/** What a released connection leaves for the packets of its 4-tuple that come later. */
export interface Released {
  hash: number;
  hash2: number;
  /** Endpoint a (whose base is baseA) sorts first (endpointIsLower). */
  aLower: boolean;
  baseA: number;
  setA: boolean;
  baseB: number;
  setB: boolean;
  /** Its id (Wireshark's tcp.stream). */
  id: number;
  clientIsA: boolean;
  /** ROLES_*. */
  roles: number;
  /** Each direction's window scale (Flow.winScale: a shift 0-14, or -1 unknown, -2 none). */
  scaleA: number;
  scaleB: number;
  /** Its entry in the analysis states (flow/analysis-states.ts), or -1 for none. */
  memory: number;
}

/**
 * One generation's 4-tuples: an open-addressing index (load at most 1/2, linear probing), grown
 * eightfold from 1 024 slots up to `maxSlots`, over a log of entries kept in the order they were
 * first put. An index slot is one int32: the entry's number plus one (0: a free slot) in its low
 * `entryBits` bits, and above them the top bits of the 4-tuple's second hash, so that a probe
 * past another 4-tuple nearly never reads the log. What a 4-tuple leaves (its hashes, bases, id,
 * scales, flags and analysis-state entry) is written to the log's next entry (seven int32s, in
 * one array), one after another.
 *
 * Until 2026-12-04 the table was nine arrays of `maxSlots`, each written at the slot's random
 * place: each put touched nine cache lines far apart, a growth moved every field of every
 * 4-tuple to a new random place, and a full table took 27 bytes a slot, 54 a 4-tuple, every page
 * of them touched. Here a put writes one slot and the log's next entry, a growth copies the log
 * as it is and re-inserts one int32 per 4-tuple, and a 4-tuple takes 8 bytes of index and 28 of
 * log (docs/performance.md, "2026-12-04 (late night)").
 */
class TombstoneTable {
  /** The index: (entry + 1) | (tag << entryBits), 0 for a free slot. */
  private index = new Int32Array(INITIAL);
  private mask = INITIAL - 1;
  /**
   * The log: entries 0 to size - 1 of LOG_WORDS int32s each (the first hash, the second, the lo
   * and the hi endpoint's bases, the id, Released.memory, then the flags with the two window
   * scales), room for half the index's slots.
   */
  private log = new Int32Array((INITIAL / 2) * LOG_WORDS);
  /**
   * One bit per value of the first hash's low bits, set for every 4-tuple the log holds: a
   * 4-tuple whose bit is clear was not released, known without reading the index. That is the
   * lookup of nearly every connection's first packet (a SYN, most often of a 4-tuple never seen),
   * in the current table and the one before: each a read at a random place of 1 MB of index, a
   * cache miss, where the filter (128 KB at most for the default generation) is more often in
   * the cache. Of the first hash, not the second: a release knows its connection's first hash
   * (Connection.hash) ahead, and reads its filter word with its index slot (touch()). Four bits
   * per slot measured best: eight and sixteen were 4% slower on short10m (the filter itself then
   * missed the cache more).
   */
  private filter = new Int32Array((INITIAL * FILTER_BITS_PER_SLOT) >>> 5);
  private filterMask = INITIAL * FILTER_BITS_PER_SLOT - 1;
  /**
   * Bits of a slot for the entry's number plus one (enough for maxSlots / 2 entries), 10 to 30;
   * the tag (the second hash's top 2 to 22 bits) above them.
   */
  private readonly entryBits: number;
  private readonly entryMask: number;
  size = 0;

  /** `maxSlots`: a power of two, at least twice the 4-tuples the table is to hold, at most MAX_SLOTS. */
  constructor(private readonly maxSlots: number) {
    let bits = 1;
    while (2 ** bits <= maxSlots / 2) bits++;
    this.entryBits = bits;
    this.entryMask = (1 << bits) - 1;
    // replaced when the table grows, some thousands of releases into a capture: not taken for
    // constants by the code that reads them (real20's mayHold() was thrown away at a growth)
    settleMutable(this, ['index', 'mask', 'log', 'filter', 'filterMask']);
  }

  /** Its slots (for tests). */
  get slots(): number {
    return this.index.length;
  }

  /** Remembers a released connection (see Released). */
  put(r: Released): void {
    if ((this.size + 1) * 2 > this.index.length) this.grow();
    const i = this.slotOf(r.hash, r.hash2);
    const v = this.index[i];
    const log = this.log;
    // the entry a 4-tuple released before has, computed for every put (meaningless when v is 0):
    // in an else branch it first ran at real traffic's first reused 4-tuple and threw put() away
    let o = ((v & this.entryMask) - 1) * LOG_WORDS;
    if (v === 0) {
      const e = this.size++;
      this.index[i] = (e + 1) | ((r.hash2 >>> this.entryBits) << this.entryBits);
      o = e * LOG_WORDS;
      log[o + L_H1] = r.hash;
      log[o + L_H2] = r.hash2;
    }
    const b = r.hash & this.filterMask;
    this.filter[b >>> 5] |= 1 << (b & 31);
    const aLower = r.aLower;
    log[o + L_BASE_LO] = aLower ? r.baseA : r.baseB;
    log[o + L_BASE_HI] = aLower ? r.baseB : r.baseA;
    log[o + L_ID] = r.id;
    log[o + L_MEMORY] = r.memory;
    const loSet = aLower ? r.setA : r.setB;
    const hiSet = aLower ? r.setB : r.setA;
    const flags = (loSet ? LO_SET : 0) | (hiSet ? HI_SET : 0) | (r.clientIsA === aLower ? CLIENT_LO : 0) |
      (r.roles === ROLES_BY_SYN ? BY_SYN : r.roles === ROLES_BY_SYN_ACK ? BY_SYN_ACK : 0);
    const scaleLo = aLower ? r.scaleA : r.scaleB;
    const scaleHi = aLower ? r.scaleB : r.scaleA;
    log[o + L_FLAGS] = flags | ((scaleLo + SCALE_BIAS) << SCALE_LO_SHIFT) | ((scaleHi + SCALE_BIAS) << SCALE_HI_SHIFT);
  }

  /** True when the 4-tuple was released; then `found` describes it from the packet's side. */
  find(hash: number, hash2: number, srcLower: boolean, found: Found): boolean {
    if (this.size === 0 || !this.mayHold(hash)) return false;
    const v = this.index[this.slotOf(hash, hash2)];
    if (v === 0) return false;
    const log = this.log;
    const o = ((v & this.entryMask) - 1) * LOG_WORDS;
    const w = log[o + L_FLAGS];
    const lo = log[o + L_BASE_LO] >>> 0;
    const hi = log[o + L_BASE_HI] >>> 0;
    const scaleLo = ((w >> SCALE_LO_SHIFT) & SCALE_MASK) - SCALE_BIAS;
    const scaleHi = ((w >> SCALE_HI_SHIFT) & SCALE_MASK) - SCALE_BIAS;
    found.senderBase = srcLower ? lo : hi;
    found.senderBaseSet = (w & (srcLower ? LO_SET : HI_SET)) !== 0;
    found.receiverBase = srcLower ? hi : lo;
    found.receiverBaseSet = (w & (srcLower ? HI_SET : LO_SET)) !== 0;
    found.id = log[o + L_ID];
    found.senderScale = srcLower ? scaleLo : scaleHi;
    found.receiverScale = srcLower ? scaleHi : scaleLo;
    found.senderIsClient = ((w & CLIENT_LO) !== 0) === srcLower;
    found.roles = w & BY_SYN ? ROLES_BY_SYN : w & BY_SYN_ACK ? ROLES_BY_SYN_ACK : ROLES_INFERRED;
    found.memory = log[o + L_MEMORY];
    return true;
  }

  /**
   * The sum of what a put of this first hash reads first, the index slot where its probing starts
   * and its filter word: read ahead by TombstoneStore.touch, the sum only so the reads are made.
   */
  putReads(hash: number): number {
    return this.index[hash & this.mask] + this.filter[(hash & this.filterMask) >>> 5];
  }

  /** False when no 4-tuple of this first hash has been put since the table was made or cleared. */
  mayHold(hash: number): boolean {
    const b = hash & this.filterMask;
    return (this.filter[b >>> 5] & (1 << (b & 31))) !== 0;
  }

  /**
   * Linear probing: the slot holding (hash, hash2), or the free slot where it would go. The log
   * is read only for a slot whose tag is the 4-tuple's.
   */
  private slotOf(hash: number, hash2: number): number {
    const m = this.mask;
    const bits = this.entryBits;
    const tag = hash2 >>> bits;
    let i = hash & m;
    for (;;) {
      const v = this.index[i];
      if (v === 0) return i;
      if (v >>> bits === tag) {
        const o = ((v & this.entryMask) - 1) * LOG_WORDS;
        if (this.log[o + L_H1] === (hash | 0) && this.log[o + L_H2] === (hash2 | 0)) return i;
      }
      i = (i + 1) & m;
    }
  }

  /** Forgets every 4-tuple, keeping the arrays at their size (a slot is free when it is 0). */
  clear(): void {
    this.index.fill(0);
    this.filter.fill(0);
    this.size = 0;
  }

  private grow(): void {
    // (never less than double: a table at its largest is never full, but a put must find a free slot)
    const n = Math.max(Math.min(this.index.length * GROWTH, this.maxSlots), this.index.length * 2);
    const size = this.size;
    const log = new Int32Array((n / 2) * LOG_WORDS);
    log.set(this.log.subarray(0, size * LOG_WORDS));
    this.log = log;
    // the entries in log order (read one after another), each at its place in the new index
    const index = new Int32Array(n);
    const m = n - 1;
    const bits = this.entryBits;
    // the filter grows with the index (its bits for the same load)
    const filterBits = Math.min(n * FILTER_BITS_PER_SLOT, FILTER_MAX_BITS);
    const filter = filterBits === this.filterMask + 1 ? this.filter : new Int32Array(filterBits >>> 5);
    const fm = filterBits - 1;
    for (let e = 0, o = 0; e < size; e++, o += LOG_WORDS) {
      const h = log[o + L_H1];
      let i = h & m;
      while (index[i] !== 0) i = (i + 1) & m;
      index[i] = (e + 1) | ((log[o + L_H2] >>> bits) << bits);
      const b = h & fm;
      filter[b >>> 5] |= 1 << (b & 31);
    }
    this.index = index;
    this.mask = m;
    this.filter = filter;
    this.filterMask = fm;
  }
}

/** A released 4-tuple as a later packet of it sees it (the result of TombstoneStore.find). */
export class Found {
  /** The base of the packet's sender, and whether it was set. */
  senderBase = 0;
  senderBaseSet = false;
  /** The base of the other end, and whether it was set. */
  receiverBase = 0;
  receiverBaseSet = false;
  /** The released connection's id. */
  id = 0;
  /** The packet's sender was its client. */
  senderIsClient = false;
  /** How its client was known (ROLES_*). */
  roles = ROLES_INFERRED;
  /** The window scale of the packet's sender and of the other end (Flow.winScale). */
  senderScale = -1;
  receiverScale = -1;
  /** Its entry in the analysis states (Released.memory). */
  memory = -1;

  constructor() {
    // filled at the first continuation, mid-capture; the bases are uint32, beyond 2^31 in half
    // of all connections (util/shapes.ts)
    settleDoubles(this, ['senderBase', 'receiverBase']);
    settleMutable(this, ['senderBaseSet', 'receiverBaseSet', 'id', 'senderIsClient', 'roles', 'senderScale', 'receiverScale', 'memory']);
  }
}

/** The released 4-tuples: the current generation and the one before (see the top of this file). */
export class TombstoneStore {
  private cur: TombstoneTable;
  private prev: TombstoneTable | null = null;
  /** A table's largest size: a generation's 4-tuples at half load, a power of two. */
  private readonly maxSlots: number;
  /** Tables allocated: two at most, however many generations pass (test/tombstones.test.ts). */
  tablesMade = 1;

  /** What the last successful {@link find} found. */
  readonly found = new Found();

  constructor(private readonly generation = TOMBSTONE_GENERATION) {
    if (!(generation >= 1 && generation <= MAX_SLOTS / 2)) throw new RangeError(`a tombstone generation of ${generation} 4-tuples: 1 to ${MAX_SLOTS / 2}`);
    let slots = INITIAL;
    while (slots < 2 * generation) slots *= 2;
    this.maxSlots = slots;
    this.cur = new TombstoneTable(slots);
  }

  /** Slots of the current table (for tests). */
  get slots(): number {
    return this.cur.slots;
  }

  /** 4-tuples remembered. */
  get size(): number {
    return this.cur.size + (this.prev === null ? 0 : this.prev.size);
  }

  /** See TombstoneTable.put; a 4-tuple released again is remembered in the current generation. */
  put(r: Released): void {
    if (this.cur.size >= this.generation) {
      // the oldest generation's arrays become the new current table: after the second
      // generation nothing is allocated, so no dead arrays wait outside the heap for a full
      // collection (they grew NDJSON's memory with the capture, 9 MB per 131 072 connections)
      const oldest = this.prev;
      this.prev = this.cur;
      if (oldest === null) {
        this.cur = new TombstoneTable(this.maxSlots);
        this.tablesMade++;
      } else {
        oldest.clear();
        this.cur = oldest;
      }
    }
    this.cur.put(r);
  }

  /** True when the 4-tuple is remembered; then `found` describes it from the packet's side. */
  find(hash: number, hash2: number, srcLower: boolean): boolean {
    if (this.cur.find(hash, hash2, srcLower, this.found)) return true;
    return this.prev !== null && this.prev.find(hash, hash2, srcLower, this.found);
  }

  /**
   * Reads the index slot where put() of this first hash will start and its filter word, and
   * returns their sum (the caller keeps a sum, so that the reads are made). A connection's put
   * reads both at random places of arrays larger than the caches, and waits for them; the next
   * connections to be released read theirs together ahead of time (Tracker.releaseDue), their
   * waits overlapping.
   */
  touch(hash: number): number {
    return this.cur.putReads(hash);
  }

  /** False when find() of this first hash is false without a read of either table's index (for tests). */
  mayHold(hash: number): boolean {
    return this.cur.mayHold(hash) || (this.prev !== null && this.prev.mayHold(hash));
  }
}

/** True when the packet's source endpoint sorts before its destination (address words, then port). */
export function srcIsLower(p: Packet): boolean {
  const s = p.src;
  const d = p.dst;
  for (let k = 0; k < 4; k++) if (s[k] !== d[k]) return s[k] < d[k];
  return p.srcPort <= p.dstPort;
}

/** The same order for two stored endpoints (address words and port). */
export function endpointIsLower(a: Flow, b: Flow): boolean {
  // the words compared as the packet has them, uint32 (the flows keep them as int32)
  if (a.addr0 !== b.addr0) return a.addr0 >>> 0 < b.addr0 >>> 0;
  if (a.addr1 !== b.addr1) return a.addr1 >>> 0 < b.addr1 >>> 0;
  if (a.addr2 !== b.addr2) return a.addr2 >>> 0 < b.addr2 >>> 0;
  if (a.addr3 !== b.addr3) return a.addr3 >>> 0 < b.addr3 >>> 0;
  return a.port <= b.port;
}
