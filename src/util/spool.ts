/**
 * Rendered records waiting to be written in key order (connection ids), when they are produced
 * in another order (connections are finalised when they close) and must follow a header known
 * only at the end (the capture object, the capture summary). Records are held in memory up to
 * a budget, then spilled to a temporary file; draining reads them back in key order. So the
 * memory of an output of all connections is bounded by the budget, not by the capture, and an
 * output larger than a JavaScript string can hold is never built as one string.
 *
 * A full arena is written to the file in the background (libuv's thread pool, on another core
 * while the analysis goes on) and the next records go to another arena; with SPILLS_IN_FLIGHT
 * writes already going, the next spill is written before put() returns instead. So the records
 * in memory take at most (SPILLS_IN_FLIGHT + 1) arenas of the budget each (9 × 2 MB). Writes name
 * their file offset, so their order does not matter; draining waits for them all first. On the
 * 10M-packet bench capture (2 GB of --json records) that took --json from about 8.5 s to 7 s.
 *
 * Why 8 writes and not 1: a write is known to be done only when its callback runs, between two
 * chunks of the input, and one 1 MB chunk can give several arenas of records (a chunk of 7 000
 * packets of 700 connections: 1.4 MB of --json records, 4 MB with --packets). With one write
 * going, 43 of short1m's 94 spills and 75 of the concurrent capture's 280 (--json --packets) were
 * written on the main thread, 2-5 ms each; with 8, one (the last, at the end of input).
 * Interleaved runs: short1m --json 0.65 -> 0.59 s, concurrent --json --packets 3.90 -> 3.37 s,
 * short10m --json 5.59 -> 5.32 s with peak RSS 129 -> 137 MB (medians).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmdirSync, statSync, rmSync, unlinkSync, write, writev, writevSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ioReason } from './output.js';
import { ByteWriter } from './bytes.js';
import { writeAll } from './file.js';

/**
 * The temporary file could not be made, written or read (a full disk, a TMPDIR that cannot be
 * written): a message for the user, not an internal error.
 */
export class SpoolError extends Error {}

function spoolError(what: string, e: unknown): SpoolError {
  return new SpoolError(`cannot ${what} the temporary file in ${tmpdir()}: ${ioReason(e)}. Records wait there until the whole capture is read; set TMPDIR to a directory with more room`);
}

/** drain() tells onProgress every this many records plus one (a mask). */
const PROGRESS_EVERY = 1023;
/** Size of an arena (bytes): records held in memory before spilling to disk. */
export const SPOOL_MEMORY = 2 << 20;
/** No record (Spool's pendingLen). */
const NONE = -2;
/** Keys per page of the record index (48 KB a page). */
const INDEX_PAGE_BITS = 12;
const INDEX_PAGE = 1 << INDEX_PAGE_BITS;
const INDEX_PAGE_MASK = INDEX_PAGE - 1;
/**
 * A Spool's refsFrom for records worth writing with chunks as references (--json records without
 * packets, the walkthrough): from the first record. Until 2026-12-05 it was 256 MB, from a
 * measurement in which the page cache took the plain bytes for less than the references'
 * expansion cost the main thread (short1m's walkthrough, 308 MB: 1.80 s plain, 1.91 s with
 * references). On this machine a fresh page of the file costs the kernel about 10 µs (200 MB
 * written to a new file: 0.2-0.4 s of system time, on the thread that writes), and measured
 * again, with references from the start short1m's walkthrough takes 1 365 -> 1 297 ms and
 * 103 -> 97 MB, the concurrent capture's 2 375 -> 2 317 ms and 156 -> 129 MB, `--json` is level
 * (775 and 784 ms; 1 361 and 1 370 ms), and the file holds 27 MB instead of 195 (short1m's
 * `--json`) and 83 MB instead of 280 (its walkthrough): a seventh and a third of the disk that
 * TMPDIR must have (docs/performance.md, "2026-12-05 (night)"). Earlier, the 3.1 GB of
 * short10m's walkthrough took 7.9 s of system time plain, 1.5 s with references.
 */
export const REFS_FROM = 0;
/**
 * REFS_FROM for --json records with their packets: their keys are short and their values many,
 * so expanding them costs about twice as much a byte (short1m's 550 MB of records, the last
 * 280 MB with references: 1.79 -> 1.93 s), and references pay only further on (short10m's 5.5
 * GB: 17.3 -> 15.9 s from 256 MB on).
 */
