/**
 * A connection as an observer sees it: two half-connections (Flow), each with the state
 * Wireshark's TCP analysis keeps per direction (packet-tcp.c `tcp_flow_t`), plus the
 * connection-level values of the JSON contract. Constant size: nothing here grows with the
 * number of packets (per-packet records live elsewhere, and only when an output asks).
 */
import { newStory, resetStory, type Story } from './story.js';
import { zeekChunk, takeZeekRecord, resetZeek, type ZeekHolder } from './zeek.js';
import { ipv4ToString, ipv6ToString } from '../util/addr.js';
import { settleDoubles } from '../util/shapes.js';

/** Window scale: not known yet (no SYN seen). */
export const WSCALE_UNKNOWN = -1;
/** Window scale: the handshake was seen and scaling is not used. */
export const WSCALE_NONE = -2;
/** Wireshark caps the window-scale shift at 14 (RFC 7323 §2.3). */
export const MAX_WSCALE = 14;

// Flow.bits: a flow's yes-or-no facts, one bit each (a field takes 8 bytes here, so seven
// booleans were 56 bytes of every flow, two a connection).
/** baseSeq is set (Wireshark: TCP_S_BASE_SEQ_SET). */
export const F_BASE_SET = 1;
/** This side has not sent a non-SYN ACK yet (its window so far came on a SYN; set in a new flow). */
export const F_FIRST_ACK = 2;
/** This side sent a FIN (finEnd is set). */
export const F_FIN_SENT = 4;
/** The other side acknowledged this side's FIN. */
export const F_FIN_ACKED = 8;
/** This side's SYN offered SACK. */
export const F_SYN_SACK_PERMITTED = 16;
/** This side's SYN carried timestamps. */
export const F_SYN_TIMESTAMPS = 32;
/** A SYN of this side was seen (its options are the syn* fields). */
export const F_SYN_SEEN = 64;
/** The bits of a new flow. */
const F_NEW = F_FIRST_ACK;

/** Whether `bit` (F_...) of a flow is set. */
export function flowFlag(f: Flow, bit: number): boolean {
  return (f.bits & bit) !== 0;
}

/** Sets or clears `bit` (F_...) of a flow. */
export function setFlowFlag(f: Flow, bit: number, on: boolean): void {
  f.bits = on ? f.bits | bit : f.bits & ~bit;
}

/**
 * One direction's state. Its sequence numbers (baseSeq, nextseq, maxseqtobeacked, lastack,
 * finEnd) are kept as int32, the same 32 bits as the packet's uint32 (`x | 0`, seqAdd32), and
 * compared with each other or through model/seq.ts: V8 keeps a uint32 from 2^31 up as a heap
 * number of its own, one per field and object once any such value has been stored (they were
 * ten per connection on the SYN-flood bench).
 *
 * Made by an object literal, not a class: V8 learns per literal site
 * that its objects outlive the young generation and, from a full collection on, allocates them
 * in the old generation directly (allocation-site pretenuring, which it does not do for `new`),
 * so the objects of long-lived connections stop being copied out of the young generation one
 * scavenge at a time. With a million open connections (the SYN-flood bench) the scavenges took
 * less than half the time (`node --trace-gc`). The same holds for the Connection, Story and Zeek
 * objects; the type is the literal's.
 */
