/**
 * The default command: explain every TCP connection of each capture in the chosen format.
 */
import { Option, type Command } from 'commander';
import { Chalk } from 'chalk';
import type { PacketObserver } from '../analyze/tracker.js';
import { PacketLines } from '../render/packets.js';
import { captureJson, captureText, SCHEMA_VERSION } from '../render/capture.js';
import { PacketCollector, connectionJson, stringifyDocument } from '../render/json.js';
import { walkthrough } from '../render/walkthrough.js';
import { summaryTable } from '../render/summary.js';
import { NdjsonWriter } from '../render/ndjson.js';
import { mermaid, markdown } from '../render/mermaid.js';
import type { Lang } from '../i18n/messages.js';
import { colourLevel, toolVersion, type CliContext } from './context.js';
import { selectionFrom, selected } from './select.js';

export const FORMATS = ['text', 'summary', 'json', 'ndjson', 'mermaid', 'markdown', 'packets'] as const;
type Format = (typeof FORMATS)[number];
/** NDJSON: a closed connection is written and released after this much capture time without packets. */
const NDJSON_LINGER_SECONDS = 10;

export interface ExplainOptions {
  format: Format; json?: boolean; packets?: boolean; lang: Lang; absolute?: boolean; verbose?: boolean;
  diagram?: boolean; color: boolean; stream?: string; port?: string; host?: string;
}

/** The selection options shared by every command. */
export function addSelectionOptions(cmd: Command): Command {
  return cmd
    .option('-s, --stream <ids>', 'only these connection ids (comma list; Wireshark\'s tcp.stream)')
    .option('--port <ports>', 'only connections with this port at either end (comma list)')
    .option('--host <hosts>', 'only connections with this address at either end (comma list)');
}

export function addLangOption(cmd: Command): Command {
  return cmd.addOption(new Option('--lang <lang>', 'language of the explanations').choices(['en', 'zh']).default('en'));
}

export function addExplainOptions(cmd: Command): Command {
  cmd
    .argument('<capture...>', 'capture files (pcap or pcapng, optionally gzip-compressed; "-" reads standard input)')
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('text'))
    .option('--json', 'same as --format json: the JSON document of the contract')
    .option('--packets', 'with --json or --format ndjson: add every packet of each connection (frame, flags, relative and raw seq/ack, analysis, phase, states, note)');
  addLangOption(cmd);
  addSelectionOptions(cmd);
  return cmd
    .option('--absolute', 'text: show raw sequence numbers first (relative is the default, as in Wireshark)')
    .option('--verbose', 'text: list every packet of the data phase')
    .option('--diagram', 'text: draw the ladder diagram of each connection (drawn anyway on a terminal wide enough)')
    .option('--no-color', 'no colour (also when NO_COLOR is set, or stdout is not a terminal)');
}

export async function explain(ctx: CliContext, captures: string[], opts: ExplainOptions): Promise<void> {
  const format: Format = opts.json ? 'json' : opts.format;
  const sel = selectionFrom(ctx, opts);
  if (!sel) return;
  const out = ctx.out;
  const chalk = new Chalk({ level: colourLevel(opts.color, ctx.io.stdout as unknown as { isTTY?: boolean }) });
  // the diagram goes into the walkthrough by itself on a terminal at least 100 columns wide
  const columns = ctx.columns;
  const docs: unknown[] = [];
  for (const file of captures) {
    let observer: PacketObserver | null = null;
    let collector: PacketCollector | null = null;
    if (format === 'json') {
      if (opts.packets) collector = observer = new PacketCollector();
    } else if (format === 'text' || format === 'mermaid' || format === 'markdown') {
      collector = observer = new PacketCollector();
    } else if (format === 'ndjson') {
      observer = new NdjsonWriter(out, !!opts.packets, opts.lang, (c) => selected(c, sel));
    } else if (format === 'packets') {
      const lines = new PacketLines(out);
      observer = { onPacket: (c, r, f, p) => { if (selected(c, sel)) lines.packet(f, p, r.time); } };
    }
    const run = await ctx.analyse(file, observer, format === 'ndjson' ? { keepAll: false, lingerSeconds: NDJSON_LINGER_SECONDS } : undefined);
    if (!run) continue;
    const { tracker, summary } = run;
    const packetsOf = (c: Parameters<typeof selected>[0]) => collector?.byConnection.get(c) ?? [];
    if (format === 'json') {
      docs.push({
        schemaVersion: SCHEMA_VERSION,
        tool: { name: 'tcpflow-explain', version: toolVersion() },
        capture: captureJson(summary),
        connections: tracker.connections.filter((c) => selected(c, sel)).map((c) => connectionJson(c, collector ? packetsOf(c) : null, opts.lang)),
      });
    } else if (format === 'ndjson') {
      out.write(JSON.stringify({ type: 'capture', schemaVersion: SCHEMA_VERSION, tool: { name: 'tcpflow-explain', version: toolVersion() }, ...captureJson(summary) }) + '\n');
    } else if (format === 'mermaid') {
      for (const c of tracker.connections) if (selected(c, sel)) out.write(mermaid(c, packetsOf(c), !!opts.absolute, opts.lang) + '\n');
    } else if (format === 'markdown') {
      out.write(markdown(file, summary, tracker.connections.filter((c) => selected(c, sel)), packetsOf, opts.lang));
    } else if (format === 'summary') {
      out.write(captureText(summary, opts.lang) + summaryTable(tracker.connections.filter((c) => selected(c, sel)), chalk, opts.lang));
    } else if (format === 'text') {
      out.write(captureText(summary, opts.lang));
      for (const c of tracker.connections) {
        if (!selected(c, sel)) continue;
        out.write('\n' + walkthrough(c, packetsOf(c), { lang: opts.lang, absolute: !!opts.absolute, verbose: !!opts.verbose, chalk, diagram: !!opts.diagram || columns >= 100, width: columns || 100 }));
        if (out.full) await out.flush();
      }
    }
    await out.flush();
    ctx.reportEnd(file, summary);
  }
  if (format === 'json' && docs.length > 0) {
    out.write(stringifyDocument(docs.length === 1 ? docs[0] : docs) + '\n');
  }
  await out.flush();
}
