/**
 * `check` reports: readable text (failures in full, passes summarised), JUnit XML (one test case
 * per connection × expectation, unique names, details in the body), Markdown (for
 * $GITHUB_STEP_SUMMARY: a table and a Mermaid diagram of each failing connection) and JSON.
 */
import type { ChalkInstance } from 'chalk';
import { failures, isContinuationResult, MAX_DIAGRAMS, SpooledResults, TEXT_FAILURES, type CaptureCheck, type CheckResult, type PassGroup, type ResultList } from './evaluate.js';
import { stringifyDocument } from '../render/json.js';
import { codeSpan, tableText } from '../render/markdown-text.js';
import { ascii, ByteWriter } from '../util/bytes.js';
import { ResultWriter, RESULT_INDENT, RESULT_SEPARATOR } from './result-json.js';
import { caseName, subject, writeJunit } from './junit.js';
import { textMarks } from './text-lines.js';

export const CHECK_SCHEMA_VERSION = 1;
export { MAX_DIAGRAMS, TEXT_FAILURES };

export interface CheckTotals {
  captures: number;
  expectations: number;
  passed: number;
  failed: number;
}

export function totals(checks: readonly CaptureCheck[]): CheckTotals {
  let passed = 0;
  let failed = 0;
  for (const c of checks) {
    failed += c.failed;
    passed += c.results.length + (c.omittedFailures ?? 0) - c.failed + (c.omittedPasses ?? 0);
  }
  return { captures: checks.length, expectations: passed + failed, passed, failed };
}

/** A capture's results: how many in all, and how many hold (passes only counted included). */
function captureCounts(c: CaptureCheck): { all: number; hold: number } {
  const all = c.results.length + (c.omittedPasses ?? 0) + (c.omittedFailures ?? 0);
  return { all, hold: all - c.failed };
}

/**
 * Test-case names, unique within a capture (GitLab drops duplicates), in the order of the
 * results (caseName).
 */
export function* caseNames(results: ResultList): Generator<{ r: CheckResult; name: string }> {
  const seen = new Map<string, number>();
  for (const r of results) yield { r, name: caseName(r, seen) };
}

/**
 * Writes the text report into `w`, yielding every so often (the caller writes out what `w`
 * holds). With --verbose a capture whose lines the evaluator spooled (CaptureCheck.text) has its
 * per-connection results' lines copied, its others written as text.
 */
export function* writeTextReport(w: ByteWriter, checks: readonly CaptureCheck[], chalk: ChalkInstance, opts: { verbose: boolean; quiet: boolean }): Generator<void> {
  let any = false;
  const { ok, bad } = textMarks(chalk);
  let k = 0;
  const line = (s: string): void => {
    w.text(s);
    w.byte(NEWLINE);
  };
  const failure = (r: CheckResult): void => {
    line(`  ${bad} ${subject(r)}  ${chalk.bold(r.expectation)}`);
    line(`      found: ${r.detail}`);
  };
  const pass = (r: CheckResult): void => line(`  ${ok} ${subject(r)}  ${r.expectation}: ${r.detail}`);
  for (const c of checks) {
    if (opts.quiet && c.failed === 0) continue;
    if (any) line('');
    any = true;
    const n = captureCounts(c);
    line(`${chalk.bold(c.file)}: ${c.connections} connection(s), ${n.hold} of ${n.all} expectation(s) hold`);
    // every result's line, the per-connection ones as the evaluator wrote them
    const spooled = opts.verbose ? c.text : undefined;
    let listed = 0;
    if (spooled !== undefined) {
      for (const seg of spooled.failures.plan) {
        if (typeof seg === 'number') yield* spooled.failures.write(w, seg);
        else for (const r of seg) if (!r.passed) failure(r);
      }
      listed = c.failed;
    } else {
      for (const r of failures(c)) {
        if (!opts.verbose && listed === TEXT_FAILURES) break;
        listed++;
        failure(r);
        if ((++k & 1023) === 0) yield;
      }
    }
    if (c.failed > listed) line(`  ${bad} … ${c.failed - listed} more failure(s) not listed (--verbose lists them all; --json and --junit give every result)`);
    if (opts.quiet) continue;
    if (spooled !== undefined) {
      for (const seg of spooled.passes.plan) {
        if (typeof seg === 'number') yield* spooled.passes.write(w, seg);
        else for (const r of seg) if (r.passed) pass(r);
      }
    } else if (opts.verbose) {
      for (const r of c.results) {
        if (!r.passed) continue;
        pass(r);
        if ((++k & 1023) === 0) yield;
      }
    } else {
      // passes summarised per expectation: one line however many connections
      for (const { n, example: r } of c.passes ?? passesByExpectation(c.results)) {
        const g = r.group ? `[${r.group}] ` : '';
        if (r.connection === null) line(`  ${ok} ${g}${r.expectation}: ${r.detail}`);
        // (n is 0 when only continuations' records held it: their streams' earlier records did not)
        else if (n <= 1) pass(r);
        else line(`  ${ok} ${g}${r.expectation}: holds on ${n} connections`);
      }
    }
  }
  const t = totals(checks);
  if (any) line('');
  line(t.failed === 0
    ? chalk.green(`PASSED: all ${t.expectations} expectation(s) hold (${t.captures} capture(s))`)
    : chalk.red(`FAILED: ${t.failed} of ${t.expectations} expectation(s) failed (${t.captures} capture(s))`));
}

