/**
 * fixtures/regress: captures that once crashed or misbehaved (found by the fuzzer, see
 * fixtures/regress/README.md). Every one through every output: exit 0 or 2, no stack trace, a
 * message naming where and why when not 0; and what each fix made right.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { REPO_ROOT } from './helpers/corpus.js';
import { runCli, STACK_LINE } from './helpers/cli.js';

const DIR = join(REPO_ROOT, 'fixtures', 'regress');
const FILES = readdirSync(DIR).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).sort();
const FORMATS = [
  ['--format', 'text', '--verbose', '--diagram'], ['--format', 'text', '--lang', 'zh'], ['--json', '--packets'],
  ['--format', 'ndjson', '--packets'], ['--format', 'summary'], ['--format', 'mermaid'], ['--format', 'markdown'], ['--format', 'packets'],
];

/** Feeds bytes as stdin in chunks of `size`. */
function chunked(b: Buffer, size: number): Readable {
  const parts: Buffer[] = [];
  for (let o = 0; o < b.length; o += size) parts.push(b.subarray(o, o + size));
  return Readable.from(parts);
}

describe('regression captures', () => {
  it('every file is described in the README', () => {
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    assert.ok(FILES.length >= 3);
    for (const f of FILES) assert.ok(readme.includes(`\`${f}\``), `${f} is not in fixtures/regress/README.md`);
  });

  for (const f of FILES) {
    it(`${f}: every format exits 0 or 2 without a stack trace`, async () => {
      for (const args of FORMATS) {
        const r = await runCli([...args, join(DIR, f)]);
        assert.ok(r.code === 0 || r.code === 2, `${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
        assert.doesNotMatch(r.stderr, STACK_LINE);
        assert.doesNotMatch(r.stderr, /internal error/);
        if (r.code === 2) assert.match(r.stderr, /offset|frame|bytes/);
      }
    });
  }

  it('pcapng-tsoffset-2e62.pcapng: a time beyond the calendar is printed as seconds, not a crash', async () => {
    const file = join(DIR, 'pcapng-tsoffset-2e62.pcapng');
    const text = await runCli(['--format', 'summary', file]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /from 4611686020222707000 s since the epoch to 2026-11-22T03:34:06\.107Z/);
    const doc = JSON.parse((await runCli(['--json', file])).stdout) as { capture: { packets: number; firstTime: number } };
    assert.equal(doc.capture.packets, 20);
    assert.equal(doc.capture.firstTime, 4611686020222707000);
  });

  it('gzip-bad-crc.pcap.gz: every frame is read, with a warning, however the bytes arrive', async () => {
    const file = join(DIR, 'gzip-bad-crc.pcap.gz');
    const bytes = readFileSync(file);
    const fromFile = await runCli(['--json', '--packets', file]);
    assert.equal(fromFile.code, 0);
    assert.match(fromFile.stderr, /warning: .*gzip: incorrect data check \(input ends there\)/);
    const doc = JSON.parse(fromFile.stdout) as { capture: { packets: number; truncated: boolean; compressed: string } };
    assert.equal(doc.capture.packets, 12);
    assert.equal(doc.capture.truncated, true);
    assert.equal(doc.capture.compressed, 'gzip');
    for (const size of [bytes.length, 1, 7, 64, 500]) {
      const r = await runCli(['--json', '--packets', '-'], chunked(bytes, size));
      assert.equal(r.code, 0, `chunks of ${size}`);
      assert.equal(r.stdout, fromFile.stdout.replace(JSON.stringify(file), '"-"'), `chunks of ${size}`);
    }
  });

  it('many-connections.pcap.gz: the summary lists all 500 connections, one row each', async () => {
    const r = await runCli(['--format', 'summary', join(DIR, 'many-connections.pcap.gz')]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\n500 connection\(s\), 500 TCP packets, 0 payload bytes\n$/);
    const ids = r.stdout.split('\n').filter((l) => /^│ \d+ /.test(l)).map((l) => Number(l.split('│')[1]));
    assert.deepEqual(ids, Array.from({ length: 500 }, (_, i) => i));
  });

  it('a gzip stream damaged before any capture byte: exit 2, and the message names the gzip error', async () => {
    const bytes = Buffer.from(readFileSync(join(REPO_ROOT, 'fixtures', 'gzip', 'capture.pcap.gz')));
    bytes[10] ^= 0xff; // first byte of the deflate data
    const r = await runCli(['--json', '-'], chunked(bytes, 3));
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /-: gzip: invalid literal\/length code; before it: empty input: not a pcap or pcapng file \(0 bytes\)/);
  });
});
