/**
 * `--format text` (the default): each connection told the way a Wireshark walkthrough tells it —
 * a header with the verdicts, the handshake as numbered steps (1/3, 2/3, 3/3) with relative and
 * raw numbers, each side's state and the note with the arithmetic, the data phase summarised,
 * the teardown as numbered steps down to TIME_WAIT and CLOSED, then capture-quality findings.
 * Renders what the model decided; decides nothing. Colour comes from the chalk instance given
 * (level 0 when stdout is not a terminal).
 *
 * Written as bytes into a ByteWriter: a big capture's walkthrough is millions of step lines, and
 * building each as a string (pieces concatenated, then flattened and encoded) took most of its
 * time. The lines are written piece by piece: their constant pieces, and the lines the same for
 * many connections (headings, the header's kinds, the agreed options), encoded once per run; the
 * messages with numbers and the notes by MessageBytes. Rare lines (a continuation's, the
 * diagnostics) are made as text and written.
 */
import type { ChalkInstance } from 'chalk';
import { type Connection, type Flow, clientFlow, MAX_WSCALE, F_SYN_SACK_PERMITTED, F_SYN_SEEN, F_SYN_TIMESTAMPS, flowFlag, initialRtt, serverFlow } from '../analyze/connection.js';
import { diagnosticRole, role, teardownInitiator, touchRecords, type PacketRecord, type PacketRecords } from './json.js';
import { LISTED_NOTED, NAMED_FLAG_FRAMES, noteListed, RecordList, RecordPool, type SegmentCounts } from './records.js';
import { MessageBytes, messageBytes, NoteBytes } from './message-bytes.js';
import {
  STATE_NAMES, N_NONE, PH_DATA, S_ECN_AGREED, S_SYN_DATA_ACCEPTED, isHandshakeStep, isTeardownStep, handshakeKind, teardownKind, isInferredState, HANDSHAKE_KINDS, TEARDOWN_KINDS,
  type HandshakeKind, type Story, type TeardownKind,
} from '../analyze/story.js';
import { zeekConnState, zeekHistory } from '../analyze/zeek.js';
import { diagnostics } from '../analyze/diagnostics.js';
import { ANALYSIS_NAMES, ANALYSIS_ORDER, analysisNames } from '../analyze/flags.js';
import { FixedMessages, message, roleName, type Lang } from '../i18n/messages.js';
import { writeEndpoint } from './endpoint.js';
import { LadderBytes } from './ladder.js';
import { wiresharkFlags } from './elide.js';
import { fixed, utf8, type ByteWriter, type Chunk } from '../util/bytes.js';

export interface WalkthroughOptions {
  lang: Lang;
  /** Show raw sequence numbers first (`--absolute`). */
  absolute: boolean;
  /** List every packet of the data phase (`--verbose`). */
  verbose: boolean;
  chalk: ChalkInstance;
  /** Include the ladder diagram. */
  diagram: boolean;
  /** Terminal width for the diagram. */
  width: number;
}

/** Packets of the data phase with a note listed without --verbose: the first of each kind of note, up to this many. */
const DATA_SAMPLE = LISTED_NOTED;
/** Teardown and after-close packets listed at most (one more is listed rather than counted). */
const TEARDOWN_MAX = 12;
/** Records of a connection read out of their store once (Walkthrough.write), at most. */
const POOLED = 1024;
/** Of a teardown cut short, the last steps listed after the count (see write). */
const TEARDOWN_LAST = 4;

const HK_KEY: Record<HandshakeKind, string> = {
  'three-way': 'kindThreeWay', 'simultaneous-open': 'kindSimultaneousOpen', refused: 'kindRefused',
  unanswered: 'kindUnanswered', incomplete: 'kindIncomplete', 'not-captured': 'kindNotCaptured',
};
const TK_KEY: Record<TeardownKind, string> = {
  'four-way': 'tkFourWay', 'three-way': 'tkThreeWay', simultaneous: 'tkSimultaneous', reset: 'tkReset',
  'half-closed': 'tkHalfClosed', none: 'tkNone',
};

/** The words of a step line in a language, looked up once (a big capture has millions of steps). */
interface Labels {
  frame: string;
  seq: string;
  ack: string;
  len: string;
  raw: string;
  rel: string;
  client: string;
  server: string;
  inferred: string;
  /** The language's colon and parentheses (full-width in Chinese). */
  colon: string;
  po: string;
  pc: string;
}

