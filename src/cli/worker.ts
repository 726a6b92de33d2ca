/**
 * A worker thread of `-j`: explains the captures the main thread sends, one at a time, each
 * one's output exactly as the sequential run would make it, written to the file the main thread
 * names until the capture's turn comes and sent to the main thread from then on (JobSink); or,
 * for `check -j`, checks them and writes their results (./check.ts, checkJob).
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { Readable, Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { CliContext, EXIT_USAGE } from './context.js';
import { explainFile, settingsFrom, writeDocument } from './explain.js';
import type { JobAck, JobOutput, JobRequest, JobResult, JobSwitched, JobTurn } from './jobs.js';
import { checkJob, type CheckJobRequest, type CheckJobResult } from './check.js';
import { SpoolError } from '../util/spool.js';
import { FileSink, OutputError } from '../util/output.js';
import { tmpdir } from 'node:os';
import type { JobProgress } from './progress.js';

/**
 * The ring a streaming job's output goes through (see JobSink): the main thread holds at most
 * this much of a job's output that it has not copied to its own yet.
 */
export const RING_BYTES = 8 << 20;

/**
 * A job's output: written to its file in the temporary directory while another capture's output
 * is being written (its turn has not come), and sent to the main thread, which writes it at once,
 * from its turn on (JobTurn, or `stream` in the request: it is the first). So the output of the
 * capture whose turn it is never goes through the disk, nor is read back. On this machine a file
 * cost up to 3.8 ms a megabyte of system time while the page cache grew (ndjson --packets of two
 * 1M-packet captures: 1 GB, 1.5-2.6 s of it), which made -j 2 slower than -j 1. When it switches it says how much is in the file (JobSwitched), and the
 * main thread writes that first.
 *
 * What is sent goes through a ring of RING_BYTES shared with the main thread (a
 * SharedArrayBuffer, in JobSwitched): each chunk is copied into it and a message says how many
 * bytes follow (JobOutput); the main thread copies them into its output's batch and says so
 * (JobAck), which frees their room. A chunk that finds the ring full waits for the room, as a
 * pipe to a slow reader would. Until 2026-12-06 each chunk went in the message itself, which
 * postMessage copies into new memory of the main thread: 200 MB of a 1M-packet capture's --json
 * was 50 000 pages touched for the first time (about 10 us each on this machine in some hours),
 * and `-j 2` was slower than `-j 1` (docs/performance.md, "2026-12-06 (afternoon)").
 */
export class JobSink extends FileSink {
  private fileBytes = 0;
  private streaming = false;
  private ring: Uint8Array | null = null;
  /** Bytes put in the ring, and of those, the bytes the main thread has taken (JobAck). */
  private put = 0;
  private taken = 0;
  /** The chunk being put in the ring, from `chunkAt`, and its callback (called once it is all in). */
  private chunk: Buffer | null = null;
  private chunkAt = 0;
  private chunkDone: ((e?: Error | null) => void) | null = null;

  /** `ringBytes`: the ring's size (tests make it small). */
  constructor(path: string, readonly job: number, private readonly port: MessagePort, private readonly ringBytes = RING_BYTES) {
    super(path);
  }

  /** From now on, send (the main thread has written or will write the file's bytes first). */
  stream(): void {
    if (this.streaming) return;
    this.streaming = true;
    const ring = new SharedArrayBuffer(this.ringBytes);
    this.ring = new Uint8Array(ring);
    const m: JobSwitched = { kind: 'switched', job: this.job, at: this.fileBytes, ring };
    this.port.postMessage(m);
  }

  /** The main thread has taken `bytes` more of the ring. */
  acked(bytes: number): void {
    this.taken += bytes;
    if (this.chunk !== null) this.fill();
  }

  override _write(chunk: Buffer, enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (!this.streaming) {
      this.fileBytes += chunk.length;
      super._write(chunk, enc, cb);
      return;
    }
    this.chunk = chunk;
    this.chunkAt = 0;
    this.chunkDone = cb;
    this.fill();
  }

  /**
   * Copies what the ring has room for of the chunk, each piece announced (never across the
   * ring's end); calls the chunk's callback once it is all in, else waits for acked().
   */
  private fill(): void {
    const ring = this.ring as Uint8Array;
    const chunk = this.chunk as Buffer;
    while (this.chunkAt < chunk.length) {
      const size = this.ringBytes;
      const room = size - (this.put - this.taken);
      if (room === 0) return;
      const at = this.put % size;
      const n = Math.min(room, chunk.length - this.chunkAt, size - at);
      ring.set(chunk.subarray(this.chunkAt, this.chunkAt + n), at);
      this.put += n;
      this.chunkAt += n;
      const m: JobOutput = { kind: 'out', job: this.job, bytes: n };
      this.port.postMessage(m);
    }
    const cb = this.chunkDone as (e?: Error | null) => void;
    this.chunk = null;
    this.chunkDone = null;
    cb();
  }
}

