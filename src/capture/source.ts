/**
 * Byte sources for the reader: a file path or "-" for standard input, transparently
 * gunzipped when the first two bytes are the gzip magic (1f 8b). Chunks are yielded as they
 * arrive; nothing is buffered beyond one chunk, so memory does not grow with the input.
 */
import { createReadStream, fstatSync, ReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/**
 * Bytes read at a time by the stream of a named file or of a redirected standard input. runCapture
 * reads a plain regular file itself (two buffers used in turn) and streams one only when it is
 * gzip-compressed, so this is the compressed read size. Each compressed chunk is cut into zlib's
 * writes and lives until its last slice is inflated: a 1 MB chunk (7-8 MB of capture) lived long
 * enough to outlast two scavenges, so V8 freed it, and the chunk read ahead behind it, only at a
 * full collection, which it starts once about 64 MB of such buffers are dead. short10m.pcap.gz
 * in ndjson peaked at 153 MB with 1 MB reads, 106 MB with these.
 */
export const STREAM_READ = 64 * 1024;
/** Compressed bytes handed to zlib per write (see gunzipped). */
export const GZIP_SLICE = 1 << 20;
const GZIP_TRAILER = 8;
/** zlib's output chunks. */
const GZIP_CHUNK = 1 << 20;
/** Inflated bytes waiting for the reader before zlib is paused (see gunzipped). */
const GZIP_BYTES_AHEAD = 2 << 20;

/** Raised when the input cannot be opened or read at all (the CLI exits 2). */
export class SourceError extends Error {}

export interface Source {
  /** Name to show: the path, or "-" for stdin. */
  readonly name: string;
  /** Size of the file on disk when known (for progress), else null. */
  readonly size: number | null;
  /** True once the first bytes showed the gzip magic. */
  gzip: boolean;
  /** A gzip stream that ended badly: what zlib said (the data before it is kept). */
  streamError: string | null;
  /**
   * For gzip: the compressed bytes zlib has taken so far, which measure progress against the
   * file's size (the inflated bytes have no known total). 0 otherwise.
   */
  consumed: number;
  /** For "-": standard input's stream, made once (StdinOption); null for a named file. */
  readonly input: Readable | null;
  /** For "-" redirected from a regular file (regularFile): its descriptor, else -1. */
  readonly fd: number;
  chunks(): AsyncGenerator<Uint8Array>;
}

/**
 * Standard input for "-": a stream, or a function that gives it (so that process.stdin, which
 * Node builds on first access, is made only when read); process.stdin when none is given.
 */
export type StdinOption = Readable | (() => Readable);

function standardInput(stdin: StdinOption | undefined): Readable {
  return stdin === undefined ? process.stdin : typeof stdin === 'function' ? stdin() : stdin;
}

/**
 * The descriptor under a stream that is an fs.ReadStream of a regular file not read yet (the
 * CLI's standard input redirected from a file, src/cli/main.ts), with the file's size; null
 * otherwise. runCapture then reads the descriptor itself, from its current position, into two
 * buffers used in turn, as it reads a named file (no garbage per chunk: 96 -> 73 MB peak RSS on
 * short1m's check from `- < file`), and the size is the progress bar's total.
 */
export function regularFile(s: Readable): { fd: number; size: number } | null {
  if (!(s instanceof ReadStream) || s.bytesRead !== 0 || s.readableLength !== 0) return null;
  const fd = (s as ReadStream & { fd: unknown }).fd;
  if (typeof fd !== 'number') return null;
  try {
    const st = fstatSync(fd);
    return st.isFile() ? { fd, size: st.size } : null;
  } catch {
    return null;
  }
}

export function openSource(path: string, stdin?: StdinOption): Source {
  let size: number | null = null;
  let input: Readable | null = null;
  let fd = -1;
  if (path !== '-') {
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      throw new SourceError(`cannot open ${path}: ${describeFsError(e)}`);
    }
    if (st.isDirectory()) throw new SourceError(`cannot read ${path}: it is a directory`);
    size = st.size;
  } else {
    input = standardInput(stdin);
    const file = regularFile(input);
    if (file !== null) {
      fd = file.fd;
      size = file.size;
    }
  }
  const src: Source = {
    name: path,
    size,
    gzip: false,
    streamError: null,
    consumed: 0,
    input,
    fd,
    chunks: () => iterate(src, path, input),
  };
  return src;
}

