/**
 * The command line. The only module that touches process.* (argv, stdout, stderr, exit code).
 *
 * Exit codes (SPEC.md): 0 success (a capture cut short still exits 0 with a warning);
 * 2 usage error, unreadable input, or reading stopped by a damaged record (the results read
 * before the damage are printed first); 70 an internal error (a bug: never expected).
 */
import { Command, CommanderError, Option } from 'commander';
import { Chalk, chalkStderr, supportsColor } from 'chalk';
import { readFileSync } from 'node:fs';
import { runCapture, type CaptureSummary, type PacketSink } from '../pipeline.js';
import { SourceError } from '../capture/source.js';
import { Output } from '../util/output.js';
import { PacketLines } from '../render/packets.js';
import { captureJson, captureText, SCHEMA_VERSION } from '../render/capture.js';
import { Tracker, type PacketObserver } from '../analyze/tracker.js';
import { PacketCollector, connectionJson, stringifyDocument } from '../render/json.js';
import { walkthrough } from '../render/walkthrough.js';
import { summaryTable } from '../render/summary.js';
import { NdjsonWriter } from '../render/ndjson.js';
import { mermaid, markdown } from '../render/mermaid.js';
import { parseSelection, selected, SelectionError, type Selection } from './select.js';
import type { Lang } from '../i18n/messages.js';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

const FORMATS = ['text', 'summary', 'json', 'ndjson', 'mermaid', 'markdown', 'packets'] as const;
/** NDJSON: a closed connection is written and released after this much capture time without packets. */
const NDJSON_LINGER_SECONDS = 10;
type Format = (typeof FORMATS)[number];

export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

interface Io {
  stdout: NodeJS.WritableStream & import('node:stream').Writable;
  stderr: NodeJS.WritableStream;
  stdin: import('node:stream').Readable;
}

/** Colour level for stdout: none off a terminal, with NO_COLOR or --no-color; FORCE_COLOR wins. */
function colourLevel(flag: boolean, stdout: { isTTY?: boolean }): 0 | 1 | 2 | 3 {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return n >= 1 && n <= 3 ? (n as 1 | 2 | 3) : 1;
  }
  if (!flag) return 0;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return 0;
  if (!stdout.isTTY) return 0;
  return supportsColor ? supportsColor.level : 1;
}


