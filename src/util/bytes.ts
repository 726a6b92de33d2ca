/**
 * A growable byte buffer that text is written into as UTF-8, and bytes copied into: output
 * travels as bytes from where it is rendered to the stream, instead of as strings encoded (and
 * decoded, and encoded again) on the way. It also writes the pieces of JSON text - numbers and
 * strings exactly as JSON.stringify writes them, constant text encoded once (`Chunk`) - so a
 * record rendered here never exists as a JavaScript string (../render/json-bytes.ts).
 */

/**
 * Constant text, encoded once as UTF-8: its bytes in 8-byte words, so writing it is a few 8-byte
 * stores (the last word carries zeros past the end, which the next write overwrites). The words
 * travel as doubles, whose bits are copied as they are: 8 bytes of UTF-8 are never a NaN pattern,
 * the one value an engine may rewrite. That pattern needs a top byte (the last, little-endian)
 * of 0x7f or 0xff and a byte before it of 0xf0 or more: UTF-8 has no 0xff, and a 0xf0-0xf4 is the
 * lead of four bytes, followed by a continuation byte (0x80-0xbf), never by 0x7f.
 */
export class Chunk {
  /** Its length in bytes. */
  readonly length: number;
  /** At least 4 words (the common case is copied without a loop). */
  readonly words: Float64Array;
  /** Its bytes (a long chunk is copied by the engine: ByteWriter.raw). */
  readonly u8: Uint8Array;
  /**
   * Its number in the chunks written by reference (ByteWriter.refs): 0 until first written so,
   * -1 when never written so (3 bytes or fewer, no shorter than a reference; or the table full).
   */
  ref: number;

  constructor(readonly text: string) {
    const utf8 = Buffer.from(text, 'utf8');
    this.length = utf8.length;
    const bytes = new Uint8Array(Math.max(32, (utf8.length + 7) & ~7));
    bytes.set(utf8);
    this.words = new Float64Array(bytes.buffer);
    this.u8 = bytes.subarray(0, utf8.length);
    this.ref = utf8.length > REF_BYTES ? 0 : -1;
    if (new DataView(bytes.buffer).getFloat64(0, true) !== this.words[0]) throw new Error('Chunk: this platform is not little-endian');
  }
}

/**
 * Chunks written by reference: a writer with `refs` set writes a chunk of more than REF_BYTES
 * bytes as REF and its number (two bytes, little-endian), and expandRefs() puts its bytes back.
 * For records waiting in a spool (./spool.ts): a --json record's keys, indentation and constant
 * values are chunks, 86% of its bytes, and most of a walkthrough's words are; they no longer go
 * to the temporary file and back.
 * REF (0x01) never stands for itself in JSON text, which escapes every control character, so a
 * record's other bytes are copied as they are; text() writes a REF in its string as a reference
 * (number 0). bytes() and copyFrom() copy bytes as they are: with refs set, only JSON text may be
 * copied so. The numbers are this thread's: a record is expanded in the thread that wrote it.
 */
export const REF = 0x01;
const NO_BYTES = new Uint8Array(0);
/** A reference's length: REF and a chunk's number. */
export const REF_BYTES = 3;
/**
 * The chunks written by reference, by number. Number 0 is REF itself: text() writes it so where a
 * string holds one (JSON text never does; the walkthrough's text is the tool's own, but a byte
 * that could be misread is not left to chance).
 */
const REFERRED: Chunk[] = [new Chunk('\u0001')];
const REF_CHAR = '\u0001';
/** Chunk numbers fit in two bytes. */
const MAX_REFS = 0xffff;

/** The chunk's number for a reference (given when first written so), -1 when it has none. */
function refOf(c: Chunk): number {
  if (c.ref !== 0) return c.ref;
  if (REFERRED.length > MAX_REFS) {
    c.ref = -1;
    return -1;
  }
  c.ref = REFERRED.length;
  REFERRED.push(c);
  return c.ref;
}

/** What ascii() refuses. */
const NOT_ASCII = /[^\u0000-\u007f]/;