export const REFS_FROM_PACKETS = 1 << 30;
/**
 * REFS_FROM for check's JUnit test cases and verbose text lines (CaptureEvaluator): written out
 * as they are, short1m's (63 and 56 MB) took 590 and 752 ms, with references from the first
 * 605 and 788 (their lines are short, their chunks many); the flood's 1.9 GB of test cases 5.1 s
 * as they are (4.6 s of system time: the kernel throttles a writer of that much) and 3.7 s with
 * references. So references from 512 MB of file on (docs/performance.md, "2026-12-05 (afternoon,
 * later)").
 */
export const REFS_FROM_CASES = 512 << 20;
/** Spool's refsFrom: records never have chunks as references. */
export const NO_REFS = Number.POSITIVE_INFINITY;
/** Arenas being written to the file at once, at most. */
export const SPILLS_IN_FLIGHT = 8;

export class Spool {
  /** Records not yet written to the file, as UTF-8 bytes (outside the JavaScript heap). */
  private arena: Buffer | null = null;
  private arenaLen = 0;
  /**
   * Where each key's record is (file offset, or arena offset before any spill) and its length
   * (-1: no record), in pages of INDEX_PAGE keys: a page is added when a key needs it, so the
   * index grows by 12 bytes a key without copying, and leaves no dead arrays outside the heap
   * waiting for a full collection (doubling one pair of arrays did: up to twice the index).
   */
  private offsetPages: Float64Array[] = [new Float64Array(INDEX_PAGE)];
  private lengthPages: Int32Array[] = [new Int32Array(INDEX_PAGE).fill(-1)];
  private dir: string | null = null;
  private fd = -1;
  /** Bytes written to the file (the arena's bytes come after them). */
  private fileSize = 0;
  /** Arenas written and free again. */
  private spare: Buffer[] = [];
  /** Background writes not finished. */
  private inFlight = 0;
  /** The most background writes that were going at once (for the tests: at most SPILLS_IN_FLIGHT). */
  peakInFlight = 0;
  /** The first background write that failed. */
  private failed: Error | null = null;
  /** A descriptor close() left open for writes still going (closed when they finish). */
  private closeLater = -1;
  /** Called when the last background write finishes (drain waits for it). */
  private settled: (() => void) | null = null;
  /**
   * Records of a key put again (a continuation of a connection has its id): key, offset and
   * length of each, in the order they were put; they come out after the key's first record.
   */
  private moreKeys: number[] = [];
  private moreOffsets: number[] = [];
  private moreLengths: number[] = [];
  /** Number of records put. */
  count = 0;
  /** Told the records drained so far, every PROGRESS_EVERY + 1 records (a progress line: CliContext.writing). */
  onProgress: ((done: number) => void) | null = null;
  /**
   * Told the bytes views() has given since it last told, every PROGRESS_EVERY + 1 records and at
   * the end of a pass (a report's progress line: CliContext.readingBack).
   */
  onRead: ((bytes: number) => void) | null = null;
  /** Bytes read back from the file so far (each record once per pass: readBatch). */
  bytesRead = 0;
  /** Reads of the file so far (a run of records that follow each other in it is one). */
  reads = 0;
  private maxKey = -1;

  /**
   * `budget`: bytes of an arena. `background`: a full arena is written in the background (the
   * default); false writes it before put() returns, so the records can be read back at once with
   * records(), without waiting for writes. `refsFrom`: once the file holds this many bytes, the
   * records are written with chunks as references (see `refs`); NO_REFS, never.
   */
  constructor(private readonly budget = SPOOL_MEMORY, private readonly background = true, private readonly refsFrom = NO_REFS) {}

  /**
   * The file offset from which records have chunks as references (NO_REFS: none has). Set only
   * between arenas (refsArena()), so that an arena's records, which a spill may reorder
   * (ordered()), are all written one way; a record's offset then says which way it was written.
   */
  private refsAt = NO_REFS;

  /**
   * Write the next record with chunks as references (ByteWriter.refs): true once the file holds
   * `refsFrom` bytes. writer()'s ByteWriter is set so; a record rendered elsewhere is rendered as
   * this says and put with putBytes()'s `refs` (it may have references written in this thread;
   * a plain record, as text put, must hold no REF byte, as JSON text never does). drain() and
   * records() put the references back (ByteWriter.expandRefs).
   */
  get refs(): boolean {
    return this.refsAt !== NO_REFS || this.fileSize >= this.refsFrom;
  }

  /** Before the first record with references: the records before them go to the file, and the next arena is the first of references. */
  private refsArena(): void {
    if (this.refsAt !== NO_REFS) return;
    this.spillInBackground();
    this.refsAt = this.fileSize;
  }

