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
import { smiIfSmall } from '../util/round.js';

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
 * One side in Zeek's terms (an object literal: see newFlow in connection.ts; its sequence
 * numbers, lastFinEnd, lastRstSeq, base and highEnd, are int32s as a flow's are).
 */
function newZeekSide() {
  return {
    state: Z_INACTIVE,
    prevState: Z_INACTIVE,
    /**
     * What this side has done, as bits (SAW_A to FIN_SENT): ten booleans as one field, 72 bytes
     * less a side (a field takes 8 bytes here), which a million open connections feel.
     */
    bits: 0,
    lastSynSeq: 0,
    lastFinEnd: 0,
    lastRstSeq: 0,
    /** Base for relative numbers (Zeek's ISN): the first seq seen from this side (HAS_BASE). */
    base: 0,
    highEnd: 0,
    retransmits: 0,
    retransmitThreshold: 1,
    zeroWindows: 0,
    zeroWindowThreshold: 1,
    payloadBytes: 0,
  };
}

/** ZeekSide.bits: the history letters A, D, I, Q seen from this side. */
const SAW_A = 1;
const SAW_D = 2;
const SAW_I = 4;
const SAW_Q = 8;
/** ZeekSide.bits: lastSynSeq, lastFinEnd, lastRstSeq, base, highEnd are set. */
const HAS_SYN = 16;
const HAS_FIN = 32;
const HAS_RST = 64;
const HAS_BASE = 128;
const HAS_HIGH = 256;
/** ZeekSide.bits: this side sent a FIN. */
const FIN_SENT = 512;
type ZeekSide = ReturnType<typeof newZeekSide>;

function resetZeekSide(s: ZeekSide): void {
  s.state = Z_INACTIVE;
  s.prevState = Z_INACTIVE;
  s.bits = 0;
  s.lastSynSeq = 0;
  s.lastFinEnd = 0;
  s.lastRstSeq = 0;
  s.base = 0;
  s.highEnd = 0;
  s.retransmits = 0;
  s.retransmitThreshold = 1;
  s.zeroWindows = 0;
  s.zeroWindowThreshold = 1;
  s.payloadBytes = 0;
}

/** Zeek's view of a connection (an object literal: see newFlow in connection.ts). */
export function newZeekState() {
  return {
    /** Which flow is Zeek's originator. */
    origIsA: true,
    /** The history's first PACKED letters as codes (hist0: the first six), its length, the letters after them. */
    hist0: 0,
    hist1: 0,
    histLen: 0,
    histMore: '',
    started: false,
    a: newZeekSide(),
    b: newZeekSide(),
  };
}
export type ZeekState = ReturnType<typeof newZeekState>;

/** Puts a Zeek state back as newZeekState() makes it. */
export function resetZeekState(z: ZeekState): void {
  z.origIsA = true;
  z.hist0 = 0;
  z.hist1 = 0;
  z.histLen = 0;
  z.histMore = '';
  z.started = false;
  resetZeekSide(z.a);
  resetZeekSide(z.b);
}

/** Int32 words saveZeek() writes (each side's payload bytes go to two doubles). */
export const ZEEK_WORDS = 28;
const SIDE_WORDS = 12;

/**
 * Writes Zeek's view into `ints` from `o` (ZEEK_WORDS words) and each side's payload bytes into
 * `dbl` at `d` and `d + 1`, side a first when `aFirst`, else side b (flow/analysis-states.ts:
 * a released connection's view, kept by endpoint for its continuation). The letters after the
 * packed ones (histMore) are the caller's to keep.
 */
export function saveZeek(z: ZeekState, aFirst: boolean, ints: Int32Array, o: number, dbl: Float64Array, d: number): void {
  ints[o] = (z.started ? 1 : 0) | (z.origIsA === aFirst ? 2 : 0);
  ints[o + 1] = z.hist0;
  ints[o + 2] = z.hist1;
  ints[o + 3] = z.histLen;
  saveSide(aFirst ? z.a : z.b, ints, o + 4);
  saveSide(aFirst ? z.b : z.a, ints, o + 4 + SIDE_WORDS);
  dbl[d] = (aFirst ? z.a : z.b).payloadBytes;
  dbl[d + 1] = (aFirst ? z.b : z.a).payloadBytes;
}

/** Reads a view saveZeek() wrote; `aFirst`: the first side written becomes side a, else side b. */
export function restoreZeek(z: ZeekState, aFirst: boolean, ints: Int32Array, o: number, dbl: Float64Array, d: number, histMore: string): void {
  const w = ints[o];
  z.started = (w & 1) !== 0;
  z.origIsA = ((w & 2) !== 0) === aFirst;
  z.hist0 = ints[o + 1];
  z.hist1 = ints[o + 2];
  z.histLen = ints[o + 3];
  z.histMore = histMore;
  restoreSide(aFirst ? z.a : z.b, ints, o + 4);
  restoreSide(aFirst ? z.b : z.a, ints, o + 4 + SIDE_WORDS);
  (aFirst ? z.a : z.b).payloadBytes = smiIfSmall(dbl[d]);
  (aFirst ? z.b : z.a).payloadBytes = smiIfSmall(dbl[d + 1]);
}

