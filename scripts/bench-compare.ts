/**
 * `npm run bench -- --compare OLD.json [NEW.json]`: two bench runs' results side by side (the JSON
 * the bench writes to bench-results/, NEW by default the latest, bench-results/bench.json), for
 * tracking. Each capture and mode in both: its best time in each and the change, and its ratio
 * against tcptrace and tshark in each (the rounds' median when the run had rounds, else from the
 * best times), which compare across machines and spells better than seconds do; peak RSS in each.
 * Then what only one of them has, and what each machine was like (node, processor, a fresh
 * page, the probe's loop), since a change of seconds between two machines or hours says little.
 */
import { readFileSync } from 'node:fs';
import { median } from './bench-stats.js';

/** A result row of the bench's JSON (the fields read here). */
export interface BenchRow {
  capture: string;
  mode: string;
  copies?: number;
  seconds: number;
  peakRssMB: number | null;
  ok?: boolean;
  roundRatios?: { tcptrace: number[] | null; tshark: number[] | null };
}

/** The bench's JSON (the fields read here). */
export interface BenchFile {
  date?: string;
  node?: string;
  cpu?: string;
  cores?: number;
  repeat?: number;
  machine?: { capture: string; before: { freshPageMicros: number | null; loopMs: number | null } }[];
  results: BenchRow[];
}

/** Not a bench result file (the message says why). */
export class BenchFileError extends Error {}

/** Checks that `x` (parsed JSON of `name`) is a bench result file; returns it typed. */
export function asBenchFile(x: unknown, name: string): BenchFile {
  const bad = (why: string): never => {
    throw new BenchFileError(`${name}: not a bench result file (${why})`);
  };
  if (typeof x !== 'object' || x === null) return bad('not a JSON object');
  const results = (x as { results?: unknown }).results;
  if (!Array.isArray(results)) return bad('no "results" list');
  results.forEach((r: unknown, i) => {
    const row = r as Partial<BenchRow> | null;
    if (typeof row !== 'object' || row === null || typeof row.capture !== 'string' || typeof row.mode !== 'string' || typeof row.seconds !== 'number') {
      bad(`results[${i}] has no capture, mode or seconds`);
    }
  });
  return x as BenchFile;
}

/** Reads a bench result file; a file that is missing, not JSON or not a result file is a BenchFileError naming it. */
export function readBenchFile(path: string): BenchFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BenchFileError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BenchFileError(`${path}: not JSON (${(e as Error).message})`);
  }
  return asBenchFile(json, path);
}

/** The ratio of a row against tcptrace or tshark in its file: the rounds' median, else from the best times; null without that program. */
export function ratioOf(file: BenchFile, row: BenchRow, other: 'tcptrace' | 'tshark'): number | null {
  if (row.mode === 'tcptrace' || row.mode === 'tshark') return null;
  const rounds = row.roundRatios?.[other];
  if (rounds && rounds.length > 0) return median(rounds);
  const o = file.results.find((r) => r.capture === row.capture && r.mode === other);
  if (o === undefined || !(row.seconds > 0)) return null;
  return (o.seconds * (row.copies ?? 1)) / row.seconds;
}

export interface CompareRow {
  capture: string;
  mode: string;
  oldSeconds: number;
  newSeconds: number;
  /** newSeconds / oldSeconds - 1 (negative: faster). */
  change: number;
  oldTcptrace: number | null;
  newTcptrace: number | null;
  oldTshark: number | null;
  newTshark: number | null;
  oldRss: number | null;
  newRss: number | null;
}

export interface Comparison {
  rows: CompareRow[];
  /** capture/mode pairs only one file has. */
  onlyOld: string[];
  onlyNew: string[];
}

const key = (r: BenchRow): string => `${r.capture}/${r.mode}`;