  /**
   * Adds a record of `key` (a non-negative integer). A key put again gets one more record: its
   * records come out in the order they were put.
   */
  put(key: number, text: string): void {
    // a UTF-8 character takes at most 3 bytes per UTF-16 unit
    if (text.length * 3 > this.budget) {
      const b = Buffer.from(text);
      this.putBytes(key, b, 0, b.length);
      return;
    }
    this.room(text.length * 3);
    const arena = this.arena as Buffer;
    const n = arena.write(text, this.arenaLen);
    this.setIndex(key, this.fileSize + this.arenaLen, n, this.arenaLen);
    this.arenaLen += n;
    this.note(key);
  }

  /**
   * Adds the record of `key` as `len` bytes of `src` from `start` (copied); `refs`: written with
   * chunks as references, as `refs` said just before (and never when it said not).
   */
  putBytes(key: number, src: Uint8Array, start: number, len: number, refs = false): void {
    if (refs) this.refsArena();
    if (len > this.budget) {
      if (this.failed !== null) throw this.failed;
      this.spill();
      this.writeFile(src, start, len);
      this.setIndex(key, this.fileSize - len, len, -1);
      this.note(key);
      return;
    }
    this.room(len);
    (this.arena as Buffer).set(src.subarray(start, start + len), this.arenaLen);
    this.setIndex(key, this.fileSize + this.arenaLen, len, this.arenaLen);
    this.arenaLen += len;
    this.note(key);
  }

  /** writer()'s ByteWriter (made on first use). */
  private aw: ByteWriter | null = null;

  /**
   * A writer whose bytes go straight into the arena, from its end, with at least `room` bytes
   * before it is full (room <= budget): render a record with it, then commit() it. A record
   * longer than that grows the writer's buffer, with the arena's records before it copied, and
   * commit() takes that buffer as the arena. So a record is not rendered into a buffer of its
   * own and then copied here: --json of short1m (200 MB of records) about 5% faster.
   */
  writer(room: number): ByteWriter {
    const refs = this.refs;
    if (refs) this.refsArena();
    this.room(room);
    const arena = this.arena as Buffer;
    let w = this.aw;
    if (w === null) {
      w = new ByteWriter(0);
      this.aw = w;
    }
    if (w.buf !== arena) w.reuse(arena);
    w.pos = this.arenaLen;
    w.refs = refs;
    return w;
  }

  /** Adds what was written with writer() since it was called as the record of `key`. */
  commit(key: number): void {
    const w = this.aw as ByteWriter;
    const start = this.arenaLen;
    const len = w.pos - start;
    // grown past the arena: the new buffer holds the arena's records, then this one
    if (w.buf !== this.arena) this.arena = w.buf;
    this.setIndex(key, this.fileSize + start, len, start);
    this.arenaLen += len;
    this.note(key);
    if (this.arenaLen > this.budget) {
      // a grown arena goes to the file now; the next records go to one of the budget's size
      this.spillInBackground();
      if ((this.arena as Buffer).length > this.budget) this.arena = this.freshArena();
    }
  }

  /** Makes room in the arena for a record of up to `n` bytes (n <= budget). */
  private room(n: number): void {
    if (this.failed !== null) throw this.failed;
    if (this.arena === null) this.arena = Buffer.allocUnsafe(this.budget);
    if (this.arenaLen + n > this.arena.length) this.spillInBackground();
  }

  private note(key: number): void {
    this.count++;
    if (key > this.maxKey) this.maxKey = key;
  }

  /**
   * Indexes key's record at file offset `offset`; `start`: where it is in the arena (-1: not in
   * the arena, written to the file already).
   */
  private setIndex(key: number, offset: number, len: number, start: number): void {
    const page = key >>> INDEX_PAGE_BITS;
    while (page >= this.lengthPages.length) {
      this.offsetPages.push(new Float64Array(INDEX_PAGE));
      this.lengthPages.push(new Int32Array(INDEX_PAGE).fill(-1));
    }
    let slot = -1;
    if (this.lengthPages[page][key & INDEX_PAGE_MASK] >= 0) {
      slot = this.moreKeys.length;
      this.moreKeys.push(key);
      this.moreOffsets.push(offset);
      this.moreLengths.push(len);
    } else {
      this.offsetPages[page][key & INDEX_PAGE_MASK] = offset;
      this.lengthPages[page][key & INDEX_PAGE_MASK] = len;
    }
    if (start >= 0) this.noteInArena(key, start, len, slot);
  }

  /**
   * The arena's records in the order they were put: key, start in the arena, length, and which
   * offset of the index is theirs (-1: the key's first record, else its place in moreOffsets).
   * With them a spill writes the arena's records in key order (ordered()).
   */
  private aKeys: Int32Array = new Int32Array(1024);
  private aStarts: Int32Array = new Int32Array(1024);
  private aLengths: Int32Array = new Int32Array(1024);
  private aSlots: Int32Array = new Int32Array(1024);
  private aCount = 0;
  /** The arena's records were put in key order (as for most captures): written as they are. */
  private aInOrder = true;
  private readonly aOrder: number[] = [];

