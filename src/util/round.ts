/** Seconds rounded to the nanosecond, so JSON does not show float noise (0.424501896… → 0.424502). */
export function round9(x: number): number {
  // from 2^53 ns (about 104 days) on, a double has no nanoseconds to round to: x * 1e9 would be
  // rounded to a multiple of 2 or more, and dividing back would add the noise this removes
  if (!(Math.abs(x) < 9_007_199)) return x;
  return Math.round(x * 1e9) / 1e9;
}
