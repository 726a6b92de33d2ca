/**
 * Below this many seconds (2^53 ns, about 104 days) round9 rounds; from it on a double has no
 * nanoseconds to round to: x * 1e9 would be rounded to a multiple of 2 or more, and dividing back
 * would add the noise round9 removes.
 */
export const ROUND9_MAX = 9_007_199;

/**
 * Seconds rounded to the nanosecond, so JSON does not show float noise (0.424501896… → 0.424502).
 * (json-bytes.ts's writePacketRecord writes the same expression out.)
 */
export function round9(x: number): number {
  if (!(Math.abs(x) < ROUND9_MAX)) return x;
  return Math.round(x * 1e9) / 1e9;
}

/**
 * A whole number read back from a Float64Array, as an int32 when it is one: V8 keeps a field
 * that has only held small integers as one, and storing a double there changes that field to a
 * double in every object of its shape (slower code for every packet after: Zeek's payload bytes
 * restored for a continuation cost real4's `check` 0.06 s, docs/performance.md; and every
 * optimised function that had seen the shape is thrown away, util/shapes.ts). An int32 is what
 * a DataView's getUint32 below 2^31 or `| 0` gives, so the field keeps the kind the reader gave
 * it (a small integer in 64-bit Node 20, whose small integers are 32 bits: a pcap's seconds,
 * 1.8e9 today, are one).
 */
export function smiIfSmall(x: number): number {
  return x <= 0x7fffffff && x >= -0x80000000 ? x | 0 : x;
}