  private noteInArena(key: number, start: number, len: number, slot: number): void {
    const i = this.aCount;
    if (i === this.aKeys.length) {
      this.aKeys = grown(this.aKeys);
      this.aStarts = grown(this.aStarts);
      this.aLengths = grown(this.aLengths);
      this.aSlots = grown(this.aSlots);
    }
    if (i > 0 && key < this.aKeys[i - 1]) this.aInOrder = false;
    this.aKeys[i] = key;
    this.aStarts[i] = start;
    this.aLengths[i] = len;
    this.aSlots[i] = slot;
    this.aCount = i + 1;
  }

  /**
   * Moves the index of the arena's records to where a spill at file offset `at` puts them, and
   * returns the pieces of the arena to write there, in order: null when the records came in key
   * order (the arena is written as it is), else the records in key order (a key's records in
   * the order they were put). Records finalised out of order (many connections open at once,
   * each closing in its own time) are then read back a run per arena, not a read per record:
   * the concurrent bench capture's 100 000 --json records took 89 000 reads of 2 KB, spread over
   * the file. The pieces are views of the arena, written with one writev: not copied here.
   */
  private ordered(at: number): Buffer[] | null {
    const a = this.arena as Buffer;
    const n = this.aCount;
    this.aCount = 0;
    if (this.aInOrder) return null;
    this.aInOrder = true;
    const keys = this.aKeys;
    const order = this.aOrder;
    order.length = n;
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((x, y) => keys[x] - keys[y] || x - y);
    const pieces: Buffer[] = new Array<Buffer>(n);
    let pos = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const start = this.aStarts[i];
      const l = this.aLengths[i];
      pieces[k] = a.subarray(start, start + l);
      const slot = this.aSlots[i];
      if (slot < 0) {
        const key = keys[i];
        this.offsetPages[key >>> INDEX_PAGE_BITS][key & INDEX_PAGE_MASK] = at + pos;
      } else {
        this.moreOffsets[slot] = at + pos;
      }
      pos += l;
    }
    return pieces;
  }

  /** Where key's record starts (put; key <= maxKey). */
  private offsetOf(key: number): number {
    return this.offsetPages[key >>> INDEX_PAGE_BITS][key & INDEX_PAGE_MASK];
  }

  /** The length of key's record, -1 when there is none (key <= maxKey). */
  private lengthOf(key: number): number {
    return this.lengthPages[key >>> INDEX_PAGE_BITS][key & INDEX_PAGE_MASK];
  }

  /** The largest key put, -1 before any. */
  get lastKey(): number {
    return this.maxKey;
  }

  /** True when records went to disk. */
  get spilled(): boolean {
    return this.fd >= 0;
  }

  /**
   * Starts writing the arena's bytes to the file and carries on in another arena; with
   * SPILLS_IN_FLIGHT writes already going, writes this one before returning instead.
   */
  private spillInBackground(): void {
    const a = this.arena;
    const len = this.arenaLen;
    if (len === 0 || a === null) return;
    if (!this.background || this.inFlight >= SPILLS_IN_FLIGHT) {
      this.spill();
      return;
    }
    this.openFile();
    const at = this.fileSize;
    const pieces = this.ordered(at);
    this.fileSize += len;
    this.inFlight++;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    if (pieces === null) this.writeAt(a, 0, len, at);
    else this.writePiecesAt(a, pieces, len, at);
    this.arena = this.freshArena();
    this.arenaLen = 0;
  }

  /** An arena of the budget's size: a spare one, else a new one. */
  private freshArena(): Buffer {
    return this.spare.pop() ?? Buffer.allocUnsafe(this.budget);
  }

  /** Writes bytes [start, start+len) of `b` at file offset `at` in the background. */
  private writeAt(b: Buffer, start: number, len: number, at: number): void {
    write(this.fd, b, start, len, at, (e, n) => {
      if (e === null && n < len && this.fd >= 0) {
        this.writeAt(b, start + n, len - n, at + n);
        return;
      }
      this.written(b, e);
    });
  }

  /** A background write of arena `b` is over (`e`: its error). */
  private written(b: Buffer, e: Error | null): void {
    if (e !== null && this.failed === null) this.failed = spoolError('write', e);
    this.inFlight--;
    if (this.inFlight === 0 && this.closeLater >= 0) {
      closeSync(this.closeLater);
      this.closeLater = -1;
    }
    // (a grown arena, commit(), is let go)
    if (this.spare.length < SPILLS_IN_FLIGHT && b.length === this.budget) this.spare.push(b);
    if (this.inFlight === 0 && this.settled !== null) this.settled();
  }

  /**
   * Writes `pieces` of arena `a` (`len` bytes in all) at file offset `at` in the background, in
   * one writev; a short write is finished from its bytes copied together.
   */
  private writePiecesAt(a: Buffer, pieces: Buffer[], len: number, at: number): void {
    writev(this.fd, pieces, at, (e, n) => {
      if (e === null && n < len && this.fd >= 0) {
        // the rest as one buffer (rare: a full disk gives an error, not a short write)
        const rest = Buffer.concat(pieces).subarray(n);
        this.inFlight++;
        this.writeAt(rest, 0, rest.length, at + n);
      }
      this.written(a, e);
    });
  }

  /**
   * Resolves once no background write is going (records() may be called then); throws the first
   * that failed.
   */
  async settle(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.settled = resolve));
    this.settled = null;
    if (this.failed !== null) throw this.failed;
  }

  /** Moves the arena's bytes to the file. */
  private spill(): void {
    if (this.arenaLen === 0 || this.arena === null) return;
    const pieces = this.ordered(this.fileSize);
    if (pieces === null) this.writeFile(this.arena, 0, this.arenaLen);
    else this.writePieces(pieces, this.arenaLen);
    this.arenaLen = 0;
  }

  /** The temporary file's path (for the tests: it is removed from its directory at once). */
  file: string | null = null;

  private openFile(): void {
    if (this.fd < 0) {
      try {
        this.dir = mkdtempSync(join(tmpdir(), 'tcpflow-explain-'));
        this.file = join(this.dir, 'spool');
        this.fd = openSync(this.file, 'w+');
      } catch (e) {
        throw spoolError('make', e);
      }
      // the open descriptor is all the spool uses: removed from the directory now, the file
      // leaves nothing behind however the run ends (Ctrl-C, a crash, a kill); where an open
      // file cannot be removed, close() removes it
      try {
        // (not rmSync(dir, { recursive: true }): its first call loads Node's rimraf, which threw
        // the reader's optimised code away, in the middle of the capture; util/shapes.ts)
        unlinkSync(this.file);
        rmdirSync(this.dir);
        this.dir = null;
      } catch {
        // kept for close()
      }
    }
  }

  /** Writes `pieces` (`len` bytes in all) at the end of the file, before returning. */
  private writePieces(pieces: Buffer[], len: number): void {
    this.openFile();
    let done = 0;
    try {
      done = writevSync(this.fd, pieces, this.fileSize);
    } catch (e) {
      throw spoolError('write', e);
    }
    if (done < len) {
      const rest = Buffer.concat(pieces).subarray(done);
      this.fileSize += done;
      this.writeFile(rest, 0, rest.length);
      return;
    }
    this.fileSize += len;
  }

  private writeFile(b: Uint8Array, start: number, len: number): void {
    this.openFile();
    try {
      writeAll(this.fd, b, start, len, this.fileSize);
    } catch (e) {
      throw spoolError('write', e);
    }
    this.fileSize += len;
  }

  /**
   * The records being read back from the file (records() and drain()): the next ones in key
   * order, up to `budget` bytes of them, read into `batch` by readBatch(). For each, in key
   * order: its key, its file offset, its length and where it is in `batch`.
   */
  private batch: Buffer | null = null;
  private readonly bKeys: number[] = [];
  private readonly bOffsets: number[] = [];
  private readonly bLengths: number[] = [];
  private readonly bPlaces: number[] = [];
  /** The batch's records by file offset (indices into the arrays above). */
  private readonly bOrder: number[] = [];
  private bCount = 0;
  /** The batch's next record to hand out. */
  private bNext = 0;
  /** A record that did not fit in the last batch (its length, NONE when there is none): the next batch's first. */
  private pendingLen = NONE;
  private pendingKey = 0;
  private pendingOffset = 0;
  /** Where locateNext() found its record: `view` (the arena or the batch) from `viewStart`; its key. */
  private view: Buffer | null = null;
  private viewStart = 0;
  private viewKey = -1;
  /** The file offset of locateNext()'s record (which says whether it has references: refsAt). */
  private viewOffset = 0;

  /**
   * Calls `each` with every record in key order, as `len` bytes of `buf` from `start` (`buf` is
   * reused once `each` returns: copy what is kept); awaits `flush` after a record when `each`
   * returns true (output backpressure). Removes the temporary file. `asWritten`: records with
   * chunks as references are given as they are, `refs` true, for `each` to expand where it
   * copies them (ByteWriter.expandRefs), not first expanded here and copied again.
   */
  async drain(each: (buf: Buffer, start: number, len: number, index: number, refs: boolean) => boolean, flush: () => Promise<void>, asWritten = false): Promise<void> {
    let index = 0;
    const progress = this.onProgress;
    try {
      if (this.fd >= 0) {
        this.spill();
        await this.settle();
        // the arena, no longer needed, is the first batch's buffer
        if (this.arena !== null && this.arena.length >= this.budget) this.batch = this.arena;
      }
      this.rewind();
      for (let len = this.locateNext(); len >= 0; len = this.locateNext()) {
        if (progress !== null && (index & PROGRESS_EVERY) === 0) progress(index);
        const refs = this.viewOffset >= this.refsAt;
        if (refs && !asWritten) {
          const x = this.expanded(len);
          if (each(x.buf, 0, x.pos, index++, false)) await flush();
        } else if (each(this.view as Buffer, this.viewStart, len, index++, refs)) await flush();
      }
    } finally {
      this.close();
    }
  }

  /** expanded()'s writer (made on first use). */
  private xw: ByteWriter | null = null;

  /** The record locateNext() found (`len` bytes), its references put back (refs). */
  private expanded(len: number): ByteWriter {
    let x = this.xw;
    if (x === null) {
      x = new ByteWriter(len * 4);
      this.xw = x;
    }
    x.pos = 0;
    x.expandRefs(this.view as Buffer, this.viewStart, len);
    return x;
  }

  /** Where nextEntry() is: the key it gave last, its records of keys put again in order, the next of those. */
  private atKey = -1;
  private more: number[] = [];
  private atMore = 0;
  /** The file (or arena) offset of the record nextEntry() gave. */
  private entryOffset = 0;

  /** Makes locateNext() start again from the first record. */
  private rewind(): void {
    this.atKey = -1;
    // the records of keys put again, by key, then in the order they were put (a stable sort)
    this.more = this.moreKeys.map((_, i) => i).sort((x, y) => this.moreKeys[x] - this.moreKeys[y]);
    this.atMore = 0;
    this.bCount = 0;
    this.bNext = 0;
    this.pendingLen = NONE;
  }

  /**
   * The next record in key order (a key's records in the order they were put) from the index:
   * returns its length, -1 after the last; `atKey` is its key, `entryOffset` where it is.
   */
  private nextEntry(): number {
    const more = this.more;
    if (this.atKey >= 0 && this.atMore < more.length && this.moreKeys[more[this.atMore]] === this.atKey) {
      const j = more[this.atMore++];
      this.entryOffset = this.moreOffsets[j];
      return this.moreLengths[j];
    }
    for (let key = this.atKey + 1; key <= this.maxKey; key++) {
      const len = this.lengthOf(key);
      if (len < 0) continue;
      this.atKey = key;
      this.entryOffset = this.offsetOf(key);
      return len;
    }
    this.atKey = this.maxKey;
    return -1;
  }

  /**
   * Locates the next record in key order and returns its length, -1 after the last: `view`,
   * `viewStart` and `viewKey` are set. In the arena when nothing went to disk, else in the batch
   * read from the file (no write may be going).
   */
  private locateNext(): number {
    if (this.fd < 0) {
      const len = this.nextEntry();
      if (len >= 0) {
        this.view = this.arena;
        this.viewStart = this.entryOffset;
        this.viewKey = this.atKey;
        this.viewOffset = this.entryOffset;
      }
      return len;
    }
    if (this.bNext === this.bCount && !this.readBatch()) return -1;
    const j = this.bNext++;
    this.view = this.batch;
    this.viewStart = this.bPlaces[j];
    this.viewKey = this.bKeys[j];
    this.viewOffset = this.bOffsets[j];
    return this.bLengths[j];
  }

  /**
   * Reads the next records in key order, up to `budget` bytes of them (at least one), into
   * `batch`; false after the last. They are read by file offset, a run of records that follow
   * each other in the file in one read. Records finalised in key order (most captures) are one
   * read per batch; records finalised in another order (many connections open at once, each
   * closing in its own time: a batch's records are spread over the file) are a read per run,
   * not a window of the file per record, which read up to `budget` bytes for each (100 000
   * connections, 10 000 open at once: 6.5 s of reads for a 200 MB file).
   */
  private readBatch(): boolean {
    const keys = this.bKeys;
    const offsets = this.bOffsets;
    const lengths = this.bLengths;
    let n = 0;
    let total = 0;
    for (;;) {
      let len: number;
      let key: number;
      let off: number;
      if (this.pendingLen !== NONE) {
        len = this.pendingLen;
        key = this.pendingKey;
        off = this.pendingOffset;
        this.pendingLen = NONE;
      } else {
        len = this.nextEntry();
        key = this.atKey;
        off = this.entryOffset;
      }
      if (len < 0) break;
      if (n > 0 && total + len > this.budget) {
        this.pendingLen = len;
        this.pendingKey = key;
        this.pendingOffset = off;
        break;
      }
      keys[n] = key;
      offsets[n] = off;
      lengths[n] = len;
      n++;
      total += len;
    }
    this.bCount = n;
    this.bNext = 0;
    if (n === 0) return false;
    if (this.batch === null || this.batch.length < total) this.batch = Buffer.allocUnsafe(Math.max(this.budget, total));
    const batch = this.batch;
    const order = this.bOrder;
    order.length = n;
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((x, y) => offsets[x] - offsets[y]);
    const places = this.bPlaces;
    let place = 0;
    for (let i = 0; i < n;) {
      const from = offsets[order[i]];
      let runLen = 0;
      for (; i < n && offsets[order[i]] === from + runLen; i++) {
        places[order[i]] = place + runLen;
        runLen += lengths[order[i]];
      }
      this.readAt(batch, place, runLen, from);
      place += runLen;
    }
    return true;
  }

  /** Reads `len` bytes of the file from `at` into `b` from `start`. */
  private readAt(b: Buffer, start: number, len: number, at: number): void {
    let done = 0;
    try {
      while (done < len) {
        const n = readSync(this.fd, b, start + done, len - done, at + done);
        if (n === 0) throw new Error(`the file ends at ${at + done} bytes, before its records (${at + len})`);
        done += n;
      }
      this.bytesRead += len;
      this.reads++;
    } catch (e) {
      throw spoolError('read', e);
    }
  }

  /**
   * The records in key order, each as its key and a view of its bytes (valid until the next one
   * is taken). Can be read any number of times, until close(); only for a spool made without
   * background writes. The records are still in the arena or read from the file, never copied
   * whole into memory. Records with chunks as references are given expanded, unless `expand` is
   * false: then as they were put, for a reader that expands them itself, in parts (check's
   * results as bytes, whose records have binary lengths between their JSON texts:
   * SpooledResults).
   */
  *records(expand = true): Generator<{ key: number; bytes: Buffer }> {
    for (const r of this.views()) {
      if (expand && this.viewOffset >= this.refsAt) {
        const x = this.expanded(r.len);
        yield { key: r.key, bytes: x.buf.subarray(0, x.pos) };
      } else yield { key: r.key, bytes: r.buf.subarray(r.start, r.start + r.len) };
    }
  }

  /** views()' record, the same object at every step. */
  private readonly at: RecordAt = { key: 0, buf: EMPTY, start: 0, len: 0, refs: false };

  /**
   * records() without a Buffer made for each record: the records in key order as they were put
   * (references and all), each in the same RecordAt, valid until the next step. For a reader of
   * millions of records (check --json's results of a SYN flood: a view, its DataView and an
   * object a record were 5% of the run).
   */
  *views(): Generator<RecordAt> {
    if (this.inFlight > 0) throw new Error('Spool: records read while writes are going: await settle() first');
    if (this.fd >= 0) this.spill();
    this.rewind();
    const at = this.at;
    const tell = this.onRead;
    let n = 0;
    let told = 0;
    for (let len = this.locateNext(); len >= 0; len = this.locateNext()) {
      at.key = this.viewKey;
      at.buf = this.view as Buffer;
      at.start = this.viewStart;
      at.len = len;
      at.refs = this.viewOffset >= this.refsAt;
      told += len;
      if (tell !== null && (++n & PROGRESS_EVERY) === 0) {
        tell(told);
        told = 0;
      }
      yield at;
    }
    if (tell !== null && told > 0) tell(told);
  }

  /** Bytes of the records: what a pass of views() gives (onRead's unit). */
  get size(): number {
    return this.fileSize + this.arenaLen;
  }

  /** Removes the temporary file and frees the memory (also done by drain). */
  close(): void {
    if (this.fd >= 0) {
      // a write still going names this descriptor: it is closed when the last one finishes
      // (closed now, the number could be given to another file and the write land there)
      if (this.inFlight === 0) closeSync(this.fd);
      else this.closeLater = this.fd;
      this.fd = -1;
    }
    if (this.dir !== null) {
      rmSync(this.dir, { recursive: true, force: true });
      this.dir = null;
    }
    this.arena = null;
    this.batch = null;
    this.view = null;
    this.xw = null;
  }
}

