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
/** Compressed bytes handed to zlib per write (see iterate). */
export const GZIP_SLICE = 64 * 1024;
const GZIP_TRAILER = 8;

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
    const gunzip = createGunzip({ chunkSize: 256 * 1024 });
    // The compressed bytes go to zlib in slices cut at fixed offsets of the compressed stream,
    // whatever chunks they arrived in, and the last 8 bytes (a gzip trailer: CRC32 and size)
    // on their own. On damaged data zlib drops what it inflated in the write that failed; so
    // what is read before the damage is the same from a file, a pipe or any chunking of stdin,
    // and a stream whose only fault is its checksum still gives every byte.
    let pend: Uint8Array = new Uint8Array(0);
    // each write is waited for until zlib has processed it: a write still queued when end() is
    // called would be inflated with Z_FINISH, and its output lost if the stream is cut short
    const write = (b: Uint8Array): Promise<void> => {
      if (b.length === 0 || gunzip.destroyed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = (): void => {
          gunzip.off('close', done);
          resolve();
        };
        gunzip.once('close', done);
        gunzip.write(b, done);
      });
    };
    const put = async (b: Uint8Array): Promise<void> => {
      if (pend.length + b.length < GZIP_SLICE + GZIP_TRAILER) {
        pend = pend.length === 0 ? b : Buffer.concat([pend, b]);
        return;
      }
      const all = pend.length === 0 ? b : Buffer.concat([pend, b]);
      let o = 0;
      while (all.length - o >= GZIP_SLICE + GZIP_TRAILER) {
        await write(all.subarray(o, o + GZIP_SLICE));
        o += GZIP_SLICE;
      }
      pend = all.subarray(o);
    };
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
      const cut = Math.max(0, pend.length - GZIP_TRAILER);
      await write(pend.subarray(0, cut));
      await write(pend.subarray(cut));
      if (!gunzip.destroyed) gunzip.end();
    })();
    try {
      for await (const chunk of gunzip) yield chunk as Uint8Array;
    } catch (e) {
      src.streamError = `gzip: ${(e as Error).message}`;
    }
    await pump.catch(() => undefined);
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

function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    default: return err.message ?? String(e);
  }
}
