/**
 * Zeek's connection verdict: `conn_state` and `history` (scripts/base/protocols/conn/main.zeek,
 * TCP_Endpoint, TCPSessionAdapter), computed per connection as Zeek's documented rules say.
 *
 * - Originator: the sender of the first packet, flipped at creation when that packet is not a
 *   pure SYN and its source port is a likely server port (and, with both ports likely server
 *   ports, when it has no SYN and its source port is the lower one); a connection whose history
 *   is exactly "H" flips when the next A or D letter comes ("^h…").
 * - Endpoint states INACTIVE, SYN_SENT, SYN_ACK_SENT, PARTIAL, ESTABLISHED, CLOSED, RESET with
 *   the transitions of TCPSessionAdapter; conn_state chosen from them in Zeek's order.
 * - History letters: S H A D F R I Q (upper case from the originator, lower from the
 *   responder) with Zeek's repetition rules; T (payload not beyond the highest sequence seen) and
 *   W (zero window) counted logarithmically (letter at 1, 10, 100, …). C (bad checksum) and G
 *   (content gap) need checksum checking and reassembly, which this tool does not do; they never
 *   appear. Zeek also splits some connections differently (a SYN after FIN/RST, simultaneous
 *   open): here the verdict is computed per connection as Wireshark numbers them
 *   (docs/differences.md).
 */
import type { Packet } from '../decode/packet.js';
import { TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST } from '../decode/packet.js';
import { seqAdd32, seqDiff } from '../model/seq.js';

const Z_INACTIVE = 0;
const Z_SYN_SENT = 1;
const Z_SYN_ACK_SENT = 2;
const Z_PARTIAL = 3;
const Z_ESTABLISHED = 4;
const Z_CLOSED = 5;
const Z_RESET = 6;

/** Zeek's likely_server_ports as registered by its default analyzers (a representative set). */
const LIKELY_SERVER_PORTS = new Set([
  21, 22, 23, 25, 53, 80, 88, 110, 111, 135, 139, 143, 179, 389, 443, 445, 465, 502, 514, 587, 631, 636, 989, 990,
  992, 993, 995, 1080, 1433, 1521, 1723, 1883, 2049, 2181, 3128, 3306, 3389, 5060, 5061, 5222, 5269, 5432, 5672,
  5900, 6379, 6667, 6697, 8000, 8080, 8081, 8443, 8883, 8888, 9092, 9200, 11211, 27017,
]);

/** Longest history kept (Zeek's grows without bound; repeats make it grow only slowly). */
const MAX_HISTORY = 256;

/**
 * The history's letters as codes of 5 bits (0: none), six to a field (30 bits, a small
 * integer): the originator's letters, the responder's (lower case) at L_LOWER more, and '^'.
 * A history of up to twelve letters (nearly all: "ShADadFf" is eight) is two numbers, not a
 * string grown a letter at a time (eight strings a connection to allocate and to collect, and
 * one more object to reach at every letter); zeekHistory() makes the text when it is asked for.
 */
const L_CARET = 1;
const L_S = 2;
const L_H = 3;
const L_A = 4;
const L_D = 5;
const L_F = 6;
const L_R = 7;
const L_I = 8;
const L_Q = 9;
const L_W = 10;
const L_T = 11;
const L_LOWER = 10;
/** Each code's letter. */
const LETTERS = ['', '^', 'S', 'H', 'A', 'D', 'F', 'R', 'I', 'Q', 'W', 'T', 's', 'h', 'a', 'd', 'f', 'r', 'i', 'q', 'w', 't'];
/** Letters in a field, and in the two. */
const PER_WORD = 6;
const PACKED = 2 * PER_WORD;

