/**
 * `--format summary`: one table row per connection — id, client, server, handshake, teardown,
 * Zeek state, packets, bytes, duration, iRTT, analysis counts — then capture totals.
 *
 * Streamed like the other formats: a connection's row is made when the tracker finalises it,
 * kept as text in a spool (memory up to its budget, then a temporary file) and drawn in id order
 * at the end, when every column's width is known. So memory follows the open connections, not
 * the capture (the table used to need every connection kept to the end).
 *
 * The table is laid out here, character for character as cli-table3 draws it with its default
 * characters and padding (tested against cli-table3 itself in test/summary-table.test.ts; with
 * colour, as cli-table3 does with its colours enabled: a bold header, grey borders). cli-table3
 * itself took about 0.3 ms a row (it builds a regular expression for every width it measures)
 * and needs all rows at once: 10 000 connections took 3 s, 100 000 took 30 s and 1 GB.
 */
import stringWidth from 'string-width';
import { type Connection, clientFlow, serverFlow } from '../analyze/connection.js';
import { HANDSHAKE_KINDS, handshakeKind, TEARDOWN_KINDS, teardownKind } from '../analyze/story.js';
import { zeekConnState } from '../analyze/zeek.js';
import { ANALYSIS_NAMES } from '../analyze/flags.js';
import { writeEndpoint, writeRttMs } from './endpoint.js';
import { FixedMessages, message, type Lang } from '../i18n/messages.js';
import { Spool } from '../util/spool.js';
import type { Output } from '../util/output.js';
import { fixed, utf8, type ByteWriter, type Chunk } from '../util/bytes.js';

const HEAD_KEYS = ['tId', 'tClient', 'tServer', 'tHandshake', 'tTeardown', 'tZeek', 'tPackets', 'tBytes', 'tDuration', 'tIrtt', 'tAnalysis'];
/** Between the cells of a spooled row (never in a cell). */
export const CELL = '\u0001';
const CELL_BYTE = 0x01;
/** The iRTT cell without one. */
const DASH = utf8('-');
const NEWLINE = 0x0a;
const SPACE = 0x20;
const SLASH = 0x2f;
/** Room asked of the spool for a row (a longer one grows its buffer). */
const ROW_ROOM = 4096;
const SPACES = Buffer.alloc(64, ' ');
const ASCII = /^[\x20-\x7e]*$/;

/** Widths of the non-ASCII lines measured so far (a capture's cells repeat a few translated words). */
const WIDTHS = new Map<string, number>();

/** Columns a line takes on a terminal, as cli-table3 measures it (string-width; printable ASCII is one each). */
export function textWidth(line: string): number {
  if (ASCII.test(line)) return line.length;
  let w = WIDTHS.get(line);
  if (w === undefined) {
    w = stringWidth(line);
    if (WIDTHS.size < 4096) WIDTHS.set(line, w);
  }
  return w;
}

/** The widest line of a cell. */
function cellWidth(cell: string): number {
  if (!cell.includes('\n')) return textWidth(cell);
  let w = 0;
  for (const line of cell.split('\n')) w = Math.max(w, textWidth(line));
  return w;
}

/**
 * Draws a table as cli-table3 does with its defaults (box-drawing borders, one space of padding
 * each side, a line between rows, cells left-aligned, multi-line cells). `widths`: the widest
 * line of each column (header included). Colour: the header bold, the borders grey.
 */
export class TableLayout {
  private readonly top: string;
  private readonly mid: string;
  private readonly bottom: string;
  private readonly bar: string;

  /** A row's newline and border above it, a line's newline and first bar, and a bar, encoded. */
  private readonly midLine: Chunk;
  private readonly barLine: Chunk;
  private readonly barChunk: Chunk;
  /** Where each cell's next line starts, and where the cell ends (row()). */
  private readonly at: Int32Array;
  private readonly ends: Int32Array;

  constructor(private readonly widths: readonly number[], private readonly colour: boolean) {
    this.top = this.rule('┌', '┬', '┐');
    this.mid = this.rule('├', '┼', '┤');
    this.bottom = this.rule('└', '┴', '┘');
    this.bar = this.grey('│');
    this.midLine = utf8(`\n${this.mid}`);
    this.barLine = utf8(`\n${this.bar}`);
    this.barChunk = utf8(this.bar);
    this.at = new Int32Array(widths.length);
    this.ends = new Int32Array(widths.length);
  }

  private grey(s: string): string {
    return this.colour ? `\x1b[90m${s}\x1b[39m` : s;
  }

  /** A border line: each column's stretch coloured on its own, as cli-table3 does. */
  private rule(left: string, cross: string, right: string): string {
    let s = '';
    const n = this.widths.length;
    for (let i = 0; i < n; i++) s += this.grey(`${i === 0 ? left : cross}${'─'.repeat(this.widths[i]! + 2)}${i === n - 1 ? right : ''}`);
    return s;
  }

