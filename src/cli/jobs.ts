/**
 * Several captures at once: each is analysed in a worker thread (node:worker_threads), which
 * writes the capture's output to a temporary file and records its messages and exit code; the
 * main thread then writes the outputs, messages and codes in the order of the command line, so
 * the result is byte for byte the sequential run's. JSON documents are framed by the main
 * thread: an array of them, which the workers render their documents for (every line two
 * spaces deeper), so the main thread copies them as they are; or, when only one capture could
 * be read, that document alone, its lines shifted back. `check` uses the same pool of workers
 * (./check.ts, checkParallel).
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createReadStream, existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_INTERNAL, colourLevel, type CliContext } from './context.js';
import type { ExplainOptions } from './explain.js';
import { interruptibleTempDir } from './interrupt.js';
import { JobsProgress, ProgressBar, type JobProgress } from './progress.js';

export function defaultJobs(files: number): number {
  return Math.max(1, Math.min(files, availableParallelism()));
}

/** What the main thread gives a worker to explain a capture. */
export interface JobRequest {
  kind: 'explain';
  file: string;
  outPath: string;
  opts: ExplainOptions;
  colorLevel: 0 | 1 | 2 | 3;
  columns: number;
  /** Report the capture's progress (JobProgress messages): the main thread draws a line. */
  progress: boolean;
  /** A JSON document is rendered for the array of several (every line two spaces deeper). */
  nested: boolean;
}

/** What a worker answers. */
export interface JobResult {
  /** Messages in order: [kind, text] with kind 'err' or 'warn'. */
  messages: [string, string][];
  code: number;
  /** A JSON document was written (json format, readable capture). */
  doc: boolean;
  /** An exception escaped the worker: its message (exit 70 as in the sequential run). */
  crash: string | null;
}

/**
 * Runs `count` jobs in `jobs` worker threads, each worker taking the next job when it is done:
 * `request(i)` is what job i's worker is sent, `crashed(message)` its answer when the worker
 * itself fails. The answers come in job order; stop() ends the workers (those still running too).
 * Every job is answered: a worker that fails (an exception outside a job, or a thread that ends
 * without answering) answers its job with crashed(), and the jobs no worker has taken yet go to
 * a new worker, so a result is never left waiting on a thread that is gone. With `progress`,
 * the workers' reports on the way (JobProgress) and each job's end go to its line.
 */
export function workerPool<Req, Res>(
  count: number, jobs: number, request: (i: number) => Req, crashed: (message: string) => Res,
  progress: JobsProgress | null = null,
): { results: Promise<Res>[]; stop: () => void } {
  const results: Promise<Res>[] = new Array(count);
  const resolvers: ((r: Res) => void)[] = [];
  for (let i = 0; i < count; i++) {
    results[i] = new Promise<Res>((res) => {
      resolvers[i] = (r) => {
        progress?.finished(i);
        res(r);
      };
    });
  }
  let next = 0;
  let stopped = false;
  const workers: Worker[] = [];
  const startWorker = (): void => {
    const w = new Worker(new URL('./worker-thread.js', import.meta.url));
    workers.push(w);
    let current = -1;
    let ended = false;
    const feed = (): void => {
      if (next >= count) {
        current = -1;
        void w.terminate();
        return;
      }
      current = next++;
      w.postMessage(request(current));
    };
    const fail = (message: string): void => {
      if (ended) return;
      ended = true;
      if (current >= 0) resolvers[current](crashed(message));
      current = -1;
      if (!stopped && next < count) startWorker();
    };
    w.on('message', (r: Res | JobProgress) => {
      if ((r as JobProgress).kind === 'progress') {
        if (current >= 0) progress?.update(current, r as JobProgress);
        return;
      }
      resolvers[current](r as Res);
      feed();
    });
    w.on('error', (e) => fail(e.message));
    w.on('exit', (code) => fail(`a worker thread ended (exit code ${code}) without answering`));
    feed();
  };
  for (let k = 0; k < jobs; k++) startWorker();
  return {
    results,
    stop: () => {
      stopped = true;
      for (const w of workers) void w.terminate();
    },
  };
}

