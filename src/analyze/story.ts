/**
 * The story of a connection as an observer tells it: the handshake (三次握手) and its kind, the
 * teardown (四次挥手) and its kind, each packet's phase, and both endpoints' RFC 9293 states
 * (§3.3.2) after every packet.
 *
 * Conventions (docs/explanations.md):
 * - The state shown after a packet is each side's state once that packet has been sent and
 *   received: the sender's change is seen; the receiver's is inferred, assuming delivery.
 * - A side that answers a SYN was listening: before its answer it is shown as LISTEN, an
 *   inferred state, like TIME_WAIT (an observer never sees either). Which states are inferred is
 *   said in the data (`inferred`).
 * - A capture that starts after the handshake assumes ESTABLISHED for both sides until a FIN or
 *   RST says otherwise.
 * Everything here is constant-size per connection: frame numbers and flags, no lists.
 */
import type { Packet } from '../decode/packet.js';
import { TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST, TCP_ECE, TCP_CWR } from '../decode/packet.js';
import { seqAdd, seqAdd32, seqGe, seqLt, seqSub } from '../model/seq.js';
import {
  A_RETRANSMISSION, A_FAST_RETRANSMISSION, A_SPURIOUS_RETRANSMISSION, A_OUT_OF_ORDER, A_LOST_PACKET, A_ACK_LOST_PACKET,
  A_DUPLICATE_ACK, A_ZERO_WINDOW, A_ZERO_WINDOW_PROBE, A_ZERO_WINDOW_PROBE_ACK, A_WINDOW_UPDATE, A_WINDOW_FULL,
  A_KEEP_ALIVE, A_KEEP_ALIVE_ACK,
} from './flags.js';

export const ST_UNKNOWN = 0;
export const ST_CLOSED = 1;
export const ST_LISTEN = 2;
export const ST_SYN_SENT = 3;
export const ST_SYN_RECEIVED = 4;
export const ST_ESTABLISHED = 5;
export const ST_FIN_WAIT_1 = 6;
export const ST_FIN_WAIT_2 = 7;
export const ST_CLOSE_WAIT = 8;
export const ST_CLOSING = 9;
export const ST_LAST_ACK = 10;
export const ST_TIME_WAIT = 11;
export const STATE_NAMES = [
  'UNKNOWN', 'CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2',
  'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT',
] as const;

/** States an observer can never see; always reported as inferred. */
export function isInferredState(s: number): boolean {
  return s === ST_LISTEN || s === ST_TIME_WAIT;
}

export const PH_HANDSHAKE = 0;
export const PH_DATA = 1;
export const PH_TEARDOWN = 2;
export const PH_RESET = 3;
export const PH_AFTER_CLOSE = 4;
export const PHASE_NAMES = ['handshake', 'data', 'teardown', 'reset', 'after-close'] as const;

/** Per-packet notes: a key into the message tables (src/i18n) and up to three numbers. */
export const N_NONE = 0;
export const N_SYN = 1;
export const N_SYN_RETRANSMITTED = 2;
export const N_SYN_ACK = 3;
export const N_HANDSHAKE_ACK = 4;
export const N_SIMULTANEOUS_SYN = 5;
export const N_SIMULTANEOUS_SYN_ACK = 6;
export const N_MIDSTREAM = 7;
export const N_FIRST_DATA = 8;
export const N_DATA_ACKED = 9;
export const N_FIN_FIRST = 10;
export const N_FIN_ACKED = 11;
export const N_FIN_PIGGYBACKED = 12;
export const N_FIN_SECOND = 13;
export const N_FIN_CROSSED = 14;
export const N_LAST_ACK = 15;
export const N_LAST_ACK_SIMULTANEOUS = 16;
export const N_DATA_AFTER_FIN = 17;
export const N_RST_REFUSED = 18;
/** The first RST, ending the connection; n1 = 1 when its sender's last window was 0 (data it had not read). */
export const N_RST = 19;
export const N_RST_AFTER_FIN = 20;
export const N_RST_ANSWERS_DATA = 21;
export const N_SYN_ACK_RETRANSMITTED = 22;
export const N_FIN_RETRANSMITTED = 23;
export const N_RETRANSMISSION = 24;
export const N_FAST_RETRANSMISSION = 25;
export const N_SPURIOUS_RETRANSMISSION = 26;
export const N_OUT_OF_ORDER = 27;
/** Previous segment not captured: n1 the segment's seq, n2 the gap's first byte, n3 the gap's length. */
export const N_LOST_SEGMENT = 28;
export const N_ACK_LOST_SEGMENT = 29;
export const N_DUPLICATE_ACK = 30;
/** Zero window; n1 = 1 when it answers the other side's keep-alive (a probe of that window). */
export const N_ZERO_WINDOW = 31;
export const N_ZERO_WINDOW_PROBE = 32;
export const N_ZERO_WINDOW_PROBE_ACK = 33;
export const N_WINDOW_UPDATE = 34;
export const N_WINDOW_FULL = 35;
/**
 * A keep-alive (n1 its seq); n2 = 1 when the receiver's window is 0: a probe of that window; 2
 * when the sender's previous segment was such a probe too.
 */
export const N_KEEP_ALIVE = 36;
export const N_KEEP_ALIVE_ACK = 37;
/** The first acknowledgement of the first FIN, carrying data too (the half-close's first bytes, or more of them). */
export const N_FIN_ACKED_DATA = 38;
/** The first closer acknowledges the peer's data after the peer's FIN was sent, but not that FIN. */
export const N_ACK_BEFORE_FIN = 39;
/** A RST after the first one. */
export const N_RST_AGAIN = 40;
/** The first packet of a continuation (Connection.continued), in place of N_MIDSTREAM: n1 is its id. */
export const N_CONTINUED = 41;
/**
 * After the close, the first closer acknowledges the second FIN again (n1: the ack): n2 is the
 * frame of the latest copy of that FIN, when a copy came that no such ACK has answered yet, else 0.
 */
export const N_LAST_ACK_AGAIN = 42;
/** After the close, the second closer sends a plain ACK with nothing new (n1: the ack). */
export const N_ACK_AFTER_CLOSE = 43;
/** After the close, a plain ACK below what its sender acknowledged in the close (n1: the ack, n2: that ack). */
export const N_OLD_ACK = 44;
/** The first RST, after the close had finished (both FINs acknowledged). */
export const N_RST_AFTER_CLOSE = 45;
/**
 * A duplicate ACK (as Wireshark counts them) whose ack covers everything its receiver has sent
 * (n1: its number, n2: the ack): nothing is missing, so it asks for no retransmission. n3 = 1:
 * the keep-alives of both sides crossed, and this is its sender's answer to the other's
 * (Wireshark's keep_alive_ack went to the other side's answer, in between).
 */
export const N_DUPLICATE_ACK_ALL_ACKED = 46;
/**
 * A duplicate ACK whose first SACK block is a D-SACK (RFC 2883): it was sent because a segment
 * arrived twice (n1: its number, n2 and n3: the block's edges, relative to the other direction).
 */
export const N_DUPLICATE_ACK_DSACK = 47;
/**
 * The second FIN, crossed (sent before its sender saw the first FIN), arriving after its sender's
 * own ACK of the first FIN (it was delayed or lost and sent again): the first closer is in
 * FIN_WAIT_2 and goes to TIME_WAIT, not CLOSING (n1..n3 as N_FIN_CROSSED).
 */