const LABELS = new Map<Lang, Labels>();

function labels(lang: Lang): Labels {
  let l = LABELS.get(lang);
  if (l === undefined) {
    const m = (key: string): string => message(lang, key, 'client');
    l = {
      frame: m('lFrame'), seq: m('lSeq'), ack: m('lAck'), len: m('lLen'), raw: m('lRaw'), rel: m('lRel'),
      client: roleName(lang, 'client'), server: roleName(lang, 'server'), inferred: m('wInferred'),
      colon: m('lColon'), po: m('lParenOpen'), pc: m('lParenClose'),
    };
    LABELS.set(lang, l);
  }
  return l;
}

/** A step's flag list ("SYN, ACK"), in Wireshark's order and coloured. */
function flagString(bits: number, k: ChalkInstance): string {
  return wiresharkFlags(bits).map((f) => (f === 'SYN' ? k.green(f) : f === 'FIN' ? k.yellow(f) : f === 'RST' ? k.red(f) : f)).join(', ');
}

const NEWLINE = 0x0a;
/** A note's indent, under its step. */
const NOTE_INDENT = '        ';
const SPACE = 0x20;

/** A state's text (coloured, marked inferred). */
function stateText(st: number, k: ChalkInstance, L: Labels): string {
  const name = STATE_NAMES[st];
  const text = name === 'ESTABLISHED' ? k.green(name) : name === 'CLOSED' ? name : k.cyan(name);
  return isInferredState(st) ? `${text}${L.po}${L.inferred}${L.pc}` : text;
}

/**
 * Writes the walkthrough of connections, one at a time, with the options of a run: what does not
 * change from one connection to the next is looked up and encoded once, here.
 */
export class Walkthrough {
  private readonly k: ChalkInstance;
  private readonly L: Labels;
  /** Step lines: ` frame ` (the direction, the flags and `]  seq `: dirFlagsSeq). */
  private readonly frameLabel: Chunk;
  /** A number's other form: `(raw ` (or `(rel ` with --absolute) and `)`, or `)` with `  ack ` or `  len ` after it. */
  private readonly otherOpen: Chunk;
  private readonly otherClose: Chunk;
  private readonly closeAck: Chunk;
  private readonly closeLen: Chunk;
  /** State lines: dimmed `        client `, the dot and ` server `, the dimming's end and the newline. */
  private readonly stateOpen: string;
  private readonly stateMid: string;
  private readonly stateClose: string;
  private readonly stateTexts: string[];
  private readonly states: Chunk[];
  /**
   * A step's direction, flags and `]  seq ` (by side and flags: 2 * 512), and its state line
   * with the next line's indent when a note follows (by note or not, client's and server's
   * state: 2 * 256), made when first met: one piece of constant text instead of two and five
   * (the walkthrough of short1m writes a million steps; docs/performance.md, "late night").
   */
  private readonly dirFlags: (Chunk | undefined)[] = [];
  private readonly stateLines: (Chunk | undefined)[] = [];
  /** The capture quality's heading and a diagnostic's first columns (`   ! `). */
  private readonly qualityHeading: Chunk;
  private readonly diagMark: Chunk;
  /** A step's analysis names by the flags' bits (analysisTag()), made when first met. */
  private readonly analysisTags = new Map<number, Chunk | null>();
  /**
   * The data section's line of flags: `   analysis: `, each flag's name in red and ` ×`, ` (`
   * before its frames, `, ` between them, `, …` when there are more, `)`, and `; ` between flags.
   */
  private readonly analysisHead: Chunk;
  private readonly flagNames: Chunk[];
  private readonly flagSep: Chunk;
  private readonly framesOpen: Chunk;
  private readonly frameSep: Chunk;
  private readonly framesMore: Chunk;
  private readonly framesClose: Chunk;
  /** A flag's first frames, filled again for each. */
  private readonly frames: number[] = new Array<number>(NAMED_FLAG_FRAMES).fill(0);
  /** The teardown's steps' first columns (`    1 `), by number, made when first met. */
  private readonly stepNumbers: (Chunk | undefined)[] = [];
  /** A connection's records as objects, filled again for each connection (write()). */
  private readonly pool = new RecordPool();
  /** The packets' notes, as text. */
  private readonly notes: NoteBytes;
  /** Messages with numbers a connection has, written as bytes (message-bytes.ts). */
  private readonly segments: MessageBytes;
  private readonly bytesSent: MessageBytes;
  private readonly packetsIn: MessageBytes;
  private readonly more: MessageBytes;
  private readonly moreKept: MessageBytes;
  /**
   * The second line of the header up to Zeek's state (by handshake kind, teardown kind and
   * initiator), made when first met: the same for many connections.
   */
  private readonly kindsLine: (Chunk | undefined)[] = [];
  /**
   * The handshake's heading (but a continuation's without a handshake) and the teardown's, by
   * kind, with their lines' ends.
   */
  private readonly handshakeHeading: Chunk[];
  private readonly teardownHeading: Chunk[];
  /** Pieces of the header, the data section and the final states. */
  private readonly connectionHead: Chunk;
  private readonly endpointSep: Chunk;
  private readonly boldLineEnd: Chunk;
  private readonly indent2: Chunk;
  private readonly indent3: Chunk;
  private readonly dot: Chunk;
  private readonly irttHead: Chunk;
  private readonly irttTail: Chunk;
  /**
   * The last `agreed` line and what it was made from (the SYNs' MSS and window scales, their
   * SACK and timestamps, the IP version): a capture's connections mostly agree on the same.
   */
  private agreed: Chunk | null = null;
  private agreedMssClient = 0;
  private agreedMssServer = 0;
  private agreedWsClient = 0;
  private agreedWsServer = 0;
  private agreedBits = 0;
  private readonly dataHeading: Chunk;
  private readonly moreOpen: Chunk;
  private readonly moreClose: Chunk;
  private readonly finalHead: Chunk;
  private readonly finalMid: Chunk;
  private readonly stepLabels: { syn: Chunk; synAck: Chunk; ack: Chunk; dot: Chunk; refused: Chunk };

