/**
 * capture → decode: reads one input as a stream, decodes every frame, keeps the capture-level
 * counts of the JSON contract's `capture` object, and hands each TCP packet to a sink.
 *
 * The per-frame loop allocates nothing and throws nothing: the reader reports "need more" and
 * errors as values, the decoder reports statuses. Only the first MAX_MALFORMED_KEPT malformed
 * frames are kept with their messages (the count goes on), so memory does not grow with bad input.
 */
import { CaptureReader, FRAME, type CaptureFormat } from './capture/reader.js';
import { openSource, SourceError, type Source, type StdinOption } from './capture/source.js';
import { Readable } from 'node:stream';
import { closeSync, openSync, read, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Frame } from './capture/frame.js';
import { linkTypeName } from './capture/linktypes.js';
import { Decoder } from './decode/decoder.js';
import {
  Packet, DECODED_TCP, SKIPPED, MALFORMED, SKIP_NAMES, SKIP_LINK_TYPE, SKIP_TRUNCATED, LAYER_NAMES,
} from './decode/packet.js';

export const MAX_MALFORMED_KEPT = 100;

export interface PacketSink {
  /** Called for every frame whose TCP header decoded; both objects are reused after return. */
  packet(frame: Frame, p: Packet): void;
  /** Called once, before any packet, with the timestamp of the capture's first frame (TCP or not). */
  start?(sec: number, nsec: number): void;
  /** Called once after the last frame. */
  finish?(): void;
  /** Instead of finish: called after the last frame until it returns true (output flushed between calls). */
  finishStep?(): boolean;
  /**
   * Batches (a sink that has all three): while `batchWanted()` says so, up to BATCH decoded TCP
   * packets are given to `prepare` before any of them is handed over, then each goes to
   * `packetAt` with its index in the batch, in order; otherwise packets go to `packet` one at a
   * time. A batch's frames and packets stay valid until its last has been handed over. The
   * tracker uses this to load the batch's connections from memory together (Tracker.prepare).
   */
  batchWanted?(): boolean;
  prepare?(packets: readonly Packet[], n: number): void;
  packetAt?(frame: Frame, p: Packet, i: number): void;
}

/**
 * Packets a batch holds. The batch's loads are started together, so the processor overlaps
 * their cache misses; what the batch touches (32 connections of about 1.2 KB) stays in the
 * first two levels of cache until its packets are processed.
 */
export const BATCH = 32;

export interface MalformedFrame {
  frame: number;
  offset: number;
  layer: string;
  reason: string;
}

/** The contract's `capture` object. */
export interface CaptureSummary {
  file: string;
  format: CaptureFormat | null;
  gzip: boolean;
  linkTypes: string[];
  packets: number;
  tcpPackets: number;
  skipped: Record<string, number>;
  malformed: MalformedFrame[];
  malformedCount: number;
  truncatedPackets: number;
  truncated: boolean;
  bytes: number;
  firstTime: number | null;
  lastTime: number | null;
  /** Last minus first timestamp, computed from exact seconds and nanoseconds. */
  duration: number | null;
  /** Reading stopped before the end: why (the CLI exits 2). */
  error: { offset: number; message: string } | null;
  /** Connections finalised early by the cap on open connections (set by the CLI from the tracker). */
  evictedConnections?: number;
  /** Connections started by a packet Wireshark would have added to an already finalised stream. */
  splitConnections?: number;
  /** Nothing could be read: not a capture, unreadable header. */
  unreadable: boolean;
  /** The most frames read (RunOptions.frameLimit), null without one. */
  frameLimit: number | null;
  /** Reading stopped at frameLimit with more of the input left unread. */
  stoppedAtLimit: boolean;
  warnings: string[];
}

