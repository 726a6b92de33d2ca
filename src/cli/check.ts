/**
 * `tcpflow-explain check`: assertions on recorded traffic for CI (SPEC.md "check expectations").
 * Exit 0 when every expectation holds, 1 when one fails, 2 for a usage error or an unreadable
 * capture. A truncated capture fails unless --allow-truncated; a selection that matches no
 * connection fails (an empty capture never passes silently).
 */
import { Command } from 'commander';
import { Chalk } from 'chalk';
import { appendFileSync, closeSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Connection } from '../analyze/connection.js';
import type { TrackerOptions } from '../analyze/tracker.js';
import { mermaidCollector, type PacketRecords } from '../render/json.js';
import { mermaid } from '../render/mermaid.js';
import { ExpectationError, KEYS, parseExpectation, type RuleGroup, type Rules } from '../check/expectations.js';
import { CaptureEvaluator, SpooledSections, resultGroups, SpooledResults, type CaptureCheck, type CheckResult, type ResultList } from '../check/evaluate.js';
import { writeJsonReport, writeJunitReport, markdownReport, writeTextReport, MAX_DIAGRAMS } from '../check/report.js';
import { textMarks } from '../check/text-lines.js';
import { CliContext, EXIT_FAIL, EXIT_USAGE, colourLevel, deferSynWanted, toolVersion } from './context.js';
import { addLimitOptions, addSelectionOptions, frameLimitFrom, positive, trackerOptionsFrom, type LimitOptions } from './explain.js';
import { selectionFrom, type Selection } from './select.js';
import { defaultJobs, jobsProgress, replay, workerPool } from './jobs.js';
import { parseRules } from '../check/rules.js';
import { SpoolError, type SourceReads } from '../util/spool.js';
import { ioReason } from '../util/output.js';
import { interruptibleTempDir } from './interrupt.js';
import { ByteWriter } from '../util/bytes.js';
import { writeAll } from '../util/file.js';

/** A report's lines written to its file this many bytes at a time (writeLines). */
const LINES_BATCH = 1 << 20;

/** A JUnit report larger than this is one GitLab refuses (its limit is 30 MB). */
const JUNIT_LARGE = 30 * 1000 * 1000;

export interface CheckOptions extends LimitOptions {
  expect?: string[];
  rules?: string;
  allowTruncated?: boolean;
  allowRstAfterFin?: boolean;
  junit?: string;
  markdown?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  color: boolean;
  stream?: string;
  port?: string;
  host?: string;
  jobs?: string;
  /** false with --no-progress. */
  progress?: boolean;
}

const KEY_HELP = `
Expectations (--expect, repeatable; or in a --rules file): <key><op><value>, op one of = != <= >=
  = takes a value or a comma list of allowed values; != a value or list of forbidden values.
${[...KEYS].filter(([k]) => !k.includes('_') || k === 'duplicate_ack').map(([k, i]) => `  ${k.padEnd(14)} ${i.about}`).join('\n')}
  <analysis>     any Wireshark analysis name: ${[...KEYS.keys()].filter((k) => k.includes('_') || k === 'retransmission').join(' ')}

Examples:
  tcpflow-explain check --expect connections>=1 --expect handshake=three-way \\
      --expect teardown=graceful --expect retransmission<=0 --expect irtt<=50ms --port 443 traffic.pcap
  tcpflow-explain check --rules tcp-rules.yaml --junit junit.xml traffic.pcap

Exit codes: 0 all expectations hold, 1 at least one fails, 2 usage error or unreadable capture.`;

