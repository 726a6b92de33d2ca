/**
 * Several captures at once: each is analysed in a worker thread (node:worker_threads), which
 * records its messages and exit code; the main thread writes the outputs, messages and codes in
 * the order of the command line, so the result is byte for byte the sequential run's. The
 * capture whose turn it is sends its output to the main thread as it is made; the others write
 * theirs to a temporary file until their turn comes (JobSink in ./worker.ts, JobStream here).
 * The main thread frames the captures' outputs (./framing.ts): JSON documents in one array,
 * which the workers render their documents for (every line two spaces deeper), and a blank line
 * between captures' text. `check` uses the same pool of workers (./check.ts, checkParallel).
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_INTERNAL, colourLevel, type CliContext } from './context.js';
import type { Output } from '../util/output.js';
import type { ExplainOptions } from './explain.js';
import { captureFraming } from './framing.js';
import { interruptibleTempDir } from './interrupt.js';
import { JobsProgress, ProgressBar, type JobProgress } from './progress.js';

/** A job's file and ring are copied to the output this much at a time (the output's flush size). */
const COPY_PIECE = 256 << 10;

/**
 * On a machine of two cores or fewer, a capture of at least this much analysis input (its bytes;
 * a gzip file's uncompressed size) is work enough for a worker thread of its own. Each worker is
 * an isolate that starts, loads the bundle and warms its code up again, and the main thread
 * copies its output; and one run already keeps about 1.25 of two cores busy (V8's compiler and
 * collector threads, the spool's writes), so a second worker has little left to gain. Measured on
 * this 2-core machine (docs/performance.md, "2026-12-07 (morning, 06:18)"), medians of
 * interleaved runs, `-j 1` against `-j 2` (two workers cost about 55 ms more than none on small
 * captures): two fixture captures `check` 58 against 121 ms and `--json` 46 against 100; real6
 * twice (15 MB each) 384 against 477 ms; real4 twice (70 MB) 671 against 736; 500 000 packets of
 * short1m twice (80 MB) 527 against 523, six 40 MB captures 792 against 851; and only from about
 * 120 MB a capture did the workers gain: bulk twice (123 MB) 511 against 399 ms, short1m twice
 * (142 MB) 984 against 796 (`--json` level, 1 341 against 1 405).
 */
export const PARALLEL_MIN_BYTES = 100 << 20;

/**
 * On a machine of more cores, the captures' input in all from which workers run them: where each
 * worker has a core and a quarter of its own, what they cost is their start (about 55 ms for two,
 * measured here on small captures) against the time the others save, and the analysis takes
 * about 4-13 ms a megabyte here (short1m's 142 MB in 0.55 s; real6's 15 MB in 0.2 s, mostly its
 * warm-up), so from a few megabytes a worker the saving passes the start. An estimate from this
 * machine's figures, not measured on a machine of more cores; a directory of small captures (the
 * 37 fixtures are 0.75 MB) stays in the main thread.
 */
export const PARALLEL_MIN_TOTAL = 16 << 20;

/**
 * How many captures run at once when -j is not given: as many as there are `cores` (at most one
 * a capture) when the captures are big enough for workers to pay (at least two of
 * PARALLEL_MIN_BYTES on two cores or fewer, PARALLEL_MIN_TOTAL in all on more), else one at a
 * time in the main thread. Standard input ("-") is read one at a time whatever -j says.
 */
export function defaultJobs(captures: readonly string[], cores = availableParallelism()): number {
  if (captures.length < 2 || cores < 2) return 1;
  let big = 0;
  let total = 0;
  for (const file of captures) {
    if (file === '-') continue;
    const bytes = captureBytes(file);
    total += bytes;
    if (bytes >= PARALLEL_MIN_BYTES) big++;
  }
  const worth = cores <= 2 ? big >= 2 : total >= PARALLEL_MIN_TOTAL;
  return worth ? Math.min(captures.length, cores) : 1;
}

/**
 * The bytes a capture gives the analysis, as far as one look tells: a regular file's size, or
 * for a gzip file (its first two bytes 1f 8b) the uncompressed size its trailer gives (modulo
 * 2^32: at least three times the compressed size is taken); 0 for one that cannot be read (its
 * run says why) and for anything but a regular file, which is not opened: a named pipe's writer
 * would wait for the open, and lose its reader at the close.
 */
