/**
 * The string tables: every sentence the tool says about a capture, by key, in English and in
 * Simplified Chinese (with the textbook terms: 三次握手, 四次挥手, 序号/确认号, 捎带确认, 半关闭,
 * 同时关闭, TIME_WAIT 与 2MSL…). Analyzers produce keys and numbers; only these tables turn them
 * into sentences. Both languages have the same keys (a test checks it).
 */

export type Lang = 'en' | 'zh';

/** Values a message can use: the sender and receiver roles, and up to three numbers. */
export interface Vars {
  from: string;
  to: string;
  n1: number;
  n2: number;
  n3: number;
}

type Table = Record<string, (v: Vars) => string>;

/** A role a template shows: the sender's ({from}) or the receiver's ({to}). */
export class RoleSlot {
  constructor(readonly to: boolean) {}
}

/**
 * A number a template shows: n1, n2 or n3, plus a constant ({n1}, {n3-1}, {n2+1}); microseconds
 * as seconds with six decimals ({n2/1e6}); with a word after it, singular when the number is 1,
 * else plural ({n1 segment|segments}: "1 segment"). A constant added is sequence arithmetic in
 * every template (a range's last byte, an ack one past a FIN, a FIN's seq one before its ack),
 * so it is made modulo 2^32, as the numbers are: "ack 0 = FIN seq 4294967295 + 1", not "FIN seq
 * -1" (relative numbers wrap past 4 GB sent, as Wireshark's do).
 */
export class NumberSlot {
  constructor(
    readonly index: 1 | 2 | 3, readonly add: number, readonly micros = false, readonly one: string | null = null, readonly other: string | null = null,
  ) {}

  value(n1: number, n2: number, n3: number): number {
    const v = (this.index === 1 ? n1 : this.index === 2 ? n2 : n3) + this.add;
    return this.add === 0 || this.micros ? v : v >>> 0;
  }

  /** The number and its word, as the message has them. */
  text(n1: number, n2: number, n3: number): string {
    const x = this.value(n1, n2, n3);
    const t = this.micros ? (x / 1e6).toFixed(6) : `${x}`;
    return this.one === null ? t : `${t} ${x === 1 ? this.one : this.other}`;
  }
}

export type Slot = RoleSlot | NumberSlot;

/**
 * A message that is text and slots only, no choice: a function of Vars like the others, and
 * its pieces, which a writer can copy as bytes around the numbers without making the string
 * (render/message-bytes.ts: a packet note for each packet record of `--packets` and of the
 * walkthrough).
 */
export interface Template {
  (v: Vars): string;
  /** The text around the slots: one more than `slots`. */
  readonly pieces: readonly string[];
  readonly slots: readonly Slot[];
}

const SLOT = /\{(from|to|n[123])([+-]\d+)?(\/1e6)?(?: ([^|{}]+)\|([^|{}]+))?\}/g;

/**
 * A Template from its text, the slots in braces: t(`ack {n1} = FIN seq {n1-1} + 1: the {from}
 * acknowledges`), t(`{n1 segment|segments} with data`), t(`{n1 packet|packets} in {n2/1e6} s`).
 * (Text, not a tagged template literal: the bundle writes the Chinese of a string as escapes,
 * and cannot in a tagged template's, whose raw text its tag may read.)
 */
function t(text: string): Template {
  const pieces: string[] = [];
  const slots: Slot[] = [];
  let at = 0;
  for (const m of text.matchAll(SLOT)) {
    pieces.push(text.slice(at, m.index));
    const name = m[1]!;
    slots.push(name === 'from' || name === 'to' ? new RoleSlot(name === 'to')
      : new NumberSlot(Number(name[1]) as 1 | 2 | 3, m[2] === undefined ? 0 : Number(m[2]), m[3] !== undefined, m[4] ?? null, m[5] ?? null));
    at = m.index! + m[0].length;
  }
  pieces.push(text.slice(at));
  if (/[{}]/.test(pieces.join(''))) throw new Error(`a brace that is not a slot: ${text}`);
  const f = (v: Vars): string => {
    let s = pieces[0]!;
    for (let i = 0; i < slots.length; i++) {
      const x = slots[i]!;
      s += (x instanceof RoleSlot ? (x.to ? v.to : v.from) : x.text(v.n1, v.n2, v.n3)) + pieces[i + 1]!;
    }
    return s;
  };
  return Object.assign(f, { pieces, slots });
}

/** The pieces and slots of a message when it is a Template (made with t), else null. */
export function template(lang: Lang, key: string): Template | null {
  const fn = TABLES[lang][key] as Partial<Template> | undefined;
  if (fn === undefined) throw new Error(`no message "${key}" in the ${lang} table`);
  return fn.pieces === undefined ? null : (fn as Template);
}

/**
 * A message that chooses between Templates by its numbers: a function of Vars like the others,
 * the Template that `select` names for the numbers, whose pieces a writer copies as a
 * Template's (render/message-bytes.ts: the notes of a close's repeats, common in real traffic).
 */
export interface Choice {
  (v: Vars): string;
  readonly variants: readonly Template[];
  /** The index in `variants` of the Template for these numbers. */
  readonly select: (n1: number, n2: number, n3: number) => number;
}

function choice(select: (n1: number, n2: number, n3: number) => number, variants: Template[]): Choice {
  const f = (v: Vars): string => variants[select(v.n1, v.n2, v.n3)]!(v);
  return Object.assign(f, { variants, select });
}

/** The variants and the selector of a message when it is a Choice (made with choice), else null. */
export function choiceOf(lang: Lang, key: string): Choice | null {
  const fn = TABLES[lang][key] as Partial<Choice> | undefined;
  if (fn === undefined) throw new Error(`no message "${key}" in the ${lang} table`);
  return fn.variants === undefined ? null : (fn as Choice);
}

/**
 * The end of a note on an ACK after the close that Wireshark flags duplicate_ack (n3 = 1): the
 * flag's usual note, a segment missing, does not hold when nothing is outstanding. Its notes are
 * Choices of two variants, without this end (0) and with it (1).
 */
const DUP_AFTER_CLOSE = ' (the same numbers as its previous ACK, hence Wireshark\'s duplicate_ack; nothing is missing)';
const DUP_AFTER_CLOSE_ZH = '（与它上一个 ACK 的编号相同，所以 Wireshark 标为 duplicate_ack；并没有报文段丢失）';
const dupAfterClose = (_n1: number, _n2: number, n3: number): number => (n3 === 1 ? 1 : 0);
/** A note's two variants: its text (0), and its text with `end`, the duplicate_ack end (1). */
const orWithEnd = (text: string, end: string): Template[] => [t(text), t(text + end)];
/**
 * A FIN: alone (0), or after data in the same segment (1, n3 > 0): its seq is then not the
 * header's (n2) but the one after the data, n1 = n2 + n3, which the note shows as a sum. n1 is
 * the FIN's relative seq, n2 the segment's, n3 its payload length. (Where the sum wraps past
 * 2^32 the note says the FIN's seq alone: a sum that does not add up would mislead.)
 */
const finWithData = (n1: number, n2: number, n3: number): number => (n3 > 0 && n2 + n3 === n1 ? 1 : 0);
/**
 * The second variant when n1 is 1: a SYN-ACK sent again after a SYN again (synAckRetransmitted),
 * a capture ending after one side's FIN (diagEndedBeforeClose), a zero window answering a probe
 * (zeroWindow), a RST from a side whose window was 0 (rst).
 */
const n1IsOne = (n1: number): number => (n1 === 1 ? 1 : 0);
/**
 * The second variant when n2 is 1: a first data segment of one byte (firstData), another of a
 * kind said before (unacceptableAck, rstUnacceptable, rstOutOfWindow).
 */
