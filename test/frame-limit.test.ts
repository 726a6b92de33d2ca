/**
 * -c, --count: reading only a capture's first frames. Whatever the output, a run with -c N gives
 * what a run on a file of those N frames alone gives (cut there at a record's boundary), with the
 * capture's `frameLimit` and `stoppedAtLimit` and a warning when the capture goes on; nothing past
 * the limit is read.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaptureReader, FRAME } from '../src/capture/reader.js';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { tempDir } from './helpers/tmp.js';

const tmp = tempDir('tcpflow-count-');

/** Fixtures of several connections, non-TCP frames, loss, and pcapng with two sections. */
const CAPTURES = [
  join(REPO_ROOT, 'fixtures', 'tcp-port-reuse', 'capture.pcap'),
  join(REPO_ROOT, 'fixtures', 'mixed-nontcp', 'capture.pcap'),
  join(REPO_ROOT, 'fixtures', 'tcp-loss', 'capture.pcap'),
  join(REPO_ROOT, 'fixtures', 'pcapng-multi', 'capture-2sections.pcapng'),
];

/** Where each frame's record (pcap) or block (pcapng) starts. */
function frameOffsets(bytes: Uint8Array): number[] {
  const r = new CaptureReader();
  r.feed(bytes);
  r.endInput();
  const offsets: number[] = [];
  while (r.next() === FRAME) offsets.push(r.frame.offset);
  return offsets;
}

/** The capture cut after its first `n` frames, written to a file of its own. */
function prefixFile(path: string, n: number, k: number): string {
  const bytes = readFileSync(path);
  const offsets = frameOffsets(bytes);
  const out = join(tmp, `prefix-${k}-${n}${path.endsWith('.pcapng') ? '.pcapng' : '.pcap'}`);
  writeFileSync(out, n >= offsets.length ? bytes : bytes.subarray(0, offsets[n]));
  return out;
}

interface Doc {
  capture: { file: string; packets: number; tcpPackets: number; bytes: number; skipped: object; frameLimit: number | null; stoppedAtLimit: boolean; warnings: string[] };
  connections: unknown[];
}

const limitWarning = (n: number): string =>
  `reading stopped after the first ${n} frames (-c ${n}); the rest of the capture was not read, and the connections still open there are reported as they stood`;

