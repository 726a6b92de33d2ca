/**
 * Pure SYNs that have not made a connection yet (TrackerOptions.deferSyn): a SYN flood's
 * million half-open connections, each of one packet, kept as the fields of that packet in
 * integer arrays (68 bytes, about 125 with the index and the queue) instead of a connection's
 * objects (about 1.1 KB on V8's heap, made on pages the kernel hands out fresh, then marked by
 * every full collection).
 *
 * With TrackerOptions.deferAnyFirst the same is done for any other packet that opens a
 * connection, except a RST or one with SACK blocks (an ACK flood's, a scan's, a backscatter's
 * SYN-ACKs: 1M ACKs on as many 4-tuples took 6.1 s and 1 280 MB under `check` made at once, 1.45
 * s and 203 MB kept; docs/performance.md, "2026-12-06 (evening)"). The names here stay the SYN
 * flood's: a "SYN" below is any packet kept. Its fields are all kept (the flags whole); of the
 * options, what a SYN carries, and no SACK blocks (load() clears them).
 *
 * A kept SYN's answer, the first SYN-ACK from its other end, is kept with it (addAnswer(), 48
 * bytes more: 8 words and 2 numbers): a SYN flood as its victim captures it, every SYN answered
 * and none acknowledged, took a connection's objects for each pair (500 000 pairs: `check` 3.1 s
 * and 694 MB, then 1.5 s and 251 MB; docs/performance.md, "2026-12-06 (evening)").
 *
 * And a repeat of the SYN (any kept packet) or of its answer, a packet the same in every field
 * kept but its frame's number and time (a client's SYN retries, a server's SYN-ACK retries, a
 * backscatter's SYN-ACKs sent again), is kept as those (addRepeat(), 24 bytes), up to
 * MAX_REPEATS a slot: 330 000 SYNs sent three times made a connection each at the second
 * (`check` 3.7 s and 710 MB, then 1.9 s and 235 MB), and as many SYN-ACKs of a backscatter 4.2 s
 * and 714 MB, then 1.5 s and 189 MB (docs/performance.md, "2026-12-06 (late evening)").
 *
 * The tracker makes the connection, and replays the SYN into it (then the slot's other packets,
 * in the order they came: loadPacket()), when anything needs it: another packet of the
 * 4-tuple, the cap or the idle timeout releasing it, the end of input. So
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
 * table's matching and hashing, the tombstones, RecordStore.fill for the packet records, the
 * lab's LabCollector, which is given pure SYNs only, since it reads a data packet's payload: also
 * the TCP header's and the frame's lengths): a field read there must be
 * saved here too. test/pending.test.ts checks that each comes back, and with
 * test/corpus/pending.test.ts that the connections and their packets are the same with SYNs kept
 * and made at once.
 */
const W_HASH = 0;
const W_ID = 1;
/** ipVersion (bits 0-3), truncated (bit 4), sackPermitted (5), hasTimestamps (6), hasTs (7), flags (bits 8-16). */
const W_BITS = 2;
/** The addresses' first words (an IPv4 address whole; an IPv6 address's other words: V6_*). */
const W_SRC = 3;
const W_DST = 4;
const W_PORTS = 5;
/** Where the packet's own fields start (F_*: the same in an answer's words, from A_SEQ). */
const W_SEQ = 6;
/**
 * The packet's own fields, from its sequence number on (putFields()): its seq, ack, window,
 * payload length; mss + 1 (bits 0-16: -1 to 65 535), wscale + 1 (bits 17-25: -1 to 255), the
 * TCP header's length in words (bits 26-29: 0 to 15) and TCP Fast Open's option (bits 30-31:
 * none, a request, a cookie: optionWord()) as one word; its frame's nanoseconds and length on the
 * wire (frame.len, a uint32).
 */
const F_NSEC = 5;
const FIELDS = 7;
/**
 * 52 bytes a SYN. Until 2026-12-05 both addresses took four words each here, 76 bytes, though
 * a flood is nearly always of IPv4; the fresh pages they took cost the flood's `check` about 10
 * µs each (docs/performance.md, "2026-12-05 (morning)"). The frame's length (for the lab) came
 * later the same day.
 */