export interface RunOptions {
  /** Standard input, for the path "-" (see StdinOption). */
  stdin?: StdinOption;
  /** Called after each chunk has been processed (progress, flushing output). */
  afterChunk?: () => Promise<void> | void;
  /** Called after each chunk with the bytes consumed, the input's size (null if unknown) and the frames read. */
  progress?: (bytes: number, total: number | null, packets: number) => void;
  /**
   * Called once the input has been read, before the connections still open are finalised, with
   * the summary (final by then: finishing connections reads nothing): an output can write what
   * comes before the records now, and the records of the connections finalised from here on
   * straight after it.
   */
  afterRead?: (summary: CaptureSummary) => Promise<void> | void;
  /**
   * Checked after each chunk: true stops the run there (nothing more is read, and the
   * connections still open are not finalised: afterRead is not called either). For an output
   * whose reader has gone (`| head`), where whatever more is analysed could not be shown.
   */
  stop?: () => boolean;
  /**
   * Read only the capture's first this many frames (the CLI's -c, as tshark's and tcpdump's):
   * then the input is not read further, and the run ends as at the end of input (the
   * connections still open are finalised as they stand).
   */
  frameLimit?: number;
}

export class CaptureRun {
  readonly reader = new CaptureReader();
  readonly decoder = new Decoder();
  packets = 0;
  tcpPackets = 0;
  truncatedPackets = 0;
  badOptionPackets = 0;
  bytes = 0;
  firstSec = 0;
  firstNsec = 0;
  haveFirst = false;
  lastSec = 0;
  lastNsec = 0;
  readonly skipCounts = new Float64Array(SKIP_NAMES.length);
  readonly malformedByLayer = new Float64Array(LAYER_NAMES.length);
  readonly skippedLinkTypes = new Map<number, number>();
  readonly malformed: MalformedFrame[] = [];
  malformedCount = 0;

  /** The frame read one at a time (the reader's own). */
  private readonly frame: Frame;
  /** Batching: one frame and one decoder per packet of a batch (see PacketSink.prepare). */
  private readonly batched: boolean;
  private readonly frames: Frame[] = [];
  private readonly decoders: Decoder[] = [];
  private readonly batch: Packet[] = [];

  constructor(private readonly sink: PacketSink) {
    this.frame = this.reader.frame;
    this.batched = sink.prepare !== undefined && sink.packetAt !== undefined && sink.batchWanted !== undefined;
    if (this.batched) {
      for (let i = 0; i < BATCH; i++) {
        const d = i === 0 ? this.decoder : new Decoder();
        this.frames.push(i === 0 ? this.reader.frame : new Frame());
        this.decoders.push(d);
        this.batch.push(d.packet);
      }
    }
  }

  /** Feeds one chunk and processes every complete record in it. */
  push(chunk: Uint8Array): void {
    this.reader.feed(chunk);
    this.drain();
  }

  /**
   * Feeds one chunk without processing it. Once this returns, the reader holds no view of the
   * chunk fed before (the bytes of a record straddling the two are copied), so its buffer may be
   * refilled while this one is processed by drain().
   */
  feed(chunk: Uint8Array): void {
    this.reader.feed(chunk);
  }

  /** Marks end of input and processes what is left. */
  finish(): void {
    this.reader.endInput();
    this.drain();
  }

  /** Processes every complete record fed so far. */
  drain(): void {
    const r = this.reader;
    const sink = this.sink;
    const f = this.frame;
    const d = this.decoder;
    const p = d.packet;
    const batched = this.batched;
    for (;;) {
      if (batched && (sink.batchWanted as () => boolean)()) {
        if (!this.runBatch()) return;
        continue;
      }
      // one at a time, BATCH frames until the next check
      r.frame = f;
      for (let k = 0; k < BATCH; k++) {
        if (r.next() !== FRAME) return; // NEED_MORE or DONE
        if (this.frameRead(f, d) === DECODED_TCP) sink.packet(f, p);
      }
    }
  }

  /**
   * For a sink that takes batches: reads and decodes up to BATCH TCP packets, each into a frame
   * and decoder of its own, then has them prepared and handed over. False when the reader has
   * no more frames for now. A batch never outlives drain(), so its frames never view a buffer
   * the reader has let go of.
   */
  private runBatch(): boolean {
    const r = this.reader;
    const sink = this.sink as Required<Pick<PacketSink, 'prepare' | 'packetAt'>>;
    const frames = this.frames;
    const decoders = this.decoders;
    const batch = this.batch;
    let more = true;
    let n = 0;
    while (n < BATCH) {
      const f = frames[n];
      r.frame = f;
      if (r.next() !== FRAME) {
        more = false; // NEED_MORE or DONE
        break;
      }
      if (this.frameRead(f, decoders[n]) === DECODED_TCP) n++;
    }
    if (n > 0) {
      sink.prepare(batch, n);
      for (let i = 0; i < n; i++) sink.packetAt(frames[i], batch[i], i);
    }
    return more;
  }