const n2IsOne = (_n1: number, n2: number): number => (n2 === 1 ? 1 : 0);
/** The second variant when n3 is 1: keep-alives that crossed (duplicateAckAllAcked), a gap of one byte (lostSegment). */
const n3IsOne = (_n1: number, _n2: number, n3: number): number => (n3 === 1 ? 1 : 0);
/** A SYN: plain (0), with data (1, n2 its length: TCP Fast Open), offering ECN (2, n3 = 1), both (3). */
const synKind = (_n1: number, n2: number, n3: number): number => (n2 > 0 ? 1 : 0) + (n3 === 1 ? 2 : 0);
/** n2 itself: a keep-alive (0), a probe of a zero window (1), another such probe (2). */
const keepAliveProbe = (_n1: number, n2: number): number => (n2 === 1 || n2 === 2 ? n2 : 0);
/** Bytes n1 to n2 - 1 (0), or the one byte n1 (n2 = n1 + 1, past 2^32 too: 1). */
const oneByteRange = (n1: number, n2: number): number => (((n2 - n1) >>> 0) === 1 ? 1 : 0);
/** A SYN sent again: before any SYN-ACK was seen (0), or after the SYN-ACK of frame n2 (1). */
const synAfterSynAck = (_n1: number, n2: number): number => (n2 > 0 ? 1 : 0);
/**
 * A FIN sent again: naming the frame that had acknowledged it (0, when n1 > 0), or not (1); after
 * crossed FINs, also saying that it is the first to acknowledge the other FIN (n2, its ack: 2, 3).
 */
const finAckedBefore = (n1: number, n2: number): number => (n1 > 0 ? 0 : 1) + (n2 > 0 ? 2 : 0);
/** The last ACK again: for a FIN that came again (n2 > 0: 0, 1) or for nothing new (2, 3); with the duplicate_ack end (1, 3). */
const lastAckAgain = (_n1: number, n2: number, n3: number): number => (n2 > 0 ? 0 : 2) + (n3 === 1 ? 1 : 0);

