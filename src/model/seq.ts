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

/** a − b modulo 2^32, unsigned: the relative number of a against base b. */
export function seqSub(a: number, b: number): number {
  return (a - b) >>> 0;
}

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
