/**
 * `--format mermaid` and `--format markdown`: a Mermaid sequenceDiagram per connection (client
 * and server as participants, one arrow per segment, each side's state as a note when it
 * changes, the data phase elided beyond a few packets), and Markdown with a summary table and a
 * lowercase ```mermaid fence per connection — ready to append to $GITHUB_STEP_SUMMARY.
 * Mermaid text avoids ';' and '#', which end or escape a statement there.
 */
import { type Connection, clientFlow, serverFlow } from '../analyze/connection.js';
import type { PacketRecords } from './json.js';
import { STATE_NAMES, isInferredState, handshakeKind, teardownKind } from '../analyze/story.js';
import { zeekConnState, zeekHistory } from '../analyze/zeek.js';
import { ANALYSIS_NAMES, analysisNames } from '../analyze/flags.js';
import { diagnostics } from '../analyze/diagnostics.js';
import { message, roleName, type Lang } from '../i18n/messages.js';
import { endpointText as ep, rttMs } from './endpoint.js';
import { diagramItems, segmentLabel } from './elide.js';
import type { CaptureSummary } from '../pipeline.js';
import type { Output } from '../util/output.js';
import { Spool } from '../util/spool.js';
import { codeSpan } from './markdown-text.js';

/** Data packets shown at the start and at the end of a data phase; the rest is a count. */
const HEAD = 4;
const TAIL = 2;

