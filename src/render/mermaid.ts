/**
 * `--format mermaid` and `--format markdown`: a Mermaid sequenceDiagram per connection (client
 * and server as participants, one arrow per segment, each side's state as a note when it
 * changes, the data phase elided beyond a few packets), and Markdown with a summary table and a
 * lowercase ```mermaid fence per connection — ready to append to $GITHUB_STEP_SUMMARY.
 * Mermaid text avoids ';' and '#', which end or escape a statement there.
 */
import { type Connection, clientFlow, serverFlow } from '../analyze/connection.js';
import type { PacketRecords } from './json.js';
import { STATE_NAMES, HANDSHAKE_KINDS, TEARDOWN_KINDS, isInferredState, handshakeKind, teardownKind, rstEndsNothing } from '../analyze/story.js';
import { zeekConnState, zeekHistory } from '../analyze/zeek.js';
import { ANALYSIS_NAMES, analysisNames } from '../analyze/flags.js';
import { diagnostics } from '../analyze/diagnostics.js';
import { message, roleName, type Lang } from '../i18n/messages.js';
import { writeEndpoint, writeRttMs } from './endpoint.js';
import { DiagramWriter } from './elide.js';
import type { CaptureSummary } from '../pipeline.js';
import type { Output } from '../util/output.js';
import { Spool } from '../util/spool.js';
import { ByteWriter, utf8, type Chunk } from '../util/bytes.js';
import { codeSpan } from './markdown-text.js';
import { DIAGRAM_TAIL, MERMAID_HEAD } from './records.js';

/**
 * Data packets shown at the start and at the end of a run of the data phase; the rest is a count
 * (a sparse list of records made for these, PacketCollector's `diagramHead`, keeps no more).
 */
const HEAD = MERMAID_HEAD;
const TAIL = DIAGRAM_TAIL;
const NEWLINE = 0x0a;
const RST = 0x004;
const STATES = STATE_NAMES.length;