/**
 * Constant ASCII text (a JSON key, a separator) as a Chunk; anything else is a mistake. Checked
 * by a regular expression, not a loop over the characters: the bundle's start makes 268 chunks,
 * and the loop's thousands of turns had V8 compile this function with its optimising compiler
 * (11 ms on that thread), which a small capture's run then waited for before it could exit
 * (Node lets the compiler's pending work finish first): 8-12 ms of a 120 ms run.
 */
export function ascii(s: string): Chunk {
  if (NOT_ASCII.test(s)) throw new Error(`not ASCII: ${JSON.stringify(s)}`);
  return new Chunk(s);
}

/** Constant text of any kind (a label in Chinese, a box-drawing border) as a Chunk. */
export function utf8(s: string): Chunk {
  return new Chunk(s);
}

/** Fractions written by ByteWriter.nanos: from 10^-6 (below it String uses an exponent) to 2^20. */
export const NANO_MIN = 1e-6;
export const NANO_MAX = 1048576;
const NULL = ascii('null');
/** Strings from this length on are checked and copied by the engine (ByteWriter.str). */
const LONG_STRING = 32;
/** What str() does not copy as it is: controls, '"', '\\', DEL and everything beyond ASCII. */
const NOT_PLAIN = /["\\\u0000-\u001f\u007f-\uffff]/;
/**
 * What JSON.stringify escapes: controls, '"', '\\' and surrogates (lone ones as \uXXXX; a pair is
 * kept, but pairs are rare enough to go the engine's way). A string without any is written as its
 * UTF-8 bytes between quotes: a check --json result's detail ("no SYN -> final ACK time") or
 * endpoints (198.18.0.0:10000 -> 198.19.0.1:80), five million of them on the SYN flood, no longer
 * JSON.stringify'd into a new string and encoded again.
 */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;
/**
 * Chunks of more words than this (more than SHORT_COPY bytes, as for bytes()) are copied by the
 * engine (ByteWriter.raw): main-thread instructions of short1m's first 20 000 connections with
 * --json 2.786G -> 2.756G (callgrind, --single-threaded; 2.762G at 16 words, 2.745G at 4).
 */
const RAW_WORDS = 8;
/** Copies of up to this many bytes are made in a loop (ByteWriter.bytes). */
const SHORT_COPY = 64;
/** Buffer.prototype.copy, for any Uint8Array source (it accepts one as `this`). */
const BUFFER_COPY = Buffer.prototype.copy as (this: Uint8Array, target: Uint8Array, targetStart: number, sourceStart: number, sourceEnd: number) => number;
/** The longest copy copyFrom() makes four bytes at a time (beyond it bytes()' copy is as quick). */
export const COPY_FROM_MAX = 96;
/**
 * The ASCII digits of 00 to 99, the tens' byte first, as little-endian uint16s: a number is
 * written two digits a store (digitsBefore). A division by ten a digit made
 * a chain of dependent multiplications as long as the number; by a hundred it is half as long:
 * a million numbers of 3 to 10 digits, 9.0 -> 5.4 ns each (a microbenchmark of 2026-12-05).
 */
const PAIRS = new Uint16Array(100);
for (let i = 0; i < 100; i++) PAIRS[i] = (0x30 + ((i / 10) | 0)) | ((0x30 + (i % 10)) << 8);
const TRUE = ascii('true');
const FALSE = ascii('false');

export class ByteWriter {
  buf: Buffer;
  /** The buffer as a DataView (for the put* functions below, after reserve()). */
  view: DataView;
  pos = 0;
  /**
   * Chunks of more than REF_BYTES bytes are written as references (REF and a number), to be put
   * back by expandRefs(): only for text that holds no REF byte but through text() (see REF).
   */
  refs = false;
  /** expandRefs()' last source and a view of it (the source is kept until another one comes). */
  private srcBuf: Uint8Array = NO_BYTES;
  private srcView: DataView = new DataView(NO_BYTES.buffer);

  constructor(size = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  /** Starts over in a new buffer of `size` bytes (the old one is left to whoever holds it). */
  reset(size: number): void {
    this.buf = Buffer.allocUnsafe(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.pos = 0;
  }

  /** Makes room for `n` more bytes at once (one copy instead of a doubling at a time). */
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  /** Starts over in `b`. */
  reuse(b: Buffer): void {
    this.buf = b;
    this.view = new DataView(b.buffer, b.byteOffset, b.length);
    this.pos = 0;
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = Buffer.allocUnsafe(size);
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
    this.view = new DataView(b.buffer, b.byteOffset, b.length);
  }

  /** Constant text (a few dozen bytes: stores of 8 bytes beat a native call); with refs, as a reference. */
  raw(c: Chunk): void {
    if (this.refs && c.ref >= 0) {
      const id = refOf(c);
      if (id > 0) {
        this.ref(id);
        return;
      }
    }
    this.literal(c);
  }

  /**
   * A chunk's bytes, never as a reference (with refs set too): raw()'s copy, and for bytes whose
   * place a reader knows (check's results as bytes: the separator that the first result goes
   * without).
   */
  literal(c: Chunk): void {
    const w = c.words;
    const p = this.pos;
    const n = w.length;
    if (p + n * 8 > this.buf.length) this.grow(n * 8);
    if (n > RAW_WORDS) {
      this.buf.set(c.u8, p);
      this.pos = p + c.length;
      return;
    }
    // (a chunk has at least four words: Chunk's 32 bytes)
    const v = this.view;
    v.setFloat64(p, w[0], true);
    v.setFloat64(p + 8, w[1], true);
    v.setFloat64(p + 16, w[2], true);
    v.setFloat64(p + 24, w[3], true);
    for (let i = 4; i < n; i++) v.setFloat64(p + 8 * i, w[i], true);
    this.pos = p + c.length;
  }

  /** `n` bytes left as they are, to be written over (u32At()). */
  skip(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
    this.pos += n;
  }

  /** Writes `x` as a little-endian uint32 at `at` (bytes already written or skipped). */
  u32At(at: number, x: number): void {
    this.view.setUint32(at, x, true);
  }

  /** The reference to chunk number `id` (0: REF itself). */
  private ref(id: number): void {
    if (this.pos + REF_BYTES > this.buf.length) this.grow(REF_BYTES);
    const buf = this.buf;
    const p = this.pos;
    buf[p] = REF;
    buf[p + 1] = id & 0xff;
    buf[p + 2] = id >>> 8;
    this.pos = p + REF_BYTES;
  }

  /**
   * `len` bytes of `src` from `start`, written with refs set, with every reference put back as
   * its chunk's bytes (this writer's refs are not set).
   */
  expandRefs(src: Uint8Array, start: number, len: number): void {
    const end = start + len;
    // room for the literal bytes at once; a chunk's words make room for themselves
    if (this.pos + len > this.buf.length) this.grow(len);
    let buf = this.buf;
    let v = this.view;
    let p = this.pos;
    let i = start;
    // a view of the source, kept while the source is the same buffer (a spool's read batch)
    let sv = this.srcView;
    if (src !== this.srcBuf) {
      this.srcBuf = src;
      sv = new DataView(src.buffer, src.byteOffset, src.byteLength);
      this.srcView = sv;
    }
    while (i < end) {
      // the literal bytes four at a time while none of the four is a REF: y has a zero byte
      // where x has a REF, and (y - 0x01010101) & ~y & 0x80808080 is not zero exactly when y
      // has a zero byte (check --json's results, a third of whose bytes are literal: endpoints
      // and details)
      while (i + 4 <= end) {
        const x = sv.getInt32(i, true);
        const y = x ^ 0x01010101;
        if ((((y - 0x01010101) | 0) & ~y & 0x80808080) !== 0) break;
        v.setInt32(p, x, true);
        i += 4;
        p += 4;
      }
      if (i === end) break;
      // then one at a time up to the next reference, in a loop of its own (20% faster than one
      // loop asking of every byte whether it is a reference)
      let b = src[i]!;
      while (b !== REF) {
        buf[p++] = b;
        if (++i === end) {
          this.pos = p;
          return;
        }
        b = src[i]!;
      }
      const c = REFERRED[src[i + 1]! | (src[i + 2]! << 8)];
      const w = c.words;
      const n = w.length;
      i += REF_BYTES;
      // the chunk's words (zeros past its end, overwritten next) and the literal bytes left
      if (p + n * 8 + (end - i) > buf.length) {
        this.pos = p;
        this.grow(n * 8 + (end - i));
        buf = this.buf;
        v = this.view;
      }
      if (n > RAW_WORDS) buf.set(c.u8, p);
      else {
        // its first four words without the loop's test, as literal() (every chunk has them)
        v.setFloat64(p, w[0]!, true);
        v.setFloat64(p + 8, w[1]!, true);
        v.setFloat64(p + 16, w[2]!, true);
        v.setFloat64(p + 24, w[3]!, true);
        for (let k = 4; k < n; k++) v.setFloat64(p + 8 * k, w[k]!, true);
      }
      p += c.length;
    }
    this.pos = p;
  }

  /**
   * `len` bytes of another writer's buffer from `start`: up to COPY_FROM_MAX four at a time
   * through the two writers' views, beyond it as bytes() copies. A cached string's bytes
   * (check --json's endpoints and details, twice a result): 15-35 ns for 32-64 bytes where
   * bytes() took 50-95 in its loop and set(subarray()) about 60 with the view it made.
   */
  copyFrom(o: ByteWriter, start: number, len: number): void {
    if (len > COPY_FROM_MAX) {
      this.bytes(o.buf, start, len);
      return;
    }
    if (this.pos + len > this.buf.length) this.grow(len);
    const sv = o.view;
    const dv = this.view;
    const p = this.pos;
    let k = 0;
    for (; k + 4 <= len; k += 4) dv.setInt32(p + k, sv.getInt32(start + k, true), true);
    const buf = this.buf;
    const src = o.buf;
    for (; k < len; k++) buf[p + k] = src[start + k]!;
    this.pos = p + len;
  }

  /** `len` bytes of `src` from `start`. */
  bytes(src: Uint8Array, start: number, len: number): void {
    if (this.pos + len > this.buf.length) this.grow(len);
    if (len <= SHORT_COPY) {
      // a cell, a border, a line: copied here, where set() would first make a view of them
      const buf = this.buf;
      const p = this.pos;
      for (let i = 0; i < len; i++) buf[p + i] = src[start + i]!;
    } else if (start === 0 && len === src.length) {
      // the whole of `src`: set() takes it as it is, without Buffer#copy's JavaScript wrapper
      // (the copied tails of a SYN flood's million records: _copyActual 400 ms of three runs)
      this.buf.set(src, this.pos);
    } else {
      // Buffer's copy takes the range itself. (Node 20's still makes a view of it, in
      // _copyActual, as set(subarray()) would: 47-60 ns for 200-1 500 bytes against 53-68, a
      // microbenchmark of 2026-12-04; a copy by 8-byte words took 42 and 320-415 ns.)
      BUFFER_COPY.call(src, this.buf, this.pos, start, start + len);
    }
    this.pos += len;
  }

  byte(c: number): void {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = c;
  }

  /** Text as UTF-8 (as Buffer.from(s) encodes it). */
  text(s: string): void {
    if (this.refs && s.includes(REF_CHAR)) {
      this.textWithRef(s);
      return;
    }
    const n = s.length;
    if (n < 64) {
      // short ASCII (separators, most lines) in a loop: cheaper than a call into the engine
      if (this.pos + n > this.buf.length) this.grow(n);
      const buf = this.buf;
      const p = this.pos;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        buf[p + i] = c;
      }
      if (i === n) {
        this.pos = p + n;
        return;
      }
    }
    // a UTF-8 character takes at most 3 bytes per UTF-16 unit
    if (this.pos + n * 3 > this.buf.length) this.grow(n * 3);
    this.pos += this.buf.write(s, this.pos);
  }

  /** text() of a string holding REF itself (refs set): each REF as the reference to number 0. */
  private textWithRef(s: string): void {
    const parts = s.split(REF_CHAR);
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) this.ref(0);
      // (a part holds no REF: text() writes it as it is)
      this.text(parts[i]!);
    }
  }

  /** A number as JSON.stringify writes it: String(v), null when not finite, -0 as 0. */
  num(v: number): void {
    if (v >= 0 && v < 1e15 && Math.floor(v) === v) this.uint(v);
    else if (v < 0 && v > -1e15 && Math.floor(v) === v) {
      this.byte(0x2d);
      this.uint(-v);
    } else if (v >= NANO_MIN && v < NANO_MAX) this.nanos(v);
    else if (v <= -NANO_MIN && v > -NANO_MAX) {
      this.byte(0x2d);
      this.nanos(-v);
    } else if (v === v && v !== Infinity && v !== -Infinity) this.text(String(v));
    else this.raw(NULL);
  }

  /**
   * A positive fraction in [NANO_MIN, NANO_MAX) as String(v) writes it. When v is the double
   * nearest to k / 10^9 for an integer k (a time rounded to nanoseconds, as the records' times
   * are), String(v) is k / 10^9 in decimal without trailing zeros: that decimal reads back as v,
   * and no shorter one (nor another of its length) does, since two such decimals are at least
   * 10^-9 apart and below 2^20 the doubles are less than 2^-32 apart. Anything else: String(v).
   */
  private nanos(v: number): void {
    const k = Math.round(v * 1e9);
    // (no `%`: of doubles, as k is beyond int32, it is a call)
    const whole = Math.floor(k / 1e9);
    const frac = k - whole * 1e9;
    if (k / 1e9 !== v || frac === 0) {
      this.text(String(v));
      return;
    }
    this.fraction(whole, frac);
  }

  /**
   * A uint32 given as an int32 (`v | 0`), which is a small integer for any value: handed to a
   * call that is not inlined, a uint32 from 2^31 on would be made a heap number.
   */
  u32(i: number): void {
    if (this.pos + 10 > this.buf.length) this.grow(10);
    this.pos = putU32(this.view, this.pos, i);
  }

  /**
   * `whole` (below 2^20), a point and the 9-digit fraction `frac` (1..10^9-1) without trailing
   * zeros: num(v) for v = whole + frac / 10^9 when that is how String(v) writes it (nanos). Both
   * are small integers, so a caller that has v in hand passes no double (json-bytes.ts).
   */
  fraction(whole: number, frac: number): void {
    if (this.pos + FRACTION_MAX > this.buf.length) this.grow(FRACTION_MAX);
    this.pos = putFraction(this.view, this.pos, whole, frac);
  }

  /** A non-negative integer below 1e15 (exact in a double), in decimal. */
  uint(v: number): void {
    if (this.pos + 16 > this.buf.length) this.grow(16);
    const buf = this.buf;
    if (v < 10) {
      buf[this.pos++] = 0x30 + v;
      return;
    }
    if (v <= 0x7fffffff) {
      const x = v | 0;
      const digits = digitsOf(x);
      this.pos += digits;
      digitsBefore(this.view, this.pos, x);
      return;
    }
    let digits = 10;
    for (let t = 1e10; t <= v; t *= 10) digits++;
    let p = this.pos + digits;
    this.pos = p;
    // divisions of doubles only while the rest is beyond int32 (as u32 does)
    let x = v;
    while (x > 0x7fffffff) {
      const q = Math.floor(x / 10);
      buf[--p] = 0x30 + x - q * 10;
      x = q;
    }
    digitsBefore(this.view, p, x | 0);
  }

  bool(v: boolean): void {
    this.raw(v ? TRUE : FALSE);
  }

  null(): void {
    this.raw(NULL);
  }

  /** A string as JSON.stringify writes it: quoted, escaped, lone surrogates as \uXXXX. */
  str(s: string): void {
    const n = s.length;
    if (this.pos + n + 2 > this.buf.length) this.grow(n + 2);
    const buf = this.buf;
    const p = this.pos;
    if (n >= LONG_STRING) {
      // a note or a message: one test by the regular expression engine and one copy by
      // Buffer#write beat a loop over its characters
      if (NOT_PLAIN.test(s)) {
        this.unusual(s);
        return;
      }
      buf[p] = 0x22;
      buf.write(s, p + 1, n, 'latin1');
      buf[p + 1 + n] = 0x22;
      this.pos = p + n + 2;
      return;
    }
    buf[p] = 0x22;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      // control characters, '"', '\\' and everything beyond ASCII: the engine's way
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) break;
      buf[p + 1 + i] = c;
    }
    if (i === n) {
      buf[p + 1 + n] = 0x22;
      this.pos = p + n + 2;
      return;
    }
    this.unusual(s);
  }

  /** str() of a string beyond printable ASCII (the bytes JSON.stringify gives, quoted and encoded). */
  private unusual(s: string): void {
    if (ESCAPED.test(s)) {
      this.text(JSON.stringify(s));
      return;
    }
    // nothing to escape: its UTF-8 between quotes
    this.byte(0x22);
    this.text(s);
    this.byte(0x22);
  }
}