  constructor(private readonly o: WalkthroughOptions) {
    this.fixed = new FixedMessages(o.lang);
    this.notes = new NoteBytes(o.lang, false);
    this.segments = new MessageBytes(o.lang, 'wSegments', false);
    this.bytesSent = new MessageBytes(o.lang, 'wBytes', false);
    this.packetsIn = new MessageBytes(o.lang, 'wPackets', false);
    this.more = new MessageBytes(o.lang, 'wMore', false);
    this.moreKept = new MessageBytes(o.lang, 'wMoreKept', false);
    const k = o.chalk;
    const L = labels(o.lang);
    this.k = k;
    this.L = L;
    this.frameLabel = utf8(` ${L.frame} `);
    this.otherOpen = utf8(`${L.po}${o.absolute ? L.rel : L.raw} `);
    this.otherClose = utf8(L.pc);
    this.closeAck = utf8(`${L.pc}  ${L.ack} `);
    this.closeLen = utf8(`${L.pc}  ${L.len} `);
    // k.dim around the line: its codes, taken from chalk (none at level 0); the states inside
    // carry colours of their own, whose ends are not dim's, so chalk wraps the line as it is
    const [dimOpen, dimClose] = k.dim('\u0000').split('\u0000') as [string, string];
    const [boldOpen, boldClose] = k.bold('\u0000').split('\u0000') as [string, string];
    this.stateOpen = `${dimOpen}        ${L.client} `;
    this.stateMid = ` · ${L.server} `;
    this.stateClose = `${dimClose}\n`;
    this.stateTexts = STATE_NAMES.map((_, st) => stateText(st, k, L));
    this.states = this.stateTexts.map((t) => utf8(t));
    this.connectionHead = utf8(`${boldOpen}${this.t('wConnection')} #`);
    this.endpointSep = utf8(' → ');
    this.boldLineEnd = utf8(`${boldClose}\n`);
    this.indent2 = utf8('  ');
    this.indent3 = utf8('   ');
    this.dot = utf8(' · ');
    this.irttHead = utf8(' · iRTT ');
    this.irttTail = utf8(' ms');
    this.dataHeading = utf8(`${k.bold(`  ${this.t('wData')}`)}\n`);
    this.handshakeHeading = HANDSHAKE_KINDS.map((hk) =>
      utf8(`${k.bold(`  ${hk === 'simultaneous-open' ? this.t('wHandshakeSimultaneous') : hk === 'not-captured' ? this.t('wHandshakeMissing') : this.t('wHandshake')}`)}\n`));
    this.teardownHeading = TEARDOWN_KINDS.map((tk) => utf8(`${k.bold(`  ${this.t('wTeardown')}${L.colon}${this.t(TK_KEY[tk])}`)}\n`));
    this.moreOpen = utf8(`${dimOpen}   `);
    this.moreClose = utf8(`${dimClose}\n`);
    this.finalHead = utf8(`  ${k.bold(this.t('wFinal'))}${L.colon}${L.client} `);
    this.finalMid = utf8(` · ${L.server} `);
    this.qualityHeading = utf8(`${k.bold(`  ${this.t('wQuality')}`)}\n`);
    this.diagMark = utf8(`   ${k.yellow('!')} `);
    this.analysisHead = utf8(`   ${this.t('wAnalysis')}${L.colon}`);
    this.flagNames = ANALYSIS_NAMES.map((n) => utf8(`${k.red(n)} ×`));
    this.flagSep = utf8('; ');
    this.framesOpen = utf8(' (');
    this.frameSep = utf8(', ');
    this.framesMore = utf8(', …');
    this.framesClose = utf8(')');
    this.stepLabels = { syn: utf8('   1/3'), synAck: utf8('   2/3'), ack: utf8('   3/3'), dot: utf8('    · '), refused: utf8('    ✗ ') };
  }

