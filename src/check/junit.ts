/**
 * `check --junit`: the JUnit XML report, one test case per connection × expectation (unique
 * names, details in a failure's body). A result held as an object (capture-level results, a few
 * kept ones, or rows read back: the tests' every result) is written as text (caseLines); the per-connection
 * results of a big check are written as bytes as they are judged (JunitCaseWriter, spooled by the
 * evaluator), the same bytes, and the report copies them (writeJunit): 500 000 cases were each
 * spooled as a JSON row, parsed back, named, escaped and encoded again, 1.8 s of short1m's
 * `check --junit` where its check alone takes 0.6.
 */
import { basename } from 'node:path';
import { ByteWriter, Chunk } from '../util/bytes.js';
import type { CheckResult } from './evaluate.js';

/** What xml() changes: characters XML 1.0 forbids, and those it escapes. */
// eslint-disable-next-line no-control-regex
const XML_SPECIAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff&<>"']/g;
/** Each escaped character's entity (XML 1.0 forbids the control characters even escaped: they are dropped). */
const XML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const xmlEntity = (ch: string): string => XML_ENTITIES[ch] ?? '';

/**
 * Text as XML attribute or element text. One character at a time, so xml(a + b) is xml(a) +
 * xml(b): JunitCaseWriter escapes a case's pieces apart.
 */
export function xml(s: string): string {
  // one pass (a JUnit case name of every connection × expectation has `<` in `irtt<=1`): a
  // test, then six passes, were 0.6 s of a 63 MB report
  return s.replace(XML_SPECIAL, xmlEntity);
}

/** What a result is about: `[group] ` then `capture`, or the connection's id and endpoints. */
export function subject(r: CheckResult): string {
  const g = r.group ? `[${r.group}] ` : '';
  return r.connection === null ? `${g}capture` : `${g}#${r.connection} ${r.endpoints}`;
}

/**
 * A result's test-case name, unique within its capture (GitLab drops duplicates). A name can
 * repeat only within one connection (it holds the connection's id) or among the capture-level
 * results: a per-connection result knows its number (`nth`, counted when it was judged), so only
 * the capture-level names are remembered, in `seen` (one map a capture, its results in order).
 */
export function caseName(r: CheckResult, seen: Map<string, number>): string {
  const base = `${subject(r)}: ${r.expectation}`;
  let n = r.nth ?? 1;
  if (r.connection === null) {
    n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
  }
  return n === 1 ? base : `${base} (${n})`;
}

/** What a test case's element opens with, up to its name: the capture's class name. */
export function caseOpen(file: string): string {
  const cls = `tcpflow-explain.${basename(file).replace(/[^A-Za-z0-9_.-]/g, '_')}`;
  return `    <testcase classname="${xml(cls)}" name="`;
}

/** A failure's body: the expectation, what was found, why, the connection and its frames. */
function body(r: CheckResult): string {
  const lines = [
    `expectation: ${r.expectation}`,
    `found: ${r.actual === null ? 'nothing' : String(r.actual)}`,
    `detail: ${r.detail}`,
  ];
  if (r.connection !== null) lines.push(`connection: #${r.connection} ${r.endpoints}`);
  if (r.frames.length > 0) lines.push(`frames: ${r.frames.join(', ')}`);
  return lines.join('\n');
}

/** A result's test case as lines of the report, each ended by a newline (`open`: caseOpen()). */
export function caseLines(open: string, r: CheckResult, name: string): string {
  const head = `${open}${xml(name)}"`;
  if (r.passed) return `${head}/>\n`;
  return `${head}>\n      <failure type="expectation" message="${xml(`${r.expectation}: ${r.detail}`)}">${xml(body(r))}</failure>\n    </testcase>\n`;
}

/** The report's head: the XML declaration and the suites' element. */
export function junitHead(expectations: number, failed: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tcpflow-explain check" tests="${expectations}" failures="${failed}" errors="0">\n`;
}

export const JUNIT_END = '</testsuites>\n';