  /** The top border and the header row. */
  head(cells: readonly string[]): string {
    let s = `${this.top}\n${this.bar}`;
    for (let i = 0; i < cells.length; i++) {
      const padded = ` ${cells[i]}${' '.repeat(this.widths[i]! - textWidth(cells[i]!))} `;
      s += (this.colour ? `\x1b[1m${padded}\x1b[22m` : padded) + this.bar;
    }
    return s;
  }

  /**
   * A row, with the line above it (the first row's included), from its cells as spooled: UTF-8,
   * separated by CELL, a cell's lines by newlines. Written as bytes: the cells' bytes and the
   * borders' encoded once, never a row's text (100 000 rows are 60 MB of box-drawing).
   */
  row(w: ByteWriter, buf: Uint8Array, start: number, len: number): void {
    const n = this.widths.length;
    const at = this.at;
    const ends = this.ends;
    // where each cell starts and ends, and the row's height (its tallest cell's lines)
    let c = 0;
    let from = start;
    let lines = 1;
    let height = 1;
    // every byte of the cells printable ASCII (a column each): nearly every row
    let plain = true;
    const end = start + len;
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      if (b === NEWLINE) lines++;
      else if (b === CELL_BYTE && c < n - 1) {
        at[c] = from;
        ends[c++] = i;
        from = i + 1;
        if (lines > height) height = lines;
        lines = 1;
      } else if (b < 0x20 || b > 0x7e) plain = false;
    }
    at[c] = from;
    ends[c++] = end;
    if (lines > height) height = lines;
    // a row with fewer cells than columns: the rest are empty
    for (; c < n; c++) at[c] = ends[c] = end;
    w.raw(this.midLine);
    if (height === 1 && plain) {
      // one line of printable ASCII: each cell as it is, as wide as it is long (what the lines
      // below do, without reading the cells twice more)
      w.raw(this.barLine);
      for (let i = 0; i < n; i++) {
        const a = at[i]!;
        const width = ends[i]! - a;
        w.byte(SPACE);
        if (width > 0) w.bytes(buf, a, width);
        this.spaces(w, this.widths[i]! - width + 1);
        w.raw(this.barChunk);
      }
      return;
    }
    for (let k = 0; k < height; k++) {
      w.raw(this.barLine);
      for (let i = 0; i < n; i++) {
        // the cell's next line (empty once its lines are all drawn)
        const a = at[i]!;
        let b = a;
        const e = ends[i]!;
        if (a <= e) {
          while (b < e && buf[b] !== NEWLINE) b++;
          at[i] = b + 1;
        }
        w.byte(SPACE);
        let width = b - a;
        if (b > a) {
          w.bytes(buf, a, b - a);
          for (let j = a; j < b; j++) {
            const x = buf[j]!;
            if (x < 0x20 || x > 0x7e) {
              width = textWidth(Buffer.from(buf.buffer, buf.byteOffset + a, b - a).toString('utf8'));
              break;
            }
          }
        }
        this.spaces(w, this.widths[i]! - width + 1);
        w.raw(this.barChunk);
      }
    }
  }

  /** `n` spaces. */
  private spaces(w: ByteWriter, n: number): void {
    while (n > 0) {
      const k = n < SPACES.length ? n : SPACES.length;
      w.bytes(SPACES, 0, k);
      n -= k;
    }
  }

  /** The bottom border. */
  end(): string {
    return this.bottom;
  }
}

/** The summary of one capture, a connection at a time (add), drawn at the end (write). */
export class SummaryTable {
  private readonly head: string[];
  private readonly widths: number[];
  private readonly spool = new Spool();
  private rows = 0;
  private packets = 0;
  private bytes = 0;
  /** Per analysis name: the total, and the smallest id of a connection that has it (the totals' order). */
  private readonly totals: number[] = ANALYSIS_NAMES.map(() => 0);
  private readonly firstId: number[] = ANALYSIS_NAMES.map(() => Infinity);

  constructor(private readonly lang: Lang, private readonly colour: boolean) {
    this.words = new FixedMessages(lang);
    this.head = HEAD_KEYS.map((k) => this.t(k));
    this.widths = this.head.map(cellWidth);
    this.handshakeWords = HANDSHAKE_KINDS.map((k) => utf8(this.t(`hk_${k}`)));
    this.handshakeWidths = HANDSHAKE_KINDS.map((k) => textWidth(this.t(`hk_${k}`)));
    this.teardownWords = TEARDOWN_KINDS.map((k) => utf8(this.t(`tk_${k}`)));
    this.teardownWidths = TEARDOWN_KINDS.map((k) => textWidth(this.t(`tk_${k}`)));
  }