function safe(s: string): string {
  // (most text has neither: two scans, no regular expression, no copy)
  return s.indexOf(';') < 0 && s.indexOf('#') < 0 ? s : s.replace(/[;#]/g, ' ');
}

/** `keep`: data-phase frames to show even where the data phase is elided. */
export function mermaid(c: Connection, packets: PacketRecords, absolute = false, lang: Lang = 'en', keep: ReadonlySet<number> | null = null): string {
  const cl = roleName(lang, 'client');
  const sv = roleName(lang, 'server');
  const out: string[] = [`%% connection ${c.id}${c.continued ? ' (continued)' : ''}: ${handshakeKind(c.story)} handshake, ${teardownKind(c.story)} teardown, Zeek ${zeekConnState(c)}`, 'sequenceDiagram'];
  out.push(`    participant C as ${cl} ${safe(ep(c, true))}`);
  out.push(`    participant S as ${sv} ${safe(ep(c, false))}`);
  const omitted = packets.omitted;
  if (omitted) out.push(`    Note over C,S: ${safe(message(lang, 'wOmitted', 'client', omitted.count, omitted.fromFrame, omitted.toFrame))}`);
  if (c.continued) out.push(`    Note over C,S: ${safe(message(lang, c.continuedAfresh ? 'mContinuedAfresh' : 'mContinued', 'client', c.id))}`);
  let lastC = '';
  let lastS = '';
  const inf = ` (${message(lang, 'wInferred', 'client')})`;
  for (const it of diagramItems(packets, c.story, HEAD, TAIL, keep)) {
    if (it.kind === 'gap') {
      out.push(`    Note over C,S: ${safe(message(lang, 'mermaidGap', 'client', it.count))}`);
      continue;
    }
    const p = it.p;
    const fromClient = p.fromA === c.clientIsA;
    const names = analysisNames(p.analysis);
    const arrow = p.flags & 0x004 ? '-x' : '->>';
    const label = safe(`${p.frame}: ${segmentLabel(p, absolute)}${names.length > 0 ? ` (${names.join(', ')})` : ''}`);
    out.push(`    ${fromClient ? 'C' : 'S'}${arrow}${fromClient ? 'S' : 'C'}: ${label}`);
    const cs = c.clientIsA ? p.stateA : p.stateB;
    const ss = c.clientIsA ? p.stateB : p.stateA;
    const cn = STATE_NAMES[cs] + (isInferredState(cs) ? inf : '');
    const sn = STATE_NAMES[ss] + (isInferredState(ss) ? inf : '');
    // one row per change: both sides in one note when both changed
    if (cn !== lastC && sn !== lastS) out.push(`    Note over C,S: ${cl} ${cn} · ${sv} ${sn}`);
    else if (cn !== lastC) out.push(`    Note left of C: ${cn}`);
    else if (sn !== lastS) out.push(`    Note right of S: ${sn}`);
    lastC = cn;
    lastS = sn;
  }
  return out.join('\n') + '\n';
}

/**
 * `--format markdown` of one capture, streamed: each connection's table row and section (with its
 * Mermaid diagram) are made when the tracker finalises it and wait in spools (memory up to their
 * budget, then temporary files); write() lays the report out in id order. So memory follows the
 * open connections and their packets, not the capture.
 */
export class MarkdownWriter {
  /** The table's rows and the connections' sections, each in id order at the end. */
  private readonly rows = new Spool();
  private readonly sections = new Spool();
  private count = 0;

  constructor(private readonly file: string, private readonly lang: Lang) {}

  private t(k: string, n1 = 0, n2 = 0, n3 = 0): string {
    return message(this.lang, k, 'client', n1, n2, n3);
  }

  /** A connection's row and section (connections can come in any order). */
  add(c: Connection, packets: PacketRecords): void {
    const t = this.t.bind(this);
    const lang = this.lang;
    // a continuation is a second row and section of a connection already counted
    if (!c.continued) this.count++;
    const id = c.continued ? `${c.id} ${t('tContinued')}` : String(c.id);
    const parts: string[] = [];
    for (let i = 0; i < ANALYSIS_NAMES.length; i++) if (c.analysis[i] > 0) parts.push(`${ANALYSIS_NAMES[i]} ${c.analysis[i]}`);
    // (each made once: the row and the section both name them)
    const client = ep(c, true);
    const server = ep(c, false);
    const hk = t(`hk_${handshakeKind(c.story)}`);
    const tk = t(`tk_${teardownKind(c.story)}`);
    const zeek = `${zeekConnState(c)} \`${zeekHistory(c)}\``;
    this.rows.put(c.id, `\n| ${id} | \`${client}\` | \`${server}\` | ${hk} | ${tk} | ${zeek} | ${c.packets} | ${clientFlow(c).payloadBytes} / ${serverFlow(c).payloadBytes} | ${rttMs(c, '–')} | ${parts.join(', ') || '–'} |`);
    const out: string[] = [''];
    out.push(`### ${t('mdConnection')} ${id}${t('lColon')}\`${client}\` → \`${server}\``);
    out.push('');
    out.push(`${t('mdHandshakeWord')}${t('lColon')}${hk} · ${t('mdTeardownWord')}${t('lColon')}${tk} · Zeek ${zeek}`);
    if (c.continued) {
      out.push('');
      out.push(`> ${message(lang, c.continuedAfresh ? 'wContinuedAfresh' : 'wContinued', 'client', c.id)}`);
    }
    out.push('');
    out.push('```mermaid');
    out.push(mermaid(c, packets, false, lang).trimEnd());
    out.push('```');
    const d = diagnostics(c);
    if (d.length > 0) {
      out.push('');
      for (const x of d) out.push(`- ${message(lang, x.key, x.flowA === null ? 'client' : x.flowA === c.clientIsA ? 'client' : 'server', x.n1, x.n2)}`);
    }
    this.sections.put(c.id, '\n' + out.join('\n'));
  }

  /** Writes the report: the heading and counts, the table, then each connection's section. */
  async write(out: Output, s: CaptureSummary): Promise<void> {
    const t = this.t.bind(this);
    out.write(`## tcpflow-explain: ${codeSpan(this.file)}\n\n`);
    out.write(`${t('mdCounts', s.packets, s.tcpPackets, this.count)}${s.truncated ? ` — **${t('mdCut')}**` : ''}\n\n`);
    out.write(`| ${['tId', 'tClient', 'tServer', 'tHandshake', 'tTeardown', 'tZeek', 'tPackets', 'tBytes', 'tIrtt', 'tAnalysis'].map((k) => t(k)).join(' | ')} |\n`);
    out.write('|---:|---|---|---|---|---|---:|---:|---:|---|');
    for (const spool of [this.rows, this.sections]) {
      await spool.drain((buf, start, len) => {
        out.bytes(buf, start, len);
        return out.full;
      }, () => out.flush());
    }
    out.write('\n');
  }

  /** Removes the spools' temporary files (also done by write). */
  close(): void {
    this.rows.close();
    this.sections.close();
  }
}
