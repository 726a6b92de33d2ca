/**
 * Pure SYNs that have not made a connection yet (TrackerOptions.deferSyn): a SYN flood's
 * million half-open connections, each of one packet, kept as the fields of that packet in
 * integer arrays (92 bytes, about 150 with the index and the queue) instead of a connection's
 * objects (about 1.1 KB on V8's heap, made on pages the kernel hands out fresh, then marked by
 * every full collection).
 *
 * The tracker makes the connection, and replays the SYN into it, when anything needs it: a
 * second packet of the 4-tuple, the cap or the idle timeout releasing it, the end of input. So
 * the connection is the same as if it had been made at the SYN, and only the order in which
 * observers see packets of different connections changes (TrackerOptions.deferSyn says which
 * outputs allow that), unless the observer is shown each SYN as it comes
 * (TrackerOptions.echoKeptSyn).
 *
 * A SYN keeps its id (taken when it came, as Wireshark numbers streams) and a stamp of the
 * tracker's least-recently-active clock, so that the tracker can tell whether it or an open
 * connection was active longest ago. Entries are found by the 4-tuple's hash (ConnectionTable's)
 * and kept in a queue in order of arrival, which is the order of their ids and of their stamps.
 *
 * The index is ./open-index.ts's: each SYN of a flood is looked up before it is kept and is not
 * found, and with chains through the SYNs' own words (80 bytes each, 80 MB for a million) that
 * was a cache miss for every SYN on the way. Once the input has ended (forgetIndex) a removal
 * only frees the slot.
 */
import { secondsSince, type Frame } from '../capture/frame.js';
import type { Packet } from '../decode/packet.js';
import { StampQueue } from './stamp-queue.js';
import { smiIfSmall } from '../util/round.js';
import { indexEntriesFor, indexPlace, indexRemove, newIndex } from './open-index.js';

/**
 * The Packet fields the tracker and the observers that allow deferral read (src/analyze, the
 * table's matching and hashing, the tombstones, RecordStore.fill for the packet records): a field
 * read there must be saved here too. test/pending.test.ts checks that each comes back, and with
 * test/corpus/pending.test.ts that the connections and their packets are the same with SYNs kept
 * and made at once.
 */
const W_HASH = 0;
const W_ID = 1;
/** ipVersion (bits 0-3), truncated (bit 4), sackPermitted (5), hasTimestamps (6), hasTs (7), flags (bits 8-16). */
const W_BITS = 2;
const W_SRC = 3;
const W_DST = 7;
const W_PORTS = 11;
const W_SEQ = 12;
const W_ACK = 13;
const W_WINDOW = 14;
const W_LEN = 15;
const W_MSS = 16;
const W_WSCALE = 17;
const W_NSEC = 18;
const WORDS = 19;

const N_FRAME = 0;
const N_SEC = 1;
const NUMS = 2;

const INITIAL = 1024;
/**
 * The SYNs' words and numbers are kept in chunks of this many slots (1 << CHUNK_BITS: 304 KB
 * and 64 KB), so that keeping more never copies those kept: one array doubled from 1 024 slots
 * to a flood's million copied 80 MB, on fresh pages, about 80 ms.
 */
const CHUNK_BITS = 12;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

export class PendingSyns {
  /** SYNs kept. */
  size = 0;
  /** Slot s's words are words[s >>> CHUNK_BITS] from (s & CHUNK_MASK) * WORDS; its numbers likewise. */
  private readonly words: Int32Array[] = [];
  private readonly nums: Float64Array[] = [];
  /** Pairs (hash, slot + 1), 0 as slot + 1 for an empty entry; `mask`: entries - 1. */
  private index = newIndex(INITIAL * 2);
  private mask = INITIAL * 2 - 1;
  /** False once forgetIndex() was called: remove() only frees; add() and find() make the index again first. */
  private indexed = true;
  /** Slots never used: from `used` on; slots freed: a stack. */
  private used = 0;
  private free = new Int32Array(INITIAL);
  private freeCount = 0;
  /** By slot, the stamp of the SYN kept there, -1 for a free slot. */
  private slotStamp = new Float64Array(INITIAL).fill(-1);
  /** The slots in order of arrival (so of ids and stamps). */
  private readonly queue = new StampQueue(INITIAL);