  /** The handshake's and teardown's kinds as the table has them (by HANDSHAKE_KINDS, TEARDOWN_KINDS index), and their widths. */
  private readonly handshakeWords: Chunk[];
  private readonly handshakeWidths: number[];
  private readonly teardownWords: Chunk[];
  private readonly teardownWidths: number[];

  /** The table's words (a kind's name, "continued"): a row per connection asks for three. */
  private readonly words: FixedMessages;

  private t(key: string): string {
    return this.words.get(key);
  }

  /** A connection's row (connections can come in any order: rows are drawn in id order). */
  add(c: Connection): void {
    // the analysis cell: a name and its count a line
    let parts: string[] | null = null;
    for (let i = 0; i < ANALYSIS_NAMES.length; i++) {
      const n = c.analysis[i];
      if (n === 0) continue;
      (parts ??= []).push(`${ANALYSIS_NAMES[i]} ${n}`);
      this.totals[i] += n;
      if (c.id < this.firstId[i]) this.firstId[i] = c.id;
    }
    const cb = clientFlow(c).payloadBytes;
    const sb = serverFlow(c).payloadBytes;
    this.packets += c.packets;
    this.bytes += cb + sb;
    // a continuation is a second row of a connection already counted
    if (!c.continued) this.rows++;
    // the row's cells, separated by CELL, written straight into the spool; a cell of printable
    // ASCII (most) is as wide as its bytes
    const w = this.spool.writer(ROW_ROOM);
    let at = w.pos;
    if (c.continued) {
      const id = `${c.id} ${this.t('tContinued')}`;
      w.text(id);
      this.fit(0, textWidth(id));
    } else {
      w.num(c.id);
      this.fit(0, w.pos - at);
    }
    w.byte(CELL_BYTE);
    at = w.pos;
    writeEndpoint(w, c, true);
    this.fit(1, w.pos - at);
    w.byte(CELL_BYTE);
    at = w.pos;
    writeEndpoint(w, c, false);
    this.fit(2, w.pos - at);
    w.byte(CELL_BYTE);
    const hk = HANDSHAKE_KINDS.indexOf(handshakeKind(c.story));
    w.raw(this.handshakeWords[hk]!);
    this.fit(3, this.handshakeWidths[hk]!);
    w.byte(CELL_BYTE);
    const tk = TEARDOWN_KINDS.indexOf(teardownKind(c.story));
    w.raw(this.teardownWords[tk]!);
    this.fit(4, this.teardownWidths[tk]!);
    w.byte(CELL_BYTE);
    at = w.pos;
    w.text(zeekConnState(c));
    this.fit(5, w.pos - at);
    w.byte(CELL_BYTE);
    at = w.pos;
    w.num(c.packets);
    this.fit(6, w.pos - at);
    w.byte(CELL_BYTE);
    at = w.pos;
    w.num(cb);
    w.byte(SLASH);
    w.num(sb);
    this.fit(7, w.pos - at);
    w.byte(CELL_BYTE);
    at = w.pos;
    fixed(w, c.lastTime - c.firstTime, 6);
    this.fit(8, w.pos - at);
    w.byte(CELL_BYTE);
    at = w.pos;
    writeRttMs(w, c, DASH);
    this.fit(9, w.pos - at);
    w.byte(CELL_BYTE);
    if (parts !== null) {
      const cell = parts.join('\n');
      w.text(cell);
      this.fit(10, cellWidth(cell));
    }
    this.spool.commit(c.id);
  }

  /** Widens column i to `width` when it is narrower. */
  private fit(i: number, width: number): void {
    if (width > this.widths[i]!) this.widths[i] = width;
  }

  /** The spool write() drains (a progress line counts its records). */
  get spools(): readonly Spool[] {
    return [this.spool];
  }

  /** Writes the table (rows in id order) and the totals line; removes the spool. */
  async write(out: Output): Promise<void> {
    const layout = new TableLayout(this.widths, this.colour);
    out.write(layout.head(this.head));
    await this.spool.drain((buf, start, len) => {
      if (!out.closed) layout.row(out.writer, buf, start, len);
      return out.full;
    }, () => out.flush());
    // analysis totals in the order of first appearance in id order
    const order = ANALYSIS_NAMES.map((_, i) => i).filter((i) => this.totals[i]! > 0);
    order.sort((a, b) => this.firstId[a]! - this.firstId[b]! || a - b);
    const tot = order.map((i) => `${ANALYSIS_NAMES[i]} ${this.totals[i]}`).join(', ');
    out.write(`\n${layout.end()}\n${message(this.lang, 'sumTotals', 'client', this.rows, this.packets, this.bytes)}${tot ? `${message(this.lang, 'lSemicolon', 'client')}${tot}` : ''}\n`);
  }

  /** Removes the spool's temporary file (also done by write). */
  close(): void {
    this.spool.close();
  }
}