  /** Counts a frame read and decodes it with `d`: the decoder's status. */
  private frameRead(f: Frame, d: Decoder): number {
    const p = d.packet;
    this.packets++;
    this.bytes += f.capLen;
    if (f.hasTs) {
      if (!this.haveFirst) {
        this.haveFirst = true;
        this.firstSec = f.tsSec;
        this.firstNsec = f.tsNsec;
        if (this.sink.start) this.sink.start(f.tsSec, f.tsNsec);
      }
      this.lastSec = f.tsSec;
      this.lastNsec = f.tsNsec;
    }
    const s = d.decode(f);
    if (s === DECODED_TCP) {
      this.tcpPackets++;
      if (p.truncated) this.truncatedPackets++;
      if (p.optionsMalformed) this.badOptionPackets++;
    } else if (s === SKIPPED) {
      if (p.skip === SKIP_LINK_TYPE) {
        this.skippedLinkTypes.set(f.linkType, (this.skippedLinkTypes.get(f.linkType) ?? 0) + 1);
      } else {
        this.skipCounts[p.skip]++;
      }
    } else if (s === MALFORMED) {
      this.malformedByLayer[p.layer]++;
      this.malformedCount++;
      if (this.malformed.length < MAX_MALFORMED_KEPT) {
        this.malformed.push({ frame: f.number, offset: f.offset, layer: LAYER_NAMES[p.layer], reason: p.reason });
      }
    }
    return s;
  }

  summary(file: string, src: Source | null): CaptureSummary {
    const r = this.reader;
    const skipped: Record<string, number> = {};
    for (let i = 1; i < SKIP_NAMES.length; i++) if (this.skipCounts[i] > 0) skipped[SKIP_NAMES[i]] = this.skipCounts[i];
    for (const [lt, n] of [...this.skippedLinkTypes].sort((a, b) => a[0] - b[0])) skipped[`link-type:${linkTypeName(lt)}`] = n;
    for (let i = 0; i < LAYER_NAMES.length; i++) if (this.malformedByLayer[i] > 0) skipped[`malformed:${LAYER_NAMES[i]}`] = this.malformedByLayer[i];
    const warnings: string[] = [];
    let truncated = r.truncated;
    if (r.truncation) warnings.push(r.truncation);
    if (src?.streamError) {
      truncated = true;
      warnings.push(`${src.streamError} (input ends there)`);
    }
    for (const n of r.notes) warnings.push(n);
    if (r.fractionOverflows > 0) {
      warnings.push(`${r.fractionOverflows} record(s) have a timestamp fraction of a second or more; carried into the seconds as Wireshark does`);
    }
    if (this.truncatedPackets > 0) {
      warnings.push(`${this.truncatedPackets} TCP packet(s) cut short by the snapshot length: headers decoded, lengths taken from the IP header`);
    }
    if (this.badOptionPackets > 0) warnings.push(`${this.badOptionPackets} TCP packet(s) with a malformed option list (options read up to the bad one)`);
    for (const [lt, n] of this.skippedLinkTypes) {
      warnings.push(`${n} frame(s) of link type ${linkTypeName(lt)} (${lt}) not decoded: this link type is not supported`);
    }
    const limit = r.limit === Infinity ? null : r.limit;
    if (r.stoppedAtLimit) {
      warnings.push(`reading stopped after the first ${limit} frames (-c ${limit}); the rest of the capture was not read, and the connections still open there are reported as they stood`);
    }
    const shortFrames = this.skipCounts[SKIP_TRUNCATED];
    if (shortFrames > 0) warnings.push(`${shortFrames} frame(s) too short to hold their own headers (cut by the snapshot length or damaged)`);
    if (this.malformedCount > 0) {
      const m = this.malformed[0];
      warnings.push(`${this.malformedCount} malformed frame(s); first: frame ${m.frame} (offset ${m.offset}): ${m.layer}: ${m.reason}`);
    }
    return {
      file,
      format: r.format,
      gzip: src?.gzip ?? false,
      linkTypes: r.linkTypes.map(linkTypeName),
      packets: this.packets,
      tcpPackets: this.tcpPackets,
      skipped,
      malformed: this.malformed,
      malformedCount: this.malformedCount,
      truncatedPackets: this.truncatedPackets,
      truncated,
      bytes: this.bytes,
      firstTime: this.haveFirst ? this.firstSec + this.firstNsec / 1e9 : null,
      lastTime: this.haveFirst ? this.lastSec + this.lastNsec / 1e9 : null,
      duration: this.haveFirst ? (this.lastSec - this.firstSec) + (this.lastNsec - this.firstNsec) / 1e9 : null,
      // a gzip stream damaged before anything readable came out: say so, not only "empty input"
      error: r.error
        ? { offset: r.error.offset, message: r.error.fatal && src?.streamError ? `${src.streamError}; before it: ${r.error.message}` : r.error.message }
        : null,
      unreadable: r.error?.fatal ?? false,
      frameLimit: limit,
      stoppedAtLimit: r.stoppedAtLimit,
      warnings,
    };
  }
}

