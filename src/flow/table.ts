/**
 * The connection table: a symmetric 4-tuple key (A→B and B→A find the same entry), IPv4 and
 * IPv6, open hashing over integer arrays. A lookup that hits allocates nothing and builds no
 * string. Only the most recent connection of a 4-tuple is kept here (as in Wireshark, once a
 * new stream starts on a 4-tuple every later packet of that 4-tuple belongs to it); older
 * ones are handed back to the caller when replaced.
 */
import type { Packet } from '../decode/packet.js';
import type { Connection, Flow } from '../analyze/connection.js';
import { settleMutable } from '../util/shapes.js';

/**
 * Buckets and slots to start with. Few, so that the table's growth (its buckets and its slots'
 * arrays) first runs among the capture's first connections, while the code is still
 * interpreted: from 4 096, real traffic first grew it mid-capture, which threw away the
 * optimised code insert() was inlined into (`--trace-deopt`, 2026-12-06). Growing from 16 to
 * 4 096 copies less than 8 192 slots in all.
 */
const INITIAL_BUCKETS = 16;

export class ConnectionTable {
  private buckets = new Int32Array(INITIAL_BUCKETS).fill(-1);
  private mask = INITIAL_BUCKETS - 1;
  private slots: (Connection | null)[] = [];
  /**
   * Per slot, the connection's hash and the next slot of its bucket (-1: none). Kept beside the
   * slots, not on the connections: a lookup walks a chain without touching a connection whose
   * hash differs, which with a million open connections (a SYN flood) is a cache miss each.
   */
  private slotHash = new Int32Array(INITIAL_BUCKETS);
  private slotNext = new Int32Array(INITIAL_BUCKETS);
  private freeSlots: number[] = [];
  size = 0;
  /**
   * False once forgetIndex() was called: the buckets no longer find the slots (remove() only
   * frees them); a look-up or an insert makes the index again first.
   */
  private indexed = true;

  constructor() {
    // replaced as the table grows, mid-capture: mutable from the start (util/shapes.ts)
    settleMutable(this, ['buckets', 'mask', 'slotHash', 'slotNext']);
  }

  /** Symmetric hash of the packet's 4-tuple (same value for both directions). */
  static hashOf(p: Packet): number {
    const s = p.src;
    const d = p.dst;
    // each field mixed on its own (port ^ address would let (a, p) and (a ^ x, p ^ x) collide)
    // words as int32 (`| 0`): a uint32 beyond 2^31 handed to a call that is not inlined is boxed
    const hs = mix(mix(mix(mix(mix(0x2545f491, p.srcPort), s[0] | 0), s[1] | 0), s[2] | 0), s[3] | 0);
    const hd = mix(mix(mix(mix(mix(0x2545f491, p.dstPort), d[0] | 0), d[1] | 0), d[2] | 0), d[3] | 0);
    // symmetric: order-independent combination, then finalise
    return fmix((hs + hd) ^ Math.imul(hs ^ hd, 0x9e3779b1) ^ p.ipVersion);
  }

  /** A second symmetric hash of the 4-tuple, independent of {@link hashOf} (tombstone fingerprints). */
  static hash2Of(p: Packet): number {
    return hash2(p.src, p.srcPort, p.dst, p.dstPort, p.ipVersion);
  }

  /** The connection of this packet's 4-tuple, or null; `dirIsA` tells the packet's direction. */
  find(p: Packet, hash: number): Connection | null {
    // (one loop over the chain: a slot of another hash and a slot of the same hash that is not
    // the packet's go on the same way, so the step is one V8 has seen run from the first bucket
    // shared. A second withHash() call for the latter, first made at real traffic's first such
    // slot, threw away the optimised code of track(), which find() is inlined into.)
    const next = this.slotNext;
    const hashes = this.slotHash;
    for (let i = this.chain(hash); i >= 0; i = next[i]) {
      if (hashes[i] !== hash) continue;
      const c = this.slots[i] as Connection;
      if (c.ipVersion === p.ipVersion && (matchesFlows(c.a, c.b, p) || matchesFlows(c.b, c.a, p))) return c;
    }
    return null;
  }

  /** The first connection whose hash is `hash` (a look-ahead: not checked against a packet). */
  likely(hash: number): Connection | null {
    const i = this.withHash(this.chain(hash), hash);
    return i >= 0 ? this.slots[i] : null;
  }

  /** The first slot of hash's bucket (the index made again first if it was forgotten), -1 for none. */
  private chain(hash: number): number {
    if (!this.indexed) this.reindex();
    return this.buckets[hash & this.mask];
  }

  /** Slot i, or the first after it in its chain, whose hash is `hash`; -1 for none. */
  private withHash(i: number, hash: number): number {
    const hashes = this.slotHash;
    const next = this.slotNext;
    while (i >= 0 && hashes[i] !== hash) i = next[i];
    return i;
  }

  /** Slots made so far (at() takes 0 to slotCount - 1). */
  get slotCount(): number {
    return this.slots.length;
  }

  /** The connection in `slot`, null when the slot is free. */
  at(slot: number): Connection | null {
    return this.slots[slot] ?? null;
  }

