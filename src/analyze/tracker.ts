/**
 * Connection tracking and Wireshark's TCP sequence analysis, one packet at a time.
 *
 * Emulates tshark 4.0.17 in a single pass (the version and mode the corpus references were
 * made with; docs/differences.md lists where and why we differ):
 * - Streams (tcp.stream): one per 4-tuple, numbered in order of first packet. A new stream
 *   starts on an existing 4-tuple only when a pure SYN arrives whose sequence number differs
 *   from that direction's base (a new ISN) — flagged `reused_ports`. A SYN with the same ISN
 *   stays in the stream (a retransmission), even after FIN or RST, as in 4.0 (later Wireshark
 *   releases also split on FIN/RST). A SYN-ACK with a new ISN re-bases that direction and is
 *   flagged `reused_ports` without a new stream (4.0 behaviour).
 * - Relative numbers: a direction's base is its ISN when its first packet is a SYN, else
 *   seq − 1; a packet with ACK sets the other direction's base to ack − 1 if it has none.
 * - Analysis flags: the decision order of tcp_analyze_sequence_number() (4.0), see the steps
 *   below; window scale from the SYNs (unknown without them, as Wireshark).
 * - tcp.completeness and the initial RTT (SYN → first ACK).
 *
 * The tracker never sees bytes: it reads the decoded Packet. It allocates only when a
 * connection is created; observers receive a reused PacketResult.
 */
import { getHeapStatistics } from 'node:v8';
import { Frame } from '../capture/frame.js';
import { Packet, TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST } from '../decode/packet.js';
import { BATCH, type PacketSink } from '../pipeline.js';
import { ConnectionTable, hash2Flows, matchesFlows } from '../flow/table.js';
import { MAX_REPEATS, PendingSyns } from '../flow/pending.js';
import { StampQueue } from '../flow/stamp-queue.js';
import { AnalysisStates, RESTORED, NOT_KEPT } from '../flow/analysis-states.js';
import { TombstoneStore, srcIsLower, endpointIsLower, ROLES_BY_SYN, ROLES_BY_SYN_ACK, ROLES_INFERRED, type Released } from '../flow/tombstones.js';
import {
  F_BASE_SET, F_FIN_ACKED, F_FIN_SENT, F_FIRST_ACK, F_SYN_SACK_PERMITTED, F_SYN_SEEN, F_SYN_TIMESTAMPS, newConnection, ownAnalysis, resetConnection,
  MAX_WSCALE, setFlowAddress, setFlowFlag, type Connection, type Flow, WSCALE_NONE, WSCALE_UNKNOWN,
} from './connection.js';
import { noteRoles } from './roles.js';
import { updateStory, analysisNote, NB_PEER_WINDOW_ZERO, NB_SENT_KEEP_ALIVE, NB_PEER_KEEP_ALIVE, NB_PEER_KEEP_ALIVE_ACK, N_CONTINUED, N_MIDSTREAM, rstEndsNothing, type StoryResult } from './story.js';
import { updateZeek } from './zeek.js';
import { seqAdd32, seqGe, seqGt, seqLt, seqLe, seqSub } from '../model/seq.js';
import { settleDoubles, settleElements, settleMutable } from '../util/shapes.js';
import {
  A_RETRANSMISSION, A_LOST_PACKET, A_ACK_LOST_PACKET, A_KEEP_ALIVE, A_DUPLICATE_ACK, A_ZERO_WINDOW,
  A_ZERO_WINDOW_PROBE, A_ZERO_WINDOW_PROBE_ACK, A_KEEP_ALIVE_ACK, A_OUT_OF_ORDER, A_FAST_RETRANSMISSION,
  A_WINDOW_UPDATE, A_WINDOW_FULL, A_REUSED_PORTS, A_SPURIOUS_RETRANSMISSION, ANALYSIS_ORDER,
  C_SYN, C_SYNACK, C_ACK, C_DATA, C_FIN, C_RST,
} from './flags.js';

const CTL = TCP_SYN | TCP_FIN | TCP_RST;
/** The flags that make a packet a pure SYN when only TCP_SYN of them is set. */
const CTL_ACK = CTL | TCP_ACK;
/** Wireshark: a fast retransmission comes within 20 ms of the last duplicate ACK (nanoseconds). */
const FAST_RETRANSMISSION_NS = 20_000_000;
/** Wireshark: out-of-order threshold when the initial RTT is unknown (nanoseconds). */
const DEFAULT_OOO_THRESHOLD_NS = 3_000_000;

/**
 * Nanoseconds from (sec0, nsec0) to (sec, nsec), as Wireshark's timing rules compute them: exact
 * integers (a double holds every difference within 104 days exactly, and beyond that only the
 * last nanoseconds of a difference far above any threshold are lost). Differences of doubles
 * of seconds since the first frame were not exact: 0.904806 - 0.904792 < 0.000014 in doubles,
 * so a segment 14 us after the highest was "out-of-order" under a 14 us initial RTT, where
 * Wireshark, with 14000 < 14000 false, says "retransmission".
 */
function nsSince(sec: number, nsec: number, sec0: number, nsec0: number): number {
  return (sec - sec0) * 1e9 + (nsec - nsec0);
}

/**
 * a < b as Wireshark compares them: both as guint64, so a negative difference (a timestamp
 * earlier than the one it is measured from: merged captures, a clock step) is a huge number,
 * never "within" a threshold; and a negative threshold (an initial RTT measured backwards) is
 * huge too.
 */
function belowU64(a: number, b: number): boolean {
  return (a < 0) === (b < 0) ? a < b : b < 0;
}
/**
 * Wireshark 4.0 stores -1 in the other direction's unsigned duplicate-ACK counter when an ack
 * runs past everything that direction sent ("ACKed unseen segment", see analyze()); as an
 * unsigned number it also passes the ">= 2 duplicate ACKs" test of the fast-retransmission
 * rule, so a retransmission right after it is "fast", and the next duplicate ACK is #1.
 * Kept as -1, an int32 as every field of the flows (analyze() tests it as Wireshark's unsigned
 * comparison does). Until 2026-12-05 it was 0xffffffff: the first ACKed unseen segment made the
 * flows' field a double in every connection (V8 replaced the shape, and the optimised code that
 * had seen it was thrown away), and a continuation's state, kept as int32s
 * (flow/analysis-states.ts), brought it back as -1, so the next duplicate ACK was #0.
 */
const DUPACK_REPORTED = -1;
/** Tracker.repeatOf(): the packet repeats no kept packet, the slot's first, or its answer. */
const NO_REPEAT = -1;
const REPEATS_FIRST = 0;
const REPEATS_ANSWER = 1;

/**
 * The packet's sequence number is not its direction's base, which is set: a new ISN, for a pure
 * SYN (port reuse) or a SYN-ACK (a re-based direction). Asked of every packet, whatever its flags,
 * by track() and handle(): asked only of a SYN or a SYN-ACK, its reads had no type feedback
 * until the first one sent again, and on real traffic that threw track()'s and handle()'s
 * optimised code away mid-capture.
 */
function newIsn(F: Flow, p: Packet): boolean {
  return (F.bits & F_BASE_SET) !== 0 && p.seq32 !== F.baseSeq;
}

/** What the analysis says about one packet; reused for every packet. */
export class PacketResult implements StoryResult {
  /** Phase (story.ts PH_*), both sides' states after the packet (ST_*), the note (N_*) and its numbers. */
  phase = 0;
  stateA = 0;
  stateB = 0;
  note = 0;
  n1 = 0;
  n2 = 0;
  n3 = 0;
  frame = 0;
  /** Seconds since the first frame of the capture. */
  time = 0;
  /** The frame's own timestamp, whole seconds and nanoseconds (0 and 0 without one), for the timing rules. */
  tsSec = 0;
  tsNsec = 0;
  /** True when the packet was sent by flow a (the connection's first sender). */
  fromA = true;
  /** Relative sequence and acknowledgement numbers (Wireshark's tcp.seq / tcp.ack). */
  seq = 0;
  ack = 0;
  /** Scaled window (tcp.window_size), the raw field when the scale is unknown or unused. */
  window = 0;
  /** Analysis flag bits (flags.ts). */
  analysis = 0;
  /** The other direction's base (raw), for the story's notes. */
  peerBase = 0;
  /** Wireshark's tcp.analysis.duplicate_ack_num when duplicate_ack is set. */
  dupAckNum = 0;
  /** For the notes (story.ts StoryResult): where the sender's data ended before this packet (relative). */
  gapFrom = 0;
  /** For the notes: the sender's raw window before this packet (-1: none yet). */
  prevWindow = 0;
  /** For the notes: story.ts NB_* bits of both directions' previous segments. */
  noteBits = 0;
  /** The packet started a new connection. */
  opened = false;

  constructor() {
    // the time has fractions from the second packet on, and the raw numbers are beyond 2^31 in
    // half of all connections: doubles from the start, not from some packet after the code that
    // reads them was optimised (util/shapes.ts). So are the relative numbers: beyond 2^31 after
    // 2 GB of a connection's data, or for a segment before its direction's base (a stray packet
    // on a reused 4-tuple); on 20 000 connections of real traffic their first one threw away
    // handle(), updateStory() and a dozen more ("wrong map", 2026-12-06)
    settleDoubles(this, ['time', 'n1', 'n2', 'n3', 'peerBase', 'seq', 'ack', 'gapFrom']);
  }
}

export interface PacketObserver {
  /** Called after each TCP packet has been analysed; all three objects are reused. */
  onPacket(c: Connection, r: PacketResult, f: Frame, p: Packet): void;
  /** Called when a connection leaves the table (replaced by a new stream on its 4-tuple). */
  onReplaced?(c: Connection): void;
  /** Called when a connection is finalised: released after closing, or at the end of input. */
  onFinal?(c: Connection): void;
  /**
   * True when the observer's output should be flushed before more connections are finalised:
   * finishStep() then returns early (its caller flushes between steps). Without it a step
   * finalises FINISH_STEP connections, whose output could be large (--json --packets).
   */
  wantsFlush?(): boolean;
}

