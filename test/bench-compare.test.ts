/**
 * scripts/bench-compare.ts: two bench runs' results side by side (`npm run bench -- --compare`),
 * and the bench on that command line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asBenchFile, BenchFileError, compareBench, formatComparison, ratioOf, type BenchFile } from '../scripts/bench-compare.js';
import { parseBenchArgs, BenchArgsError } from '../scripts/bench-args.js';

const BENCH = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'bench.js');

/** A run of one round (ratios from the best times) and one of three rounds (ratios recorded). */
const OLD: BenchFile = {
  date: '2026-12-07T08:00:00.000Z', node: 'v20.20.2', cores: 2, cpu: 'AMD EPYC', repeat: 1,
  machine: [{ capture: 'short1m', before: { freshPageMicros: 2.0, loopMs: 266 } }],
  results: [
    { capture: 'short1m', mode: 'check', seconds: 0.5, peakRssMB: 72 },
    { capture: 'short1m', mode: 'json', seconds: 0.8, peakRssMB: 80 },
    { capture: 'short1m', mode: 'json-x50', copies: 50, seconds: 2, peakRssMB: 90 },
    { capture: 'short1m', mode: 'tcptrace', seconds: 3.5, peakRssMB: 815 },
    { capture: 'short1m', mode: 'tshark', seconds: 5, peakRssMB: 938 },
    { capture: 'bulk', mode: 'json', seconds: 0.2, peakRssMB: 56 },
  ],
};
const NEW: BenchFile = {
  date: '2026-12-07T09:00:00.000Z', node: 'v20.20.2', cores: 2, cpu: 'AMD EPYC', repeat: 3,
  machine: [{ capture: 'short1m', before: { freshPageMicros: 1.8, loopMs: 270 } }, { capture: 'short10m', before: { freshPageMicros: 2.2, loopMs: 264 } }],
  results: [
    { capture: 'short1m', mode: 'check', seconds: 0.4, peakRssMB: 71, roundRatios: { tcptrace: [8, 9, 8.5], tshark: [12, 13, 11] } },
    { capture: 'short1m', mode: 'json', seconds: 0.8, peakRssMB: null, roundRatios: { tcptrace: null, tshark: null } },
    { capture: 'short1m', mode: 'tshark', seconds: 4.8, peakRssMB: 938 },
    { capture: 'short10m', mode: 'check', seconds: 2.8, peakRssMB: 79 },
  ],
};

test('compareBench: the pairs in both, in the new order, with the change; those only one has', () => {
  const c = compareBench(OLD, NEW);
  assert.deepEqual(c.rows.map((r) => `${r.capture}/${r.mode}`), ['short1m/check', 'short1m/json', 'short1m/tshark']);
  const check = c.rows[0];
  assert.equal(check.oldSeconds, 0.5);
  assert.equal(check.newSeconds, 0.4);
  assert.ok(Math.abs(check.change - -0.2) < 1e-12);
  // old: from the best times (tcptrace 3.5 s / 0.5 s); new: the rounds' median
  assert.equal(check.oldTcptrace, 7);
  assert.equal(check.oldTshark, 10);
  assert.equal(check.newTcptrace, 8.5);
  assert.equal(check.newTshark, 12);
  assert.equal(check.oldRss, 72);
  assert.equal(check.newRss, 71);
  // no rounds' ratios and no tcptrace in the new run: none; tshark from the best times
  const json = c.rows[1];
  assert.equal(json.newTcptrace, null);
  assert.equal(json.newTshark, 4.8 / 0.8);
  assert.equal(json.newRss, null);
  // tcptrace and tshark themselves have no ratio
  assert.equal(c.rows[2].oldTshark, null);
  assert.deepEqual(c.onlyOld, ['short1m/json-x50', 'short1m/tcptrace', 'bulk/json']);
  assert.deepEqual(c.onlyNew, ['short10m/check']);
});

test('ratioOf: a mode given several copies counts the other program once per copy', () => {
  assert.equal(ratioOf(OLD, OLD.results[2], 'tshark'), (5 * 50) / 2);
  assert.equal(ratioOf(OLD, OLD.results[2], 'tcptrace'), (3.5 * 50) / 2);
});