/**
 * Zeek's view of a connection is a record of int32 words in a chunk shared by the connections
 * made one after another (ZeekHolder: the chunk, the record's first word, and the history's
 * letters beyond the packed ones), not three objects: a side as an object literal was 13 fields
 * of 8 bytes and a header (128 bytes), the two with the view's own object 344 bytes over six
 * cache lines, and updateZeek() reached each through a pointer. A record is 32 words (128 bytes,
 * two lines), and a record of zeros is a new connection's view: resetting one is a fill.
 *
 * The words: W_FLAGS (STARTED, ORIG_IS_B), the history's packed letters (W_HIST0, W_HIST1) and
 * its length (W_HISTLEN), then each side's twelve words from SIDE_A and SIDE_B (S_STATE to
 * S_ZW_K). Sequence numbers are int32s, as a flow's are (connection.ts). The thresholds of the
 * T and W letters (1, 10, 100, …) are kept as their powers of ten (S_RETX_K, S_ZW_K: 0 is 1);
 * the counts stop at 2^31 - 1, past the last power that fits (10^9). Zeek's payload bytes of a
 * side matter only as zero or not (REJ), so they are a bit (SENT_DATA).
 */
export interface ZeekHolder {
  /** The chunk of records that holds this connection's. */
  readonly zeekWords: Int32Array;
  /** Its record's first word in the chunk. */
  readonly zeekAt: number;
  /** The history's letters after the packed ones (nearly always ''). */
  zeekHistMore: string;
}

/** Words in a record (28 used: ZEEK_WORDS), and records in a chunk. */
const RECORD = 32;
/**
 * 64 records (8 KB) a chunk: a chunk lives while any connection that holds a record of it does,
 * so a connection that outlives those made around it keeps at most 8 KB, not a bigger chunk; a
 * chunk's own objects are about 3 bytes a record. (A million records took 143 ms to make and
 * touch in 8 KB chunks, 97 ms in 64 KB ones: docs/performance.md, "night".)
 */
const CHUNK_RECORDS = 64;

const W_FLAGS = 0;
const W_HIST0 = 1;
const W_HIST1 = 2;
const W_HISTLEN = 3;
/** W_FLAGS: the first packet was seen; the originator is flow b (not a). */
const STARTED = 1;
const ORIG_IS_B = 2;
const SIDE_A = 4;
const SIDE_B = 16;
const SIDE_WORDS = 12;

const S_STATE = 0;
const S_PREV_STATE = 1;
/** What this side has done, as bits (SAW_A to SENT_DATA). */
const S_BITS = 2;
const S_LAST_SYN_SEQ = 3;
const S_LAST_FIN_END = 4;
const S_LAST_RST_SEQ = 5;
/** Base for relative numbers (Zeek's ISN): the first seq seen from this side (HAS_BASE). */
const S_BASE = 6;
const S_HIGH_END = 7;
const S_RETRANSMITS = 8;
const S_RETX_K = 9;
const S_ZERO_WINDOWS = 10;
const S_ZW_K = 11;

/** S_BITS: the history letters A, D, I, Q seen from this side. */
const SAW_A = 1;
const SAW_D = 2;
const SAW_I = 4;
const SAW_Q = 8;
/** S_BITS: S_LAST_SYN_SEQ, S_LAST_FIN_END, S_LAST_RST_SEQ, S_BASE, S_HIGH_END are set. */
const HAS_SYN = 16;
const HAS_FIN = 32;
const HAS_RST = 64;
const HAS_BASE = 128;
const HAS_HIGH = 256;
/** S_BITS: this side sent a FIN. */
const FIN_SENT = 512;
/** S_BITS: this side sent payload (Zeek's endpoint size is not zero). */
const SENT_DATA = 1024;

/** 10^k for the thresholds' powers (the last that fits an int32 is 10^9). */
const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const MAX_COUNT = 0x7fffffff;

let chunk = new Int32Array(0);
let chunkNext = 0;

/** The chunk the next record comes from (a new one when the last is full): call before takeZeekRecord(). */
export function zeekChunk(): Int32Array {
  if (chunkNext === chunk.length) {
    chunk = new Int32Array(CHUNK_RECORDS * RECORD);
    chunkNext = 0;
  }
  return chunk;
}

