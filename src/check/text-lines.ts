/**
 * `check --verbose`: the text report's line of every per-connection result, written as bytes as
 * it is judged (TextLineWriter, spooled by the evaluator: CaptureCheck.text), the bytes the
 * report's lines of the result held as an object are (a test compares them), and copied into
 * the report. Every result was spooled as a JSON row and parsed back only to make its line:
 * short1m's `check --verbose` (500 000 lines, 56 MB) took 1.40 s where the check alone takes 0.42
 * (now 0.77).
 */
import type { ChalkInstance } from 'chalk';
import { ByteWriter, Chunk } from '../util/bytes.js';

/** What the text report colours: a pass's and a failure's mark, and a failure's expectation (in bold). */
export interface TextMarks {
  ok: string;
  bad: string;
  bold: (s: string) => string;
}

/** The marks as the text report writes them with `chalk` (its colour level: none, when not a terminal). */
export function textMarks(chalk: ChalkInstance): TextMarks {
  return { ok: chalk.green('✔'), bad: chalk.red('✘'), bold: (s) => chalk.bold(s) };
}

/** A rule group as TextLineWriter writes its lines: its name and its per-connection expectations' text. */
export interface TextGroup {
  name: string;
  perConn: readonly { text: string }[];
}

const NEWLINE = 0x0a;
const SPACE = 0x20;
const BACKSLASH = 0x5c;

/**
 * Writes per-connection results as the text report's lines (report.ts, writeTextReport), a
 * pass's `  (mark) [group] #id endpoints  expectation: detail` and a failure's `  (mark) [group]
 * #id endpoints  expectation` (in bold) and `      found: detail`: the constant text of each group
 * and expectation made once, the endpoints written once a connection (`ends`: the bytes of
 * endpointsText).
 */
export class TextLineWriter {
  /** Per group: a pass's mark and the subject up to the id (`  (mark) [group] #`), and a failure's. */
  private readonly passHeads: Chunk[];
  private readonly failHeads: Chunk[];
  /** Per group and expectation: the text between the endpoints and the detail. */
  private readonly passMids: Chunk[][];
  private readonly failMids: Chunk[][];

  constructor(marks: TextMarks, groups: readonly TextGroup[]) {
    const g = (name: string): string => (name ? `[${name}] ` : '');
    this.passHeads = groups.map((x) => new Chunk(`  ${marks.ok} ${g(x.name)}#`));
    this.failHeads = groups.map((x) => new Chunk(`  ${marks.bad} ${g(x.name)}#`));
    this.passMids = groups.map((x) => x.perConn.map((e) => new Chunk(`  ${e.text}: `)));
    this.failMids = groups.map((x) => x.perConn.map((e) => new Chunk(`  ${marks.bold(e.text)}\n      found: `)));
  }

  /**
   * The line (a failure's two) of group `gi`'s expectation `i` on connection `id`, its endpoints
   * the bytes `ends` holds, its detail `detail`, or when `json` holds any, the text of the JSON
   * string it holds (Judge.detailJson's, which holds nothing JSON escapes: see detailBytes()).
   */
  write(w: ByteWriter, gi: number, i: number, id: number, ends: ByteWriter, passed: boolean, detail: string, json: ByteWriter | null = null): void {
    w.raw(passed ? this.passHeads[gi]! : this.failHeads[gi]!);
    w.uint(id);
    w.byte(SPACE);
    w.copyFrom(ends, 0, ends.pos);
    w.raw(passed ? this.passMids[gi]![i]! : this.failMids[gi]![i]!);
    if (json !== null && json.pos > 0) w.copyFrom(json, 1, json.pos - 2);
    else w.text(detail);
    w.byte(NEWLINE);
  }
}

/**
 * Whether `json` (a JSON string, quotes included, or nothing) holds no escape, so that the bytes
 * between its quotes are its text: TextLineWriter.write may then copy them.
 */
export function detailBytes(json: ByteWriter): boolean {
  const b = json.buf;
  for (let k = 1; k < json.pos - 1; k++) if (b[k] === BACKSLASH) return false;
  return true;
}