  /** The ladder diagrams' writer (--diagram), made with the first. */
  private ladder: LadderBytes | null = null;

  /** Messages without numbers: a connection's headings and labels ask for about fifteen. */
  private readonly fixed: FixedMessages;

  private t(key: string, from: 'client' | 'server' = 'client', n1 = 0, n2 = 0, n3 = 0): string {
    if (n1 !== 0 || n2 !== 0 || n3 !== 0) return message(this.o.lang, key, from, n1, n2, n3);
    return this.fixed.get(key, from);
  }

  /** A line of text and its newline. */
  private line(w: ByteWriter, s: string): void {
    w.text(s);
    w.byte(NEWLINE);
  }

  /** The walkthrough of connection c (a blank line, then its lines), given its packet records. */
  write(w: ByteWriter, c: Connection, records: PacketRecords): void {
    touchRecords(records);
    // the passes below read each record several times: a connection's few records are read out
    // of the store once (RecordPool); a long one's are read where they lie, each pass filling the
    // store's one view, rather than kept as objects for the collector to copy
    const packets = records instanceof RecordList && records.length <= POOLED ? this.pool.fill(records) : records;
    const o = this.o;
    const k = this.k;
    const L = this.L;
    const s = c.story;
    const hk = handshakeKind(s);
    const tk = teardownKind(s);
    w.byte(NEWLINE);

    // --- header
    w.raw(this.connectionHead);
    w.uint(c.id);
    w.raw(this.indent2);
    writeEndpoint(w, c, true);
    w.raw(this.endpointSep);
    writeEndpoint(w, c, false);
    w.raw(this.boldLineEnd);
    const initiator = teardownInitiator(c, tk);
    if (c.continued && hk === 'not-captured') {
      // a continuation's handshake, when it has none, is in its connection's earlier record
      w.text(this.kindsText(this.t('wHandshakeEarlier', 'client', c.id), tk, initiator));
    } else {
      w.raw(this.kinds(hk, tk, initiator));
    }
    w.text(zeekConnState(c));
    w.byte(SPACE);
    w.text(zeekHistory(c));
    w.byte(NEWLINE);
    w.raw(this.indent2);
    this.packetsIn.write(w, 'client', c.packets, Math.round((c.lastTime - c.firstTime) * 1e6), 0);
    w.raw(this.dot);
    this.bytesSent.write(w, 'client', clientFlow(c).payloadBytes, serverFlow(c).payloadBytes, 0);
    const rtt = initialRtt(c);
    if (rtt !== null) {
      // in milliseconds, as rttMs() (toFixed(3)) writes them
      w.raw(this.irttHead);
      fixed(w, rtt * 1000, 3);
      w.raw(this.irttTail);
    }
    w.byte(NEWLINE);
    const omitted = packets.omitted;
    // of a sparse list (without --verbose), the data phase's records not kept,
    // which it counts and does not show
    const skipped = packets.skipped;
    const skippedCount = skipped ? skipped.count : 0;
    if (omitted) this.line(w, k.yellow(`  ${this.t('wOmitted', 'client', omitted.count, omitted.fromFrame, omitted.toFrame)}`));
    if (c.continued) this.line(w, k.yellow(`  ${this.t(c.continuedAfresh ? 'wContinuedAfresh' : 'wContinued', 'client', c.id)}`));

    if (o.diagram && packets.length > 0) {
      w.byte(NEWLINE);
      (this.ladder ??= new LadderBytes(k, o.absolute, o.width, o.lang)).write(w, c, packets);
    }

    // --- handshake
    // a step of the handshake that is also part of the teardown (the third segment carrying a FIN,
    // an evasion trace's early FIN) is listed in both
    w.byte(NEWLINE);
    // a continuation's handshake, with none of its steps here, is in the earlier record: its
    // stream's, when the continuation went on from the stream's story
    const hsFirst = s.synFrame > 0 ? s.synFrame : s.synAckFrame;
    if (c.continued && (hk === 'not-captured' || (hsFirst > 0 && !anyHandshakeStep(packets, s)))) {
      const title = this.t(hk === 'simultaneous-open' ? 'wHandshakeSimultaneous' : 'wHandshake');
      const where = hk === 'not-captured' ? this.t('wHandshakeEarlier', 'client', c.id) : this.t('wHandshakeEarlierAt', 'client', c.id, hsFirst);
      this.line(w, k.bold(`  ${title}${L.colon}${where}`));
    } else w.raw(this.handshakeHeading[HANDSHAKE_KINDS.indexOf(hk)]!);
    // what a missing handshake means (the first packet's own note may say something else: a FIN, a RST)
    // (a continuation's numbers are its stream's: said in the header)
    if (hk === 'not-captured' && packets.length + skippedCount > 0 && !c.continued) this.line(w, `   ${this.t('midstream')}`);
    for (let i = 0; i < packets.length; i++) {
      const p = packets.at(i);
      if (!isHandshakeStep(p, s)) continue;
      const sl = this.stepLabels;
      this.step(w, c, p.frame === s.synFrame ? sl.syn : p.frame === s.synAckFrame ? sl.synAck : p.frame === s.hsAckFrame ? sl.ack : sl.dot, p);
    }
    if (hk === 'refused' && s.refusedFrame > 0) {
      for (let i = 0; i < packets.length; i++) {
        const p = packets.at(i);
        if (p.frame !== s.refusedFrame) continue;
        this.step(w, c, this.stepLabels.refused, p);
        break;
      }
    }
    this.agreedLine(w, c);

    // --- data
    let dataCount = skippedCount;
    for (let i = 0; i < packets.length; i++) if (packets.at(i).phase === PH_DATA) dataCount++;
    if (dataCount > 0) {
      w.byte(NEWLINE);
      w.raw(this.dataHeading);
      for (const fromClient of [true, false]) {
        // the whole connection's: the kept records', and those of the packets left out
        const fromA = fromClient === c.clientIsA;
        let segments = segmentsOf(omitted, fromA) + segmentsOf(skipped, fromA);
        let bytes = bytesOf(omitted, fromA) + bytesOf(skipped, fromA);
        for (let i = 0; i < packets.length; i++) {
          const p = packets.at(i);
          if (p.phase !== PH_DATA || p.fromA !== fromA || p.len <= 0) continue;
          segments++;
          bytes += p.len;
        }
        w.raw(this.indent3);
        this.segments.write(w, fromClient ? 'client' : 'server', segments, bytes, 0);
        w.byte(NEWLINE);
      }
      // the line of the flags, written as it is read: `   analysis: ` and, for each flag the
      // connection has, its name, count and first frames (a long connection's records are many:
      // each flag's is a test of its bit), `; ` between them
      let flagged = false;
      const frames = this.frames;
      for (let i = 0; i < ANALYSIS_NAMES.length; i++) {
        const count = c.analysis[i]!;
        if (count === 0) continue;
        // the first frames with the name, and one more to tell whether there are more than are shown
        const bit = ANALYSIS_ORDER[i]![0];
        let found = 0;
        for (let j = 0; j < packets.length && found < NAMED_FLAG_FRAMES; j++) {
          const p = packets.at(j);
          if ((p.analysis & bit) !== 0) frames[found++] = p.frame;
        }
        const more = found === NAMED_FLAG_FRAMES;
        w.raw(flagged ? this.flagSep : this.analysisHead);
        flagged = true;
        w.raw(this.flagNames[i]!);
        w.uint(count);
        w.raw(this.framesOpen);
        const shown = more ? NAMED_FLAG_FRAMES - 1 : found;
        for (let j = 0; j < shown; j++) {
          if (j > 0) w.raw(this.frameSep);
          w.uint(frames[j]!);
        }
        if (more) w.raw(this.framesMore);
        // flags of packets left out (a long connection's middle): said, not an empty list
        const notKept = more || !omitted ? 0 : count - found;
        if (notKept > 0) {
          if (found > 0) w.raw(this.flagSep);
          w.text(this.t('wAnalysisNotKept', 'client', notKept));
        }
        w.raw(this.framesClose);
      }
      if (flagged) w.byte(NEWLINE);
      // data packets of the teardown's story are listed with it (isTeardownStep); without
      // --verbose, the first DATA_SAMPLE with a note, one of each kind (a lost segment, its
      // duplicate ACKs and the fast retransmission rather than four duplicate ACKs; the window
      // going to zero and its probes rather than windows full: the analysis line names the rest)
      let own = skippedCount;
      let listed = 0;
      let kindsLow = 0;
      let kindsHigh = 0;
      for (let i = 0; i < packets.length; i++) {
        const p = packets.at(i);
        if (p.phase !== PH_DATA || isTeardownStep(p, s)) continue;
        own++;
        const note = p.note;
        if (o.verbose || (note !== N_NONE && listed < DATA_SAMPLE && !noteListed(kindsLow, kindsHigh, note))) {
          listed++;
          if (note < 32) kindsLow |= 1 << note;
          else kindsHigh |= 1 << (note & 31);
          this.step(w, c, this.stepLabels.dot, p);
        }
      }
      const rest = own - listed;
      // --verbose lists every packet kept: of a capped connection, not every packet
      if (rest > 0) this.moreLine(w, omitted !== undefined, rest);
    }

    // --- teardown: every step, or beyond TEARDOWN_MAX the first ones, a count, and the last
    // TEARDOWN_LAST (how it ended: a FIN retransmitted many times hides nothing after it);
    // --verbose lists every one, as the count's line says. One step more is listed, not counted.
    let total = 0;
    for (let i = 0; i < packets.length; i++) if (isTeardownStep(packets.at(i), s)) total++;
    const cut = !o.verbose && total > TEARDOWN_MAX + 1;
    const head = cut ? TEARDOWN_MAX - TEARDOWN_LAST : total;
    const tail = cut ? total - TEARDOWN_LAST : total;
    if (total > 0) {
      w.byte(NEWLINE);
      w.raw(this.teardownHeading[TEARDOWN_KINDS.indexOf(tk)]!);
    }
    let steps = 0;
    for (let i = 0; i < packets.length; i++) {
      const p = packets.at(i);
      if (!isTeardownStep(p, s)) continue;
      steps++;
      if (steps <= head || steps > tail) this.step(w, c, this.stepNumber(steps), p);
      if (cut && steps === head) this.moreLine(w, omitted !== undefined, tail - head);
    }

    // --- final states and capture quality
    const cs = c.clientIsA ? s.stateA : s.stateB;
    const ss = c.clientIsA ? s.stateB : s.stateA;
    w.byte(NEWLINE);
    w.raw(this.finalHead);
    w.raw(this.states[cs]!);
    w.raw(this.finalMid);
    w.raw(this.states[ss]!);
    w.byte(NEWLINE);
    const diags = diagnostics(c);
    if (diags.length > 0) {
      w.raw(this.qualityHeading);
      for (const d of diags) {
        w.raw(this.diagMark);
        messageBytes(this.o.lang, d.key, false).write(w, diagnosticRole(c, d), d.n1, d.n2, 0);
        w.byte(NEWLINE);
      }
    }
  }