test('formatComparison: both machines, a line per pair, what only one has', () => {
  const text = formatComparison(OLD, NEW, 'a.json', 'b.json');
  const lines = text.split('\n');
  assert.equal(lines[0], 'old: a.json: 2026-12-07T08:00:00.000Z, node v20.20.2, 2 cores (AMD EPYC), best of 1; a fresh page 2.0-2.0 µs, the loop 266-266 ms');
  assert.equal(lines[1], 'new: b.json: 2026-12-07T09:00:00.000Z, node v20.20.2, 2 cores (AMD EPYC), best of 3; a fresh page 1.8-2.2 µs, the loop 264-270 ms');
  const check = lines.find((l) => l.startsWith('short1m      check '));
  assert.ok(check, text);
  assert.match(check, /^short1m {6}check {14}\s+0\.50\s+0\.40\s+-20%\s+7\.0× -> 8\.5×\s+10\.0× -> 12\.0×\s+72 -> 71$/);
  assert.match(lines.find((l) => l.startsWith('short1m      json '))!, /\s±0%\s+4\.4× -> -\s+6\.3× -> 6\.0×\s+80 -> \?$/);
  assert.ok(lines.includes('only in old: short1m: json-x50, tcptrace; bulk: json'), text);
  assert.ok(lines.includes('only in new: short10m: check'), text);
});

test('asBenchFile: anything but a result file is refused, saying why', () => {
  for (const [x, why] of [[null, 'not a JSON object'], [[], 'no "results" list'], [{ results: 3 }, 'no "results" list'], [{ results: [{ capture: 'a', mode: 'b' }] }, 'results[0] has no capture, mode or seconds']] as const) {
    assert.throws(() => asBenchFile(x, 'x.json'), (e: unknown) => e instanceof BenchFileError && e.message === `x.json: not a bench result file (${why})`);
  }
  assert.equal(asBenchFile(OLD, 'x.json'), OLD);
});

test('--compare: one or two files, nothing else; files without it are an error', () => {
  const caps = [{ name: 'short1m' }];
  const modes = [{ name: 'check' }];
  assert.deepEqual(parseBenchArgs(['--compare', 'a.json'], caps, modes).compare, ['a.json', null]);
  assert.deepEqual(parseBenchArgs(['--compare', 'a.json', 'b.json'], caps, modes).compare, ['a.json', 'b.json']);
  assert.equal(parseBenchArgs([], caps, modes).compare, null);
  const fails = (argv: string[], re: RegExp): void => {
    assert.throws(() => parseBenchArgs(argv, caps, modes), (e: unknown) => e instanceof BenchArgsError && re.test(e.message));
  };
  fails(['--compare'], /^--compare needs one or two result files/);
  fails(['--compare', 'a', 'b', 'c'], /^--compare needs one or two result files/);
  fails(['--compare', 'a', '--repeat', '3'], /^--compare runs nothing: --repeat has no meaning with it$/);
  fails(['a.json'], /^Unexpected argument 'a\.json' \(result files go with --compare\)$/);
});

test('the bench with --compare prints the comparison and exits 0; a missing or wrong file exits 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-compare-'));
  try {
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(a, JSON.stringify(OLD));
    writeFileSync(b, JSON.stringify(NEW));
    const ok = spawnSync(process.execPath, [BENCH, '--compare', a, b], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, formatComparison(OLD, NEW, a, b) + '\n');
    assert.equal(ok.stderr, '');
    const missing = spawnSync(process.execPath, [BENCH, '--compare', join(dir, 'none.json'), b], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr, `bench: ${join(dir, 'none.json')}: no such file\n`);
    writeFileSync(join(dir, 'bad.json'), '{"results": [');
    const bad = spawnSync(process.execPath, [BENCH, '--compare', a, join(dir, 'bad.json')], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^bench: .*bad\.json: not JSON \(/);
    writeFileSync(join(dir, 'other.json'), '{"date": "x"}');
    const other = spawnSync(process.execPath, [BENCH, '--compare', join(dir, 'other.json'), b], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(other.status, 2);
    assert.match(other.stderr, /other\.json: not a bench result file \(no "results" list\)\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