/** The first word of the next record of zeekChunk()'s chunk, all zeros: a new view. */
export function takeZeekRecord(): number {
  const at = chunkNext;
  chunkNext += RECORD;
  return at;
}

/** Puts a view back as a new one. */
export function resetZeek(z: ZeekHolder): void {
  z.zeekWords.fill(0, z.zeekAt, z.zeekAt + RECORD);
  z.zeekHistMore = '';
}

/** Int32 words saveZeek() writes. */
export const ZEEK_WORDS = SIDE_B + SIDE_WORDS;
/** saveZeek()'s first word: STARTED, and this bit when the originator is the side written first. */
const SAVED_ORIG_FIRST = 2;

/**
 * Writes Zeek's view into `ints` from `o` (ZEEK_WORDS words), side a first when `aFirst`, else
 * side b (flow/analysis-states.ts: a released connection's view, kept by endpoint for its
 * continuation). The letters after the packed ones (zeekHistMore) are the caller's to keep.
 */
export function saveZeek(z: ZeekHolder, aFirst: boolean, ints: Int32Array, o: number): void {
  const w = z.zeekWords;
  const at = z.zeekAt;
  const flags = w[at + W_FLAGS];
  ints[o] = (flags & STARTED) | (((flags & ORIG_IS_B) === 0) === aFirst ? SAVED_ORIG_FIRST : 0);
  ints[o + 1] = w[at + W_HIST0];
  ints[o + 2] = w[at + W_HIST1];
  ints[o + 3] = w[at + W_HISTLEN];
  copyWords(w, at + (aFirst ? SIDE_A : SIDE_B), ints, o + SIDE_A);
  copyWords(w, at + (aFirst ? SIDE_B : SIDE_A), ints, o + SIDE_B);
}

/** Reads a view saveZeek() wrote; `aFirst`: the first side written becomes side a, else side b. */
export function restoreZeek(z: ZeekHolder, aFirst: boolean, ints: Int32Array, o: number, histMore: string): void {
  const w = z.zeekWords;
  const at = z.zeekAt;
  const flags = ints[o];
  w[at + W_FLAGS] = (flags & STARTED) | (((flags & SAVED_ORIG_FIRST) !== 0) === aFirst ? 0 : ORIG_IS_B);
  w[at + W_HIST0] = ints[o + 1];
  w[at + W_HIST1] = ints[o + 2];
  w[at + W_HISTLEN] = ints[o + 3];
  copyWords(ints, o + SIDE_A, w, at + (aFirst ? SIDE_A : SIDE_B));
  copyWords(ints, o + SIDE_B, w, at + (aFirst ? SIDE_B : SIDE_A));
  z.zeekHistMore = histMore;
}

/** Copies a side's SIDE_WORDS words. */
function copyWords(from: Int32Array, f: number, to: Int32Array, t: number): void {
  for (let i = 0; i < SIDE_WORDS; i++) to[t + i] = from[f + i];
}

