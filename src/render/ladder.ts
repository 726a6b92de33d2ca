/**
 * The ladder diagram students draw on paper: the client's line on the left, the server's on the
 * right, one arrow per segment with its flags and numbers, each side's state written beside its
 * line when it changes (LISTEN and TIME_WAIT marked inferred with *). Long data phases are elided
 * with a count.
 */
import type { ChalkInstance } from 'chalk';
import type { Connection } from '../analyze/connection.js';
import type { PacketRecord, PacketRecords } from './json.js';
import { STATE_NAMES, isInferredState } from '../analyze/story.js';
import { analysisNames } from '../analyze/flags.js';
import { DiagramWriter } from './elide.js';
import { DIAGRAM_HEAD, DIAGRAM_TAIL } from './records.js';
import { message, roleName, type Lang } from '../i18n/messages.js';
import { ByteWriter, utf8, type Chunk } from '../util/bytes.js';

const STATE_W = 13;
const FRAME_W = 6;
/** Data packets shown at the start and at the end of a data phase; the rest is a count. */
const HEAD = DIAGRAM_HEAD;
const TAIL = DIAGRAM_TAIL;
const NEWLINE = 0x0a;
const RST = 0x004;
const ACK = 0x010;
/** The widest arrow (LadderBytes.arrowW). */
const ARROW_MAX = 60;

/** Characters of an integer in decimal (String(v).length). */
function digits(v: number): number {
  if (v < 0) return 1 + digits(-v);
  let n = 1;
  while (v >= 10) {
    v = Math.floor(v / 10);
    n++;
  }
  return n;
}

/**
 * Writes the ladder diagrams of one language, colouring, numbering (--absolute) and width as
 * bytes: with --diagram (or on a wide terminal) every connection of the walkthrough has one, and
 * each arrow made as a string (the label, the padding, the colours, the lines joined) doubled
 * the walkthrough's time on many connections. A line is its constant pieces (the frame's
 * padding, the states' cells, the arrow's colour, its label's flags and analysis name, each made
 * when first met, the dashes by length) with the numbers written between them. A label too long
 * for its arrow (cut with …) is made as text, as are the gaps' counts.
 */
export class LadderBytes extends DiagramWriter {
  /** Columns of an arrow, its ends included. */
  private readonly arrowW: number;
  private readonly head: Chunk;
  private readonly foot: Chunk;
  /** Spaces before a frame number of 1 to FRAME_W digits (by digits). */
  private readonly framePad: Chunk[] = [];
  /** ` <state padded, cyan> |` by state, and with no state (the state unchanged). */
  private readonly leftCell: Chunk[];
  private readonly leftNone: Chunk;
  /** `| <state, cyan>` and a newline by state, and `|` and a newline. */
  private readonly rightCell: Chunk[];
  private readonly rightNone: Chunk;
  /** Dashes, by how many. */
  private readonly dashes: Chunk[] = [];
  /** The arrow's colour around it: none, red (RST), yellow (an analysis flag). */
  private readonly colourOpen: Chunk[];
  private readonly colourClose: Chunk[];
  private readonly fromClientOpen = utf8('-');
  private readonly fromClientClose = utf8('>');
  private readonly fromServerOpen = utf8('<');
  private readonly fromServerClose = utf8('-');
  /** ` (retransmission) ` by analysis bits (the first name), and ` ` without: the label's end. */
  private readonly names = new Map<number, Chunk>();
  private readonly labelEnd = utf8(' ');

  constructor(private readonly chalk: ChalkInstance, absolute: boolean, width: number, private readonly lang: Lang) {
    super(' ', absolute);
    const arrowW = Math.max(30, Math.min(ARROW_MAX, width - FRAME_W - 2 * STATE_W - 6));
    this.arrowW = arrowW;
    const cl = roleName(lang, 'client');
    // CJK characters take two columns
    const pad = STATE_W - cl.length * (lang === 'zh' ? 2 : 1);
    this.head = utf8(`${''.padStart(FRAME_W)} ${' '.repeat(Math.max(0, pad))}${cl} ${' '.repeat(arrowW + 2)} ${roleName(lang, 'server')}\n`);
    const po = message(lang, 'lParenOpen', 'client').trimStart();
    const pc = message(lang, 'lParenClose', 'client');
    this.foot = utf8(`${chalk.dim(`${''.padStart(FRAME_W)} ${''.padStart(STATE_W)}  ${po}${message(lang, 'ladderNote', 'client')}${pc}`)}\n`);
    for (let d = 0; d <= FRAME_W; d++) this.framePad.push(utf8(' '.repeat(FRAME_W - d)));
    const state = STATE_NAMES.map((name, st) => name + (isInferredState(st) ? '*' : ''));
    this.leftCell = state.map((t) => utf8(` ${chalk.cyan(t.padStart(STATE_W))} |`));
    this.leftNone = utf8(` ${chalk.cyan(''.padStart(STATE_W))} |`);
    this.rightCell = state.map((t) => utf8(`| ${chalk.cyan(t)}\n`));
    this.rightNone = utf8('|\n');
    for (let n = 0; n <= ARROW_MAX; n++) this.dashes.push(utf8('-'.repeat(n)));
    const [redOpen, redClose] = chalk.red('\u0000').split('\u0000') as [string, string];
    const [yellowOpen, yellowClose] = chalk.yellow('\u0000').split('\u0000') as [string, string];
    this.colourOpen = ['', redOpen, yellowOpen].map((s) => utf8(s));
    this.colourClose = ['', redClose, yellowClose].map((s) => utf8(s));
  }