/** Reads a whole input (path or "-") through the sink. Throws SourceError if it cannot be opened. */
export async function runCapture(path: string, sink: PacketSink, opts: RunOptions = {}): Promise<CaptureSummary> {
  let src = openSource(path, opts.stdin);
  const run = new CaptureRun(sink);
  const limit = opts.frameLimit ?? Infinity;
  run.reader.limit = limit;
  // the size on disk measures progress only when the chunks are the file's own bytes
  let bytes = 0;
  let stopped = false;
  // feed and drain are separate so that the direct reader can start reading the next chunk
  // (into the buffer the reader has just let go of) while this one is decoded
  const drained = async (n: number): Promise<boolean> => {
    run.drain();
    bytes += n;
    // gzip: the compressed bytes taken of the file's size (zlib runs ahead of the reader by
    // a few hundred kilobytes of them at most), or, with no size (a pipe), the inflated bytes
    if (opts.progress) {
      const done = src.gzip && src.size !== null ? src.consumed : bytes;
      // with a frame limit, the end is where the limit's frames are expected at the rate so far
      const total = limit === Infinity || run.packets === 0 ? src.size : Math.min(src.size ?? Infinity, Math.ceil((done * limit) / run.packets));
      opts.progress(done, total, run.packets);
    }
    if (opts.afterChunk) await opts.afterChunk();
    if (opts.stop?.()) {
      stopped = true;
      return false;
    }
    // at the frame limit nothing more is read (the reader has stopped: finish() below ends the run)
    return run.reader.error === null && !run.reader.stoppedAtLimit;
  };
  let direct = false;
  if (path !== '-' && src.size !== null) {
    const head = await readFileDirect(path, run, drained);
    direct = head === true;
    // a small gzip file: inflated at once, when it inflates whole (see inflateSmall)
    const inflated = head === true || src.size > SMALL_GZIP ? null : inflateSmall(path, head, src.size);
    if (inflated !== null) {
      direct = true;
      src.gzip = true;
      src.consumed = src.size;
      for (let at = 0; at < inflated.length; at += DIRECT_CHUNK) {
        const piece = inflated.subarray(at, Math.min(inflated.length, at + DIRECT_CHUNK));
        run.feed(piece);
        if (!(await drained(piece.length))) break;
      }
    }
  } else if (src.fd >= 0) {
    // standard input that is a regular file (`- < capture.pcap`) is read as a named file is
    const r = await readFdDirect(src.fd, path, run, drained);
    if (r === true) direct = true;
    // gzip: what was read, then the rest from where the reads left the file
    else src = openSource(path, Readable.from(prepend(r, src.input as Readable)));
  }
  if (!direct) {
    for await (const chunk of src.chunks()) {
      run.feed(chunk);
      if (!(await drained(chunk.length))) break;
    }
  }
  // stopped: what was not read is not a capture cut short (no endInput, no warning about it)
  if (!stopped) run.finish();
  const summary = run.summary(path, src);
  if (stopped) return summary;
  if (opts.afterRead) await opts.afterRead(summary);
  if (sink.finishStep) {
    // (Date.now(), not performance.now(): the global `performance` loads nine modules, perf_hooks
    // among them, on first use: 777.6M -> 768.7M instructions of a small capture's --json
    // (callgrind); a turn every 2 ms needs no finer clock)
    let turn = Date.now();
    while (!sink.finishStep()) {
      if (opts.afterChunk) await opts.afterChunk();
      if (opts.stop?.()) break;
      // a turn of the event loop every few milliseconds, as reading gives one between chunks:
      // the callbacks of the spools' background writes run, so the writes done are counted as
      // done. Without it a million connections finalised at the end of input (a SYN flood) had
      // every spill after the first 8 written on the main thread (check --json: 910 of 918).
      // Not after every step: --json's steps end at each flush of the output, 30 000 on the
      // flood, and a turn after each took 2-4% of its time
      const now = Date.now();
      if (now - turn >= TURN_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        turn = now;
      }
    }
  } else if (sink.finish) {
    sink.finish();
  }
  return summary;
}