  /** A step: its line (label, frame, direction, flags, numbers, analysis), the states after it, its note. */
  private step(w: ByteWriter, c: Connection, label: Chunk, p: PacketRecord): void {
    const fromClient = p.fromA === c.clientIsA;
    w.raw(label);
    w.raw(this.frameLabel);
    w.uint(p.frame);
    w.raw(this.dirFlagsSeq(fromClient, p.flags));
    // each number's other form is closed together with the label after it
    this.pair(w, p.seq, p.rawSeq);
    if ((p.flags & 0x10) !== 0) {
      w.raw(this.closeAck);
      this.pair(w, p.ack, p.rawAck);
    }
    if (p.len > 0) {
      w.raw(this.closeLen);
      w.uint(p.len);
    } else {
      w.raw(this.otherClose);
    }
    if (p.analysis !== 0) {
      const tag = this.analysisTag(p.analysis);
      if (tag !== null) w.raw(tag);
    }
    w.byte(NEWLINE);
    const noted = p.note !== N_NONE;
    w.raw(this.stateLine(noted, c.clientIsA ? p.stateA : p.stateB, c.clientIsA ? p.stateB : p.stateA));
    if (noted) {
      this.notes.write(w, p.note, role(c, p.fromA), p.n1, p.n2, p.n3);
      w.byte(NEWLINE);
    }
  }

