/**
 * What is left of a 4-tuple once its connection has been finalised and released before the end
 * of input: the two directions' relative-numbering bases, which is all Wireshark 4.0 looks at
 * when a later packet of that 4-tuple arrives (a pure SYN with a new ISN starts a new stream
 * flagged `reused_ports`; anything else continues the old stream), and what a continuation of
 * the old stream needs to be numbered as Wireshark numbers it: its stream id and which end was
 * the client and each direction's window scale; and where the connection's analysis state is, kept
 * apart for the connections released most recently (flow/analysis-states.ts). 27 bytes per slot in
 * typed arrays, no objects.
 *
 * Wireshark never forgets a 4-tuple; this store remembers the last `generation` released
 * 4-tuples at least (2^17 by default, up to twice that): two tables, the current one and the one
 * before; when the current one is full it becomes the previous one and the oldest is dropped.
 * So memory is bounded (about 14 MB at most) whatever the size of the capture, and a 4-tuple is
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

const INITIAL = 1 << 10;
/**
 * A full table grows eightfold, up to the size a generation needs (its 4-tuples at half load).
 * Each growth re-inserts every 4-tuple at a random place in nine arrays bigger than the caches:
 * doubling from 1 024 slots, short1m's 100 000 releases paid for 131 000 such moves, 15 ms of a
 * 0.5 s `check` (docs/performance.md).
 */
const GROWTH = 8;
/** Default number of 4-tuples per generation. */
export const TOMBSTONE_GENERATION = 1 << 17;
/** Flag bits. */
const USED = 1;
const LO_SET = 2;
const HI_SET = 4;
/** The client was the lo endpoint (else the hi one). */
const CLIENT_LO = 8;
/** The client was known by a SYN, or by a SYN-ACK (else inferred from the ports). */
const BY_SYN = 16;
const BY_SYN_ACK = 32;

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

/** One open-addressing table (load at most 1/2), grown eightfold from 1024 slots up to `maxSlots`. */
class TombstoneTable {
  private h1 = new Int32Array(INITIAL);
  private h2 = new Int32Array(INITIAL);
  private baseLo = new Uint32Array(INITIAL);
  private baseHi = new Uint32Array(INITIAL);
  private ids = new Int32Array(INITIAL);
  /** The lo and the hi endpoint's window scales (-2 to 14). */
  private scaleLo = new Int8Array(INITIAL);
  private scaleHi = new Int8Array(INITIAL);
  private flags = new Uint8Array(INITIAL);
  /** Released.memory. */
  private memory = new Int32Array(INITIAL);
  private mask = INITIAL - 1;
  size = 0;

  /** `maxSlots`: a power of two, at least twice the 4-tuples the table is to hold. */
  constructor(private readonly maxSlots: number) {}

  /** Its slots (for tests). */
  get slots(): number {
    return this.flags.length;
  }

  /** Remembers a released connection (see Released). */
  put(r: Released): void {
    if ((this.size + 1) * 2 > this.flags.length) this.grow();
    const i = this.slotOf(r.hash, r.hash2);
    if ((this.flags[i] & USED) === 0) this.size++;
    this.h1[i] = r.hash;
    this.h2[i] = r.hash2;
    const aLower = r.aLower;
    this.baseLo[i] = aLower ? r.baseA : r.baseB;
    this.baseHi[i] = aLower ? r.baseB : r.baseA;
    this.ids[i] = r.id;
    this.scaleLo[i] = aLower ? r.scaleA : r.scaleB;
    this.scaleHi[i] = aLower ? r.scaleB : r.scaleA;
    this.memory[i] = r.memory;
    const loSet = aLower ? r.setA : r.setB;
    const hiSet = aLower ? r.setB : r.setA;
    this.flags[i] = USED | (loSet ? LO_SET : 0) | (hiSet ? HI_SET : 0) | (r.clientIsA === aLower ? CLIENT_LO : 0) |
      (r.roles === ROLES_BY_SYN ? BY_SYN : r.roles === ROLES_BY_SYN_ACK ? BY_SYN_ACK : 0);
  }

  /** True when the 4-tuple was released; then `found` describes it from the packet's side. */
  find(hash: number, hash2: number, srcLower: boolean, found: Found): boolean {
    if (this.size === 0) return false;
    const i = this.slotOf(hash, hash2);
    const fl = this.flags[i];
    if ((fl & USED) === 0) return false;
    found.senderBase = srcLower ? this.baseLo[i] : this.baseHi[i];
    found.senderBaseSet = (fl & (srcLower ? LO_SET : HI_SET)) !== 0;
    found.receiverBase = srcLower ? this.baseHi[i] : this.baseLo[i];
    found.receiverBaseSet = (fl & (srcLower ? HI_SET : LO_SET)) !== 0;
    found.id = this.ids[i];
    found.senderScale = srcLower ? this.scaleLo[i] : this.scaleHi[i];
    found.receiverScale = srcLower ? this.scaleHi[i] : this.scaleLo[i];
    found.senderIsClient = ((fl & CLIENT_LO) !== 0) === srcLower;
    found.roles = fl & BY_SYN ? ROLES_BY_SYN : fl & BY_SYN_ACK ? ROLES_BY_SYN_ACK : ROLES_INFERRED;
    found.memory = this.memory[i];
    return true;
  }

  /** Linear probing: the slot holding (hash, hash2), or the empty slot where it would go. */
  private slotOf(hash: number, hash2: number): number {
    const m = this.mask;
    let i = hash & m;
    for (;;) {
      if ((this.flags[i] & USED) === 0 || (this.h1[i] === (hash | 0) && this.h2[i] === (hash2 | 0))) return i;
      i = (i + 1) & m;
    }
  }

  /** Forgets every 4-tuple, keeping the arrays at their size (slots are free by their flags alone). */
  clear(): void {
    this.flags.fill(0);
    this.size = 0;
  }

  private grow(): void {
    const { h1, h2, baseLo, baseHi, ids, scaleLo, scaleHi, flags, memory } = this;
    // (never less than double: a table at its largest is never full, but a put must find a free slot)
    const n = Math.max(Math.min(flags.length * GROWTH, this.maxSlots), flags.length * 2);
    this.h1 = new Int32Array(n);
    this.h2 = new Int32Array(n);
    this.baseLo = new Uint32Array(n);
    this.baseHi = new Uint32Array(n);
    this.ids = new Int32Array(n);
    this.scaleLo = new Int8Array(n);
    this.scaleHi = new Int8Array(n);
    this.flags = new Uint8Array(n);
    this.memory = new Int32Array(n);
    this.mask = n - 1;
    for (let j = 0; j < flags.length; j++) {
      if ((flags[j] & USED) === 0) continue;
      const i = this.slotOf(h1[j], h2[j]);
      this.h1[i] = h1[j];
      this.h2[i] = h2[j];
      this.baseLo[i] = baseLo[j];
      this.baseHi[i] = baseHi[j];
      this.ids[i] = ids[j];
      this.scaleLo[i] = scaleLo[j];
      this.scaleHi[i] = scaleHi[j];
      this.flags[i] = flags[j];
      this.memory[i] = memory[j];
    }
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
