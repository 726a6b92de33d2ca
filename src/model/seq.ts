/**
 * Sequence-number arithmetic, the only place it is done (RFC 9293 §3.4: comparisons are
 * modulo 2^32). Values are kept as unsigned 32-bit numbers (`>>> 0`); "a after b" means the
 * signed 32-bit difference a − b is positive (Wireshark's GT_SEQ, Zeek's seq_delta).
 */

/** a − b as a signed 32-bit number. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** a + n modulo 2^32. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/**
 * a + n as an int32 (the same 32 bits as seqAdd's result): how the tracker's flows keep their
 * sequence numbers, so that V8 stores them in the object itself, not as a heap number each
 * (a uint32 from 2^31 up is not a small integer to V8). Compare such values only with each
 * other or through seqDiff/seqGt/seqLt/seqGe/seqLe/seqSub, which take either form.
 */
export function seqAdd32(a: number, n: number): number {
  return (a + n) | 0;
}

/** a − b modulo 2^32, unsigned: the relative number of a against base b. */
export function seqSub(a: number, b: number): number {
  return (a - b) >>> 0;
}

// seqSub's result is a small number in almost every packet (a relative number), so V8 compiles
// it, and every function it is inlined into, for results below 2^31 only; the first number
// from 2^31 up (an ack below the other side's ISN, a packet before its direction's base), which
// a real capture may give a hundred thousand packets in, threw that code away: track()'s and
// handle()'s, each compiled again (tens of milliseconds of the compiler's thread, the packets
// meanwhile in baseline code). Called here with such results, enough times for V8 to have made
// its feedback (lazily, after a function has run about eight times its own size), its code is
// compiled for any uint32 from the start.
for (let i = 0; i < 256; i++) seqSub(i & 1, 1);

export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function seqGe(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

export function seqLe(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}