/** The sink of the job running now, for the main thread's JobTurn and JobAck. */
let current: JobSink | null = null;

class JobContext extends CliContext {
  readonly messages: [string, string][] = [];

  override err(msg: string): void {
    this.messages.push(['err', msg]);
  }

  override warn(msg: string): void {
    this.messages.push(['warn', msg]);
  }
}

/** Sends the capture's progress to the main thread, at most ten times a second. */
function reporter(): (bytes: number, total: number | null, packets: number) => void {
  let last = 0;
  return (bytes, total, packets) => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    const p: JobProgress = { kind: 'progress', bytes, total, packets };
    parentPort?.postMessage(p);
  };
}

async function job(req: JobRequest, port: MessagePort): Promise<JobResult> {
  const file = new JobSink(req.outPath, req.job, port);
  current = file;
  if (req.stream) file.stream();
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const ctx = new JobContext({ stdout: file, stderr: sink, stdin: Readable.from([]) });
  let crash: string | null = null;
  // a full disk (the spool's, or this job's output file in the temporary directory): a message, exit 2
  const diskError = (e: SpoolError | OutputError): void => {
    ctx.err(`${req.file}: ${e.message}${e instanceof OutputError ? ` (the parallel job's output, in the temporary directory ${tmpdir()})` : ''}`);
    ctx.fail(EXIT_USAGE);
  };
  let caught: unknown = null;
  try {
    const s = settingsFrom(ctx, req.opts);
    if (s) {
      s.chalk = new Chalk({ level: req.colorLevel });
      s.columns = req.columns;
      s.progress = false;
      ctx.frameLimit = s.frameLimit;
      if (req.progress) ctx.progressTo = reporter();
      // one document per job, for the array the main thread frames it in (a -j run has
      // several captures): every line two spaces deeper
      const d = await explainFile(ctx, req.file, req.opts, s, ctx.out, true, true);
      if (d) await writeDocument(ctx.out, d, true);
      await ctx.out.flush();
    }
  } catch (e) {
    caught = e;
    if (e instanceof SpoolError || e instanceof OutputError) diskError(e);
    else crash = e instanceof Error ? e.message : String(e);
  }
  await new Promise<void>((res) => file.end(() => res()));
  current = null;
  // an error that came once everything was handed to the file
  if (ctx.out.failure !== null && ctx.out.failure !== caught) diskError(ctx.out.failure);
  return { messages: ctx.messages, code: ctx.code, crash };
}

/** check -j: one capture checked, its results in req.resultsPath. */
async function check(req: CheckJobRequest): Promise<CheckJobResult> {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const ctx = new JobContext({ stdout: sink, stderr: sink, stdin: Readable.from([]) });
  if (req.progress) ctx.progressTo = reporter();
  try {
    const r = await checkJob(ctx, req);
    return { messages: ctx.messages, code: ctx.code, crash: null, diskError: null, ...r };
  } catch (e) {
    // a full disk (the spool's, or the results file in the temporary directory): the main
    // thread stops the run with the message, as the sequential run does
    if (e instanceof SpoolError) return { messages: ctx.messages, code: ctx.code, crash: null, diskError: e.message, check: null, diagrams: [] };
    return { messages: ctx.messages, code: ctx.code, crash: e instanceof Error ? e.message : String(e), diskError: null, check: null, diagrams: [] };
  }
}

/**
 * Takes the jobs the main thread sends this worker thread (./worker-thread.ts, the entry of the
 * workers, calls it; so does the bundle's). Not done when this module is evaluated: the bundle
 * holds this module in the main thread too, where node:worker_threads is not even loaded.
 */
export function startWorker(): void {
  const port = parentPort;
  if (port === null) throw new Error('startWorker() called outside a worker thread');
  port.on('message', (req: JobRequest | CheckJobRequest | JobTurn | JobAck) => {
    if (req.kind === 'turn') {
      // (a turn for a job already finished is not this one's)
      if (current !== null && current.job === req.job) current.stream();
    } else if (req.kind === 'ack') {
      if (current !== null && current.job === req.job) current.acked(req.bytes);
    } else if (req.kind === 'check') void check(req).then((r) => port.postMessage(r));
    else void job(req, port).then((r) => port.postMessage(r));
  });
}
