/**
 * What every subcommand shares: the streams, the buffered stdout, error/warning lines on stderr,
 * the exit code being built up, colour detection, and reading one capture through a Tracker.
 */
import { chalkStderr, supportsColor } from 'chalk';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { Socket } from 'node:net';
import { Output } from '../util/output.js';
import type { SourceReads, Spool } from '../util/spool.js';
import { runCapture, type CaptureSummary } from '../pipeline.js';
import { SourceError } from '../capture/source.js';
import { ProgressBar } from './progress.js';
import { Tracker, type PacketObserver, type TrackerOptions } from '../analyze/tracker.js';

export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

/** writing()'s answer when it draws nothing. */
const NO_LINE = (): void => undefined;
/** A write of nothing (CliContext.line). */
const NOTHING = Buffer.alloc(0);

export interface Io {
  stdout: NodeJS.WritableStream & Writable;
  stderr: NodeJS.WritableStream;
  stdin: Readable;
}

/**
 * package.json's version, written into the bundle by scripts/bundle.ts (esbuild `define`): the
 * bundle's chunks sit in dist/bundle/, where no relative path leads to package.json reliably,
 * and reading it would cost every start a file read. Undeclared (typeof 'undefined') in the
 * tsc build of dist/src, which the tests import directly.
 */
declare const __TCPFLOW_EXPLAIN_VERSION__: string | undefined;

export function toolVersion(): string {
  if (typeof __TCPFLOW_EXPLAIN_VERSION__ === 'string') return __TCPFLOW_EXPLAIN_VERSION__;
  // dist/src/cli/context.js -> package.json
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Whether a flood's lone packets may wait as their fields until their connections are needed
 * (TrackerOptions.deferSyn): yes, unless TCPFLOW_DEFER_SYN is 0. The outputs are the same either
 * way, which is what the switch is for: the reference of the tests that compare them, and a
 * user's check of a capture where they seem not to be.
 */
export function deferSynWanted(): boolean {
  return process.env.TCPFLOW_DEFER_SYN !== '0';
}

/** Colour level for stdout: none off a terminal, with NO_COLOR or --no-color; FORCE_COLOR wins. */
export function colourLevel(flag: boolean, stdout: { isTTY?: boolean }): 0 | 1 | 2 | 3 {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return n >= 1 && n <= 3 ? (n as 1 | 2 | 3) : 1;
  }
  if (!flag) return 0;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return 0;
  if (!stdout.isTTY) return 0;
  return supportsColor ? supportsColor.level : 1;
}

/**
 * The tracker's bounds in the capture summary: counts, and a warning when they changed the
 * result. `continuationRecords`: the caller writes a record of each continuation (every output
 * but the lab, whose continuations only add their payload to their stream's line and which never
 * answers for one), so the warning that speaks of them is given.
 */
export function noteTrackerLimits(summary: CaptureSummary, tracker: Tracker, continuationRecords = true): void {
  summary.evictedConnections = tracker.evicted;
  summary.splitConnections = tracker.splitConnections;
  if (tracker.evicted > 0) {
    summary.warnings.push(`${tracker.evicted} connection(s) finalised early because more than ${tracker.maxConnectionsCap} were open at once (--max-connections); the least recently active made room`);
  }
  if (continuationRecords && tracker.splitConnections > 0) {
    const afresh = tracker.splitConnections - tracker.continuedAnalysis;
    summary.warnings.push(`${tracker.splitConnections} continuation record(s): packets came on a connection's 4-tuple after it had been finalised (released after closing, idle or evicted); Wireshark shows them in the same stream, so each is a second record of that connection, with its id and relative numbers ("continuation": true), whose analysis goes on from the stream's state as Wireshark's does, and whose handshake, close, states and Zeek verdict are the stream's` +
      (afresh > 0 ? `; ${afresh} of them started their analysis afresh ("analysisAfresh": more connections were released between them and an earlier part of their stream than the tool keeps the analysis state of: 8 192 until the capture's first continuation, 32 768 from then on), so their analysis flags may differ from Wireshark's and their handshake, close, states and Zeek verdict are those of their own packets` : ''));
  }
}

