/**
 * `--format summary` lays out its table itself, streamed a row at a time (src/render/summary.ts).
 * The text must be cli-table3's, character for character: cli-table3 (a dev dependency) is the
 * oracle here, with and without its colours, for any number of rows, multi-line and empty cells,
 * Chinese (double-width) text and IPv6 addresses. And the table (and the Markdown report) of a
 * capture whose connections are released while it is read lists them all, in id order.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Table from 'cli-table3';
import { Writable } from 'node:stream';
import { CELL, SummaryTable, TableLayout, textWidth } from '../src/render/summary.js';
import { ByteWriter } from '../src/util/bytes.js';
import { newConnection, ownAnalysis } from '../src/analyze/connection.js';
import { ANALYSIS_NAMES } from '../src/analyze/flags.js';
import { Output } from '../src/util/output.js';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/corpus.js';

const require = createRequire(import.meta.url);
const colors = require('@colors/colors/safe') as { enable(): void; disable(): void };

const HEAD = ['id', 'client', 'server', '握手', 'analysis'];

function rows(n: number, seed = 1): string[][] {
  const out: string[][] = [];
  let x = seed;
  const rnd = (k: number): number => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x % k;
  };
  for (let i = 0; i < n; i++) {
    out.push([
      String(i * (1 + rnd(1000))), `192.0.2.${rnd(256)}:${rnd(65536)}`, rnd(7) === 0 ? '[2001:db8::1]:443' : '192.0.2.2:80',
      ['三次握手', 'three-way', '未捕获', 'not-captured', ''][rnd(5)]!,
      rnd(5) === 0 ? `retransmission ${rnd(100)}\nduplicate_ack ${rnd(10000)}${rnd(3) === 0 ? '\nzero_window 1' : ''}` : rnd(11) === 0 ? 'x'.repeat(rnd(40)) : '',
    ]);
  }
  return out;
}

function cliTable3(head: string[], r: string[][], colour: boolean): string {
  if (colour) colors.enable();
  else colors.disable();
  try {
    const t = new Table({ head, style: colour ? { head: ['bold'], border: ['grey'] } : { head: [], border: [] } });
    t.push(...r);
    return t.toString();
  } finally {
    colors.disable();
  }
}

function ours(head: string[], r: string[][], colour: boolean): string {
  const widths = head.map((h, i) => Math.max(textWidth(h), ...r.map((row) => Math.max(...row[i]!.split('\n').map(textWidth)))));
  const layout = new TableLayout(widths, colour);
  // each row as the table spools it (its cells' text joined by CELL), drawn from its bytes at an
  // offset in a bigger buffer
  const w = new ByteWriter(16);
  w.text(layout.head(head));
  for (const row of r) {
    const b = Buffer.from(`ab${row.join(CELL)}c`);
    layout.row(w, b, 2, b.length - 3);
  }
  w.text(`\n${layout.end()}`);
  return w.buf.toString('utf8', 0, w.pos);
}

describe('summary table layout', () => {
  for (const n of [0, 1, 2, 9, 26, 61]) {
    for (const colour of [false, true]) {
      it(`${n} rows${colour ? ', coloured,' : ''} exactly as cli-table3 draws them`, () => {
        for (const seed of [1, 2, 3]) assert.equal(ours(HEAD, rows(n, seed), colour), cliTable3(HEAD, rows(n, seed), colour));
      });
    }
  }

  it('one column, and a header wider than its cells', () => {
    for (const colour of [false, true]) {
      assert.equal(ours(['a'], [['1'], ['22\n3']], colour), cliTable3(['a'], [['1'], ['22\n3']], colour));
      assert.equal(ours(['a long header', 'b'], [['1', ''], ['', 'x']], colour), cliTable3(['a long header', 'b'], [['1', ''], ['', 'x']], colour));
    }
  });

  it('widths as string-width counts them', () => {
    assert.equal(textWidth('192.0.2.1:80'), 12);
    assert.equal(textWidth('三次握手'), 8);
    assert.equal(textWidth('c→s'), 3);
    assert.equal(textWidth(''), 0);
  });
});

describe('--format summary, streamed', () => {
  const fx = (d: string, f = 'capture.pcap'): string => join(REPO_ROOT, 'fixtures', d, f);

  it('a capture whose connections are released as it is read: every row, in id order, and the totals', async () => {
    // 500 connections, most released long before the end of input
    const r = await runCli(['--format', 'summary', fx('regress', 'many-connections.pcap.gz')]);
    assert.equal(r.code, 0);
    const ids = r.stdout.split('\n').filter((l) => /^│ \d+ /.test(l)).map((l) => Number(l.split('│')[1]!.trim()));
    assert.deepEqual(ids, Array.from({ length: 500 }, (_, i) => i));
    assert.match(r.stdout, /\n500 connection\(s\), \d+ TCP packets, \d+ payload bytes/);
  });

  it('--format markdown: the table and the sections of released connections, all in id order', async () => {
    const r = await runCli(['--format', 'markdown', fx('regress', 'many-connections.pcap.gz')]);
    assert.equal(r.code, 0);
    const rows = r.stdout.split('\n').filter((l) => /^\| \d+ \| /.test(l)).map((l) => Number(l.split('|')[1]!.trim()));
    const sections = r.stdout.split('\n').filter((l) => l.startsWith('### ')).map((l) => Number(/ (\d+): /.exec(l)![1]));
    const ids = Array.from({ length: 500 }, (_, i) => i);
    assert.deepEqual(rows, ids);
    assert.deepEqual(sections, ids);
    assert.equal((r.stdout.match(/^```mermaid$/gm) ?? []).length, 500);
    assert.match(r.stdout, /, 500 connection\(s\)\n/);
    assert.ok(r.stdout.endsWith('\n') && !r.stdout.endsWith('\n\n'), 'one newline at the end');
  });

  it('analysis totals in order of first appearance by connection id, whatever order connections come in', async () => {
    // connection 1 (finalised first) has an analysis name that comes earlier in ANALYSIS_NAMES
    // than connection 0's: by id, 0's name leads; by index or by arrival, 1's would
    const early = 0;
    const late = ANALYSIS_NAMES.length - 1;
    const c0 = newConnection();
    c0.id = 0;
    ownAnalysis(c0)[late] = 1;
    const c1 = newConnection();
    c1.id = 1;
    ownAnalysis(c1)[early] = 2;
    ownAnalysis(c1)[late] = 3;
    const table = new SummaryTable('en', false);
    table.add(c1);
    table.add(c0);
    const chunks: Buffer[] = [];
    const out = new Output(new Writable({ write: (c, _e, cb) => { chunks.push(Buffer.from(c as Buffer)); cb(); } }));
    await table.write(out);
    await out.flush();
    const text = Buffer.concat(chunks).toString();
    assert.ok(text.endsWith(`; ${ANALYSIS_NAMES[late]} 4, ${ANALYSIS_NAMES[early]} 2\n`), text.slice(-200));
    assert.ok(text.indexOf('│ 0 ') < text.indexOf('│ 1 '), 'rows in id order');
  });
});