/**
 * The digits of `y`, a non-negative int32, backwards from end - 1: two at a time (PAIRS), so
 * that the chain of divisions, each waiting for the one before, is half as long.
 */
function digitsBefore(v: DataView, end: number, y: number): void {
  let p = end;
  while (y >= 100) {
    const q = (y / 100) | 0;
    p -= 2;
    v.setUint16(p, PAIRS[y - q * 100]!, true);
    y = q;
  }
  if (y >= 10) v.setUint16(p - 2, PAIRS[y]!, true);
  else v.setUint8(p - 1, 0x30 + y);
}

/*
 * Writes at a position the caller keeps in a local, for a record of many short pieces whose
 * room it reserved at once (ByteWriter.reserve, then its view and pos; the pos given back
 * after): no bounds check, no load and store of the writer's fields, no call per piece that
 * the engine must make (a method of the writer, not inlined, checked its receiver's shape at
 * every call). Each returns the position after what it wrote.
 */

/** Chunk `c` at `p` (room for its words: 8 bytes each); with `refs`, as ByteWriter.raw writes it then. */
export function putRaw(v: DataView, p: number, c: Chunk, refs: boolean): number {
  if (refs && c.ref >= 0) {
    const id = refOf(c);
    if (id > 0) {
      v.setUint8(p, REF);
      v.setUint16(p + 1, id, true);
      return p + REF_BYTES;
    }
  }
  const w = c.words;
  const n = w.length;
  v.setFloat64(p, w[0]!, true);
  v.setFloat64(p + 8, w[1]!, true);
  v.setFloat64(p + 16, w[2]!, true);
  v.setFloat64(p + 24, w[3]!, true);
  for (let i = 4; i < n; i++) v.setFloat64(p + 8 * i, w[i]!, true);
  return p + c.length;
}

