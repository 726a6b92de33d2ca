/**
 * A buffered byte sink over a writable stream. Renderers write strings (encoded as UTF-8 on the
 * way in) or bytes (`bytes`, or straight into `writer`); the sink batches them into large writes
 * and waits for 'drain' so memory stays bounded. A stream may keep a chunk after write() returns
 * (a write still in flight, a PassThrough handing it on), so a batch's buffer is filled again
 * only when the stream is one that lets go of a chunk once written (a file, a pipe, a terminal)
 * and has written it: at once (nothing pending after write()), or when its write callback comes;
 * otherwise the next batch gets a new buffer. (A new buffer per batch for standard output left
 * up to ~25 MB of dead buffers between collections.) A closed pipe (EPIPE, as in
 * `tcpflow-explain x.pcap | head`) ends output quietly instead of raising.
 */
import { Writable } from 'node:stream';
import { Socket } from 'node:net';
import { closeSync, openSync, WriteStream } from 'node:fs';
import { ByteWriter } from './bytes.js';
import { writeAll } from './file.js';

/**
 * Bytes buffered before the caller is asked to flush. 256 KB rather than 64: each write to
 * standard output is a native call and a system call, and short10m's 2 GB of `--json` took
 * 0.21 s a run in them with 30 000 writes of 64 KB, 0.07 s with 256 KB (CPU profiles, two
 * runs each; docs/performance.md, "late night").
 */
const FLUSH_AT = 256 * 1024;
/** A batch buffer: a flush's worth and room for the record that crosses it. */
const BATCH = 2 * FLUSH_AT;
/**
 * A batch buffer that grew (records written between two flushes: NDJSON writes a chunk's
 * connections at once) is filled again, not replaced by a small one that grows again, up to
 * this size. 8 MB, not 4: a SYN flood's 1 MB chunk is 12 000 packets, whose NDJSON packet
 * lines are 4.3 MB, so each chunk grew a new buffer from 512 KB to 8 MB (synflood NDJSON
 * `--packets` 3.39 -> 3.02 s and 337 -> 299 MB peak RSS, medians of 5).
 */
const BATCH_KEPT = 8 << 20;
/**
 * Batch buffers the stream is done with are kept to be filled again up to this many bytes: two
 * batches grown to BATCH_KEPT, or 32 of spill()'s, which a pipe gives back a flush at a time.
 */
const SPARE_BYTES = 2 * BATCH_KEPT;
/**
 * flush() lets the event loop run once this many bytes were flushed since it last did. A stream
 * that writes at once (standard output to a file or /dev/null) calls back through
 * process.nextTick, and a loop of writes and awaited flushes (a spool drained to the output)
 * never leaves the microtask queue: every write's callback and chunk view waited until the
 * loop ended. Draining short10m's 2 GB of --json records, they outlived enough scavenges that
 * V8 grew the young generation from 8 to 32 MB: peak RSS 144 MB, against 113 MB when it did not.
 */
const YIELD_EVERY = 16 << 20;
/** Longer strings are encoded on their own instead of into the batch buffer (no regrowing). */
const LONG_TEXT = 1 << 20;

/** The output could not be written (a full disk, a device error): a message for the user, not an internal error. */
export class OutputError extends Error {}

/** Why a write or read failed, as a user reads it (a full disk said plainly). */
export function ioReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err?.code === 'ENOSPC' ? 'no space left on device' : (err?.message ?? String(e));
}

function outputError(e: unknown): OutputError {
  return new OutputError(`cannot write the output: ${ioReason(e)}`);
}

export class Output {
  /** The current batch: write into it directly, then check `full`. */
  readonly writer = new ByteWriter(BATCH);
  /** Batches (and long texts) waiting for the next flush, before the writer's bytes. */
  private pending: Buffer[] = [];
  private pendingSize = 0;
  /** By pending entry, the whole batch buffer it was cut from when that may be filled again (cut()), else null. */
  private pendingBatches: (Buffer | null)[] = [];
  closed = false;
  /** The stream keeps no reference to a chunk it has written (see above). */
  private readonly reusable: boolean;
  /**
   * The stream writes what it is given before write() returns (standard output to a file or a
   * device, a -j job's file): writeNow() may then hand it a batch in the middle of a record.
   */
  readonly writesAtOnce: boolean;
  /** Batch buffers the stream is done with. */
  private spare: Buffer[] = [];
  private spareBytes = 0;

