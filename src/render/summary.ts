/**
 * `--format summary`: one table row per connection (cli-table3) — id, client, server,
 * handshake, teardown, Zeek state, packets, bytes, duration, iRTT, analysis counts — then
 * capture totals.
 */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { Connection } from '../analyze/connection.js';
import { handshakeKind, teardownKind } from '../analyze/story.js';
import { zeekConnState } from '../analyze/zeek.js';
import { ANALYSIS_NAMES } from '../analyze/flags.js';
import { endpointText as ep } from './endpoint.js';
import { message, type Lang } from '../i18n/messages.js';

export function summaryTable(conns: readonly Connection[], chalk: ChalkInstance, lang: Lang = 'en'): string {
  const t = (k: string): string => message(lang, k, 'client');
  const table = new Table({
    head: ['tId', 'tClient', 'tServer', 'tHandshake', 'tTeardown', 'tZeek', 'tPackets', 'tBytes', 'tDuration', 'tIrtt', 'tAnalysis'].map(t),
    style: { head: chalk.level > 0 ? ['bold'] : [], border: chalk.level > 0 ? ['grey'] : [] },
  });
  let packets = 0;
  let bytes = 0;
  const totals = new Map<string, number>();
  for (const c of conns) {
    const parts: string[] = [];
    for (let i = 0; i < ANALYSIS_NAMES.length; i++) {
      if (c.analysis[i] === 0) continue;
      parts.push(`${ANALYSIS_NAMES[i]} ${c.analysis[i]}`);
      totals.set(ANALYSIS_NAMES[i], (totals.get(ANALYSIS_NAMES[i]) ?? 0) + c.analysis[i]);
    }
    packets += c.packets;
    bytes += c.client.payloadBytes + c.server.payloadBytes;
    table.push([
      String(c.id), ep(c, true), ep(c, false), t(`hk_${handshakeKind(c.story)}`), t(`tk_${teardownKind(c.story)}`), zeekConnState(c.zeek),
      String(c.packets), `${c.client.payloadBytes}/${c.server.payloadBytes}`, (c.lastTime - c.firstTime).toFixed(6),
      c.irtt >= 0 ? (c.irtt * 1000).toFixed(3) : '-', parts.join('\n'),
    ]);
  }
  const tot = [...totals].map(([k, v]) => `${k} ${v}`).join(', ');
  return `${table.toString()}\n${message(lang, 'sumTotals', 'client', conns.length, packets, bytes)}${tot ? `; ${tot}` : ''}\n`;
}
