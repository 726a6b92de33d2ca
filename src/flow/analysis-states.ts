/**
 * The analysis state of the connections released most recently, so that a continuation (later
 * packets of a released stream, Connection.continued) is analysed as Wireshark analyses them.
 * Wireshark never forgets a conversation: a RST or an ACK that comes after the tool released the
 * connection is judged by Wireshark against each direction's highest sequence number, last ACK,
 * window and duplicate-ACK count, and so is a copy of a FIN (a retransmission). A continuation
 * that started afresh called the same packets a first FIN, or "previous segment not captured".
 *
 * What is kept for the analysis is what tcp_analyze_sequence_number() reads (tracker.ts,
 * analyze()) and nothing else: per direction nextseq and its time, maxseqtobeacked, lastack and its time, the window,
 * the duplicate-ACK count, the previous segment's flags and whether the side has sent a non-SYN
 * ACK yet (F_FIRST_ACK); and the connection's initial RTT (the out-of-order rule's threshold)
 * with the time of its latest pure SYN. The bases, the window scales, the id and the client are
 * the tombstone's (flow/tombstones.ts).
 *
 * And the connection's story (handshake, teardown, each side's state: analyze/story.ts), Zeek's
 * view (analyze/zeek.ts), its completeness and what closed it, with each direction's SYN
 * options and FIN: a continuation goes on with them, so its handshake, teardown, final states
 * and Zeek verdict are its stream's, as they would be had the connection been kept (a late RST
 * after a graceful close leaves the stream SF with an `r` or `R` in its history, as Zeek's closed
 * state does; one after a single FIN makes it RSTO or RSTR), and `check`
 * no longer fails `handshake=three-way` on a continuation of a connection that had one (its
 * handshake was in the earlier record). Only its counts (packets, bytes, analysis counts) and
 * frames are its own.
 *
 * A ring of `capacity` 384-byte entries (32 768 by default: 12 MB at most, grown as it fills),
 * overwritten oldest first, written through a small stage (below). Until the first continuation
 * it laps at `firstLap` entries (8 192: 3 MB), then at its capacity: a capture of short
 * connections without continuations (short1m's 100 000) wrote the whole ring's fresh pages for
 * nothing, about 5% of its `check` where a fresh page costs 10 µs (docs/performance.md). A
 * tombstone keeps the index of its connection's entry; the entry also keeps the connection's
 * id, so an index whose entry was overwritten since is known as such, and the continuation then
 * starts afresh as before (docs/differences.md). Late packets come soon: on the real captures of
 * scripts/real-traffic every continuation came within 8 192 releases of its stream's; on
 * diff-scale's synthetic capture (100 000 connections on 5 000 4-tuples over hours, 8 065
 * continuations) 16 384 entries kept all but 150 and 32 768 all but one. The first lap changed
 * none of them (its first continuation comes early): on that capture (`--seed 4 --split`, 8 833
 * continuations today), with and without `--max-connections 20`, and on real4's two sides, the
 * same continuations started afresh with it as without it (none on real4), and every frame is
 * tshark's.
 */
import { F_FIRST_ACK, F_FIN_SENT, F_FIN_ACKED, F_SYN_SACK_PERMITTED, F_SYN_TIMESTAMPS, F_SYN_SEEN, type Connection, type Flow } from '../analyze/connection.js';
import { saveStory, restoreStory, STORY_WORDS } from '../analyze/story.js';
import { saveZeek, restoreZeek, ZEEK_WORDS } from '../analyze/zeek.js';
import { smiIfSmall } from '../util/round.js';
import { settleMutable } from '../util/shapes.js';

/** The ring's and the stage's arrays before the first save. */
const NO_BYTES = new Uint8Array(0);
const NO_INTS = new Int32Array(0);
const NO_DOUBLES = new Float64Array(0);

/** Default number of released connections whose analysis state is kept. */
export const ANALYSIS_STATES = 1 << 15;