  insert(c: Connection, hash: number): void {
    if (!this.indexed) this.reindex();
    if (this.size + 1 > (this.buckets.length * 3) >> 2) this.grow();
    // a new slot is made free first, so that every insert takes its slot the same way: taking a
    // freed one in a branch of its own first ran at real traffic's first insert after a release
    // and threw away the optimised code insert() was inlined into
    if (this.freeSlots.length === 0) {
      const fresh = this.slots.length;
      this.slots.push(null);
      if (fresh === this.slotHash.length) this.growSlots();
      this.freeSlots.push(fresh);
    }
    const slot = this.freeSlots.pop() as number;
    this.slots[slot] = c;
    c.hash = hash;
    c.slot = slot;
    const b = hash & this.mask;
    this.slotHash[slot] = hash;
    this.slotNext[slot] = this.buckets[b];
    this.buckets[b] = slot;
    this.size++;
  }

  remove(c: Connection): void {
    const slot = c.slot;
    if (slot < 0) return;
    if (!this.indexed) {
      this.slots[slot] = null;
      this.freeSlots.push(slot);
      c.slot = -1;
      this.size--;
      return;
    }
    const next = this.slotNext;
    const b = c.hash & this.mask;
    let i = this.buckets[b];
    if (i === slot) {
      this.buckets[b] = next[slot];
    } else {
      while (i >= 0 && next[i] !== slot) i = next[i];
      if (i >= 0) next[i] = next[slot];
    }
    this.slots[slot] = null;
    this.freeSlots.push(slot);
    c.slot = -1;
    this.size--;
  }

  /** The smallest id of the connections in the table, -1 when it is empty. */
  lowestId(): number {
    let min = -1;
    for (const c of this.slots) if (c !== null && (min < 0 || c.id < min)) min = c.id;
    return min;
  }

  /** The connections still in the table, as a new array. */
  list(): Connection[] {
    const out: Connection[] = [];
    for (const c of this.slots) if (c !== null) out.push(c);
    return out;
  }

  /**
   * Stops keeping the buckets up to date: for removing every connection at the end of input,
   * where unlinking each from its bucket's chain was a cache miss or two a connection (0.15 s
   * of the SYN flood's million). A later look-up or insert makes the index again.
   */
  forgetIndex(): void {
    this.indexed = false;
  }

  private reindex(): void {
    this.indexed = true;
    this.rebuild(this.buckets.length);
  }

  private grow(): void {
    this.rebuild(this.buckets.length * 2);
  }

  /** Makes the buckets anew, n of them, from the slots. */
  private rebuild(n: number): void {
    this.buckets = new Int32Array(n).fill(-1);
    this.mask = n - 1;
    const hashes = this.slotHash;
    const next = this.slotNext;
    for (let i = 0; i < this.slots.length; i++) {
      if (this.slots[i] === null) continue;
      const b = hashes[i] & this.mask;
      next[i] = this.buckets[b];
      this.buckets[b] = i;
    }
  }

  private growSlots(): void {
    const n = this.slotHash.length * 2;
    const h = new Int32Array(n);
    h.set(this.slotHash);
    this.slotHash = h;
    const x = new Int32Array(n);
    x.set(this.slotNext);
    this.slotNext = x;
  }
}

/** True when the packet goes from flow x's endpoint to flow y's. */
export function matchesFlows(x: Flow, y: Flow, p: Packet): boolean {
  const s = p.src;
  const d = p.dst;
  // the flows keep the words as int32 (connection.ts)
  return x.port === p.srcPort && y.port === p.dstPort &&
    x.addr0 === (s[0] | 0) && x.addr1 === (s[1] | 0) && x.addr2 === (s[2] | 0) && x.addr3 === (s[3] | 0) &&
    y.addr0 === (d[0] | 0) && y.addr1 === (d[1] | 0) && y.addr2 === (d[2] | 0) && y.addr3 === (d[3] | 0);
}

/** One MurmurHash3 block step: mixes the 32-bit word v into h. */
function mix(h: number, v: number): number {
  v = Math.imul(v, 0xcc9e2d51);
  v = (v << 15) | (v >>> 17);
  v = Math.imul(v, 0x1b873593);
  h ^= v;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  // int32, not uint32: a Smi, so returning it allocates nothing
  return h ^ (h >>> 16);
}

/** Symmetric second hash over a packet's two endpoints (different constants from hashOf). */
export function hash2(s: ArrayLike<number>, sp: number, d: ArrayLike<number>, dp: number, ipVersion: number): number {
  return fmix(hash2Sum(
    mix(mix(mix(mix(mix(0x61c88647, sp), s[0] | 0), s[1] | 0), s[2] | 0), s[3] | 0),
    mix(mix(mix(mix(mix(0x61c88647, dp), d[0] | 0), d[1] | 0), d[2] | 0), d[3] | 0),
    ipVersion,
  ));
}

/** The same hash of a connection's two flows (hash2 of the packets that made them). */
export function hash2Flows(a: Flow, b: Flow, ipVersion: number): number {
  return fmix(hash2Sum(
    mix(mix(mix(mix(mix(0x61c88647, a.port), a.addr0), a.addr1), a.addr2), a.addr3),
    mix(mix(mix(mix(mix(0x61c88647, b.port), b.addr0), b.addr1), b.addr2), b.addr3),
    ipVersion,
  ));
}

function hash2Sum(hs: number, hd: number, ipVersion: number): number {
  return ((hs ^ hd) + Math.imul(hs + hd, 0x27d4eb2f)) ^ (ipVersion << 24);
}