/** A capture's suite element, opened (`name`: the capture, numbered when it was given twice). */
export function suiteOpen(name: string, tests: number, failed: number): string {
  return `  <testsuite name="${xml(name)}" tests="${tests}" failures="${failed}" errors="0">\n`;
}

/** What the suite says after its cases: what reading the capture warned of, and its end. */
export function suiteClose(warnings: readonly string[]): string {
  // (evictions, continuations, damaged frames), beside its cases
  const err = warnings.length > 0 ? `    <system-err>${xml(warnings.map((w) => `warning: ${w}`).join('\n'))}</system-err>\n` : '';
  return `${err}  </testsuite>\n`;
}

/** A rule group as JunitCaseWriter names its cases: its name and its per-connection expectations' text. */
export interface JunitGroup {
  name: string;
  perConn: readonly { text: string }[];
}

/** A string's text as an XML-escaped Chunk. */
const chunk = (s: string): Chunk => new Chunk(xml(s));
const PASS_END = new Chunk('"/>\n');
const FOUND_NOTHING = new Chunk('nothing');
const DETAIL = new Chunk('\ndetail: ');
const CONNECTION = new Chunk('\nconnection: #');
const FRAMES = new Chunk('\nframes: ');
const FRAME_SEPARATOR = new Chunk(', ');
const FAILURE_END = new Chunk('</failure>\n    </testcase>\n');
const SPACE = 0x20;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;

/**
 * Writes per-connection test cases as bytes, each the bytes caseLines() gives for the result
 * (a test compares them): the constant text of each group and expectation made once, the
 * endpoints written once a connection (`ends`: the bytes of endpointsText, which escapes
 * nothing), a failure's detail escaped once while its expectation's repeats it.
 */
export class JunitCaseWriter {
  /** Per group: the case's opening and the subject up to the id (`[group] #`). */
  private readonly heads: Chunk[];
  /** Per group and expectation: `: ` and the expectation (the name's end). */
  private readonly names: Chunk[][];
  /** Per group and expectation: the name's end to the failure's message, and the expectation's `: `. */
  private readonly messages: Chunk[][];
  /** Per group and expectation: the message's end to the body's `found: `. */
  private readonly founds: Chunk[][];
  /**
   * Per group and expectation: the last failure's detail, and its bytes escaped (a flood's four
   * million failures have a few details each: the same text for every unanswered SYN).
   */
  private readonly lastDetail: string[][];
  private readonly lastDetailXml: ByteWriter[][];
  /** The same for a failure's actual value when it is text (a flood's: `unanswered`, `S0` and the like). */
  private readonly lastActual: string[][];
  private readonly lastActualXml: ByteWriter[][];

  constructor(file: string, groups: readonly JunitGroup[]) {
    const open = caseOpen(file);
    this.heads = groups.map((g) => new Chunk(`${open}${xml(g.name ? `[${g.name}] ` : '')}#`));
    this.names = groups.map((g) => g.perConn.map((e) => chunk(`: ${e.text}`)));
    this.messages = groups.map((g) => g.perConn.map((e) => new Chunk(`">\n      <failure type="expectation" message="${xml(`${e.text}: `)}`)));
    this.founds = groups.map((g) => g.perConn.map((e) => new Chunk(`">${xml(`expectation: ${e.text}\nfound: `)}`)));
    this.lastDetail = groups.map((g) => g.perConn.map(() => ''));
    this.lastDetailXml = groups.map((g) => g.perConn.map(() => new ByteWriter(256)));
    this.lastActual = groups.map((g) => g.perConn.map(() => ''));
    this.lastActualXml = groups.map((g) => g.perConn.map(() => new ByteWriter(64)));
  }

