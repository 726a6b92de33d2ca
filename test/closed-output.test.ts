/**
 * Standard output whose reader has gone (`tcpflow-explain big.pcap | head`): the explain command
 * stops reading the capture (whatever more it analysed could not be shown), quietly and with the
 * exit code of what it did; check never stops, since its exit code is its result.
 * The capture: 3000 short connections (about 4 MB, four chunks of the reader), then a record
 * whose length is impossible, an error (exit 2) for a run that reads that far.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { writeSyntheticPcap } from '../scripts/synth.js';
import { runCapture } from '../src/pipeline.js';
import { Tracker } from '../src/analyze/tracker.js';
import { LOADER, type BundleLoader } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { CliContext } from '../src/cli/context.js';
import { explain, type ExplainOptions } from '../src/cli/explain.js';
import { check } from '../src/cli/check.js';

const { main } = ((await import(LOADER.href)) as BundleLoader).loadBundle().exports;
const dir = mkdtempSync(join(tmpdir(), 'tcpflow-closed-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'synth-damaged.pcap');
writeSyntheticPcap(file, { connections: 3000 });
// a record header claiming 1 GB of data
appendFileSync(file, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0x40]));

/** A standard output that is a pipe nobody reads any more: every write fails with EPIPE. */
function closedPipe(): { stream: Writable; writes: () => number } {
  let n = 0;
  const stream = new Writable({
    write(_chunk, _enc, cb) {
      n++;
      const e = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      cb(e);
    },
  });
  return { stream, writes: () => n };
}

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const err: Buffer[] = [];
  const stderr = new Writable({ write(c: Buffer, _e, cb) { err.push(c); cb(); } });
  const out = closedPipe();
  const code = await main(args, { stdout: out.stream as never, stderr, stdin: Readable.from([]) });
  return { code, stderr: Buffer.concat(err).toString('utf8') };
}

describe('standard output closed by its reader', () => {
  it('the capture: read to the end, the damaged record is an error (exit 2)', async () => {
    assert.ok(statSync(file).size > 3 << 20);
    const err: Buffer[] = [];
    const sink = new Writable({ write(_c, _e, cb) { cb(); } });
    const stderr = new Writable({ write(c: Buffer, _e, cb) { err.push(c); cb(); } });
    const code = await main(['--format', 'ndjson', file], { stdout: sink as never, stderr, stdin: Readable.from([]) });
    assert.equal(code, 2);
    assert.match(Buffer.concat(err).toString('utf8'), /record 30001/);
  });

  for (const args of [['--format', 'ndjson'], ['--format', 'ndjson', '--packets'], ['--format', 'packets']]) {
    it(`explain ${args.join(' ')} (written while reading) stops at its first failed write: the end of the capture is not read, exit 0, nothing on stderr`, async () => {
      const r = await run([...args, file]);
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
    });
  }

  it('explain --json (written once the capture is read) cannot know earlier: it reads it all and reports the damage', async () => {
    const r = await run(['--json', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /record 30001/);
  });

  it('output closed before anything is read: explain reads no capture, check reads everything (its exit code is its verdict)', async () => {
    // the commands from dist/src, on a context whose output is already closed
    const ctx = (): CliContext => {
      const c = new CliContext({ stdout: new Writable({ write: (_c, _e, cb) => cb() }) as never, stderr: new Writable({ write: (_c, _e, cb) => cb() }), stdin: Readable.from([]) });
      c.out.closed = true;
      return c;
    };
    for (const format of ['json', 'text', 'summary'] as const) {
      const e = ctx();
      await explain(e, [file], { format, lang: 'en', color: false, progress: false } as ExplainOptions);
      assert.equal(e.code, 0, format);
    }
    const c = ctx();
    await check(c, [file], { expect: ['connections>=1'] } as Parameters<typeof check>[2]);
    assert.equal(c.code, 2);
    // two captures: neither is read (the second is not a capture at all: exit 2 if it were)
    const two = ctx();
    await explain(two, [file, join(REPO_ROOT, 'README.md')], { format: 'ndjson', lang: 'en', color: false, progress: false, jobs: '1' } as ExplainOptions);
    assert.equal(two.code, 0);
  });

  it('runCapture: stop() ends the run after the chunk, without finishing the connections or calling afterRead', async () => {
    let chunks = 0;
    let afterRead = false;
    const t = new Tracker(null, { keepAll: false });
    let finished = false;
    const sink = { packet: t.packet.bind(t), finishStep: () => (finished = true) };
    const s = await runCapture(file, sink, { afterChunk: () => void chunks++, stop: () => chunks >= 1, afterRead: () => void (afterRead = true) });
    assert.equal(chunks, 1);
    // the first read is 64 KB (pipeline.ts, FIRST_CHUNK): a few hundred of the capture's frames
    assert.ok(s.packets > 100 && s.packets < 30000, `${s.packets} frames read`);
    assert.equal(s.error, null);
    assert.equal(s.truncated, false);
    assert.deepEqual(s.warnings, []);
    assert.equal(finished, false);
    assert.equal(afterRead, false);
  });
});