/** Finalising at the end of input gives the event loop a turn this often (milliseconds). */
const TURN_MS = 2;
const DIRECT_CHUNK = 1 << 20;
/**
 * The first read is smaller (64 KB, a few hundred packets), so the reader's end-of-chunk path
 * (a record straddling two chunks, the next read) runs while its code is still interpreted.
 * Read in 1 MB from the start, that path first ran after ~8 500 packets of the bulk capture,
 * once V8 had optimised the reader without it: three functions deoptimised and were compiled
 * again (`--trace-deopt`), and the packets until then went through slower code. Interleaved
 * runs of the bulk capture (`--json`, medians of 15): 318 ms with a 1 MB first read, 281-288
 * with 16, 64 or 256 KB; no change on short1m (864 against 876 ms).
 */
const FIRST_CHUNK = 64 << 10;

/**
 * A gzip file of at most this many bytes is inflated at once (inflateSmall). Bigger ones gain
 * from the stream, which inflates on the other core while the main thread analyses: real6 gzipped
 * (2.7 MB, 15 MB inflated) took 213 ms by the stream and 230 inflated at once; its first 20 000
 * packets (0.45 MB, 2.8 MB inflated) 117 and 120 ms (medians of 9).
 */
const SMALL_GZIP = 256 << 10;
/** What inflateSmall() inflates at most; beyond it the stream's way. */
const SMALL_GZIP_INFLATED = 4 << 20;

/**
 * A small gzip file's bytes inflated in one call, on the main thread, from `head`, its first
 * bytes as the direct read took them (the whole file when it is no longer than the first read,
 * else the rest is read after them); null when it cannot be read, is damaged anywhere (a bad block, a checksum, its end cut off, bytes after it)
 * or would inflate to more than SMALL_GZIP_INFLATED: then it takes the stream's way (source.ts
 * gunzipped(), which keeps what came before the damage and says what zlib said), so only a file
 * that inflates whole comes this way, with the same bytes. The stream inflates on libuv's pool,
 * a chunk a call, each waited for: a student's capture of 32 KB (examples/class) waited about
 * 1.6 ms for it, most of a `grade --batch` submission's time (docs/performance.md, "2026-12-07
 * (morning, 06:18)").
 */
export function inflateSmall(path: string, head: Uint8Array, size: number): Buffer | null {
  let gz: Uint8Array = head;
  if (head.length < size) {
    // the rest of the file after the bytes the first read took (not the whole file again)
    const whole = Buffer.allocUnsafe(size);
    whole.set(head);
    let fd = -1;
    try {
      fd = openSync(path, 'r');
      let at = head.length;
      while (at < size) {
        const n = readSync(fd, whole, at, size - at, at);
        if (n === 0) return null;
        at += n;
      }
    } catch {
      return null;
    } finally {
      if (fd >= 0) closeSync(fd);
    }
    gz = whole;
  }
  try {
    return gunzipSync(gz, { maxOutputLength: SMALL_GZIP_INFLATED });
  } catch {
    return null;
  }
}

