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
 * Unacknowledged bytes a streaming job may have sent before it waits: the main thread holds at
 * most this much of a job's output that it has not written yet.
 */
const IN_FLIGHT = 8 << 20;

/**
 * A job's output: written to its file in the temporary directory while another capture's output
 * is being written (its turn has not come), and sent to the main thread, which writes it at once,
 * from its turn on (JobTurn, or `stream` in the request: it is the first). So the output of the
 * capture whose turn it is never goes through the disk, nor is read back. On this machine a file
 * cost up to 3.8 ms a megabyte of system time while the page cache grew (ndjson --packets of two
 * 1M-packet captures: 1 GB, 1.5-2.6 s of it), which made -j 2 slower than -j 1. When it switches it says how much is in the file (JobSwitched), and the
 * main thread writes that first. Streaming waits for the main thread's acknowledgements beyond
 * IN_FLIGHT bytes, as a pipe to a slow reader would.
 */
class JobSink extends FileSink {
  private fileBytes = 0;
  private streaming = false;
  private inFlight = 0;
  private waiting: (() => void) | null = null;

  constructor(path: string, readonly job: number, private readonly port: MessagePort) {
    super(path);
  }

  /** From now on, send (the main thread has written or will write the file's bytes first). */
  stream(): void {
    if (this.streaming) return;
    this.streaming = true;
    const m: JobSwitched = { kind: 'switched', job: this.job, at: this.fileBytes };
    this.port.postMessage(m);
  }

  /** The main thread has written `bytes` more of what was sent. */
  acked(bytes: number): void {
    this.inFlight -= bytes;
    if (this.waiting !== null && this.inFlight <= IN_FLIGHT) {
      const go = this.waiting;
      this.waiting = null;
      go();
    }
  }

  override _write(chunk: Buffer, enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (!this.streaming) {
      this.fileBytes += chunk.length;
      super._write(chunk, enc, cb);
      return;
    }
    // copied by postMessage: the output fills the chunk's buffer again once cb() is called
    const m: JobOutput = { kind: 'out', job: this.job, data: chunk };
    this.port.postMessage(m);
    this.inFlight += chunk.length;
    if (this.inFlight > IN_FLIGHT) this.waiting = () => cb();
    else cb();
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
