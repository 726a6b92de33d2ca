/**
 * `--format summary`: one table row per connection (cli-table3) — id, client, server,
 * handshake, teardown, Zeek state, packets, bytes, duration, iRTT, analysis counts — then
 * capture totals.
 */
import Table, { type TableConstructorOptions } from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { type Connection, clientFlow, serverFlow } from '../analyze/connection.js';
import { handshakeKind, teardownKind } from '../analyze/story.js';
import { zeekConnState } from '../analyze/zeek.js';
import { ANALYSIS_NAMES } from '../analyze/flags.js';
import { endpointText as ep } from './endpoint.js';
import { message, type Lang } from '../i18n/messages.js';

/** Rows drawn per cli-table3 table: its layout is quadratic in the rows, so a big table is drawn in blocks. */
export const SUMMARY_BLOCK_ROWS = 25;

export function summaryTable(conns: readonly Connection[], chalk: ChalkInstance, lang: Lang = 'en', blockRows = SUMMARY_BLOCK_ROWS): string {
  const t = (k: string): string => message(lang, k, 'client');
  const head = ['tId', 'tClient', 'tServer', 'tHandshake', 'tTeardown', 'tZeek', 'tPackets', 'tBytes', 'tDuration', 'tIrtt', 'tAnalysis'].map(t);
  const style = { head: chalk.level > 0 ? ['bold'] : [], border: chalk.level > 0 ? ['grey'] : [] };
  let packets = 0;
  let bytes = 0;
  const totals = new Map<string, number>();
  const rows: string[][] = [];
  for (const c of conns) {
    const parts: string[] = [];
    for (let i = 0; i < ANALYSIS_NAMES.length; i++) {
      if (c.analysis[i] === 0) continue;
      parts.push(`${ANALYSIS_NAMES[i]} ${c.analysis[i]}`);
      totals.set(ANALYSIS_NAMES[i], (totals.get(ANALYSIS_NAMES[i]) ?? 0) + c.analysis[i]);
    }
    packets += c.packets;
    bytes += clientFlow(c).payloadBytes + serverFlow(c).payloadBytes;
    rows.push([
      String(c.id), ep(c, true), ep(c, false), t(`hk_${handshakeKind(c.story)}`), t(`tk_${teardownKind(c.story)}`), zeekConnState(c.zeek),
      String(c.packets), `${clientFlow(c).payloadBytes}/${serverFlow(c).payloadBytes}`, (c.lastTime - c.firstTime).toFixed(6),
      c.irtt >= 0 ? (c.irtt * 1000).toFixed(3) : '-', parts.join('\n'),
    ]);
  }
  const tot = [...totals].map(([k, v]) => `${k} ${v}`).join(', ');
  return `${blockTable(head, rows, style, Math.max(1, blockRows))}\n${message(lang, 'sumTotals', 'client', conns.length, packets, bytes)}${tot ? `; ${tot}` : ''}\n`;
}

/**
 * The text cli-table3 draws for `head` and `rows`, drawn `blockRows` rows at a time: the column
 * widths are measured on every block first (cli-table3's own measure), then each block is drawn
 * with those widths and the blocks are joined where the whole table would have its row
 * separators. The same text as one table, in time linear in the rows (one table of 4000 rows
 * took 16 s).
 */
export function blockTable(
  head: string[], rows: string[][], style: { head: string[]; border: string[] }, blockRows: number,
  make: (o: TableConstructorOptions) => Table.Table = (o) => new Table(o),
): string {
  const blocks: string[][][] = [];
  for (let i = 0; i < rows.length || blocks.length === 0; i += blockRows) blocks.push(rows.slice(i, i + blockRows));
  // widths: what cli-table3 computes for each block (the first with the header), the widest of each column
  const widths: number[] = [];
  blocks.forEach((b, i) => {
    const table = make(i === 0 ? { head, style } : { style });
    table.push(...b);
    if (b.length > 0 || i === 0) table.toString();
    table.options.colWidths.forEach((w, col) => {
      if (typeof w === 'number' && w > (widths[col] ?? 0)) widths[col] = w;
    });
  });
  const out: string[] = [];
  let separator = '';
  blocks.forEach((b, i) => {
    const first = i === 0;
    const table = make(first ? { head, style, colWidths: widths } : { style, colWidths: widths });
    table.push(...b);
    const lines = table.toString().split('\n');
    if (first) {
      // the line under the header is the separator drawn between rows
      separator = lines[2] ?? '';
    } else {
      out.push(separator);
      lines.shift(); // its top border
    }
    if (i < blocks.length - 1) lines.pop(); // its bottom border
    out.push(...lines);
  });
  return out.join('\n');
}