export const N_FIN_CROSSED_ACKED = 48;
/**
 * Before any SYN-ACK, a segment from the SYN's receiver whose ack does not acknowledge the SYN
 * (n1: its relative ack): unacceptable in SYN_SENT (RFC 9293 §3.10.7.3), most likely a late
 * segment of an earlier connection on the same ports.
 */
export const N_UNACCEPTABLE_ACK = 49;
/** The SYN's sender's RST after such a segment, before any SYN-ACK: its answer, which does not end this connection. */
export const N_RST_UNACCEPTABLE = 50;
/**
 * A RST whose sequence number is before its sender's ISN (n1: its relative seq), the ISN seen:
 * outside the connection's sequence numbers, so its receiver ignores it (RFC 9293 §3.10.7.4).
 */
export const N_RST_OUT_OF_WINDOW = 51;
/** Whether a RST's note says it ends nothing (N_RST_UNACCEPTABLE, N_RST_OUT_OF_WINDOW): its connection goes on. */
export function rstEndsNothing(note: number): boolean {
  return note === N_RST_UNACCEPTABLE || note === N_RST_OUT_OF_WINDOW;
}
/** A FIN from the side that did not send the RST, after it (n1: the RST's frame): the RST had not reached it. */
export const N_FIN_AFTER_RST = 52;
/**
 * The SYN-ACK of a SYN that carried data, acknowledging that data too (TCP Fast Open accepted):
 * n1 the relative ack (1 + the data's length), n2 the client's ISN, n3 the server's.
 */
export const N_SYN_ACK_DATA = 53;
/** The SYN-ACK of a SYN that carried data, acknowledging the SYN alone (n1..n3 as N_SYN_ACK): the data is to be sent again. */
export const N_SYN_ACK_NOT_DATA = 54;
/** The SYN-ACK (n1..n3 as N_SYN_ACK) of a SYN sent again without the data the first SYN carried. */
export const N_SYN_ACK_BARE_SYN = 55;
/** A SYN-ACK (n1..n3 as N_SYN_ACK) of a SYN without data, carrying a TCP Fast Open cookie (RFC 7413 §4.1.2). */
export const N_SYN_ACK_COOKIE = 56;
export const NOTE_KEYS = [
  '', 'syn', 'synRetransmitted', 'synAck', 'handshakeAck', 'simultaneousSyn', 'simultaneousSynAck', 'midstream',
  'firstData', 'dataAcked', 'finFirst', 'finAcked', 'finPiggybacked', 'finSecond', 'finCrossed', 'lastAck',
  'lastAckSimultaneous', 'dataAfterFin', 'rstRefused', 'rst', 'rstAfterFin', 'rstAnswersData', 'synAckRetransmitted',
  'finRetransmitted', 'retransmission', 'fastRetransmission', 'spuriousRetransmission', 'outOfOrder', 'lostSegment',
  'ackLostSegment', 'duplicateAck', 'zeroWindow', 'zeroWindowProbe', 'zeroWindowProbeAck', 'windowUpdate', 'windowFull',
  'keepAlive', 'keepAliveAck', 'finAckedData', 'ackBeforeFin', 'rstAgain', 'continued', 'lastAckAgain', 'ackAfterClose',
  'oldAck', 'rstAfterClose', 'duplicateAckAllAcked', 'duplicateAckDsack', 'finCrossedAcked',
  'unacceptableAck', 'rstUnacceptable', 'rstOutOfWindow', 'finAfterRst', 'synAckData', 'synAckNotData', 'synAckBareSyn', 'synAckCookie',
] as const;

/** What story.ts says about one packet; part of the tracker's reused PacketResult. */
export interface StoryNote {
  phase: number;
  stateA: number;
  stateB: number;
  note: number;
  /** Numbers for the note's message (raw ISNs, relative seq/ack, lengths). */
  n1: number;
  n2: number;
  n3: number;
}

/** The story's note about one packet, and the numbers it is computed from. */
export interface StoryResult extends StoryNote {
  /** Inputs, set by the tracker before updateStory(): relative seq and ack (Wireshark's tcp.seq, tcp.ack), the
   * other direction's base (its ISN when its SYN was seen), analysis bits, duplicate-ACK number, scaled window.
   * Passed on the result rather than as arguments: a number beyond 2^31 passed to a call that is not inlined is
   * boxed, an allocation per packet. */
  seq: number;
  ack: number;
  peerBase: number;
  analysis: number;
  dupAckNum: number;
  window: number;
  /** The relative seq where the sender's data ended before this packet (Wireshark's nextseq): a gap's first byte. */
  gapFrom: number;
  /** The sender's raw window before this packet (-1: none yet). */
  prevWindow: number;
  /** What the notes of flow control and keep-alives ask of both directions' previous segments (NB_* bits). */
  noteBits: number;
}

/** StoryResult.noteBits: the other direction's last window was 0. */
export const NB_PEER_WINDOW_ZERO = 1;
/** StoryResult.noteBits: the sender's previous segment was a keep-alive. */
export const NB_SENT_KEEP_ALIVE = 2;
/** StoryResult.noteBits: the other direction's last segment was a keep-alive. */
export const NB_PEER_KEEP_ALIVE = 4;
/** StoryResult.noteBits: the other direction's last segment was a keep-alive's answer. */
export const NB_PEER_KEEP_ALIVE_ACK = 8;

// Story.bits: a story's yes-or-no facts, one bit each (a field takes 8 bytes here, so fifteen
// booleans were 120 bytes of every connection).
/** The first SYN came from flow a (set in a new story). */
export const S_SYN_FROM_A = 1;
/** A bare SYN was seen from each side. */
export const S_SIMULTANEOUS_OPEN = 2;
/** The first packet was not a SYN. */
export const S_MIDSTREAM = 4;
/** A packet was seen. */
export const S_SAW_PACKET = 8;
/** Flow a's first data was noted. */
export const S_FIRST_DATA_NOTED_A = 16;
/** Flow b's first data was noted. */
export const S_FIRST_DATA_NOTED_B = 32;
/** The acknowledgement of the first data was noted. */
export const S_FIRST_DATA_ACK_NOTED = 64;
/** The first FIN came from flow a (set in a new story). */
export const S_FIN1_FROM_A = 128;
/** The first acknowledgement of the first FIN rode on the peer's own FIN (three-segment close). */
export const S_FIN1_ACKED_BY_FIN = 256;
/** The second FIN did not acknowledge the first: its sender sent it before it had the first FIN (FINs crossed). */
export const S_FIN2_CROSSED = 512;
/** The side that had not closed sent payload after the first FIN. */
export const S_DATA_AFTER_FIN = 1024;
/** The RST came from flow a (set in a new story). */
export const S_RST_FROM_A = 2048;
/** The RST came after a FIN. */
export const S_RST_AFTER_FIN = 4096;
/** The RST answered data sent after its sender had closed. */
export const S_RST_ANSWERS_DATA = 8192;
/** The last payload-carrying packet came from flow a (set in a new story). */
export const S_LAST_DATA_FROM_A = 16384;
/**
 * Before any SYN-ACK, the SYN's receiver sent a segment that did not acknowledge the SYN
 * (N_UNACCEPTABLE_ACK): a RST from the SYN's sender until the SYN-ACK answers it.
 */