function saveSide(s: ZeekSide, ints: Int32Array, o: number): void {
  ints[o] = s.state;
  ints[o + 1] = s.prevState;
  ints[o + 2] = s.bits;
  ints[o + 3] = s.lastSynSeq;
  ints[o + 4] = s.lastFinEnd;
  ints[o + 5] = s.lastRstSeq;
  ints[o + 6] = s.base;
  ints[o + 7] = s.highEnd;
  ints[o + 8] = s.retransmits;
  ints[o + 9] = s.retransmitThreshold;
  ints[o + 10] = s.zeroWindows;
  ints[o + 11] = s.zeroWindowThreshold;
}

function restoreSide(s: ZeekSide, ints: Int32Array, o: number): void {
  s.state = ints[o];
  s.prevState = ints[o + 1];
  s.bits = ints[o + 2];
  s.lastSynSeq = ints[o + 3];
  s.lastFinEnd = ints[o + 4];
  s.lastRstSeq = ints[o + 5];
  s.base = ints[o + 6];
  s.highEnd = ints[o + 7];
  s.retransmits = ints[o + 8];
  s.retransmitThreshold = ints[o + 9];
  s.zeroWindows = ints[o + 10];
  s.zeroWindowThreshold = ints[o + 11];
}

/** Updates Zeek's view with one packet from flow a (fromA) or b. */
export function updateZeek(z: ZeekState, p: Packet, fromA: boolean): void {
  const flags = p.flags;
  const syn = (flags & TCP_SYN) !== 0;
  const ack = (flags & TCP_ACK) !== 0;
  const fin = (flags & TCP_FIN) !== 0;
  const rst = (flags & TCP_RST) !== 0;
  if (!z.started) {
    z.started = true;
    z.origIsA = true;
    if (!(syn && !ack)) {
      const sp = p.srcPort;
      const dp = p.dstPort;
      const sServer = LIKELY_SERVER_PORTS.has(sp);
      const dServer = LIKELY_SERVER_PORTS.has(dp);
      if ((sServer && !dServer) || (sServer && dServer && !syn && sp < dp)) {
        z.origIsA = false;
        z.hist0 = L_CARET;
        z.histLen = 1;
      }
    }
  }
  const E = fromA ? z.a : z.b;
  const P = fromA ? z.b : z.a;
  let isOrig = fromA === z.origIsA;
  if ((E.bits & HAS_BASE) === 0) {
    E.bits |= HAS_BASE;
    E.base = p.seq32;
  }
  const relSeq = seqDiff(p.seq32, E.base);

  // --- history: the control letter of this packet
  const ctl = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  let letter = 0;
  if (ctl === 1) {
    if (syn) {
      if ((E.bits & HAS_SYN) === 0 || E.lastSynSeq !== relSeq) letter = ack ? L_H : L_S;
      E.bits |= HAS_SYN;
      E.lastSynSeq = relSeq;
    } else if (fin) {
      const end = seqAdd32(p.seq32, p.payloadLen);
      if ((E.bits & HAS_FIN) === 0 || E.lastFinEnd !== end) letter = L_F;
      E.bits |= HAS_FIN;
      E.lastFinEnd = end;
    } else {
      if ((E.bits & HAS_RST) === 0 || E.lastRstSeq !== p.seq32) letter = L_R;
      E.bits |= HAS_RST;
      E.lastRstSeq = p.seq32;
    }
  } else if (ctl >= 2) {
    if (fin && rst && !syn) {
      if ((E.bits & SAW_I) === 0) letter = L_I;
      E.bits |= SAW_I;
    } else {
      if ((E.bits & SAW_Q) === 0) letter = L_Q;
      E.bits |= SAW_Q;
    }
  } else if (p.payloadLen > 0) {
    if ((E.bits & SAW_D) === 0) letter = L_D;
    E.bits |= SAW_D;
  } else if (ack) {
    if ((E.bits & SAW_A) === 0) letter = L_A;
    E.bits |= SAW_A;
  }
  if ((letter === L_A || letter === L_D) && z.histLen === 1 && z.hist0 === L_H) {
    // a SYN-ACK that opened the record came from the responder after all: flip (history "^h")
    z.origIsA = !z.origIsA;
    z.hist0 = L_CARET | ((L_H + L_LOWER) << 5);
    z.histLen = 2;
    isOrig = fromA === z.origIsA;
  }
  if (letter !== 0) addLetter(z, letter, isOrig);

  // --- endpoint state machine (TCPSessionAdapter)
  const before = E.state;
  switch (E.state) {
    case Z_INACTIVE:
      if (syn) {
        if (isOrig) E.state = ack ? Z_SYN_ACK_SENT : Z_SYN_SENT;
        else {
          E.state = Z_ESTABLISHED;
          if (P.state === Z_SYN_SENT) setState(P, Z_ESTABLISHED);
        }
        if (fin) E.state = Z_CLOSED;
      } else if (rst) {
        E.state = Z_RESET;
      } else if (fin) {
        E.state = Z_CLOSED;
      } else if (!isOrig && p.payloadLen === 0 && P.state === Z_SYN_SENT) {
        // an ACK before the SYN-ACK: tolerated, stays INACTIVE
      } else if (ack && P.state === Z_ESTABLISHED) {
        E.state = Z_ESTABLISHED;
      } else {
        E.state = Z_PARTIAL;
      }
      break;
    case Z_SYN_SENT:
    case Z_SYN_ACK_SENT:
      if (rst) E.state = Z_RESET;
      else if (fin) E.state = Z_CLOSED;
      break;
    case Z_ESTABLISHED:
    case Z_PARTIAL:
      if (rst) E.state = Z_RESET;
      else if (fin) {
        E.state = Z_CLOSED;
        // "FIN then RST" from the peer still counts as a normal termination
        if (P.state === Z_RESET && P.prevState === Z_CLOSED) setState(P, Z_CLOSED);
      } else if (syn && !ack && E.state === Z_PARTIAL && P.state === Z_INACTIVE) {
        E.state = Z_SYN_SENT;
      }
      break;
    case Z_CLOSED:
      if (rst && P.state !== Z_CLOSED) E.state = Z_RESET;
      break;
    default:
      break;
  }
  if (E.state !== before) E.prevState = before;
  if (fin) E.bits |= FIN_SENT;
  E.payloadBytes += p.payloadLen;

  // --- W: a zero window advertised (not on a RST, not after the peer's FIN, not once RESET)
  if (p.window === 0 && !rst && (P.bits & FIN_SENT) === 0 && E.state !== Z_RESET) {
    E.zeroWindows++;
    if (E.zeroWindows >= E.zeroWindowThreshold) {
      addLetter(z, L_W, isOrig);
      E.zeroWindowThreshold *= 10;
    }
  }
  // --- T: payload whose end is not beyond the highest end already seen from this side
  if (p.payloadLen > 0) {
    const end = seqAdd32(p.seq32, p.payloadLen);
    const hasHigh = (E.bits & HAS_HIGH) !== 0;
    if (hasHigh && seqDiff(end, E.highEnd) <= 0) {
      E.retransmits++;
      if (E.retransmits >= E.retransmitThreshold) {
        addLetter(z, L_T, isOrig);
        E.retransmitThreshold *= 10;
      }
    }
    if (!hasHigh || seqDiff(end, E.highEnd) > 0) {
      E.bits |= HAS_HIGH;
      E.highEnd = end;
    }
  }
}