  /** Keeps `p` (a pure SYN whose 4-tuple has neither a connection nor a kept SYN), received in `f`. */
  add(p: Packet, f: Frame, hash: number, id: number, stamp: number): void {
    if (!this.indexed) this.reindex();
    if (this.size + 1 > (this.mask + 1) >> 1) this.rehash((this.mask + 1) * 2);
    const s = this.freeCount > 0 ? this.free[--this.freeCount] : this.newSlot();
    const w = this.words[s >>> CHUNK_BITS];
    const o = (s & CHUNK_MASK) * WORDS;
    w[o + W_HASH] = hash;
    w[o + W_ID] = id;
    w[o + W_BITS] = p.ipVersion | (p.truncated ? 16 : 0) | (p.sackPermitted ? 32 : 0) | (p.hasTimestamps ? 64 : 0) | (f.hasTs ? 128 : 0) | (p.flags << 8);
    for (let k = 0; k < 4; k++) {
      w[o + W_SRC + k] = p.src[k];
      w[o + W_DST + k] = p.dst[k];
    }
    w[o + W_PORTS] = (p.srcPort << 16) | p.dstPort;
    w[o + W_SEQ] = p.seq32;
    w[o + W_ACK] = p.ack32;
    w[o + W_WINDOW] = p.window;
    w[o + W_LEN] = p.payloadLen;
    w[o + W_MSS] = p.mss;
    w[o + W_WSCALE] = p.wscale;
    w[o + W_NSEC] = f.tsNsec;
    const n = this.nums[s >>> CHUNK_BITS];
    const q = (s & CHUNK_MASK) * NUMS;
    n[q + N_FRAME] = f.number;
    n[q + N_SEC] = f.tsSec;
    this.slotStamp[s] = stamp;
    indexPlace(this.index, this.mask, hash, s);
    this.queue.push(s, stamp, this.slotStamp);
    this.size++;
  }