export const S_STRAY_ACK = 32768;
/** The SYN's sender answered such a segment with a RST (N_RST_UNACCEPTABLE). */
export const S_STRAY_RST = 65536;
/** A RST was numbered before its sender's ISN (N_RST_OUT_OF_WINDOW). */
export const S_RST_IGNORED = 131072;
/** The first SYN carried data (TCP Fast Open, RFC 7413). */
export const S_SYN_DATA = 262144;
/** ECN was agreed (RFC 3168 §6.1.1): the SYN with ECE and CWR, the SYN-ACK with ECE and not CWR. */
export const S_ECN_AGREED = 524288;
/** The first SYN was ECN-setup: ECE and CWR (RFC 3168 §6.1.1). */
export const S_ECN_OFFERED = 1048576;
/** The SYN-ACK acknowledged the data on the SYN (TCP Fast Open accepted). */
export const S_SYN_DATA_ACCEPTED = 2097152;
/** After a SYN with data, the SYN was sent again without it (Linux does so when the first goes unanswered). */
export const S_SYN_AGAIN_BARE = 4194304;
/** The bits of a new story. */
const S_NEW = S_SYN_FROM_A | S_FIN1_FROM_A | S_RST_FROM_A | S_LAST_DATA_FROM_A;

/** Whether `bit` (S_...) of a story is set. */
export function storyFlag(s: Story, bit: number): boolean {
  return (s.bits & bit) !== 0;
}

/** Sets or clears `bit` (S_...) of a story. */
function setStoryFlag(s: Story, bit: number, on: boolean): void {
  s.bits = on ? s.bits | bit : s.bits & ~bit;
}

/** The handshake/teardown story of a connection (an object literal: see newFlow in connection.ts). */
export function newStory() {
  return {
    stateA: ST_UNKNOWN,
    stateB: ST_UNKNOWN,
    /** Its yes-or-no facts, as bits (S_SYN_FROM_A to S_LAST_DATA_FROM_A; storyFlag): fifteen fields as one. */
    bits: S_NEW,

    // --- handshake
    synFrame: 0,
    synCount: 0,
    synAckFrame: 0,
    /** The SYN-ACK's sequence number, as an int32 (as a flow's: connection.ts). */
    synAckIsn: 0,
    hsAckFrame: 0,
    secondSynFrame: 0,
    refusedFrame: 0,
    /** First payload-carrying packet of the connection (each side's noted: S_FIRST_DATA_NOTED_A, _B). */
    firstDataFrame: 0,

    // --- teardown
    fin1Frame: 0,
    /** Sequence number just after the first FIN, and after the second, as int32s (connection.ts). */
    fin1End: 0,
    fin1AckFrame: 0,
    fin2Frame: 0,
    fin2End: 0,
    fin2AckFrame: 0,
    /**
     * Copies of the second FIN (sent again, before or after its acknowledgement) that no repeated
     * last ACK has answered yet, and the frame of the latest one.
     */
    fin2Copies: 0,
    fin2CopyFrame: 0,
    rstFrame: 0,
    /** Last payload-carrying packet (for "RST answers data"; its direction: S_LAST_DATA_FROM_A). */
    lastDataFrame: 0,
  };
}
export type Story = ReturnType<typeof newStory>;

/**
 * Whether a packet is one of the handshake's steps: a packet of its phase, or the SYN, the SYN-ACK
 * or the third segment (which may also carry data or a FIN). The walkthrough lists them under the
 * handshake.
 */
export function isHandshakeStep(p: { phase: number; frame: number }, s: Story): boolean {
  return p.phase === PH_HANDSHAKE || p.frame === s.synFrame || p.frame === s.synAckFrame || p.frame === s.hsAckFrame;
}

/**
 * Whether a packet is one of the teardown's steps: a packet of its phases (teardown, reset,
 * after close), or of the data phase when it belongs to the teardown's story: data after the
 * first FIN (a half-close), and that FIN's acknowledgement when it carries data, the second of
 * the four segments. The walkthrough lists them among the teardown's steps (their bytes still
 * count with the data) and the diagrams always draw them.
 */
export function isTeardownStep(p: { phase: number; note: number; frame: number }, s: Story): boolean {
  if (p.phase === PH_HANDSHAKE) return false;
  if (p.phase !== PH_DATA) return true;
  return p.note === N_DATA_AFTER_FIN || p.note === N_FIN_ACKED_DATA || (s.fin1AckFrame > 0 && p.frame === s.fin1AckFrame);
}

/** Puts a story back as newStory() makes it. */
export function resetStory(s: Story): void {
  s.stateA = ST_UNKNOWN;
  s.stateB = ST_UNKNOWN;
  s.bits = S_NEW;
  s.synFrame = 0;
  s.synCount = 0;
  s.synAckFrame = 0;
  s.synAckIsn = 0;
  s.hsAckFrame = 0;
  s.secondSynFrame = 0;
  s.refusedFrame = 0;
  s.firstDataFrame = 0;
  s.fin1Frame = 0;
  s.fin1End = 0;
  s.fin1AckFrame = 0;
  s.fin2Frame = 0;
  s.fin2End = 0;
  s.fin2AckFrame = 0;
  s.fin2Copies = 0;
  s.fin2CopyFrame = 0;
  s.rstFrame = 0;
  s.lastDataFrame = 0;
}

/** Int32 words saveStory() writes. */
export const STORY_WORDS = 21;

/**
 * A story's bits as seen from the other flow: the bits that name flow a (S_..._FROM_A, each only
 * once its event was seen: a new story's are set, meaning nothing yet) turned round, and each
 * side's first-data bit swapped.
 */
function turnedBits(s: Story): number {
  // every operation runs for every story (constants chosen, not operations skipped): saveStory()
  // calls this for each connection it keeps, and an operation first run by the thousandth
  // connection threw away the optimised code it was inlined into
  const bits = s.bits;
  let b = bits & ~(S_FIRST_DATA_NOTED_A | S_FIRST_DATA_NOTED_B);
  b |= (bits & S_FIRST_DATA_NOTED_A) !== 0 ? S_FIRST_DATA_NOTED_B : 0;
  b |= (bits & S_FIRST_DATA_NOTED_B) !== 0 ? S_FIRST_DATA_NOTED_A : 0;
  b ^= s.synFrame !== 0 ? S_SYN_FROM_A : 0;
  b ^= s.fin1Frame !== 0 ? S_FIN1_FROM_A : 0;
  b ^= s.rstFrame !== 0 ? S_RST_FROM_A : 0;
  b ^= s.lastDataFrame !== 0 ? S_LAST_DATA_FROM_A : 0;
  return b;
}

/**
 * Writes the story into `ints` from `o` (STORY_WORDS words), as seen from flow a when `aFirst`,
 * else from flow b (flow/analysis-states.ts keeps a released connection's story this way, by
 * endpoint, for its continuation, whose flow a may be the other one).
 */