describe('-c, --count', () => {
  it('--json: the connections of the first N frames, as from a file of them alone; frameLimit, stoppedAtLimit and the warning', async () => {
    for (const [k, path] of CAPTURES.entries()) {
      // (the pcapng fixture ends with a statistics block after its last packet: no frame follows it)
      const total = frameOffsets(readFileSync(path)).length;
      for (const n of [1, 2, 3, 5, 8, 13, total - 1, total, total + 4]) {
        const msg = `${path} -c ${n}`;
        const limited = await runCli(['--json', '-c', String(n), path]);
        const prefix = await runCli(['--json', prefixFile(path, n, k)]);
        assert.equal(limited.code, 0, msg);
        const a = JSON.parse(limited.stdout) as Doc;
        const b = JSON.parse(prefix.stdout) as Doc;
        assert.deepEqual(a.connections, b.connections, msg);
        assert.deepEqual([a.capture.packets, a.capture.tcpPackets, a.capture.bytes, a.capture.skipped], [b.capture.packets, b.capture.tcpPackets, b.capture.bytes, b.capture.skipped], msg);
        assert.equal(a.capture.packets, Math.min(n, total), msg);
        assert.equal(a.capture.frameLimit, n, msg);
        assert.equal(b.capture.frameLimit, null, msg);
        assert.equal(a.capture.stoppedAtLimit, n < total, msg);
        assert.equal(b.capture.stoppedAtLimit, false, msg);
        assert.deepEqual(a.capture.warnings, n < total ? [...b.capture.warnings, limitWarning(n)] : b.capture.warnings, msg);
        // on standard error too, as every capture warning
        assert.equal(limited.stderr.includes(limitWarning(n)), n < total, msg);
      }
    }
  });

  it('the walkthrough: the prefix\'s connections, under a header that says the capture goes on (English and Chinese)', async () => {
    const path = CAPTURES[0];
    for (const lang of ['en', 'zh']) {
      const limited = await runCli(['--lang', lang, '-c', '17', path]);
      const prefix = await runCli(['--lang', lang, prefixFile(path, 17, 0)]);
      const body = (s: string): string => s.slice(s.indexOf('\n\n'));
      assert.equal(body(limited.stdout), body(prefix.stdout));
      const head = limited.stdout.slice(0, limited.stdout.indexOf('\n\n'));
      assert.match(head, lang === 'en' ? /\n {2}only the first 17 frames were read \(-c 17\): the capture goes on/ : /\n {2}只读取了前 17 帧（-c 17）/);
      assert.doesNotMatch(prefix.stdout.slice(0, prefix.stdout.indexOf('\n\n')), /-c 17/);
    }
    // a capture read whole within the limit says nothing of it
    const whole = await runCli(['-c', '1000', path]);
    assert.doesNotMatch(whole.stdout, /-c 1000/);
    assert.equal(whole.stderr, '');
  });

  it('the summary table, Mermaid, Markdown and --format packets: the prefix\'s, but for the lines that say where reading stopped', async () => {
    const path = CAPTURES[2];
    const prefixPath = prefixFile(path, 30, 2);
    const marks = [
      '  only the first 30 frames were read (-c 30): the capture goes on, and the connections still open there are shown as they stood\n',
      ' — **only the first 30 frames read (-c 30): the capture goes on**',
    ];
    for (const format of ['summary', 'mermaid', 'markdown', 'packets']) {
      const limited = await runCli(['--format', format, '-c', '30', path]);
      const prefix = await runCli(['--format', format, prefixPath]);
      let text = limited.stdout.split(path).join(prefixPath);
      const marked = marks.filter((m) => text.includes(m));
      for (const m of marked) text = text.split(m).join('');
      assert.equal(text, prefix.stdout, format);
      // the table and the report say it in their heading; Mermaid's diagrams and the packet
      // lines have none (the warning on standard error does)
      assert.equal(marked.length, format === 'summary' || format === 'markdown' ? 1 : 0, format);
      assert.match(limited.stderr, /reading stopped after the first 30 frames \(-c 30\)/, format);
    }
  });

  it('ndjson: the capture line has frameLimit and stoppedAtLimit, the connection lines are the prefix\'s', async () => {
    const path = CAPTURES[2];
    const limited = await runCli(['--format', 'ndjson', '--packets', '-c', '30', path]);
    const prefix = await runCli(['--format', 'ndjson', '--packets', prefixFile(path, 30, 2)]);
    const lines = (s: string): Record<string, unknown>[] => s.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const a = lines(limited.stdout);
    const b = lines(prefix.stdout);
    assert.deepEqual(a.slice(0, -1), b.slice(0, -1));
    assert.equal(a.filter((l) => l.type === 'packet').length, 30);
    assert.deepEqual([a.at(-1)?.type, a.at(-1)?.frameLimit, a.at(-1)?.stoppedAtLimit], ['capture', 30, true]);
  });

  it('check: the results of the first N frames, in one process and in -j workers alike', async () => {
    const [reuse, , loss] = CAPTURES;
    const exp = ['-e', 'handshake=three-way', '-e', 'teardown=four-way', '-e', 'retransmission<=0'];
    const limited = await runCli(['check', '--json', ...exp, '-c', '20', loss]);
    const prefix = await runCli(['check', '--json', ...exp, prefixFile(loss, 20, 2)]);
    assert.equal(limited.code, prefix.code);
    // every result but the capture-level 'readable' (below) is the prefix's
    const results = (s: string): unknown => (JSON.parse(s) as { captures: { results: { key: string }[] }[] }).captures.map((c) => c.results.filter((r) => r.key !== 'readable'));
    assert.deepEqual(results(limited.stdout), results(prefix.stdout));
    const capture = (JSON.parse(limited.stdout) as { captures: { warnings: string[] }[] }).captures[0];
    assert.ok(capture.warnings.includes(limitWarning(20)), capture.warnings.join('\n'));
    // the capture-level result says where reading stopped, not that the capture was read to its end
    const readable = (s: string): unknown => (JSON.parse(s) as { captures: { results: { key: string; actual: unknown; detail: string }[] }[] }).captures[0].results.find((r) => r.key === 'readable');
    assert.deepEqual(readable(limited.stdout), { ...(readable(prefix.stdout) as object), actual: 'limit', detail: '20 frame(s) read, the first of the capture: -c 20 stopped reading there (the capture goes on)' });
    const text = await runCli(['check', ...exp, '-c', '20', loss]);
    assert.match(text.stdout, /✔ capture read to the end: 20 frame\(s\) read, the first of the capture: -c 20 stopped reading there \(the capture goes on\)/);
    // -j 2 gives every byte of the sequential run
    for (const cmd of [['check', '--json', ...exp], ['--json'], []]) {
      const seq = await runCli([...cmd, '-j', '1', '-c', '11', reuse, loss]);
      const par = await runCli([...cmd, '-j', '2', '-c', '11', reuse, loss]);
      assert.equal(par.stdout, seq.stdout, cmd.join(' '));
      assert.equal(par.stderr, seq.stderr, cmd.join(' '));
      assert.equal(par.code, seq.code, cmd.join(' '));
      assert.match(seq.stderr, /-c 11/);
    }
  });

  it('a count that is not a positive integer is a usage error (exit 2)', async () => {
    for (const v of ['0', '-3', '1.5', 'ten', '']) {
      for (const cmd of [[], ['check', '-e', 'connections>=1']]) {
        const r = await runCli([...cmd, '-c', v, CAPTURES[0]]);
        assert.equal(r.code, 2, `${cmd.join(' ')} -c ${v}`);
        assert.match(r.stderr, /-c, --count: expected a positive integer/);
        assert.equal(r.stdout, '');
      }
    }
  });
});
