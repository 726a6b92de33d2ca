/**
 * The bench's arithmetic and parsing (scripts/bench.ts), apart so that tests can import them
 * without running a bench.
 */

/** The median of some values (the mean of the middle two for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `4.6× (4.2-4.9×)`: the median of the rounds' ratios and their range; '' for none. */
export function spread(xs: readonly number[] | null): string {
  if (xs === null || xs.length === 0) return '';
  return `${median(xs).toFixed(1)}× (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}×)`;
}

export interface TimeLine { rssMB: number | null; cpuSeconds: number | null; minorFaults: number | null }

/**
 * What GNU time wrote with `-f '%M %U %S %R'` (peak RSS in KB, user and system seconds, minor
 * page faults): its last line, since a command killed by a signal gets a line of its own before
 * it ("Command terminated by signal 9"). A field that is missing or not a number is null.
 */
export function parseTimeLine(text: string): TimeLine {
  const last = text.trim().split('\n').pop() ?? '';
  const f = last.trim().split(/\s+/);
  const num = (i: number): number | null => {
    if (i >= f.length || f[i] === '') return null;
    const v = Number(f[i]);
    return Number.isFinite(v) ? v : null;
  };
  const kb = num(0);
  const u = num(1);
  const s = num(2);
  return { rssMB: kb === null ? null : kb / 1024, cpuSeconds: u === null || s === null ? null : u + s, minorFaults: num(3) };
}