/** A non-negative int32 (at most 10 bytes). */
export function putInt32(v: DataView, p: number, y: number): number {
  const end = p + digitsOf(y);
  digitsBefore(v, end, y);
  return end;
}

/** A uint32 given as an int32 (`x | 0`, as ByteWriter.u32 takes it; at most 10 bytes). */
export function putU32(v: DataView, p: number, i: number): number {
  if (i >= 0) return putInt32(v, p, i);
  // 2^31 .. 2^32-1: ten digits; the last one by a division of doubles, the nine before it
  // (below 2^31 by then) by int32 divisions, which V8 makes a multiply: about 14 ns a number
  // against 25 for ten divisions of doubles
  const x = i >>> 0;
  const q0 = Math.floor(x / 10);
  v.setUint8(p + 9, 0x30 + x - q0 * 10);
  digitsBefore(v, p + 9, q0 | 0);
  return p + 10;
}

/** The most bytes putFraction() writes. */
const FRACTION_MAX = 21;

/**
 * `whole` (a non-negative int32), a point and the 9-digit fraction `frac` (1..10^9-1) without
 * trailing zeros (ByteWriter.fraction). At most FRACTION_MAX bytes.
 */
export function putFraction(v: DataView, p: number, whole: number, frac: number): number {
  p = putInt32(v, p, whole);
  // int32 divisions throughout: `frac /= 10` made it a double, and `%` of a double is a call;
  // the trailing zeros two at a time, then one
  let f = frac | 0;
  let digits = 9;
  for (;;) {
    const q = (f / 100) | 0;
    if (f - q * 100 !== 0) break;
    f = q;
    digits -= 2;
  }
  const q1 = (f / 10) | 0;
  if (f - q1 * 10 === 0) {
    f = q1;
    digits--;
  }
  // `digits` digits: zeros, then f's own digits at their end (f is at least 1, below 10^digits)
  const end = p + 1 + digits;
  v.setUint8(p, 0x2e);
  for (let i = p + 1; i < end; i++) v.setUint8(i, 0x30);
  digitsBefore(v, end, f);
  return end;
}