export interface TrackerOptions {
  /**
   * Keep every connection in `connections` (needed for a document of all connections). When
   * false, a connection is forgotten once finalised and memory is bounded by the open ones.
   */
  keepAll?: boolean;
  /**
   * Release a closed connection (both FINs acknowledged, or a RST) after this many seconds of
   * capture time without packets; null never releases before the end of input. A later pure
   * SYN with a new ISN on the 4-tuple starts a new stream flagged reused_ports, exactly as in
   * Wireshark (the 4-tuple's bases are kept, see flow/tombstones.ts); any other later packet,
   * which Wireshark adds to the old stream, starts a continuation of it: a connection with the
   * old one's id, bases, client and analysis state (Connection.continued), counted in
   * `splitConnections`.
   */
  lingerSeconds?: number | null;
  /**
   * With lingerSeconds: release only the closed connections for which this says true; the others
   * stay until the end of input (or the cap, or the idle timeout), as without a linger. The lab
   * with a selection releases the connections it leaves out and keeps those it may answer for
   * whole (a later packet would start a continuation, and the key would be of part of them).
   * Asked once a connection, when it closes.
   */
  lingerOnly?: ((c: Connection) => boolean) | null;
  /**
   * Beyond this many closed connections waiting out the linger, the one closed longest ago is
   * released early, once it has had no packet for lingerMin seconds (memory stays bounded when
   * connections close faster than the linger). Default DEFAULT_LINGER_MAX.
   */
  lingerMax?: number;
  /**
   * Seconds of capture time a closed connection waits even beyond lingerMax (at most the
   * linger): the peer's retransmission of a FIN whose last ACK was lost, and the ACK answering
   * it, come one retransmission timeout after the close. Default DEFAULT_LINGER_MIN.
   */
  lingerMin?: number;
  /** Beyond this many closed connections waiting, the one closed longest ago is released at once. Default DEFAULT_LINGER_HARD. */
  lingerHard?: number;
  /**
   * Released connections whose analysis state and story are kept for their continuations (the
   * most recent; default ANALYSIS_STATES, 32 768; FIRST_LAP, 8 192, until the first continuation).
   */
  analysisStates?: number;
  /** Finalise an open connection after this many seconds of capture time without packets; null: never. */
  idleTimeout?: number | null;
  /**
   * At most this many connections in the table at once: opening one more releases the closed
   * connection waiting out its linger longest (not counted), or else finalises the least
   * recently active (counted in `evicted`). Default defaultMaxConnections().
   */
  maxConnections?: number;
  /**
   * Reuse the objects of finalised connections for new ones (reset as new): for an observer that
   * keeps no reference to a connection once onFinal has returned (the CLI's outputs and check).
   * Saves allocating, and collecting, a connection's dozen objects per connection.
   */
  reuseConnections?: boolean;
  /**
   * Take packets in batches (see prepare()) while at least this many connections are open
   * (default DEFAULT_BATCH_FROM; 0: always, Infinity: never). The results are the same either
   * way: only the time differs.
   */
  batchFrom?: number;
  /**
   * Keep a pure SYN that opens no connection as its packet's fields (flow/pending.ts), and make
   * its connection, replaying the SYN into it, only when a later packet of its 4-tuple comes, or
   * when the cap, the idle timeout or the end of input finalises it. A SYN flood's million
   * half-open connections then cost about 100 bytes each instead of 1.1 KB of objects (and a
   * packet record each, with `--packets` or the walkthrough, until the end). Its answer, the
   * first SYN-ACK from the other end, is kept with it (a SYN flood in its victim's capture), and
   * the packet after makes the connection, both replayed. The
   * connections and every finalisation are the same; only the observer's onPacket sees a kept
   * SYN late, just before its connection's next packet or its onFinal, so an observer may allow
   * it only if it keeps its packets per connection or ignores them, unless echoKeptSyn is set
   * too. Needs keepAll false.
   */
  deferSyn?: boolean;
  /**
   * With deferSyn, the observer's onPacket sees a kept SYN as it arrives, in the capture's order,
   * and not again when its connection is made: for observers that write packets in order as they
   * come (NDJSON's packet lines, `--format packets`). The SYN is handled then on a connection
   * made for that moment alone, as open() would have made it, and cleared after, so such an
   * observer must not keep the connection it is given (its id, addresses and ports, and the
   * packet's result, are the ones the connection made at the SYN would give).
   */
  echoKeptSyn?: boolean;
  /**
   * With deferSyn, keep not only a pure SYN that opens a connection but any packet that opens
   * one (an ACK flood's or a scan's, a backscatter's SYN-ACK, a capture's mid-stream first
   * packet), unless it is a RST (which closes its connection at once, to be released after its
   * linger: kept, it would be finalised later, out of order), carries SACK blocks (the story
   * reads a D-SACK's edges, which PendingSyns does not keep) or is a short segment. The machinery
   * keeps the SYN names it was made with: a "kept SYN" is then any kept packet. For observers
   * that read no more of a packet than PendingSyns keeps (flow/pending.ts), which the lab's
   * collector, reading payloads, does not.
   */
  deferAnyFirst?: boolean;
  /**
   * With deferSyn, SYNs are kept only while at least this many connections are open (0: always),
   * and only under a cap of at least four times as many (DEFER_SYN_CAP). By default the
   * threshold adapts (DEFER_SYN_EARLY, DEFAULT_DEFER_SYN_FROM). The connections are the same
   * either way.
   */
  deferSynFrom?: number;
}

/**
 * Open connections from which a pure SYN is kept as its packet (TrackerOptions.deferSyn) when
 * the SYNs kept are answered: below it the connections' objects take about 70 MB at most, and
 * keeping a SYN to make its connection at the answer only costs, since every connection of a
 * capture of short connections starts so (short1m tracked alone, SYNs kept from the first:
 * 0.75-0.95 s against 0.68-0.89 s, five runs each). It is also the threshold of the cap's
 * condition (DEFER_SYN_CAP).
 */
export const DEFAULT_DEFER_SYN_FROM = 65_536;
/**
 * By default SYNs are kept from this many open connections on when they look like a flood's:
 * when the count is first reached, at least 7/8 of the open connections must have had packets
 * from one side only, or only a SYN and its SYN-ACK (UNANSWERED_EIGHTHS), else the threshold is DEFAULT_DEFER_SYN_FROM. And of
 * every DEFER_SYN_WINDOW SYNs kept then, the kept SYNs whose connection a later packet made (an
 * answer, or the SYN sent again) must be fewer than half, else the threshold is
 * DEFAULT_DEFER_SYN_FROM until they are (which, below that many open, is never: no SYN is kept
 * to count). A SYN flood makes 10 000 connections' objects instead of 65 536, fresh pages
 * copied twice by the scavenger, and a busy server's capture keeps no SYN before 65 536 open
 * (docs/performance.md, "2026-12-05 (morning)"). Fewer would not help: below
 * MIN_DEFAULT_MAX_CONNECTIONS open the cap is not known yet, and no SYN is kept.
 */
export const DEFER_SYN_EARLY = 10_000;
/** DEFER_SYN_EARLY's first look: the share of open connections (in eighths) answered by nothing. */
const UNANSWERED_EIGHTHS = 7;
/** Kept SYNs counted between two looks at how many were answered (DEFER_SYN_EARLY). */
export const DEFER_SYN_WINDOW = 4096;
/**
 * SYNs are kept only under a cap on open connections at least this many times the threshold in
 * force (65 536, or DEFER_SYN_EARLY's 10 000 for a flood): under a smaller one the connections
 * themselves take little, and a flood past the cap would keep each SYN only to make its
 * connection when evicting it. Until 2026-12-07 the threshold here was always 65 536: a flood
 * under `--max-connections 100000` kept nothing and made 100 000 connections' objects, more
 * memory than the default cap's (the bench's synflood, NDJSON: 231 MB against 215, 2.4 s; with
 * SYNs kept from 10 000 open, 130 MB in the same time; docs/performance.md).
 */
const DEFER_SYN_CAP = 4;

/** Finalised connections kept for reuse, at most. */
const SPARE_CONNECTIONS = 1024;
/**
 * Entries of the least-recently-active queue and of its stamps to start with (Tracker.lru,
 * slotStamp). Small, so that their growth and the queue's compaction first run among the
 * capture's first connections, while the code is still interpreted: from 4 096, they first ran
 * mid-capture on real traffic and each threw away the optimised code it had been inlined into
 * (`--trace-deopt`, 2026-12-06).
 */
const LRU_MIN = 16;

/** The default cap on open connections is never below this. */
const MIN_DEFAULT_MAX_CONNECTIONS = 10_000;
let defaultMax = 0;

/**
 * Default cap on simultaneously open connections: a million, or fewer when the JavaScript heap
 * could not hold them (an open connection with its rendering costs about 2.5 KB; a SYN flood
 * then evicts instead of exhausting memory). Asked of node:v8 when first needed, not when the
 * module loads: loading node:v8 took about 1.8 ms of every start, and a tracker needs the value
 * only once MIN_DEFAULT_MAX_CONNECTIONS connections are open at once.
 */
export function defaultMaxConnections(): number {
  if (defaultMax === 0) {
    defaultMax = Math.max(MIN_DEFAULT_MAX_CONNECTIONS, Math.min(1_000_000, Math.floor(getHeapStatistics().heap_size_limit / 4096)));
  }
  return defaultMax;
}
/** Connections finalised per finishStep(). */
const FINISH_STEP = 1024;
/**
 * Default cap on closed connections waiting out their linger. Each one waiting is a whole
 * connection kept alive past the young generation: with 1024, a capture of short connections
 * paid for it in promotion and old-space collection (10M packets / 1M connections: ndjson peak
 * RSS 152-161 MB, against 134 MB with 256). 256 closes is still a linger of seconds on a server
 * closing 100 connections a second; sparser captures keep the full 60 s.
 */
export const DEFAULT_LINGER_MAX = 256;
/**
 * Beyond DEFAULT_LINGER_MAX waiting, a closed connection still waits this long (seconds of
 * capture time since its last packet), up to DEFAULT_LINGER_HARD waiting. A server closing 1 000
 * connections a second, with 1% loss, had a last ACK lost every few seconds: the peer sent its
 * FIN again 0.3-0.6 s later (its retransmission timeout) and got a second ACK, and with only 256
 * waiting (a quarter of a second of closes) the two packets came after the release, a
 * continuation record whose analysis started afresh (Wireshark: a retransmission and a duplicate
 * ACK in the same stream; check failed `handshake=three-way` on it). 1 024 waiting cost the
 * 100 000-connection bench capture (14 000 closes a second of capture time, always at the
 * bound) about 0.03 s of 0.36 (check) and 2 MB; 4 096 cost 0.06 s and 13 MB.
 */
export const DEFAULT_LINGER_MIN = 3;
/** Closed connections waiting, beyond which the one closed longest ago is released at once. */
export const DEFAULT_LINGER_HARD = 1024;

/** The bits of a spurious and of a fast retransmission (each is a retransmission too). */
const SPURIOUS_BITS = A_SPURIOUS_RETRANSMISSION | A_RETRANSMISSION;
const FAST_BITS = A_FAST_RETRANSMISSION | A_RETRANSMISSION;

/**
 * Open connections from which packets come in batches (TrackerOptions.batchFrom): about what the
 * second-level cache holds (2 048 connections of 1.2 KB are 2.5 MB of the 4 MB here). Below it
 * they are in cache anyway, and the batch's loads would only add their own time.
 */
export const DEFAULT_BATCH_FROM = 2048;
/**
 * A packet comes from afar when the connection changed more than this many times (LRU stamps)
 * since its connection's last packet: its objects are likely out of the second-level cache.
 */