/** Updates Zeek's view with one packet from flow a (fromA) or b. */
export function updateZeek(z: ZeekHolder, p: Packet, fromA: boolean): void {
  // The data phase's packets take a path of their own, as in updateStory(): no SYN, FIN or RST,
  // a side already started, out of INACTIVE, that has sent a packet of this kind (data, or a
  // bare ACK) before. Such a packet adds no history letter but W and T and changes no state.
  // updateZeekFully()'s rare branches (a SYN or FIN sent again, a RST after a close) then throw
  // away only its optimised code, not the data phase's (real4: three compilations).
  const w = z.zeekWords;
  const at = z.zeekAt;
  const flags = p.flags;
  const zf = w[at + W_FLAGS];
  if ((flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0 && (zf & STARTED) !== 0) {
    const E = at + (fromA ? SIDE_A : SIDE_B);
    const eb = w[E + S_BITS];
    if ((eb & HAS_BASE) !== 0 && w[E + S_STATE] !== Z_INACTIVE &&
        (p.payloadLen > 0 ? (eb & SAW_D) !== 0 : (flags & TCP_ACK) === 0 || (eb & SAW_A) !== 0)) {
      const P = at + (fromA ? SIDE_B : SIDE_A);
      w[E + S_BITS] = windowAndRetransmits(z, w, E, P, p, eb, w[E + S_STATE] === Z_RESET, fromA === ((zf & ORIG_IS_B) === 0));
      return;
    }
  }
  updateZeekFully(z, p, fromA);
}

/**
 * updateZeek() for every packet: the history's letters, the states, W and T (exported for the
 * tests, which check that updateZeek()'s own path agrees with it).
 */
export function updateZeekFully(z: ZeekHolder, p: Packet, fromA: boolean): void {
  const w = z.zeekWords;
  const at = z.zeekAt;
  const flags = p.flags;
  const syn = (flags & TCP_SYN) !== 0;
  const ack = (flags & TCP_ACK) !== 0;
  const fin = (flags & TCP_FIN) !== 0;
  const rst = (flags & TCP_RST) !== 0;
  let zf = w[at + W_FLAGS];
  if ((zf & STARTED) === 0) {
    zf = STARTED;
    if (!(syn && !ack)) {
      const sp = p.srcPort;
      const dp = p.dstPort;
      const sServer = LIKELY_SERVER_PORTS.has(sp);
      const dServer = LIKELY_SERVER_PORTS.has(dp);
      if ((sServer && !dServer) || (sServer && dServer && !syn && sp < dp)) {
        zf = STARTED | ORIG_IS_B;
        w[at + W_HIST0] = L_CARET;
        w[at + W_HISTLEN] = 1;
      }
    }
    w[at + W_FLAGS] = zf;
  }
  const E = at + (fromA ? SIDE_A : SIDE_B);
  const P = at + (fromA ? SIDE_B : SIDE_A);
  let isOrig = fromA === ((zf & ORIG_IS_B) === 0);
  let eb = w[E + S_BITS];
  if ((eb & HAS_BASE) === 0) {
    eb |= HAS_BASE;
    w[E + S_BASE] = p.seq32;
  }
  const relSeq = seqDiff(p.seq32, w[E + S_BASE]);

  // --- history: the control letter of this packet
  // (a repeat's comparison made before its test, not only when the flag was seen before: first
  // made at a capture's first SYN, FIN or RST sent again, thousands of connections in, it threw
  // the optimised updateZeekFully() away for want of type feedback)
  const ctl = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  let letter = 0;
  if (ctl === 1) {
    if (syn) {
      const same = w[E + S_LAST_SYN_SEQ] === relSeq;
      if ((eb & HAS_SYN) === 0 || !same) letter = ack ? L_H : L_S;
      eb |= HAS_SYN;
      w[E + S_LAST_SYN_SEQ] = relSeq;
    } else if (fin) {
      const end = seqAdd32(p.seq32, p.payloadLen);
      const same = w[E + S_LAST_FIN_END] === end;
      if ((eb & HAS_FIN) === 0 || !same) letter = L_F;
      eb |= HAS_FIN;
      w[E + S_LAST_FIN_END] = end;
    } else {
      const same = w[E + S_LAST_RST_SEQ] === p.seq32;
      if ((eb & HAS_RST) === 0 || !same) letter = L_R;
      eb |= HAS_RST;
      w[E + S_LAST_RST_SEQ] = p.seq32;
    }
  } else if (ctl >= 2) {
    if (fin && rst && !syn) {
      if ((eb & SAW_I) === 0) letter = L_I;
      eb |= SAW_I;
    } else {
      if ((eb & SAW_Q) === 0) letter = L_Q;
      eb |= SAW_Q;
    }
  } else if (p.payloadLen > 0) {
    if ((eb & SAW_D) === 0) letter = L_D;
    eb |= SAW_D;
  } else if (ack) {
    if ((eb & SAW_A) === 0) letter = L_A;
    eb |= SAW_A;
  }
  const onlyH = w[at + W_HISTLEN] === 1 && w[at + W_HIST0] === L_H;
  if ((letter === L_A || letter === L_D) && onlyH) {
    // a SYN-ACK that opened the record came from the responder after all: flip (history "^h")
    zf ^= ORIG_IS_B;
    w[at + W_FLAGS] = zf;
    w[at + W_HIST0] = L_CARET | ((L_H + L_LOWER) << 5);
    w[at + W_HISTLEN] = 2;
    isOrig = fromA === ((zf & ORIG_IS_B) === 0);
  }
  if (letter !== 0) addLetter(z, letter, isOrig);

  // --- endpoint state machine (TCPSessionAdapter)
  const before = w[E + S_STATE];
  const peer = w[P + S_STATE];
  // (the peer's states the rarer cases ask about, compared for every packet, as the repeats above)
  const peerClosed = peer === Z_CLOSED;
  const peerSynSent = peer === Z_SYN_SENT;
  const peerEstablished = peer === Z_ESTABLISHED;
  const empty = p.payloadLen === 0;
  const peerWasClosed = w[P + S_PREV_STATE] === Z_CLOSED;
  const peerClosedThenReset = peer === Z_RESET && peerWasClosed;
  let st = before;
  switch (before) {
    case Z_INACTIVE:
      if (syn) {
        if (isOrig) st = ack ? Z_SYN_ACK_SENT : Z_SYN_SENT;
        else {
          st = Z_ESTABLISHED;
          if (peerSynSent) setState(w, P, Z_ESTABLISHED);
        }
        if (fin) st = Z_CLOSED;
      } else if (rst) {
        st = Z_RESET;
      } else if (fin) {
        st = Z_CLOSED;
      } else if (!isOrig && empty && peerSynSent) {
        // an ACK before the SYN-ACK: tolerated, stays INACTIVE
      } else if (ack && peerEstablished) {
        st = Z_ESTABLISHED;
      } else {
        st = Z_PARTIAL;
      }
      break;
    case Z_SYN_SENT:
    case Z_SYN_ACK_SENT:
      if (rst) st = Z_RESET;
      else if (fin) st = Z_CLOSED;
      break;
    case Z_ESTABLISHED:
    case Z_PARTIAL:
      if (rst) st = Z_RESET;
      else if (fin) {
        st = Z_CLOSED;
        // "FIN then RST" from the peer still counts as a normal termination
        if (peerClosedThenReset) setState(w, P, Z_CLOSED);
      } else if (syn && !ack && before === Z_PARTIAL && peer === Z_INACTIVE) {
        st = Z_SYN_SENT;
      }
      break;
    case Z_CLOSED:
      if (rst && !peerClosed) st = Z_RESET;
      break;
    default:
      break;
  }
  if (st !== before) {
    w[E + S_STATE] = st;
    w[E + S_PREV_STATE] = before;
  }
  if (fin) eb |= FIN_SENT;
  w[E + S_BITS] = windowAndRetransmits(z, w, E, P, p, eb, rst || st === Z_RESET, isOrig);
}

/**
 * The side at E's W and T letters for the packet (P: the other side; `reset`: a RST, or the
 * side RESET): its bits `eb` given and returned, with SENT_DATA and HAS_HIGH as the packet sets
 * them.
 */
function windowAndRetransmits(z: ZeekHolder, w: Int32Array, E: number, P: number, p: Packet, eb: number, reset: boolean, isOrig: boolean): number {
  if (p.payloadLen > 0) eb |= SENT_DATA;
  // --- W: a zero window advertised (not on a RST, not after the peer's FIN, not once RESET)
  if (p.window === 0 && !reset && (w[P + S_BITS] & FIN_SENT) === 0) {
    const n = w[E + S_ZERO_WINDOWS];
    if (n < MAX_COUNT) w[E + S_ZERO_WINDOWS] = n + 1;
    const k = w[E + S_ZW_K];
    if (k < POW10.length && n + 1 >= POW10[k]) {
      addLetter(z, L_W, isOrig);
      w[E + S_ZW_K] = k + 1;
    }
  }
  // --- T: payload whose end is not beyond the highest end already seen from this side
  if (p.payloadLen > 0) {
    const end = seqAdd32(p.seq32, p.payloadLen);
    const hasHigh = (eb & HAS_HIGH) !== 0;
    const ahead = !hasHigh || seqDiff(end, w[E + S_HIGH_END]) > 0;
    if (!ahead) {
      const n = w[E + S_RETRANSMITS];
      if (n < MAX_COUNT) w[E + S_RETRANSMITS] = n + 1;
      const k = w[E + S_RETX_K];
      if (k < POW10.length && n + 1 >= POW10[k]) {
        addLetter(z, L_T, isOrig);
        w[E + S_RETX_K] = k + 1;
      }
    } else {
      eb |= HAS_HIGH;
      w[E + S_HIGH_END] = end;
    }
  }
  return eb;
}

/** Moves the side at `s` to state `st` (its previous state kept). */
function setState(w: Int32Array, s: number, st: number): void {
  if (w[s + S_STATE] !== st) {
    w[s + S_PREV_STATE] = w[s + S_STATE];
    w[s + S_STATE] = st;
  }
}

/** Adds a letter (its upper-case code) to the history, in lower case from the responder. */
function addLetter(z: ZeekHolder, letter: number, isOrig: boolean): void {
  const w = z.zeekWords;
  const at = z.zeekAt;
  const n = w[at + W_HISTLEN];
  if (n >= MAX_HISTORY) return;
  const code = isOrig ? letter : letter + L_LOWER;
  if (n < PER_WORD) w[at + W_HIST0] |= code << (5 * n);
  else if (n < PACKED) w[at + W_HIST1] |= code << (5 * (n - PER_WORD));
  else z.zeekHistMore += LETTERS[code];
  w[at + W_HISTLEN] = n + 1;
}

/**
 * Sets the history from its text (the tests' generated connections): history letters are
 * packed as addLetter() packs them; a text with anything else is kept whole as the letters after
 * the packed ones (none packed), which zeekHistory() gives back as it is.
 */
export function setZeekHistory(z: ZeekHolder, text: string): void {
  const w = z.zeekWords;
  const at = z.zeekAt;
  w[at + W_HIST0] = 0;
  w[at + W_HIST1] = 0;
  w[at + W_HISTLEN] = 0;
  z.zeekHistMore = '';
  for (const ch of text) {
    const code = LETTERS.indexOf(ch);
    if (code <= 0) {
      w[at + W_HIST0] = 0;
      w[at + W_HIST1] = 0;
      w[at + W_HISTLEN] = PACKED + text.length;
      z.zeekHistMore = text;
      return;
    }
    if (code === L_CARET) addLetter(z, L_CARET, true);
    else if (code > L_T) addLetter(z, code - L_LOWER, false);
    else addLetter(z, code, true);
  }
}

/**
 * Sets what the verdict is made of (the tests' generated connections): the originator, each
 * side's state (Z_INACTIVE 0 to Z_RESET 6) and whether it sent payload; the history is
 * setZeekHistory()'s.
 */
export function setZeekVerdict(z: ZeekHolder, origIsA: boolean, stateA: number, stateB: number, dataA: boolean, dataB: boolean): void {
  const w = z.zeekWords;
  const at = z.zeekAt;
  w[at + W_FLAGS] = STARTED | (origIsA ? 0 : ORIG_IS_B);
  w[at + SIDE_A + S_STATE] = stateA;
  w[at + SIDE_B + S_STATE] = stateB;
  w[at + SIDE_A + S_BITS] = (w[at + SIDE_A + S_BITS] & ~SENT_DATA) | (dataA ? SENT_DATA : 0);
  w[at + SIDE_B + S_BITS] = (w[at + SIDE_B + S_BITS] & ~SENT_DATA) | (dataB ? SENT_DATA : 0);
}

/** The ZEEK_WORDS words of a view, as saveZeek() writes them with side a first (for tests). */
export function zeekWordsOf(z: ZeekHolder): number[] {
  const ints = new Int32Array(ZEEK_WORDS);
  saveZeek(z, true, ints, 0);
  return Array.from(ints);
}

/**
 * The last histories made, by their packed letters (a direct-mapped cache: most connections of
 * a capture share a few histories, and each one's text is then made once). The packed letters
 * tell the length up to twelve (no letter's code is 0), so they are the whole key; every entry
 * starts as no letters, the empty history.
 */
const HISTORY_CACHE = 1024;
const cache0 = new Int32Array(HISTORY_CACHE);
const cache1 = new Int32Array(HISTORY_CACHE);
const cacheText: string[] = new Array<string>(HISTORY_CACHE).fill('');

/** Zeek's history of the connection so far, as Zeek writes it ("ShADadFf"). */
export function zeekHistory(z: ZeekHolder): string {
  const w = z.zeekWords;
  const at = z.zeekAt;
  const n = w[at + W_HISTLEN];
  const h0 = w[at + W_HIST0];
  const h1 = w[at + W_HIST1];
  const i = Math.imul(h0 ^ Math.imul(h1, 0x9e3779b1), 0x85ebca6b) >>> 22;
  let text: string;
  if (cache0[i] === h0 && cache1[i] === h1) {
    text = cacheText[i];
  } else {
    text = '';
    for (let k = 0; k < PACKED; k++) text += LETTERS[(k < PER_WORD ? h0 >>> (5 * k) : h1 >>> (5 * (k - PER_WORD))) & 31];
    cache0[i] = h0;
    cache1[i] = h1;
    cacheText[i] = text;
  }
  return n > PACKED ? text + z.zeekHistMore : text;
}

const RSTOS0 = /^\^?S[^HAFGIQ]*R.*/;

/** Zeek's conn_state from the final endpoint states (main.zeek conn_state(), in its order). */
export function zeekConnState(z: ZeekHolder): string {
  const w = z.zeekWords;
  const at = z.zeekAt;
  const origIsA = (w[at + W_FLAGS] & ORIG_IS_B) === 0;
  const orig = at + (origIsA ? SIDE_A : SIDE_B);
  const resp = at + (origIsA ? SIDE_B : SIDE_A);
  const os = w[orig + S_STATE];
  const rs = w[resp + S_STATE];
  const oInactive = os === Z_INACTIVE || os === Z_PARTIAL;
  const rInactive = rs === Z_INACTIVE || rs === Z_PARTIAL;
  if (rs === Z_RESET) {
    if (os === Z_SYN_SENT || os === Z_SYN_ACK_SENT || (os === Z_RESET && ((w[orig + S_BITS] | w[resp + S_BITS]) & SENT_DATA) === 0)) return 'REJ';
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (os === Z_RESET) {
    if (rInactive) return RSTOS0.test(zeekHistory(z)) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === Z_CLOSED && os === Z_CLOSED) return 'SF';
  if (os === Z_CLOSED) return rInactive ? 'SH' : 'S2';
  if (rs === Z_CLOSED) return oInactive ? 'SHR' : 'S3';
  if (os === Z_SYN_SENT && rs === Z_INACTIVE) return 'S0';
  if (os === Z_ESTABLISHED && rs === Z_ESTABLISHED) return 'S1';
  return 'OTH';
}
