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
    history: '',
    started: false,
    a: newZeekSide(),
    b: newZeekSide(),
  };
}
export type ZeekState = ReturnType<typeof newZeekState>;

/** Puts a Zeek state back as newZeekState() makes it. */
export function resetZeekState(z: ZeekState): void {
  z.origIsA = true;
  z.history = '';
  z.started = false;
  resetZeekSide(z.a);
  resetZeekSide(z.b);
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
        z.history = '^';
      }
    }
  }
  const E = fromA ? z.a : z.b;
  const P = fromA ? z.b : z.a;
  let isOrig = fromA === z.origIsA;
  if ((E.bits & HAS_BASE) === 0) {
    E.bits |= HAS_BASE;
    E.base = p.seq | 0;
  }
  const relSeq = seqDiff(p.seq, E.base);

  // --- history: the control letter of this packet
  const ctl = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
  let letter = '';
  if (ctl === 1) {
    if (syn) {
      if ((E.bits & HAS_SYN) === 0 || E.lastSynSeq !== relSeq) letter = ack ? 'H' : 'S';
      E.bits |= HAS_SYN;
      E.lastSynSeq = relSeq;
    } else if (fin) {
      const end = seqAdd32(p.seq, p.payloadLen);
      if ((E.bits & HAS_FIN) === 0 || E.lastFinEnd !== end) letter = 'F';
      E.bits |= HAS_FIN;
      E.lastFinEnd = end;
    } else {
      if ((E.bits & HAS_RST) === 0 || E.lastRstSeq !== (p.seq | 0)) letter = 'R';
      E.bits |= HAS_RST;
      E.lastRstSeq = p.seq | 0;
    }
  } else if (ctl >= 2) {
    if (fin && rst && !syn) {
      if ((E.bits & SAW_I) === 0) letter = 'I';
      E.bits |= SAW_I;
    } else {
      if ((E.bits & SAW_Q) === 0) letter = 'Q';
      E.bits |= SAW_Q;
    }
  } else if (p.payloadLen > 0) {
    if ((E.bits & SAW_D) === 0) letter = 'D';
    E.bits |= SAW_D;
  } else if (ack) {
    if ((E.bits & SAW_A) === 0) letter = 'A';
    E.bits |= SAW_A;
  }
  if ((letter === 'A' || letter === 'D') && z.history === 'H') {
    // a SYN-ACK that opened the record came from the responder after all: flip (history "^h")
    z.origIsA = !z.origIsA;
    z.history = '^h';
    isOrig = fromA === z.origIsA;
  }
  if (letter !== '') addLetter(z, letter, isOrig);

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
      addLetter(z, 'W', isOrig);
      E.zeroWindowThreshold *= 10;
    }
  }
  // --- T: payload whose end is not beyond the highest end already seen from this side
  if (p.payloadLen > 0) {
    const end = seqAdd32(p.seq, p.payloadLen);
    const hasHigh = (E.bits & HAS_HIGH) !== 0;
    if (hasHigh && seqDiff(end, E.highEnd) <= 0) {
      E.retransmits++;
      if (E.retransmits >= E.retransmitThreshold) {
        addLetter(z, 'T', isOrig);
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

function addLetter(z: ZeekState, letter: string, isOrig: boolean): void {
  if (z.history.length >= MAX_HISTORY) return;
  z.history += isOrig ? letter : letter.toLowerCase();
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
    if (rInactive) return RSTOS0.test(z.history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (rs === Z_CLOSED && os === Z_CLOSED) return 'SF';
  if (os === Z_CLOSED) return rInactive ? 'SH' : 'S2';
  if (rs === Z_CLOSED) return oInactive ? 'SHR' : 'S3';
  if (os === Z_SYN_SENT && rs === Z_INACTIVE) return 'S0';
  if (os === Z_ESTABLISHED && rs === Z_ESTABLISHED) return 'S1';
  return 'OTH';
}