  /** The slot of the SYN kept for this packet's 4-tuple (either direction), -1 for none. */
  find(p: Packet, hash: number): number {
    if (!this.indexed) this.reindex();
    const words = this.words;
    const index = this.index;
    const mask = this.mask;
    const src = p.src;
    const dst = p.dst;
    const sp = p.srcPort;
    const dp = p.dstPort;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const e = index[2 * i + 1];
      if (e === 0) return -1;
      if (index[2 * i] !== hash) continue;
      const s = e - 1;
      const w = words[s >>> CHUNK_BITS];
      const o = (s & CHUNK_MASK) * WORDS;
      if ((w[o + W_BITS] & 15) !== p.ipVersion) continue;
      const ports = w[o + W_PORTS];
      const a = ports >>> 16;
      const b = ports & 0xffff;
      if (a === sp && b === dp && sameWords(w, o + W_SRC, src) && sameWords(w, o + W_DST, dst)) return s;
      if (a === dp && b === sp && sameWords(w, o + W_SRC, dst) && sameWords(w, o + W_DST, src)) return s;
    }
  }

  /** Puts the kept SYN of `slot` back into `f` and `p` (the fields listed above; `p` is otherwise left as it was). */
  load(slot: number, f: Frame, p: Packet): void {
    const w = this.words[slot >>> CHUNK_BITS];
    const o = (slot & CHUNK_MASK) * WORDS;
    const bits = w[o + W_BITS];
    p.ipVersion = bits & 15;
    p.truncated = (bits & 16) !== 0;
    p.shortSegment = false;
    p.sackPermitted = (bits & 32) !== 0;
    p.hasTimestamps = (bits & 64) !== 0;
    p.flags = bits >>> 8;
    for (let k = 0; k < 4; k++) {
      p.src[k] = w[o + W_SRC + k];
      p.dst[k] = w[o + W_DST + k];
    }
    const ports = w[o + W_PORTS];
    p.srcPort = ports >>> 16;
    p.dstPort = ports & 0xffff;
    p.seq32 = w[o + W_SEQ];
    p.ack32 = w[o + W_ACK];
    p.window = w[o + W_WINDOW];
    p.payloadLen = w[o + W_LEN];
    p.mss = w[o + W_MSS];
    p.wscale = w[o + W_WSCALE];
    f.hasTs = (bits & 128) !== 0;
    f.tsNsec = w[o + W_NSEC];
    const n = this.nums[slot >>> CHUNK_BITS];
    const q = (slot & CHUNK_MASK) * NUMS;
    // whole numbers, as the reader gives them (smiIfSmall: not doubles, which would change the
    // frame's shape and throw away the code that reads it, at the flood's end)
    f.number = smiIfSmall(n[q + N_FRAME]);
    f.tsSec = smiIfSmall(n[q + N_SEC]);
  }

  hash(slot: number): number {
    return this.words[slot >>> CHUNK_BITS][(slot & CHUNK_MASK) * WORDS + W_HASH];
  }

  id(slot: number): number {
    return this.words[slot >>> CHUNK_BITS][(slot & CHUNK_MASK) * WORDS + W_ID];
  }

  stamp(slot: number): number {
    return this.slotStamp[slot];
  }

  /** The time of the SYN of `slot`, as the tracker computes a packet's from its frame (see track()). */
  time(slot: number, t0Sec: number, t0Nsec: number): number {
    const w = this.words[slot >>> CHUNK_BITS];
    const o = (slot & CHUNK_MASK) * WORDS;
    return secondsSince((w[o + W_BITS] & 128) !== 0, this.nums[slot >>> CHUNK_BITS][(slot & CHUNK_MASK) * NUMS + N_SEC], w[o + W_NSEC], t0Sec, t0Nsec);
  }

  /** Forgets the SYN of `slot`. */
  remove(slot: number): void {
    if (this.indexed) indexRemove(this.index, this.mask, this.hash(slot), slot);
    // stale in the queue from now on
    this.slotStamp[slot] = -1;
    if (this.freeCount === this.free.length) {
      const grown = new Int32Array(this.free.length * 2);
      grown.set(this.free);
      this.free = grown;
    }
    this.free[this.freeCount++] = slot;
    this.size--;
  }

  /**
   * Nothing is looked up from here on (the input has ended): remove() leaves the index as it is,
   * instead of finding each SYN's entry there and shifting the ones after it (a cache miss or two
   * a SYN, for the million of a flood finalised at the end). A later add() or find() makes the
   * index again.
   */
  forgetIndex(): void {
    this.indexed = false;
  }

  /** The SYN kept longest (the least recently active), -1 when none is kept. */
  first(): number {
    return this.queue.first(this.slotStamp);
  }

  /** The slots kept, in order of arrival (so of their ids), as a new array. */
  inOrder(): Int32Array {
    const out = new Int32Array(this.size);
    let k = 0;
    const q = this.queue;
    for (let i = q.start; i < q.end; i++) {
      const s = q.slots[i];
      if (this.slotStamp[s] === q.stamps[i]) out[k++] = s;
    }
    return out;
  }

  private newSlot(): number {
    const s = this.used++;
    if ((s & CHUNK_MASK) === 0) {
      this.words.push(new Int32Array((CHUNK_MASK + 1) * WORDS));
      this.nums.push(new Float64Array((CHUNK_MASK + 1) * NUMS));
    }
    if (s === this.slotStamp.length) {
      const st = new Float64Array(s * 2).fill(-1);
      st.set(this.slotStamp);
      this.slotStamp = st;
    }
    return s;
  }

  /** Makes the index anew, with n entries, from the one it replaces (or, after forgetIndex, from the live slots). */
  private rehash(n: number): void {
    const old = this.index;
    const oldIndexed = this.indexed;
    const index = newIndex(n);
    const mask = n - 1;
    this.index = index;
    this.mask = mask;
    this.indexed = true;
    if (oldIndexed) {
      for (let i = 1; i < old.length; i += 2) if (old[i] !== 0) indexPlace(index, mask, old[i - 1], old[i] - 1);
      return;
    }
    const q = this.queue;
    for (let i = q.start; i < q.end; i++) {
      const s = q.slots[i];
      if (this.slotStamp[s] === q.stamps[i]) indexPlace(index, mask, this.hash(s), s);
    }
  }

  /** After forgetIndex: the index made again from the SYNs still kept. */
  private reindex(): void {
    this.rehash(indexEntriesFor(this.size + 1, this.mask + 1));
  }
}

/** Whether the four words at w[o..] are the address `a` (uint32 words, stored as int32). */
function sameWords(w: Int32Array, o: number, a: Uint32Array): boolean {
  return w[o] === (a[0] | 0) && w[o + 1] === (a[1] | 0) && w[o + 2] === (a[2] | 0) && w[o + 3] === (a[3] | 0);
}