export function saveStory(s: Story, aFirst: boolean, ints: Int32Array, o: number): void {
  ints[o] = aFirst ? s.stateA : s.stateB;
  ints[o + 1] = aFirst ? s.stateB : s.stateA;
  // turned either way, so that the call is made from the first story on (first made for a
  // connection whose flow a is the higher endpoint, mid-capture, it threw save() away)
  const turned = turnedBits(s);
  ints[o + 2] = aFirst ? s.bits : turned;
  ints[o + 3] = s.synFrame;
  ints[o + 4] = s.synCount;
  ints[o + 5] = s.synAckFrame;
  ints[o + 6] = s.synAckIsn;
  ints[o + 7] = s.hsAckFrame;
  ints[o + 8] = s.secondSynFrame;
  ints[o + 9] = s.refusedFrame;
  ints[o + 10] = s.firstDataFrame;
  ints[o + 11] = s.fin1Frame;
  ints[o + 12] = s.fin1End;
  ints[o + 13] = s.fin1AckFrame;
  ints[o + 14] = s.fin2Frame;
  ints[o + 15] = s.fin2End;
  ints[o + 16] = s.fin2AckFrame;
  ints[o + 17] = s.fin2Copies;
  ints[o + 18] = s.fin2CopyFrame;
  ints[o + 19] = s.rstFrame;
  ints[o + 20] = s.lastDataFrame;
}

/**
 * Reads a story saveStory() wrote; `aFirst`: the first side written becomes flow a, else flow b.
 * Frames are read as uint32 words (`>>> 0`), as Wireshark numbers them: frame 2^31 and later
 * came back negative before.
 */
export function restoreStory(s: Story, aFirst: boolean, ints: Int32Array, o: number): void {
  s.stateA = ints[aFirst ? o : o + 1];
  s.stateB = ints[aFirst ? o + 1 : o];
  s.synFrame = ints[o + 3] >>> 0;
  s.synCount = ints[o + 4];
  s.synAckFrame = ints[o + 5] >>> 0;
  s.synAckIsn = ints[o + 6];
  s.hsAckFrame = ints[o + 7] >>> 0;
  s.secondSynFrame = ints[o + 8] >>> 0;
  s.refusedFrame = ints[o + 9] >>> 0;
  s.firstDataFrame = ints[o + 10] >>> 0;
  s.fin1Frame = ints[o + 11] >>> 0;
  s.fin1End = ints[o + 12];
  s.fin1AckFrame = ints[o + 13] >>> 0;
  s.fin2Frame = ints[o + 14] >>> 0;
  s.fin2End = ints[o + 15];
  s.fin2AckFrame = ints[o + 16] >>> 0;
  s.fin2Copies = ints[o + 17];
  s.fin2CopyFrame = ints[o + 18] >>> 0;
  s.rstFrame = ints[o + 19] >>> 0;
  s.lastDataFrame = ints[o + 20] >>> 0;
  // (the frames first: which bits name a side depends on them)
  s.bits = ints[o + 2];
  if (!aFirst) s.bits = turnedBits(s);
}

/**
 * Updates the story with one packet (frame number `frame`). `fromA`: sent by flow a. The packet's relative
 * numbers and the other direction's base are read from `r` (seq, ack, peerBase).
 */