// An entry is 384 bytes (six cache lines when aligned), seen as 48 doubles and as 96 int32 words.
const BYTES = 384;
const D_STRIDE = BYTES / 8;
const I_STRIDE = BYTES / 4;
// Doubles: each direction's (lo, hi) seconds, the SYN's seconds, the initial RTT (words 0-13).
const D_NEXTSEQ_SEC = 0;
const D_LASTACK_SEC = 1;
const D_PER_DIR = 2;
const D_SYN_SEC = 4;
const D_IRTT_NS = 5;
const D_IRTT = 6;
// Int32 words, after the 7 doubles: the id, the SYN's nanoseconds, each direction's, the
// connection's completeness and bits, the story, Zeek's view.
const I_ID = 14;
const I_SYN_NSEC = 15;
const I_DIR = 16;
const I_NEXTSEQ = 0;
const I_NEXTSEQ_NSEC = 1;
const I_MAXSEQ = 2;
const I_LASTACK = 3;
const I_LASTACK_NSEC = 4;
const I_WINDOW = 5;
const I_DUPACKS = 6;
/** The previous segment's analysis bits (15 of them), and F_FIRST_ACK at FIRST_ACK_SHIFT. */
const I_FLAGS = 7;
/** The flow's bits that the story's end needs (FLOW_BITS), the end of its FIN, its SYN's MSS and window scale. */
const I_BITS = 8;
const I_FIN_END = 9;
const I_SYN_MSS = 10;
const I_SYN_WSCALE = 11;
const I_PER_DIR = 12;
const I_COMPLETENESS = I_DIR + 2 * I_PER_DIR;
const I_COMPLETENESS_FIRST = I_COMPLETENESS + 1;
/** The connection's RST_SEEN and CLOSED. */
const I_CONN_BITS = I_COMPLETENESS + 2;
const I_STORY = I_CONN_BITS + 1;
const I_ZEEK = I_STORY + STORY_WORDS;
/** Words of an entry in use, and in all (test/analysis-states.test.ts checks that they fit). */
export const USED_WORDS = I_ZEEK + ZEEK_WORDS;
export const ENTRY_WORDS = I_STRIDE;
const FIRST_ACK_SHIFT = 30;
const RST_SEEN = 1;
const CLOSED = 2;
/** A flow's bits kept here (F_BASE_SET is the tombstone's; F_FIRST_ACK goes with the flags). */
const FLOW_BITS = F_FIN_SENT | F_FIN_ACKED | F_SYN_SACK_PERMITTED | F_SYN_TIMESTAMPS | F_SYN_SEEN;
/** In the SYN's nanoseconds word: the connection was a continuation whose analysis started afresh. */
const AFRESH = 1 << 30;
/** restore()'s results. */
export const NOT_KEPT = 0;
export const RESTORED = 1;
/** Restored, but from a continuation whose analysis had started afresh: not Wireshark's state. */
export const RESTORED_AFRESH = 2;

/** Entries written in a small buffer (96 KB) before they are copied to the ring together. */
const STAGE = 256;
/**
 * Entries the ring laps at until the first continuation: every continuation of the real
 * captures of scripts/real-traffic came within 8 192 releases of its stream's.
 */
export const FIRST_LAP = 1 << 13;

