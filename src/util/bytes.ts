/**
 * A growable byte buffer that text is written into as UTF-8, and bytes copied into: output
 * travels as bytes from where it is rendered to the stream, instead of as strings encoded (and
 * decoded, and encoded again) on the way.
 */

export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(size = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Starts over in a new buffer of `size` bytes (the old one is left to whoever holds it). */
  reset(size: number): void {
    this.buf = Buffer.allocUnsafe(size);
    this.pos = 0;
  }

  /** Starts over in `b`. */
  reuse(b: Buffer): void {
    this.buf = b;
    this.pos = 0;
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = Buffer.allocUnsafe(size);
    this.buf.copy(b, 0, 0, this.pos);
    this.buf = b;
  }

  /** `len` bytes of `src` from `start`. */
  bytes(src: Uint8Array, start: number, len: number): void {
    if (this.pos + len > this.buf.length) this.grow(len);
    this.buf.set(src.subarray(start, start + len), this.pos);
    this.pos += len;
  }

  byte(c: number): void {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = c;
  }

  /** Text as UTF-8 (as Buffer.from(s) encodes it). */
  text(s: string): void {
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
}