/**
 * A plain (not gzip) regular file read into two buffers used in turn, so reading allocates
 * nothing per chunk: a fresh megabyte per chunk becomes garbage outside the JavaScript heap that
 * only a full collection frees, and made peak memory grow with the file. Two buffers suffice:
 * once a chunk is fed, the reader keeps no view of the one before (a record straddling the two is
 * copied into its own buffer), so the next read goes into that buffer while this chunk is
 * decoded: the read (a thread of libuv's pool) overlaps the decoding instead of adding to it.
 * Returns true once read, or for a gzip file the bytes of its first read (nothing fed), for
 * inflateSmall() or the stream's way.
 * Through node:fs's callbacks: node:fs/promises (and what it loads) took about 1 ms of every
 * start, for nothing else. The file is opened and closed, and read first and at its end,
 * synchronously (readFdDirect): a small capture then never starts libuv's thread pool, whose
 * first task waited 1.5-6 ms for its threads (fresh stacks) on this machine, and no read waits
 * for a turn of the event loop where nothing could overlap it.
 */
async function readFileDirect(path: string, run: CaptureRun, drained: (n: number) => Promise<boolean>): Promise<true | Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new SourceError(`cannot open ${path}: ${(e as Error).message}`);
  }
  try {
    return await readFdDirect(fd, path, run, drained);
  } finally {
    closeSync(fd);
  }
}

/**
 * readFileDirect's reading, from an open file's current position: true once read (or stopped),
 * or, for gzip, the bytes read (the first read's) and nothing fed. The file is left open.
 */
async function readFdDirect(fd: number, path: string, run: CaptureRun, drained: (n: number) => Promise<boolean>): Promise<true | Uint8Array> {
  const bufs = [Buffer.allocUnsafe(DIRECT_CHUNK), Buffer.allocUnsafe(DIRECT_CHUNK)];
  const readInto = (b: Buffer, len: number): Promise<number> =>
    new Promise((ok, fail) => read(fd, b, 0, len, null, (e, n) => (e ? fail(e) : ok(n))));
  // a read with nothing to overlap it (the first, and the one after a short read: the end of
  // the file, or what was appended since) is made at once, without the thread pool
  // (async: a failed read rejects, as readInto's does)
  const readNow = async (b: Buffer, len: number): Promise<number> => readSync(fd, b, 0, len, null);
  let pending: Promise<number> | null = null;
  try {
    let k = 0;
    let first = true;
    let want = FIRST_CHUNK;
    pending = readNow(bufs[0], want);
    for (;;) {
      const b = bufs[k];
      let n: number;
      try {
        n = await (pending as Promise<number>);
      } catch (e) {
        throw new SourceError(`cannot read ${path}: ${(e as Error).message}`);
      } finally {
        pending = null;
      }
      if (first) {
        first = false;
        if (n >= 2 && b[0] === 0x1f && b[1] === 0x8b) return b.subarray(0, n);
      }
      if (n === 0) return true;
      run.feed(b.subarray(0, n));
      k ^= 1;
      // a short read is the end of a regular file (or it shrank): no read ahead past it
      const full = n === want;
      want = DIRECT_CHUNK;
      if (full) pending = readInto(bufs[k], want);
      if (!(await drained(n))) return true;
      if (pending === null) pending = readNow(bufs[k], want);
    }
  } finally {
    // a read still in flight (stopped at damaged data) must finish before the file is closed
    if (pending !== null) await pending.catch(() => 0);
  }
}

/** The bytes read so far, then the rest of the stream. */
async function* prepend(head: Uint8Array, rest: Readable): AsyncGenerator<Uint8Array> {
  yield head;
  for await (const chunk of rest) yield chunk as Uint8Array;
}