/** 10^0 to 10^6, for fixed(). */
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];

/** 10^t for t = 1 to 9, at t; 0 at 0 (digitsOf). */
const TEN_TO = new Int32Array([0, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000]);

/**
 * The decimal digits of `x`, a non-negative int32: t = floor(bits * log10(2)), where bits is
 * x's bit length (1233 / 4096 is log10(2) to within 0.01%, so t is the number of digits or one
 * below), then one more when x is at least 10^t. The same few steps for every number: a chain of
 * comparisons (x < 100, x < 1000, ...) had feedback only for the ones numbers had reached, and
 * the first frame number of six digits, a tenth into short1m, threw away num(), uint() and
 * numOrNull(); the first of seven, at its end, did again.
 */
export function digitsOf(x: number): number {
  const t = ((32 - Math.clz32(x)) * 1233) >>> 12;
  return t + (x >= TEN_TO[t]! ? 1 : 0);
}

/**
 * `x.toFixed(digits)`, digits 0 to 6 (see scaledFixed for the rounding): the summary table's
 * durations and initial RTTs, a million of them on the SYN flood, where toFixed made a string of
 * each (a tenth of the table's own time on short1m's profile).
 */
export function fixed(w: ByteWriter, x: number, digits: number): void {
  const scale = POW10[digits]!;
  const n = scaledFixed(x, scale);
  if (n < 0) {
    w.text(x.toFixed(digits));
    return;
  }
  const whole = Math.floor(n / scale);
  w.uint(whole);
  if (digits === 0) return;
  w.byte(0x2e); // '.'
  // the fraction's leading zeros, then its digits
  const f = n - whole * scale;
  let zeros = digits - 1;
  for (let y = f; y >= 10; y = Math.floor(y / 10)) zeros--;
  for (let i = 0; i < zeros; i++) w.byte(0x30);
  w.uint(f);
}

/**
 * x * scale rounded as toFixed rounds x to log10(scale) digits, or -1 where that is not sure from
 * the product. toFixed rounds the double's exact value times `scale` to the nearest integer, a
 * tie to the larger: the product x * scale is within half a unit of its last place of that exact
 * value, so when it is further than a unit from a tie its rounding is toFixed's. Near a tie (x an
 * odd number of half units of the last digit), for a negative x or one too large (the product
 * from 1e15 on), -1: toFixed itself then.
 */
export function scaledFixed(x: number, scale: number): number {
  const y = x * scale;
  // a unit in the last place of y is at most y * 2^-52; 2^-48 leaves a margin of 16
  if (x >= 0 && y < 1e15 && Math.abs(y - Math.floor(y) - 0.5) > y * 3.6e-15) return Math.floor(y + 0.5);
  return -1;
}