export function captureBytes(file: string): number {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) return 0;
    size = st.size;
  } catch {
    return 0;
  }
  if (size < 18) return size;
  let fd = -1;
  try {
    fd = openSync(file, 'r');
    const b = Buffer.alloc(4);
    if (readSync(fd, b, 0, 2, 0) < 2 || b[0] !== 0x1f || b[1] !== 0x8b) return size;
    if (readSync(fd, b, 0, 4, size - 4) < 4) return size;
    return Math.max(b.readUInt32LE(0), 3 * size);
  } catch {
    return size;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
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
  /** The job's index (the capture's in the command line), which JobTurn and JobAck name. */
  job: number;
  /** Its turn has come already: its output is sent to the main thread from the start (JobSink in ./worker.ts). */
  stream: boolean;
}

/** Main thread to worker: job `job`'s turn has come, send its output from now on. */
export interface JobTurn {
  kind: 'turn';
  job: number;
}

/** Main thread to worker: `bytes` more of job `job`'s ring are taken (copied to the output). */
export interface JobAck {
  kind: 'ack';
  job: number;
  bytes: number;
}

/**
 * Worker to main thread: job `job`'s output is sent from now on, through `ring` (JobSink in
 * ./worker.ts); its file holds the `at` bytes before.
 */
export interface JobSwitched {
  kind: 'switched';
  job: number;
  at: number;
  ring: SharedArrayBuffer;
}

/** Worker to main thread: the next `bytes` of job `job`'s output are in its ring, where the last ended. */
export interface JobOutput {
  kind: 'out';
  job: number;
  bytes: number;
}

