/**
 * The fuzz loop: generates inputs (./mutate.ts), runs each in a worker thread (./worker.ts)
 * under a time limit and a heap limit, and collects failures: an exit code other than 0/1/2
 * (70 is an internal error), a stack trace, an unclear message, output that is not valid JSON
 * or not the schema, a result that depends on how the input was chunked, a time-out (the
 * worker is terminated and replaced), the worker dying (uncaught exception, out of memory), or
 * heap still in use after an input beyond the bound. Each failing input is saved with a .txt
 * saying how to reproduce it.
 */
import { Worker } from 'node:worker_threads';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, type Input, type Source } from './mutate.js';
import type { SelfTest, WorkerReply, WorkerRequest } from './worker.js';

/** The repository root (dist/scripts/fuzz → ../../..). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');
export const CORPUS_DIR = process.env.TCPFLOW_CORPUS ?? resolve(REPO_ROOT, '..', 'shared', 'corpus');
const CAPTURE = /\.(pcap|pcapng|cap|pcap\.gz|pcapng\.gz|gz|bin)$/i;

export interface SourceOptions {
  fixtures: boolean;
  corpus: boolean;
  /** Skip source files larger than this (bytes), to keep inputs quick. */
  maxSize: number;
  /** Skip sources whose name matches. */
  exclude?: RegExp;
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

/** The seed captures, sorted by name so a seed means the same inputs on every machine. */
export function loadSources(o: SourceOptions): Source[] {
  const files: { name: string; path: string }[] = [];
  if (o.fixtures) {
    const fx = join(REPO_ROOT, 'fixtures');
    for (const d of readdirSync(fx, { withFileTypes: true })) {
      if (!d.isDirectory()) continue;
      for (const f of readdirSync(join(fx, d.name))) {
        if (/\.(pcap|pcapng)(\.gz)?$/.test(f)) files.push({ name: `fixtures/${d.name}/${f}`, path: join(fx, d.name, f) });
      }
    }
  }
  if (o.corpus && existsSync(join(CORPUS_DIR, 'captures'))) {
    const all: string[] = [];
    walk(join(CORPUS_DIR, 'captures'), all);
    for (const p of all) {
      // the corpus has captures without an extension (the Kurose & Ross traces); .txt are descriptions
      if (p.endsWith('.txt') || p.endsWith('.md')) continue;
      if (!CAPTURE.test(p) && p.includes('.')) continue;
      files.push({ name: `corpus/${relative(join(CORPUS_DIR, 'captures'), p)}`, path: p });
    }
  }
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: Source[] = [];
  for (const f of files) {
    if (statSync(f.path).size > o.maxSize || o.exclude?.test(f.name)) continue;
    out.push({ name: f.name, bytes: new Uint8Array(readFileSync(f.path)) });
  }
  return out;
}

export interface FuzzOptions {
  seed: number;
  /** Inputs to run (at most). */
  count: number;
  /** Total time budget in seconds (0: none). */
  timeSec: number;
  /** Per-input limit for all the runs of one input, milliseconds. */
  timeoutMs: number;
  /** Worker threads. */
  jobs: number;
  /** Heap limit of a worker (old generation), MB: beyond it the worker dies and the input fails. */
  heapMb: number;
  /** Heap in use after an input (after GC) must stay below this, MB. */
  residentMb: number;
  sources: Source[];
  /** Where failing inputs are saved; null: not saved. */
  failDir: string | null;
  /** Only these input indices (reproduce a failure). */
  only?: number[];
  /** Stop after this many failures. */
  maxFailures: number;
  log?: (s: string) => void;
  /** Make the worker misbehave on purpose (tests of this harness). */
  selfTest?: SelfTest;
}

export interface Failure {
  index: number;
  source: string;
  steps: string[];
  problems: string[];
  saved: string | null;
}

export interface FuzzReport {
  seed: number;
  inputs: number;
  seconds: number;
  /** Inputs per primary mutation. */
  byMutation: Record<string, number>;
  /** Exit codes of the first (json) run, counted. */
  exitCodes: Record<string, number>;
  maxHeapMb: number;
  /** The slowest inputs (all runs of one input), slowest first: where to look for superlinear work. */
  slowest: { index: number; source: string; ms: number }[];
  failures: Failure[];
}

const SLOWEST_KEPT = 5;

interface Slot {
  worker: Worker;
  busy: boolean;
}

