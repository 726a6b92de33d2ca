/**
 * `tcpflow-explain grade <capture> --answers FILE`: grades a student's answers against the lab
 * key of their own capture (../lab/grade.ts), as a text report or --json. `--pass P` makes the
 * exit code 1 below P percent. `grade --batch DIR` grades a directory of submissions into CSV.
 *
 * Batch layout (either, mixed freely): DIR/<student>/ holding one capture and one answers file
 * (.yaml, .yml or .json); or DIR/<student>.<capture extension> next to DIR/<student>.yaml|yml|json.
 * A capture is recognised by its magic number (pcap, pcapng, gzip), not its name.
 */
import { Chalk } from 'chalk';
import type { Command } from 'commander';
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Lang } from '../i18n/messages.js';
import { AnswersError, parseAnswers, type Answers } from '../lab/answers.js';
import { grade, type GradeReport } from '../lab/grade.js';
import { REPORT } from '../lab/feedback.js';
import { stringifyDocument } from '../render/json.js';
import { CliContext, colourLevel, EXIT_FAIL, EXIT_USAGE, toolVersion } from './context.js';
import { addLabKeyOptions, addPolicyOptions, keyParams, runLab, type KeyParams, type LabCommonOptions, type PolicyOptions } from './lab.js';

export interface GradeOptions extends LabCommonOptions, PolicyOptions {
  answers?: string;
  pass?: string;
  json?: boolean;
  batch?: string;
  csv?: string;
  color: boolean;
}

export const GRADE_SCHEMA_VERSION = 1;

export function addGradeOptions(cmd: Command): Command {
  cmd
    .argument('[capture]', 'the student\'s capture (pcap or pcapng, optionally gzip-compressed)')
    .option('--answers <file>', 'the student\'s answers (YAML or JSON, keys of "lab --template")')
    .option('--pass <percent>', 'pass mark: exit 1 when the score is below this percentage')
    .option('--json', 'the grading report as JSON')
    .option('--batch <dir>', 'grade every submission of a directory (see README: one subdirectory per student, or <name>.pcap + <name>.yaml)')
    .option('--csv <file>', 'with --batch: write the CSV here instead of standard output');
  addLabKeyOptions(cmd);
  addPolicyOptions(cmd);
  return cmd.option('--no-color', 'no colour (also when NO_COLOR is set, or stdout is not a terminal)');
}

function passMark(ctx: CliContext, s: string | undefined): number | null | undefined {
  if (s === undefined) return null;
  const p = Number(s.replace(/%$/, ''));
  if (s.trim() === '' || !Number.isFinite(p) || p < 0 || p > 100) {
    ctx.err(`--pass "${s}" must be a percentage from 0 to 100`);
    ctx.fail(EXIT_USAGE);
    return undefined;
  }
  return p;
}

