/**
 * The fuzz harness (scripts/fuzz): a fixed-seed smoke run (300 inputs) over the fixtures in every npm test,
 * its determinism, and proof that it notices a hang, an uncaught exception, a heap blow-up and
 * memory kept after an input (the worker misbehaves on purpose).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from '../scripts/fuzz/mutate.js';
import { loadSources, runFuzz, type FuzzOptions } from '../scripts/fuzz/harness.js';

// many-connections (500 connections in 1.5 KB of gzip) takes seconds per input: not in the smoke run
const sources = loadSources({ fixtures: true, corpus: false, maxSize: 1 << 20, exclude: /many-connections/ });
const base: FuzzOptions = {
  seed: 20251122, count: 300, timeSec: 0, timeoutMs: 20000, jobs: 1, heapMb: 512, residentMb: 128,
  sources, failDir: null, maxFailures: 10,
};

// the self-tests wait on their own workers: run them beside the smoke run
describe('fuzz harness', { concurrency: true }, () => {
  it('smoke run: 300 mutated fixtures through every output, no failure', async () => {
    const r = await runFuzz(base);
    assert.equal(r.inputs, 300);
    assert.deepEqual(r.failures.map((f) => `input ${f.index} (${f.source}; ${f.steps.join('; ')}): ${f.problems.join('; ')}`), []);
    // the mutations reach the container, the IP and the TCP layers, and both outcomes occur
    for (const m of ['bit-flips', 'truncate-at-boundary', 'pcap-record-length', 'ipv4-fields', 'tcp-fields', 'timestamps', 'record-order']) {
      assert.ok((r.byMutation[m] ?? 0) > 0, `no ${m} input`);
    }
    assert.ok((r.exitCodes['0'] ?? 0) > 50, JSON.stringify(r.exitCodes));
    assert.ok((r.exitCodes['2'] ?? 0) > 20, JSON.stringify(r.exitCodes));
  });

  it('same seed, same inputs; another seed, other inputs', () => {
    for (const i of [0, 1, 17, 299]) {
      const a = generate(7, i, sources);
      const b = generate(7, i, sources);
      assert.deepEqual(a, b);
    }
    const same = [0, 1, 2, 3, 4, 5].filter((i) => Buffer.compare(generate(7, i, sources).bytes, generate(8, i, sources).bytes) === 0);
    assert.ok(same.length < 3, `seeds 7 and 8 gave the same inputs at ${same.join(',')}`);
  });

  it('a hang is reported as a time-out, and the next input still runs', async () => {
    const r = await runFuzz({ ...base, count: 2, timeoutMs: 800, selfTest: 'hang', only: [0, 1] });
    assert.equal(r.inputs, 2);
    assert.equal(r.failures.length, 2);
    assert.match(r.failures[0].problems[0], /^time-out: no result after 800 ms/);
  });

  it('an uncaught exception in the worker is reported', async () => {
    const r = await runFuzz({ ...base, count: 1, selfTest: 'throw' });
    assert.equal(r.failures.length, 1);
    assert.match(r.failures[0].problems.join('\n'), /uncaught exception: Error: self-test: uncaught/);
  });

  it('heap growth beyond the limit is reported', async () => {
    const r = await runFuzz({ ...base, count: 1, heapMb: 64, selfTest: 'oom' });
    assert.equal(r.failures.length, 1);
    assert.match(r.failures[0].problems[0], /heap grew beyond 64 MB|worker exited/);
  });

  it('memory still held after an input beyond the bound is reported', async () => {
    const r = await runFuzz({ ...base, count: 1, residentMb: 40, selfTest: 'retain' });
    assert.equal(r.failures.length, 1);
    assert.match(r.failures[0].problems.join('\n'), /heap in use after the input: \d+\.\d MB \(bound 40 MB\)/);
  });
});
