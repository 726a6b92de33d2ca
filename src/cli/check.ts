/**
 * `tcpflow-explain check`: assertions on recorded traffic for CI (SPEC.md "check expectations").
 * Exit 0 when every expectation holds, 1 when one fails, 2 for a usage error or an unreadable
 * capture. A truncated capture fails unless --allow-truncated; a selection that matches no
 * connection fails (an empty capture never passes silently).
 */
import { Command } from 'commander';
import { Chalk } from 'chalk';
import { appendFileSync, closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import type { Connection } from '../analyze/connection.js';
import { PacketCollector, type PacketRecord } from '../render/json.js';
import { mermaid } from '../render/mermaid.js';
import { ExpectationError, KEYS, parseExpectation, type RuleGroup, type Rules } from '../check/expectations.js';
import { CaptureEvaluator, type CaptureCheck } from '../check/evaluate.js';
import { jsonReportPieces, junitLines, markdownReport, textLines, MAX_DIAGRAMS } from '../check/report.js';
import { CliContext, EXIT_FAIL, EXIT_USAGE, colourLevel, toolVersion } from './context.js';
import { addSelectionOptions, LINGER_SECONDS } from './explain.js';
import { selectionFrom } from './select.js';
import { parseRules } from '../check/rules.js';

/** A JUnit report larger than this is one GitLab refuses (its limit is 30 MB). */
const JUNIT_LARGE = 30 * 1000 * 1000;

interface CheckOptions {
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
    .option('--no-color', 'no colour (also when NO_COLOR is set, or stdout is not a terminal)')
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
      rules = { groups: [...groups, ...fromFile.groups], allowTruncated: fromFile.allowTruncated, allowRstAfterFin: fromFile.allowRstAfterFin };
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

export async function check(ctx: CliContext, captures: string[], opts: CheckOptions): Promise<void> {
  const rules = await loadRules(ctx, opts);
  if (!rules) return;
  const cliSel = selectionFrom(ctx, opts);
  if (!cliSel) return;
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  const wantDiagrams = opts.markdown !== undefined || (summaryFile !== undefined && summaryFile !== '');
  const checks: CaptureCheck[] = [];
  const diagrams = new Map<string, string>();
  const evaluators: CaptureEvaluator[] = [];
  try {
    for (const file of captures) {
      const collector = wantDiagrams ? new PacketCollector() : null;
      // the diagrams of the first MAX_DIAGRAMS failing connections by id, drawn while their packets
      // are known (connections are judged as they are finalised, not in id order)
      const drawn = new Map<number, string>();
      let largest = -1;
      const draw = (c: Connection, packets: PacketRecord[], frames: ReadonlySet<number>): void => {
        if (drawn.size >= MAX_DIAGRAMS && c.id > largest) return;
        drawn.set(c.id, mermaid(c, packets, false, 'en', frames));
        if (drawn.size > MAX_DIAGRAMS) drawn.delete(largest);
        largest = Math.max(...drawn.keys());
      };
      // every passing result is kept only for the reports that list them all
      const keepPasses = !!opts.json || opts.junit !== undefined || !!opts.verbose;
      const evaluator = new CaptureEvaluator(rules, cliSel, collector, collector ? draw : null, keepPasses);
      evaluators.push(evaluator);
      // connections are released once closed, as for --json (memory follows the open ones), and
      // reused: the evaluator keeps nothing of a connection once it is judged
      const run = await ctx.analyse(file, evaluator, { keepAll: false, lingerSeconds: LINGER_SECONDS, reuseConnections: true });
      if (!run) {
        checks.push({
          file, truncated: false, error: 'unreadable', connections: 0, failingConnections: [], failed: 1,
          results: [{ group: '', connection: null, endpoints: null, expectation: 'capture read to the end', key: 'readable', passed: false, actual: 'unreadable', detail: 'the capture could not be read (see the error above)', frames: [] }],
        });
        continue;
      }
      const { summary } = run;
      checks.push(evaluator.finish(file, summary));
      for (const [id, text] of drawn) diagrams.set(`${checks.length - 1}\u0000${id}`, text);
      ctx.reportEnd(file, summary);
    }
    await report(ctx, opts, checks, diagrams, summaryFile, wantDiagrams);
  } finally {
    // the temporary files of spooled results
    for (const e of evaluators) e.close();
  }
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
  // a report of many results is written as it is made, never built as one string; returns its bytes
  const writeLines = (what: string, path: string, lines: Iterable<string>): number => {
    let fd = -1;
    let size = 0;
    try {
      fd = openSync(path, 'w');
      let batch = '';
      for (const l of lines) {
        batch += l + '\n';
        if (batch.length >= 1 << 20) {
          size += writeSync(fd, batch);
          batch = '';
        }
      }
      size += writeSync(fd, batch);
    } catch (e) {
      ctx.err(`${what} ${path}: cannot write it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      ctx.fail(EXIT_USAGE);
    } finally {
      if (fd >= 0) closeSync(fd);
    }
    return size;
  };
  if (opts.junit !== undefined) {
    const size = writeLines('--junit', opts.junit, junitLines(checks));
    if (size > JUNIT_LARGE) {
      ctx.warn(`--junit ${opts.junit}: ${(size / 1e6).toFixed(0)} MB (one test case per connection × expectation); GitLab rejects JUnit reports over 30 MB: select fewer connections (--port, --host, -s) or expectations for the report`);
    }
  }
  let md: string | null = null;
  if (wantDiagrams) md = markdownReport(checks, diagramOf);
  if (opts.markdown !== undefined && opts.markdown !== '-') write('--markdown', opts.markdown, md!);
  if (summaryFile) write('GITHUB_STEP_SUMMARY', summaryFile, md! + '\n', true);
  if (opts.json) {
    for (const piece of jsonReportPieces(checks, { name: 'tcpflow-explain', version: toolVersion() }, ctx.code)) {
      ctx.out.write(piece);
      if (ctx.out.full) await ctx.out.flush();
    }
  } else if (opts.markdown === '-') ctx.out.write(md!);
  else {
    for (const line of textLines(checks, chalk, { verbose: !!opts.verbose, quiet: !!opts.quiet })) {
      ctx.out.write(line + '\n');
      if (ctx.out.full) await ctx.out.flush();
    }
  }
  await ctx.out.flush();
}