/** A copy of `a` twice as long. */
function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** A record as views() gives it: its key, and `len` bytes of `buf` from `start`. */
export interface RecordAt {
  key: number;
  buf: Buffer;
  start: number;
  len: number;
  /** The record was written with chunks as references (ByteWriter.refs): expandRefs() puts them back. */
  refs: boolean;
}

const EMPTY = Buffer.alloc(0);

/** Records in key order, read as Spool.records() gives them, any number of times until close(). */
export interface RecordSource {
  /** `expand`: Spool.records()'s (a RecordFile's records have no references). */
  records(expand?: boolean): Generator<{ key: number; bytes: Buffer }>;
  /** The records as they were put, in one RecordAt reused at each step (Spool.views()). */
  views(): Generator<RecordAt>;
  /** True while the records are in a file. */
  readonly spilled: boolean;
  /** What a pass of views() tells onRead in all. */
  readonly size: number;
  /** Told what views() has read since it last told, every so often and at the end of a pass (a progress line). */
  onRead: ((bytes: number) => void) | null;
  close(): void;
}

/** A RecordSource a report reads back, and how many passes it makes over it (a progress line's total: CliContext.readingBack). */
export interface SourceReads {
  source: RecordSource;
  passes: number;
}

/**
 * A spool's records in a file of their own, from `offset`: each as its key and length (uint32s,
 * little-endian), then its bytes. For a `check -j` worker's results, which the main thread
 * reads back (SpooledResults.fromFile); the file belongs to the caller's temporary directory.
 */