export class CliContext {
  readonly out: Output;
  /** The exit code so far; raised (never lowered) by the subcommands. */
  code = EXIT_OK;
  /** Draw a progress line on stderr while reading (only if stderr is a terminal, see ProgressBar). */
  progress = false;
  /** A -j worker's capture: its progress goes to the main thread, which draws one line for all. */
  progressTo: ((bytes: number, total: number | null, packets: number) => void) | null = null;
  /**
   * Stop reading a capture once standard output's reader has gone (`| head`): for commands that
   * only print what they analyse. Never for check, whose exit code is its result.
   */
  stopWhenOutputCloses = false;
  /** Read only each capture's first this many frames (-c, explain and check); null: all. */
  frameLimit: number | null = null;

  constructor(readonly io: Io) {
    this.out = new Output(io.stdout);
  }

  err(msg: string): void {
    this.line(`${chalkStderr.red('tcpflow-explain:')} ${msg}\n`);
  }

  warn(msg: string): void {
    this.line(`${chalkStderr.yellow('tcpflow-explain: warning:')} ${msg}\n`);
  }

  /** Lines for standard error waiting for standard output's writes before them, oldest first (line()). */
  private waiting: string[] = [];
  /** messagesWritten()'s promises' resolves, while lines wait. */
  private allWritten: (() => void)[] = [];

  /**
   * A line on standard error, after every byte handed to standard output before it. A pipe is
   * written asynchronously, so with both streams on one pipe (`2>&1 | less`, a CI log), a warning
   * written while standard output's last bytes were still in flight came out among them, in the
   * middle of a line. Such a line now waits for them: standard output is given a write of nothing
   * whose callback, which comes after those of the writes before it, writes the oldest line
   * waiting (and so do the lines after it while one waits, so that they keep their order, also
   * when a stream destroyed calls a later callback before the earlier ones).
   */
  private line(text: string): void {
    const out = this.io.stdout;
    // (a stream ended takes no more writes)
    if (out.writableEnded || (this.waiting.length === 0 && (out.destroyed || !(out.writableLength > 0)))) {
      this.io.stderr.write(text);
      return;
    }
    this.waiting.push(text);
    out.write(NOTHING, this.nextLine);
  }

  /** A write of nothing is done: the oldest line waiting is written. */
  private readonly nextLine = (): void => {
    const text = this.waiting.shift();
    if (text !== undefined) this.io.stderr.write(text);
    if (this.waiting.length === 0) {
      const all = this.allWritten;
      this.allWritten = [];
      for (const resolve of all) resolve();
    }
  };