  /**
   * The direction (`  client -> server  [`, the arrow U+2192), the flags and `]  seq `. (The flags alone were made
   * once per value in an earlier change: the walkthrough of short1m 2.52 -> 2.35 s.)
   */
  private dirFlagsSeq(fromClient: boolean, flags: number): Chunk {
    const key = (fromClient ? 0 : 512) + (flags & 511);
    let c = this.dirFlags[key];
    if (c === undefined) {
      const L = this.L;
      const dir = fromClient ? `  ${L.client} → ${L.server}  [` : `  ${L.server} → ${L.client}  [`;
      c = utf8(`${dir}${flagString(flags & 511, this.k)}]  ${L.seq} `);
      this.dirFlags[key] = c;
    }
    return c;
  }

  /** A step's state line (client's state `cs`, server's `ss`), and the note's indent when `noted`. */
  private stateLine(noted: boolean, cs: number, ss: number): Chunk {
    const key = (noted ? 256 : 0) + cs * 16 + ss;
    let c = this.stateLines[key];
    if (c === undefined) {
      c = utf8(`${this.stateOpen}${this.stateTexts[cs]}${this.stateMid}${this.stateTexts[ss]}${this.stateClose}${noted ? NOTE_INDENT : ''}`);
      this.stateLines[key] = c;
    }
    return c;
  }