export class RecordFile implements RecordSource {
  readonly spilled = true;
  /** Told the bytes of the file views() has read since it last told (records and their heads), every PROGRESS_EVERY + 1 records and at the end. */
  onRead: ((bytes: number) => void) | null = null;

  constructor(private readonly path: string, private readonly offset: number) {}

  /** The file's bytes from the first record: what a pass of views() tells onRead in all. */
  get size(): number {
    return statSync(this.path).size - this.offset;
  }

  /** Writes `head` (buffers, as they are), then every record of `records`, to `fd`. */
  static write(fd: number, head: Buffer[], records: Iterable<{ key: number; bytes: Buffer }>): void {
    let out = Buffer.allocUnsafe(1 << 20);
    let pos = 0;
    const flush = (): void => {
      writeAll(fd, out, 0, pos);
      pos = 0;
    };
    for (const h of head) writeAll(fd, h, 0, h.length);
    for (const { key, bytes } of records) {
      if (pos + 8 + bytes.length > out.length) {
        flush();
        if (8 + bytes.length > out.length) out = Buffer.allocUnsafe(8 + bytes.length);
      }
      out.writeUInt32LE(key, pos);
      out.writeUInt32LE(bytes.length, pos + 4);
      bytes.copy(out, pos + 8);
      pos += 8 + bytes.length;
    }
    flush();
  }