const en: Table = {
  // --- packet notes
  syn: choice(synKind, [
    t(`SYN from the {from}: it opens the connection with ISN {n1} (relative seq 0); the SYN consumes one sequence number`),
    t(`SYN from the {from} carrying {n2 byte|bytes} of data (TCP Fast Open, RFC 7413: with a cookie the {to} gave it on an earlier connection, its first data rides on the SYN): it opens the connection with ISN {n1} (relative seq 0); the SYN consumes one sequence number and the data the next ones, bytes 1 to {n2}`),
    t(`SYN from the {from}: it opens the connection with ISN {n1} (relative seq 0); the SYN consumes one sequence number. ECE and CWR set: it offers ECN (RFC 3168), congestion marked by routers rather than shown by lost packets`),
    t(`SYN from the {from} carrying {n2 byte|bytes} of data (TCP Fast Open, RFC 7413: with a cookie the {to} gave it on an earlier connection, its first data rides on the SYN): it opens the connection with ISN {n1} (relative seq 0); the SYN consumes one sequence number and the data the next ones, bytes 1 to {n2}. ECE and CWR set: it offers ECN (RFC 3168), congestion marked by routers rather than shown by lost packets`),
  ]),
  synRetransmitted: choice(synAfterSynAck, [
    t(`SYN sent again (retransmission {n1}, same ISN): no answer yet`),
    t(`SYN sent again (retransmission {n1}, same ISN): the SYN-ACK of frame {n2} has not reached the {from} (lost after the point of capture, or late), so it is still in SYN_SENT`),
  ]),
  synAck: t(`SYN-ACK: ack {n1} = {to} ISN {n2} + 1, because the SYN consumes one sequence number; the {from}'s own ISN is {n3}`),
  synAckData: t(`SYN-ACK: ack {n1} = {to} ISN {n2} + 1 + {n1-1}: the SYN consumes one sequence number and its {n1-1 byte|bytes} of data the next ones, which the {from} accepted (TCP Fast Open: the data reaches the application a round trip earlier); the {from}'s own ISN is {n3}`),
  synAckCookie: t(`SYN-ACK: ack {n1} = {to} ISN {n2} + 1, because the SYN consumes one sequence number; the {from}'s own ISN is {n3}. It carries a TCP Fast Open cookie (RFC 7413), which a server gives to a SYN that asks for one (with an empty Fast Open option) or brings one it does not accept: with it, the {to}'s next connections to this {from} can send data on the SYN`),
  synAckBareSyn: t(`SYN-ACK: ack {n1} = {to} ISN {n2} + 1, the SYN alone: the first SYN, with data, went unanswered and the {to} sent its SYN again without the data (as Linux does), which this SYN-ACK answers; the {to} sends the data again after the handshake; the {from}'s own ISN is {n3}`),
  synAckNotData: t(`SYN-ACK: ack {n1} = {to} ISN {n2} + 1, the SYN alone: the {from} did not accept the data on the SYN (TCP Fast Open without a valid cookie, or not enabled), so the {to} sends it again after the handshake; the {from}'s own ISN is {n3}`),
  handshakeAck: t(`ACK: ack {n1} = {to} ISN {n2} + 1; the three-way handshake is complete and both sides are ESTABLISHED`),
  simultaneousSyn: t(`a SYN from the {from} too (ISN {n1}): both sides opened at once (simultaneous open), so both are SYN_RECEIVED`),
  simultaneousSynAck: t(`SYN-ACK of a simultaneous open: the {from} repeats its ISN and acknowledges the other SYN (ack {n1})`),
  synAckRetransmitted: choice(n1IsOne, [
    t(`SYN-ACK sent again: the final ACK of the handshake had not arrived`),
    t(`SYN-ACK sent again: the {to} sent its SYN again, so the first SYN-ACK had not reached it; with this copy the {to} is ESTABLISHED`),
  ]),
  midstream: t(`the capture began after the handshake: ISN and window scale are unknown; relative numbers start at the first packet seen`),
  continued: t(`continues connection #{n1}, which this tool had finished with (its earlier record): sequence numbers stay relative to that stream, as in Wireshark`),
  firstData: choice(n2IsOne, [
    t(`first data from the {from}: bytes {n1} to {n3-1} ({n2} bytes); the {to} will acknowledge them with ack {n3} = {n1} + {n2}`),
    t(`first data from the {from}: byte {n1} (1 byte); the {to} will acknowledge it with ack {n3} = {n1} + 1`),
  ]),
  dataAcked: t(`ack {n1}: the {from} has received every byte before {n1}, and expects byte {n1} next`),
  finFirst: choice(finWithData, [
    t(`FIN from the {from} at seq {n1}: it has no more data to send (FIN_WAIT_1); the FIN consumes one sequence number, so it will be acknowledged with ack {n1+1}`),
    t(`FIN from the {from} after this segment's {n3 byte|bytes} of data, so at seq {n1} = {n2} + {n3}: it has no more data to send (FIN_WAIT_1); the FIN consumes one sequence number, so it will be acknowledged with ack {n1+1}`),
  ]),
  finAcked: t(`ack {n1} = FIN seq {n1-1} + 1: the {from} acknowledges the FIN and is in CLOSE_WAIT; the {to} moves to FIN_WAIT_2`),
  finPiggybacked: t(`FIN and ACK combined: the {from} acknowledged the {to}'s FIN (ack {n1}) and closed in the same segment, so teardown took three segments`),
  finSecond: choice(finWithData, [
    t(`FIN from the {from} at seq {n1}: it has finished too (LAST_ACK); the {to} enters TIME_WAIT when this arrives`),
    t(`FIN from the {from} after this segment's {n3 byte|bytes} of data, so at seq {n1} = {n2} + {n3}: it has finished too (LAST_ACK); the {to} enters TIME_WAIT when this arrives`),
  ]),
  finCrossed: choice(finWithData, [
    t(`FIN from the {from} at seq {n1}, sent before it saw the {to}'s FIN: the FINs crossed (simultaneous close) and both sides are CLOSING`),
    t(`FIN from the {from} after this segment's {n3 byte|bytes} of data, so at seq {n1} = {n2} + {n3}, sent before it saw the {to}'s FIN: the FINs crossed (simultaneous close) and both sides are CLOSING`),
  ]),
  unacceptableAck: choice(n2IsOne, [
    t(`a segment from the {from} whose ack {n1} does not acknowledge the {to}'s SYN (only ack 1 would): the {to}, in SYN_SENT, cannot accept it and answers it with a RST (RFC 9293 §3.10.7.3); most likely a late segment of an earlier connection on the same ports`),
    t(`another segment from the {from} that does not acknowledge the {to}'s SYN (ack {n1}): the {to} answers it with a RST again`),
  ]),
  rstUnacceptable: choice(n2IsOne, [
    t(`RST from the {from}, the answer to the {to}'s segment that did not acknowledge its SYN (in SYN_SENT an unacceptable ACK gets a RST whose seq is that ack, RFC 9293 §3.10.7.3): it resets the connection that segment belongs to at the {to}, if any, not this one; the {from} is still in SYN_SENT`),
    t(`RST from the {from} again, answering such a segment: this connection goes on (SYN_SENT)`),
  ]),
  finAfterRst: t(`FIN from the {from} after the {to}'s RST of frame {n1}: that RST had not reached the {from} (lost after the point of capture, or still on its way), which closes a connection it still has (FIN_WAIT_1, or LAST_ACK after the {to}'s FIN); the {to}, reset, has no connection any more and answers with a RST`),
  rstOutOfWindow: choice(n2IsOne, [
    t(`RST from the {from} with seq {n1}, before the {from}'s ISN: outside this connection's sequence numbers, so the {to} ignores it and nothing ends here (RFC 9293 §3.10.7.4: a RST counts only within the receive window); most likely the answer to a segment of an earlier connection on the same ports`),
    t(`another RST numbered before its sender's ISN (from the {from}, seq {n1}): ignored as well`),
  ]),
  finCrossedAcked: choice(finWithData, [
    t(`FIN from the {from} at seq {n1}, sent before it saw the {to}'s FIN (the FINs crossed: a simultaneous close), arriving after the {from}'s ACK of that FIN (it was delayed, or lost and sent again): the {from} is CLOSING, and the {to}, in FIN_WAIT_2, enters TIME_WAIT`),
    t(`FIN from the {from} after this segment's {n3 byte|bytes} of data, so at seq {n1} = {n2} + {n3}, sent before it saw the {to}'s FIN (the FINs crossed: a simultaneous close), arriving after the {from}'s ACK of that FIN (it was delayed, or lost and sent again): the {from} is CLOSING, and the {to}, in FIN_WAIT_2, enters TIME_WAIT`),
  ]),
  finRetransmitted: choice(finAckedBefore, [
    t(`FIN sent again, though frame {n1} had acknowledged it: that ACK was lost after the point of capture (or is late), so the {from} sent its FIN once more`),
    t('FIN sent again: it had not been acknowledged'),
    t(`FIN sent again, though frame {n1} had acknowledged it: that ACK was lost after the point of capture (or is late), so the {from} sent its FIN once more; its ack {n2} is the first to acknowledge the {to}'s FIN: the {to} leaves CLOSING for TIME_WAIT (2·MSL, inferred)`),
    t(`FIN sent again: it had not been acknowledged; its ack {n2} is the first to acknowledge the {to}'s FIN: the {to} leaves CLOSING for TIME_WAIT (2·MSL, inferred)`),
  ]),
  lastAck: t(`ack {n1} = FIN seq {n1-1} + 1, the last ACK: the {from} waits in TIME_WAIT (2·MSL, not visible in a capture) and the {to} is CLOSED`),
  lastAckSimultaneous: t(`ack {n1} acknowledges the {to}'s FIN: the {to} leaves CLOSING for TIME_WAIT (2·MSL, inferred)`),
  dataAfterFin: t(`{n1} bytes after the {to}'s FIN: a half-close — the {to} stopped sending, the {from} may go on`),
  rstRefused: t(`RST answers the SYN (ack {n1} = ISN {n2} + 1): nothing listens on that port, the connection is refused`),
  rst: choice(n1IsOne, [
    t(`RST from the {from}: the connection is aborted; both sides are CLOSED at once, with no TIME_WAIT`),
    t(`RST from the {from}: the connection is aborted; both sides are CLOSED at once, with no TIME_WAIT. The {from}'s last window was 0, so it still held data its application had not read: closing a socket with unread data sends a RST instead of a FIN (RFC 1122 §4.2.2.13: the {to} learns that data was lost), as an abort does`),
  ]),
  rstAfterFin: t(`RST from the {from} after a FIN: the connection ends with a reset instead of finishing the close`),
  rstAfterClose: t(`RST from the {from} after the close had finished (both FINs sent and acknowledged): the connection had already closed, and the reset only cuts short the TIME_WAIT of the side that was in it (RFC 9293 goes to CLOSED; RFC 1337 advises ignoring such a reset); it usually answers a segment that came late, or a FIN sent again`),
  rstAnswersData: t(`RST from the {from}: data arrived on a socket it had already closed, so it answered with a reset`),
  retransmission: choice(oneByteRange, [
    t(`retransmission: bytes {n1} to {n2-1} were sent before and are sent again (the first copy or its ACK was lost, or the timer expired)`),
    t(`retransmission: byte {n1} was sent before and is sent again (the first copy or its ACK was lost, or the timer expired)`),
  ]),
  fastRetransmission: choice(oneByteRange, [
    t(`fast retransmission: bytes {n1} to {n2-1} sent again right after duplicate ACKs asked for byte {n1}, without waiting for the timeout (RFC 5681)`),
    t(`fast retransmission: byte {n1} sent again right after duplicate ACKs asked for it, without waiting for the timeout (RFC 5681)`),
  ]),
  spuriousRetransmission: choice(oneByteRange, [
    t(`spurious retransmission: bytes {n1} to {n2-1} had already been acknowledged by the {to}`),
    t(`spurious retransmission: byte {n1} had already been acknowledged by the {to}`),
  ]),
  outOfOrder: choice(oneByteRange, [
    t(`out of order: bytes {n1} to {n2-1} came after later bytes (reordered on the way, or the original was delayed)`),
    t(`out of order: byte {n1} came after later bytes (reordered on the way, or the original was delayed)`),
  ]),
  lostSegment: choice(n3IsOne, [
    t(`previous segment not captured: bytes {n2} to {n1-1} ({n3} bytes) were never seen (lost before the capture point, or missed by the capture)`),
    t(`previous segment not captured: byte {n2} (1 byte) was never seen (lost before the capture point, or missed by the capture)`),
  ]),
  ackLostSegment: t(`ACKed unseen segment: ack {n1} covers bytes the capture never saw`),
  duplicateAck: t(`duplicate ACK #{n1}: the {from} still expects byte {n2}, so a segment is missing; three of these trigger a fast retransmission`),
  duplicateAckDsack: t(`duplicate ACK #{n1}, sent because a segment arrived twice: its first SACK block (a D-SACK, RFC 2883) reports bytes {n2} to {n3-1}, which the {from} already had (a retransmission that was not needed, or a copy made on the way)`),
  duplicateAckAllAcked: choice(n3IsOne, [
    t(`duplicate ACK #{n1}: the same ack {n2} again, with no data and the same window (so Wireshark counts it); but ack {n2} covers everything the {to} has sent, so nothing is missing and it asks for no retransmission`),
    t(`duplicate ACK #{n1} (ack {n2}), as Wireshark counts it: the {from}'s answer to the {to}'s keep-alive. The two sides' keep-alives crossed and the {to}'s answer to the {from}'s came in between, so Wireshark, which takes an ACK for a keep-alive's answer only right after the keep-alive, counts this one as a duplicate; nothing is missing`),
  ]),
  zeroWindow: choice(n1IsOne, [
    t(`zero window: the {from}'s receive buffer is full and the {to} must stop sending`),
    t(`zero window again, the answer to the {to}'s probe (the keep-alive before it): the {from}'s receive buffer is still full, and the {to} must go on waiting`),
  ]),
  zeroWindowProbe: t(`zero-window probe: the {from} sends one byte to ask whether the {to}'s window has opened again`),
  zeroWindowProbeAck: t(`answer to the zero-window probe: the window is still closed`),
  windowUpdate: t(`window update: the {from} can receive {n1} bytes again`),
  windowFull: t(`window full: this segment fills the {to}'s advertised receive window`),
  keepAlive: choice(keepAliveProbe, [
    t(`keep-alive: a segment one byte below the next sequence number, checking that the {to} is still there`),
    t(`keep-alive while the {to}'s window is 0: most likely a probe of that window. A sender with data waiting for the window probes it from its persist timer with this segment, one byte below the next sequence number, which the {to} must answer with its current window; Linux sends its zero-window probes so, and Wireshark flags them keep_alive (its zero_window_probe is a probe carrying the next byte)`),
    t(`another probe of the {to}'s zero window (a keep-alive, as before): the persist timer backs off, waiting twice as long each time, until the {to} opens its window`),
  ]),
  keepAliveAck: t(`answer to the keep-alive: the {from} is still there`),
  finAckedData: t(`ack {n1} = FIN seq {n1-1} + 1: the {from} acknowledges the {to}'s FIN (CLOSE_WAIT; the {to} moves to FIN_WAIT_2) and sends {n2} bytes with it: a half-close — the {to} stopped sending, the {from} may go on`),
  ackBeforeFin: t(`ack {n1}: the {from} has received the {to}'s bytes before {n1}, but not yet its FIN (seq {n2}, which ack {n2+1} acknowledges)`),
  rstAgain: t(`another RST (the first was frame {n1}): the connection was already reset; a RST is never acknowledged, so a side may send more than one`),
  lastAckAgain: choice(lastAckAgain, [
    ...orWithEnd(`ack {n1} again: the {to}'s FIN came again (frame {n2}), so the {from} acknowledges it again — in TIME_WAIT a side answers every copy of the peer's FIN (its last ACK may have been lost) and starts its 2·MSL wait over`, DUP_AFTER_CLOSE),
    ...orWithEnd(`ack {n1} again, the last ACK repeated with nothing new to acknowledge: a copy, or the answer to a copy of the {to}'s FIN that the capture missed`, DUP_AFTER_CLOSE),
  ]),
  ackAfterClose: choice(dupAfterClose, orWithEnd(`an ACK with nothing new (ack {n1}) after the close: the {from} had already acknowledged the {to}'s FIN; a late or repeated copy, which changes nothing`, DUP_AFTER_CLOSE)),
  oldAck: choice(dupAfterClose, orWithEnd(`ack {n1} is below the ack {n2} the {from} sent in the close: an old acknowledgement, late or duplicated on the way; it changes nothing`, DUP_AFTER_CLOSE)),
  // --- walkthrough headings and labels
  wConnection: () => 'Connection',
  'tId': () => 'id',
  'tContinued': () => '(cont.)',
  'tClient': () => 'client',
  'tServer': () => 'server',
  'tHandshake': () => 'handshake',
  'tTeardown': () => 'teardown',
  'tZeek': () => 'Zeek',
  'tPackets': () => 'packets',
  'tBytes': () => 'bytes c→s / s→c',
  'tDuration': () => 'duration s',
  'tIrtt': () => 'iRTT ms',
  'tAnalysis': () => 'analysis',
  'hk_three-way': () => 'three-way',
  'hk_simultaneous-open': () => 'simultaneous open',
  'hk_refused': () => 'refused',
  'hk_unanswered': () => 'unanswered',
  'hk_incomplete': () => 'incomplete',
  'hk_not-captured': () => 'not captured',
  'tk_four-way': () => 'four-way',
  'tk_three-way': () => 'three-way',
  'tk_simultaneous': () => 'simultaneous',
  'tk_reset': () => 'reset',
  'tk_half-closed': () => 'half-closed',
  'tk_none': () => 'none',
  'mdConnection': () => 'Connection',
  'mdHandshakeWord': () => 'handshake',
  'mdTeardownWord': () => 'teardown',
  'mdCut': () => 'capture cut short',
  mdStoppedAtLimit: (v) => `only the first ${v.n1} frames read (-c ${v.n1}): the capture goes on`,
  lHandshake: () => 'handshake',
  ladderNote: () => '* inferred: an observer never sees LISTEN or TIME_WAIT',
  ladderGap: t(`⋮ {n1 more data packet|more data packets} ⋮`),
  mermaidGap: t(`… {n1 more data packet|more data packets} …`),
  lWindowScale: () => 'window scale',
  lScaleOff: () => 'window scale off',
  lScaleFactor: (v) => ` (×${v.n1})`,
  lTimestamps: () => 'timestamps',
  lNoTimestamps: () => 'no timestamps',
  lEcn: () => 'ECN',
  lTfo: () => 'TCP Fast Open (data on the SYN)',
  lNoSack: () => 'no SACK',
  lSep: () => ', ',
  lColon: () => ': ',
  lMssDefault: (v) => `${v.n1} (the default: no MSS option)`,
  lSemicolon: () => '; ',
  lParenOpen: () => ' (',
  lParenClose: () => ')',
  lFrame: () => 'frame',
  lSeq: () => 'seq',
  lAck: () => 'ack',
  lRaw: () => 'raw',
  lRel: () => 'relative',
  lLen: () => 'len',
  lTeardown: () => 'teardown',
  wHandshake: () => 'Three-way handshake',
  wHandshakeSimultaneous: () => 'Simultaneous open',
  wHandshakeMissing: () => 'Handshake not captured',
  wHandshakeEarlier: (v) => `in the earlier record of connection #${v.n1}`,
  wHandshakeEarlierAt: (v) => `in the earlier record of connection #${v.n1}, from frame ${v.n2}`,
  wData: () => 'Data',
  wTeardown: () => 'Teardown',
  wFinal: () => 'Final states',
  wQuality: () => 'Capture quality',
  wInferred: () => 'inferred',
  wAgreed: () => 'agreed',
  wNone: () => 'none',
  wSegments: t(`{from} → {to}: {n1 segment|segments} with data, {n2 byte|bytes}`),
  wAnalysis: () => 'analysis',
  wAnalysisNotKept: t(`{n1} among the packets not kept`),
  mdCounts: (v) => `${v.n1} frames, ${v.n2} TCP packets, ${v.n3} connection(s)`,
  sumTotals: (v) => `${v.n1} connection(s), ${v.n2} TCP packets, ${v.n3} payload bytes`,
  capLinkType: () => 'link type',
  capCounts: (v) => `${v.n1} frames, ${v.n2} TCP packets, ${v.n3} bytes captured`,
  capStoppedAtLimit: (v) => `only the first ${v.n1} frames were read (-c ${v.n1}): the capture goes on, and the connections still open there are shown as they stood`,
  capFromTo: () => 'from',
  capTo: () => 'to',
  capSeconds: () => 's',
  capNotAnalysed: () => 'not analysed',
  capTruncatedPackets: (v) => `${v.n1} TCP packets cut short by the snapshot length (headers decoded, payload partial)`,
  wPackets: t(`{n1 packet|packets} in {n2/1e6} s`),
  wBytes: t(`client sent {n1 byte|bytes}, server {n2 byte|bytes}`),
  wMore: t(`… {n1} more packet(s) (use --verbose to list every packet)`),
  wMoreKept: t(`… {n1} more packet(s) (use --verbose to list every packet kept)`),
  wOmitted: (v) => `${v.n1} packet(s) from frame ${v.n2} to frame ${v.n3} not kept: a connection keeps its first and last packets up to a limit; the packets listed below are among those kept (the counts cover them all)`,
  mContinued: (v) => `continued: packets of connection ${v.n1} (Wireshark's tcp.stream ${v.n1}) that came after this tool had finished with it: sequence numbers relative to that stream, analysis going on from its state`,
  mContinuedAfresh: (v) => `continued: packets of connection ${v.n1} (Wireshark's tcp.stream ${v.n1}) that came after this tool had finished with it: sequence numbers relative to that stream, analysis started afresh`,
  wContinued: (v) => `continued: these packets of connection #${v.n1} came after this tool had finished with it and reported it above (it had closed, or --idle-timeout or --max-connections let it go); Wireshark shows them in the same stream, tcp.stream ${v.n1}. Sequence numbers stay relative to that stream, and the analysis (retransmissions, lost segments, duplicate ACKs) goes on from where the earlier record left off, as Wireshark's does. The handshake, the close, the states and Zeek's verdict are the whole stream's; the counts of packets, bytes and analysis flags are this part's own`,
  wContinuedAfresh: (v) => `continued: these packets of connection #${v.n1} came after this tool had finished with it and reported it above (it had closed, or --idle-timeout or --max-connections let it go); Wireshark shows them in the same stream, tcp.stream ${v.n1}. Sequence numbers stay relative to that stream, but the tool no longer had the stream's analysis state (more connections were released between this part and an earlier one than it keeps the state of: 8 192 until the capture's first continuation, 32 768 from then on), so the analysis of this part started afresh and its flags may differ from Wireshark's; its handshake, close, states and Zeek's verdict are those of its own packets`,
  kindThreeWay: () => 'three-way',
  kindSimultaneousOpen: () => 'simultaneous open',
  kindRefused: () => 'refused (SYN answered by RST)',
  kindUnanswered: () => 'unanswered (SYN only)',
  kindIncomplete: () => 'incomplete (no final ACK)',
  kindNotCaptured: () => 'not captured (capture began mid-connection)',
  tkFourWay: () => 'four segments (四次挥手: FIN, ACK, FIN, ACK)',
  tkThreeWay: () => 'three segments: the second FIN rode on the ACK',
  tkSimultaneous: () => 'simultaneous close: the FINs crossed',
  tkReset: () => 'reset (RST)',
  tkHalfClosed: () => 'half-closed: only one side sent FIN',
  tkNone: () => 'none: no FIN or RST in the capture',
  wInitiator: (v) => `${v.from} closed first`,
  // --- diagnostics
  diagStartedMidConnection: t(`the capture started after the connection was opened: no SYN was captured, so the ISN and the window scale are unknown`),
  diagEndedBeforeClose: choice(n1IsOne, [
    t(`the capture ended before the connection closed (no FIN or RST)`),
    t(`the capture ended before the connection closed (one side's FIN, and neither the other side's FIN nor a RST)`),
  ]),
  diagPreviousSegmentNotCaptured: t(`{n1} segment(s) came after a gap in the sequence numbers (Wireshark: "previous segment not captured"): the capture missed packets, or they were lost before the capture point`),
  diagAckedUnseen: t(`{n1} ACK(s) acknowledged data the capture never saw`),
  diagLargerThanMss: t(`the {from} sent segments of up to {n1} bytes, more than the {n2}-byte MSS the {to} announced: segmentation offload (TSO/GSO) at the capturing host, not a protocol error`),
  diagSnaplenTruncated: t(`{n1} packet(s) were cut by the snapshot length: the headers are complete, the payload is partial`),
};