export class AnalysisStates {
  /** Entries in the ring (a multiple of the stage's). */
  private readonly capacity: number;
  /**
   * Entries in use, where the ring laps: the first lap's (a multiple of the stage's, at most the
   * capacity) until restore() is first called, then the capacity.
   */
  private lap: number;
  /**
   * The ring's entries written so far: allocated at the first stage copied to it and doubled as
   * the stages reach its end, up to the capacity. Allocated whole at the start (12 MB), it cost every
   * capture of a run after the first: once a freed one has raised the C library's threshold for
   * fresh mappings, the next come from its heap and are zeroed there (0.1-9 ms an allocation of
   * 12 MB, measured alone), and each is 12 MB of external memory towards a collection. 37 fixture
   * captures checked in one run: 58 ms of 160 in the constructor, and the collections it caused
   * (docs/performance.md, "2026-12-07 (morning, 06:18)").
   */
  private ring: Uint8Array;
  private ringInts: Int32Array;
  private ringDoubles: Float64Array;
  /**
   * The stage: the newest entries, for ring positions stageStart to stageStart + staged - 1,
   * copied to the ring when it is full. Written one entry at a time straight into the ring
   * (bigger than the caches; a save comes every few microseconds among other work), each save
   * waited for the ring's lines: `save` took 31 ms of short1m's `check` (100 000 releases, 0.42
   * s; `node --cpu-prof`, five runs). The stage stays in cache: with 128-byte entries (32 KB)
   * `save` and the copies took 2 and 9 ms. With 384-byte entries (the story and Zeek's view
   * too), 25 and 12 ms: the story's and Zeek's objects are read cold; a stage of 64 entries was
   * no faster (docs/performance.md, 2026-12-03 evening).
   */
  private stage: Uint8Array;
  private stageInts: Int32Array;
  private stageDoubles: Float64Array;
  private readonly stageSize: number;
  private stageStart = 0;
  private staged = 0;
  /**
   * Zeek's history letters beyond the packed ones, by entry, for the entries that have any (a
   * string is not kept in the entry's words): nearly none do. An array of an empty string per
   * entry took 1.0-1.3 ms of every run's start to make (32 768 of them).
   */
  private readonly histMore = new Map<number, string>();

  constructor(capacity = ANALYSIS_STATES, firstLap = FIRST_LAP) {
    this.stageSize = Math.max(1, Math.min(STAGE, capacity));
    this.capacity = Math.ceil(Math.max(1, capacity) / this.stageSize) * this.stageSize;
    this.lap = Math.min(this.capacity, Math.ceil(Math.max(1, firstLap) / this.stageSize) * this.stageSize);
    // nothing until the first save (a capture that releases no connection, as most small ones,
    // allocates neither: 50 such captures in one run spent 4 ms of about 100 zeroing the two)
    this.ring = this.stage = NO_BYTES;
    this.ringInts = this.stageInts = NO_INTS;
    this.ringDoubles = this.stageDoubles = NO_DOUBLES;
    // replaced as the ring grows and at the first save, and the stage's place and count first
    // changed at the first save and flush: not taken for constants by the code that reads them
    // (real20's find() was thrown away at the first flush)
    settleMutable(this, ['ring', 'ringInts', 'ringDoubles', 'stage', 'stageInts', 'stageDoubles', 'stageStart', 'staged']);
  }

  /** The stage, made at the first save. */
  private makeStage(): void {
    this.stage = new Uint8Array(this.stageSize * BYTES);
    this.stageInts = new Int32Array(this.stage.buffer);
    this.stageDoubles = new Float64Array(this.stage.buffer);
  }

  /** Entries the ring has room for now (for tests). */
  get grown(): number {
    return this.ring.length / BYTES;
  }

  /** Entries the ring holds (for tests). */
  get allocated(): number {
    return this.capacity;
  }

  /** Entries in use: where the ring laps now (for tests). */
  get lapping(): number {
    return this.lap;
  }