/** What a worker answers. */
export interface JobResult {
  /** Messages in order: [kind, text] with kind 'err' or 'warn'. */
  messages: [string, string][];
  code: number;
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
  progress: JobsProgress | null = null, other: ((m: JobSwitched | JobOutput) => void) | null = null,
): { results: Promise<Res>[]; stop: () => void; send: (i: number, m: JobTurn | JobAck) => void } {
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
  /** The worker running job i, while it does. */
  const runningOn: (Worker | null)[] = new Array<Worker | null>(count).fill(null);
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
      runningOn[current] = w;
      w.postMessage(request(current));
    };
    const fail = (message: string): void => {
      if (ended) return;
      ended = true;
      if (current >= 0) {
        runningOn[current] = null;
        resolvers[current](crashed(message));
      }
      current = -1;
      if (!stopped && next < count) startWorker();
    };
    w.on('message', (r: Res | JobProgress | JobSwitched | JobOutput) => {
      const kind = (r as { kind?: string }).kind;
      if (kind === 'progress') {
        if (current >= 0) progress?.update(current, r as JobProgress);
        return;
      }
      if (kind === 'switched' || kind === 'out') {
        other?.(r as JobSwitched | JobOutput);
        return;
      }
      runningOn[current] = null;
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
    // (nothing to send once the job is done, or before a worker has taken it)
    send: (i, m) => runningOn[i]?.postMessage(m),
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
  // the output of the capture whose turn it is comes from its worker as it is made (JobSink);
  // not onto a terminal, where the captures' outputs come whole, one after the other, between
  // the progress line's draws
  const live = (ctx.io.stdout as unknown as { isTTY?: boolean }).isTTY !== true;
  let turn = 0;
  const out = ctx.out;
  // json: the documents in an array; text: a blank line between captures. What comes before a
  // capture is written with its first byte (a capture that cannot be read writes none), as the
  // one-at-a-time run does (./framing.ts)
  const framing = captureFraming(json ? 'json' : opts.format, out);
  const streams = captures.map((_, i) => new JobStream(out, (bytes) => pool.send(i, { kind: 'ack', job: i, bytes }), () => framing?.next()));
  const request = (i: number): JobRequest => ({
    kind: 'explain',
    file: captures[i],
    outPath: join(dir, `out-${i}`),
    opts,
    colorLevel: colourLevel(opts.color, ctx.io.stdout as unknown as { isTTY?: boolean }),
    columns: ctx.columns,
    progress: bar !== null,
    job: i,
    stream: live && turn === i,
  });
  const piece = new Uint8Array(COPY_PIECE);
  const sent = (m: JobSwitched | JobOutput): void => {
    if (m.kind === 'switched') streams[m.job].switchedAt(m.at, m.ring);
    else streams[m.job].sent(m.bytes);
  };
  const pool = workerPool<JobRequest, JobResult>(captures.length, jobs, request, (crash) => ({ messages: [], code: EXIT_INTERNAL, crash }), bar, sent);
  const results = pool.results;
  try {
    /**
     * The file's bytes (up to `end`, exclusive, when given), for job `st`: read into one buffer
     * and copied to the output's batch, whose memory is used again (a stream's chunks were new
     * buffers, 200 MB of new memory for a 1M-packet capture's --json).
     */
    const copy = async (path: string, st: JobStream, end = Infinity): Promise<void> => {
      if (end <= 0) return;
      const fd = openSync(path, 'r');
      try {
        for (let pos = 0; pos < end; ) {
          const n = readSync(fd, piece, 0, Math.min(COPY_PIECE, end - pos), pos);
          if (n === 0) break;
          st.start();
          out.bytes(piece, 0, n);
          pos += n;
          if (out.full) await out.flush();
        }
      } finally {
        closeSync(fd);
      }
    };
    for (let i = 0; i < captures.length; i++) {
      turn = i;
      const st = streams[i];
      const path = join(dir, `out-${i}`);
      // its worker sends its output from now on (a job no worker has taken yet is asked to
      // in its request; one that is done has it all in its file)
      if (live) pool.send(i, { kind: 'turn', job: i });
      // the switch (always before the job's answer) or the answer of a job done without one
      await Promise.race([st.switched, results[i]]);
      // output and messages on a clean line (the next report draws it again)
      bar?.clear();
      if (st.at >= 0) {
        // what it wrote to its file before, then what it has sent and sends until its answer
        await copy(path, st, st.at);
        st.goLive();
      }
      const r = await results[i];
      await st.written;
      st.close();
      bar?.clear();
      // a worker that failed may have written nothing (replay then reports its failure)
      if (st.at < 0 && (r.crash === null || existsSync(path))) await copy(path, st);
      // written out: its file goes now, so the disk holds only the outputs still waiting
      rmSync(path, { force: true });
      await out.flush();
      replay(ctx, r);
      // the reader of the output has gone: the other jobs are stopped (finally)
      if (out.closed) break;
    }
    if (framing !== null && !out.closed) {
      framing.end();
      await out.flush();
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

/**
 * What the main thread knows of a job's output as its worker sends it (JobSink in ./worker.ts):
 * where it switched from its file, its ring, what came before the main thread could write it,
 * and the writes going on. Each piece of the ring is acknowledged (`ack`) once it is copied to
 * the output; `begin` comes before the job's first byte (the framing's: ./framing.ts).
 */
export class JobStream {
  /** The bytes of the job's file before its output was sent; -1 while it has not switched. */
  at = -1;
  /** The ring the job's output comes through, and where its next bytes start. */
  private ring: Uint8Array | null = null;
  private next = 0;
  /** Pieces sent before its file was written out (goLive writes them first). */
  private queued: number[] = [];
  /** What is sent is written at once. */
  private live = false;
  /** Resolves with the switch. */
  readonly switched: Promise<void>;
  private resolveSwitched: () => void = () => undefined;
  /** The writes of what was sent, one after the other. */
  written: Promise<void> = Promise.resolve();
  private begun = false;

  constructor(private readonly out: Output, private readonly ack: (bytes: number) => void, private readonly begin: () => void) {
    this.switched = new Promise<void>((resolve) => (this.resolveSwitched = resolve));
  }

  switchedAt(at: number, ring: SharedArrayBuffer): void {
    this.at = at;
    this.ring = new Uint8Array(ring);
    this.resolveSwitched();
  }

  /** The worker put `bytes` more in the ring: written at once when live, else queued. */
  sent(bytes: number): void {
    if (this.live) this.write(bytes);
    else this.queued.push(bytes);
  }

  /** From now on what is sent is written at once, after what was queued. */
  goLive(): void {
    this.live = true;
    for (const n of this.queued) this.write(n);
    this.queued = [];
  }

  /** The job is done and all it sent is written: its ring is let go. */
  close(): void {
    this.ring = null;
  }

  /** Before the job's first byte. */
  start(): void {
    if (this.begun) return;
    this.begun = true;
    this.begin();
  }

  /** Copies the ring's next `bytes` to the output after the writes before it, then acknowledges them. */
  private write(bytes: number): void {
    const out = this.out;
    this.written = this.written.then(async () => {
      this.start();
      const ring = this.ring as Uint8Array;
      // (a piece never crosses the ring's end: JobSink.fill)
      let at = this.next % ring.length;
      this.next += bytes;
      for (let left = bytes; left > 0; ) {
        const n = Math.min(left, COPY_PIECE);
        out.bytes(ring, at, n);
        at += n;
        left -= n;
        if (out.full) await out.flush();
      }
      this.ack(bytes);
    });
    // a write that fails (a full disk) is thrown where the job's writes are awaited, not as an
    // unhandled rejection before that
    this.written.catch(() => undefined);
  }
}