  constructor(private readonly stream: Writable) {
    // standard output to a file is a SyncWriteStream (internal to Node: known by its name); to a
    // pipe or a terminal, a Socket. fs.WriteStream is asked last: reading it makes node:fs load
    // its streams and node:fs/promises (about 1 ms), which standard output never needs.
    this.writesAtOnce = stream.constructor.name === 'SyncWriteStream' || stream instanceof FileSink;
    this.reusable = this.writesAtOnce || stream instanceof Socket || stream instanceof WriteStream;
    stream.on('error', (e: NodeJS.ErrnoException) => {
      // a reader that went away (`| head`): output ends quietly; anything else is reported by flush()
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') this.failure ??= outputError(e);
      this.closed = true;
    });
  }

  /** Why writing failed (not for a closed pipe), once it has; flush() throws it. */
  failure: OutputError | null = null;

  write(s: string): void {
    if (this.closed) return;
    if (s.length >= LONG_TEXT) {
      this.cut();
      const b = Buffer.from(s);
      this.pending.push(b);
      this.pendingBatches.push(null);
      this.pendingSize += b.length;
      return;
    }
    this.writer.text(s);
  }

  /** `len` bytes of `src` from `start` (copied: `src` may be reused at once). */
  bytes(src: Uint8Array, start: number, len: number): void {
    if (this.closed) return;
    this.writer.bytes(src, start, len);
  }

  /** `len` bytes of `src` from `start`, written with chunks as references: put back (ByteWriter.expandRefs). */
  expanded(src: Uint8Array, start: number, len: number): void {
    if (this.closed) return;
    this.writer.expandRefs(src, start, len);
  }

  /**
   * `len` bytes of `src` from `start`, handed over: written as they are at the next flush, not
   * copied, so the caller must not write into `src` again. For a record of megabytes (a long
   * connection's packets), which a copy into the batch took as long as rendering it.
   */
  give(src: Buffer, start: number, len: number): void {
    if (this.closed) return;
    this.cut();
    this.pending.push(src.subarray(start, start + len));
    this.pendingBatches.push(null);
    this.pendingSize += len;
  }

  /** Bytes written and not yet handed to the stream. */
  get buffered(): number {
    return this.pendingSize + this.writer.pos;
  }

  /** True when enough is buffered that the caller should await flush(). */
  get full(): boolean {
    return this.buffered >= FLUSH_AT;
  }

  /** Moves the writer's bytes to the pending batches; the writer gets a fresh buffer. */
  private cut(): void {
    const w = this.writer;
    if (w.pos === 0) return;
    const b = w.buf.subarray(0, w.pos);
    this.pending.push(b);
    this.pendingBatches.push(this.refillable(w.buf) ? w.buf : null);
    this.pendingSize += b.length;
    this.fresh();
  }

  /** A batch buffer for the writer: a spare one, or a new one. */
  private fresh(): void {
    const b = this.spare.pop();
    if (b === undefined) this.writer.reset(BATCH);
    else {
      this.spareBytes -= b.length;
      this.writer.reuse(b);
    }
  }