const WORDS = W_SEQ + FIELDS;
/** An IPv6 SYN's source words 1-3 and destination words 1-3, in its chunk's V6 array, made at the chunk's first. */
const V6_WORDS = 6;

/** In W_BITS: the slot holds the SYN's answer too (addAnswer()). */
const HAS_ANSWER = 1 << 17;
/** In W_BITS from this bit: how many repeats the slot holds (addRepeat(); up to MAX_REPEATS). */
const REPEATS_SHIFT = 18;
/**
 * Repeats a slot may hold: a client's SYN retries (Linux sends 6 by default, tcp_syn_retries)
 * and a server's SYN-ACK retries (5, tcp_synack_retries) both fit.
 */
export const MAX_REPEATS = 12;
/** packetBits()'s bits as W_BITS and A_BITS hold them (without the version, the answer and the repeats). */
const PACKET_BITS = 0x1fff0;
/**
 * A kept SYN's answer, a SYN-ACK from the other end (addAnswer()), in its chunk's answer arrays,
 * made at the chunk's first: its addresses and ports are the SYN's, the other way round. Its
 * bits as W_BITS's without the version (packetBits()), then its own fields (putFields()).
 */
const A_BITS = 0;
const A_SEQ = 1;
const A_WORDS = A_SEQ + FIELDS;

/** A packet's bits as W_BITS and A_BITS keep them, but the IP version. */
function packetBits(p: Packet, f: Frame): number {
  return (p.truncated ? 16 : 0) | (p.sackPermitted ? 32 : 0) | (p.hasTimestamps ? 64 : 0) | (f.hasTs ? 128 : 0) | (p.flags << 8);
}

/**
 * The options' word of putFields(). Of Fast Open's option it keeps whether there is one and
 * whether it has a cookie, not the cookie's length: the story asks only that (a SYN-ACK with a
 * cookie), and `--format packets`, which shows the length, writes packets as they come.
 */
function optionWord(p: Packet): number {
  return (p.mss + 1) | ((p.wscale + 1) << 17) | ((p.tcpHeaderLen >>> 2) << 26) | ((p.tfo < 0 ? 0 : p.tfo === 0 ? 1 : 2) << 30);
}

/** A packet's own fields (FIELDS words) at `o` in `w`, and its frame's number and seconds at `q` in `n`. */
function putFields(w: Int32Array, o: number, n: Float64Array, q: number, p: Packet, f: Frame): void {
  w[o] = p.seq32;
  w[o + 1] = p.ack32;
  w[o + 2] = p.window;
  w[o + 3] = p.payloadLen;
  w[o + 4] = optionWord(p);
  w[o + F_NSEC] = f.tsNsec;
  w[o + 6] = f.origLen;
  n[q + N_FRAME] = f.number;
  n[q + N_SEC] = f.tsSec;
}

/** Whether `p`, received in `f`, has the fields kept at `o` in `w` (`bits` as W_BITS or A_BITS hold them): all but its frame's number and time. */
function sameFields(w: Int32Array, o: number, bits: number, p: Packet, f: Frame): boolean {
  return (bits & PACKET_BITS) === packetBits(p, f) && w[o] === (p.seq32 | 0) && w[o + 1] === (p.ack32 | 0) && w[o + 2] === p.window &&
    w[o + 3] === p.payloadLen && w[o + 4] === optionWord(p) && w[o + 6] === (f.origLen | 0);
}