const FAR_STAMPS = 2048;
/** Frames over which the share of packets from afar is counted (Tracker.farOften). */
const FAR_WINDOW = 4096;
/** Batches are wanted while at least one packet in FAR_SHARE comes from afar. */
const FAR_SHARE = 3;
/**
 * A switch of connection is in creation order when the new connection's id is 1 to this many
 * above the previous one's. When most switches of a window are (a server answering its clients
 * in turn, the capture's connections taken round-robin), memory is read about in the order the
 * connections were made, the processor's prefetchers load it ahead, and batches only cost:
 * round-robin over 10 000 of the concurrent bench capture's connections took 0.84 s batched and
 * 0.72 one at a time, where the capture's own order, drawn at random, takes 0.76 and 0.90.
 */
const IN_ORDER_SPAN = 8;

/** The first packets on which track() calls releaseDue() though nothing waits (see track()). */
const RELEASE_WARMUP = 64;
/** Closed connections loaded at once ahead of their release (releaseDue), a power of two. */
const RELEASE_AHEAD = 32;

/**
 * Loads every cache line of the connections cs[from] to cs[n - 1] (a batch's, or the next to be
 * released), their flows, story and Zeek's record (the
 * fields read are eight or fewer apart, a field being 8 bytes, a record's words sixteen or
 * fewer, a word being 4), and the end of their packet records, in rounds of independent loads:
 * each round's objects are known from the round before. Returns a sum of what it read, which the
 * caller keeps, so that the loads are made.
 */
function touchConnections(cs: Connection[], from: number, n: number): number {
  let s = 0;
  for (let i = from; i < n; i++) {
    const c = cs[i];
    s += c.id + c.completenessFirstPass + c.firstTime + c.lastTime + c.analysis.length + c.slot;
  }
  for (let i = from; i < n; i++) {
    const c = cs[i];
    const a = c.a;
    const b = c.b;
    const st = c.story;
    const z = c.zeekWords;
    const at = c.zeekAt;
    s += a.addr0 + a.nextseqSec + a.dupacknum + a.synWscale + b.addr0 + b.nextseqSec + b.dupacknum + b.synWscale +
      st.stateA + st.secondSynFrame + st.fin2AckFrame + st.lastDataFrame + z[at] + z[at + 15] + z[at + 27];
    // the packet records an output collects for it (PacketCollector, render/json.ts), where the
    // next is pushed
    const rec = c.records as unknown[] | null;
    if (rec !== null) {
      const len = rec.length;
      if (len > 0 && rec[len - 1] === undefined) s++;
    }
  }
  return s | 0;
}

/**
 * The connections of `list` in id order, in place. Each id is read once: a sort's comparisons
 * read them again and again, a cache miss each time with a million connections open (the
 * SYN-flood bench's end took about 0.05 s less without them: docs/performance.md). Already in
 * order (the table's slots are taken in order of opening until some are freed), the list is
 * returned as it is; with ids spread over at most four times their number, each is put at its
 * place in an array as long as that span (the open connections' ids are distinct); otherwise, or
 * when two share an id, sorted.
 */
export function inIdOrder(list: Connection[]): Connection[] {
  const n = list.length;
  if (n < 2) return list;
  let min = list[0].id;
  let max = min;
  let prev = min;
  let sorted = true;
  for (let i = 1; i < n; i++) {
    const id = list[i].id;
    if (id < prev) sorted = false;
    if (id < min) min = id;
    else if (id > max) max = id;
    prev = id;
  }
  if (sorted) return list;
  if (max - min >= 4 * n) return list.sort((x, y) => x.id - y.id);
  const placed = new Array<Connection | null>(max - min + 1).fill(null);
  for (let i = 0; i < n; i++) {
    const at = list[i].id - min;
    // two of one id (not the open connections'): sorted instead, every one kept
    if (placed[at] !== null) return list.sort((x, y) => x.id - y.id);
    placed[at] = list[i];
  }
  let k = 0;
  for (let i = 0; i < placed.length; i++) {
    const c = placed[i];
    if (c !== null) list[k++] = c;
  }
  return list;
}

export class Tracker implements PacketSink {
  readonly table = new ConnectionTable();
  /** Every connection in id order, when kept (keepAll); else only the open ones are in the table. */
  readonly connections: Connection[] = [];
  readonly result = new PacketResult();
  /** Connections finalised because the open-connection cap was reached. */
  evicted = 0;
  /** Connections finalised by the idle timeout. */
  idleReleased = 0;
  /**
   * Continuations (Connection.continued): connections started on a 4-tuple whose earlier
   * connection had been finalised (released, idle or evicted) by a packet Wireshark adds to
   * that earlier stream.
   */
  splitConnections = 0;
  /**
   * Continuations whose analysis went on from their stream's state (flow/analysis-states.ts);
   * the others, splitConnections less these, started afresh.
   */
  continuedAnalysis = 0;
  /** Most connections open at once. */
  maxOpen = 0;
  private nextId = 0;
  /** The connection of the previous packet. */
  private last: Connection | null = null;
  /** The batch's hashes and connections (prepare()). */
  private readonly batchHash = new Int32Array(BATCH);
  private readonly batchConns: Connection[] = new Array<Connection>(BATCH);
  /**
   * What touchConnections() read (kept so that its loads are made), as an int32: a sum with
   * fractions made it a double, which changed the tracker's shape mid-capture (util/shapes.ts).
   */
  touched = 0;
  /** Batches prepared (PacketSink.prepare). */
  batches = 0;
  private readonly batchFrom: number;
  /** Whether, over the last FAR_WINDOW frames, packets often came from afar (see batchWanted()). */
  private farOften = true;
  private farTouches = 0;
  private windowFrame = 0;
  /** Switches of connection (lruTouch) in the window, those in creation order, the last one's id. */
  private windowTouches = 0;
  private inOrderTouches = 0;
  private touchId = -1;
  private t0Sec = 0;
  private t0Nsec = 0;
  private haveT0 = false;

  private readonly keepAll: boolean;
  /** Finalised connections to be reused (reuseConnections), reset. */
  private readonly spare: Connection[] = [];
  private readonly reuse: boolean;
  private readonly linger: number;
  private readonly lingering: boolean;
  private readonly lingerOnly: ((c: Connection) => boolean) | null;
  private readonly lingerMax: number;
  private readonly lingerMin: number;
  private readonly lingerHard: number;
  private readonly idle: number;
  private readonly idling: boolean;
  /**
   * The cap on open connections, or, while the default's value is not known yet
   * (`capKnown` false), the least the default can be: open() asks for the default when as many
   * connections are open.
   */
  private maxConnections: number;
  private capKnown: boolean;
  /** The cap on open connections in force. */
  get maxConnectionsCap(): number {
    if (!this.capKnown) this.knowCap();
    return this.maxConnections;
  }
  /** Closed connections waiting out the linger, in order of closing. */
  private readonly releaseQueue: Connection[] = [];
  private releaseHead = 0;
  /** Packets left on which track() calls releaseDue() with nothing to release (RELEASE_WARMUP). */
  private releaseWarmup = RELEASE_WARMUP;
  /**
   * Open connections, least recently active first, as a queue of (table slot, stamp): each
   * packet of a connection appends an entry with a new stamp and gives its slot that stamp
   * (slotStamp), so the entry of a connection's last packet is its only valid one and the valid
   * entries are in the order of last activity. A connection's earlier entries, and those of
   * connections finalised since, are skipped when met at the head (lruFirst) and dropped when
   * the queue is full (flow/stamp-queue.ts). A packet writes only the queue's end and its slot's stamp,
   * and the queue is checked against the stamps, never against the connections: a doubly linked
   * list through the connections cost two cache misses a packet (its neighbours) when consecutive
   * packets are of different connections, as in a busy server's capture.
   */
  private readonly lru = new StampQueue(LRU_MIN);
  /** The last stamp given. */
  private lruClock = 0;
  /** By table slot: the stamp of its connection's last packet, -1 for a free slot. */
  private slotStamp = new Float64Array(LRU_MIN).fill(-1);
  /** 4-tuples whose connection was finalised before the end of input. */
  private readonly tombstones = new TombstoneStore();
  /** What release() hands the tombstones (one object, filled again). */
  private readonly released: Released = {
    hash: 0, hash2: 0, aLower: false, baseA: 0, setA: false, baseB: 0, setB: false, id: 0, clientIsA: true, roles: ROLES_INFERRED,
    scaleA: WSCALE_UNKNOWN, scaleB: WSCALE_UNKNOWN, memory: -1,
  };
  /** The analysis state of the connections released most recently, for their continuations. */
  private readonly states: AnalysisStates;
  /** Pure SYNs kept as their packets until their connection is needed (deferSyn), else null. */
  private readonly pending: PendingSyns | null;
  /** The threshold of the cap's condition (DEFER_SYN_CAP), and the one SYNs are kept from now. */
  private readonly deferFrom: number;
  private deferNow: number;
  /** The threshold adapts (DEFER_SYN_EARLY): kept SYNs counted since the last look, and those answered. */
  private readonly deferAdapts: boolean;
  /** deferAnyFirst: packets other than pure SYNs are kept too. */
  private readonly deferAny: boolean;
  /** DEFER_SYN_EARLY's first look is over. */
  private deferLooked = false;
  private keptInWindow = 0;
  /** SYNs kept so far (deferSyn). */
  keptSyns = 0;
  /** Their answers kept with them so far (keepAnswer()). */
  keptAnswers = 0;
  /** Repeats of them or of their answers kept with them so far (keepRepeat()). */
  keptRepeats = 0;
  private answeredInWindow = 0;
  /** echoKeptSyn: the connection a kept SYN is shown on as it arrives (echoSyn), else null. */
  private readonly echoConnection: Connection | null;
  /** While a kept SYN that was shown as it arrived is replayed: the observer does not see it again. */
  private replayingEchoed = false;
  /** The frame and packet a kept SYN is replayed from. */
  private readonly replayFrame: Frame;
  private readonly replayPacket: Packet;
  /** finishStep()'s kept SYNs, in id order, and how many of them are finalised. */
  private closingSyns: Int32Array | null = null;
  private closingSynsAt = 0;