  async flush(): Promise<void> {
    if (this.failure !== null) throw this.failure;
    const n = this.buffered;
    try {
      await this.writeOut();
    } catch (e) {
      // a stream that writes at once (a file as standard output) throws from write()
      this.failure = outputError(e);
      this.closed = true;
      throw this.failure;
    }
    if (this.failure !== null) throw this.failure;
    this.sinceYield += n;
    if (this.sinceYield >= YIELD_EVERY) {
      this.sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Bytes flushed since flush() last let the event loop run (YIELD_EVERY). */
  private sinceYield = 0;

  /**
   * For a record of megabytes rendered straight into the batch (a long connection's packet
   * records, between two of them): once a flush's worth is buffered, and when the stream writes
   * at once, the batches are written now and the batch filled again, so the record never takes
   * more memory than a batch. Otherwise nothing: the caller's flush after the record writes it.
   * (A record of 100 000 packets is 25 MB, which a buffer of its own took as new memory: 6 000
   * pages, 60 ms where a fresh page costs 10 us.) An error is kept for flush() to throw.
   */
  writeNow(): void {
    if (!this.writesAtOnce || this.closed || this.failure !== null || this.buffered < FLUSH_AT) return;
    try {
      this.writeBatches();
    } catch (e) {
      this.failure = outputError(e);
      this.closed = true;
    }
  }

  /**
   * For a writer of many records between two flushes (NDJSON's lines of the connections
   * finalised, and packet lines, while a chunk of the capture is analysed): once a flush's worth
   * is in the writer's batch, it is handed to a stream that writes at once (writeNow), else moved
   * to the pending batches, so that the batch never grows past its size. A chunk's lines can be
   * 20 MB (a RST flood's: each connection closes at its packet and is written within the chunk),
   * and a batch grown to that by doubling was copied on the way, on fresh pages, and then not
   * kept (BATCH_KEPT): NDJSON `--packets` on 1M RSTs took 7.8 s, 3.3 of them copying.
   */
  spill(): void {
    if (this.writer.pos < FLUSH_AT || this.closed) return;
    if (this.writesAtOnce) this.writeNow();
    else this.cut();
  }

  /**
   * Hands the pending batches and the writer's to the stream; returns false when the stream
   * asks to wait for 'drain'. The writer's batch is filled again at once when the stream has
   * written it through (a file; a -j job's ring may hold it until there is room), else when the
   * stream is done with it (a spare), else the writer gets a fresh one.
   */
  private writeBatches(): boolean {
    let ok = true;
    for (let i = 0; i < this.pending.length; i++) {
      const batch = this.pendingBatches[i];
      if (batch === null) ok = this.stream.write(this.pending[i]);
      else ok = this.stream.write(this.pending[i], () => this.keepSpare(batch));
    }
    this.pending.length = 0;
    this.pendingBatches.length = 0;
    this.pendingSize = 0;
    const w = this.writer;
    if (w.pos === 0) return ok;
    const batch = w.buf;
    if (this.refillable(batch)) {
      let kept = false;
      ok = this.stream.write(batch.subarray(0, w.pos), () => {
        if (!kept) this.keepSpare(batch);
      });
      kept = this.stream.writableLength === 0;
      if (kept) w.pos = 0;
      else this.fresh();
    } else {
      ok = this.stream.write(batch.subarray(0, w.pos));
      this.fresh();
    }
    return ok;
  }

  /** Whether the batch buffer `b` may be filled again once the stream is done with it. */
  private refillable(b: Buffer): boolean {
    return this.reusable && b.length >= BATCH && b.length <= BATCH_KEPT;
  }

  /**
   * A batch the stream is done with, kept to be filled again while the spares take at most
   * SPARE_BYTES (spill()'s batches cut for a pipe come back a chunk's worth at a time).
   */
  private keepSpare(batch: Buffer): void {
    if (this.spareBytes + batch.length > SPARE_BYTES) return;
    this.spare.push(batch);
    this.spareBytes += batch.length;
  }

  /** Hands the batches to the stream; waits for 'drain' when it is full. */
  private async writeOut(): Promise<void> {
    if (this.closed) {
      this.pending.length = 0;
      this.pendingBatches.length = 0;
      this.pendingSize = 0;
      this.writer.pos = 0;
      return;
    }
    if (!this.writeBatches()) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
        this.stream.on('error', done);
      });
    }
  }
}

/**
 * A file written synchronously, as standard output to a file is (Node's SyncWriteStream): for
 * the output of a -j worker, which otherwise waited on the thread pool for every batch (an
 * fs.WriteStream takes 16 KB before it asks to wait). A write error (a full disk) is the
 * stream's 'error', as from any other stream.
 */
export class FileSink extends Writable {
  private fd = -1;

  constructor(private readonly path: string) {
    super();
  }

  /** Opened before the first write; a file that cannot be made is the stream's 'error'. */
  override _construct(cb: (e?: Error | null) => void): void {
    try {
      this.fd = openSync(this.path, 'w');
    } catch (e) {
      cb(e as Error);
      return;
    }
    cb();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    let err: Error | null = null;
    // once a batch of 64 KB or more, not in the hot path
    try {
      writeAll(this.fd, chunk, 0, chunk.length);
    } catch (e) {
      err = e as Error;
    }
    cb(err);
  }

  override _destroy(e: Error | null, cb: (e?: Error | null) => void): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    cb(e);
  }
}