  /** A step's analysis names (two spaces, then the names in red), null when none of the bits has one. */
  private analysisTag(bits: number): Chunk | null {
    let c = this.analysisTags.get(bits);
    if (c === undefined) {
      const names = analysisNames(bits);
      c = names.length > 0 ? utf8(`  ${this.k.red(names.join(' '))}`) : null;
      this.analysisTags.set(bits, c);
    }
    return c;
  }

  /** The teardown's step `n`'s first columns. */
  private stepNumber(n: number): Chunk {
    let c = this.stepNumbers[n];
    if (c === undefined) {
      c = utf8(`   ${String(n).padStart(2)} `);
      this.stepNumbers[n] = c;
    }
    return c;
  }

  /** The dimmed line of the packets not listed: `n more packet(s) (use --verbose ...)`. */
  private moreLine(w: ByteWriter, kept: boolean, n: number): void {
    w.raw(this.moreOpen);
    (kept ? this.moreKept : this.more).write(w, 'client', n, 0, 0);
    w.raw(this.moreClose);
  }

  /**
   * The header's second line up to Zeek's state: the handshake's kind, the teardown's and who
   * closed first.
   */
  private kinds(hk: HandshakeKind, tk: TeardownKind, initiator: 'client' | 'server' | null): Chunk {
    const key = (HANDSHAKE_KINDS.indexOf(hk) * TEARDOWN_KINDS.length + TEARDOWN_KINDS.indexOf(tk)) * 3 + (initiator === null ? 0 : initiator === 'client' ? 1 : 2);
    let c = this.kindsLine[key];
    if (c === undefined) {
      c = utf8(this.kindsText(this.t(HK_KEY[hk]), tk, initiator));
      this.kindsLine[key] = c;
    }
    return c;
  }

  /** The header's second line up to Zeek's state, with the handshake's words given. */
  private kindsText(handshake: string, tk: TeardownKind, initiator: 'client' | 'server' | null): string {
    const L = this.L;
    return `  ${this.t('lHandshake')}${L.colon}${handshake} · ${this.t('lTeardown')}${L.colon}${this.t(TK_KEY[tk])}` +
      (initiator ? `${L.po}${this.t('wInitiator', initiator)}${L.pc}` : '') + ' · Zeek ';
  }

  /** A sequence or acknowledgement number: relative (raw), or raw (relative) with --absolute. */
  private pair(w: ByteWriter, rel: number, raw: number): void {
    w.u32((this.o.absolute ? raw : rel) | 0);
    w.raw(this.otherOpen);
    w.u32((this.o.absolute ? rel : raw) | 0);
  }