function describe(input: Input): string {
  return `input ${input.index} (source ${input.source}; ${input.bytes.length} bytes)\n  ${input.steps.join('\n  ')}`;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const log = o.log ?? ((): void => undefined);
  const workerUrl = new URL('./worker.js', import.meta.url);
  const report: FuzzReport = { seed: o.seed, inputs: 0, seconds: 0, byMutation: {}, exitCodes: {}, maxHeapMb: 0, slowest: [], failures: [] };
  if (o.sources.length === 0) throw new Error('no source captures');
  const t0 = Date.now();
  const deadline = o.timeSec > 0 ? t0 + o.timeSec * 1000 : Infinity;
  const indices = o.only ?? null;
  let nextIndex = 0;
  const total = indices ? indices.length : o.count;

  const spawn = (): Worker => {
    const w = new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: o.heapMb } });
    // a worker being replaced may still report its death: never an unhandled 'error' event
    w.on('error', () => undefined);
    return w;
  };

  const fail = (input: Input, problems: string[]): void => {
    let saved: string | null = null;
    if (o.failDir) {
      mkdirSync(o.failDir, { recursive: true });
      saved = join(o.failDir, `seed${o.seed}-input${input.index}.pcap`);
      writeFileSync(saved, input.bytes);
      writeFileSync(`${saved}.txt`, `npm run fuzz -- --seed ${o.seed} --only ${input.index}\n${describe(input)}\nproblems:\n  ${problems.join('\n  ')}\n`);
    }
    report.failures.push({ index: input.index, source: input.source, steps: input.steps, problems, saved });
    log(`FAIL seed ${o.seed} ${describe(input)}\n  problems:\n    ${problems.join('\n    ')}${saved ? `\n  saved as ${saved}` : ''}`);
  };

  /** Runs one input on a slot; replaces the slot's worker if it hung or died. */
  const runOne = (slot: Slot, input: Input): Promise<void> =>
    new Promise<void>((done) => {
      const w = slot.worker;
      const started = Date.now();
      let finished = false;
      const finish = (problems: string[] | null, reply: WorkerReply | null, replace: boolean): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        report.inputs++;
        report.byMutation[input.kind] = (report.byMutation[input.kind] ?? 0) + 1;
        const ms = Date.now() - started;
        if (report.slowest.length < SLOWEST_KEPT || ms > report.slowest[report.slowest.length - 1].ms) {
          report.slowest.push({ index: input.index, source: input.source, ms });
          report.slowest.sort((a, b) => b.ms - a.ms);
          if (report.slowest.length > SLOWEST_KEPT) report.slowest.pop();
        }
        if (reply) {
          const c = String(reply.codes[0]);
          report.exitCodes[c] = (report.exitCodes[c] ?? 0) + 1;
          const mb = reply.heapUsed / 1048576;
          if (mb > report.maxHeapMb) report.maxHeapMb = mb;
        }
        if (problems && problems.length > 0) fail(input, problems);
        if (replace) {
          void w.terminate();
          slot.worker = spawn();
        }
        done();
      };
      const onMessage = (reply: WorkerReply): void => {
        const problems = [...reply.problems];
        const mb = reply.heapUsed / 1048576;
        if (mb > o.residentMb) problems.push(`heap in use after the input: ${mb.toFixed(1)} MB (bound ${o.residentMb} MB)`);
        finish(problems, reply, mb > o.residentMb);
      };
      const onError = (e: Error): void => {
        const code = (e as NodeJS.ErrnoException).code;
        finish([code === 'ERR_WORKER_OUT_OF_MEMORY' ? `heap grew beyond ${o.heapMb} MB (worker out of memory)` : `uncaught exception: ${e.stack ?? e.message}`], null, true);
      };
      const onExit = (code: number): void => finish([`worker exited (${code})`], null, true);
      const timer = setTimeout(() => finish([`time-out: no result after ${o.timeoutMs} ms (hang)`], null, true), o.timeoutMs);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      const req: WorkerRequest = { index: input.index, bytes: input.bytes, chunks: input.chunks, residentBound: o.residentMb * 1048576, selfTest: o.selfTest };
      w.postMessage(req);
    });

  const slots: Slot[] = [];
  for (let i = 0; i < Math.max(1, o.jobs); i++) slots.push({ worker: spawn(), busy: false });
  let lastLog = Date.now();
  const loop = async (slot: Slot): Promise<void> => {
    for (;;) {
      if (nextIndex >= total || Date.now() >= deadline || report.failures.length >= o.maxFailures) return;
      const index = indices ? indices[nextIndex] : nextIndex;
      nextIndex++;
      let input: Input;
      try {
        input = generate(o.seed, index, o.sources);
      } catch (e) {
        // a bug of the generator, not of the program: say so and go on
        log(`generator error on input ${index}: ${(e as Error).stack ?? String(e)}`);
        continue;
      }
      await runOne(slot, input);
      if (Date.now() - lastLog > 10000) {
        lastLog = Date.now();
        log(`… ${report.inputs} inputs, ${((Date.now() - t0) / 1000).toFixed(0)} s, ${report.failures.length} failure(s)`);
      }
    }
  };
  try {
    await Promise.all(slots.map(loop));
  } finally {
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
  report.seconds = (Date.now() - t0) / 1000;
  report.failures.sort((a, b) => a.index - b.index);
  return report;
}