  *records(): Generator<{ key: number; bytes: Buffer }> {
    for (const r of this.views()) yield { key: r.key, bytes: r.buf.subarray(r.start, r.start + r.len) };
  }

  *views(): Generator<RecordAt> {
    const r: RecordAt = { key: 0, buf: EMPTY, start: 0, len: 0, refs: false };
    const tell = this.onRead;
    let n = 0;
    let told = 0;
    const fd = openSync(this.path, 'r');
    try {
      let buf = Buffer.allocUnsafe(1 << 20);
      let filePos = this.offset;
      // bytes [at, end) of buf are read and not yet given
      let at = 0;
      let end = 0;
      for (;;) {
        if (end - at >= 8) {
          const len = buf.readUInt32LE(at + 4);
          if (end - at >= 8 + len) {
            r.key = buf.readUInt32LE(at);
            r.buf = buf;
            r.start = at + 8;
            r.len = len;
            told += 8 + len;
            if (tell !== null && (++n & PROGRESS_EVERY) === 0) {
              tell(told);
              told = 0;
            }
            yield r;
            at += 8 + len;
            continue;
          }
          // a record longer than the buffer: a buffer it fits in
          if (8 + len > buf.length) {
            const b = Buffer.allocUnsafe(8 + len);
            buf.copy(b, 0, at, end);
            buf = b;
            end -= at;
            at = 0;
          }
        }
        // what is left to the buffer's start, then more of the file
        if (at > 0) {
          buf.copy(buf, 0, at, end);
          end -= at;
          at = 0;
        }
        const got = readSync(fd, buf, end, buf.length - end, filePos);
        if (got === 0) break;
        filePos += got;
        end += got;
      }
      if (tell !== null && told > 0) tell(told);
    } finally {
      closeSync(fd);
    }
  }

  close(): void {}
}