  /** Resolves once every line of err() and warn() is on standard error (main() waits for it). */
  messagesWritten(): Promise<void> {
    if (this.waiting.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.allWritten.push(resolve);
    });
  }

  fail(code: number): void {
    if (code > this.code) this.code = code;
  }

  /**
   * Standard output is a terminal or a pipe (both are Sockets), which a pager or another program
   * may be showing on the terminal standard error draws on (`| less`, `| jq`): no progress line is
   * drawn while output is written there, or it would cut into that screen.
   */
  get outputMayShare(): boolean {
    return this.io.stdout instanceof Socket;
  }

  /** Terminal width of stdout, 0 when it is not a terminal. */
  get columns(): number {
    const o = this.io.stdout as unknown as { isTTY?: boolean; columns?: number };
    return o.isTTY ? o.columns ?? 0 : 0;
  }

  /**
   * Reads one capture through a new Tracker. Returns null (after the message and exit code 2)
   * when the file cannot be read at all; otherwise the tracker and the capture summary, whose
   * `error` (a damaged record after some frames) the caller reports with {@link reportEnd}.
   * `onRead` is called once the input has been read, before the connections still open are
   * finalised (not for an unreadable capture), with the summary as it is returned (the
   * tracker's limits noted) and the tracker.
   */
  async analyse(
    file: string, observer: PacketObserver | null, options?: TrackerOptions,
    onRead?: (summary: CaptureSummary, tracker: Tracker) => Promise<void>,
    /** Asked after each chunk: true stops the read there (as when the output closes). */
    stop?: () => boolean,
    /** Whether continuations become records of their own (noteTrackerLimits). */
    continuationRecords = true,
  ): Promise<{ tracker: Tracker; summary: CaptureSummary } | null> {
    const tracker = options ? new Tracker(observer, options) : new Tracker(observer);
    let summary: CaptureSummary;
    const stderr = this.io.stderr as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
    const bar = ProgressBar.wanted(stderr, this.progress) ? new ProgressBar(stderr, file, true) : null;
    // finalising what is still open once the input is read has its own line, unless records are
    // written to the terminal meanwhile (onRead may write them as they are finalised)
    let showFinishing = bar !== null;
    try {
      summary = await runCapture(file, tracker, {
        // read only for "-" (see processIo in main.ts)
        stdin: (): Readable => this.io.stdin,
        afterChunk: async () => {
          if (showFinishing && tracker.finishTotal > 0) (bar as ProgressBar).finishing(tracker.finishDone, tracker.finishTotal);
          if (this.out.full) await this.out.flush();
        },
        ...(bar ? { progress: (b: number, t: number | null, n: number) => bar.update(b, t, n) } : this.progressTo ? { progress: this.progressTo } : {}),
        ...(this.stopWhenOutputCloses || stop ? { stop: () => (this.stopWhenOutputCloses && this.out.closed) || (stop?.() ?? false) } : {}),
        ...(this.frameLimit !== null ? { frameLimit: this.frameLimit } : {}),
        afterRead: async (s: CaptureSummary) => {
          // the limits are final once the input is read (finishing evicts and splits nothing)
          if (s.unreadable) return;
          noteTrackerLimits(s, tracker, continuationRecords);
          if (onRead) {
            // output may start now: the progress line goes first
            bar?.done();
            if (this.outputMayShare) showFinishing = false;
            await onRead(s, tracker);
          }
        },
      });
    } catch (e) {
      bar?.done();
      if (e instanceof SourceError) {
        this.err(e.message);
        this.fail(EXIT_USAGE);
        return null;
      }
      throw e;
    }
    bar?.done();
    if (summary.unreadable) {
      this.err(`${file}: ${summary.error?.message}`);
      this.fail(EXIT_USAGE);
      return null;
    }
    return { tracker, summary };
  }

  /**
   * The bar of a line drawn while output is written once the input is read (writing(),
   * readingBack()), drawn after a second: null when standard error is not a terminal, progress
   * was not asked for, or the output goes to standard output (`toOutput`) and that is a terminal
   * or a pipe (outputMayShare).
   */
  private outputBar(name: string, toOutput: boolean): ProgressBar | null {
    const stderr = this.io.stderr as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
    if (!ProgressBar.wanted(stderr, this.progress) || (toOutput && this.outputMayShare)) return null;
    return new ProgressBar(stderr, name, true);
  }

  /**
   * A progress line while `file`'s records are written out of `spools` (in that order), when
   * that takes more than a second: on a terminal standard error, with progress asked for, and
   * standard output a file or /dev/null (outputMayShare: not a terminal, whose records show it,
   * nor a pipe a pager may be reading on the same terminal, `| less`, whose screen the line would
   * cut into each time it reads on). Returns what erases the line, called once they are written.
   */
  writing(file: string, spools: readonly Spool[]): () => void {
    const bar = this.outputBar(file, true);
    if (bar === null) return NO_LINE;
    let total = 0;
    for (const s of spools) total += s.count;
    let before = 0;
    for (const s of spools) {
      const base = before;
      s.onProgress = (done) => bar.writing(base + done, total);
      before += s.count;
    }
    return () => bar.done();
  }

  /**
   * A progress line while a report is made from records read back from spools (check's JSON,
   * JUnit and verbose text reports), when that takes more than a second: `reads`, the spools and
   * how many passes the report makes over each; `doing`, what the line says is being done;
   * `name`, what it is about. On a terminal standard error with progress asked for; when the
   * report goes to standard output (`toOutput`), only when that is a file, as for writing().
   * Returns what erases the line and stops the counting, called once the report is written.
   */
  readingBack(name: string, doing: string, reads: readonly SourceReads[], toOutput: boolean): () => void {
    const bar = this.outputBar(name, toOutput);
    if (bar === null) return NO_LINE;
    let total = 0;
    for (const r of reads) if (r.passes > 0) total += r.passes * r.source.size;
    if (total === 0) return NO_LINE;
    let done = 0;
    const tell = (bytes: number): void => {
      done += bytes;
      bar.doing(doing, done, total);
    };
    for (const r of reads) r.source.onRead = tell;
    return () => {
      for (const r of reads) r.source.onRead = null;
      bar.done();
    };
  }

  /** Warnings of a capture read, and the damaged-record error (exit 2, results kept). */
  reportEnd(file: string, summary: CaptureSummary): void {
    for (const w of summary.warnings) this.warn(`${file}: ${w}`);
    if (summary.error) {
      this.err(`${file}: ${summary.error.message} (the ${summary.packets} frame(s) before it were analysed)`);
      this.fail(EXIT_USAGE);
    }
  }
}