function setState(s: ZeekSide, st: number): void {
  if (s.state !== st) {
    s.prevState = s.state;
    s.state = st;
  }
}

/** Adds a letter (its upper-case code) to the history, in lower case from the responder. */
function addLetter(z: ZeekState, letter: number, isOrig: boolean): void {
  const n = z.histLen;
  if (n >= MAX_HISTORY) return;
  const code = isOrig ? letter : letter + L_LOWER;
  if (n < PER_WORD) z.hist0 |= code << (5 * n);
  else if (n < PACKED) z.hist1 |= code << (5 * (n - PER_WORD));
  else z.histMore += LETTERS[code];
  z.histLen = n + 1;
}

/**
 * Sets the history from its text (the tests' generated connections): history letters are
 * packed as addLetter() packs them; a text with anything else is kept whole as the letters after
 * the packed ones (none packed), which zeekHistory() gives back as it is.
 */
export function setZeekHistory(z: ZeekState, text: string): void {
  z.hist0 = 0;
  z.hist1 = 0;
  z.histLen = 0;
  z.histMore = '';
  for (const ch of text) {
    const code = LETTERS.indexOf(ch);
    if (code <= 0) {
      z.hist0 = 0;
      z.hist1 = 0;
      z.histLen = PACKED + text.length;
      z.histMore = text;
      return;
    }
    if (code === L_CARET) addLetter(z, L_CARET, true);
    else if (code > L_T) addLetter(z, code - L_LOWER, false);
    else addLetter(z, code, true);
  }
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
export function zeekHistory(z: ZeekState): string {
  const n = z.histLen;
  const h0 = z.hist0;
  const h1 = z.hist1;
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
  return n > PACKED ? text + z.histMore : text;
}

const RSTOS0 = /^\^?S[^HAFGIQ]*R.*/;

/** Zeek's conn_state from the final endpoint states (main.zeek conn_state(), in its order). */
export function zeekConnState(z: ZeekState): string {
  const orig = z.origIsA ? z.a : z.b;
  const resp = z.origIsA ? z.b : z.a;
  const os = orig.state;
  const rs = resp.state;
  const oInactive = os === Z_INACTIVE || os === Z_PARTIAL;
  const rInactive = rs === Z_INACTIVE || rs === Z_PARTIAL;
  if (rs === Z_RESET) {
    if (os === Z_SYN_SENT || os === Z_SYN_ACK_SENT || (os === Z_RESET && orig.payloadBytes === 0 && resp.payloadBytes === 0)) return 'REJ';
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
