/**
 * `npm run fuzz -- [--seed S] [--count N] [--time T] [--jobs J] [--timeout MS] [--fixtures|--corpus] [--only I,J]`
 *
 * Mutates the fixtures' and the corpus's captures (scripts/fuzz/mutate.ts) and runs the whole
 * CLI on each input in worker threads (scripts/fuzz/worker.ts). Exits 1 when an input fails,
 * printing seed, input index and mutations and saving the input under fuzz-failures/ (with a
 * .txt holding the command that regenerates it); 0 when every input passed. Same seed, same
 * inputs (given the same source files). See docs/robustness.md.
 */
import { join } from 'node:path';
import { loadSources, runFuzz, REPO_ROOT } from './fuzz/harness.js';

const USAGE = 'usage: npm run fuzz -- [--seed S] [--count N] [--time SECONDS] [--jobs J] [--timeout MS] [--heap-mb MB] [--resident-mb MB] [--fixtures|--corpus] [--max-size BYTES] [--only I,J,...]\n';

function usage(msg: string): never {
  process.stderr.write(`fuzz: ${msg}\n${USAGE}`);
  process.exit(2);
}

function num(v: string | undefined, name: string): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < 0) usage(`${name} needs a number`);
  return n;
}

const args = process.argv.slice(2);
let seed = 1;
let count = -1;
let time = 0;
let jobs = 1;
let timeoutMs = 10000;
let heapMb = 512;
let residentMb = 128;
let fixtures = true;
let corpus = true;
let maxSize = 1 << 20;
let only: number[] | undefined;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  switch (a) {
    case '--seed': seed = num(args[++i], a); break;
    case '--count': count = num(args[++i], a); break;
    case '--time': time = num(args[++i], a); break;
    case '--jobs': jobs = Math.max(1, num(args[++i], a)); break;
    case '--timeout': timeoutMs = num(args[++i], a); break;
    case '--heap-mb': heapMb = num(args[++i], a); break;
    case '--resident-mb': residentMb = num(args[++i], a); break;
    case '--max-size': maxSize = num(args[++i], a); break;
    case '--fixtures': fixtures = true; corpus = false; break;
    case '--corpus': corpus = true; fixtures = false; break;
    case '--only': only = (args[++i] ?? '').split(',').map((x) => num(x, a)); break;
    case '--help': case '-h': process.stdout.write(USAGE); process.exit(0);
    default: usage(`unknown argument ${a}`);
  }
}
// --time alone runs until the time is up; neither gives 1000 inputs
if (count < 0) count = time > 0 ? Number.MAX_SAFE_INTEGER : 1000;

const sources = loadSources({ fixtures, corpus, maxSize });
process.stdout.write(`fuzz: seed ${seed}, ${only ? `inputs ${only.join(',')}` : count === Number.MAX_SAFE_INTEGER ? 'no count limit' : `${count} inputs`}${time ? `, ${time} s budget` : ''}, ${sources.length} source captures, ${jobs} worker(s)\n`);
const report = await runFuzz({
  seed, count, timeSec: time, timeoutMs, jobs, heapMb, residentMb, sources, only,
  failDir: join(REPO_ROOT, 'fuzz-failures'), maxFailures: 50,
  log: (s) => process.stdout.write(`${s}\n`),
});
const mut = Object.entries(report.byMutation).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
const codes = Object.entries(report.exitCodes).map(([k, v]) => `${k}: ${v}`).join(', ');
process.stdout.write(
  `fuzz: seed ${seed}: ${report.inputs} inputs in ${report.seconds.toFixed(1)} s; exit codes (json run) ${codes}; max heap after an input ${report.maxHeapMb.toFixed(1)} MB\n` +
  `  by first mutation: ${mut}\n` +
  `  slowest: ${report.slowest.map((x) => `input ${x.index} ${x.ms} ms (${x.source})`).join(', ')}\n` +
  `  ${report.failures.length} failure(s)${report.failures.length ? `: inputs ${report.failures.map((f) => f.index).join(', ')}` : ''}\n`,
);
process.exit(report.failures.length > 0 ? 1 : 0);