  /**
   * Keeps the analysis state of `c`, being released; `aLower`: its endpoint a sorts first
   * (endpointIsLower), so a is stored as the lo direction. Returns the entry's index.
   */
  save(c: Connection, aLower: boolean): number {
    if (this.stage.length === 0) this.makeStage();
    if (this.staged === this.stageSize) this.flush();
    const k = this.staged++;
    const ints = this.stageInts;
    const dbl = this.stageDoubles;
    const o = k * I_STRIDE;
    const d = k * D_STRIDE;
    dbl[d + D_SYN_SEC] = c.synSec;
    dbl[d + D_IRTT_NS] = c.irttNs;
    dbl[d + D_IRTT] = c.irtt;
    ints[o + I_ID] = c.id;
    // (nanoseconds are below 2^30: the bit above says the state is not Wireshark's)
    ints[o + I_SYN_NSEC] = c.synNsec | (c.continuedAfresh ? AFRESH : 0);
    saveFlow(ints, o + I_DIR + (aLower ? 0 : I_PER_DIR), dbl, d + (aLower ? 0 : D_PER_DIR), c.a);
    saveFlow(ints, o + I_DIR + (aLower ? I_PER_DIR : 0), dbl, d + (aLower ? D_PER_DIR : 0), c.b);
    ints[o + I_COMPLETENESS] = c.completeness;
    ints[o + I_COMPLETENESS_FIRST] = c.completenessFirstPass;
    ints[o + I_CONN_BITS] = (c.sawRst ? RST_SEEN : 0) | (c.closed ? CLOSED : 0);
    saveStory(c.story, aLower, ints, o + I_STORY);
    saveZeek(c, aLower, ints, o + I_ZEEK);
    const index = this.stageStart + k;
    // (an entry overwritten loses what its previous connection kept: the map stays in bounds)
    if (c.zeekHistMore !== '') this.histMore.set(index, c.zeekHistMore);
    else if (this.histMore.size > 0) this.histMore.delete(index);
    return index;
  }

  /** Copies the full stage to its place in the ring, and starts the next. */
  private flush(): void {
    if ((this.stageStart + this.stageSize) * BYTES > this.ring.length) this.grow();
    this.ring.set(this.stage, this.stageStart * BYTES);
    this.stageStart += this.stageSize;
    if (this.stageStart === this.lap) this.stageStart = 0;
    this.staged = 0;
  }

  /**
   * Doubles the ring (up to the capacity, and at least to the stage being flushed), its entries
   * copied: the ring is written in order from its start until it first laps, so what it holds is
   * all below its end.
   */
  private grow(): void {
    const entries = Math.min(this.capacity, Math.max(2 * this.grown, this.stageStart + this.stageSize));
    const ring = new Uint8Array(entries * BYTES);
    ring.set(this.ring);
    this.ring = ring;
    this.ringInts = new Int32Array(ring.buffer);
    this.ringDoubles = new Float64Array(ring.buffer);
  }

  /**
   * Gives a continuation of connection `id` the state kept at `index`, when the entry is still
   * that connection's: F is the flow of the continuation's first packet's sender, R the other,
   * `senderLower` whether that sender is the lo endpoint. Returns NOT_KEPT (nothing changed) when
   * the entry has been overwritten since, RESTORED_AFRESH when the state was that of a
   * continuation whose analysis had started afresh (its flags may differ from Wireshark's, and
   * so may those of every later continuation of the stream), else RESTORED.
   */
  restore(index: number, id: number, c: Connection, F: Flow, R: Flow, senderLower: boolean): number {
    // a capture with continuations: the whole ring from now on (the next entries go on from
    // where the first lap had got to, over the oldest)
    this.lap = this.capacity;
    if (index < 0 || index >= this.capacity) return NOT_KEPT;
    // (an index is of an entry saved: staged, or flushed into the ring, which has grown past it)
    // in the stage, or in the ring (where the positions not staged yet still hold the lap before)
    const staged = index >= this.stageStart && index < this.stageStart + this.staged;
    const ints = staged ? this.stageInts : this.ringInts;
    const dbl = staged ? this.stageDoubles : this.ringDoubles;
    const at = staged ? index - this.stageStart : index;
    const o = at * I_STRIDE;
    const d = at * D_STRIDE;
    if (ints[o + I_ID] !== id) return NOT_KEPT;
    // whole numbers as small integers when they are (smiIfSmall): a pcap's seconds read back as
    // doubles made the connection's and the flows' fields doubles at the first continuation
    c.synSec = smiIfSmall(dbl[d + D_SYN_SEC]);
    c.irttNs = smiIfSmall(dbl[d + D_IRTT_NS]);
    c.irtt = dbl[d + D_IRTT];
    const synNsec = ints[o + I_SYN_NSEC];
    c.synNsec = synNsec & ~AFRESH;
    restoreFlow(ints, o + I_DIR + (senderLower ? 0 : I_PER_DIR), dbl, d + (senderLower ? 0 : D_PER_DIR), F);
    restoreFlow(ints, o + I_DIR + (senderLower ? I_PER_DIR : 0), dbl, d + (senderLower ? D_PER_DIR : 0), R);
    // the story and Zeek's view, from the side of F (the continuation's flow a)
    c.completeness = ints[o + I_COMPLETENESS];
    c.completenessBeforeLast = c.completeness;
    c.completenessFirstPass = ints[o + I_COMPLETENESS_FIRST];
    const bits = ints[o + I_CONN_BITS];
    c.sawRst = (bits & RST_SEEN) !== 0;
    c.closed = (bits & CLOSED) !== 0;
    restoreStory(c.story, senderLower, ints, o + I_STORY);
    restoreZeek(c, senderLower, ints, o + I_ZEEK, this.histMore.get(index) ?? '');
    return (synNsec & AFRESH) !== 0 ? RESTORED_AFRESH : RESTORED;
  }
}

