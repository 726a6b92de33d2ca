/**
 * `--format summary` draws its table in blocks of SUMMARY_BLOCK_ROWS rows (cli-table3's layout
 * is quadratic in the rows: 4000 connections took 16 s, 100 000 would take hours). The blocks
 * joined are the text of one cli-table3 table, for any number of rows, multi-line cells,
 * Chinese and colour; and no table given to cli-table3 has more rows than a block.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Table, { type TableConstructorOptions } from 'cli-table3';
import { blockTable, SUMMARY_BLOCK_ROWS } from '../src/render/summary.js';

const HEAD = ['id', 'client', 'server', '握手', 'analysis'];

function rows(n: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < n; i++) {
    out.push([
      String(i), `192.0.2.${i % 250}:${40000 + i}`, i % 7 === 0 ? '[2001:db8::1]:443' : '192.0.2.2:80',
      i % 3 === 0 ? '三次握手' : 'three-way', i % 5 === 0 ? 'retransmission 3\nduplicate_ack 12' : i % 11 === 0 ? 'x'.repeat(i % 40) : '',
    ]);
  }
  return out;
}

function oneTable(head: string[], r: string[][], style: { head: string[]; border: string[] }): string {
  const t = new Table({ head, style });
  t.push(...r);
  return t.toString();
}

describe('summary table in blocks', () => {
  for (const n of [0, 1, 2, 9, 10, 11, 25, 26, 61]) {
    it(`${n} rows in blocks of 10 equal one cli-table3 table`, () => {
      const style = { head: [], border: [] };
      assert.equal(blockTable(HEAD, rows(n), style, 10), oneTable(HEAD, rows(n), style));
    });
  }

  it('with the colour styles (bold header, grey borders) and blocks of 1', () => {
    const style = { head: ['bold'], border: ['grey'] };
    assert.equal(blockTable(HEAD, rows(23), style, 1), oneTable(HEAD, rows(23), style));
    assert.equal(blockTable(HEAD, rows(23), style, SUMMARY_BLOCK_ROWS), oneTable(HEAD, rows(23), style));
  });

  it(`cli-table3 is never given more than ${SUMMARY_BLOCK_ROWS} rows (linear time)`, () => {
    let most = 0;
    let tables = 0;
    const make = (o: TableConstructorOptions): Table.Table => {
      const t = new Table(o);
      const toString = t.toString.bind(t);
      t.toString = (): string => {
        tables++;
        most = Math.max(most, t.length);
        return toString();
      };
      return t;
    };
    const text = blockTable(HEAD, rows(300), { head: [], border: [] }, SUMMARY_BLOCK_ROWS, make);
    assert.equal(most, SUMMARY_BLOCK_ROWS);
    assert.equal(tables, 2 * Math.ceil(300 / SUMMARY_BLOCK_ROWS));
    assert.equal(text.split('\n').filter((l) => l.startsWith('│ 299 ')).length, 1);
  });
});