/** The rows both files have, in the new file's order; and those only one has. */
export function compareBench(a: BenchFile, b: BenchFile): Comparison {
  const old = new Map(a.results.map((r) => [key(r), r]));
  const seen = new Set<string>();
  const rows: CompareRow[] = [];
  const onlyNew: string[] = [];
  for (const n of b.results) {
    const k = key(n);
    if (seen.has(k)) continue;
    seen.add(k);
    const o = old.get(k);
    if (o === undefined) {
      onlyNew.push(k);
      continue;
    }
    rows.push({
      capture: n.capture,
      mode: n.mode,
      oldSeconds: o.seconds,
      newSeconds: n.seconds,
      change: n.seconds / o.seconds - 1,
      oldTcptrace: ratioOf(a, o, 'tcptrace'),
      newTcptrace: ratioOf(b, n, 'tcptrace'),
      oldTshark: ratioOf(a, o, 'tshark'),
      newTshark: ratioOf(b, n, 'tshark'),
      oldRss: o.peakRssMB,
      newRss: n.peakRssMB,
    });
  }
  const onlyOld = [...new Set(a.results.map(key))].filter((k) => !seen.has(k));
  return { rows, onlyOld, onlyNew };
}

const ratio = (x: number | null): string => (x === null ? '-' : `${x.toFixed(1)}×`);
const rss = (x: number | null): string => (x === null ? '?' : x.toFixed(0));

/** What a file's machine was like: its date, node, processor and the probes' range. */
function machineLine(f: BenchFile): string {
  const pages = (f.machine ?? []).map((m) => m.before.freshPageMicros).filter((x): x is number => typeof x === 'number');
  const loops = (f.machine ?? []).map((m) => m.before.loopMs).filter((x): x is number => typeof x === 'number');
  const range = (xs: number[], digits: number, unit: string): string =>
    xs.length === 0 ? '?' : `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)} ${unit}`;
  return `${f.date ?? '?'}, node ${f.node ?? '?'}, ${f.cores ?? '?'} cores (${f.cpu ?? '?'}), best of ${f.repeat ?? 1}; a fresh page ${range(pages, 1, 'µs')}, the loop ${range(loops, 0, 'ms')}`;
}

/** capture/mode pairs as `capture: mode, mode; capture: mode`, in their order. */
function byCapture(pairs: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const p of pairs) {
    const at = p.indexOf('/');
    const cap = p.slice(0, at);
    let g = groups.get(cap);
    if (g === undefined) groups.set(cap, (g = []));
    g.push(p.slice(at + 1));
  }
  return [...groups].map(([cap, modes]) => `${cap}: ${modes.join(', ')}`).join('; ');
}

/** The comparison as the bench prints it. */
export function formatComparison(a: BenchFile, b: BenchFile, oldName: string, newName: string): string {
  const c = compareBench(a, b);
  const out: string[] = [];
  out.push(`old: ${oldName}: ${machineLine(a)}`);
  out.push(`new: ${newName}: ${machineLine(b)}`);
  out.push('(seconds: the best time of each run; ratios: the rounds\' median, or from the best times; compare ratios across machines, not seconds)');
  out.push(`${'capture'.padEnd(12)} ${'mode'.padEnd(18)} ${'old s'.padStart(7)} ${'new s'.padStart(7)} ${'change'.padStart(7)}  ${'vs tcptrace'.padStart(17)}  ${'vs tshark'.padStart(15)}  ${'peak RSS MB'.padStart(11)}`);
  for (const r of c.rows) {
    const p = Math.round(r.change * 100);
    const pct = `${p > 0 ? '+' : p < 0 ? '-' : '±'}${Math.abs(p)}%`;
    const tt = r.oldTcptrace === null && r.newTcptrace === null ? '' : `${ratio(r.oldTcptrace)} -> ${ratio(r.newTcptrace)}`;
    const ts = r.oldTshark === null && r.newTshark === null ? '' : `${ratio(r.oldTshark)} -> ${ratio(r.newTshark)}`;
    out.push(
      `${r.capture.padEnd(12)} ${r.mode.padEnd(18)} ${r.oldSeconds.toFixed(2).padStart(7)} ${r.newSeconds.toFixed(2).padStart(7)} ${pct.padStart(7)}  ${tt.padStart(17)}  ${ts.padStart(15)}  ${`${rss(r.oldRss)} -> ${rss(r.newRss)}`.padStart(11)}`,
    );
  }
  if (c.rows.length === 0) out.push('(no capture and mode in both)');
  if (c.onlyOld.length > 0) out.push(`only in old: ${byCapture(c.onlyOld)}`);
  if (c.onlyNew.length > 0) out.push(`only in new: ${byCapture(c.onlyNew)}`);
  return out.join('\n');
}