  constructor(private readonly observer: PacketObserver | null = null, opts: TrackerOptions = {}) {
    this.keepAll = opts.keepAll ?? true;
    this.lingering = opts.lingerSeconds !== undefined && opts.lingerSeconds !== null;
    this.linger = opts.lingerSeconds ?? 0;
    this.lingerOnly = opts.lingerOnly ?? null;
    this.lingerMax = opts.lingerMax ?? DEFAULT_LINGER_MAX;
    this.lingerMin = Math.min(this.linger, opts.lingerMin ?? DEFAULT_LINGER_MIN);
    this.lingerHard = Math.max(this.lingerMax, opts.lingerHard ?? DEFAULT_LINGER_HARD);
    this.idling = opts.idleTimeout !== undefined && opts.idleTimeout !== null;
    this.idle = opts.idleTimeout ?? 0;
    this.capKnown = opts.maxConnections !== undefined;
    this.maxConnections = this.capKnown ? Math.max(1, opts.maxConnections as number) : MIN_DEFAULT_MAX_CONNECTIONS;
    this.reuse = (opts.reuseConnections ?? false) && !this.keepAll;
    this.batchFrom = opts.batchFrom ?? DEFAULT_BATCH_FROM;
    this.states = new AnalysisStates(opts.analysisStates);
    this.pending = opts.deferSyn === true && !this.keepAll ? new PendingSyns() : null;
    this.deferFrom = opts.deferSynFrom ?? DEFAULT_DEFER_SYN_FROM;
    this.deferAdapts = opts.deferSynFrom === undefined;
    this.deferAny = opts.deferAnyFirst === true;
    this.deferNow = this.deferAdapts ? DEFER_SYN_EARLY : this.deferFrom;
    this.echoConnection = this.pending !== null && opts.echoKeptSyn === true ? newConnection() : null;
    this.replayFrame = new Frame();
    this.replayPacket = new Packet();
    // stored to first somewhere in a capture, not at its start: the first continuation, eviction
    // or idle release, the LRU's first growth, the first look at a flood or at
    // the cap, the first batch (on real traffic, handle(), track() and a dozen more were thrown
    // away for them; the concurrent bench capture's track() at its first batch)
    settleMutable(this, ['evicted', 'idleReleased', 'splitConnections', 'continuedAnalysis', 'slotStamp', 'farOften',
      'deferLooked', 'deferNow', 'capKnown', 'maxConnections', 'releaseHead', 'touched', 'farTouches', 'inOrderTouches',
      'windowTouches', 'windowFrame', 'touchId', 'batches']);
    // the pool of finalised connections holds connections from its first release on
    settleElements(this.spare, newConnection());
  }

  /** Open connections from which a pure SYN is kept now (deferSyn; see DEFER_SYN_EARLY). */
  get deferringFrom(): number {
    return this.deferNow;
  }

  /** Connections open now: in the table, and kept as their SYN. */
  get openCount(): number {
    return this.table.size + (this.pending === null ? 0 : this.pending.size);
  }

  /** The smallest id of the open connections (kept SYNs included), -1 when none is open. */
  lowestOpenId(): number {
    const open = this.table.lowestId();
    if (this.pending === null) return open;
    const s = this.pending.first();
    // the queue is in id order: its first is the smallest kept
    const kept = s < 0 ? -1 : this.pending.id(s);
    return open < 0 ? kept : kept < 0 ? open : Math.min(open, kept);
  }

  /** Finalises every connection still open (end of input). */
  finish(): void {
    while (!this.finishStep()) { /* all at once */ }
  }

  private closing: Connection[] | null = null;
  private closingAt = 0;
  /** finishStep()'s progress: connections finalised so far, of how many (both 0 before it starts). */
  get finishDone(): number {
    return this.closingAt + this.closingSynsAt;
  }
  finishTotal = 0;

  /**
   * End of input, a step at a time: finalises up to FINISH_STEP of the connections still open
   * (in id order) and returns true once none is left, so a caller can flush output between steps
   * (a million open connections would otherwise be rendered into memory at once).
   */
  finishStep(): boolean {
    if (this.closing === null) {
      this.closing = inIdOrder(this.table.list());
      // nothing is looked up from here on (the input has ended)
      this.table.forgetIndex();
      this.closingAt = 0;
      this.closingSyns = this.pending === null ? null : this.pending.inOrder();
      this.pending?.forgetIndex();
      this.closingSynsAt = 0;
      this.finishTotal = this.closing.length + (this.closingSyns === null ? 0 : this.closingSyns.length);
    }
    const list = this.closing;
    const syns = this.closingSyns;
    const nSyns = syns === null ? 0 : syns.length;
    const obs = this.observer;
    let i = this.closingAt;
    let j = this.closingSynsAt;
    const end = i + j + FINISH_STEP;
    // the open connections and the kept SYNs, both in id order, merged
    while (i + j < end && (i < list.length || j < nSyns)) {
      if (j < nSyns && (i === list.length || (this.pending as PendingSyns).id((syns as Int32Array)[j]) < list[i].id)) {
        // its connection made now, outside the table
        this.finalise(this.materialise((syns as Int32Array)[j], false));
        j++;
      } else {
        this.finalise(list[i]);
        list[i] = null as unknown as Connection;
        i++;
      }
      if (obs !== null && obs.wantsFlush !== undefined && obs.wantsFlush()) break;
    }
    this.closingAt = i;
    this.closingSynsAt = j;
    if (i < list.length || j < nSyns) return false;
    this.closing = null;
    this.closingSyns = null;
    return true;
  }

  /** Takes an open connection out of the table, and so out of the least-recently-active queue. */
  private removeOpen(c: Connection): void {
    this.slotStamp[c.slot] = -1;
    this.table.remove(c);
  }

  private finalise(c: Connection): void {
    // (a kept SYN's connection made at the end of input is not in the table)
    if (c.slot >= 0) this.removeOpen(c);
    if (this.observer?.onFinal) this.observer.onFinal(c);
    // one still in the release queue (evicted or idle while it lingered) is left alone: the
    // queue would find it there again
    if (this.reuse && !c.queuedForRelease && this.spare.length < SPARE_CONNECTIONS) {
      resetConnection(c);
      this.spare.push(c);
    }
  }

  /** Finalises a connection before the end of input, remembering its 4-tuple and its analysis state. */
  private release(c: Connection): void {
    const a = c.a;
    const b = c.b;
    const r = this.released;
    r.hash = c.hash;
    r.hash2 = hash2Flows(a, b, c.ipVersion);
    r.aLower = endpointIsLower(a, b);
    r.baseA = a.baseSeq;
    r.setA = (a.bits & F_BASE_SET) !== 0;
    r.baseB = b.baseSeq;
    r.setB = (b.bits & F_BASE_SET) !== 0;
    r.id = c.id;
    r.clientIsA = c.clientIsA;
    r.roles = !c.rolesFixed ? ROLES_INFERRED : c.clientBy === 'syn' ? ROLES_BY_SYN : ROLES_BY_SYN_ACK;
    r.scaleA = a.winScale;
    r.scaleB = b.winScale;
    r.memory = this.states.save(c, r.aLower);
    // before onFinal: the tombstone's writes go to random places in tables bigger than the
    // caches, and onFinal's work covers their wait (put after onFinal, they held up
    // resetConnection's writes: 13 ms of short1m's `check`)
    this.tombstones.put(r);
    this.finalise(c);
  }

  /**
   * Releases closed connections at the head of the queue while lingerOver() says so, at the
   * current packet's time.
   *
   * The time is read from the result (track() stored it there), never passed: when track()
   * passed its time `t` to a call, V8 boxed `t` as a heap number where it was computed, for
   * every packet, although these calls are rare. The calls were releaseDue, releaseIdle and
   * open. Measured on real4 (612 000 packets) with the sampling heap profiler: track's
   * allocations were 11.4 MB with them and 6.9 MB without (docs/performance.md).
   */
  private releaseDue(): void {
    const q = this.releaseQueue;
    while (this.releaseHead < q.length) {
      const h = this.releaseHead;
      const c = q[h];
      if (!this.lingerOver(c, q.length - h)) break;
      // the next RELEASE_AHEAD to be released loaded together, once per RELEASE_AHEAD
      // with the tombstone index slots and filter words their puts will read
      if ((h & (RELEASE_AHEAD - 1)) === 0) {
        const end = Math.min(q.length, h + RELEASE_AHEAD);
        let s = touchConnections(q, h, end);
        for (let i = h; i < end; i++) s += this.tombstones.touch(q[i]!.hash);
        this.touched = (this.touched + s) | 0;
      }
      this.releaseHead++;
      c.queuedForRelease = false;
      if (c.slot >= 0) this.release(c);
    }
    this.compactReleaseQueue();
  }

  /**
   * Whether `c`, the closed connection at the head of the release queue with `waiting` in it,
   * is to be released at the current packet's time: its linger passed, or lingerMin with more
   * than lingerMax waiting, or at once with more than lingerHard.
   * It reads the time from the result, as releaseDue() does, rather than take it as an argument:
   * track() calls it for every packet while connections wait, and whether V8 inlines it there
   * depends on when track() is compiled (a concurrent job, so from run to run): not inlined, the
   * time was boxed as a heap number for every such packet. On the concurrent bench capture
   * (`check`) track() allocated 15 MB in 3 runs of 4 (the sampling heap profiler, collected
   * objects included), none with the time read here (docs/performance.md).
   */
  private lingerOver(c: Connection, waiting: number): boolean {
    // (every field read each time: lingerMin read only past lingerMax waiting threw track()'s
    // optimised code away the first time so many waited, mid-capture)
    const t = this.result.time;
    const min = this.lingerMin;
    const linger = this.linger;
    const hard = this.lingerHard;
    return c.lastTime + (waiting > this.lingerMax ? min : linger) <= t || waiting > hard;
  }

  /**
   * Drops the queue's released entries once they are most of it (no reference to them is kept),
   * in place: a new array in the field threw away the optimised code that had taken the field as
   * a constant (util/shapes.ts).
   */
  private compactReleaseQueue(): void {
    const q = this.releaseQueue;
    if (this.releaseHead > 1024 && this.releaseHead * 2 > q.length) {
      q.copyWithin(0, this.releaseHead);
      q.length -= this.releaseHead;
      this.releaseHead = 0;
    }
  }

  /**
   * At the cap on open connections: releases the connection closed longest ago that still waits
   * out its linger, as if its linger had passed, and returns true; false when none waits. A
   * closed connection is not open in the cap's sense, and releasing it early is what lingerMax
   * does anyway: counting it as evicted, with the warning, told a capture of short connections
   * under `--max-connections 100` that 99 900 connections had been "finalised early because more
   * than 100 were open at once" when at most a handful ever were.
   */
  private releaseClosed(): boolean {
    const q = this.releaseQueue;
    while (this.releaseHead < q.length) {
      const c = q[this.releaseHead++];
      c.queuedForRelease = false;
      if (c.slot >= 0) {
        this.release(c);
        this.compactReleaseQueue();
        return true;
      }
    }
    this.compactReleaseQueue();
    return false;
  }

  /** Finalises open connections idle for longer than the timeout (least recently active first). */
  private releaseIdle(): void {
    const t = this.result.time;
    const idle = this.idle;
    for (;;) {
      let c = this.lruFirst();
      const s = this.pendingFirst(c);
      if (s >= 0) {
        // a kept SYN was active longest ago: its time is its SYN's
        if ((this.pending as PendingSyns).time(s, this.t0Sec, this.t0Nsec) + idle >= t) return;
        c = this.materialise(s, true);
      } else if (c === null || c.lastTime + idle >= t) {
        return;
      }
      this.idleReleased++;
      this.release(c);
    }
  }