const zh: Table = {
  syn: choice(synKind, [
    t(`{from}发送 SYN，发起连接，初始序号 ISN 为 {n1}（相对序号 0）；SYN 占用一个序号`),
    t(`{from}发送携带 {n2} 字节数据的 SYN（TCP Fast Open，RFC 7413：凭{to}在之前的连接中给它的 cookie，第一段数据随 SYN 一起发送），发起连接，初始序号 ISN 为 {n1}（相对序号 0）；SYN 占用一个序号，数据占用其后的序号，即字节 1 到 {n2}`),
    t(`{from}发送 SYN，发起连接，初始序号 ISN 为 {n1}（相对序号 0）；SYN 占用一个序号。置位 ECE 和 CWR：它提议使用 ECN（显式拥塞通知，RFC 3168），由路由器标记拥塞，而不是靠丢包来体现`),
    t(`{from}发送携带 {n2} 字节数据的 SYN（TCP Fast Open，RFC 7413：凭{to}在之前的连接中给它的 cookie，第一段数据随 SYN 一起发送），发起连接，初始序号 ISN 为 {n1}（相对序号 0）；SYN 占用一个序号，数据占用其后的序号，即字节 1 到 {n2}。置位 ECE 和 CWR：它提议使用 ECN（显式拥塞通知，RFC 3168），由路由器标记拥塞，而不是靠丢包来体现`),
  ]),
  synRetransmitted: choice(synAfterSynAck, [
    t(`再次发送 SYN（第 {n1} 次重传，ISN 不变）：仍未收到应答`),
    t(`再次发送 SYN（第 {n1} 次重传，ISN 不变）：帧 {n2} 的 SYN-ACK 没有到达{from}（在抓包点之后丢失，或迟到了），所以它仍处于 SYN_SENT`),
  ]),
  synAck: t(`SYN-ACK：确认号 {n1} = {to} ISN {n2} + 1，因为 SYN 占用一个序号；{from}自己的 ISN 为 {n3}`),
  synAckData: t(`SYN-ACK：确认号 {n1} = {to} ISN {n2} + 1 + {n1-1}：SYN 占用一个序号，它携带的 {n1-1} 字节数据占用其后的序号，{from}接受了这些数据（TCP Fast Open：数据早一个往返时间交给应用程序）；{from}自己的 ISN 为 {n3}`),
  synAckCookie: t(`SYN-ACK：确认号 {n1} = {to} ISN {n2} + 1，因为 SYN 占用一个序号；{from}自己的 ISN 为 {n3}。它携带一个 TCP Fast Open cookie（RFC 7413）：服务器在 SYN 请求 cookie（带空的 Fast Open 选项）或带来它不接受的 cookie 时给出：有了它，{to}之后到这个{from}的连接可以在 SYN 中携带数据`),
  synAckBareSyn: t(`SYN-ACK：确认号 {n1} = {to} ISN {n2} + 1，只确认了 SYN：第一个携带数据的 SYN 没有得到应答，{to}重传 SYN 时不再携带数据（Linux 的做法），这个 SYN-ACK 应答的就是它；{to}会在握手之后重传这些数据；{from}自己的 ISN 为 {n3}`),
  synAckNotData: t(`SYN-ACK：确认号 {n1} = {to} ISN {n2} + 1，只确认了 SYN：{from}没有接受 SYN 携带的数据（没有有效的 TCP Fast Open cookie，或未启用），{to}会在握手之后重传这些数据；{from}自己的 ISN 为 {n3}`),
  handshakeAck: t(`ACK：确认号 {n1} = {to} ISN {n2} + 1；三次握手完成，双方进入 ESTABLISHED`),
  simultaneousSyn: t(`{from}也发送了 SYN（ISN {n1}）：双方同时打开连接（同时打开），都进入 SYN_RECEIVED`),
  simultaneousSynAck: t(`同时打开中的 SYN-ACK：{from}重复自己的 ISN，并确认对方的 SYN（确认号 {n1}）`),
  synAckRetransmitted: choice(n1IsOne, [
    t(`再次发送 SYN-ACK：握手的最后一个 ACK 尚未到达`),
    t(`再次发送 SYN-ACK：{to}又发送了 SYN，说明第一个 SYN-ACK 没有到达它；收到这个副本后{to}进入 ESTABLISHED`),
  ]),
  midstream: t(`抓包开始于三次握手之后：ISN 和窗口扩大因子未知；相对序号从抓到的第一个报文开始计算`),
  continued: t(`接续连接 #{n1}：本工具此前已结束对它的分析（见它前面的记录）；序号仍相对于该流，与 Wireshark 一致`),
  firstData: choice(n2IsOne, [
    t(`{from}发送的第一段数据：字节 {n1} 到 {n3-1}（共 {n2} 字节）；{to}将以确认号 {n3} = {n1} + {n2} 确认`),
    t(`{from}发送的第一段数据：字节 {n1}（共 1 字节）；{to}将以确认号 {n3} = {n1} + 1 确认`),
  ]),
  dataAcked: t(`确认号 {n1}：{from}已收到 {n1} 之前的全部字节，期望下一个字节为 {n1}`),
  finFirst: choice(finWithData, [
    t(`{from}发送 FIN，序号 {n1}：没有数据要发送了（FIN_WAIT_1）；FIN 占用一个序号，因此对它的确认号将是 {n1+1}`),
    t(`{from}发送 FIN，它在本报文段的 {n3} 字节数据之后，所以序号为 {n1} = {n2} + {n3}：没有数据要发送了（FIN_WAIT_1）；FIN 占用一个序号，因此对它的确认号将是 {n1+1}`),
  ]),
  finAcked: t(`确认号 {n1} = FIN 序号 {n1-1} + 1：{from}确认了 FIN，进入 CLOSE_WAIT；{to}进入 FIN_WAIT_2`),
  finPiggybacked: t(`FIN 与 ACK 合并（捎带确认）：{from}在确认{to}的 FIN（确认号 {n1}）的同一报文段中也关闭了连接，因此四次挥手只用了三个报文段`),
  finSecond: choice(finWithData, [
    t(`{from}发送 FIN，序号 {n1}：它也发送完毕（LAST_ACK）；{to}收到后进入 TIME_WAIT`),
    t(`{from}发送 FIN，它在本报文段的 {n3} 字节数据之后，所以序号为 {n1} = {n2} + {n3}：它也发送完毕（LAST_ACK）；{to}收到后进入 TIME_WAIT`),
  ]),
  finCrossed: choice(finWithData, [
    t(`{from}在看到{to}的 FIN 之前就发送了 FIN（序号 {n1}）：两个 FIN 交叉（同时关闭），双方进入 CLOSING`),
    t(`{from}在看到{to}的 FIN 之前就发送了 FIN（它在本报文段的 {n3} 字节数据之后，所以序号为 {n1} = {n2} + {n3}）：两个 FIN 交叉（同时关闭），双方进入 CLOSING`),
  ]),
  unacceptableAck: choice(n2IsOne, [
    t(`{from}发来的报文段的确认号 {n1} 并不确认{to}的 SYN（只有确认号 1 才是）：处于 SYN_SENT 的{to}不能接受它，会以 RST 回应（RFC 9293 §3.10.7.3）；它很可能是同一对端口上更早的连接的迟到报文段`),
    t(`{from}又发来一个不确认{to}的 SYN 的报文段（确认号 {n1}）：{to}再次以 RST 回应`),
  ]),
  rstUnacceptable: choice(n2IsOne, [
    t(`{from}发送 RST，回应{to}那个没有确认其 SYN 的报文段（在 SYN_SENT 状态收到不可接受的 ACK 时，以该确认号为序号发送 RST，RFC 9293 §3.10.7.3）：它复位的是{to}那边该报文段所属的连接（如果有），而不是本连接；{from}仍处于 SYN_SENT`),
    t(`{from}再次发送 RST，回应这样的报文段：本连接继续（SYN_SENT）`),
  ]),
  finAfterRst: t(`{from}在{to}的 RST（帧 {n1}）之后发送 FIN：那个 RST 没有到达{from}（在抓包点之后丢失，或仍在途中），{from}正在关闭它仍保有的连接（FIN_WAIT_1，或在{to}的 FIN 之后为 LAST_ACK）；{to}已被复位、不再有该连接，会以 RST 回应`),
  rstOutOfWindow: choice(n2IsOne, [
    t(`{from}发送 RST，序号 {n1} 在{from}的 ISN 之前：不在本连接的序号范围内，{to}会忽略它，连接并未因此结束（RFC 9293 §3.10.7.4：只有序号落在接收窗口内的 RST 才有效）；它很可能是对同一对端口上更早连接的报文段的回应`),
    t(`又一个序号在发送方 ISN 之前的 RST（{from}发送，序号 {n1}）：同样被忽略`),
  ]),
  finCrossedAcked: choice(finWithData, [
    t(`{from}在看到{to}的 FIN 之前就发送了 FIN（序号 {n1}）：两个 FIN 交叉（同时关闭），但它比{from}对该 FIN 的 ACK 到得晚（它被延迟了，或丢失后重发）：{from}处于 CLOSING，已在 FIN_WAIT_2 的{to}进入 TIME_WAIT`),
    t(`{from}在看到{to}的 FIN 之前就发送了 FIN（它在本报文段的 {n3} 字节数据之后，所以序号为 {n1} = {n2} + {n3}）：两个 FIN 交叉（同时关闭），但它比{from}对该 FIN 的 ACK 到得晚（它被延迟了，或丢失后重发）：{from}处于 CLOSING，已在 FIN_WAIT_2 的{to}进入 TIME_WAIT`),
  ]),
  finRetransmitted: choice(finAckedBefore, [
    t(`再次发送 FIN，尽管帧 {n1} 已经确认了它：那个 ACK 在抓包点之后丢失了（或迟到了），所以{from}又发送了一次 FIN`),
    t('再次发送 FIN：之前的 FIN 未被确认'),
    t(`再次发送 FIN，尽管帧 {n1} 已经确认了它：那个 ACK 在抓包点之后丢失了（或迟到了），所以{from}又发送了一次 FIN；它的确认号 {n2} 第一次确认了{to}的 FIN：{to}从 CLOSING 进入 TIME_WAIT（2MSL，推断）`),
    t(`再次发送 FIN：之前的 FIN 未被确认；它的确认号 {n2} 第一次确认了{to}的 FIN：{to}从 CLOSING 进入 TIME_WAIT（2MSL，推断）`),
  ]),
  lastAck: t(`确认号 {n1} = FIN 序号 {n1-1} + 1，最后一个 ACK：{from}进入 TIME_WAIT，等待 2MSL（抓包中看不到），{to}进入 CLOSED`),
  lastAckSimultaneous: t(`确认号 {n1} 确认了{to}的 FIN：{to}从 CLOSING 进入 TIME_WAIT（2MSL，推断）`),
  dataAfterFin: t(`在{to}的 FIN 之后又发送了 {n1} 字节：半关闭——{to}不再发送，{from}仍可继续发送`),
  rstRefused: t(`RST 回应 SYN（确认号 {n1} = ISN {n2} + 1）：该端口没有监听，连接被拒绝`),
  rst: choice(n1IsOne, [
    t(`{from}发送 RST：连接被异常终止（复位）；双方立即进入 CLOSED，没有 TIME_WAIT`),
    t(`{from}发送 RST：连接被异常终止（复位）；双方立即进入 CLOSED，没有 TIME_WAIT。{from}最后通告的窗口为 0，说明它还有应用程序没有读取的数据：关闭一个还有未读数据的套接字会发送 RST 而不是 FIN（RFC 1122 §4.2.2.13：让{to}知道有数据丢失），中止连接也是如此`),
  ]),
  rstAfterFin: t(`{from}在 FIN 之后发送 RST：连接以复位结束，而不是完成正常的四次挥手`),
  rstAfterClose: t(`{from}在挥手已经完成之后（双方的 FIN 都已发送并被确认）发送 RST：连接此前已经关闭，这个复位只会提前结束处于 TIME_WAIT 的一方的等待（RFC 9293 规定进入 CLOSED；RFC 1337 建议忽略这种复位）；它通常是对迟到的报文段或重发的 FIN 的回应`),
  rstAnswersData: t(`{from}发送 RST：数据到达了一个它已关闭的套接字，因此以复位应答`),
  retransmission: choice(oneByteRange, [
    t(`重传：字节 {n1} 到 {n2-1} 之前已发送过，现在再次发送（第一次的报文或其 ACK 丢失，或重传计时器超时）`),
    t(`重传：字节 {n1} 之前已发送过，现在再次发送（第一次的报文或其 ACK 丢失，或重传计时器超时）`),
  ]),
  fastRetransmission: choice(oneByteRange, [
    t(`快速重传：重复确认要求字节 {n1}，于是立即重发字节 {n1} 到 {n2-1}，无需等待超时（RFC 5681）`),
    t(`快速重传：重复确认要求字节 {n1}，于是立即重发该字节，无需等待超时（RFC 5681）`),
  ]),
  spuriousRetransmission: choice(oneByteRange, [
    t(`虚假重传：字节 {n1} 到 {n2-1} 早已被{to}确认`),
    t(`虚假重传：字节 {n1} 早已被{to}确认`),
  ]),
  outOfOrder: choice(oneByteRange, [
    t(`乱序：字节 {n1} 到 {n2-1} 在更靠后的字节之后才到达（途中被重排，或原报文被延迟）`),
    t(`乱序：字节 {n1} 在更靠后的字节之后才到达（途中被重排，或原报文被延迟）`),
  ]),
  lostSegment: choice(n3IsOne, [
    t(`前一个报文段未抓到：字节 {n2} 到 {n1-1}（{n3} 字节）没有出现（在抓包点之前丢失，或抓包漏掉）`),
    t(`前一个报文段未抓到：字节 {n2}（1 字节）没有出现（在抓包点之前丢失，或抓包漏掉）`),
  ]),
  ackLostSegment: t(`确认了未见过的报文段：确认号 {n1} 覆盖了抓包中从未出现的数据`),
  duplicateAck: t(`重复确认 #{n1}：{from}仍在期待字节 {n2}，说明有报文段缺失；收到三个重复确认会触发快速重传`),
  duplicateAckDsack: t(`重复确认 #{n1}，因为有报文段到达了两次：它的第一个 SACK 块（D-SACK，RFC 2883）报告字节 {n2} 到 {n3-1}，这些字节{from}此前已经收到（不必要的重传，或途中产生的副本）`),
  duplicateAckAllAcked: choice(n3IsOne, [
    t(`重复确认 #{n1}：再次发送确认号 {n2}，不带数据、窗口不变（Wireshark 因此计为重复确认）；但确认号 {n2} 已覆盖{to}发送的全部数据，没有报文段缺失，也不会触发重传`),
    t(`重复确认 #{n1}（确认号 {n2}），按 Wireshark 的计数：这是{from}对{to}保活报文的应答。双方的保活报文交叉，{to}对{from}保活报文的应答夹在中间，而 Wireshark 只把紧跟在保活报文之后的 ACK 当作它的应答，所以把这个计为重复确认；没有报文段缺失`),
  ]),
  zeroWindow: choice(n1IsOne, [
    t(`零窗口：{from}的接收缓冲区已满，{to}必须暂停发送`),
    t(`再次零窗口，回答{to}的探测（前面的保活报文）：{from}的接收缓冲区仍然是满的，{to}必须继续等待`),
  ]),
  zeroWindowProbe: t(`零窗口探测：{from}发送一个字节，询问{to}的窗口是否重新打开`),
  zeroWindowProbeAck: t(`对零窗口探测的应答：窗口仍为 0`),
  windowUpdate: t(`窗口更新：{from}又可以接收 {n1} 字节了`),
  windowFull: t(`窗口已满：该报文段填满了{to}通告的接收窗口`),
  keepAlive: choice(keepAliveProbe, [
    t(`保活（keep-alive）：序号比下一个序号小 1 的报文段，用来检查{to}是否仍然在线`),
    t(`{to}窗口为 0 时的保活报文：多半是对这个零窗口的探测。有数据等着窗口打开的发送方由坚持定时器（persist timer）发出这个序号比下一个序号小 1 的报文段，{to}必须用当前窗口回答；Linux 就是这样发送零窗口探测的，Wireshark 把它标为 keep_alive（它的 zero_window_probe 指携带下一个字节的探测）`),
    t(`再次探测{to}的零窗口（与前一次一样以保活报文发送）：坚持定时器指数退避，每次等待的时间加倍，直到{to}重新打开窗口`),
  ]),
  keepAliveAck: t(`对保活报文的应答：{from}仍然在线`),
  finAckedData: t(`确认号 {n1} = FIN 序号 {n1-1} + 1：{from}确认了{to}的 FIN（进入 CLOSE_WAIT；{to}进入 FIN_WAIT_2），并在同一报文段中发送了 {n2} 字节：半关闭——{to}不再发送，{from}仍可继续发送`),
  ackBeforeFin: t(`确认号 {n1}：{from}已收到{to}在 {n1} 之前的字节，但还没有确认它的 FIN（序号 {n2}，要由确认号 {n2+1} 确认）`),
  rstAgain: t(`又一个 RST（第一个在帧 {n1}）：连接此前已被复位；RST 不会被确认，所以一方可能发送不止一个`),
  lastAckAgain: choice(lastAckAgain, [
    ...orWithEnd(`再次确认 {n1}：{to}的 FIN 又到了一次（帧 {n2}），所以{from}再确认一次——处于 TIME_WAIT 的一方对对方 FIN 的每个副本都要应答（它的最后一个 ACK 可能丢了），并重新开始 2MSL 等待`, DUP_AFTER_CLOSE_ZH),
    ...orWithEnd(`再次确认 {n1}，重复了最后一个 ACK，没有新的内容需要确认：是一个副本，或是对抓包中缺失的{to} FIN 副本的应答`, DUP_AFTER_CLOSE_ZH),
  ]),
  ackAfterClose: choice(dupAfterClose, orWithEnd(`关闭之后的 ACK（确认号 {n1}）没有新内容：{from}早已确认了{to}的 FIN；这是迟到或重复的副本，不改变任何状态`, DUP_AFTER_CLOSE_ZH)),
  oldAck: choice(dupAfterClose, orWithEnd(`确认号 {n1} 小于{from}在关闭时发出的确认号 {n2}：这是一个旧的确认，在路上迟到或被复制；不改变任何状态`, DUP_AFTER_CLOSE_ZH)),
  wConnection: () => '连接',
  'tId': () => '编号',
  'tContinued': () => '（续）',
  'tClient': () => '客户端',
  'tServer': () => '服务器',
  'tHandshake': () => '握手',
  'tTeardown': () => '挥手',
  'tZeek': () => 'Zeek',
  'tPackets': () => '报文数',
  'tBytes': () => '字节 客→服 / 服→客',
  'tDuration': () => '时长 秒',
  'tIrtt': () => 'iRTT 毫秒',
  'tAnalysis': () => '分析',
  'hk_three-way': () => '三次握手',
  'hk_simultaneous-open': () => '同时打开',
  'hk_refused': () => '被拒绝',
  'hk_unanswered': () => '无应答',
  'hk_incomplete': () => '不完整',
  'hk_not-captured': () => '未抓到',
  'tk_four-way': () => '四次挥手',
  'tk_three-way': () => '三报文段挥手',
  'tk_simultaneous': () => '同时关闭',
  'tk_reset': () => '复位',
  'tk_half-closed': () => '半关闭',
  'tk_none': () => '无',
  'mdConnection': () => '连接',
  'mdHandshakeWord': () => '握手',
  'mdTeardownWord': () => '挥手',
  'mdCut': () => '抓包文件不完整',
  mdStoppedAtLimit: (v) => `只读取了前 ${v.n1} 帧（-c ${v.n1}）：抓包文件还有后续内容`,
  lHandshake: () => '握手',
  ladderNote: () => '* 推断：抓包无法直接看到 LISTEN 和 TIME_WAIT',
  ladderGap: (v) => `⋮ 另有 ${v.n1} 个数据报文 ⋮`,
  mermaidGap: (v) => `…… 另有 ${v.n1} 个数据报文 ……`,
  lWindowScale: () => '窗口扩大因子',
  lScaleOff: () => '未使用窗口扩大',
  lScaleFactor: (v) => `（×${v.n1}）`,
  lTimestamps: () => '时间戳',
  lNoTimestamps: () => '无时间戳',
  lEcn: () => 'ECN（显式拥塞通知）',
  lTfo: () => 'TCP Fast Open（SYN 携带数据）',
  lNoSack: () => '不支持 SACK',
  lSep: () => '，',
  lColon: () => '：',
  lMssDefault: (v) => `${v.n1}（默认值：未带 MSS 选项）`,
  lSemicolon: () => '；',
  lParenOpen: () => '（',
  lParenClose: () => '）',
  lFrame: () => '帧',
  lSeq: () => '序号',
  lAck: () => '确认号',
  lRaw: () => '原始',
  lRel: () => '相对',
  lLen: () => '长度',
  lTeardown: () => '挥手',
  wHandshake: () => '三次握手',
  wHandshakeSimultaneous: () => '同时打开',
  wHandshakeMissing: () => '未抓到三次握手',
  wHandshakeEarlier: (v) => `见连接 #${v.n1} 前面的记录`,
  wHandshakeEarlierAt: (v) => `见连接 #${v.n1} 前面的记录（自帧 ${v.n2} 起）`,
  wData: () => '数据传输',
  wTeardown: () => '四次挥手（连接释放）',
  wFinal: () => '最终状态',
  wQuality: () => '抓包质量',
  wInferred: () => '推断',
  wAgreed: () => '协商结果',
  wNone: () => '无',
  wSegments: t(`{from} → {to}：{n1} 个数据报文段，共 {n2} 字节`),
  wAnalysis: () => '分析',
  wAnalysisNotKept: t(`其中 {n1} 个在未保留的报文中`),
  mdCounts: (v) => `${v.n1} 帧，${v.n2} 个 TCP 报文，${v.n3} 个连接`,
  sumTotals: (v) => `${v.n1} 个连接，${v.n2} 个 TCP 报文，负载共 ${v.n3} 字节`,
  capLinkType: () => '链路类型',
  capCounts: (v) => `${v.n1} 帧，${v.n2} 个 TCP 报文，抓取 ${v.n3} 字节`,
  capStoppedAtLimit: (v) => `只读取了前 ${v.n1} 帧（-c ${v.n1}）：抓包文件还有后续内容，当时仍未结束的连接按那一刻的状态显示`,
  capFromTo: () => '从',
  capTo: () => '到',
  capSeconds: () => '秒',
  capNotAnalysed: () => '未分析',
  capTruncatedPackets: (v) => `${v.n1} 个 TCP 报文被快照长度截断（首部已解码，负载不完整）`,
  wPackets: t(`{n1} 个报文，历时 {n2/1e6} 秒`),
  wBytes: t(`客户端发送 {n1} 字节，服务器发送 {n2} 字节`),
  wMore: t(`…… 另有 {n1} 个报文（使用 --verbose 列出全部报文）`),
  wMoreKept: t(`…… 另有 {n1} 个报文（使用 --verbose 列出保留的全部报文）`),
  wOmitted: (v) => `第 ${v.n2} 帧至第 ${v.n3} 帧之间的 ${v.n1} 个报文未保留：每个连接只保留开头和结尾的报文，数量有上限；下面列出的报文只包括保留的报文（统计数字包括全部报文）`,
  mContinued: (v) => `续：连接 ${v.n1}（Wireshark 的 tcp.stream ${v.n1}）的后续报文，本工具此前已结束对它的分析，序号沿用该流，分析接着该流的状态继续`,
  mContinuedAfresh: (v) => `续：连接 ${v.n1}（Wireshark 的 tcp.stream ${v.n1}）的后续报文，本工具此前已结束对它的分析，序号沿用该流，分析重新开始`,
  wContinued: (v) => `续：连接 #${v.n1} 的这些报文到达时，本工具已结束对它的分析并在前面报告了它（它已关闭，或因 --idle-timeout、--max-connections 而被释放）；Wireshark 把它们显示在同一条流中，即 tcp.stream ${v.n1}。序号仍相对于该流；分析（重传、丢段、重复 ACK）接着前一条记录结束时的状态继续，与 Wireshark 一致。握手、挥手、状态和 Zeek 的判定都是整条流的；报文数、字节数和分析标志的计数只算这一部分`,
  wContinuedAfresh: (v) => `续：连接 #${v.n1} 的这些报文到达时，本工具已结束对它的分析并在前面报告了它（它已关闭，或因 --idle-timeout、--max-connections 而被释放）；Wireshark 把它们显示在同一条流中，即 tcp.stream ${v.n1}。序号仍相对于该流；但本工具已不再保存该流的分析状态（这一部分与之前某一部分之间释放的连接多于本工具保存分析状态的数量：捕获中第一次出现接续之前为 8 192 个，之后为 32 768 个），所以这一部分的分析重新开始，分析标志可能与 Wireshark 不同；它的握手、挥手、状态和 Zeek 的判定只依据它自己的报文`,
  kindThreeWay: () => '三次握手',
  kindSimultaneousOpen: () => '同时打开',
  kindRefused: () => '被拒绝（SYN 收到 RST）',
  kindUnanswered: () => '无应答（只有 SYN）',
  kindIncomplete: () => '不完整（缺少最后的 ACK）',
  kindNotCaptured: () => '未抓到（抓包始于连接中途）',
  tkFourWay: () => '四个报文段（四次挥手：FIN、ACK、FIN、ACK）',
  tkThreeWay: () => '三个报文段：第二个 FIN 捎带在 ACK 上',
  tkSimultaneous: () => '同时关闭：两个 FIN 交叉',
  tkReset: () => '复位（RST）',
  tkHalfClosed: () => '半关闭：只有一方发送了 FIN',
  tkNone: () => '无：抓包中没有 FIN 或 RST',
  wInitiator: (v) => `${v.from}先关闭`,
  diagStartedMidConnection: t(`抓包开始于连接建立之后：没有抓到 SYN，因此 ISN 和窗口扩大因子未知`),
  diagEndedBeforeClose: choice(n1IsOne, [
    t(`抓包在连接关闭之前就结束了（没有 FIN 或 RST）`),
    t(`抓包在连接关闭之前就结束了（只有一方发送了 FIN，另一方既没有发送 FIN，也没有 RST）`),
  ]),
  diagPreviousSegmentNotCaptured: t(`有 {n1} 个报文段出现在序号空缺之后（Wireshark：“previous segment not captured”）：抓包漏掉了报文，或报文在到达抓包点之前已丢失`),
  diagAckedUnseen: t(`有 {n1} 个 ACK 确认了抓包中从未出现过的数据`),
  diagLargerThanMss: t(`{from}发送的报文段最长 {n1} 字节，超过了{to}通告的 {n2} 字节 MSS：这是抓包主机上的分段卸载（TSO/GSO），不是协议错误`),
  diagSnaplenTruncated: t(`有 {n1} 个报文被快照长度截断：首部完整，负载不完整`),
};

