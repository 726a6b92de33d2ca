/**
 * What is left of a 4-tuple once its connection has been finalised and released before the end
 * of input: the two directions' relative-numbering bases, which is all Wireshark 4.0 looks at
 * when a later packet of that 4-tuple arrives (a pure SYN with a new ISN starts a new stream
 * flagged `reused_ports`; anything else would continue the old stream). 17 bytes per slot in
 * typed arrays, no objects.
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

const INITIAL = 1 << 10;
/** Default number of 4-tuples per generation. */
export const TOMBSTONE_GENERATION = 1 << 17;
/** Flag bits. */
const USED = 1;
const LO_SET = 2;
const HI_SET = 4;

/** One open-addressing table (load at most 1/2), grown by doubling from 1024 slots. */
class TombstoneTable {
  private h1 = new Int32Array(INITIAL);
  private h2 = new Int32Array(INITIAL);
  private baseLo = new Uint32Array(INITIAL);
  private baseHi = new Uint32Array(INITIAL);
  private flags = new Uint8Array(INITIAL);
  private mask = INITIAL - 1;
  size = 0;

  /** Result of the last successful {@link find}: the base of the packet's sender and whether it was set. */
  senderBase = 0;
  senderBaseSet = false;

  /**
   * Remembers a released connection's bases. `aAddr/aPort` is the endpoint whose base is
   * `baseA` (set when `setA`); the other endpoint's is `baseB`.
   */
  put(hash: number, hash2: number, aLower: boolean, baseA: number, setA: boolean, baseB: number, setB: boolean): void {
    if ((this.size + 1) * 2 > this.flags.length) this.grow();
    const i = this.slotOf(hash, hash2);
    if ((this.flags[i] & USED) === 0) this.size++;
    this.h1[i] = hash;
    this.h2[i] = hash2;
    const lo = aLower ? baseA : baseB;
    const hi = aLower ? baseB : baseA;
    const loSet = aLower ? setA : setB;
    const hiSet = aLower ? setB : setA;
    this.baseLo[i] = lo;
    this.baseHi[i] = hi;
    this.flags[i] = USED | (loSet ? LO_SET : 0) | (hiSet ? HI_SET : 0);
  }

  /** True when the 4-tuple was released; then senderBase/senderBaseSet describe the packet's direction. */
  find(hash: number, hash2: number, srcLower: boolean): boolean {
    if (this.size === 0) return false;
    const i = this.slotOf(hash, hash2);
    const fl = this.flags[i];
    if ((fl & USED) === 0) return false;
    this.senderBase = srcLower ? this.baseLo[i] : this.baseHi[i];
    this.senderBaseSet = (fl & (srcLower ? LO_SET : HI_SET)) !== 0;
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
    const { h1, h2, baseLo, baseHi, flags } = this;
    const n = flags.length * 2;
    this.h1 = new Int32Array(n);
    this.h2 = new Int32Array(n);
    this.baseLo = new Uint32Array(n);
    this.baseHi = new Uint32Array(n);
    this.flags = new Uint8Array(n);
    this.mask = n - 1;
    for (let j = 0; j < flags.length; j++) {
      if ((flags[j] & USED) === 0) continue;
      const i = this.slotOf(h1[j], h2[j]);
      this.h1[i] = h1[j];
      this.h2[i] = h2[j];
      this.baseLo[i] = baseLo[j];
      this.baseHi[i] = baseHi[j];
      this.flags[i] = flags[j];
    }
  }
}

/** The released 4-tuples: the current generation and the one before (see the top of this file). */
export class TombstoneStore {
  private cur = new TombstoneTable();
  private prev: TombstoneTable | null = null;
  /** Tables allocated: two at most, however many generations pass (test/tombstones.test.ts). */
  tablesMade = 1;

  /** Result of the last successful {@link find}: the base of the packet's sender and whether it was set. */
  senderBase = 0;
  senderBaseSet = false;

  constructor(private readonly generation = TOMBSTONE_GENERATION) {}

  /** 4-tuples remembered. */
  get size(): number {
    return this.cur.size + (this.prev === null ? 0 : this.prev.size);
  }

  /** See TombstoneTable.put; a 4-tuple released again is remembered in the current generation. */
  put(hash: number, hash2: number, aLower: boolean, baseA: number, setA: boolean, baseB: number, setB: boolean): void {
    if (this.cur.size >= this.generation) {
      // the oldest generation's arrays become the new current table: after the second
      // generation nothing is allocated, so no dead arrays wait outside the heap for a full
      // collection (they grew NDJSON's memory with the capture, 9 MB per 131 072 connections)
      const oldest = this.prev;
      this.prev = this.cur;
      if (oldest === null) {
        this.cur = new TombstoneTable();
        this.tablesMade++;
      } else {
        oldest.clear();
        this.cur = oldest;
      }
    }
    this.cur.put(hash, hash2, aLower, baseA, setA, baseB, setB);
  }

  /** True when the 4-tuple is remembered; then senderBase/senderBaseSet describe the packet's direction. */
  find(hash: number, hash2: number, srcLower: boolean): boolean {
    let t: TombstoneTable | null = this.cur;
    if (!t.find(hash, hash2, srcLower)) {
      t = this.prev;
      if (t === null || !t.find(hash, hash2, srcLower)) return false;
    }
    this.senderBase = t.senderBase;
    this.senderBaseSet = t.senderBaseSet;
    return true;
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
export function endpointIsLower(a: ArrayLike<number>, aPort: number, b: ArrayLike<number>, bPort: number): boolean {
  for (let k = 0; k < 4; k++) if (a[k] !== b[k]) return a[k] < b[k];
  return aPort <= bPort;
}
