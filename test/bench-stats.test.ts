/** scripts/bench-stats.ts: the bench's medians, ratio spreads and GNU time lines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, parseTimeLine, spread } from '../scripts/bench-stats.js';

test('median: the middle value, the mean of the middle two, NaN for none; the input left as it was', () => {
  const xs = [3, 1, 2];
  assert.equal(median(xs), 2);
  assert.deepEqual(xs, [3, 1, 2]);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([0.7]), 0.7);
  assert.ok(Number.isNaN(median([])));
});

test('spread: the rounds ratios as median and range, nothing for no rounds', () => {
  assert.equal(spread([4.2, 4.9, 4.6]), '4.6× (4.2-4.9×)');
  assert.equal(spread([]), '');
  assert.equal(spread(null), '');
});

test("parseTimeLine: GNU time's '%M %U %S %R' as MB, CPU seconds and faults", () => {
  assert.deepEqual(parseTimeLine('87232 0.69 0.18 16915\n'), { rssMB: 87232 / 1024, cpuSeconds: 0.69 + 0.18, minorFaults: 16915 });
});

test('parseTimeLine: the last line counts (a killed command gets a line of its own before it)', () => {
  assert.deepEqual(parseTimeLine('Command terminated by signal 9\n2048 1.50 0.25 300\n'), { rssMB: 2, cpuSeconds: 1.75, minorFaults: 300 });
});

test('parseTimeLine: missing or unreadable fields are null, not NaN or 0', () => {
  // an older format without the faults
  assert.deepEqual(parseTimeLine('1024 0.10 0.05'), { rssMB: 1, cpuSeconds: 0.1 + 0.05, minorFaults: null });
  assert.deepEqual(parseTimeLine('x 0.10 ? 7'), { rssMB: null, cpuSeconds: null, minorFaults: 7 });
  assert.deepEqual(parseTimeLine(''), { rssMB: null, cpuSeconds: null, minorFaults: null });
});