export function checkCommand(ctx: CliContext): Command {
  const cmd = new Command('check')
    .description('CI assertions on recorded traffic: exit 1 when an expectation fails')
    .argument('<capture...>', 'capture files (pcap or pcapng, optionally gzip-compressed; "-" reads standard input)')
    .option('-e, --expect <expectation>', 'an expectation such as handshake=three-way or retransmission<=0 (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--rules <file>', 'expectations and selections from a JSON or YAML file (README: "Rules file")')
    .option('--allow-truncated', 'a capture cut short (last record incomplete) does not fail the check')
    .option('--allow-rst-after-fin', 'a RST after the FINs does not make a close count as a reset');
  addSelectionOptions(cmd);
  cmd
    .option('--junit <file>', 'write a JUnit XML report (one test case per connection × expectation)')
    .option('--markdown <file>', 'write a Markdown report with a Mermaid diagram of each failing connection ("-" for stdout)')
    .option('--json', 'print the report as JSON instead of text')
    .option('-q, --quiet', 'print only failures and the final line')
    .option('--verbose', 'list every passing expectation per connection')
    .option('--no-color', 'no colour (also when NO_COLOR is set, or stdout is not a terminal)');
  addLimitOptions(cmd);
  cmd
    .option('-j, --jobs <n>', 'with several captures: check this many in parallel worker threads (default: min(captures, cores) when they are big enough for workers to pay: two of 100 MB or more on 2 cores, 16 MB in all on more; else 1); the reports are the same as one at a time')
    .option('--no-progress', 'no progress line (drawn on standard error only when that is a terminal and a capture takes more than a second)')
    .addHelpText('after', KEY_HELP)
    .action(async (captures: string[], opts: CheckOptions) => check(ctx, captures, opts));
  return cmd;
}

