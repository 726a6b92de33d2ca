/**
 * -j's default: worker threads only when the captures are big enough to pay for them (on two
 * cores, at least two of PARALLEL_MIN_BYTES; on more, PARALLEL_MIN_TOTAL in all: src/cli/jobs.ts),
 * else one capture at a time in the main thread. On this 2-core machine two workers took 55 ms
 * more than none on two fixture captures (`check` 58 against 121 ms), and gained only from about
 * 120 MB a capture (docs/performance.md).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { captureBytes, defaultJobs, PARALLEL_MIN_BYTES, PARALLEL_MIN_TOTAL } from '../src/cli/jobs.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { tempDir } from './helpers/tmp.js';

const BIN = join(REPO_ROOT, 'bin', 'tcpflow-explain.js');
const fixture = (name: string): string => join(REPO_ROOT, 'fixtures', name, 'capture.pcap');
const dir = tempDir('tcpflow-jobs-default-');

/** A file of `bytes` zeros that takes no room on disk (a sparse file). */
function sparse(name: string, bytes: number): string {
  const f = join(dir, name);
  writeFileSync(f, '');
  truncateSync(f, bytes);
  return f;
}

/** The modules the CLI loaded for `args` (as test/bundle.test.ts asks), and its exit code. */
function run(args: string[]): { status: number | null; modules: string[] } {
  const r = spawnSync(process.execPath, ['-e', `
    const before = new Set(process.moduleLoadList);
    process.argv = [process.execPath, ${JSON.stringify(BIN)}, ...${JSON.stringify(args)}];
    process.on('exit', () => process.stderr.write('\\n' + JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m)))));
    require(${JSON.stringify(BIN)});`], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const lines = r.stderr.trimEnd().split('\n');
  return { status: r.status, modules: JSON.parse(lines[lines.length - 1]!) as string[] };
}

describe('-j by default', () => {
  const big = PARALLEL_MIN_BYTES;
  const cores = Math.min(2, availableParallelism());

  it('captureBytes: a file\'s size, a gzip file\'s uncompressed size (at least 3 times its own), 0 for one that cannot be read', () => {
    const plain = join(dir, 'plain.bin');
    writeFileSync(plain, Buffer.alloc(1000, 7));
    assert.equal(captureBytes(plain), 1000);
    assert.equal(captureBytes(sparse('sparse.bin', big + 1)), big + 1);
    const data = Buffer.alloc(200_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) & 0xff;
    const gz = join(dir, 'small.gz');
    writeFileSync(gz, gzipSync(data));
    assert.equal(captureBytes(gz), Math.max(200_000, 3 * gzipSync(data).length));
    // a gzip of zeros: a few hundred kilobytes on disk, its trailer says what it unpacks to
    const zeros = join(dir, 'zeros.gz');
    writeFileSync(zeros, gzipSync(Buffer.alloc(big + 4096)));
    assert.equal(captureBytes(zeros), big + 4096);
    assert.equal(captureBytes(join(dir, 'missing.pcap')), 0);
    // not a regular file: not opened (a named pipe's open would wait for a writer: the test
    // would hang), nor counted
    const fifo = join(dir, 'fifo');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    assert.equal(captureBytes(fifo), 0);
    assert.equal(captureBytes(dir), 0);
  });

  it('on more than two cores, workers from PARALLEL_MIN_TOTAL of captures in all; never for one capture or one core', () => {
    const small = fixture('tcp-four-way');
    const ten = sparse('ten.pcap', 10 << 20);
    const ten2 = sparse('ten2.pcap', 10 << 20);
    const all = Array.from({ length: 37 }, () => small);
    assert.equal(defaultJobs(all, 8), 1);
    assert.equal(defaultJobs([ten, small], 8), 1);
    assert.ok(10 << 21 >= PARALLEL_MIN_TOTAL);
    assert.equal(defaultJobs([ten, ten2], 8), 2);
    assert.equal(defaultJobs([ten, ten2, small, small, small], 4), 4);
    assert.equal(defaultJobs([ten, ten2, small], 8), 3);
    // the bound: the captures' bytes in all, PARALLEL_MIN_TOTAL or more
    assert.equal(defaultJobs([sparse('under-total.pcap', PARALLEL_MIN_TOTAL - 1 - captureBytes(small)), small], 8), 1);
    assert.equal(defaultJobs([sparse('total.pcap', PARALLEL_MIN_TOTAL - captureBytes(small)), small], 8), 2);
    // the same captures on two cores: not worth it (not two of PARALLEL_MIN_BYTES)
    assert.equal(defaultJobs([ten, ten2, small], 2), 1);
    assert.equal(defaultJobs([sparse('b3.pcap', big), sparse('b4.pcap', big)], 1), 1);
    assert.equal(defaultJobs([sparse('b5.pcap', big)], 8), 1);
  });

  it('on two cores, one at a time unless two captures or more are PARALLEL_MIN_BYTES or bigger', () => {
    const small = fixture('tcp-four-way');
    const b1 = sparse('b1.pcap', big);
    const b2 = sparse('b2.pcap', big + 10);
    const under = sparse('under.pcap', big - 1);
    assert.equal(defaultJobs([small, small], 2), 1);
    assert.equal(defaultJobs([small, small, small, small, small, small], 2), 1);
    assert.equal(defaultJobs([b1, small], 2), 1);
    assert.equal(defaultJobs([b1, under], 2), 1);
    assert.equal(defaultJobs([b1, '-'], 2), 1);
    assert.equal(defaultJobs([b1, join(dir, 'missing.pcap')], 2), 1);
    assert.equal(defaultJobs([b1, b2], 2), 2);
    assert.equal(defaultJobs([small, b1, small, b2], 2), 2);
    // this machine's own cores by default
    assert.equal(defaultJobs([b1, b2]), defaultJobs([b1, b2], availableParallelism()));
  });

  it('the CLI: small captures in the main thread, no worker thread; two big ones in workers; -j says otherwise', () => {
    const two = [fixture('tcp-four-way'), fixture('tcp-loss')];
    for (const args of [['--json', ...two], ['check', '-e', 'handshake=three-way', ...two]]) {
      const r = run(args);
      assert.equal(r.status, 0);
      assert.ok(!r.modules.includes('NativeModule worker_threads'), `${args.join(' ')} started workers`);
      assert.ok(r.modules.includes('NativeModule vm'), 'the list is of what the run loaded');
    }
    assert.ok(run(['-j', '2', '--json', ...two]).modules.includes('NativeModule worker_threads'));
    // two files of 100 MB of zeros (no capture: each an error, exit 2) go to workers, unless -j 1
    const zeros = [sparse('z1.pcap', big), sparse('z2.pcap', big)];
    const parallel = run(['--json', ...zeros]);
    assert.equal(parallel.status, 2);
    assert.equal(parallel.modules.includes('NativeModule worker_threads'), cores > 1);
    const one = run(['-j', '1', '--json', ...zeros]);
    assert.equal(one.status, 2);
    assert.ok(!one.modules.includes('NativeModule worker_threads'));
  });
});