export function newFlow() {
  return {
    /**
     * Address words of the sender of this direction (IPv4 uses addr0), as int32 (`w | 0`, the
     * same 32 bits), and its port. Fields, not an array: an array of four is two more objects
     * (80 bytes once it holds a word from 2^31 up, as most IPv4 addresses are) per flow; int32,
     * since a field that has held a uint32 from 2^31 up keeps a heap number of its own in every
     * object. Set by setFlowAddress(); read by flowAddress(), and by matchesFlows(), hash2Flows()
     * (flow/table.ts) and endpointIsLower() (flow/tombstones.ts).
     */
    addr0: 0,
    addr1: 0,
    addr2: 0,
    addr3: 0,
    port: 0,

    // --- relative numbering (Wireshark: base_seq, TCP_S_BASE_SEQ_SET)
    baseSeq: 0,
    /** Its yes-or-no facts, as bits (F_BASE_SET to F_SYN_SEEN; flowFlag): seven fields as one. */
    bits: F_NEW,

    // --- Wireshark analysis state (tcp_analyze_seq_info)
    /**
     * Highest seq + len (+1 for SYN/FIN) seen; 0 = none yet. Its time, like lastack's, is kept as
     * the frame has it, whole seconds and nanoseconds: Wireshark's timing rules compare integer
     * nanoseconds, and a difference of two doubles of seconds since the first frame is off by a
     * little (tracker.ts, nsSince).
     */
    nextseq: 0,
    nextseqSec: 0,
    nextseqNsec: 0,
    /** End of the contiguous sequence range seen from this side. */
    maxseqtobeacked: 0,
    /** Ack field and time of the previous packet of this direction (ACK flag or not). */
    lastack: 0,
    lastackSec: 0,
    lastackNsec: 0,
    /** Raw window field of the previous packet of this direction; -1 = none yet. */
    window: -1,
    /** Shift from this side's SYN, or WSCALE_UNKNOWN / WSCALE_NONE. */
    winScale: WSCALE_UNKNOWN,
    dupacknum: 0,
    /** Analysis flags of the previous packet of this direction. */
    lastSegmentFlags: 0,

    // --- closing
    /** Sequence number just after this side's FIN (FIN seq + len + 1), once a FIN was sent. */
    finEnd: 0,

    // --- counts
    packets: 0,
    payloadBytes: 0,
    /** Options from this side's SYN (-1 = not offered / not seen). */
    synMss: -1,
    synWscale: -1,
  };
}
export type Flow = ReturnType<typeof newFlow>;

/** Puts a flow back as newFlow() makes it (test/reset.test.ts checks that no field is forgotten). */
export function resetFlow(f: Flow): void {
  f.addr0 = 0;
  f.addr1 = 0;
  f.addr2 = 0;
  f.addr3 = 0;
  f.port = 0;
  f.baseSeq = 0;
  f.bits = F_NEW;
  f.nextseq = 0;
  f.nextseqSec = 0;
  f.nextseqNsec = 0;
  f.maxseqtobeacked = 0;
  f.lastack = 0;
  f.lastackSec = 0;
  f.lastackNsec = 0;
  f.window = -1;
  f.winScale = WSCALE_UNKNOWN;
  f.dupacknum = 0;
  f.lastSegmentFlags = 0;
  f.finEnd = 0;
  f.packets = 0;
  f.payloadBytes = 0;
  f.synMss = -1;
  f.synWscale = -1;
}

/**
 * The analysis counts of every connection without an analysis flag (most): all zero, never
 * written. A connection's own array (two objects, 168 bytes) is made only when it has a count
 * (ownAnalysis), which spares a million open connections of a SYN flood 168 MB.
 */