function safe(s: string): string {
  // (most text has neither: two scans, no regular expression, no copy); a ';' between two
  // clauses becomes a comma, not a space, which left "a limit  the packets" in the note of
  // packets not kept
  return s.indexOf(';') < 0 && s.indexOf('#') < 0 ? s : s.replace(/;/g, ',').replace(/#/g, ' ');
}

/**
 * Writes the Mermaid diagrams of one language and numbering (--absolute) as bytes: a big
 * capture's diagrams are millions of arrows, and each made as a string (the label's pieces, the
 * line, the lines joined, then encoded) took most of `--format mermaid`'s time. An arrow is its
 * constant pieces, chosen by its direction, RST and flags (made when first met), with its numbers
 * written between them; a state note is one piece by the states it names. What is rare (a
 * continuation's note, the gaps' counts, packets not kept) is made as text and written. The
 * labels and notes of these pieces hold no ';' or '#' (which end or escape a statement in
 * Mermaid); the text made from messages is made safe as before.
 */
export class MermaidBytes extends DiagramWriter {
  private readonly client: string;
  private readonly server: string;
  private readonly inferred: string;
  /** `    S->>C`, `    C->>S`, and with a RST that ends the connection `    S-xC`, `    C-xS` (by fromClient + 2 * rst), then `: ` and the frame. */
  private readonly arrows: Chunk[];
  /** ` (retransmission, duplicate_ack)` by analysis bits, made when first met. */
  private readonly names = new Map<number, Chunk>();
  /** A state's text as the notes name it, marked inferred (by state). */
  private readonly stateText: string[];
  /** `    Note left of C: X`, `    Note right of S: Y` (by state), and over both (by client * STATES + server state). */
  private readonly left: Chunk[];
  private readonly right: Chunk[];
  private readonly both: (Chunk | undefined)[] = new Array<Chunk | undefined>(STATES * STATES).fill(undefined);
  /**
   * `: three-way handshake, four-way teardown, Zeek SF` and `sequenceDiagram`, made when first
   * met: by the two kinds (handshake * 6 + teardown), then by Zeek's state.
   */
  private readonly heads: Map<string, Chunk>[] = Array.from({ length: HANDSHAKE_KINDS.length * TEARDOWN_KINDS.length }, () => new Map<string, Chunk>());
  private readonly headStart = utf8('%% connection ');
  private readonly continuedWord = utf8(' (continued)');
  private readonly participantC: Chunk;
  private readonly participantS: Chunk;

  constructor(private readonly lang: Lang, absolute: boolean) {
    super(': ', absolute);
    this.client = roleName(lang, 'client');
    this.server = roleName(lang, 'server');
    this.inferred = ` (${message(lang, 'wInferred', 'client')})`;
    this.arrows = ['    S->>C', '    C->>S', '    S-xC', '    C-xS'].map((a) => utf8(a));
    this.stateText = STATE_NAMES.map((name, st) => name + (isInferredState(st) ? this.inferred : ''));
    this.left = this.stateText.map((t) => utf8(`    Note left of C: ${t}\n`));
    this.right = this.stateText.map((t) => utf8(`    Note right of S: ${t}\n`));
    this.participantC = utf8(`    participant C as ${this.client} `);
    this.participantS = utf8(`    participant S as ${this.server} `);
  }

  /** The diagram of `c` (its lines, each ended by a newline). `keep`: data-phase frames to show even where the data phase is elided. */
  write(w: ByteWriter, c: Connection, packets: PacketRecords, keep: ReadonlySet<number> | null = null): void {
    const lang = this.lang;
    w.raw(this.headStart);
    w.num(c.id);
    if (c.continued) w.raw(this.continuedWord);
    const hk = handshakeKind(c.story);
    const tk = teardownKind(c.story);
    const zs = zeekConnState(c);
    const heads = this.heads[HANDSHAKE_KINDS.indexOf(hk) * TEARDOWN_KINDS.length + TEARDOWN_KINDS.indexOf(tk)];
    let head = heads.get(zs);
    if (head === undefined) {
      head = utf8(`: ${hk} handshake, ${tk} teardown, Zeek ${zs}\nsequenceDiagram\n`);
      heads.set(zs, head);
    }
    w.raw(head);
    // (an endpoint holds no ';' nor '#')
    w.raw(this.participantC);
    writeEndpoint(w, c, true);
    w.byte(NEWLINE);
    w.raw(this.participantS);
    writeEndpoint(w, c, false);
    w.byte(NEWLINE);
    const omitted = packets.omitted;
    if (omitted) this.note(w, message(lang, 'wOmitted', 'client', omitted.count, omitted.fromFrame, omitted.toFrame));
    if (c.continued) this.note(w, message(lang, c.continuedAfresh ? 'mContinuedAfresh' : 'mContinued', 'client', c.id));
    this.visit(w, c, packets, HEAD, TAIL, keep);
  }

  /** `    Note over C,S: ` and the text, made safe. */
  private note(w: ByteWriter, text: string): void {
    w.text(`    Note over C,S: ${safe(text)}\n`);
  }

  gap(count: number): void {
    this.note(this.w as ByteWriter, message(this.lang, 'mermaidGap', 'client', count));
  }

  packet(packets: PacketRecords, i: number): void {
    const w = this.w as ByteWriter;
    const p = packets.at(i);
    const flags = p.flags;
    const fromClient = p.fromA === this.clientIsA;
    // (a RST that ends nothing, story.ts's rstEndsNothing(), is drawn as any segment)
    const ends = (flags & RST) !== 0 && !rstEndsNothing(p.note);
    w.raw(this.arrows[(fromClient ? 1 : 0) + (ends ? 2 : 0)]);
    w.byte(0x3a);
    w.byte(0x20);
    w.num(p.frame);
    this.segmentLabel(w, p);
    if (p.analysis !== 0) {
      let n = this.names.get(p.analysis);
      if (n === undefined) {
        n = utf8(` (${analysisNames(p.analysis).join(', ')})`);
        this.names.set(p.analysis, n);
      }
      w.raw(n);
    }
    w.byte(NEWLINE);
    const cs = this.clientIsA ? p.stateA : p.stateB;
    const ss = this.clientIsA ? p.stateB : p.stateA;
    // one row per change: both sides in one note when both changed (states of the same text
    // are the same state)
    const lastC = this.lastC;
    const lastS = this.lastS;
    if (cs !== lastC && ss !== lastS) {
      const k = cs * STATES + ss;
      let b = this.both[k];
      if (b === undefined) {
        b = utf8(`    Note over C,S: ${this.client} ${this.stateText[cs]} · ${this.server} ${this.stateText[ss]}\n`);
        this.both[k] = b;
      }
      w.raw(b);
    } else if (cs !== lastC) w.raw(this.left[cs]);
    else if (ss !== lastS) w.raw(this.right[ss]);
    this.lastC = cs;
    this.lastS = ss;
  }
}

/** A connection's text written as bytes, one connection after another (the walkthrough, Mermaid). */
export interface ConnectionText {
  write(w: ByteWriter, c: Connection, records: PacketRecords): void;
}

/** `--format mermaid`: each connection's diagram and a blank line. */
export class MermaidText implements ConnectionText {
  private readonly m: MermaidBytes;

  constructor(lang: Lang, absolute: boolean) {
    this.m = new MermaidBytes(lang, absolute);
  }

  write(w: ByteWriter, c: Connection, records: PacketRecords): void {
    this.m.write(w, c, records);
    w.byte(NEWLINE);
  }
}

/** One writer for each language and numbering, made when first asked for (mermaid()). */
const WRITERS = new Map<string, MermaidBytes>();

/** The Mermaid diagram of `c` as text (what MermaidBytes writes). `keep`: data-phase frames to show even where the data phase is elided. */
export function mermaid(c: Connection, packets: PacketRecords, absolute = false, lang: Lang = 'en', keep: ReadonlySet<number> | null = null): string {
  const k = `${lang} ${absolute}`;
  let m = WRITERS.get(k);
  if (m === undefined) {
    m = new MermaidBytes(lang, absolute);
    WRITERS.set(k, m);
  }
  const w = new ByteWriter(4096);
  m.write(w, c, packets, keep);
  return w.buf.toString('utf8', 0, w.pos);
}

/** Room made for a table row and a section before they are written (either grows the spool's writer when longer). */
const ROW_ROOM = 512;
const SECTION_ROOM = 4096;

/** A piece by the handshake's and the teardown's kinds, made when first met. */
function kinds(table: (Chunk | undefined)[], hk: number, tk: number, make: () => string): Chunk {
  const k = hk * TEARDOWN_KINDS.length + tk;
  let c = table[k];
  if (c === undefined) {
    c = utf8(make());
    table[k] = c;
  }
  return c;
}

/** `before`, the client's endpoint, `between`, the server's. */
function endpoints(w: ByteWriter, c: Connection, before: Chunk, between: Chunk): void {
  w.raw(before);
  writeEndpoint(w, c, true);
  w.raw(between);
  writeEndpoint(w, c, false);
}

/** Zeek's state, and its history after a space and a backtick (a code span the caller closes). */
function zeek(w: ByteWriter, L: MarkdownPieces, state: string, history: string): void {
  w.text(state);
  w.raw(L.spaceCode);
  w.text(history);
}

/** The constant pieces of a Markdown row and section in a language (MarkdownWriter.add). */
interface MarkdownPieces {
  hk: string[];
  tk: string[];
  handshakeWord: string;
  teardownWord: string;
  colon: string;
  continued: Chunk;
  rowStart: Chunk;
  cell: Chunk;
  cellCode: Chunk;
  codeCellCode: Chunk;
  codeCell: Chunk;
  spaceCode: Chunk;
  slash: Chunk;
  dash: Chunk;
  rowEnd: Chunk;
  /** `name ` of each analysis name, and `, name ` after another. */
  analysisFirst: Chunk[];
  analysisNext: Chunk[];
  /** `handshake | teardown | ` of the row, by kinds. */
  rowKinds: (Chunk | undefined)[];
  heading: Chunk;
  colonCode: Chunk;
  codeArrowCode: Chunk;
  /** The section's verdicts line up to Zeek's state, by kinds. */
  verdicts: (Chunk | undefined)[];
  codeEnd: Chunk;
  fence: Chunk;
  fenceEnd: Chunk;
}

function markdownPieces(lang: Lang): MarkdownPieces {
  const t = (k: string): string => message(lang, k, 'client');
  const colon = t('lColon');
  return {
    hk: HANDSHAKE_KINDS.map((k) => t(`hk_${k}`)),
    tk: TEARDOWN_KINDS.map((k) => t(`tk_${k}`)),
    handshakeWord: t('mdHandshakeWord'),
    teardownWord: t('mdTeardownWord'),
    colon,
    continued: utf8(` ${t('tContinued')}`),
    rowStart: utf8('\n| '),
    cell: utf8(' | '),
    cellCode: utf8(' | `'),
    codeCellCode: utf8('` | `'),
    codeCell: utf8('` | '),
    spaceCode: utf8(' `'),
    slash: utf8(' / '),
    dash: utf8('–'),
    rowEnd: utf8(' |'),
    analysisFirst: ANALYSIS_NAMES.map((n) => utf8(`${n} `)),
    analysisNext: ANALYSIS_NAMES.map((n) => utf8(`, ${n} `)),
    rowKinds: new Array<Chunk | undefined>(HANDSHAKE_KINDS.length * TEARDOWN_KINDS.length).fill(undefined),
    heading: utf8(`\n\n### ${t('mdConnection')} `),
    colonCode: utf8(`${colon}\``),
    codeArrowCode: utf8('` → `'),
    verdicts: new Array<Chunk | undefined>(HANDSHAKE_KINDS.length * TEARDOWN_KINDS.length).fill(undefined),
    codeEnd: utf8('`\n'),
    fence: utf8('\n```mermaid\n'),
    fenceEnd: utf8('```'),
  };
}

/**
 * `--format markdown` of one capture, streamed: each connection's table row and section (with its
 * Mermaid diagram) are made when the tracker finalises it and wait in spools (memory up to their
 * budget, then temporary files); write() lays the report out in id order. So memory follows the
 * open connections and their packets, not the capture.
 */
export class MarkdownWriter {
  /** The table's rows and the connections' sections, each in id order at the end. */
  private readonly rows = new Spool();
  private readonly sections = new Spool();
  private count = 0;
  private readonly m: MermaidBytes;
  private readonly L: MarkdownPieces;

  constructor(private readonly file: string, private readonly lang: Lang) {
    this.m = new MermaidBytes(lang, false);
    this.L = markdownPieces(lang);
  }

  private t(k: string, n1 = 0, n2 = 0, n3 = 0): string {
    return message(this.lang, k, 'client', n1, n2, n3);
  }

  /** A connection's row and section (connections can come in any order). */
  add(c: Connection, packets: PacketRecords): void {
    const lang = this.lang;
    const L = this.L;
    // a continuation is a second row and section of a connection already counted
    if (!c.continued) this.count++;
    const hk = HANDSHAKE_KINDS.indexOf(handshakeKind(c.story));
    const tk = TEARDOWN_KINDS.indexOf(teardownKind(c.story));
    const zs = zeekConnState(c);
    const history = zeekHistory(c);
    // the row: | id | `client` | `server` | handshake | teardown | Zeek `history` | packets | bytes | iRTT | analysis |
    const r = this.rows.writer(ROW_ROOM);
    r.raw(L.rowStart);
    this.id(r, c);
    endpoints(r, c, L.cellCode, L.codeCellCode);
    r.raw(L.codeCell);
    r.raw(kinds(L.rowKinds, hk, tk, () => `${L.hk[hk]} | ${L.tk[tk]} | `));
    zeek(r, L, zs, history);
    r.raw(L.codeCell);
    r.num(c.packets);
    r.raw(L.cell);
    r.num(clientFlow(c).payloadBytes);
    r.raw(L.slash);
    r.num(serverFlow(c).payloadBytes);
    r.raw(L.cell);
    writeRttMs(r, c, L.dash);
    r.raw(L.cell);
    let any = false;
    for (let i = 0; i < ANALYSIS_NAMES.length; i++) {
      if (c.analysis[i] > 0) {
        r.raw(any ? L.analysisNext[i] : L.analysisFirst[i]);
        r.num(c.analysis[i]);
        any = true;
      }
    }
    if (!any) r.raw(L.dash);
    r.raw(L.rowEnd);
    this.rows.commit(c.id);
    // the section: its heading, the verdicts, the diagram and the findings
    const w = this.sections.writer(SECTION_ROOM);
    w.raw(L.heading);
    this.id(w, c);
    endpoints(w, c, L.colonCode, L.codeArrowCode);
    w.raw(kinds(L.verdicts, hk, tk, () => `\`\n\n${L.handshakeWord}${L.colon}${L.hk[hk]} · ${L.teardownWord}${L.colon}${L.tk[tk]} · Zeek `));
    zeek(w, L, zs, history);
    w.raw(L.codeEnd);
    if (c.continued) w.text(`\n> ${message(lang, c.continuedAfresh ? 'wContinuedAfresh' : 'wContinued', 'client', c.id)}\n`);
    w.raw(L.fence);
    this.m.write(w, c, packets);
    w.raw(L.fenceEnd);
    const d = diagnostics(c);
    if (d.length > 0) {
      w.byte(NEWLINE);
      for (const x of d) w.text(`\n- ${message(lang, x.key, x.flowA === null ? 'client' : x.flowA === c.clientIsA ? 'client' : 'server', x.n1, x.n2)}`);
    }
    this.sections.commit(c.id);
  }

  /** The connection's id in the table and the heading, `(cont.)` after a continuation's. */
  private id(w: ByteWriter, c: Connection): void {
    w.num(c.id);
    if (c.continued) w.raw(this.L.continued);
  }

  /** The spools write() drains, in order (a progress line counts their records). */
  get spools(): readonly Spool[] {
    return [this.rows, this.sections];
  }

  /** Writes the report: the heading and counts, the table, then each connection's section. */
  async write(out: Output, s: CaptureSummary): Promise<void> {
    const t = this.t.bind(this);
    out.write(`## tcpflow-explain: ${codeSpan(this.file)}\n\n`);
    out.write(`${t('mdCounts', s.packets, s.tcpPackets, this.count)}${s.truncated ? ` — **${t('mdCut')}**` : ''}${s.stoppedAtLimit ? ` — **${t('mdStoppedAtLimit', s.frameLimit ?? 0)}**` : ''}\n\n`);
    out.write(`| ${['tId', 'tClient', 'tServer', 'tHandshake', 'tTeardown', 'tZeek', 'tPackets', 'tBytes', 'tIrtt', 'tAnalysis'].map((k) => t(k)).join(' | ')} |\n`);
    out.write('|---:|---|---|---|---|---|---:|---:|---:|---|');
    for (const spool of [this.rows, this.sections]) {
      await spool.drain((buf, start, len) => {
        out.bytes(buf, start, len);
        return out.full;
      }, () => out.flush());
    }
    out.write('\n');
  }

  /** Removes the spools' temporary files (also done by write). */
  close(): void {
    this.rows.close();
    this.sections.close();
  }
}