/** A job's messages on stderr and its exit code, as the sequential run gives them; a worker's exception is thrown again. */
export function replay(ctx: CliContext, r: { messages: [string, string][]; code: number; crash: string | null }): void {
  for (const [kind, text] of r.messages) {
    if (kind === 'warn') ctx.warn(text);
    else ctx.err(text);
  }
  if (r.crash !== null) throw new Error(r.crash);
  ctx.fail(r.code);
}

/**
 * The progress line of a parallel run's captures, when it is wanted and standard error is a
 * terminal: the workers report, the main thread draws (./progress.ts).
 */
export function jobsProgress(ctx: CliContext, captures: string[], wanted: boolean): JobsProgress | null {
  const stderr = ctx.io.stderr as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  return ProgressBar.wanted(stderr, wanted) ? new JobsProgress(stderr, captures.map(sizeOf)) : null;
}

/** `progress`: draw one progress line for all the captures (jobsProgress). */
export async function explainParallel(ctx: CliContext, captures: string[], opts: ExplainOptions, jobs: number, progress: boolean): Promise<void> {
  const bar = jobsProgress(ctx, captures, progress);
  const { dir, done } = interruptibleTempDir('tcpflow-explain-jobs-', 'With -j each capture\'s output waits there until its turn');
  const json = !!opts.json || opts.format === 'json';
  const request = (i: number): JobRequest => ({
    kind: 'explain',
    file: captures[i],
    outPath: join(dir, `out-${i}`),
    opts,
    colorLevel: colourLevel(opts.color, ctx.io.stdout as unknown as { isTTY?: boolean }),
    columns: ctx.columns,
    progress: bar !== null,
    nested: captures.length > 1,
  });
  const pool = workerPool<JobRequest, JobResult>(captures.length, jobs, request, (crash) => ({ messages: [], code: EXIT_INTERNAL, doc: false, crash }), bar);
  const results = pool.results;
  try {
    const out = ctx.out;
    const copy = async (path: string, outdent: boolean): Promise<void> => {
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
        const b = chunk as Buffer;
        // a newline byte is never part of a longer UTF-8 character: shifting bytes is safe
        if (outdent) out.bytesOutdented(b, 0, b.length);
        // each chunk is a buffer of its own: handed to the output, not copied
        else out.give(b, 0, b.length);
        if (out.full) await out.flush();
      }
    };
    if (!json) {
      for (let i = 0; i < captures.length; i++) {
        const r = await results[i];
        // output and messages on a clean line (the next report draws it again)
        bar?.clear();
        // a worker that failed may have written nothing (replay then reports its failure)
        const path = join(dir, `out-${i}`);
        if (r.crash === null || existsSync(path)) await copy(path, false);
        // written out: its file goes now, so the disk holds only the outputs still waiting
        rmSync(path, { force: true });
        await out.flush();
        replay(ctx, r);
        // the reader of the output has gone: the other jobs are stopped (finally)
        if (out.closed) break;
      }
    } else {
      // a document's framing depends on how many documents there are: wait for all
      const all = await Promise.all(results);
      bar?.clear();
      const docs = all.map((r, i) => (r.doc ? i : -1)).filter((i) => i >= 0);
      if (docs.length > 1) out.write('[\n  ');
      for (let k = 0; k < docs.length; k++) {
        if (k > 0) out.write(',\n  ');
        // rendered for the array (request.nested): shifted back when it is alone
        await copy(join(dir, `out-${docs[k]}`), docs.length === 1 && captures.length > 1);
      }
      if (docs.length > 1) out.write('\n]');
      if (docs.length > 0) out.write('\n');
      await out.flush();
      for (const r of all) replay(ctx, r);
    }
  } finally {
    pool.stop();
    bar?.end();
    rmSync(dir, { recursive: true, force: true });
    done();
  }
}

/** A capture's size for the progress line; 0 when it cannot be read (its job says why). */
function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