  /** The line of what the handshake agreed, when both SYNs were seen. */
  private agreedLine(w: ByteWriter, c: Connection): void {
    const cl = clientFlow(c);
    const sv = serverFlow(c);
    if (!flowFlag(cl, F_SYN_SEEN) || !flowFlag(sv, F_SYN_SEEN)) return;
    const story = c.story.bits;
    const bits = (flowFlag(cl, F_SYN_SACK_PERMITTED) && flowFlag(sv, F_SYN_SACK_PERMITTED) ? 1 : 0) +
      (flowFlag(cl, F_SYN_TIMESTAMPS) && flowFlag(sv, F_SYN_TIMESTAMPS) ? 2 : 0) + (c.ipVersion === 6 ? 4 : 0) +
      ((story & S_ECN_AGREED) !== 0 ? 8 : 0) + ((story & S_SYN_DATA_ACCEPTED) !== 0 ? 16 : 0);
    if (this.agreed === null || bits !== this.agreedBits || cl.synMss !== this.agreedMssClient || sv.synMss !== this.agreedMssServer ||
      cl.synWscale !== this.agreedWsClient || sv.synWscale !== this.agreedWsServer) {
      this.agreed = utf8(`   ${this.t('wAgreed')}${this.L.colon}${this.agreedText(cl, sv, c.ipVersion, bits)}\n`);
      this.agreedBits = bits;
      this.agreedMssClient = cl.synMss;
      this.agreedMssServer = sv.synMss;
      this.agreedWsClient = cl.synWscale;
      this.agreedWsServer = sv.synWscale;
    }
    w.raw(this.agreed);
  }

  /** `bits`: agreedLine()'s (8: ECN agreed, 16: data on the SYN, TCP Fast Open). */
  private agreedText(cl: Flow, sv: Flow, ipVersion: number, bits: number): string {
    const lang = this.o.lang;
    const parts: string[] = [];
    const c2s = `${roleName(lang, 'client')}→${roleName(lang, 'server')}`;
    const s2c = `${roleName(lang, 'server')}→${roleName(lang, 'client')}`;
    if (sv.synMss >= 0 || cl.synMss >= 0) {
      // a side that sent no MSS option: the peer assumes the default (RFC 9293 §3.7.1, MUST-15)
      const dflt = this.t('lMssDefault', 'client', ipVersion === 6 ? 1220 : 536);
      parts.push(`MSS ${c2s} ${sv.synMss >= 0 ? sv.synMss : dflt}${this.t('lSep')}${s2c} ${cl.synMss >= 0 ? cl.synMss : dflt}`);
    }
    // each side's shift count and the factor its windows are scaled by (the shift capped at 14, as
    // the analysis caps it: RFC 7323 §2.3), named by side: "10/0" left a learner to guess which
    // side was which
    if (cl.synWscale >= 0 && sv.synWscale >= 0) {
      const side = (role: 'client' | 'server', shift: number): string => `${roleName(lang, role)} ${shift}${this.t('lScaleFactor', 'client', 2 ** Math.min(shift, MAX_WSCALE))}`;
      parts.push(`${this.t('lWindowScale')} ${side('client', cl.synWscale)}${this.t('lSep')}${side('server', sv.synWscale)}`);
    } else {
      parts.push(this.t('lScaleOff'));
    }
    parts.push(flowFlag(cl, F_SYN_SACK_PERMITTED) && flowFlag(sv, F_SYN_SACK_PERMITTED) ? 'SACK' : this.t('lNoSack'));
    parts.push(flowFlag(cl, F_SYN_TIMESTAMPS) && flowFlag(sv, F_SYN_TIMESTAMPS) ? this.t('lTimestamps') : this.t('lNoTimestamps'));
    if ((bits & 8) !== 0) parts.push(this.t('lEcn'));
    if ((bits & 16) !== 0) parts.push(this.t('lTfo'));
    return parts.join(this.t('lSep'));
  }
}

/** Segments with data from a or from b of counts that may be missing (a list's omitted, its skipped). */
function segmentsOf(d: SegmentCounts | undefined, fromA: boolean): number {
  return d === undefined ? 0 : fromA ? d.dataSegmentsA : d.dataSegmentsB;
}

/** Their payload bytes (segmentsOf()). */
function bytesOf(d: SegmentCounts | undefined, fromA: boolean): number {
  return d === undefined ? 0 : fromA ? d.dataBytesA : d.dataBytesB;
}

/** Whether any of the records is a step of the handshake. */
function anyHandshakeStep(packets: PacketRecords, s: Story): boolean {
  for (let i = 0; i < packets.length; i++) if (isHandshakeStep(packets.at(i), s)) return true;
  return false;
}