async function* iterate(src: Source, path: string, input: Readable | null): AsyncGenerator<Uint8Array> {
  const raw: Readable = input ?? createReadStream(path, { highWaterMark: STREAM_READ });
  const it = raw[Symbol.asyncIterator]();
  let first: IteratorResult<Uint8Array>;
  try {
    first = await it.next();
  } catch (e) {
    throw new SourceError(`cannot read ${path}: ${describeFsError(e)}`);
  }
  if (first.done) return;
  let head: Uint8Array = first.value;
  // Need two bytes to decide gzip; an input whose first chunk is 1 byte long (a pipe) gets one more.
  while (head.length < 2) {
    const more = await it.next();
    if (more.done) break;
    const merged = new Uint8Array(head.length + more.value.length);
    merged.set(head, 0);
    merged.set(more.value, head.length);
    head = merged;
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    src.gzip = true;
    yield* gunzipped(src, head, it);
    return;
  }
  yield head;
  for (;;) {
    let r: IteratorResult<Uint8Array>;
    try {
      r = await it.next();
    } catch (e) {
      throw new SourceError(`cannot read ${path}: ${describeFsError(e)}`);
    }
    if (r.done) return;
    yield r.value;
  }
}

/**
 * The inflated bytes of a gzip stream whose first bytes are `head` and the rest `it`.
 *
 * The compressed bytes go to zlib in slices cut at fixed offsets of the compressed stream,
 * whatever chunks they arrived in, and the last 8 bytes (a gzip trailer: CRC32 and size) on
 * their own. On damaged data zlib drops what it inflated in the call that failed (one output
 * chunk at most), and nothing after it is inflated; so what is read before the damage is the
 * same from a file, a pipe or any chunking of standard input, and a stream whose only fault is
 * its checksum still gives every byte. That holds however far zlib runs ahead of the reader:
 * every chunk zlib gave before the error is handed over. Most wait in `ready`; a paused stream
 * also goes on inflating while what waits in its own buffer is under 16 KB, and destroying it on
 * the error leaves that buffer readable, so those are read from it (the stream's own async
 * iterator stops reading once the stream is destroyed, and would drop them).
 *
 * zlib inflates on a thread of libuv's pool while the reader decodes and analyses on the main
 * thread; but each of its calls inflates one output chunk, and the next call is made from the
 * previous one's callback, on the main thread, so zlib works ahead by one chunk at most. Two
 * things keep it working: the chunks are large (1 MB), and so are the slices, so that a call
 * that ends a slice (inflating what is left of it, often a few kilobytes, and waiting for the
 * main thread again) comes once every few megabytes, not every 256 KB. With slices of 64 KB each
 * waited for, and the stream's default buffer of 16 KB, the reader waited for zlib at every
 * chunk: the bulk bench capture gzipped took about the sum of inflating it and analysing it
 * (docs/performance.md, "2026-12-03 (late night)"). zlib is paused once GZIP_BYTES_AHEAD
 * inflated bytes wait for the reader, so memory stays bounded whatever the compression ratio.
 *
 * The slices are two buffers used in turn (one with zlib, one being filled), so they make no
 * garbage: a fresh 1 MB a slice would live until its last byte is inflated, outlasting
 * scavenges, and wait for a full collection, as the 1 MB reads once did (STREAM_READ).
 * Before end() every write is waited for: a write still queued when end() is called would be
 * inflated with Z_FINISH, and its output lost if the stream is cut short.
 */