function saveFlow(ints: Int32Array, o: number, dbl: Float64Array, d: number, f: Flow): void {
  ints[o + I_NEXTSEQ] = f.nextseq;
  ints[o + I_NEXTSEQ_NSEC] = f.nextseqNsec;
  ints[o + I_MAXSEQ] = f.maxseqtobeacked;
  ints[o + I_LASTACK] = f.lastack;
  ints[o + I_LASTACK_NSEC] = f.lastackNsec;
  ints[o + I_WINDOW] = f.window;
  ints[o + I_DUPACKS] = f.dupacknum;
  ints[o + I_FLAGS] = f.lastSegmentFlags | ((f.bits & F_FIRST_ACK) !== 0 ? 1 << FIRST_ACK_SHIFT : 0);
  ints[o + I_BITS] = f.bits & FLOW_BITS;
  ints[o + I_FIN_END] = f.finEnd;
  ints[o + I_SYN_MSS] = f.synMss;
  ints[o + I_SYN_WSCALE] = f.synWscale;
  dbl[d + D_NEXTSEQ_SEC] = f.nextseqSec;
  dbl[d + D_LASTACK_SEC] = f.lastackSec;
}

function restoreFlow(ints: Int32Array, o: number, dbl: Float64Array, d: number, f: Flow): void {
  f.nextseq = ints[o + I_NEXTSEQ];
  f.nextseqNsec = ints[o + I_NEXTSEQ_NSEC];
  f.maxseqtobeacked = ints[o + I_MAXSEQ];
  f.lastack = ints[o + I_LASTACK];
  f.lastackNsec = ints[o + I_LASTACK_NSEC];
  f.window = ints[o + I_WINDOW];
  f.dupacknum = ints[o + I_DUPACKS];
  const flags = ints[o + I_FLAGS];
  f.lastSegmentFlags = flags & ~(1 << FIRST_ACK_SHIFT);
  f.bits = (flags & (1 << FIRST_ACK_SHIFT)) !== 0 ? f.bits | F_FIRST_ACK : f.bits & ~F_FIRST_ACK;
  f.bits = (f.bits & ~FLOW_BITS) | ints[o + I_BITS];
  f.finEnd = ints[o + I_FIN_END];
  f.synMss = ints[o + I_SYN_MSS];
  f.synWscale = ints[o + I_SYN_WSCALE];
  f.nextseqSec = smiIfSmall(dbl[d + D_NEXTSEQ_SEC]);
  f.lastackSec = smiIfSmall(dbl[d + D_LASTACK_SEC]);
}