export const NO_ANALYSIS: readonly number[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/** The connection's analysis counts as an array of its own, to count in. */
export function ownAnalysis(c: Connection): number[] {
  if (c.analysis === NO_ANALYSIS) c.analysis = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  return c.analysis as number[];
}

/** A connection (an object literal: see newFlow). */
export interface Connection extends ZeekHolder {
  /** Wireshark's tcp.stream. */
  id: number;
  ipVersion: number;
  /** a = the sender of the first packet, b = its peer. */
  readonly a: Flow;
  readonly b: Flow;
  /** Which flow is the client: 'a' or 'b', decided by the contract's rules. */
  clientIsA: boolean;
  /** How the client was chosen: 'syn', 'syn-ack', or a heuristic name. */
  clientBy: string;
  rolesFixed: boolean;

  /** tcp.completeness: the bits of every packet (the value Wireshark shows after reading it all). */
  completeness: number;
  /** tshark 4.0's single-pass value (the opening packet contributes only a pure SYN). */
  completenessFirstPass: number;
  /** `completeness` before the latest packet (reproduces tshark -2's display, for tests). */
  completenessBeforeLast: number;
  /**
   * Timestamp of the most recent pure SYN, whole seconds and nanoseconds as the frame has them
   * (both 0: none, Wireshark's zero ts_mru_syn). The initial RTT is taken from these parts, not
   * from times relative to the capture's start: a double of a time years after the first frame
   * has no nanoseconds left, and the difference would be off by a few.
   */
  synSec: number;
  synNsec: number;
  /**
   * Wireshark's initial RTT (tcp.analysis.initial_rtt), or -1 when not measured; 0 (SYN and ACK
   * with the same timestamp) counts as not measured, as in Wireshark: read it with initialRtt().
   */
  irtt: number;
  /**
   * Wireshark's ts_first_rtt in nanoseconds, as its out-of-order rule uses it: 0 until set, then
   * SYN to the first pure ACK after it, kept even when negative (a clock that went backwards).
   */
  irttNs: number;

  firstFrame: number;
  lastFrame: number;
  firstTime: number;
  lastTime: number;
  packets: number;
  sawRst: boolean;
  /** Both FINs acknowledged, or a RST seen: nothing more is expected but stragglers. */
  closed: boolean;
  /** Queued for release (see Tracker's linger). */
  queuedForRelease: boolean;
  /**
   * A continuation: the later packets of a stream whose connection had been finalised and
   * released before them (Tracker's linger, idle timeout or cap). Wireshark, which never
   * forgets a 4-tuple, shows them in that stream: this connection has its id, its bases and its
   * client, and is a second record of it; its analysis goes on from the stream's state
   * (flow/analysis-states.ts) unless `continuedAfresh`.
   */
  continued: boolean;
  /**
   * A continuation whose stream's analysis state was no longer kept (more than
   * ANALYSIS_STATES connections had been released since): its analysis started afresh. Also a
   * later continuation of such a stream: its state goes on from one that was not Wireshark's.
   */
  continuedAfresh: boolean;
  /**
   * Count of each analysis name, indexed as flags.ts ANALYSIS_NAMES (15 names): NO_ANALYSIS,
   * shared, until the first packet with an analysis flag (ownAnalysis() gives the connection
   * its own).
   */
  analysis: readonly number[];

  /** Handshake, teardown and endpoint states (story.ts). */
  readonly story: Story;
  // (Zeek's view: zeekWords, zeekAt and zeekHistMore, ZeekHolder's fields, in zeek.ts)
  /** Largest payload seen from each side, for the "larger than the MSS" diagnostic. */
  maxPayloadA: number;
  maxPayloadB: number;
  truncatedPackets: number;

  /** The 4-tuple's hash (ConnectionTable.hashOf). */
  hash: number;
  /** Slot in the table, -1 once released. */
  slot: number;
  /**
   * The packet records kept for this connection by the collector in `recordsOwner` (render/
   * json.ts's RecordsByConnection), null when none holds them here: found through the
   * connection, where a Map keyed by it cost a cache miss a look-up with many connections open
   * (a million on the SYN-flood bench). Another collector of the same connections keeps its
   * records in a Map of its own.
   */
  records: unknown;
  recordsOwner: unknown;
  /**
   * The first frames of its analysis flags, kept by check's AnalysisFrames in `flagFramesOwner`
   * (check/evaluate.ts), null when none keeps them here: found through the connection, as
   * `records` is (a Map keyed by it took 17-21 ms of `check` on 20 000 connections of real
   * traffic). Another keeper of the same connections keeps them in a Map of its own.
   */
  flagFrames: Int32Array | null;
  flagFramesOwner: unknown;
}

export function newConnection(): Connection {
  // (a record of Zeek's view from the chunk being filled: zeekChunk() first)
  const zeekWords = zeekChunk();
  const zeekAt = takeZeekRecord();
  return {
    id: 0,
    ipVersion: 4,
    a: newFlow(),
    b: newFlow(),
    clientIsA: true,
    clientBy: 'syn',
    rolesFixed: false,
    completeness: 0,
    completenessFirstPass: 0,
    completenessBeforeLast: 0,
    synSec: 0,
    synNsec: 0,
    irtt: -1,
    irttNs: 0,
    firstFrame: 0,
    lastFrame: 0,
    firstTime: 0,
    lastTime: 0,
    packets: 0,
    sawRst: false,
    closed: false,
    queuedForRelease: false,
    continued: false,
    continuedAfresh: false,
    analysis: NO_ANALYSIS,
    story: newStory(),
    zeekWords,
    zeekAt,
    zeekHistMore: '',
    maxPayloadA: 0,
    maxPayloadB: 0,
    truncatedPackets: 0,
    hash: 0,
    slot: -1,
    records: null,
    recordsOwner: null,
    flagFrames: null,
    flagFramesOwner: null,
  };
}

/**
 * Puts a connection back as newConnection() makes it, for a tracker that reuses finalised
 * connections (test/reset.test.ts checks that no field is forgotten).
 */
export function resetConnection(c: Connection): void {
  c.id = 0;
  c.ipVersion = 4;
  resetFlow(c.a);
  resetFlow(c.b);
  c.clientIsA = true;
  c.clientBy = 'syn';
  c.rolesFixed = false;
  c.completeness = 0;
  c.completenessFirstPass = 0;
  c.completenessBeforeLast = 0;
  c.synSec = 0;
  c.synNsec = 0;
  c.irtt = -1;
  c.irttNs = 0;
  c.firstFrame = 0;
  c.lastFrame = 0;
  c.firstTime = 0;
  c.lastTime = 0;
  c.packets = 0;
  c.sawRst = false;
  c.closed = false;
  c.queuedForRelease = false;
  c.continued = false;
  c.continuedAfresh = false;
  c.analysis = NO_ANALYSIS;
  resetStory(c.story);
  resetZeek(c);
  c.maxPayloadA = 0;
  c.maxPayloadB = 0;
  c.truncatedPackets = 0;
  c.hash = 0;
  c.slot = -1;
  c.records = null;
  c.recordsOwner = null;
  c.flagFrames = null;
  c.flagFramesOwner = null;
}

/**
 * The initial RTT the outputs report, or null: Wireshark keeps it as a time that is zero until
 * set, so a SYN and final ACK with the same timestamp (synthetic captures) give no
 * tcp.analysis.initial_rtt, and `handshake.rtt` is null there too.
 */
export function initialRtt(c: Connection): number | null {
  return c.irtt > 0 ? c.irtt : null;
}

/** Gives a flow the packet's source (`src`) or destination address words. */
export function setFlowAddress(f: Flow, words: Uint32Array): void {
  f.addr0 = words[0] | 0;
  f.addr1 = words[1] | 0;
  f.addr2 = words[2] | 0;
  f.addr3 = words[3] | 0;
}

/** A flow's sender address as text (addressToString of its words). */
export function flowAddress(ipVersion: number, f: Flow): string {
  if (ipVersion === 4) return ipv4ToString(f.addr0 >>> 0);
  // the last two IPv6 addresses' text, by their words: a capture's connections mostly share
  // their ends, and ipv6ToString took 3% of a 126 000-packet IPv6 capture's --json (twice a
  // connection, about 1 µs each)
  const w = V6_WORDS;
  for (let k = 0; k < 8; k += 4) {
    if (w[k] === f.addr0 && w[k + 1] === f.addr1 && w[k + 2] === f.addr2 && w[k + 3] === f.addr3 && V6_TEXT[k >> 2] !== '') return V6_TEXT[k >> 2]!;
  }
  const text = ipv6ToString([f.addr0 >>> 0, f.addr1 >>> 0, f.addr2 >>> 0, f.addr3 >>> 0]);
  const k = v6Next;
  v6Next = 4 - k;
  w[k] = f.addr0;
  w[k + 1] = f.addr1;
  w[k + 2] = f.addr2;
  w[k + 3] = f.addr3;
  V6_TEXT[k >> 2] = text;
  return text;
}

/** flowAddress()'s last two IPv6 addresses: their words (as the flows keep them, int32s) at 0 and 4, and their text. */
const V6_WORDS = new Int32Array(8);
const V6_TEXT: string[] = ['', ''];
/** Where flowAddress() keeps the next address: 0 or 4, the slot kept longest. */
let v6Next = 0;

/** The client's direction. */
export function clientFlow(c: Connection): Flow {
  return c.clientIsA ? c.a : c.b;
}

/** The server's direction. */
export function serverFlow(c: Connection): Flow {
  return c.clientIsA ? c.b : c.a;
}

// The shape of a connection settled before any code is optimised (util/shapes.ts): its times
// and initial RTT as doubles, and every field resetConnection() stores to no longer "const" (it
// would be at the first connection reused from the pool, thousands of packets into a capture,
// and handle(), analyze(), packet() ... would be thrown away and compiled again).
{
  const c = newConnection();
  settleDoubles(c, ['irtt', 'firstTime', 'lastTime']);
  resetConnection(c);
}