  /** The diagram of `c`, its lines each ended by a newline. */
  write(w: ByteWriter, c: Connection, packets: PacketRecords): void {
    w.raw(this.head);
    this.visit(w, c, packets, HEAD, TAIL, null);
    w.raw(this.foot);
  }

  gap(count: number): void {
    const w = this.w as ByteWriter;
    const gap = message(this.lang, 'ladderGap', 'client', count);
    w.text(this.chalk.dim(`${''.padStart(FRAME_W)} ${''.padStart(STATE_W)} |${center(gap, this.arrowW - (this.lang === 'zh' ? 6 : 0))}|`));
    w.byte(NEWLINE);
  }

  packet(packets: PacketRecords, i: number): void {
    const w = this.w as ByteWriter;
    const p = packets.at(i);
    const fromClient = p.fromA === this.clientIsA;
    const cs = this.clientIsA ? p.stateA : p.stateB;
    const ss = this.clientIsA ? p.stateB : p.stateA;
    const frame = p.frame;
    const fd = digits(frame);
    if (fd < FRAME_W) w.raw(this.framePad[fd]!);
    w.num(frame);
    w.raw(cs !== this.lastC ? this.leftCell[cs]! : this.leftNone);
    const flags = p.flags;
    // the label: ` [FLAGS] seq=N ack=M len=L (first analysis name) `
    const fs = this.labelStart(flags);
    const seq = this.absolute ? p.rawSeq >>> 0 : p.seq;
    const ack = this.absolute ? p.rawAck >>> 0 : p.ack;
    let end = this.labelEnd;
    if (p.analysis !== 0) {
      let n = this.names.get(p.analysis);
      if (n === undefined) {
        const names = analysisNames(p.analysis);
        n = names.length > 0 ? utf8(` (${names[0]}) `) : this.labelEnd;
        this.names.set(p.analysis, n);
      }
      end = n;
    }
    // red for a RST, else yellow for an analysis flag
    const colour = flags & RST ? 1 : end !== this.labelEnd ? 2 : 0;
    if (colour !== 0) w.raw(this.colourOpen[colour]!);
    // (the label is ASCII: its bytes are its columns)
    const labelW = fs.length + digits(seq) + (flags & ACK ? this.ackLabel.length + digits(ack) : 0) + (p.len > 0 ? this.lenLabel.length + digits(p.len) : 0) + end.length;
    if (labelW > this.arrowW - 3) this.longArrow(w, p, end, fromClient);
    else {
      const fill = this.dashes[this.arrowW - labelW - 2]!;
      w.raw(fromClient ? this.fromClientOpen : this.fromServerOpen);
      if (!fromClient) w.raw(fill);
      this.segmentLabel(w, p);
      w.raw(end);
      if (fromClient) w.raw(fill);
      w.raw(fromClient ? this.fromClientClose : this.fromServerClose);
    }
    if (colour !== 0) w.raw(this.colourClose[colour]!);
    w.raw(ss !== this.lastS ? this.rightCell[ss]! : this.rightNone);
    this.lastC = cs;
    this.lastS = ss;
  }

  /** longArrow()'s label before it is cut. */
  private readonly long = new ByteWriter(256);

  /** An arrow whose label (the segment's, then `end`) is cut to fit (with …), made as text. */
  private longArrow(w: ByteWriter, p: PacketRecord, end: Chunk, fromClient: boolean): void {
    const x = this.long;
    x.pos = 0;
    this.segmentLabel(x, p);
    let label = x.buf.toString('utf8', 0, x.pos) + end.text;
    if (label.length > this.arrowW - 3) label = label.slice(0, this.arrowW - 4) + '… ';
    const fill = this.arrowW - label.length - 2;
    w.text(fromClient ? `-${label}${'-'.repeat(fill)}>` : `<${'-'.repeat(fill)}${label}-`);
  }
}

function center(s: string, w: number): string {
  const pad = Math.max(0, w - s.length);
  return ' '.repeat(Math.floor(pad / 2)) + s + ' '.repeat(pad - Math.floor(pad / 2));
}