  /**
   * The case of group `gi`'s expectation `i` on connection `id` (endpoints: the bytes `ends`
   * holds); `detail` and `frames` are read only when it fails.
   */
  write(w: ByteWriter, gi: number, i: number, id: number, ends: ByteWriter, passed: boolean, actual: string | number | null, detail: string, frames: readonly number[], nth: number): void {
    w.raw(this.heads[gi]!);
    w.uint(id);
    w.byte(SPACE);
    w.copyFrom(ends, 0, ends.pos);
    w.raw(this.names[gi]![i]!);
    if (nth !== 1) {
      w.byte(SPACE);
      w.byte(OPEN_PAREN);
      w.uint(nth);
      w.byte(CLOSE_PAREN);
    }
    if (passed) {
      w.raw(PASS_END);
      return;
    }
    const d = this.lastDetailXml[gi]![i]!;
    if (detail !== this.lastDetail[gi]![i]) {
      this.lastDetail[gi]![i] = detail;
      d.pos = 0;
      d.text(xml(detail));
    }
    w.raw(this.messages[gi]![i]!);
    w.copyFrom(d, 0, d.pos);
    w.raw(this.founds[gi]![i]!);
    if (actual === null) w.raw(FOUND_NOTHING);
    else if (typeof actual === 'number' && Number.isFinite(actual)) w.num(actual);
    else {
      // (escaped once while the expectation's failures repeat it: xml() was 0.24 s of the flood's)
      const text = String(actual);
      const a = this.lastActualXml[gi]![i]!;
      if (text !== this.lastActual[gi]![i] || a.pos === 0) {
        this.lastActual[gi]![i] = text;
        a.pos = 0;
        a.text(xml(text));
      }
      w.copyFrom(a, 0, a.pos);
    }
    w.raw(DETAIL);
    w.copyFrom(d, 0, d.pos);
    w.raw(CONNECTION);
    w.uint(id);
    w.byte(SPACE);
    w.copyFrom(ends, 0, ends.pos);
    if (frames.length > 0) {
      w.raw(FRAMES);
      for (let k = 0; k < frames.length; k++) {
        if (k > 0) w.raw(FRAME_SEPARATOR);
        w.num(frames[k]!);
      }
    }
    w.raw(FAILURE_END);
  }
}

/** Where a capture's spooled cases are: they write those of rule group `gi`, in id order, yielding as they go. */
export interface SpooledCases {
  /** The capture's results in report order: results held as objects, or a rule group's index (its spooled cases). */
  readonly plan: readonly (readonly CheckResult[] | number)[];
  write(w: ByteWriter, gi: number): Generator<void>;
}

/** A capture as the JUnit report reads it. */
export interface JunitCapture {
  file: string;
  failed: number;
  warnings: string[];
  results: Iterable<CheckResult>;
  /** Its per-connection cases as bytes, when the evaluator spooled them so (else every result is in `results`). */
  junit?: SpooledCases;
}

/**
 * Writes the JUnit report of `checks` into `w`, yielding every so often (the caller writes out
 * what `w` holds). `tests(c)`: a capture's results in all; `totals`: the report's.
 */
export function* writeJunit<C extends JunitCapture>(w: ByteWriter, checks: readonly C[], tests: (c: C) => number, totals: { expectations: number; failed: number }): Generator<void> {
  w.text(junitHead(totals.expectations, totals.failed));
  const suiteNames = new Map<string, number>();
  for (const c of checks) {
    let suite = c.file;
    const n = (suiteNames.get(suite) ?? 0) + 1;
    suiteNames.set(suite, n);
    if (n > 1) suite = `${suite} (${n})`;
    w.text(suiteOpen(suite, tests(c), c.failed));
    const open = caseOpen(c.file);
    const seen = new Map<string, number>();
    const plan = c.junit?.plan ?? [c.results];
    let k = 0;
    for (const seg of plan) {
      if (typeof seg === 'number') {
        yield* c.junit!.write(w, seg);
        continue;
      }
      for (const r of seg) {
        w.text(caseLines(open, r, caseName(r, seen)));
        if ((++k & 1023) === 0) yield;
      }
    }
    w.text(suiteClose(c.warnings));
  }
  w.text(JUNIT_END);
}