  /**
   * The kept SYN that was active longer ago than `c`, the least recently active open
   * connection (null: none open), or -1 when there is none such (or none kept).
   */
  private pendingFirst(c: Connection | null): number {
    const pend = this.pending;
    if (pend === null || pend.size === 0) return -1;
    const s = pend.first();
    if (s < 0 || (c !== null && this.slotStamp[c.slot] < pend.stamp(s))) return -1;
    return s;
  }

  /**
   * At the cap (open connections and kept SYNs): releases a closed connection still waiting out
   * its linger, else finalises the least recently active, a kept SYN's connection made for it.
   */
  private makeRoom(): void {
    if (this.openCount >= this.maxConnections && !this.capKnown) this.knowCap();
    if (this.openCount >= this.maxConnections && !this.releaseClosed()) {
      // the cap, with no closed connection to release first: the least recently active open
      // connection makes room
      let first = this.lruFirst();
      const s = this.pendingFirst(first);
      if (s >= 0) first = this.materialise(s, true);
      if (first !== null) {
        this.evicted++;
        this.release(first);
      }
    }
  }

  /**
   * Makes the connection of the SYN kept in `slot` and replays the SYN into it, as track() would
   * have when it came (its id, time and frame; no linger, idle or cap check, no look-up: it was
   * counted open when kept). `attached`: into the table, as the most recently active (it is
   * about to get a packet, or to be released); else outside it (end of input). The result of
   * the packet being handled, if any, is left as it was.
   */
  private materialise(slot: number, attached: boolean): Connection {
    const pend = this.pending as PendingSyns;
    const r = this.result;
    const frame = r.frame;
    const time = r.time;
    const tsSec = r.tsSec;
    const tsNsec = r.tsNsec;
    const analysis = r.analysis;
    const dupAckNum = r.dupAckNum;
    const wasOpened = r.opened;
    const f = this.replayFrame;
    const p = this.replayPacket;
    const hash = pend.hash(slot);
    const id = pend.id(slot);
    pend.load(slot, f, p);
    this.begin(f);
    const c = this.made(p, f, id);
    if (attached) {
      this.table.insert(c, hash);
      this.lruTouch(c);
    } else {
      c.hash = hash;
    }
    r.opened = true;
    this.replayingEchoed = this.echoConnection !== null;
    this.handle(c, c.a, c.b, f, p);
    this.replayKept(slot, c, pend.packets(slot), f, p);
    this.replayingEchoed = false;
    pend.remove(slot);
    r.frame = frame;
    r.time = time;
    r.tsSec = tsSec;
    r.tsNsec = tsNsec;
    r.analysis = analysis;
    r.dupAckNum = dupAckNum;
    r.opened = wasOpened;
    return c;
  }

  /**
   * Replays the packets after the first of the slot kept in `slot`, up to packet `n` (excluded):
   * its answer and repeats, in the order they came, into `c` (its first packet replayed already),
   * through `f` and `p`.
   */
  private replayKept(slot: number, c: Connection, n: number, f: Frame, p: Packet): void {
    const pend = this.pending as PendingSyns;
    for (let k = 1; k < n; k++) {
      const fromB = pend.loadPacket(slot, k, f, p);
      this.begin(f);
      this.handle(c, fromB ? c.b : c.a, fromB ? c.a : c.b, f, p);
    }
  }

  /** The least recently active open connection, null when none is open (skips stale entries). */
  private lruFirst(): Connection | null {
    const slot = this.lru.first(this.slotStamp);
    return slot < 0 ? null : this.table.at(slot);
  }

  /** True when `c` (in the table) is the most recently active open connection. */
  private lruLast(c: Connection): boolean {
    return this.slotStamp[c.slot] === this.lruClock;
  }

  /** Makes `c` (in the table) the most recently active open connection. */
  private lruTouch(c: Connection): void {
    const slot = c.slot;
    if (slot >= this.slotStamp.length) {
      const grown = new Float64Array(Math.max(slot + 1, this.slotStamp.length * 2)).fill(-1);
      grown.set(this.slotStamp);
      this.slotStamp = grown;
    }
    const stamp = ++this.lruClock;
    const prev = this.slotStamp[slot];
    // Every touch runs the same operations, the window's verdict included, which is kept only
    // at the window's end: a branch first taken after FAR_STAMPS touches (a packet from afar),
    // or at frame FAR_WINDOW (the window's end), or its second test (made only once packets
    // came from afar) first ran mid-capture and threw the optimised code away (`--trace-deopt`,
    // 2026-12-06). Only constants and locals are chosen between.
    const farTouches = this.farTouches + (prev >= 0 && stamp - prev > FAR_STAMPS ? 1 : 0);
    const step = c.id - this.touchId;
    const inOrderTouches = this.inOrderTouches + (step >= 1 && step <= IN_ORDER_SPAN ? 1 : 0);
    const windowTouches = this.windowTouches + 1;
    this.touchId = c.id;
    const frame = this.result.frame;
    const windowStart = this.windowFrame;
    const frames = frame - windowStart;
    const far = farTouches * FAR_SHARE >= frames;
    const mostlyOutOfOrder = inOrderTouches * 2 < windowTouches;
    const before = this.farOften;
    const end = frames >= FAR_WINDOW;
    this.farOften = end ? far && mostlyOutOfOrder : before;
    this.farTouches = end ? 0 : farTouches;
    this.inOrderTouches = end ? 0 : inOrderTouches;
    this.windowTouches = end ? 0 : windowTouches;
    this.windowFrame = end ? frame : windowStart;
    this.slotStamp[slot] = stamp;
    this.lru.push(slot, stamp, this.slotStamp);
  }

  /**
   * Time 0 of every `time` and `start`: the capture's first frame, TCP or not, as Wireshark's
   * frame.time_relative. Without it (a sink fed directly), the first TCP frame.
   */
  start(sec: number, nsec: number): void {
    if (this.haveT0) return;
    this.haveT0 = true;
    this.t0Sec = sec;
    this.t0Nsec = nsec;
  }

  /**
   * A batch of packets about to be handed over (PacketSink.prepare). With many connections open
   * (more than fit in the processor's second-level cache: batchFrom), each packet's connection is
   * fetched from memory when its turn comes, a wait on chains of loads (the table's slot, the
   * connection, its flows, its Zeek sides) that the processor cannot overlap with the packet's
   * own work. Here the whole batch's hashes are computed and its connections' objects loaded
   * together, in loops of independent loads that the processor runs side by side; the packets
   * then find them in cache. Nothing here changes any state but the hashes kept for packetAt():
   * a look-up that finds another connection of the same hash only loads the wrong one, and a new
   * connection's packet finds none. The concurrent bench capture (10 000 open): --json 1.07 ->
   * 0.97 s, check 0.80 -> 0.72 s (docs/performance.md).
   */
  prepare(packets: readonly Packet[], n: number): void {
    const hashes = this.batchHash;
    for (let i = 0; i < n; i++) hashes[i] = ConnectionTable.hashOf(packets[i]);
    const cs = this.batchConns;
    const table = this.table;
    let m = 0;
    for (let i = 0; i < n; i++) {
      const c = table.likely(hashes[i]);
      if (c !== null) cs[m++] = c;
    }
    this.touched = touchConnections(cs, 0, m);
    this.batches++;
  }

  /**
   * Batches only with more connections open than the cache holds (see prepare()), and only while
   * packets often come to a connection that has not had one for long (farOften): in a real
   * capture most packets are of the connection before or of one active a moment ago, in cache
   * already, and the batch's decoding ahead and loads only add their own time. Nor while most
   * switches go to the next connections in creation order (IN_ORDER_SPAN).
   */
  batchWanted(): boolean {
    // (farOften read each time: read only from batchFrom open on, its first read threw the
    // reader's optimised code away, mid-capture)
    const far = this.farOften;
    return this.batchFrom === 0 || (this.table.size >= this.batchFrom && far);
  }

  /** The i-th packet of the batch given to prepare(). */
  packetAt(f: Frame, p: Packet, i: number): void {
    this.track(f, p, this.batchHash[i], true);
  }

  packet(f: Frame, p: Packet): void {
    this.track(f, p, 0, false);
  }

  /** The result of the packet of frame `f`, before its work: its frame and time, nothing found yet. */
  private begin(f: Frame): void {
    const r = this.result;
    r.frame = f.number;
    // secondsSince(f.hasTs, f.tsSec, f.tsNsec, this.t0Sec, this.t0Nsec), its expression here (the
    // same double): a call V8 did not inline would return the time boxed, a heap number a packet,
    // and whether it is inlined depends on how much of track()'s inlining budget is left when the
    // compiler's thread gets to it (test/hot-alloc.test.ts, docs/performance.md)
    r.time = f.hasTs ? f.tsSec - this.t0Sec + (f.tsNsec - this.t0Nsec) / 1e9 : 0;
    r.tsSec = f.hasTs ? f.tsSec : 0;
    r.tsNsec = f.hasTs ? f.tsNsec : 0;
    r.analysis = 0;
    r.dupAckNum = 0;
    r.opened = false;
  }