/** Puts back what packetBits() and putFields() kept (`bits` as they keep them). */
function getFields(w: Int32Array, o: number, n: Float64Array, q: number, bits: number, p: Packet, f: Frame): void {
  p.truncated = (bits & 16) !== 0;
  p.sackPermitted = (bits & 32) !== 0;
  p.hasTimestamps = (bits & 64) !== 0;
  p.flags = (bits >>> 8) & 0x1ff;
  p.seq32 = w[o];
  p.ack32 = w[o + 1];
  p.window = w[o + 2];
  p.payloadLen = w[o + 3];
  const options = w[o + 4];
  p.mss = (options & 0x1ffff) - 1;
  p.wscale = ((options >>> 17) & 0x1ff) - 1;
  p.tcpHeaderLen = ((options >>> 26) & 15) << 2;
  // a cookie's length is not kept: 1 byte stands for it (optionWord())
  const tfo = options >>> 30;
  p.tfo = tfo === 0 ? -1 : tfo === 1 ? 0 : 1;
  f.tsNsec = w[o + F_NSEC];
  f.origLen = w[o + 6] >>> 0;
  f.hasTs = (bits & 128) !== 0;
  // whole numbers, as the reader gives them (smiIfSmall: not doubles, which would change the
  // frame's shape and throw away the code that reads it, at the flood's end)
  f.number = smiIfSmall(n[q + N_FRAME]);
  f.tsSec = smiIfSmall(n[q + N_SEC]);
}

const N_FRAME = 0;
const N_SEC = 1;
const NUMS = 2;