const ROLE: Record<Lang, { client: string; server: string }> = {
  en: { client: 'client', server: 'server' },
  zh: { client: '客户端', server: '服务器' },
};

export const TABLES: Record<Lang, Table> = { en, zh };

/** The sentence for `key` in `lang`; `from`/`to` are roles ('client' | 'server'). */
export function message(lang: Lang, key: string, from: 'client' | 'server', n1 = 0, n2 = 0, n3 = 0): string {
  const fn = TABLES[lang][key];
  if (fn === undefined) throw new Error(`no message "${key}" in the ${lang} table`);
  const to = from === 'client' ? 'server' : 'client';
  return fn({ from: ROLE[lang][from], to: ROLE[lang][to], n1, n2, n3 });
}

/**
 * Messages without numbers of one language, each made once (by key, as the client's and as the
 * server's): a renderer asks for the same few for every connection (the walkthrough about fifteen,
 * the summary table three a row), and each message() call makes an object and runs the template.
 * (The same cache inside message() itself was slower: a check for numbers on every call.)
 */
export class FixedMessages {
  private readonly made: [Map<string, string>, Map<string, string>] = [new Map(), new Map()];

  constructor(private readonly lang: Lang) {}

  get(key: string, from: 'client' | 'server' = 'client'): string {
    const made = this.made[from === 'client' ? 0 : 1];
    let m = made.get(key);
    if (m === undefined) {
      m = message(this.lang, key, from);
      made.set(key, m);
    }
    return m;
  }
}

/** The word for a role ('client' | 'server') in a language. */
export function roleName(lang: Lang, role: 'client' | 'server'): string {
  return ROLE[lang][role];
}