/** Runs the CLI with the given arguments (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  const out = new Output(io.stdout);
  const err = (msg: string): void => {
    io.stderr.write(`${chalkStderr.red('tcpflow-explain:')} ${msg}\n`);
  };
  const warn = (msg: string): void => {
    io.stderr.write(`${chalkStderr.yellow('tcpflow-explain: warning:')} ${msg}\n`);
  };
  let code = EXIT_OK;
  const program = new Command();
  program
    .name('tcpflow-explain')
    .description('Explain the TCP connections in a pcap or pcapng capture (gzip and "-" for stdin accepted).')
    .version(toolVersion(), '-V, --version')
    .argument('<capture...>', 'capture files (pcap or pcapng, optionally gzip-compressed; "-" reads standard input)')
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('text'))
    .option('--json', 'same as --format json: the JSON document of the contract')
    .option('--packets', 'with --json or --format ndjson: add every packet of each connection (frame, flags, relative and raw seq/ack, analysis, phase, states, note)')
    .addOption(new Option('--lang <lang>', 'language of the explanations').choices(['en', 'zh']).default('en'))
    .option('-s, --stream <ids>', 'only these connection ids (comma list; Wireshark\'s tcp.stream)')
    .option('--port <ports>', 'only connections with this port at either end (comma list)')
    .option('--host <hosts>', 'only connections with this address at either end (comma list)')
    .option('--absolute', 'text: show raw sequence numbers first (relative is the default, as in Wireshark)')
    .option('--verbose', 'text: list every packet of the data phase')
    .option('--diagram', 'text: draw the ladder diagram of each connection (drawn anyway on a terminal wide enough)')
    .option('--no-color', 'no colour (also when NO_COLOR is set, or stdout is not a terminal)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s),
    })
    .action(async (captures: string[], opts: { format: Format; json?: boolean; packets?: boolean; lang: Lang; absolute?: boolean; verbose?: boolean; diagram?: boolean; color: boolean; stream?: string; port?: string; host?: string }) => {
      const format: Format = opts.json ? 'json' : opts.format;
      let sel: Selection;
      try {
        sel = parseSelection(opts);
      } catch (e) {
        if (e instanceof SelectionError) {
          err(e.message);
          code = EXIT_USAGE;
          return;
        }
        throw e;
      }
      const chalk = new Chalk({ level: colourLevel(opts.color, io.stdout as unknown as { isTTY?: boolean }) });
      // the diagram goes into the walkthrough by itself on a terminal at least 100 columns wide
      const out0 = io.stdout as unknown as { isTTY?: boolean; columns?: number };
      const columns = out0.isTTY ? out0.columns ?? 0 : 0;
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
        const tracker = format === 'ndjson'
          ? new Tracker(observer, { keepAll: false, lingerSeconds: NDJSON_LINGER_SECONDS })
          : new Tracker(observer);
        const sink: PacketSink = tracker;
        let summary: CaptureSummary;
        try {
          summary = await runCapture(file, sink, {
            stdin: io.stdin,
            afterChunk: async () => {
              if (out.full) await out.flush();
            },
          });
        } catch (e) {
          if (e instanceof SourceError) {
            err(e.message);
            code = EXIT_USAGE;
            continue;
          }
          throw e;
        }
        if (summary.unreadable) {
          err(`${file}: ${summary.error?.message}`);
          code = EXIT_USAGE;
          continue;
        }
        if (format === 'json') {
          docs.push({
            schemaVersion: SCHEMA_VERSION,
            tool: { name: 'tcpflow-explain', version: toolVersion() },
            capture: captureJson(summary),
            connections: tracker.connections.filter((c) => selected(c, sel)).map((c) => connectionJson(c, collector ? collector.byConnection.get(c) ?? [] : null, opts.lang)),
          });
        } else if (format === 'ndjson') {
          out.write(JSON.stringify({ type: 'capture', schemaVersion: SCHEMA_VERSION, tool: { name: 'tcpflow-explain', version: toolVersion() }, ...captureJson(summary) }) + '\n');
        } else if (format === 'mermaid') {
          for (const c of tracker.connections) if (selected(c, sel)) out.write(mermaid(c, collector?.byConnection.get(c) ?? [], !!opts.absolute, opts.lang) + '\n');
        } else if (format === 'markdown') {
          const conns = tracker.connections.filter((c) => selected(c, sel));
          out.write(markdown(file, summary, conns, (c) => collector?.byConnection.get(c) ?? [], opts.lang));
        } else if (format === 'summary') {
          out.write(captureText(summary, opts.lang) + summaryTable(tracker.connections.filter((c) => selected(c, sel)), chalk, opts.lang));
        } else if (format === 'text') {
          out.write(captureText(summary, opts.lang));
          for (const c of tracker.connections) {
            if (!selected(c, sel)) continue;
            out.write('\n' + walkthrough(c, collector?.byConnection.get(c) ?? [], { lang: opts.lang, absolute: !!opts.absolute, verbose: !!opts.verbose, chalk, diagram: !!opts.diagram || columns >= 100, width: columns || 100 }));
            if (out.full) await out.flush();
          }
        }
        await out.flush();
        for (const w of summary.warnings) warn(`${file}: ${w}`);
        if (summary.error) {
          err(`${file}: ${summary.error.message} (the ${summary.packets} frame(s) before it were analysed)`);
          code = EXIT_USAGE;
        }
      }
      if (format === 'json' && docs.length > 0) {
        out.write(stringifyDocument(docs.length === 1 ? docs[0] : docs) + '\n');
      }
      await out.flush();
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    const m = e instanceof Error ? e.message : String(e);
    err(`internal error: ${m} (please report this with the capture if you can)`);
    if (process.env.TCPFLOW_DEBUG && e instanceof Error) io.stderr.write(`${e.stack}\n`);
    return EXIT_INTERNAL;
  }
  return code;
}