/** The text report's lines (writeTextReport's, for a few results: the tests). */
export function textLines(checks: readonly CaptureCheck[], chalk: ChalkInstance, opts: { verbose: boolean; quiet: boolean }): string[] {
  const w = new ByteWriter(1024);
  for (const _ of writeTextReport(w, checks, chalk, opts)) { /* written into w */ }
  const lines = w.buf.toString('utf8', 0, w.pos).split('\n');
  lines.pop();
  return lines;
}

const NEWLINE = 0x0a;

/**
 * Writes the JUnit report into `w`, yielding every so often (the caller writes out what `w`
 * holds): a capture's per-connection cases are copied as the evaluator spooled them
 * (CaptureCheck.junit), its other results written as text.
 */
export function writeJunitReport(w: ByteWriter, checks: readonly CaptureCheck[]): Generator<void> {
  return writeJunit(w, checks, (c) => captureCounts(c).all, totals(checks));
}

function md(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Results in a capture's Markdown table beyond which passes are summed per expectation. */
export const MARKDOWN_ROWS = 200;
/** Failures listed in such a table (the rest are counted). */
export const MARKDOWN_FAILURES = 100;

/**
 * The passing results grouped by rule group and expectation, in order of first appearance, with
 * the number of connections each holds on (a connection's repeats of an expectation, nth > 1,
 * are the same connection).
 */
function passesByExpectation(results: ResultList): PassGroup[] {
  const groups = new Map<string, { n: number; example: CheckResult }>();
  for (const r of results) {
    if (!r.passed) continue;
    const k = `${r.group}\u0000${r.expectation}`;
    const another = (r.nth === undefined || r.nth === 1) && !isContinuationResult(r) ? 1 : 0;
    const g = groups.get(k);
    if (g) g.n += another;
    else groups.set(k, { n: another, example: r });
  }
  return [...groups.values()];
}

/** Markdown report; `diagram(file, id)` returns a connection's Mermaid diagram (or null). */
export function markdownReport(checks: readonly CaptureCheck[], diagram: (file: string, id: number) => string | null): string {
  const t = totals(checks);
  const out: string[] = [];
  out.push(`## tcpflow-explain check: ${t.failed === 0 ? '✅ passed' : '❌ failed'}`);
  out.push('');
  out.push(t.failed === 0
    ? `All ${t.expectations} expectation(s) hold on ${t.captures} capture(s).`
    : `**${t.failed} of ${t.expectations} expectation(s) failed** on ${t.captures} capture(s).`);
  let diagrams = 0;
  for (const c of checks) {
    out.push('');
    out.push(`### ${codeSpan(c.file)}`);
    out.push('');
    const counts = captureCounts(c);
    out.push(`${c.connections} connection(s); ${counts.hold} of ${counts.all} expectation(s) hold.`);
    out.push('');
    for (const w of c.warnings) {
      out.push(`> ⚠️ ${md(w)}`);
      out.push('');
    }
    out.push('| | connection | expectation | found | frames |');
    out.push('|---|---|---|---|---|');
    const row = (r: CheckResult): void => {
      const group = r.group ? `[${tableText(r.group)}] ` : '';
      const who = r.connection === null ? `${group}capture` : `${group}#${r.connection} ${codeSpan(r.endpoints ?? '', true)}`;
      const fr = r.frames.length > 8 ? `${r.frames.slice(0, 8).join(', ')}, …` : r.frames.join(', ');
      out.push(`| ${r.passed ? '✅' : '❌'} | ${who} | ${codeSpan(r.expectation, true)} | ${md(r.detail)} | ${fr} |`);
    };
    // failures first, then passes; a big capture's table stays readable (and within GitHub's
    // 1 MiB step summary): its first MARKDOWN_FAILURES failures, and passes summed per expectation
    const many = counts.all > MARKDOWN_ROWS;
    let shown = 0;
    for (const r of failures(c)) {
      if (many && shown === MARKDOWN_FAILURES) break;
      row(r);
      shown++;
    }
    if (!many) {
      for (const r of c.results) if (r.passed) row(r);
    } else {
      for (const { n, example: r } of c.passes ?? passesByExpectation(c.results)) {
        if (r.connection === null || n <= 1) row(r);
        else out.push(`| ✅ | ${r.group ? `[${tableText(r.group)}] ` : ''}${n} connections | ${codeSpan(r.expectation, true)} | holds on ${n} connections | |`);
      }
      if (c.failed > shown) {
        out.push('');
        out.push(`_The other ${c.failed - shown} failures are left out here (the first ${shown} are listed); \`--json\` and \`--junit\` list every result._`);
      }
    }
    for (const id of c.failingConnections) {
      if (diagrams >= MAX_DIAGRAMS) {
        out.push('');
        out.push(`_Diagrams of the other failing connections are left out (at most ${MAX_DIAGRAMS} per report)._`);
        break;
      }
      const d = diagram(c.file, id);
      if (d === null) continue;
      diagrams++;
      out.push('');
      out.push(`<details open><summary>Connection #${id}</summary>`);
      out.push('');
      out.push('```mermaid');
      out.push(d.trimEnd());
      out.push('```');
      out.push('');
      out.push('</details>');
    }
  }
  return out.join('\n') + '\n';
}

/** The JSON report as one object (what writeJsonReport writes piece by piece). */
export function jsonReport(checks: readonly CaptureCheck[], tool: { name: string; version: string }, exitCode: number): Record<string, unknown> {
  return jsonDocument(checks, tool, exitCode, (c) => Array.from(c.results, resultJson));
}

function jsonDocument(checks: readonly CaptureCheck[], tool: { name: string; version: string }, exitCode: number, results: (c: CaptureCheck, i: number) => unknown[]): Record<string, unknown> {
  const t = totals(checks);
  return {
    schemaVersion: CHECK_SCHEMA_VERSION,
    tool,
    passed: t.failed === 0 && exitCode === 0,
    exitCode,
    totals: t,
    captures: checks.map((c, i) => ({
      file: c.file,
      truncated: c.truncated,
      error: c.error,
      connections: c.connections,
      evictedConnections: c.evictedConnections,
      splitConnections: c.splitConnections,
      warnings: c.warnings,
      results: results(c, i),
    })),
  };
}

/** A result as the JSON report has it. */
export function resultJson(r: CheckResult): Record<string, unknown> {
  return {
    group: r.group || null,
    connection: r.connection,
    endpoints: r.endpoints,
    expectation: r.expectation,
    key: r.key,
    passed: r.passed,
    actual: r.actual,
    detail: r.detail,
    frames: r.frames,
  };
}

const SEPARATOR = ascii(RESULT_SEPARATOR);

/**
 * Writes the JSON report (stringifyDocument of jsonReport, plus a newline) into `w`, yielding
 * after each piece so that the caller can hand the bytes on (the CLI flushes its output when it
 * is full): the document is laid out with a marker in place of each capture's results, and the
 * results are written one by one where the marker was. So a report of millions of results is
 * never one string, nor a second copy of every result.
 */
export function* writeJsonReport(w: ByteWriter, checks: readonly CaptureCheck[], tool: { name: string; version: string }, exitCode: number): Generator<void> {
  const marker = (i: number): string => `\u0000results ${i}\u0000`;
  const head = stringifyDocument(jsonDocument(checks, tool, exitCode, (c, i) => (c.results.length === 0 ? [] : [marker(i)]))) + '\n';
  let from = 0;
  for (let i = 0; i < checks.length; i++) {
    if (checks[i]!.results.length === 0) continue;
    const m = JSON.stringify(marker(i));
    const at = head.indexOf(m, from);
    const lineStart = head.lastIndexOf('\n', at) + 1;
    const inner = head.slice(lineStart, at);
    w.text(head.slice(from, lineStart));
    yield;
    const rw = new ResultWriter(inner);
    const indent = ascii(inner);
    const list = checks[i]!.results;
    // the per-connection results spooled as this report's bytes (evaluate.ts) are copied, each
    // with the separator before it, which the first result of the list goes without; a group
    // index among the segments stands for them
    const asBytes = list instanceof SpooledResults && list.asBytes;
    if (asBytes && inner !== RESULT_INDENT) throw new Error(`the JSON report puts results at an indent of ${inner.length}, the evaluator wrote them at ${RESULT_INDENT.length}`);
    let j = 0;
    for (const seg of asBytes ? list.segments : [list]) {
      if (typeof seg === 'number') {
        const sp = list as SpooledResults;
        sp.written = j;
        for (const _ of sp.writeResults(w, seg)) yield;
        j = sp.written;
        continue;
      }
      for (const r of seg) {
        if (j++ > 0) w.raw(SEPARATOR);
        w.raw(indent);
        rw.write(w, r);
        yield;
      }
    }
    from = at + m.length;
  }
  w.text(head.slice(from));
}