/** Reads and checks an answers file; null after the message (exit 2). */
export function readAnswers(ctx: CliContext, file: string): Answers | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    ctx.err(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? String(e)})`);
    ctx.fail(EXIT_USAGE);
    return null;
  }
  try {
    return parseAnswers(text, file);
  } catch (e) {
    if (e instanceof AnswersError) {
      ctx.err(e.message);
      ctx.fail(EXIT_USAGE);
      return null;
    }
    throw e;
  }
}

interface Graded {
  report: GradeReport;
  run: NonNullable<Awaited<ReturnType<typeof runLab>>>;
}

async function gradeOne(ctx: CliContext, capture: string, answersFile: string, opts: GradeOptions, p: KeyParams, quiet: boolean): Promise<Graded | null> {
  const answers = readAnswers(ctx, answersFile);
  if (!answers) return null;
  const run = await runLab(ctx, capture, opts, p, quiet);
  if (!run) return null;
  const report = grade(answers, run.result.key, run.result.aux, { acceptRelative: !!opts.acceptRelative, lengths: opts.lengths, segments: p.segments }, opts.lang);
  return { report, run };
}

export async function gradeCommand(ctx: CliContext, capture: string | undefined, opts: GradeOptions): Promise<void> {
  const p = keyParams(ctx, opts);
  if (!p) return;
  const pass = passMark(ctx, opts.pass);
  if (pass === undefined) return;
  if (opts.batch !== undefined) {
    if (capture !== undefined || opts.answers !== undefined) {
      ctx.err('--batch grades a directory: give no capture and no --answers with it');
      ctx.fail(EXIT_USAGE);
      return;
    }
    await batch(ctx, opts.batch, opts, p, pass);
    return;
  }
  if (capture === undefined || opts.answers === undefined) {
    ctx.err(capture === undefined ? "missing required argument 'capture'" : 'missing --answers FILE (the student\'s answers; write one with "lab --template")');
    ctx.fail(EXIT_USAGE);
    return;
  }
  const g = await gradeOne(ctx, capture, opts.answers, opts, p, false);
  if (!g) return;
  const { report, run } = g;
  const key = run.result.key;
  const words = REPORT[opts.lang];
  if (key.knownTrace) ctx.warn(words.known(key.knownTrace.name, key.knownTrace.source));
  const passed = pass === null ? null : report.percentage >= pass;
  if (opts.json) {
    ctx.out.write(stringifyDocument({
      schemaVersion: GRADE_SCHEMA_VERSION,
      tool: { name: 'tcpflow-explain', version: toolVersion() },
      capture: capture,
      answers: opts.answers,
      connection: key.connection,
      client: key.client,
      server: key.server,
      knownTrace: key.knownTrace,
      score: report.score,
      total: report.total,
      percentage: report.percentage,
      passMark: pass,
      pass: passed,
      questions: report.questions,
    }) + '\n');
  } else {
    const chalk = new Chalk({ level: colourLevel(opts.color, ctx.io.stdout as unknown as { isTTY?: boolean }) });
    ctx.out.write(reportText(report, opts.answers, capture, run, opts.lang, chalk, pass));
  }
  await ctx.out.flush();
  if (passed === false) ctx.fail(EXIT_FAIL);
}

function reportText(r: GradeReport, answers: string, capture: string, run: Graded['run'], lang: Lang, chalk: InstanceType<typeof Chalk>, pass: number | null): string {
  const w = REPORT[lang];
  const k = run.result.key;
  const lines = [chalk.bold(w.title(answers, capture, k.connection, `${k.client.ip}:${k.client.port}`, `${k.server.ip}:${k.server.port}`))];
  if (k.knownTrace) lines.push(chalk.yellow(`⚠ ${w.known(k.knownTrace.name, k.knownTrace.source)}`));
  lines.push('');
  const keyWidth = Math.max(...r.questions.map((q) => q.key.length));
  for (const q of r.questions) {
    const mark = q.status === 'correct' ? chalk.green('✔') : q.status === 'partial' ? chalk.yellow('◐') : q.status === 'wrong' ? chalk.red('✘') : q.status === 'unanswered' ? chalk.red('○') : chalk.dim('·');
    const pts = q.max === 0 ? '   ' : `${q.points}/${q.max}`;
    const given = q.given === null ? '' : `${w.given} ${JSON.stringify(q.given)}${w.colon}`;
    lines.push(`  ${mark} ${q.question.padEnd(3)} ${q.key.padEnd(keyWidth)}  ${pts.padEnd(6)} ${given}${q.feedback}`);
  }
  lines.push('', chalk.bold(w.score(String(r.score), r.total, String(r.percentage))) + (pass === null ? '' : `  ${r.percentage >= pass ? chalk.green(w.pass(pass)) : chalk.red(w.fail(pass))}`));
  return lines.join('\n') + '\n';
}

// ------------------------------------------------------------------ batch

const ANSWERS_EXT = /\.(ya?ml|json)$/i;

/** pcap (either byte order, µs or ns), pcapng, gzip. */
function isCapture(file: string): boolean {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const b = Buffer.alloc(4);
    if (readSync(fd, b, 0, 4, 0) < 4) return false;
    const m = b.readUInt32BE(0);
    return [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a].includes(m) || (b[0] === 0x1f && b[1] === 0x8b);
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export interface Submission {
  student: string;
  capture: string | null;
  answers: string | null;
  problem: string | null;
}

/** The submissions of a batch directory, sorted by student name. */
export function submissions(dir: string): Submission[] {
  const out: Submission[] = [];
  const flat = new Map<string, { captures: string[]; answers: string[]; other: string[] }>();
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      const files = readdirSync(path).filter((f) => !f.startsWith('.')).map((f) => join(path, f)).filter((f) => statSync(f).isFile());
      const caps = files.filter(isCapture);
      const ans = files.filter((f) => ANSWERS_EXT.test(f));
      let problem: string | null = null;
      if (caps.length !== 1) problem = caps.length === 0 ? 'no capture file' : `${caps.length} capture files (expected one)`;
      else if (ans.length !== 1) problem = ans.length === 0 ? 'no answers file (.yaml, .yml or .json)' : `${ans.length} answers files (expected one)`;
      out.push({ student: e.name, capture: caps.length === 1 ? caps[0] : null, answers: ans.length === 1 ? ans[0] : null, problem });
    } else if (e.isFile()) {
      const stem = e.name.split('.')[0];
      const g = flat.get(stem) ?? { captures: [], answers: [], other: [] };
      flat.set(stem, g);
      if (ANSWERS_EXT.test(e.name)) g.answers.push(path);
      else if (isCapture(path)) g.captures.push(path);
      else g.other.push(path);
    }
  }
  for (const [stem, g] of flat) {
    if (g.captures.length === 0 && g.answers.length === 0) continue; // README, notes…
    let problem: string | null = null;
    if (g.captures.length !== 1) problem = g.captures.length === 0 ? 'no capture file' : `${g.captures.length} capture files (expected one)`;
    else if (g.answers.length !== 1) problem = g.answers.length === 0 ? 'no answers file (.yaml, .yml or .json)' : `${g.answers.length} answers files (expected one)`;
    out.push({ student: stem, capture: g.captures.length === 1 ? g.captures[0] : null, answers: g.answers.length === 1 ? g.answers[0] : null, problem });
  }
  return out.sort((a, b) => a.student.localeCompare(b.student));
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = ['student', 'capture', 'answers', 'score', 'total', 'percentage', 'pass', 'flags', 'errors'] as const;

async function batch(ctx: CliContext, dir: string, opts: GradeOptions, p: KeyParams, pass: number | null): Promise<void> {
  let subs: Submission[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    subs = submissions(dir);
  } catch (e) {
    ctx.err(`--batch ${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : e instanceof Error ? e.message : String(e)}`);
    ctx.fail(EXIT_USAGE);
    return;
  }
  if (subs.length === 0) {
    ctx.err(`--batch ${dir}: no submission found (expected <student>/ directories, or <student>.pcap with <student>.yaml)`);
    ctx.fail(EXIT_USAGE);
    return;
  }
  const rows: string[][] = [];
  const identities = new Map<string, string>();
  let failed = false;
  for (const s of subs) {
    const flags: string[] = [];
    const errors: string[] = [];
    let score = '';
    let total = '';
    let pct = '';
    let passed = '';
    if (s.problem !== null) errors.push(s.problem);
    else {
      // a context of its own: its messages become this row's errors
      const err = new PassThrough();
      const msgs: string[] = [];
      err.on('data', (d: Buffer) => msgs.push(d.toString('utf8')));
      const sink = new PassThrough();
      sink.resume();
      const io = ctx.io;
      const sub = new CliContext({ stdout: sink, stderr: err, get stdin() { return io.stdin; } });
      const g = await gradeOne(sub, s.capture as string, s.answers as string, opts, p, true);
      err.end();
      for (const m of msgs.join('').split('\n')) {
        // eslint-disable-next-line no-control-regex
        const t = m.replace(/\u001b\[[0-9;]*m/g, '').replace(/^tcpflow-explain: (warning: )?/, '').trim();
        if (t) errors.push(t);
      }
      if (g) {
        const k = g.run.result.key;
        score = String(g.report.score);
        total = String(g.report.total);
        pct = String(g.report.percentage);
        if (pass !== null) passed = g.report.percentage >= pass ? 'yes' : 'no';
        if (k.knownTrace) flags.push(`known-trace:${k.knownTrace.name}`);
        if (k.otherConnections.length > 0) flags.push(`other-connections:${k.otherConnections.length}`);
        if (g.run.summary.truncated) flags.push('truncated');
        if (k.syn && k.synAck) {
          const id = `${k.client.ip}:${k.client.port}>${k.server.ip}:${k.server.port}/${k.syn.rawSeq}/${k.synAck.rawSeq}`;
          const first = identities.get(id);
          if (first !== undefined) flags.push(`same-capture-as:${first}`);
          else identities.set(id, s.student);
        }
      }
    }
    if (errors.length > 0 || passed === 'no') failed = true;
    if (errors.length > 0 && pass !== null && passed === '') passed = 'no';
    rows.push([s.student, s.capture ? basename(s.capture) : '', s.answers ? basename(s.answers) : '', score, total, pct, passed, flags.join(';'), errors.join('; ')]);
  }
  const csv = [CSV_COLUMNS.join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\n') + '\n';
  if (opts.csv !== undefined) {
    try {
      writeFileSync(opts.csv, csv);
    } catch (e) {
      ctx.err(`cannot write ${opts.csv}: ${e instanceof Error ? e.message : String(e)}`);
      ctx.fail(EXIT_USAGE);
      return;
    }
  } else ctx.out.write(csv);
  await ctx.out.flush();
  if (failed) ctx.fail(EXIT_FAIL);
}

export function addGradeCommand(program: Command, ctx: CliContext, configure: (c: Command) => Command): void {
  const cmd = configure(program.command('grade'))
    .description('grade a student\'s answers (lab --template keys) against the lab key of their own capture; --batch for a directory of submissions');
  addGradeOptions(cmd).action(async (capture: string | undefined, opts: GradeOptions) => gradeCommand(ctx, capture, opts));
}
