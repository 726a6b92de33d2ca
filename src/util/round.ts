/** Seconds rounded to the nanosecond, so JSON does not show float noise (0.424501896… → 0.424502). */
export function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