async function loadRules(ctx: CliContext, opts: CheckOptions): Promise<Rules | null> {
  const groups: RuleGroup[] = [];
  let rules: Rules = { groups, allowTruncated: false, allowRstAfterFin: false };
  try {
    const cliExpect = (opts.expect ?? []).map((e) => parseExpectation(e));
    if (cliExpect.length > 0) groups.push({ name: '', select: {}, expect: cliExpect });
    if (opts.rules !== undefined) {
      let text: string;
      try {
        text = readFileSync(opts.rules, 'utf8');
      } catch (e) {
        ctx.err(`--rules ${opts.rules}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
        ctx.fail(EXIT_USAGE);
        return null;
      }
      const fromFile = parseRules(text, opts.rules);
      rules = { ...fromFile, groups: [...groups, ...fromFile.groups] };
    }
  } catch (e) {
    if (e instanceof ExpectationError) {
      ctx.err(e.message);
      ctx.fail(EXIT_USAGE);
      return null;
    }
    throw e;
  }
  if (rules.groups.length === 0) {
    ctx.err('check: no expectations; give --expect <key><op><value> (e.g. --expect handshake=three-way) or --rules FILE (see check --help)');
    ctx.fail(EXIT_USAGE);
    return null;
  }
  if (opts.allowTruncated) rules.allowTruncated = true;
  if (opts.allowRstAfterFin) rules.allowRstAfterFin = true;
  return rules;
}

/** One capture checked: its results, the Mermaid diagrams of its first failing connections by id, and its evaluator (closed once the reports are written). */
export interface CheckedCapture {
  check: CaptureCheck;
  diagrams: Map<number, string>;
  evaluator: CaptureEvaluator;
}

/** The check of a capture that could not be read at all (its message was given by ctx.analyse). */
function unreadableCheck(file: string): CaptureCheck {
  return {
    file, truncated: false, error: 'unreadable', connections: 0, evictedConnections: 0, splitConnections: 0, warnings: [], failingConnections: [], failed: 1,
    results: [{ group: '', connection: null, endpoints: null, expectation: 'capture read to the end', key: 'readable', passed: false, actual: 'unreadable', detail: 'the capture could not be read (see the error above)', frames: [] }],
  };
}

/** A colour level of chalk's. */
type ColourLevel = 0 | 1 | 2 | 3;

/**
 * Checks one capture (in the main thread, or in a -j worker: checkParallel). `resultBytes`: the
 * JSON report is the only report of the results (CaptureEvaluator's resultBytes). `textColour`:
 * the text report lists every result (--verbose), in these colours: their lines are written as
 * they are judged (CaptureEvaluator's text).
 */
export async function checkCapture(
  ctx: CliContext, file: string, rules: Rules, cliSel: Selection, opts: CheckOptions, tracker: TrackerOptions, wantDiagrams: boolean, resultBytes = false,
  textColour: ColourLevel | null = null,
): Promise<CheckedCapture> {
  const collector = wantDiagrams ? mermaidCollector() : null;
  // the diagrams of the first MAX_DIAGRAMS failing connections by id, drawn while their packets
  // are known (connections are judged as they are finalised, not in id order)
  const drawn = new Map<number, string>();
  let largest = -1;
  const draw = (c: Connection, packets: PacketRecords, frames: ReadonlySet<number>): void => {
    // one diagram an id: a continuation's (a second record of the id) is not drawn over its first
    if (drawn.has(c.id) || (drawn.size >= MAX_DIAGRAMS && c.id > largest)) return;
    drawn.set(c.id, mermaid(c, packets, false, 'en', frames));
    if (drawn.size > MAX_DIAGRAMS) drawn.delete(largest);
    largest = Math.max(...drawn.keys());
    // a connection of a greater id is never drawn now: its packets need not be kept
    if (drawn.size >= MAX_DIAGRAMS && collector !== null) collector.idBound = largest;
  };
  // every passing result is kept only for the JSON report (JUnit's test cases and the verbose
  // text report's lines are written as they are judged: CaptureEvaluator's junitFile and text)
  const keepPasses = !!opts.json;
  const text = textColour === null ? null : { marks: textMarks(new Chalk({ level: textColour })), passes: !opts.quiet };
  const evaluator = new CaptureEvaluator(rules, cliSel, collector, collector ? draw : null, keepPasses, undefined, resultBytes, opts.junit !== undefined ? file : null, text);
  // connections are released once closed, as for --json (memory follows the open ones), and
  // reused: the evaluator keeps nothing of a connection once it is judged (trackerOptionsFrom)
  try {
    const run = await ctx.analyse(file, evaluator, tracker);
    if (!run) return { check: unreadableCheck(file), diagrams: new Map(), evaluator };
    const { summary } = run;
    await evaluator.settle();
    const check = evaluator.finish(file, summary);
    ctx.reportEnd(file, summary);
    return { check, diagrams: drawn, evaluator };
  } catch (e) {
    // its spool's temporary file, which no caller will close
    evaluator.close();
    throw e;
  }
}

export async function check(ctx: CliContext, captures: string[], opts: CheckOptions): Promise<void> {
  const rules = await loadRules(ctx, opts);
  if (!rules) return;
  const cliSel = selectionFrom(ctx, opts);
  if (!cliSel) return;
  const jobs = positive(ctx, '--jobs', opts.jobs, true);
  if (jobs === null) return;
  // a rules file's bounds, where the command line gives none
  const tracker = trackerOptionsFrom(ctx, opts, rules);
  if (tracker === null) return;
  const frameLimit = frameLimitFrom(ctx, opts, rules);
  if (frameLimit === undefined) return;
  ctx.frameLimit = frameLimit;
  // the evaluator keeps packets per connection only: a SYN that opens no connection may wait as
  // its packet until its connection is needed (TrackerOptions.deferSyn), and so may any other
  // packet that opens one, but a RST or one with SACK blocks (deferAnyFirst)
  tracker.deferSyn = deferSynWanted();
  tracker.deferAnyFirst = true;
  // the report comes once every capture is read: a progress line cuts nothing
  ctx.progress = opts.progress !== false;
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  const wantDiagrams = opts.markdown !== undefined || (summaryFile !== undefined && summaryFile !== '');
  const checks: CaptureCheck[] = [];
  const diagrams = new Map<string, string>();
  const evaluators: CaptureEvaluator[] = [];
  let parallel: { close: () => void } | null = null;
  try {
    const n = Math.min(jobs ?? defaultJobs(captures), captures.length);
    if (n > 1 && !captures.includes('-')) {
      parallel = await checkParallel(ctx, captures, opts, rules, cliSel, tracker, n, wantDiagrams, checks, diagrams);
    } else {
      const resultBytes = jsonBytes(opts);
      const colour = textColour(ctx, opts);
      for (const file of captures) {
        const run = await checkCapture(ctx, file, rules, cliSel, opts, tracker, wantDiagrams, resultBytes, colour);
        evaluators.push(run.evaluator);
        checks.push(run.check);
        for (const [id, text] of run.diagrams) diagrams.set(`${checks.length - 1}\u0000${id}`, text);
      }
    }
    await report(ctx, opts, checks, diagrams, summaryFile, wantDiagrams);
  } finally {
    // the temporary files of spooled results
    for (const e of evaluators) e.close();
    parallel?.close();
  }
}

/**
 * With --json every result is spooled as the JSON report's bytes (CaptureEvaluator's
 * resultBytes). The Markdown report (or GitHub's step summary, written whenever
 * GITHUB_STEP_SUMMARY is set) lists only the first failures, read back as objects from those
 * bytes, and the passes summed as they were judged (CaptureCheck.passes); JUnit's cases and the
 * verbose text report's lines are spooled apart (CaptureCheck.junit, CaptureCheck.text). With a
 * step summary, short1m's `check --json` took 2.1 s as rows, 1.1 s as bytes.
 */
function jsonBytes(opts: CheckOptions): boolean {
  return !!opts.json;
}

/**
 * When the text report lists every result (--verbose, the report on standard output being
 * text): its colours, for the lines the evaluator writes as it judges (CaptureCheck.text); else null.
 */
function textColour(ctx: CliContext, opts: CheckOptions): ColourLevel | null {
  if (!opts.verbose || opts.json || opts.markdown === '-') return null;
  return colourLevel(opts.color, ctx.io.stdout as unknown as { isTTY?: boolean });
}

/** What the main thread gives a worker to check a capture (./worker.ts). */
export interface CheckJobRequest {
  kind: 'check';
  file: string;
  /** Where the worker writes the capture's results, one JSON line each, in report order. */
  resultsPath: string;
  opts: CheckOptions;
  /** As the main thread read them (a rules file may be a pipe, readable once). */
  rules: Rules;
  sel: Selection;
  /** As the main thread resolved them from the options (--idle-timeout, --max-connections). */
  tracker: TrackerOptions;
  /** -c, as the main thread resolved it (CliContext.frameLimit). */
  frameLimit: number | null;
  wantDiagrams: boolean;
  /** Report the capture's progress (JobProgress messages): the main thread draws a line. */
  progress: boolean;
  /** As the main thread decided it from its standard output (textColour). */
  textColour: ColourLevel | null;
}

/** What a worker answers: the capture's check without its results (they are in the file), its diagrams, messages and exit code. */
export interface CheckJobResult {
  messages: [string, string][];
  code: number;
  crash: string | null;
  /** A SpoolError's message (a full disk): the run stops with it. */
  diskError: string | null;
  /**
   * `spooled`: the results file holds the evaluator's spooled results (SpooledResults.writeTo),
   * as rows or as the JSON report's bytes; null: JSON lines (FileResults).
   */
  check: (Omit<CaptureCheck, 'results' | 'junit' | 'text'> & { resultCount: number; spooled: 'rows' | 'bytes' | null; junit: boolean; text: boolean }) | null;
  diagrams: [number, string][];
}

/**
 * A worker's half of check -j: the capture checked as checkCapture does in the main thread, its
 * results written to req.resultsPath. `ctx` collects the messages (./worker.ts).
 */
export async function checkJob(ctx: CliContext, req: CheckJobRequest): Promise<Omit<CheckJobResult, 'messages' | 'code' | 'crash' | 'diskError'>> {
  const asBytes = jsonBytes(req.opts);
  ctx.frameLimit = req.frameLimit;
  const run = await checkCapture(ctx, req.file, req.rules, req.sel, req.opts, req.tracker, req.wantDiagrams, asBytes, req.textColour);
  try {
    let resultCount = 0;
    let spooled: 'rows' | 'bytes' | null = null;
    let fd = -1;
    try {
      fd = openSync(req.resultsPath, 'w');
      const list = run.check.results;
      if (list instanceof SpooledResults) {
        // as the evaluator spooled them: the main thread reads them as it would its own
        list.writeTo(fd);
        resultCount = list.length;
        spooled = list.asBytes ? 'bytes' : 'rows';
      } else {
        let batch = '';
        for (const r of run.check.results) {
          batch += JSON.stringify(r) + '\n';
          resultCount++;
          if (batch.length >= 1 << 20) {
            writeSync(fd, batch);
            batch = '';
          }
        }
        writeSync(fd, batch);
      }
      const text = run.check.text;
      for (const [sections, path] of [[run.check.junit, junitPath(req.resultsPath)], [text?.failures, textPath(req.resultsPath, false)], [text?.passes, textPath(req.resultsPath, true)]] as const) {
        if (sections === undefined) continue;
        closeSync(fd);
        fd = -1;
        fd = openSync(path, 'w');
        sections.writeTo(fd);
      }
    } catch (e) {
      if (e instanceof SpoolError) throw e;
      throw new SpoolError(`cannot write the temporary file in ${tmpdir()}: ${ioReason(e)}. A parallel check's results wait there until the report; set TMPDIR to a directory with more room`);
    } finally {
      if (fd >= 0) closeSync(fd);
    }
    const { results: _results, junit, text, ...rest } = run.check;
    return { check: { ...rest, resultCount, spooled, junit: junit !== undefined, text: text !== undefined }, diagrams: [...run.diagrams] };
  } finally {
    run.evaluator.close();
  }
}

/** Where a worker writes a capture's JUnit test cases (CaptureCheck.junit), beside its results. */
const junitPath = (resultsPath: string): string => `${resultsPath}.junit`;
/** Where a worker writes a capture's verbose text lines (CaptureCheck.text), its failures' or its passes', beside its results. */
const textPath = (resultsPath: string, passes: boolean): string => `${resultsPath}.${passes ? 'passes' : 'failures'}`;

/**
 * A capture's results read back from the file a worker wrote, one JSON line each: every
 * iteration reads the file again, so a report of millions of results holds none of them.
 */
class FileResults implements ResultList {
  constructor(private readonly path: string, readonly length: number) {}

  *[Symbol.iterator](): Generator<CheckResult> {
    const fd = openSync(this.path, 'r');
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      // a chunk may end inside a UTF-8 character (a rule group's name): the decoder keeps it
      const decoder = new StringDecoder('utf8');
      let rest = '';
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        const lines = (rest + decoder.write(buf.subarray(0, n))).split('\n');
        rest = lines.pop() as string;
        for (const line of lines) yield JSON.parse(line) as CheckResult;
      }
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * check -j: each capture checked in a worker thread (./jobs.ts's pool), its results written to a
 * temporary file and read back by the reports; the messages and exit codes are given in
 * command-line order, so every report and stream is byte for byte the sequential run's. Fills
 * `checks` and `diagrams`; the caller calls close() once the reports are written.
 */
async function checkParallel(
  ctx: CliContext, captures: string[], opts: CheckOptions, rules: Rules, sel: Selection, tracker: TrackerOptions, jobs: number, wantDiagrams: boolean,
  checks: CaptureCheck[], diagrams: Map<string, string>,
): Promise<{ close: () => void }> {
  const { dir, done } = interruptibleTempDir('tcpflow-explain-check-', 'With -j each capture\'s results wait there until the report');
  const close = (): void => {
    rmSync(dir, { recursive: true, force: true });
    done();
  };
  const bar = jobsProgress(ctx, captures, ctx.progress);
  // the rule groups, as the workers' evaluators number them, for reading back their spooled results
  const groups = resultGroups(rules);
  const colour = textColour(ctx, opts);
  const pool = workerPool<CheckJobRequest, CheckJobResult>(
    captures.length, jobs,
    (i) => ({ kind: 'check', file: captures[i]!, resultsPath: join(dir, `results-${i}`), opts, rules, sel, tracker, frameLimit: ctx.frameLimit, wantDiagrams, progress: bar !== null, textColour: colour }),
    (crash) => ({ messages: [], code: 0, crash, diskError: null, check: null, diagrams: [] }),
    bar,
  );
  try {
    for (let i = 0; i < captures.length; i++) {
      const r = await pool.results[i]!;
      // messages on a clean line (the next report draws it again)
      bar?.clear();
      replay(ctx, r);
      if (r.diskError !== null) throw new SpoolError(r.diskError);
      if (r.check === null) throw new Error(`no result for ${captures[i]}`);
      const { resultCount, spooled, junit, text, ...rest } = r.check;
      const path = join(dir, `results-${i}`);
      const results = spooled === null ? new FileResults(path, resultCount) : SpooledResults.fromFile(path, resultCount, groups, spooled === 'bytes');
      const check: CaptureCheck = { ...rest, results };
      if (junit) check.junit = SpooledSections.fromFile(junitPath(path));
      if (text) check.text = { failures: SpooledSections.fromFile(textPath(path, false)), passes: SpooledSections.fromFile(textPath(path, true)) };
      checks.push(check);
      for (const [id, text] of r.diagrams) diagrams.set(`${i}\u0000${id}`, text);
    }
  } catch (e) {
    close();
    throw e;
  } finally {
    pool.stop();
    bar?.end();
  }
  return { close };
}

async function report(ctx: CliContext, opts: CheckOptions, checks: CaptureCheck[], diagrams: Map<string, string>, summaryFile: string | undefined, wantDiagrams: boolean): Promise<void> {
  if (checks.some((c) => c.failed > 0)) ctx.fail(EXIT_FAIL);
  const chalk = new Chalk({ level: colourLevel(opts.color, ctx.io.stdout as unknown as { isTTY?: boolean }) });
  const diagramOf = (file: string, id: number): string | null => diagrams.get(`${checks.findIndex((c) => c.file === file)}\u0000${id}`) ?? null;
  const write = (what: string, path: string, text: string, append = false): void => {
    try {
      if (append) appendFileSync(path, text);
      else writeFileSync(path, text);
    } catch (e) {
      ctx.err(`${what} ${path}: cannot write it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      ctx.fail(EXIT_USAGE);
    }
  };
  // a report of many results is written as it is made, never built as one string; returns its
  // bytes. It is written into one buffer (`steps` yield as they go), written out each megabyte:
  // a megabyte of lines joined into a string and written as one took 0.5 s of a 63 MB JUnit
  // report (the string flattened, then encoded), and its pieces were the collector's.
  const writeBytes = (what: string, path: string, steps: (w: ByteWriter) => Iterable<void>): number => {
    let fd = -1;
    let size = 0;
    try {
      fd = openSync(path, 'w');
      const w = new ByteWriter(LINES_BATCH + (64 << 10));
      for (const _ of steps(w)) {
        if (w.pos >= LINES_BATCH) {
          writeAll(fd, w.buf, 0, w.pos);
          size += w.pos;
          w.pos = 0;
        }
      }
      writeAll(fd, w.buf, 0, w.pos);
      size += w.pos;
    } catch (e) {
      ctx.err(`${what} ${path}: cannot write it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      ctx.fail(EXIT_USAGE);
    } finally {
      if (fd >= 0) closeSync(fd);
    }
    return size;
  };
  // a progress line while a report is made from the spools (short10m's JSON report of five
  // million results: 2 GB, 9 s after the last packet)
  const about = checks.length === 1 ? checks[0]!.file : `${checks.length} captures`;
  if (opts.junit !== undefined) {
    const erase = ctx.readingBack(opts.junit, 'writing the JUnit report', junitReads(checks), false);
    const size = writeBytes('--junit', opts.junit, (w) => writeJunitReport(w, checks));
    erase();
    if (size > JUNIT_LARGE) {
      ctx.warn(`--junit ${opts.junit}: ${(size / 1e6).toFixed(0)} MB (one test case per connection × expectation); GitLab rejects JUnit reports over 30 MB: select fewer connections (--port, --host, -s) or expectations for the report`);
    }
  }
  let md: string | null = null;
  if (wantDiagrams) md = markdownReport(checks, diagramOf);
  if (opts.markdown !== undefined && opts.markdown !== '-') write('--markdown', opts.markdown, md!);
  if (summaryFile) write('GITHUB_STEP_SUMMARY', summaryFile, md! + '\n', true);
  if (opts.json) {
    const erase = ctx.readingBack(about, 'writing the JSON report', jsonReads(checks), true);
    for (const _ of writeJsonReport(ctx.out.writer, checks, { name: 'tcpflow-explain', version: toolVersion() }, ctx.code)) {
      if (ctx.out.closed) break;
      if (ctx.out.full) await ctx.out.flush();
    }
    erase();
  } else if (opts.markdown === '-') ctx.out.write(md!);
  else {
    const erase = ctx.readingBack(about, 'writing the report', opts.verbose ? textReads(checks) : [], true);
    for (const _ of writeTextReport(ctx.out.writer, checks, chalk, { verbose: !!opts.verbose, quiet: !!opts.quiet })) {
      if (ctx.out.closed) break;
      if (ctx.out.full) await ctx.out.flush();
    }
    erase();
  }
  await ctx.out.flush();
}

/** The spools the JSON report reads back: each capture's spooled results. */
function jsonReads(checks: readonly CaptureCheck[]): SourceReads[] {
  const reads: SourceReads[] = [];
  for (const c of checks) if (c.results instanceof SpooledResults) reads.push(c.results.reads);
  return reads;
}

/** The spools the JUnit report reads back: each capture's test cases, else its spooled results. */
function junitReads(checks: readonly CaptureCheck[]): SourceReads[] {
  const reads: SourceReads[] = [];
  for (const c of checks) {
    if (c.junit !== undefined) reads.push(c.junit.reads);
    else if (c.results instanceof SpooledResults) reads.push(c.results.reads);
  }
  return reads;
}

/** The spools the verbose text report reads back: each capture's lines of failures and of passes. */
function textReads(checks: readonly CaptureCheck[]): SourceReads[] {
  const reads: SourceReads[] = [];
  for (const c of checks) if (c.text !== undefined) reads.push(c.text.failures.reads, c.text.passes.reads);
  return reads;
}