export function updateStory(s: Story, r: StoryResult, p: Packet, frame: number, fromA: boolean): void {
  // The data phase's packets (most of a capture's) take a path of their own: no SYN, FIN or RST;
  // not the connection's first packet; no handshake whose third segment may still come; no
  // FIN yet. What updateStoryFully() does with such a packet is only this: the first data and
  // its acknowledgement noted, the last data's side and frame kept, the states as they were.
  // Why apart: updateStoryFully() is big and its rare branches (a FIN or SYN sent again, a RST
  // after a close, an ACK after the close) have no type feedback until a capture first takes
  // them, mid-capture on real traffic, and each such branch threw away its optimised code, with
  // the data phase's in it (seven compilations on bench-cache/real/real4.pcap). Now those throw
  // away only updateStoryFully(), which the data phase does not run.
  const len = p.payloadLen;
  // (before the SYN-ACK, only the SYN's sender's packets: the other side's may not acknowledge
  // the SYN, N_UNACCEPTABLE_ACK)
  if ((p.flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0 && s.fin1Frame === 0 && (s.bits & (S_SAW_PACKET | S_SIMULTANEOUS_OPEN)) === S_SAW_PACKET &&
      (s.synAckFrame === 0 ? s.synFrame === 0 || fromA === ((s.bits & S_SYN_FROM_A) !== 0) : s.hsAckFrame !== 0)) {
    r.note = N_NONE;
    r.n1 = 0;
    r.n2 = 0;
    r.n3 = 0;
    if (len > 0) {
      if (!(fromA ? (s.bits & S_FIRST_DATA_NOTED_A) !== 0 : (s.bits & S_FIRST_DATA_NOTED_B) !== 0)) firstData(s, r, frame, fromA, len);
      setStoryFlag(s, S_LAST_DATA_FROM_A, fromA);
      s.lastDataFrame = frame;
    } else if ((p.flags & TCP_ACK) !== 0 && r.analysis === 0 && s.firstDataFrame !== 0 && (s.bits & S_FIRST_DATA_ACK_NOTED) === 0 && fromA !== ((s.bits & S_LAST_DATA_FROM_A) !== 0)) {
      s.bits |= S_FIRST_DATA_ACK_NOTED;
      r.note = N_DATA_ACKED;
      r.n1 = r.ack;
    }
    r.phase = PH_DATA;
    r.stateA = s.stateA;
    r.stateB = s.stateB;
    return;
  }
  updateStoryFully(s, r, p, frame, fromA);
}

/** A side's first data: noted, with its numbers (r.seq is its relative sequence number). */
function firstData(s: Story, r: StoryResult, frame: number, fromA: boolean, len: number): void {
  if (fromA) s.bits |= S_FIRST_DATA_NOTED_A;
  else s.bits |= S_FIRST_DATA_NOTED_B;
  if (s.firstDataFrame === 0) s.firstDataFrame = frame;
  r.note = N_FIRST_DATA;
  r.n1 = r.seq;
  r.n2 = len;
  r.n3 = seqAdd(r.seq, len);
}

/**
 * updateStory() for every packet: the handshake, the teardown, resets, and the data phase too
 * (exported for the tests, which check that updateStory()'s own path agrees with it).
 */
export function updateStoryFully(s: Story, r: StoryResult, p: Packet, frame: number, fromA: boolean): void {
  const relSeq = r.seq;
  const relAck = r.ack;
  const flags = p.flags;
  const syn = (flags & TCP_SYN) !== 0;
  const ack = (flags & TCP_ACK) !== 0;
  const fin = (flags & TCP_FIN) !== 0;
  const rst = (flags & TCP_RST) !== 0;
  const len = p.payloadLen;
  // the packet comes from the side that sent the first SYN (set by that SYN's branch, which reads
  // this no more)
  const fromSynSender = fromA === ((s.bits & S_SYN_FROM_A) !== 0);
  r.note = N_NONE;
  r.n1 = 0;
  r.n2 = 0;
  r.n3 = 0;
  let me = fromA ? s.stateA : s.stateB;
  let peer = fromA ? s.stateB : s.stateA;
  let phase = PH_DATA;

  if ((s.bits & S_SAW_PACKET) === 0) {
    s.bits |= S_SAW_PACKET;
    if (!syn || ack) {
      // capture began after the handshake (or with its SYN-ACK)
      s.bits |= S_MIDSTREAM;
      if (!syn) {
        me = ST_ESTABLISHED;
        peer = ST_ESTABLISHED;
        r.note = N_MIDSTREAM;
      }
    } else {
      me = ST_CLOSED;
      peer = ST_LISTEN;
    }
  }

  if (rst && (s.bits & S_STRAY_ACK) !== 0 && s.synAckFrame === 0 && fromSynSender) {
    // the client in SYN_SENT answers a segment that did not acknowledge its SYN with a RST
    // (<SEQ=SEG.ACK>, RFC 9293 §3.10.7.3): it resets that segment's connection at the server, if
    // it has one, not this one, and the client stays in SYN_SENT
    phase = PH_HANDSHAKE;
    r.note = N_RST_UNACCEPTABLE;
    r.n1 = relSeq;
    // (n2 = 1: another such RST, said briefly)
    r.n2 = (s.bits & S_STRAY_RST) !== 0 ? 1 : 0;
    s.bits |= S_STRAY_RST;
  } else if (rst && relSeq > 0x7fffffff && (s.bits & S_MIDSTREAM) === 0 && (fromSynSender ? s.synFrame !== 0 : s.synAckFrame !== 0)) {
    // a RST numbered before its sender's ISN (seen: relative numbers count from it) is outside
    // the connection's sequence numbers, so its receiver drops it (RFC 9293 §3.10.7.4: a RST
    // counts only in the receive window; in LISTEN none does): it ends nothing. As a rule it
    // answers a segment of an earlier connection on these ports (a client reusing a port whose
    // earlier connection the server still has)
    phase = s.hsAckFrame === 0 ? PH_HANDSHAKE : PH_DATA;
    // the client sending it between the SYN-ACK and the handshake's end had not had that SYN-ACK:
    // such a RST is what SYN_SENT answers an unacceptable segment with (§3.10.7.3)
    if (s.synAckFrame !== 0 && s.hsAckFrame === 0 && (s.bits & S_SIMULTANEOUS_OPEN) === 0 && fromSynSender) me = ST_SYN_SENT;
    r.note = N_RST_OUT_OF_WINDOW;
    r.n1 = relSeq;
    // (n2 = 1: another such RST, said briefly)
    r.n2 = (s.bits & S_RST_IGNORED) !== 0 ? 1 : 0;
    s.bits |= S_RST_IGNORED;
  } else if (rst) {
    phase = PH_RESET;
    const firstRst = s.rstFrame === 0;
    if (firstRst) {
      s.rstFrame = frame;
      setStoryFlag(s, S_RST_FROM_A, fromA);
      setStoryFlag(s, S_RST_AFTER_FIN, s.fin1Frame !== 0);
      // a side that has closed answers the peer's data with a RST (RFC 9293 §3.10.7.1, SHLD-3)
      const senderClosed = (s.fin1Frame !== 0 && ((s.bits & S_FIN1_FROM_A) !== 0) === fromA) || (s.fin2Frame !== 0 && ((s.bits & S_FIN1_FROM_A) !== 0) !== fromA);
      setStoryFlag(s, S_RST_ANSWERS_DATA, senderClosed && s.lastDataFrame !== 0 && ((s.bits & S_LAST_DATA_FROM_A) !== 0) !== fromA);
    }
    if (s.synFrame !== 0 && s.synAckFrame === 0 && (s.bits & S_SIMULTANEOUS_OPEN) === 0 && !fromSynSender) {
      // the answer to a SYN is a RST: nothing listens on that port (connection refused)
      if (s.refusedFrame === 0) s.refusedFrame = frame;
      r.note = N_RST_REFUSED;
      r.n1 = relAck;
      r.n2 = r.peerBase;
    } else if (firstRst) {
      // (after a close that had finished, both FINs acknowledged, the RST ends nothing: said so)
      r.note = (s.bits & S_RST_ANSWERS_DATA) !== 0 ? N_RST_ANSWERS_DATA
        : (s.bits & S_RST_AFTER_FIN) === 0 ? N_RST
        : s.fin1AckFrame !== 0 && s.fin2AckFrame !== 0 ? N_RST_AFTER_CLOSE : N_RST_AFTER_FIN;
      // its sender's last window was 0: it held data its application had not read, the usual
      // reason for a RST instead of a FIN (RFC 1122 §4.2.2.13)
      r.n1 = r.note === N_RST && r.prevWindow === 0 ? 1 : 0;
    } else {
      r.note = N_RST_AGAIN;
      r.n1 = s.rstFrame;
    }
    me = ST_CLOSED;
    peer = ST_CLOSED;
  } else if (syn && !ack) {
    phase = PH_HANDSHAKE;
    if (s.synFrame === 0) {
      s.synFrame = frame;
      setStoryFlag(s, S_SYN_FROM_A, fromA);
      s.synCount = 1;
      me = ST_SYN_SENT;
      if (peer === ST_UNKNOWN || peer === ST_CLOSED) peer = ST_LISTEN;
      r.note = N_SYN;
      r.n1 = p.seq32 >>> 0;
      // data on the SYN (TCP Fast Open): the client's first data, told here (n2: its length);
      // ECE and CWR: an ECN-setup SYN (n3 = 1)
      const ecnSetup = (flags & (TCP_ECE | TCP_CWR)) === (TCP_ECE | TCP_CWR);
      r.n2 = len;
      r.n3 = ecnSetup ? 1 : 0;
      if (ecnSetup) s.bits |= S_ECN_OFFERED;
      if (len > 0) {
        s.bits |= S_SYN_DATA | (fromA ? S_FIRST_DATA_NOTED_A : S_FIRST_DATA_NOTED_B);
        s.firstDataFrame = frame;
        setStoryFlag(s, S_LAST_DATA_FROM_A, fromA);
        s.lastDataFrame = frame;
      }
    } else if (fromSynSender) {
      s.synCount++;
      r.note = N_SYN_RETRANSMITTED;
      r.n1 = s.synCount - 1;
      if ((s.bits & S_SYN_DATA) !== 0 && len === 0) s.bits |= S_SYN_AGAIN_BARE;
      if (s.synAckFrame !== 0 && s.hsAckFrame === 0 && (s.bits & S_SIMULTANEOUS_OPEN) === 0) {
        // the SYN again after the capture saw the SYN-ACK: that SYN-ACK has not reached the
        // client (lost after the point of capture, or late), which is still in SYN_SENT (n2: its frame)
        me = ST_SYN_SENT;
        r.n2 = s.synAckFrame;
      }
    } else if ((s.bits & S_SIMULTANEOUS_OPEN) === 0 && s.synAckFrame === 0) {
      // a bare SYN from the other side too: simultaneous open (RFC 9293 §3.5, figure 7)
      s.bits |= S_SIMULTANEOUS_OPEN;
      s.secondSynFrame = frame;
      me = ST_SYN_RECEIVED;
      peer = ST_SYN_RECEIVED;
      r.note = N_SIMULTANEOUS_SYN;
      r.n1 = p.seq32 >>> 0;
    }
  } else if (syn && ack) {
    phase = PH_HANDSHAKE;
    if ((s.bits & S_SIMULTANEOUS_OPEN) !== 0) {
      // each side's SYN-ACK repeats its ISN and acknowledges the other's SYN
      peer = ST_ESTABLISHED;
      if (s.synAckFrame === 0) s.synAckFrame = frame;
      else if (s.hsAckFrame === 0) s.hsAckFrame = frame;
      r.note = N_SIMULTANEOUS_SYN_ACK;
      r.n1 = relAck;
    } else if (s.synAckFrame === 0) {
      s.synAckFrame = frame;
      s.synAckIsn = p.seq32;
      me = ST_SYN_RECEIVED;
      peer = ST_ESTABLISHED;
      // a SYN with data: its SYN-ACK acknowledges the data too, or the SYN alone
      // (a SYN without data: the SYN-ACK may bring a Fast Open cookie for the next connections)
      r.note = (s.bits & S_SYN_DATA) === 0 ? (p.tfo > 0 ? N_SYN_ACK_COOKIE : N_SYN_ACK) : relAck !== 1 ? N_SYN_ACK_DATA
        : (s.bits & S_SYN_AGAIN_BARE) !== 0 ? N_SYN_ACK_BARE_SYN : N_SYN_ACK_NOT_DATA;
      if (r.note === N_SYN_ACK_DATA) s.bits |= S_SYN_DATA_ACCEPTED;
      r.n1 = relAck;
      r.n2 = r.peerBase;
      r.n3 = p.seq32 >>> 0;
      // ECN agreed: the SYN was ECN-setup, the SYN-ACK has ECE without CWR (RFC 3168 §6.1.1)
      if ((flags & (TCP_ECE | TCP_CWR)) === TCP_ECE && (s.bits & S_ECN_OFFERED) !== 0) s.bits |= S_ECN_AGREED;
    } else {
      r.note = N_SYN_ACK_RETRANSMITTED;
      // a client shown back in SYN_SENT (it sent its SYN again) has the SYN-ACK with this copy (n1 = 1)
      if (peer === ST_SYN_SENT && s.hsAckFrame === 0) {
        peer = ST_ESTABLISHED;
        r.n1 = 1;
      }
    }
  } else {
    // neither SYN nor RST
    if (ack && s.synFrame !== 0 && s.synAckFrame === 0 && s.fin1Frame === 0 && (s.bits & S_SIMULTANEOUS_OPEN) === 0 &&
        !fromSynSender &&
        (relAck === 0 || relAck > 0x7fffffff || (relAck !== 1 && (s.bits & (fromA ? S_FIRST_DATA_NOTED_B : S_FIRST_DATA_NOTED_A)) === 0))) {
      // before any SYN-ACK, a segment from the SYN's receiver whose ack is not the SYN's end
      // (ack 1) nor, once the client has sent data, within what it sent: the client in SYN_SENT
      // cannot accept it (RFC 9293 §3.10.7.3: SEG.ACK =< ISS or SEG.ACK > SND.NXT) and answers
      // with a RST; a late segment of an earlier connection on these ports, as a rule (a
      // server still sending on a connection whose client's RST was lost, when the client
      // reuses the port)
      // (n2 = 1: another such segment, said briefly)
      r.n2 = (s.bits & S_STRAY_ACK) !== 0 ? 1 : 0;
      s.bits |= S_STRAY_ACK;
      phase = PH_HANDSHAKE;
      r.note = N_UNACCEPTABLE_ACK;
      r.n1 = relAck;
    }
    if (s.synAckFrame !== 0 && s.hsAckFrame === 0 && (s.bits & S_SIMULTANEOUS_OPEN) === 0 && ack && fromSynSender &&
        seqGe(p.ack32, seqAdd32(s.synAckIsn, 1))) {
      // the third segment: the client acknowledges the server's SYN
      s.hsAckFrame = frame;
      phase = PH_HANDSHAKE;
      me = ST_ESTABLISHED;
      peer = ST_ESTABLISHED;
      if (len === 0 && !fin) {
        r.note = N_HANDSHAKE_ACK;
        r.n1 = relAck;
        r.n2 = s.synAckIsn >>> 0;
      }
    } else if ((s.bits & S_SIMULTANEOUS_OPEN) !== 0 && me === ST_SYN_RECEIVED && ack) {
      me = ST_ESTABLISHED;
      peer = ST_ESTABLISHED;
    }
    if (len > 0 && r.note !== N_UNACCEPTABLE_ACK) {
      if (s.fin1Frame !== 0 && ((s.bits & S_FIN1_FROM_A) !== 0) !== fromA && (s.bits & S_DATA_AFTER_FIN) === 0) {
        // half-close: the side that has not closed keeps sending (RFC 9293 §3.6)
        s.bits |= S_DATA_AFTER_FIN;
        if (fromA) s.bits |= S_FIRST_DATA_NOTED_A;
        else s.bits |= S_FIRST_DATA_NOTED_B;
        if (s.firstDataFrame === 0) s.firstDataFrame = frame;
        r.note = N_DATA_AFTER_FIN;
        r.n1 = len;
      } else if (!(fromA ? (s.bits & S_FIRST_DATA_NOTED_A) !== 0 : (s.bits & S_FIRST_DATA_NOTED_B) !== 0) && r.note === N_MIDSTREAM) {
        // the capture's first packet carries data: it is this side's first data seen, told by
        // the mid-stream note (a later segment is not called the first)
        if (fromA) s.bits |= S_FIRST_DATA_NOTED_A;
        else s.bits |= S_FIRST_DATA_NOTED_B;
        if (s.firstDataFrame === 0) s.firstDataFrame = frame;
      } else if (!(fromA ? (s.bits & S_FIRST_DATA_NOTED_A) !== 0 : (s.bits & S_FIRST_DATA_NOTED_B) !== 0) && r.note === N_NONE) {
        firstData(s, r, frame, fromA, len);
      }
      setStoryFlag(s, S_LAST_DATA_FROM_A, fromA);
      s.lastDataFrame = frame;
    }
    const acksFin1Now = ack && s.fin1Frame !== 0 && s.fin1AckFrame === 0 && fromA !== ((s.bits & S_FIN1_FROM_A) !== 0) && seqGe(p.ack32, s.fin1End);
    if (acksFin1Now) s.fin1AckFrame = frame;
    // the first acknowledgement of the second FIN (sent before this packet), by the first closer
    const acksFin2Now = ack && s.fin2Frame !== 0 && s.fin2AckFrame === 0 && fromA === ((s.bits & S_FIN1_FROM_A) !== 0) && seqGe(p.ack32, s.fin2End);
    if (fin) {
      phase = PH_TEARDOWN;
      const end = seqAdd32(p.seq32, len + 1);
      if (s.fin1Frame === 0) {
        s.fin1Frame = frame;
        setStoryFlag(s, S_FIN1_FROM_A, fromA);
        s.fin1End = end;
        me = ST_FIN_WAIT_1;
        if (peer !== ST_CLOSED) peer = ST_CLOSE_WAIT;
        r.note = N_FIN_FIRST;
        r.n1 = seqAdd(relSeq, len);
        r.n2 = relSeq;
        r.n3 = len;
      } else if (fromA === ((s.bits & S_FIN1_FROM_A) !== 0) || s.fin2Frame !== 0) {
        r.note = N_FIN_RETRANSMITTED;
        // the frame that had acknowledged this FIN already, if one had
        r.n1 = fromA === ((s.bits & S_FIN1_FROM_A) !== 0) ? s.fin1AckFrame : s.fin2AckFrame;
        if (fromA !== ((s.bits & S_FIN1_FROM_A) !== 0)) {
          s.fin2Copies++;
          s.fin2CopyFrame = frame;
          // a side that sends its FIN again has not had the last ACK: it is still in LAST_ACK
          if ((s.bits & S_FIN2_CROSSED) === 0 && me === ST_CLOSED) me = ST_LAST_ACK;
        }
        if (fromA === ((s.bits & S_FIN1_FROM_A) !== 0) && s.fin2Frame === 0 && me === ST_ESTABLISHED) {
          // the FIN went before the handshake ended and comes again on its third segment: that
          // segment establishes the connection, and its FIN leaves the sender in FIN_WAIT_1
          me = ST_FIN_WAIT_1;
          if (peer === ST_ESTABLISHED) peer = ST_CLOSE_WAIT;
        }
        if ((s.bits & S_FIN2_CROSSED) !== 0) {
          // after crossed FINs, a copy of a FIN may be the first segment to acknowledge the
          // other FIN (the plain ACK was lost or is late): its receiver leaves CLOSING for
          // TIME_WAIT, as on that ACK (n2: the ack; 0 when it acknowledges nothing new)
          if (acksFin1Now) {
            peer = ST_TIME_WAIT;
            r.n2 = relAck;
          } else if (acksFin2Now) {
            s.fin2AckFrame = frame;
            peer = ST_TIME_WAIT;
            r.n2 = relAck;
          }
        }
      } else {
        s.fin2Frame = frame;
        s.fin2End = end;
        if (!(ack && seqGe(p.ack32, s.fin1End))) {
          // FINs crossed: each side sent its FIN before seeing the other's (simultaneous close)
          s.bits |= S_FIN2_CROSSED;
          me = ST_CLOSING;
          // the first closer is CLOSING when this FIN reaches it first; when this FIN's sender
          // had acknowledged the first FIN before (this FIN was delayed, or lost and sent again),
          // the first closer is in FIN_WAIT_2 and goes to TIME_WAIT (RFC 9293 §3.10.7.4)
          const acked = s.fin1AckFrame !== 0;
          peer = acked ? ST_TIME_WAIT : ST_CLOSING;
          r.note = acked ? N_FIN_CROSSED_ACKED : N_FIN_CROSSED;
          r.n1 = seqAdd(relSeq, len);
          r.n2 = relSeq;
          r.n3 = len;
        } else {
          setStoryFlag(s, S_FIN1_ACKED_BY_FIN, acksFin1Now);
          me = ST_LAST_ACK;
          // the first closer gets the peer's FIN (in FIN_WAIT_2, or FIN_WAIT_1 if it also acks) → TIME_WAIT
          peer = ST_TIME_WAIT;
          if (acksFin1Now) {
            r.note = N_FIN_PIGGYBACKED;
            r.n1 = relAck;
          } else {
            r.note = N_FIN_SECOND;
            r.n1 = seqAdd(relSeq, len);
            r.n2 = relSeq;
            r.n3 = len;
          }
        }
      }
      if (s.rstFrame !== 0 && fromA !== ((s.bits & S_RST_FROM_A) !== 0) && r.note !== N_FIN_RETRANSMITTED) {
        // a FIN from the side that did not send the RST, after it: the RST had not reached it
        // (lost after the point of capture, or still on its way), so it closes a connection
        // it still has; its peer, reset, has none (CLOSED) and answers with a RST (n1: the RST's frame)
        peer = ST_CLOSED;
        r.note = N_FIN_AFTER_RST;
        r.n1 = s.rstFrame;
        r.n2 = 0;
        r.n3 = 0;
      }
    } else if ((s.bits & S_FIN2_CROSSED) !== 0 && acksFin1Now) {
      // simultaneous close: the second closer acknowledges the first FIN; its peer leaves CLOSING
      phase = PH_TEARDOWN;
      peer = ST_TIME_WAIT;
      r.note = N_LAST_ACK_SIMULTANEOUS;
      r.n1 = relAck;
    } else if (acksFin1Now) {
      // the first FIN acknowledged on its own: the peer is in CLOSE_WAIT, the closer in FIN_WAIT_2
      if (len === 0) phase = PH_TEARDOWN;
      me = ST_CLOSE_WAIT;
      if (peer === ST_FIN_WAIT_1) peer = ST_FIN_WAIT_2;
      if (len === 0 && r.note === N_NONE) {
        r.note = N_FIN_ACKED;
        r.n1 = relAck;
      } else if (len > 0 && (r.note === N_DATA_AFTER_FIN || (r.note === N_NONE && r.analysis === 0))) {
        // the ACK of the FIN is the second of the four segments even when it carries data
        r.note = N_FIN_ACKED_DATA;
        r.n1 = relAck;
        r.n2 = len;
      }
    } else if (acksFin2Now) {
      s.fin2AckFrame = frame;
      phase = PH_TEARDOWN;
      if ((s.bits & S_FIN2_CROSSED) !== 0) {
        peer = ST_TIME_WAIT;
        r.note = N_LAST_ACK_SIMULTANEOUS;
      } else {
        // the last ACK: the active closer waits 2·MSL in TIME_WAIT; the other side is CLOSED
        me = ST_TIME_WAIT;
        peer = ST_CLOSED;
        r.note = N_LAST_ACK;
      }
      r.n1 = relAck;
    } else if (s.fin2Frame !== 0 && s.fin2AckFrame !== 0 && len === 0) {
      phase = PH_AFTER_CLOSE;
      if (ack && r.note === N_NONE && (r.analysis & ~A_DUPLICATE_ACK) === 0) {
        // a plain ACK after the close: what each side acknowledged in closing is the other's FIN
        // (the second closer's acknowledgement of the first FIN may still be to come after a
        // simultaneous close: then nothing it acknowledges is old). One with the numbers of the
        // sender's previous ACK is Wireshark's duplicate_ack, whose note ("a segment is
        // missing") does not hold here, where nothing is outstanding: n3 = 1 says it was flagged.
        const first = fromA === ((s.bits & S_FIN1_FROM_A) !== 0);
        const closedAt = first ? s.fin2End : s.fin1End;
        if ((first || s.fin1AckFrame !== 0) && seqLt(p.ack32, closedAt)) {
          r.note = N_OLD_ACK;
          r.n1 = relAck;
          r.n2 = seqSub(closedAt, r.peerBase);
        } else if (first) {
          r.note = N_LAST_ACK_AGAIN;
          r.n1 = relAck;
          if (s.fin2Copies > 0) {
            s.fin2Copies--;
            r.n2 = s.fin2CopyFrame;
          }
          // the answer to a copy of the FIN: its sender leaves LAST_ACK again
          if (peer === ST_LAST_ACK) peer = ST_CLOSED;
        } else {
          r.note = N_ACK_AFTER_CLOSE;
          r.n1 = relAck;
        }
        if (r.analysis !== 0) r.n3 = 1;
      }
    } else if (s.fin2Frame !== 0 && len === 0) {
      // between the second FIN and its acknowledgement
      phase = PH_TEARDOWN;
      if (ack && !fin && fromA === ((s.bits & S_FIN1_FROM_A) !== 0) && r.note === N_NONE && r.analysis === 0) {
        // an ACK of the peer's last data, sent before the peer's FIN arrived (or delayed)
        r.note = N_ACK_BEFORE_FIN;
        r.n1 = relAck;
        r.n2 = seqSub(seqAdd(s.fin2End, -1), r.peerBase);
      }
    }
    // (not on a duplicate ACK or another flagged one: that ACK does not acknowledge the data,
    // and the analysis note says what it does)
    if (ack && len === 0 && !fin && r.note === N_NONE && r.analysis === 0 && s.firstDataFrame !== 0 && (s.bits & S_FIRST_DATA_ACK_NOTED) === 0 && fromA !== ((s.bits & S_LAST_DATA_FROM_A) !== 0)) {
      s.bits |= S_FIRST_DATA_ACK_NOTED;
      r.note = N_DATA_ACKED;
      r.n1 = relAck;
    }
  }
  if (fromA) {
    s.stateA = me;
    s.stateB = peer;
  } else {
    s.stateB = me;
    s.stateA = peer;
  }
  r.phase = phase;
  r.stateA = s.stateA;
  r.stateB = s.stateB;
}

/** The handshake's and the teardown's kinds (SPEC.md), in the contract's order. */
export const HANDSHAKE_KINDS = ['three-way', 'simultaneous-open', 'refused', 'unanswered', 'incomplete', 'not-captured'] as const;
export const TEARDOWN_KINDS = ['four-way', 'three-way', 'simultaneous', 'reset', 'half-closed', 'none'] as const;
export type HandshakeKind = (typeof HANDSHAKE_KINDS)[number];
export type TeardownKind = (typeof TEARDOWN_KINDS)[number];

export function handshakeKind(s: Story): HandshakeKind {
  if (s.synFrame === 0) return 'not-captured';
  if ((s.bits & S_SIMULTANEOUS_OPEN) !== 0) return 'simultaneous-open';
  if (s.refusedFrame !== 0) return 'refused';
  if (s.synAckFrame === 0) return 'unanswered';
  if (s.hsAckFrame === 0) return 'incomplete';
  return 'three-way';
}

export function teardownKind(s: Story): TeardownKind {
  const finsDone = s.fin1Frame !== 0 && s.fin2Frame !== 0;
  if (s.rstFrame !== 0 && !finsDone) return 'reset';
  if (s.fin1Frame === 0) return 'none';
  if (s.fin2Frame === 0) return 'half-closed';
  if ((s.bits & S_FIN2_CROSSED) !== 0) return 'simultaneous';
  return (s.bits & S_FIN1_ACKED_BY_FIN) !== 0 ? 'three-way' : 'four-way';
}

/**
 * When a packet has no handshake/teardown note but carries Wireshark analysis flags, the note
 * explains the most telling one (retransmissions first, window matters last), from `r` and the
 * packet's payload length and D-SACK (`p`). `allAcked`: the packet's ack covers everything the
 * other side has sent (a duplicate ACK then reports no loss: Wireshark's rule asks only that the
 * ack, the window and the sequence number repeat with no data, so a bulk sender's own bare ACKs
 * count, with nothing missing).
 */
export function analysisNote(r: StoryResult, p: Packet, allAcked: boolean): void {
  const bits = r.analysis;
  if (r.note !== N_NONE || bits === 0) return;
  const relSeq = r.seq;
  const end = seqAdd(relSeq, p.payloadLen);
  // a D-SACK's edges (decode/tcp.ts) relative to the other direction, worked out here with end's
  // (for every packet with a flag: see below), the other direction's base when there is none
  // (relative 0, a small integer: a stale edge made relative was a heap number a packet); the
  // edges read in either case, and seqSub() written out: a call that is not inlined boxes its
  // arguments, read from fields that hold doubles (12 bytes a packet on bulk, in
  // test/hot-alloc.test.ts's run without inlining)
  const dsack = p.dsack;
  const peerBase = r.peerBase;
  const left = p.dsackLeft;
  const right = p.dsackRight;
  const dsackLeft = ((dsack ? left : peerBase) - peerBase) >>> 0;
  const dsackRight = ((dsack ? right : peerBase) - peerBase) >>> 0;
  // the flow-control and keep-alive variants, read here for the same reason
  const nb = r.noteBits;
  const gapFrom = r.gapFrom;
  const gapLen = (relSeq - gapFrom) >>> 0;
  // a keep-alive to a zero window: a probe (1), the sender's previous segment a probe too (2)
  const probe = (nb & NB_PEER_WINDOW_ZERO) === 0 ? 0 : (nb & NB_SENT_KEEP_ALIVE) === 0 ? 1 : 2;
  // a zero window after the other side's keep-alive, from a side whose window was 0 already
  const probeAnswer = (nb & NB_PEER_KEEP_ALIVE) !== 0 && r.prevWindow === 0 ? 1 : 0;
  const crossedKeepAlives = (nb & (NB_SENT_KEEP_ALIVE | NB_PEER_KEEP_ALIVE_ACK)) === (NB_SENT_KEEP_ALIVE | NB_PEER_KEEP_ALIVE_ACK) ? 1 : 0;
  // the note and its numbers are chosen, then stored once: a call or an operation in a branch
  // V8 has not seen run throws the optimised code away when it first runs (the first
  // retransmission of a long transfer comes long after this function was optimised)
  let note = N_NONE;
  let n1 = 0;
  let n2 = 0;
  let n3 = 0;
  if (bits & A_SPURIOUS_RETRANSMISSION) { note = N_SPURIOUS_RETRANSMISSION; n1 = relSeq; n2 = end; }
  else if (bits & A_FAST_RETRANSMISSION) { note = N_FAST_RETRANSMISSION; n1 = relSeq; n2 = end; }
  else if (bits & A_RETRANSMISSION) { note = N_RETRANSMISSION; n1 = relSeq; n2 = end; }
  else if (bits & A_OUT_OF_ORDER) { note = N_OUT_OF_ORDER; n1 = relSeq; n2 = end; }
  else if (bits & A_LOST_PACKET) { note = N_LOST_SEGMENT; n1 = relSeq; n2 = gapFrom; n3 = gapLen; }
  else if (bits & A_ACK_LOST_PACKET) { note = N_ACK_LOST_SEGMENT; n1 = r.ack; }
  else if (bits & A_ZERO_WINDOW_PROBE) { note = N_ZERO_WINDOW_PROBE; n1 = relSeq; }
  else if (bits & A_ZERO_WINDOW_PROBE_ACK) note = N_ZERO_WINDOW_PROBE_ACK;
  else if (bits & A_ZERO_WINDOW) { note = N_ZERO_WINDOW; n1 = probeAnswer; }
  else if (bits & A_KEEP_ALIVE_ACK) note = N_KEEP_ALIVE_ACK;
  else if (bits & A_KEEP_ALIVE) { note = N_KEEP_ALIVE; n1 = relSeq; n2 = probe; }
  else if (bits & A_DUPLICATE_ACK) {
    // a D-SACK says why it was sent (a segment came twice); with none, whether anything is outstanding
    note = dsack ? N_DUPLICATE_ACK_DSACK : allAcked ? N_DUPLICATE_ACK_ALL_ACKED : N_DUPLICATE_ACK;
    n1 = r.dupAckNum;
    n2 = dsack ? dsackLeft : r.ack;
    n3 = dsack ? dsackRight : allAcked ? crossedKeepAlives : 0;
  }
  else if (bits & A_WINDOW_FULL) note = N_WINDOW_FULL;
  else if (bits & A_WINDOW_UPDATE) { note = N_WINDOW_UPDATE; n1 = r.window; }
  if (note === N_NONE) return;
  set(r, note, n1, n2, n3);
}

function set(r: StoryResult, note: number, n1: number, n2: number, n3: number): void {
  r.note = note;
  r.n1 = n1;
  r.n2 = n2;
  r.n3 = n3;
}