const INITIAL = 1024;
/** byId()'s places: 2^22. */
const PLACES = 4_194_304;
/**
 * The SYNs' words and numbers are kept in chunks of this many slots (1 << CHUNK_BITS: 192 KB
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
  /** By chunk, its IPv6 SYNs' other address words (V6_WORDS a slot), null until it has one. */
  private readonly v6: (Int32Array | null)[] = [];
  /** By chunk, its SYNs' answers (A_WORDS and NUMS a slot), null until it has one. */
  private readonly answers: (Int32Array | null)[] = [];
  private readonly answerNums: (Float64Array | null)[] = [];
  /**
   * A slot was stamped again by its answer (addAnswer()): the queue's order is then that of the
   * last packets, no longer that of the ids, and inOrder() sorts.
   */
  private restamped = false;
  /**
   * The repeats (addRepeat()), in a pool of entries numbered from 1: each one's frame number
   * and seconds (repNums, 2 an entry), and its nanoseconds and link (repWords, 2 an entry: the
   * next entry of its slot's list, or 0, times 2, plus 1 when it repeats the answer); freed
   * entries are chained from repFree. By slot, the first entry of its list, 0 for none
   * (repHead). All made at the first repeat.
   */
  private repNums: Float64Array | null = null;
  private repWords: Int32Array | null = null;
  private repHead: Int32Array | null = null;
  private repUsed = 1;
  private repFree = 0;
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
    w[o + W_BITS] = p.ipVersion | packetBits(p, f);
    w[o + W_SRC] = p.src[0];
    w[o + W_DST] = p.dst[0];
    if (p.ipVersion === 6) this.addV6(s, p);
    w[o + W_PORTS] = (p.srcPort << 16) | p.dstPort;
    putFields(w, o + W_SEQ, this.nums[s >>> CHUNK_BITS], (s & CHUNK_MASK) * NUMS, p, f);
    this.slotStamp[s] = stamp;
    indexPlace(this.index, this.mask, hash, s);
    this.queue.push(s, stamp, this.slotStamp);
    this.size++;
  }

  /**
   * Keeps `p`, received in `f`, as the answer of the SYN of `slot` (a SYN-ACK from its other end:
   * TrackerOptions.deferSyn), stamped `stamp` as its slot's most recent activity. A victim's
   * capture of a SYN flood answers every SYN; the pair waits, 100 bytes or so, for a third packet.
   */
  addAnswer(slot: number, p: Packet, f: Frame, stamp: number): void {
    const c = slot >>> CHUNK_BITS;
    let a = this.answers[c];
    let n = this.answerNums[c];
    if (a === null || n === null) {
      a = new Int32Array((CHUNK_MASK + 1) * A_WORDS);
      n = new Float64Array((CHUNK_MASK + 1) * NUMS);
      this.answers[c] = a;
      this.answerNums[c] = n;
    }
    const o = (slot & CHUNK_MASK) * A_WORDS;
    a[o + A_BITS] = packetBits(p, f);
    putFields(a, o + A_SEQ, n, (slot & CHUNK_MASK) * NUMS, p, f);
    this.words[c][(slot & CHUNK_MASK) * WORDS + W_BITS] |= HAS_ANSWER;
    this.slotStamp[slot] = stamp;
    this.queue.push(slot, stamp, this.slotStamp);
    this.restamped = true;
  }

  /**
   * Whether `p`, received in `f`, is the same packet as the one kept first in `slot` (`fromFirst`
   * true) or as its answer: the same fields but its frame's number and time (a retransmission).
   */
  isRepeat(slot: number, fromFirst: boolean, p: Packet, f: Frame): boolean {
    const c = slot >>> CHUNK_BITS;
    const w = this.words[c];
    const o = (slot & CHUNK_MASK) * WORDS;
    if (fromFirst) return sameFields(w, o + W_SEQ, w[o + W_BITS], p, f);
    if ((w[o + W_BITS] & HAS_ANSWER) === 0) return false;
    const a = this.answers[c] as Int32Array;
    const ao = (slot & CHUNK_MASK) * A_WORDS;
    return sameFields(a, ao + A_SEQ, a[ao + A_BITS], p, f);
  }

  /** How many repeats the slot holds. */
  repeats(slot: number): number {
    return this.words[slot >>> CHUNK_BITS][(slot & CHUNK_MASK) * WORDS + W_BITS] >>> REPEATS_SHIFT;
  }

  /**
   * Keeps the frame `f` of a repeat (isRepeat()) of the slot's first packet or, `ofAnswer`, of
   * its answer, stamped `stamp` as its slot's most recent activity: its number and time only,
   * 24 bytes. A client whose SYN goes unanswered sends it again (a second later, then 3, 7 ...
   * seconds: RFC 6298's backoff), and a victim's server its SYN-ACK; each made a connection at
   * its second packet (330 000 SYNs sent three times: `check` 3.7 s and 710 MB;
   * docs/performance.md, "2026-12-06 (late evening)").
   */
  addRepeat(slot: number, ofAnswer: boolean, f: Frame, stamp: number): void {
    if (this.repHead === null) {
      this.repHead = new Int32Array(this.slotStamp.length);
      this.repNums = new Float64Array(2 * INITIAL);
      this.repWords = new Int32Array(2 * INITIAL);
    }
    let e = this.repFree;
    if (e !== 0) this.repFree = (this.repWords as Int32Array)[2 * e + 1] >>> 1;
    else {
      e = this.repUsed++;
      if (2 * e === (this.repWords as Int32Array).length) this.growRepeats();
    }
    const nums = this.repNums as Float64Array;
    const rw = this.repWords as Int32Array;
    nums[2 * e] = f.number;
    nums[2 * e + 1] = f.tsSec;
    rw[2 * e] = f.tsNsec;
    rw[2 * e + 1] = ofAnswer ? 1 : 0;
    // at the list's end (a dozen at most)
    const head = this.repHead;
    if (head[slot] === 0) head[slot] = e;
    else rw[2 * this.lastEntry(head[slot]) + 1] |= e << 1;
    this.words[slot >>> CHUNK_BITS][(slot & CHUNK_MASK) * WORDS + W_BITS] += 1 << REPEATS_SHIFT;
    this.slotStamp[slot] = stamp;
    this.queue.push(slot, stamp, this.slotStamp);
    this.restamped = true;
  }

  /** The last entry of the list that starts at entry `e`. */
  private lastEntry(e: number): number {
    const rw = this.repWords as Int32Array;
    while (rw[2 * e + 1] >>> 1 !== 0) e = rw[2 * e + 1] >>> 1;
    return e;
  }

  private growRepeats(): void {
    const nums = new Float64Array((this.repNums as Float64Array).length * 2);
    nums.set(this.repNums as Float64Array);
    this.repNums = nums;
    const rw = new Int32Array((this.repWords as Int32Array).length * 2);
    rw.set(this.repWords as Int32Array);
    this.repWords = rw;
  }

  /** The packets the slot holds: its first, its answer, its repeats. */
  packets(slot: number): number {
    const bits = this.words[slot >>> CHUNK_BITS][(slot & CHUNK_MASK) * WORDS + W_BITS];
    return 1 + ((bits & HAS_ANSWER) !== 0 ? 1 : 0) + (bits >>> REPEATS_SHIFT);
  }

  /**
   * Puts the slot's packet k (0 to packets() - 1, in the order they came: its first, then its
   * answer and its repeats by their frames' numbers) into `f` and `p`, as load() and
   * loadAnswer() do; returns whether it came from the other end (the answer, or a repeat of it).
   */
  loadPacket(slot: number, k: number, f: Frame, p: Packet): boolean {
    if (k === 0) {
      this.load(slot, f, p);
      return false;
    }
    const answered = this.hasAnswer(slot);
    const answerFrame = answered ? (this.answerNums[slot >>> CHUNK_BITS] as Float64Array)[(slot & CHUNK_MASK) * NUMS + N_FRAME] : 0;
    let answerDue = answered;
    let e = this.repHead === null ? 0 : this.repHead[slot];
    const nums = this.repNums;
    const rw = this.repWords;
    for (let i = 1; ; i++) {
      if (answerDue && (e === 0 || answerFrame < (nums as Float64Array)[2 * e])) {
        if (i === k) {
          this.loadAnswer(slot, f, p);
          return true;
        }
        answerDue = false;
        continue;
      }
      const link = (rw as Int32Array)[2 * e + 1];
      if (i === k) {
        const ofAnswer = (link & 1) !== 0;
        if (ofAnswer) this.loadAnswer(slot, f, p);
        else this.load(slot, f, p);
        f.number = smiIfSmall((nums as Float64Array)[2 * e]);
        f.tsSec = smiIfSmall((nums as Float64Array)[2 * e + 1]);
        f.tsNsec = (rw as Int32Array)[2 * e];
        return ofAnswer;
      }
      e = link >>> 1;
    }
  }

  /** Whether the slot holds its SYN's answer too. */
  hasAnswer(slot: number): boolean {
    return (this.words[slot >>> CHUNK_BITS][(slot & CHUNK_MASK) * WORDS + W_BITS] & HAS_ANSWER) !== 0;
  }

  /** The flags of the packet kept first in `slot` (its SYN). */
  flags(slot: number): number {
    return (this.words[slot >>> CHUNK_BITS][(slot & CHUNK_MASK) * WORDS + W_BITS] >>> 8) & 0x1ff;
  }

  /** Whether `p` (of the slot's 4-tuple) comes from the end that sent the slot's first packet. */
  fromFirst(slot: number, p: Packet): boolean {
    const w = this.words[slot >>> CHUNK_BITS];
    const o = (slot & CHUNK_MASK) * WORDS;
    const ports = w[o + W_PORTS];
    if (p.srcPort !== ports >>> 16 || p.dstPort !== (ports & 0xffff) || (p.src[0] | 0) !== w[o + W_SRC] || (p.dst[0] | 0) !== w[o + W_DST]) return false;
    return p.ipVersion !== 6 || this.sameV6(slot, p.src, p.dst);
  }

  /**
   * Puts the answer kept in `slot` back into `f` and `p` (the SYN's addresses and ports the other
   * way round, then the answer's own fields; `p` is otherwise left as it was).
   */
  loadAnswer(slot: number, f: Frame, p: Packet): void {
    this.load(slot, f, p);
    const src = p.src;
    const dst = p.dst;
    for (let k = 0; k < 4; k++) {
      const x = src[k];
      src[k] = dst[k];
      dst[k] = x;
    }
    const sp = p.srcPort;
    p.srcPort = p.dstPort;
    p.dstPort = sp;
    const a = this.answers[slot >>> CHUNK_BITS] as Int32Array;
    const o = (slot & CHUNK_MASK) * A_WORDS;
    getFields(a, o + A_SEQ, this.answerNums[slot >>> CHUNK_BITS] as Float64Array, (slot & CHUNK_MASK) * NUMS, a[o + A_BITS], p, f);
  }

  /** An IPv6 SYN's address words beyond the first, in its chunk's V6 array. */
  private addV6(s: number, p: Packet): void {
    const c = s >>> CHUNK_BITS;
    let v = this.v6[c];
    if (v === null) {
      v = new Int32Array((CHUNK_MASK + 1) * V6_WORDS);
      this.v6[c] = v;
    }
    const o = (s & CHUNK_MASK) * V6_WORDS;
    for (let k = 1; k < 4; k++) {
      v[o + k - 1] = p.src[k];
      v[o + 2 + k] = p.dst[k];
    }
  }

  /** Whether slot s (an IPv6 SYN) is from `src` to `dst`, by their words beyond the first. */
  private sameV6(s: number, src: Uint32Array, dst: Uint32Array): boolean {
    const v = this.v6[s >>> CHUNK_BITS] as Int32Array;
    const o = (s & CHUNK_MASK) * V6_WORDS;
    return v[o] === (src[1] | 0) && v[o + 1] === (src[2] | 0) && v[o + 2] === (src[3] | 0) &&
      v[o + 3] === (dst[1] | 0) && v[o + 4] === (dst[2] | 0) && v[o + 5] === (dst[3] | 0);
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
      const version = w[o + W_BITS] & 15;
      if (version !== p.ipVersion) continue;
      const ports = w[o + W_PORTS];
      const a = ports >>> 16;
      const b = ports & 0xffff;
      const ws = w[o + W_SRC];
      const wd = w[o + W_DST];
      if (a === sp && b === dp && ws === (src[0] | 0) && wd === (dst[0] | 0) && (version !== 6 || this.sameV6(s, src, dst))) return s;
      if (a === dp && b === sp && ws === (dst[0] | 0) && wd === (src[0] | 0) && (version !== 6 || this.sameV6(s, dst, src))) return s;
    }
  }

  /** Puts the kept SYN of `slot` back into `f` and `p` (the fields listed above; `p` is otherwise left as it was). */
  load(slot: number, f: Frame, p: Packet): void {
    const w = this.words[slot >>> CHUNK_BITS];
    const o = (slot & CHUNK_MASK) * WORDS;
    const bits = w[o + W_BITS];
    p.ipVersion = bits & 15;
    p.shortSegment = false;
    // (keepable(): no packet with SACK blocks is kept, so no D-SACK either)
    p.sackCount = 0;
    p.dsack = false;
    p.src[0] = w[o + W_SRC];
    p.dst[0] = w[o + W_DST];
    if ((bits & 15) === 6) {
      const v = this.v6[slot >>> CHUNK_BITS] as Int32Array;
      const q = (slot & CHUNK_MASK) * V6_WORDS;
      for (let k = 1; k < 4; k++) {
        p.src[k] = v[q + k - 1];
        p.dst[k] = v[q + 2 + k];
      }
    } else {
      // (as the IPv4 decoder leaves them)
      p.src[1] = p.src[2] = p.src[3] = 0;
      p.dst[1] = p.dst[2] = p.dst[3] = 0;
    }
    const ports = w[o + W_PORTS];
    p.srcPort = ports >>> 16;
    p.dstPort = ports & 0xffff;
    getFields(w, o + W_SEQ, this.nums[slot >>> CHUNK_BITS], (slot & CHUNK_MASK) * NUMS, bits, p, f);
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

  /**
   * The time of the last packet kept in `slot` (its SYN, or its answer), as the tracker computes a
   * packet's from its frame (see track()).
   */
  time(slot: number, t0Sec: number, t0Nsec: number): number {
    const w = this.words[slot >>> CHUNK_BITS];
    const o = (slot & CHUNK_MASK) * WORDS;
    if (w[o + W_BITS] >>> REPEATS_SHIFT !== 0) return this.lastRepeatTime(slot, t0Sec, t0Nsec);
    if ((w[o + W_BITS] & HAS_ANSWER) !== 0) {
      const a = this.answers[slot >>> CHUNK_BITS] as Int32Array;
      const ao = (slot & CHUNK_MASK) * A_WORDS;
      const sec = (this.answerNums[slot >>> CHUNK_BITS] as Float64Array)[(slot & CHUNK_MASK) * NUMS + N_SEC];
      return secondsSince((a[ao + A_BITS] & 128) !== 0, sec, a[ao + A_SEQ + F_NSEC], t0Sec, t0Nsec);
    }
    return secondsSince((w[o + W_BITS] & 128) !== 0, this.nums[slot >>> CHUNK_BITS][(slot & CHUNK_MASK) * NUMS + N_SEC], w[o + W_SEQ + F_NSEC], t0Sec, t0Nsec);
  }

  /** time() of a slot with repeats: the last of its packets (a repeat, or its answer when that came after). */
  private lastRepeatTime(slot: number, t0Sec: number, t0Nsec: number): number {
    const nums = this.repNums as Float64Array;
    const rw = this.repWords as Int32Array;
    const e = this.lastEntry((this.repHead as Int32Array)[slot]);
    const c = slot >>> CHUNK_BITS;
    const bits = this.words[c][(slot & CHUNK_MASK) * WORDS + W_BITS];
    if ((bits & HAS_ANSWER) !== 0 && (this.answerNums[c] as Float64Array)[(slot & CHUNK_MASK) * NUMS + N_FRAME] > nums[2 * e]) {
      // the answer came last: time() without the repeats
      const a = this.answers[c] as Int32Array;
      const ao = (slot & CHUNK_MASK) * A_WORDS;
      return secondsSince((a[ao + A_BITS] & 128) !== 0, (this.answerNums[c] as Float64Array)[(slot & CHUNK_MASK) * NUMS + N_SEC], a[ao + A_SEQ + F_NSEC], t0Sec, t0Nsec);
    }
    // a repeat's hasTs is its original's
    const hasTs = (rw[2 * e + 1] & 1) !== 0 ? ((this.answers[c] as Int32Array)[(slot & CHUNK_MASK) * A_WORDS + A_BITS] & 128) !== 0 : (bits & 128) !== 0;
    return secondsSince(hasTs, nums[2 * e + 1], rw[2 * e], t0Sec, t0Nsec);
  }

  /** Forgets the SYN of `slot`. */
  remove(slot: number): void {
    if (this.repHead !== null && this.repHead[slot] !== 0) this.freeRepeats(slot);
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

  /** Returns the slot's repeats to the pool. */
  private freeRepeats(slot: number): void {
    const head = this.repHead as Int32Array;
    (this.repWords as Int32Array)[2 * this.lastEntry(head[slot]) + 1] = this.repFree << 1;
    this.repFree = head[slot];
    head[slot] = 0;
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

  /** The slots kept, in the order of their ids (that of their SYNs' arrival), as a new array. */
  inOrder(): Int32Array {
    const out = new Int32Array(this.size);
    let k = 0;
    const q = this.queue;
    for (let i = q.start; i < q.end; i++) {
      const s = q.slots[i];
      if (this.slotStamp[s] === q.stamps[i]) out[k++] = s;
    }
    return this.restamped ? this.byId(out) : out;
  }

  /**
   * `slots` in the order of their ids: each as id * 2^22 + its place, sorted as doubles (exact:
   * ids are below 2^31), for up to 2^22 slots; beyond that, by a comparison.
   */
  private byId(slots: Int32Array): Int32Array {
    const n = slots.length;
    if (n > PLACES) return slots.slice().sort((a, b) => this.id(a) - this.id(b));
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = this.id(slots[i]) * PLACES + i;
    keys.sort();
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = slots[keys[i] % PLACES];
    return out;
  }

  private newSlot(): number {
    const s = this.used++;
    if ((s & CHUNK_MASK) === 0) {
      this.words.push(new Int32Array((CHUNK_MASK + 1) * WORDS));
      this.nums.push(new Float64Array((CHUNK_MASK + 1) * NUMS));
      this.v6.push(null);
      this.answers.push(null);
      this.answerNums.push(null);
    }
    if (s === this.slotStamp.length) {
      const st = new Float64Array(s * 2).fill(-1);
      st.set(this.slotStamp);
      this.slotStamp = st;
      if (this.repHead !== null) {
        const head = new Int32Array(s * 2);
        head.set(this.repHead);
        this.repHead = head;
      }
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