async function* gunzipped(src: Source, head: Uint8Array, it: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  const gunzip = createGunzip({ chunkSize: GZIP_CHUNK });
  // the writer's side: two slice buffers, each with the number of its writes zlib has not done
  const slices = [Buffer.allocUnsafe(GZIP_SLICE + GZIP_TRAILER), Buffer.allocUnsafe(GZIP_SLICE + GZIP_TRAILER)];
  const writing = [0, 0];
  let k = 0;
  let fill = 0;
  let closed = false;
  const pumpTurn = new Turn();
  // (a write's callback does not come when zlib fails during it: 'close' ends the wait then)
  const doneWith = [(): void => { writing[0]--; pumpTurn.wake(); }, (): void => { writing[1]--; pumpTurn.wake(); }];
  /** Until zlib is done with slice buffer `i`, or the stream closed. */
  const free = async (i: number): Promise<void> => {
    while (writing[i] > 0 && !closed) await pumpTurn.wait();
  };
  const write = (i: number, from: number, to: number): void => {
    if (to === from || gunzip.destroyed) return;
    writing[i]++;
    gunzip.write(slices[i].subarray(from, to), doneWith[i]);
  };
  // a slice goes to zlib once it and the 8 bytes after it are in: the bytes that turn out to be
  // the last 8 must go on their own
  const put = async (b: Uint8Array): Promise<void> => {
    let o = 0;
    while (o < b.length) {
      const n = Math.min(b.length - o, GZIP_SLICE + GZIP_TRAILER - fill);
      slices[k].set(b.subarray(o, o + n), fill);
      fill += n;
      o += n;
      if (fill === GZIP_SLICE + GZIP_TRAILER) {
        const next = k ^ 1;
        await free(next);
        if (gunzip.destroyed) return;
        slices[next].set(slices[k].subarray(GZIP_SLICE), 0);
        write(k, 0, GZIP_SLICE);
        k = next;
        fill = GZIP_TRAILER;
      }
    }
  };
  // the reader's side: chunks given by zlib and not yet yielded
  const ready: Buffer[] = [];
  let readyHead = 0;
  let readyBytes = 0;
  let ended = false;
  let failure: Error | null = null;
  const readerTurn = new Turn();
  gunzip.on('data', (chunk: Buffer) => {
    ready.push(chunk);
    readyBytes += chunk.length;
    if (readyBytes >= GZIP_BYTES_AHEAD) gunzip.pause();
    readerTurn.wake();
  });
  gunzip.once('end', () => {
    ended = true;
    readerTurn.wake();
  });
  gunzip.once('error', (e: Error) => {
    failure = e;
    readerTurn.wake();
  });
  gunzip.once('close', () => {
    closed = true;
    pumpTurn.wake();
    readerTurn.wake();
  });
  const pump = (async () => {
    await put(head);
    for (;;) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await it.next();
      } catch (e) {
        gunzip.destroy(e as Error);
        return;
      }
      if (r.done) break;
      if (gunzip.destroyed) return;
      await put(r.value);
    }
    const cut = Math.max(0, fill - GZIP_TRAILER);
    write(k, 0, cut);
    write(k, cut, fill);
    await free(0);
    await free(1);
    if (!gunzip.destroyed) gunzip.end();
  })();
  try {
    for (;;) {
      if (readyHead < ready.length) {
        const chunk = ready[readyHead];
        ready[readyHead++] = EMPTY;
        readyBytes -= chunk.length;
        if (readyHead === ready.length) {
          ready.length = 0;
          readyHead = 0;
        }
        if (readyBytes < GZIP_BYTES_AHEAD && gunzip.isPaused() && !gunzip.destroyed) gunzip.resume();
        src.consumed = gunzip.bytesWritten;
        yield chunk;
        continue;
      }
      if (failure !== null) {
        // what zlib gave before failing and the paused stream still holds
        for (let rest = gunzip.read() as Buffer | null; rest !== null; rest = gunzip.read() as Buffer | null) yield rest;
        src.streamError = `gzip: ${(failure as Error).message}`;
        break;
      }
      if (ended || closed) break;
      await readerTurn.wait();
    }
    await pump.catch(() => undefined);
  } finally {
    // the reader broke off (stopped early): no more inflating, and the pump stops at its next
    // read (not waited for here: on a pipe that read lasts until the writer writes again)
    if (!ended && !gunzip.destroyed) gunzip.destroy();
  }
}

const EMPTY = Buffer.alloc(0);

/** One side waiting for the other to have done something (one waiter at a time). */
class Turn {
  private waiting: (() => void) | null = null;

  wait(): Promise<void> {
    return new Promise<void>((resolve) => (this.waiting = resolve));
  }

  wake(): void {
    const w = this.waiting;
    this.waiting = null;
    if (w !== null) w();
  }
}

function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    default: return err.message ?? String(e);
  }
}