  private track(f: Frame, p: Packet, knownHash: number, hashKnown: boolean): void {
    if (!this.haveT0) {
      this.haveT0 = true;
      this.t0Sec = f.tsSec;
      this.t0Nsec = f.tsNsec;
    }
    this.begin(f);
    const r = this.result;
    const t = r.time;

    // (releaseDue() is also called on the capture's first RELEASE_WARMUP packets, where it
    // releases nothing that is not due: a call V8 has not seen made throws the optimised code
    // away when it is first made, and real traffic's first release comes long after track() was
    // optimised; seen made, but rarely, the call stays a call, not inlined. On those packets
    // whether or not a closed connection waits: V8 records what a call site sees only once the
    // function's feedback is allocated, after it has run about eight times its own size in
    // bytecodes (--interrupt-budget-factor-for-feedback-allocation), some calls in; when the
    // warm-up counted only packets with none waiting, a capture whose first connection closes
    // by its tenth packet (short1m's) made the call on its first nine alone, unrecorded, and
    // threw track()'s code away at its first release)
    const q = this.releaseQueue;
    let due = false;
    if (this.releaseHead < q.length) due = this.lingerOver(q[this.releaseHead], q.length - this.releaseHead);
    if (this.releaseWarmup > 0) {
      this.releaseWarmup--;
      due = true;
    }
    if (due) this.releaseDue();
    if (this.idling) {
      const first = this.lruFirst();
      if (first !== null && first.lastTime + this.idle < t) this.releaseIdle();
      else if (this.pending !== null && this.pending.size > 0) this.releaseIdle();
    }
    const flags = p.flags;
    // the previous packet's connection first: a bulk transfer's packets come in long runs (only
    // the connection in the table is checked, and the table holds one per 4-tuple)
    let c = this.last;
    let hash = 0;
    // the packet's direction when it is the previous packet's connection: 1 from a, 2 from b
    let dir = 0;
    if (c !== null && c.slot >= 0 && c.ipVersion === p.ipVersion) {
      if (matchesFlows(c.a, c.b, p)) dir = 1;
      else if (matchesFlows(c.b, c.a, p)) dir = 2;
    }
    if (dir !== 0) {
      hash = (c as Connection).hash;
    } else {
      hash = hashKnown ? knownHash : ConnectionTable.hashOf(p);
      c = this.table.find(p, hash);
      if (c === null && this.pending !== null && this.pending.size > 0) {
        // the 4-tuple's kept SYN: its connection is made now, and this packet joins it; unless
        // it is the SYN's answer, kept with it (a SYN flood as its victim answers it)
        const slot = this.pending.find(p, hash);
        if (slot >= 0) {
          if (this.isAnswer(slot, p)) {
            this.keepAnswer(slot, p, f);
            return;
          }
          const repeat = this.repeatOf(slot, p, f);
          if (repeat !== NO_REPEAT) {
            this.keepRepeat(slot, repeat === REPEATS_ANSWER, p, f);
            return;
          }
          c = this.materialise(slot, true);
          this.answeredInWindow++;
        }
      }
    }
    let F!: Flow;
    let R!: Flow;
    // the open connection a pure SYN with a new ISN replaces (port reuse), for opening()
    let replaced: Connection | null = null;
    if (c !== null) {
      if (!this.lruLast(c)) this.lruTouch(c);
      // a connection to itself (same address and port both ways) counts every packet as a's
      const fromA = dir !== 0 ? dir === 1 : matchesFlows(c.a, c.b, p);
      F = fromA ? c.a : c.b;
      R = fromA ? c.b : c.a;
      // Port reuse (4.0): a pure SYN with a new ISN on a direction that already has a base.
      const reused = newIsn(F, p);
      if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && reused) {
        replaced = c;
        c = null;
      }
    }
    if (c === null) {
      // (a method of its own, too big for V8 to inline into track(): a path first taken
      // mid-capture in it, a continuation's or a port reuse's, throws away only its own
      // optimised code; the reuse goes through the same call, which every new connection has
      // made before: a call of its own threw track()'s code away at real traffic's first reuse)
      c = this.opening(f, p, hash, replaced);
      if (c === null) return;
      F = c.a;
      R = c.b;
    }
    this.handle(c, F, R, f, p);
  }

  /**
   * A packet whose 4-tuple has no open connection: a new connection, a continuation of a
   * released one (its tombstone), or, in a flood, a SYN kept as its packet (null). Or a pure SYN
   * with a new ISN on the open connection `replaced`: that one ends, and a new one opens.
   */
  private opening(f: Frame, p: Packet, hash: number, replaced: Connection | null): Connection | null {
    const r = this.result;
    const flags = p.flags;
    let reused = false;
    let continued = false;
    let srcLower = false;
    if (replaced !== null) {
      // the open connection ends here, and the new one opens as after a released one's reuse
      this.removeOpen(replaced);
      if (this.observer?.onReplaced) this.observer.onReplaced(replaced);
      if (this.observer?.onFinal) this.observer.onFinal(replaced);
      reused = true;
    } else if (this.tombstones.size > 0 && this.tombstones.find(hash, ConnectionTable.hash2Of(p), (srcLower = srcIsLower(p)))) {
      // the 4-tuple's connection was released: Wireshark (which never forgets) starts a new
      // stream only for a pure SYN with a new ISN; anything else joins the old one
      const found = this.tombstones.found;
      if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && found.senderBaseSet && p.seq32 !== (found.senderBase | 0)) reused = true;
      else continued = true;
    }
    if (!reused && !continued && this.pending !== null && this.openCount >= this.deferNow && this.keepable(p) &&
      (this.deferLooked || this.floodLike()) && this.maxConnections >= DEFER_SYN_CAP * this.deferNow) {
      this.keepSyn(p, f, hash);
      return null;
    }
    const c = this.open(p, hash, f, continued ? this.tombstones.found.id : -1);
    const F = c.a;
    const R = c.b;
    if (reused) r.analysis |= A_REUSED_PORTS;
    if (continued) {
      // a continuation of the released stream: its id, its bases (so the numbers are the
      // ones Wireshark shows in the old stream), its window scales and its client
      this.splitConnections++;
      const found = this.tombstones.found;
      c.continued = true;
      F.baseSeq = found.senderBase | 0;
      setFlowFlag(F, F_BASE_SET, found.senderBaseSet);
      R.baseSeq = found.receiverBase | 0;
      setFlowFlag(R, F_BASE_SET, found.receiverBaseSet);
      F.winScale = found.senderScale;
      R.winScale = found.receiverScale;
      if (found.roles !== ROLES_INFERRED) {
        c.clientIsA = found.senderIsClient;
        c.clientBy = found.roles === ROLES_BY_SYN ? 'syn' : 'syn-ack';
        c.rolesFixed = true;
      }
      // and its analysis goes on from the released connection's state, as Wireshark's does
      // (unless 32 768 connections have been released since, 8 192 before the capture's first
      // continuation (AnalysisStates' first lap): then it starts afresh, and so
      // does, in effect, that of every later continuation of the stream); so do its story and
      // Zeek's view, and its completeness, for which its first packet is not an opening one
      const kept = this.states.restore(found.memory, found.id, c, F, R, srcLower);
      if (kept === RESTORED) this.continuedAnalysis++;
      else c.continuedAfresh = true;
      if (kept !== NOT_KEPT) r.opened = false;
    }
    return c;
  }

  /**
   * The packet's work once its connection is known (F its sender's flow, R the other's): the
   * analysis, the story, Zeek's view, the counts, the observer.
   */
  private handle(c: Connection, F: Flow, R: Flow, f: Frame, p: Packet): void {
    const r = this.result;
    const flags = p.flags;
    // 4.0: a SYN-ACK with a new ISN re-bases its direction in the same stream, a continuation's
    // too (a direction of a connection just opened has no base yet)
    // (its steps run for every packet, the values chosen: in a branch, they first ran at a
    // capture's first reused port, 200 000 packets into real4 and 290 000 into real20, and
    // threw handle() away for want of type feedback, to be compiled again)
    const rebased = newIsn(F, p) && (flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
    const seq32 = p.seq32;
    F.baseSeq = rebased ? seq32 : F.baseSeq;
    r.analysis |= rebased ? A_REUSED_PORTS : 0;
    this.last = c;
    r.fromA = F === c.a;
    noteRoles(c, r.fromA, (flags & TCP_SYN) !== 0, (flags & TCP_ACK) !== 0);

    // --- completeness. The value reported is the one Wireshark shows for the connection once
    // the whole capture has been read (tshark -2, and current releases): a pure SYN counts only
    // when it opened the connection; every packet, the first included, adds its other bits.
    c.completenessBeforeLast = c.completeness;
    if (r.opened && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      c.completeness |= C_SYN;
      if (p.payloadLen > 0) c.completeness |= C_DATA;
      c.completenessFirstPass = c.completeness;
    }
    if (!r.opened) {
      // tshark 4.0's single pass skips the opening packet's other bits
      let b = 0;
      if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) b |= C_SYNACK;
      if ((flags & (TCP_SYN | TCP_ACK)) === TCP_ACK) b |= p.payloadLen > 0 ? C_DATA : C_ACK;
      if ((flags & (TCP_FIN | TCP_ACK)) === (TCP_FIN | TCP_ACK)) b |= C_FIN;
      if (flags & TCP_RST) b |= C_RST;
      c.completenessFirstPass |= b;
    }
    if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) c.completeness |= C_SYNACK;
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_ACK) c.completeness |= p.payloadLen > 0 ? C_DATA : C_ACK;
    if ((flags & (TCP_FIN | TCP_ACK)) === (TCP_FIN | TCP_ACK)) c.completeness |= C_FIN;
    if (flags & TCP_RST) c.completeness |= C_RST;

    // The window shown is scaled with the shift known before this packet's own options.
    r.window = !(flags & TCP_SYN) && F.winScale >= 0 ? p.window * (1 << F.winScale) : p.window;

    // what the notes of flow control and keep-alives ask of the previous segments, before the
    // analysis moves them on (every packet, the values chosen: see analyze())
    const peerLast = R.lastSegmentFlags;
    r.prevWindow = F.window;
    r.noteBits = (R.window === 0 ? NB_PEER_WINDOW_ZERO : 0) | ((F.lastSegmentFlags & A_KEEP_ALIVE) !== 0 ? NB_SENT_KEEP_ALIVE : 0) |
      ((peerLast & A_KEEP_ALIVE) !== 0 ? NB_PEER_KEEP_ALIVE : 0) | ((peerLast & A_KEEP_ALIVE_ACK) !== 0 ? NB_PEER_KEEP_ALIVE_ACK : 0);
    if (p.shortSegment) {
      // Header longer than the segment: Wireshark assigns the stream but analyses nothing.
      r.seq = p.seq32 >>> 0;
      r.ack = p.ack32 >>> 0;
      r.analysis = 0;
    } else {
      this.analyze(c, F, R, p);
      r.seq = seqSub(p.seq32, F.baseSeq);
      r.ack = flags & TCP_ACK ? seqSub(p.ack32, R.baseSeq) : p.ack32 >>> 0;
    }

    // After the analysis, as in dissect_tcp(): SYN bookkeeping, the initial RTT, first-ACK state.
    if (flags & TCP_SYN) {
      if (p.wscale >= 0) F.winScale = p.wscale > MAX_WSCALE ? MAX_WSCALE : p.wscale;
      if (!(flags & TCP_ACK)) {
        c.synSec = f.tsSec;
        c.synNsec = f.tsNsec;
      }
      F.bits |= F_FIRST_ACK;
      this.noteSyn(F, p);
    }
    // initial RTT: the first pure ACK after the most recent pure SYN (a zero result counts as unset)
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_ACK && (c.synSec !== 0 || c.synNsec !== 0)) {
      if (c.irtt <= 0) c.irtt = f.tsSec - c.synSec + (f.tsNsec - c.synNsec) / 1e9;
      // Wireshark's own, for the out-of-order rule: set while zero, so a negative one stays
      if (c.irttNs === 0) c.irttNs = nsSince(f.tsSec, f.tsNsec, c.synSec, c.synNsec);
    }
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_ACK) F.bits &= ~F_FIRST_ACK;
    if (flags & TCP_SYN) {
      // verify_tcp_window_scaling(): no option on a SYN disables scaling both ways
      if (F.winScale === WSCALE_UNKNOWN) {
        F.winScale = WSCALE_NONE;
        R.winScale = WSCALE_NONE;
      } else if ((flags & TCP_ACK) && R.winScale === WSCALE_NONE) {
        F.winScale = WSCALE_NONE;
      }
    }

    // --- the story (handshake, teardown, states, notes) and Zeek's view
    r.peerBase = R.baseSeq >>> 0;
    updateStory(c.story, r, p, f.number, r.fromA);
    analysisNote(r, p, p.ack32 === R.nextseq);
    // a continuation's first packet: its numbers are its stream's, not the first packet's
    // (both read on every packet, so that the optimised code has seen them: read only after a
    // mid-stream note, c.continued's first read threw that code away; read only in a
    // continuation, the note's did, on real traffic at its first continuation)
    const continued = c.continued;
    const note = r.note;
    if (note === N_MIDSTREAM && continued) {
      r.note = N_CONTINUED;
      r.n1 = c.id;
    }
    updateZeek(c, p, r.fromA);
    if (r.fromA) {
      if (p.payloadLen > c.maxPayloadA) c.maxPayloadA = p.payloadLen;
    } else if (p.payloadLen > c.maxPayloadB) c.maxPayloadB = p.payloadLen;
    if (p.truncated) c.truncatedPackets++;

    // --- counts
    F.packets++;
    F.payloadBytes += p.payloadLen;
    if (flags & TCP_FIN) {
      F.bits |= F_FIN_SENT;
      F.finEnd = seqAdd32(p.seq32, p.payloadLen + 1 + (flags & TCP_SYN ? 1 : 0));
    }
    // (a RST the story finds ends nothing, answering an earlier connection's segment, does not
    // close the connection for its release either)
    if (flags & TCP_RST && !rstEndsNothing(note)) c.sawRst = true;
    if (flags & TCP_ACK && (R.bits & F_FIN_SENT) !== 0 && seqGe(p.ack32, R.finEnd)) R.bits |= F_FIN_ACKED;
    if (!c.closed && (c.sawRst || ((c.a.bits & F_FIN_ACKED) !== 0 && (c.b.bits & F_FIN_ACKED) !== 0))) c.closed = true;
    c.packets++;
    c.lastFrame = f.number;
    c.lastTime = r.time;
    const bits = r.analysis;
    if (bits !== 0) {
      const counts = ownAnalysis(c);
      for (let i = 0; i < ANALYSIS_ORDER.length; i++) if (bits & ANALYSIS_ORDER[i][0]) counts[i]++;
    }
    if (this.observer !== null && !this.replayingEchoed) this.observer.onPacket(c, r, f, p);
    if (c.closed && this.lingering && !c.queuedForRelease) {
      // (one lingerOnly keeps is marked all the same, so that it is asked once: it is then
      // never taken for reuse, which the lab, the one user of lingerOnly, does not ask for)
      c.queuedForRelease = true;
      if (this.lingerOnly === null || this.lingerOnly(c)) this.releaseQueue.push(c);
    }
  }

  /**
   * Creates a connection for the packet's 4-tuple; its sender becomes flow a. `id`: a
   * continuation's (the released connection's), or -1 for the next one.
   */
  private open(p: Packet, hash: number, f: Frame, id = -1): Connection {
    const c = this.made(p, f, id >= 0 ? id : this.nextId++);
    this.makeRoom();
    this.table.insert(c, hash);
    this.lruTouch(c);
    if (this.keepAll) this.connections.push(c);
    this.opened();
    return c;
  }

  /** A connection was opened (or a SYN kept for one): the most open at once, and the result's flag. */
  private opened(): void {
    const open = this.openCount;
    if (open > this.maxOpen) this.maxOpen = open;
    this.result.opened = true;
  }

  /** A connection for the packet's 4-tuple, with this id, its sender as flow a; not in the table yet. */
  private made(p: Packet, f: Frame, id: number, into: Connection | null = null): Connection {
    // the packet's time, from the result (see releaseDue)
    const t = this.result.time;
    const c = into ?? this.spare.pop() ?? newConnection();
    c.id = id;
    c.ipVersion = p.ipVersion;
    setFlowAddress(c.a, p.src);
    setFlowAddress(c.b, p.dst);
    c.a.port = p.srcPort;
    c.b.port = p.dstPort;
    c.firstFrame = f.number;
    c.firstTime = t;
    c.lastTime = t;
    return c;
  }

  /**
   * Whether `p`, come for the 4-tuple of the pure SYN kept in `slot`, is its answer, kept with it
   * (keepAnswer()): a SYN-ACK from the other end, the first to come, without SACK blocks, not a
   * short segment.
   */
  private isAnswer(slot: number, p: Packet): boolean {
    const pend = this.pending as PendingSyns;
    return (p.flags & CTL_ACK) === (TCP_SYN | TCP_ACK) && (pend.flags(slot) & CTL_ACK) === TCP_SYN && !pend.hasAnswer(slot) &&
      p.sackCount === 0 && !p.shortSegment && !pend.fromFirst(slot, p);
  }

  /**
   * The answer of a kept SYN, kept with it (PendingSyns.addAnswer()) as the slot's most recent
   * activity: its connection is made, and both replayed into it, when a third packet comes or
   * the cap, the idle timeout or the end of input finalises it. Shown to an observer of packets
   * as they come (echoKeptSyn) now, on the echo connection (echoKept()).
   */
  private keepAnswer(slot: number, p: Packet, f: Frame): void {
    (this.pending as PendingSyns).addAnswer(slot, p, f, ++this.lruClock);
    this.keptAnswers++;
    if (this.echoConnection !== null) this.echoKept(slot, p, f, true);
  }

  /**
   * Whether `p`, come for the 4-tuple of the packet kept in `slot` (a pure SYN, or with
   * deferAnyFirst another: a backscatter's SYN-ACK, sent again by its server), repeats it or its
   * answer (PendingSyns.isRepeat(): the same fields, another frame), kept with them up to
   * MAX_REPEATS (keepRepeat()): REPEATS_FIRST or REPEATS_ANSWER, else NO_REPEAT. A packet that
   * touches the same state as the one it repeats, through track() as well: a pure SYN with the
   * SYN's ISN is no port reuse, and nothing else there reads the packet of a connection found.
   */
  private repeatOf(slot: number, p: Packet, f: Frame): number {
    const pend = this.pending as PendingSyns;
    if (pend.repeats(slot) >= MAX_REPEATS || p.sackCount !== 0 || p.shortSegment) return NO_REPEAT;
    const fromFirst = pend.fromFirst(slot, p);
    if (!pend.isRepeat(slot, fromFirst, p, f)) return NO_REPEAT;
    return fromFirst ? REPEATS_FIRST : REPEATS_ANSWER;
  }

  /**
   * A repeat of a kept SYN or of its answer (a client's SYN retries, a server's SYN-ACK retries),
   * kept with them (PendingSyns.addRepeat()) as the slot's most recent activity, and replayed
   * after them in the order they came (materialise()). Shown to an observer of packets as they
   * come (echoKeptSyn) now.
   */
  private keepRepeat(slot: number, ofAnswer: boolean, p: Packet, f: Frame): void {
    (this.pending as PendingSyns).addRepeat(slot, ofAnswer, f, ++this.lruClock);
    this.keptRepeats++;
    if (this.echoConnection !== null) this.echoKept(slot, p, f, ofAnswer);
  }

  /**
   * A packet kept with its SYN (its answer, a repeat) shown to the observer as it arrives
   * (echoKeptSyn): the echo connection made as at its SYN, the slot's packets before this one
   * replayed into it unseen, then this one handled (`fromB`: from the SYN's other end), and the
   * connection cleared. Neither touches the tracker's state but the last connection, which
   * stays the previous packet's.
   */
  private echoKept(slot: number, p: Packet, f: Frame, fromB: boolean): void {
    const pend = this.pending as PendingSyns;
    const r = this.result;
    const rf = this.replayFrame;
    const rp = this.replayPacket;
    const last = this.last;
    pend.load(slot, rf, rp);
    this.begin(rf);
    const c = this.made(rp, rf, pend.id(slot), this.echoConnection);
    r.opened = true;
    this.replayingEchoed = true;
    this.handle(c, c.a, c.b, rf, rp);
    // (the slot holds this packet already, as its last)
    this.replayKept(slot, c, pend.packets(slot) - 1, rf, rp);
    this.replayingEchoed = false;
    this.begin(f);
    this.handle(c, fromB ? c.b : c.a, fromB ? c.a : c.b, f, p);
    this.last = last;
    resetConnection(c);
  }

  /**
   * Whether `p`, opening a connection, may be kept as its packet: a pure SYN, or with
   * deferAnyFirst any packet but a RST or one with SACK blocks; never a short segment.
   */
  private keepable(p: Packet): boolean {
    const flags = p.flags;
    if ((flags & CTL_ACK) === TCP_SYN) return !p.shortSegment;
    return this.deferAny && (flags & TCP_RST) === 0 && p.sackCount === 0 && !p.shortSegment;
  }

  /**
   * A pure SYN opening no connection (or with deferAnyFirst another packet: keepable()), kept as
   * its packet (deferSyn): it takes its id and counts as open now, as open() would have made it,
   * and its connection is made when needed (materialise()).
   */
  private keepSyn(p: Packet, f: Frame, hash: number): void {
    const id = this.nextId++;
    this.makeRoom();
    (this.pending as PendingSyns).add(p, f, hash, id, ++this.lruClock);
    this.opened();
    this.keptSyns++;
    if (this.deferAdapts && ++this.keptInWindow === DEFER_SYN_WINDOW) {
      this.deferNow = 2 * this.answeredInWindow < DEFER_SYN_WINDOW ? DEFER_SYN_EARLY : DEFAULT_DEFER_SYN_FROM;
      this.keptInWindow = 0;
      this.answeredInWindow = 0;
    }
    if (this.echoConnection !== null) this.echoSyn(p, f, id);
  }

  /**
   * A kept SYN shown to the observer as it arrives (echoKeptSyn): handled on the echo connection,
   * made as open() makes a connection (the result's `opened` is set already), then cleared. A
   * kept packet (a pure SYN, or keepable()'s other packets: no RST, so none can close its
   * connection, which takes a RST or both FINs acknowledged) touches no state of the tracker's
   * but the last connection, which stays the previous packet's.
   */
  private echoSyn(p: Packet, f: Frame, id: number): void {
    const c = this.made(p, f, id, this.echoConnection);
    const last = this.last;
    this.handle(c, c.a, c.b, f, p);
    this.last = last;
    resetConnection(c);
  }

  /**
   * DEFER_SYN_EARLY's first look, when that many connections are first open: true when at
   * least 7/8 of them had packets from one side only (or only a SYN and its SYN-ACK), else the
   * threshold is DEFAULT_DEFER_SYN_FROM from now on (and true when that many are open already).
   */
  private floodLike(): boolean {
    this.deferLooked = true;
    // (the cap, known from MIN_DEFAULT_MAX_CONNECTIONS open, as makeRoom() would know it now)
    if (!this.capKnown) this.knowCap();
    if (!this.deferAdapts) return true;
    const t = this.table;
    let n = 0;
    let oneSided = 0;
    for (let i = 0; i < t.slotCount; i++) {
      const c = t.at(i);
      if (c === null) continue;
      n++;
      // from one side only, or only SYNs and SYN-ACKs (a flood's victim answers every SYN, and
      // may send its SYN-ACK again)
      if (c.a.packets === 0 || c.b.packets === 0 || ((c.a.bits & c.b.bits & F_SYN_SEEN) !== 0 && (c.completeness & ~(C_SYN | C_SYNACK)) === 0)) oneSided++;
    }
    if (8 * oneSided >= UNANSWERED_EIGHTHS * n) return true;
    this.deferNow = DEFAULT_DEFER_SYN_FROM;
    return this.openCount >= this.deferNow;
  }

  private knowCap(): void {
    this.capKnown = true;
    this.maxConnections = defaultMaxConnections();
  }

  private noteSyn(F: Flow, p: Packet): void {
    if ((F.bits & F_SYN_SEEN) !== 0) return;
    F.bits |= F_SYN_SEEN;
    F.synMss = p.mss;
    F.synWscale = p.wscale;
    setFlowFlag(F, F_SYN_SACK_PERMITTED, p.sackPermitted);
    setFlowFlag(F, F_SYN_TIMESTAMPS, p.hasTimestamps);
  }

  /**
   * tcp_analyze_sequence_number() of Wireshark 4.0, step by step. F is the sender's flow,
   * R the other. Sets result.analysis bits; updates F's state at the end.
   */
  private analyze(c: Connection, F: Flow, R: Flow, p: Packet): void {
    const r = this.result;
    // the time comes through the result, not as arguments
    const sec = r.tsSec;
    const nsec = r.tsNsec;
    // int32, as the flows keep them (connection.ts)
    const seq = p.seq32;
    const ack = p.ack32;
    const len = p.payloadLen;
    const flags = p.flags;
    const win = p.window;
    let ta = r.analysis;

    // Relative bases: the ISN for a SYN, else seq − 1; an ACK gives the other side ack − 1.
    if ((F.bits & F_BASE_SET) === 0) {
      F.baseSeq = flags & TCP_SYN ? seq : seqAdd32(seq, -1);
      F.bits |= F_BASE_SET;
    }
    if (flags & TCP_ACK && (R.bits & F_BASE_SET) === 0) {
      R.baseSeq = seqAdd32(ack, -1);
      R.bits |= F_BASE_SET;
    }

    // A pure SYN brings this direction's highest sequence number back to the end of its
    // contiguous data, before it is itself analysed: after a late copy of the SYN, tshark 4.0.17
    // calls the next segment past a hole "previous segment not captured" again, reports the
    // hole's ACK as for a direction with none, and calls the SYN a retransmission rather than
    // out-of-order when it ends where the contiguous data does (probed: fixtures/tcp-acked-unseen,
    // ports 41011-41014). It changes nothing when there is no hole, as in every handshake.
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && F.maxseqtobeacked !== 0) F.nextseq = F.maxseqtobeacked;
    // the first byte of a gap before this segment, for its note (relative, as its seq)
    r.gapFrom = seqSub(F.nextseq, F.baseSeq);

    // The checks' bits are chosen into locals (a move of a constant, which needs no type
    // feedback) and or-ed into `ta` once, on every packet: an operation V8 has not yet seen run
    // makes the optimised analyze() throw itself away when it first runs (--trace-deopt:
    // "insufficient type feedback"), and on real traffic the first window-full segment or
    // keep-alive ACK comes long after analyze() was optimised (bench-cache/real/real4.pcap).
    // For the same reason the packet's "no SYN, FIN or RST" is a boolean computed once.
    const noCtl = (flags & CTL) === 0;
    let zeroWindow = 0;
    let lost = 0;
    let keepAlive = 0;
    let windowUpdate = 0;
    let windowFull = 0;
    let last = 0;
    checks: {
      // Zero-window probe: one byte at the next expected sequence number while the peer's window is 0.
      if (len === 1 && seq === F.nextseq && R.window === 0) {
        last = A_ZERO_WINDOW_PROBE;
        break checks;
      }
      // Zero window (not on SYN/FIN/RST).
      if (win === 0 && noCtl) zeroWindow = A_ZERO_WINDOW;
      // Previous segment not captured: a gap in this direction's sequence space.
      if (F.nextseq !== 0 && seqGt(seq, F.nextseq) && (flags & TCP_RST) === 0) lost = A_LOST_PACKET;
      // Keep-alive: 0 or 1 byte at nextseq − 1.
      if ((len === 0 || len === 1) && seq === seqAdd32(F.nextseq, -1) && noCtl) keepAlive = A_KEEP_ALIVE;
      // Window update: only the window changed.
      if (len === 0 && win !== 0 && win !== F.window && seq === F.nextseq && ack === F.lastack && noCtl) windowUpdate = A_WINDOW_UPDATE;
      // Window full: the segment ends exactly at the receiver's advertised right edge.
      if (len > 0 && R.winScale !== WSCALE_UNKNOWN && R.window >= 0 && noCtl) {
        const shift = (R.bits & F_FIRST_ACK) !== 0 || R.winScale === WSCALE_NONE ? 0 : R.winScale;
        if (seqAdd32(seq, len) === seqAdd32(R.lastack, R.window * (1 << shift))) windowFull = A_WINDOW_FULL;
      }
      // The three below: a pure ACK (no data, no SYN, FIN or RST) with the sender's last
      // window, sequence number and ack; which one it is depends on the peer's last segment.
      if (len === 0 && noCtl && win === F.window && seq === F.nextseq && ack === F.lastack) {
        const peerLast = R.lastSegmentFlags;
        // Keep-alive ACK: right after the peer's keep-alive.
        if (win !== 0 && (peerLast & A_KEEP_ALIVE) !== 0) {
          last = A_KEEP_ALIVE_ACK;
          break checks;
        }
        // Zero-window-probe ACK.
        if (win === 0 && (peerLast & A_ZERO_WINDOW_PROBE) !== 0) {
          last = A_ZERO_WINDOW_PROBE_ACK;
          break checks;
        }
        // Duplicate ACK: same ack, same non-zero window, no data, at nextseq.
        if (win !== 0) {
          F.dupacknum = F.dupacknum === DUPACK_REPORTED ? 1 : F.dupacknum + 1;
          last = A_DUPLICATE_ACK;
          r.dupAckNum = F.dupacknum;
        }
      }
    }
    ta |= zeroWindow | lost | keepAlive | windowUpdate | windowFull | last;

    // finished_fwd: a changed ack resets the duplicate-ACK count
    if (ack !== F.lastack) F.dupacknum = 0;

    // ACKed unseen segment: the ack covers bytes of the other direction never seen. Found by
    // probing tshark 4.0.17 (fixtures/tcp-acked-unseen, one connection per case), which no
    // published source we could read matches exactly:
    // - a hole in the other direction's data (its contiguous end is below its highest byte):
    //   report, and move the boundary up to its highest byte (later segments move it on);
    // - otherwise, the ack runs past everything the other side has sent: report only if that
    //   side's duplicate-ACK count is 0, then set it to -1, so the same hole is reported again
    //   only after that side's ack moves (or it sends a duplicate ACK, which makes it 1: no).
    // (every packet takes the same steps, the values chosen: in branches, they first ran at a
    // capture's first such ack, after analyze() was optimised, and threw it away)
    {
      const upTo = R.maxseqtobeacked;
      const next = R.nextseq;
      const dupacks = R.dupacknum;
      const unseen = (flags & TCP_ACK) !== 0 && upTo !== 0 && seqGt(ack, upTo);
      const hole = seqLt(upTo, next);
      const none = dupacks === 0;
      ta |= unseen && (hole || none) ? A_ACK_LOST_PACKET : 0;
      R.maxseqtobeacked = unseen && hole ? next : upTo;
      R.dupacknum = unseen && !hole ? DUPACK_REPORTED : dupacks;
    }

    // Retransmission family: data, SYN or FIN that does not advance the sequence.
    if ((len > 0 || (flags & (TCP_SYN | TCP_FIN)) !== 0) && (ta & A_KEEP_ALIVE) === 0) {
      let notAdvanced = F.nextseq !== 0 && seqLt(seq, F.nextseq);
      // New data right after a one-byte probe is not a retransmission.
      if (len > 1 && seqAdd32(F.nextseq, -1) === seq) notAdvanced = false;
      // The family's bits are chosen here and or-ed in once, below, for every such segment: an
      // operation V8 has not yet seen run makes the optimised analyze() throw itself away when
      // it first runs (--trace-deopt: "insufficient type feedback"), and a long transfer's first
      // retransmission comes after analyze() was optimised without one.
      let familyBits = 0;
      family: {
        // Spurious: everything in it was already acknowledged by the receiver.
        if (len > 0 && R.lastack !== 0 && seqLe(seqAdd32(seq, len), R.lastack)) {
          familyBits = SPURIOUS_BITS;
          break family;
        }
        // Fast retransmission: at the ack of >= 2 duplicate ACKs, within 20 ms of the last one.
        if (notAdvanced && (R.dupacknum >= 2 || R.dupacknum === DUPACK_REPORTED) && R.lastack === seq &&
            belowU64(nsSince(sec, nsec, R.lastackSec, R.lastackNsec), FAST_RETRANSMISSION_NS)) {
          familyBits = FAST_BITS;
          break family;
        }
        if (notAdvanced) {
          // Out-of-order: soon (within the initial RTT, or 3 ms) after the highest segment.
          // (Computed only here: in the CLI the threshold, taken for every data packet, was a
          // heap number each time, 107 MB of garbage over 10M packets.)
          const threshold = c.irttNs !== 0 ? c.irttNs : DEFAULT_OOO_THRESHOLD_NS;
          const end = seqAdd32(seq, len + ((flags & (TCP_SYN | TCP_FIN)) !== 0 ? 1 : 0));
          if (belowU64(nsSince(sec, nsec, F.nextseqSec, F.nextseqNsec), threshold) && F.nextseq !== end) {
            familyBits = A_OUT_OF_ORDER;
            break family;
          }
          familyBits = A_RETRANSMISSION;
        }
      }
      ta |= familyBits;
    }

    // Update this direction's state.
    const nextseq = seqAdd32(seq, len + ((flags & (TCP_SYN | TCP_FIN)) !== 0 ? 1 : 0));
    if ((ta & A_ZERO_WINDOW_PROBE) === 0) {
      if (F.nextseq === 0 || seqGt(nextseq, F.nextseq)) {
        F.nextseq = nextseq;
        F.nextseqSec = sec;
        F.nextseqNsec = nsec;
      }
      if (F.maxseqtobeacked === 0 || seq === F.maxseqtobeacked) F.maxseqtobeacked = F.nextseq;
    }
    F.window = win;
    F.lastack = ack;
    F.lastackSec = sec;
    F.lastackNsec = nsec;
    F.lastSegmentFlags = ta;
    r.analysis = ta;
  }
}
