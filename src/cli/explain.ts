/**
 * The default command: explain every TCP connection of each capture in the chosen format.
 *
 * Memory: every format renders a connection when it is finalised — closed and past the linger,
 * idle beyond --idle-timeout, evicted by --max-connections, replaced on its 4-tuple, or at the end
 * of input — and forgets it. Formats whose text must come in id order after a header known only
 * at the end (json, text, mermaid, summary, markdown) keep the rendered records in a Spool (memory
 * up to a budget, then a temporary file), so memory is bounded by the connections open at once,
 * not by the capture.
 * Wireshark's stream numbering is kept (see Tracker: released 4-tuples leave a tombstone).
 *
 * Several captures are read in parallel worker threads (-j); the output is the same bytes as
 * the sequential run (./jobs.ts).
 */
import { Option, type Command } from 'commander';
import { Chalk, type ChalkInstance } from 'chalk';
import type { PacketObserver, Tracker, TrackerOptions } from '../analyze/tracker.js';
import type { CaptureSummary } from '../pipeline.js';
import { defaultMaxConnections } from '../analyze/tracker.js';
import { PacketLines } from '../render/packets.js';
import { captureJson, captureText, SCHEMA_VERSION } from '../render/capture.js';
import { MAX_PACKET_RECORDS, mermaidCollector, PacketCollector, type PacketRecords } from '../render/json.js';
import { NO_RECORDS } from '../render/records.js';
import { prettyJson } from '../render/pretty.js';
import { writeRecord } from '../render/json-bytes.js';
import { ByteWriter } from '../util/bytes.js';
import { Walkthrough, type WalkthroughOptions } from '../render/walkthrough.js';
import { NdjsonWriter } from '../render/ndjson.js';
import { MarkdownWriter, MermaidText, type ConnectionText } from '../render/mermaid.js';
import type { Lang } from '../i18n/messages.js';
import type { Output } from '../util/output.js';
import { NO_REFS, REFS_FROM, REFS_FROM_PACKETS, Spool, SPOOL_MEMORY } from '../util/spool.js';
import { SummaryTable } from '../render/summary.js';
import { colourLevel, deferSynWanted, toolVersion, EXIT_USAGE, type CliContext } from './context.js';
import { selectionFrom, selected, type Selection } from './select.js';
import { explainParallel, defaultJobs } from './jobs.js';
import { captureFraming, type CaptureFraming } from './framing.js';

export const FORMATS = ['text', 'summary', 'json', 'ndjson', 'mermaid', 'markdown', 'packets'] as const;
type Format = (typeof FORMATS)[number];
/**
 * A closed connection (both FINs acknowledged, or a RST) is finalised after this much capture
 * time without packets (2·MSL on Linux: stragglers of the close, such as a retransmitted last
 * ACK, still find it), or earlier once more than the tracker's lingerMax are waiting (after its
 * lingerMin, or at once beyond its lingerHard).
 */
export const LINGER_SECONDS = 60;
/** The buffer a JSON connection record is rendered into, and the most of it kept between records. */
const SCRATCH = 64 * 1024;
const SCRATCH_KEPT = 1 << 20;
/** Packet records from which the scratch buffer is made room for them at once, and their bytes each. */
const RESERVE_FROM = 1000;
const RECORD_BYTES = 256;
/**
 * A connection with at most this many packets is rendered straight into the spool's arena, or
 * at the end of input into the output's batch; one with more goes through the scratch buffer,
 * which is handed to the output as it is once it has grown (no copy of a long connection's
 * megabytes).
 */
const DIRECT_PACKETS = 256;
/**
 * Room left in the spool's arena for a record rendered there in place (Spool.writer), and
 * RECORD_BYTES more a packet: a few kilobytes each; a longer one is still whole (the arena grows).
 */
const RECORD_ROOM = 64 * 1024;

export interface ExplainOptions extends LimitOptions {
  format: Format; json?: boolean; packets?: boolean; lang: Lang; absolute?: boolean; verbose?: boolean;
  diagram?: boolean; color: boolean; stream?: string; port?: string; host?: string;
  jobs?: string; progress?: boolean;
}

/** The selection options shared by every command. */
export function addSelectionOptions(cmd: Command): Command {
  return cmd
    .option('-s, --stream <ids>', 'only these connection ids (comma list; Wireshark\'s tcp.stream)')
    .option('--port <ports>', 'only connections with this port at either end (comma list)')
    .option('--host <hosts>', 'only connections with this IP address at either end (comma list; IPv6 in any form)');
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
  cmd
    .option('--absolute', 'text: show raw sequence numbers first (relative is the default, as in Wireshark)')
    .option('--verbose', 'text: list every packet of the data phase and of the teardown')
    .option('--diagram', 'text: draw the ladder diagram of each connection (drawn anyway on a terminal wide enough)')
    .option('--no-color', 'no colour (also when NO_COLOR is set, or stdout is not a terminal)');
  addLimitOptions(cmd);
  return cmd
    .option('-j, --jobs <n>', 'with several captures: analyse this many in parallel worker threads (default: min(captures, cores) when they are big enough for workers to pay: two of 100 MB or more on 2 cores, 16 MB in all on more; else 1); the output is the same as one at a time')
    .option('--no-progress', 'no progress bar (it is drawn on standard error only when that is a terminal and an input takes more than a second)');
}

/**
 * The bounds on what a run reads and keeps open (explain and check): -c, --idle-timeout and
 * --max-connections.
 */
export interface LimitOptions {
  count?: string;
  idleTimeout?: string;
  maxConnections?: string;
}

export function addLimitOptions(cmd: Command): Command {
  return cmd
    .option('-c, --count <n>', 'read only the first n frames of each capture (as tshark -c): the connections still open there are reported as they stood, with a warning')
    .option('--idle-timeout <seconds>', 'finalise a connection after this many seconds of capture time without packets (default: never; a later packet starts a new connection)')
    .addOption(maxConnectionsOption());
}

/**
 * How a run tracks connections: released once closed (after the linger) and reused, since every
 * output and check renders or judges a connection when it is finalised and keeps nothing of it;
 * with the limits given, else `fallback`'s (a check's rules file). Null after a usage error.
 */
export function trackerOptionsFrom(ctx: CliContext, opts: LimitOptions, fallback: { idleTimeout?: number; maxConnections?: number } = {}): TrackerOptions | null {
  const idleGiven = positive(ctx, '--idle-timeout', opts.idleTimeout, false);
  const maxGiven = positive(ctx, '--max-connections', opts.maxConnections, true);
  if (idleGiven === null || maxGiven === null) return null;
  const idle = idleGiven ?? fallback.idleTimeout;
  const max = maxGiven ?? fallback.maxConnections;
  const tracker: TrackerOptions = { keepAll: false, lingerSeconds: LINGER_SECONDS, reuseConnections: true };
  if (idle !== undefined) tracker.idleTimeout = idle;
  if (max !== undefined) tracker.maxConnections = max;
  return tracker;
}

/**
 * -c: the most frames read of each capture (else `fallback`'s, a check's rules file), null
 * without one; undefined after a usage error.
 */
export function frameLimitFrom(ctx: CliContext, opts: LimitOptions, fallback: { count?: number } = {}): number | null | undefined {
  const n = positive(ctx, '-c, --count', opts.count, true);
  return n === null ? undefined : n ?? fallback.count ?? null;
}

/**
 * --max-connections, whose help shows the default for this heap. The default is asked of
 * node:v8 only when the help is shown (or the cap is reached), not on every start: the
 * description is read when the help is written.
 */
function maxConnectionsOption(): Option {
  const o = new Option('--max-connections <n>', '');
  Object.defineProperty(o, 'description', {
    get: () => `at most this many connections open at once; beyond it a closed one still waiting out its linger goes first, else the least recently active is finalised, with a warning (default ${defaultMaxConnections()})`,
  });
  return o;
}

/** What a run needs besides the command-line options, resolved once. */
export interface Settings {
  format: Format;
  sel: Selection;
  chalk: ChalkInstance;
  columns: number;
  tracker: TrackerOptions;
  /** -c: the most frames read of each capture (CliContext.frameLimit), null: all. */
  frameLimit: number | null;
  progress: boolean;
}

/**
 * A JSON document of one capture: its head (schemaVersion, tool, capture) and its connections;
 * or, `written`, a document explainFile has already written whole (see `alone` there).
 */
export interface JsonDoc {
  /** The document text up to the end of the capture object, at depth 0. */
  head: string;
  connections: Spool;
  written: boolean;
}

export function positive(ctx: CliContext, name: string, v: string | undefined, integer: boolean): number | null | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    ctx.err(`${name}: expected a positive ${integer ? 'integer' : 'number'}, got "${v}"`);
    ctx.fail(EXIT_USAGE);
    return null;
  }
  return n;
}

/** Resolves the options shared by the sequential and parallel runs; null after a usage error. */
export function settingsFrom(ctx: CliContext, opts: ExplainOptions): Settings | null {
  const format: Format = opts.json ? 'json' : opts.format;
  const sel = selectionFrom(ctx, opts);
  if (!sel) return null;
  const tracker = trackerOptionsFrom(ctx, opts);
  if (tracker === null) return null;
  const frameLimit = frameLimitFrom(ctx, opts);
  if (frameLimit === undefined) return null;
  // a SYN that opens no connection may wait as its packet until its connection is needed (a
  // flood's half-open connections: TrackerOptions.deferSyn). The outputs that write packets in
  // the capture's order as they come, NDJSON's packet lines and --format packets, are shown it as
  // it arrives (echoKeptSyn); the others keep a connection's packets until it is finalised, or
  // ignore them. So may any other packet that opens a connection (an ACK flood's), but a RST or
  // one with SACK blocks (deferAnyFirst): no output here reads more of such a packet than is kept
  tracker.deferSyn = deferSynWanted();
  tracker.deferAnyFirst = true;
  tracker.echoKeptSyn = (format === 'ndjson' && !!opts.packets) || format === 'packets';
  const chalk = new Chalk({ level: colourLevel(opts.color, ctx.io.stdout as unknown as { isTTY?: boolean }) });
  // ndjson and packets print while reading: on the same terminal, or through a pipe to a program
  // showing them there (`| less`), the progress line would cut into them
  const streamsToTerminal = (format === 'ndjson' || format === 'packets') && ctx.outputMayShare;
  return { format, sel, chalk, columns: ctx.columns, tracker, frameLimit, progress: opts.progress !== false && !streamsToTerminal };
}

export async function explain(ctx: CliContext, captures: string[], opts: ExplainOptions): Promise<void> {
  const s = settingsFrom(ctx, opts);
  if (!s) return;
  const jobs = positive(ctx, '--jobs', opts.jobs, true);
  if (jobs === null) return;
  const n = Math.min(jobs ?? defaultJobs(captures), captures.length);
  if (n > 1 && !captures.includes('-')) {
    await explainParallel(ctx, captures, opts, n, s.progress);
    return;
  }
  ctx.progress = s.progress;
  ctx.frameLimit = s.frameLimit;
  // `tcpflow-explain big.pcap | head`: nothing more is read once the reader has gone
  ctx.stopWhenOutputCloses = true;
  // several captures: json, an array of the documents, each written as soon as its capture is
  // read; text, a blank line between captures (./framing.ts)
  const several = captures.length > 1;
  const framing = several ? captureFraming(s.format, ctx.out) : null;
  let single = false;
  for (const file of captures) {
    // the reader of the output has gone: the next captures are not read either
    if (ctx.out.closed) break;
    const doc = await explainFile(ctx, file, opts, s, ctx.out, true, several, framing);
    if (doc === null) continue;
    if (!doc.written) {
      framing?.next();
      const erase = ctx.writing(file, [doc.connections]);
      await writeDocument(ctx.out, doc, several);
      erase();
    }
    single = !several;
  }
  if (framing !== null) framing.end();
  else if (single) ctx.out.write('\n');
  await ctx.out.flush();
}

/**
 * The walkthrough's writer of the run's last capture, kept for the next one with the same
 * options. It holds only texts made once (about a hundred chunks, the messages' compiled
 * templates) and scratch filled again for each connection, and a capture's connections are
 * written one at a time: made again for every capture, it was about a fifth of the walkthrough's
 * own time on 50 small captures in one run (its constructor and the templates: 15 ms of 148;
 * docs/performance.md, "2026-12-07 (morning, 06:18)").
 */
let lastWalker: { key: string; walker: Walkthrough } | null = null;

function walkthroughFor(wt: WalkthroughOptions): Walkthrough {
  const key = `${wt.lang} ${wt.absolute} ${wt.verbose} ${wt.diagram} ${wt.width} ${wt.chalk.level}`;
  if (lastWalker === null || lastWalker.key !== key) lastWalker = { key, walker: new Walkthrough(wt) };
  return lastWalker.walker;
}

/** One document; `nested`: inside the array of several captures (two more spaces on every line). */
export async function writeDocument(out: Output, doc: JsonDoc, nested: boolean): Promise<void> {
  if (doc.written) return;
  const w = new DocumentWriter(out, nested);
  w.head(doc.head);
  await w.spooled(doc.connections);
  w.end();
}

/** A spool's rendered text (walkthrough, Mermaid) to the output, in id order; `begin` before the first. */
function drainRendered(sp: Spool, out: Output, begin: () => void): Promise<void> {
  return sp.drain((buf, start, len, _i, refs) => {
    begin();
    if (refs) out.expanded(buf, start, len);
    else out.bytes(buf, start, len);
    return out.full;
  }, () => out.flush(), true);
}

/**
 * Lays out a document around its connection records, given one at a time in id order.
 * `nested`: the document is inside the array of several captures' documents, every line two
 * spaces deeper, as its records were rendered (writeRecord's `nested`).
 */
class DocumentWriter {
  private records = 0;
  constructor(private readonly out: Output, private readonly nested: boolean) {}

  private shift(t: string): string {
    return this.nested ? t.replaceAll('\n', '\n  ') : t;
  }

  /** Everything before the first record. */
  head(head: string): void {
    this.out.write(this.shift(head + ',\n  "connections": '));
  }

  /**
   * A record's bytes; returns true when the output should be flushed. `given`: handed to the
   * output (Output.give); `refs`: with chunks as references (a spool's, Spool.refs).
   */
  record(buf: Buffer, start: number, len: number, given = false, refs = false): boolean {
    this.separator();
    if (refs) this.out.expanded(buf, start, len);
    else if (given) this.out.give(buf, start, len);
    else this.out.bytes(buf, start, len);
    this.records++;
    return this.out.full;
  }

  /**
   * The output's batch, after the separator before a record, for the record to be rendered
   * straight into (no copy of its bytes); null when the output has closed. Then recorded().
   */
  open(): ByteWriter | null {
    if (this.out.closed) return null;
    this.separator();
    return this.out.writer;
  }

  /** After a record rendered into open()'s writer (the caller's wantsFlush asks for flushes). */
  recorded(): void {
    this.records++;
  }

  /** What comes before a record: the list's opening, or a comma. */
  private separator(): void {
    this.out.write(this.shift(this.records === 0 ? '[\n    ' : ',\n    '));
  }

  /** The records waiting in a spool, in id order (the spool is closed after). */
  async spooled(sp: Spool): Promise<void> {
    if (sp.count === 0) sp.close();
    else await sp.drain((buf, start, len, _i, refs) => this.record(buf, start, len, false, refs), () => this.out.flush(), true);
  }

  /** Everything after the last record. */
  end(): void {
    this.out.write(this.shift(this.records === 0 ? '[]\n}' : '\n  ]\n}'));
  }
}

/** The head of a document: everything before its connections, without the closing brace. */
function documentHead(capture: Record<string, unknown>): string {
  const t = prettyJson({ schemaVersion: SCHEMA_VERSION, tool: { name: 'tcpflow-explain', version: toolVersion() }, capture }, '');
  return t.slice(0, t.length - 2);
}

/**
 * Explains one capture: writes its output to `out`, or for json returns its document when it
 * was not written here (the caller writes it, alone or in the array of several captures' documents).
 * Null when nothing is to be written.
 * `alone`: the json document may be written here as soon as it can be, without the final
 * newline; it is then returned marked `written`. `nested`: the document's lines are two spaces
 * deeper, as inside the array of several captures' documents. `framing`, when given, is told
 * before the capture's first byte (./framing.ts: the separator before a document, the blank
 * line before a capture's text); a -j worker's output has none, the main thread frames it.
 *
 * The records wait in a Spool until the header (known once the input is read) is written, and
 * come out in id order. When the input has been read and every record spooled so far belongs
 * before every connection still open (always so when none was finalised yet: a SYN flood, a
 * capture of long connections), the header and the spool are written then, and the records of
 * the connections finalised after that (in id order) go straight to the output instead of
 * through the spool's temporary file: the same bytes, sooner.
 */
export async function explainFile(
  ctx: CliContext, file: string, opts: ExplainOptions, s: Settings, out: Output, alone = false, nested = false,
  framing: CaptureFraming | null = null,
): Promise<JsonDoc | null> {
  const { format, sel, chalk, columns } = s;
  let begun = false;
  /** Before the capture's first byte. */
  const begin = (): void => {
    if (begun) return;
    begun = true;
    framing?.next();
  };
  const lang = opts.lang;
  let observer: PacketObserver | null = null;
  let spool: Spool | null = null;
  let table: SummaryTable | null = null;
  let report: MarkdownWriter | null = null;
  /**
   * Set once the header and the spool are written: later records go straight to `out` (through
   * the json document's writer, or as rendered text for the walkthrough and Mermaid).
   */
  const early: { direct: DocumentWriter | 'rendered' | null } = { direct: null };
  if (format === 'json' || format === 'text' || format === 'mermaid') {
    const packets = format !== 'json' || !!opts.packets;
    const wt = { lang, absolute: !!opts.absolute, verbose: !!opts.verbose, chalk, diagram: !!opts.diagram || columns >= 100, width: columns || 100 };
    // the walkthrough without --verbose shows a few of a data phase's packets, and its diagram
    // a few of each run, as Mermaid's diagram does: those not shown are counted, not kept
    // (PacketCollector's `sparse`)
    const collector = !packets ? null : format === 'mermaid' ? mermaidCollector() :
      new PacketCollector(MAX_PACKET_RECORDS, format === 'text' && !wt.verbose, wt.diagram);
    // json records and the walkthrough wait with their constant text as references
    // (ByteWriter.refs): from the first (REFS_FROM), or once the spool's file is big
    // (REFS_FROM_PACKETS: the packets' short keys and many values cost more to expand); a
    // seventh of a record without packets, a third of a walkthrough (docs/performance.md)
    const refsFrom = format === 'mermaid' ? NO_REFS : format === 'json' && packets ? REFS_FROM_PACKETS : REFS_FROM;
    const sp = new Spool(SPOOL_MEMORY, true, refsFrom);
    spool = sp;
    // json: a record is rendered as bytes (as recordJson lays it out) into `scratch`, then
    // spooled; the walkthrough likewise
    const scratch = new ByteWriter(SCRATCH);
    const writeNow = (): void => out.writeNow();
    // the walkthrough and Mermaid: each connection's text written as bytes, as a record is
    const walker: ConnectionText | null = format === 'text' ? walkthroughFor(wt) : format === 'mermaid' ? new MermaidText(lang, !!opts.absolute) : null;
    observer = {
      onPacket: collector ? (c, r, f, p) => { if (selected(c, sel)) collector.onPacket(c, r, f, p); } : () => undefined,
      onFinal: (c) => {
        if (!selected(c, sel)) return;
        let list: PacketRecords | null = null;
        if (collector) {
          collector.onFinal(c);
          list = collector.byConnection.get(c) ?? NO_RECORDS;
        }
        // a record of a few kilobytes (without packets, or with few) is rendered in place
        const few = list === null || list.length <= DIRECT_PACKETS;
        if (few && early.direct === null) {
          // in the spool, the walkthrough's too
          const w = sp.writer(RECORD_ROOM + (list === null ? 0 : list.length * RECORD_BYTES));
          if (walker !== null) walker.write(w, c, list ?? NO_RECORDS);
          else writeRecord(w, c, list, lang, nested);
          sp.commit(c.id);
        } else if (walker === null && early.direct instanceof DocumentWriter && (few || out.writesAtOnce)) {
          // and, at the end of input, straight into the output's batch, with its packets when
          // they are few (a flood's million records were rendered into the scratch buffer,
          // then copied), or when the output writes at once, however many: then a flush's worth
          // is written as it piles up (Output.writeNow; the bulk capture's 100 000 packet records
          // were 25 MB of new memory in the scratch buffer)
          const w = early.direct.open();
          if (w !== null) writeRecord(w, c, list, lang, nested, writeNow);
          early.direct.recorded();
        } else if (few && walker !== null && early.direct === 'rendered') {
          // the walkthrough and Mermaid likewise (Mermaid's first bytes of the capture: its
          // framing first)
          begin();
          if (!out.closed) walker.write(out.writer, c, list ?? NO_RECORDS);
        } else {
          scratch.pos = 0;
          // (to the spool, past its REFS_FROM)
          scratch.refs = early.direct === null && sp.refs;
          // room for the packets' JSON records at once (about 250 bytes each), not grown by
          // doubling: a long connection's megabytes were copied once a doubling
          if (walker === null && list !== null && list.length > RESERVE_FROM) scratch.reserve(list.length * RECORD_BYTES);
          if (walker !== null) walker.write(scratch, c, list ?? NO_RECORDS);
          else writeRecord(scratch, c, list, lang, nested);
          // a connection with many packets grew it: its bytes are handed to the output as they
          // are (not copied), and the next ones get a smaller buffer
          const grown = scratch.buf.length > SCRATCH_KEPT;
          if (early.direct instanceof DocumentWriter) early.direct.record(scratch.buf, 0, scratch.pos, grown);
          else if (early.direct !== null) {
            begin();
            if (grown) out.give(scratch.buf, 0, scratch.pos);
            else out.bytes(scratch.buf, 0, scratch.pos);
          } else sp.putBytes(c.id, scratch.buf, 0, scratch.pos, scratch.refs);
          if (grown) scratch.reset(SCRATCH);
        }
        // rendered: its records are filled again for later packets
        if (collector) collector.recycle(c);
      },
      // records written straight out at the end of input: flushed before they pile up (a step
      // of --json --packets records could otherwise be gigabytes), and as soon as a flush's
      // worth is buffered (Output.full), before the batch outgrows its buffer: at 4 MB, short1m's
      // --json grew it from 512 KB to 4 MB at the end, 7.5 MB of fresh memory and its copies
      wantsFlush: () => early.direct !== null && out.full,
    };
  } else if (format === 'ndjson') {
    observer = new NdjsonWriter(out, !!opts.packets, lang, (c) => selected(c, sel));
  } else if (format === 'packets') {
    const lines = new PacketLines(out);
    observer = { onPacket: (c, r, f, p) => { if (selected(c, sel)) lines.line(f, p, r); } };
  } else if (format === 'markdown') {
    // of the records, only the diagrams' (Mermaid's): the rest counted, not kept
    const collector = mermaidCollector();
    const md = new MarkdownWriter(file, lang);
    report = md;
    observer = {
      onPacket: (c, r, f, p) => { if (selected(c, sel)) collector.onPacket(c, r, f, p); },
      onFinal: (c) => {
        if (!selected(c, sel)) return;
        collector.onFinal(c);
        md.add(c, collector.byConnection.get(c) ?? NO_RECORDS);
        collector.recycle(c);
      },
    };
  }
  if (format === 'summary') {
    const t = new SummaryTable(lang, chalk.level > 0);
    table = t;
    observer = { onPacket: () => undefined, onFinal: (c) => { if (selected(c, sel)) t.add(c); } };
  }
  // the header and the spooled records, written as soon as the input is read when no record of
  // a connection still open has to come before them (see above)
  let reported = false;
  const onRead = spool === null || (format === 'json' && !alone) ? undefined : async (summary: CaptureSummary, tracker: Tracker): Promise<void> => {
    const sp = spool as Spool;
    const open = tracker.lowestOpenId();
    if (sp.count > 0 && open >= 0 && sp.lastKey > open) return;
    if (format === 'json') {
      // the capture's warnings before the document, as when it is written at the end
      ctx.reportEnd(file, summary);
      reported = true;
      const w = new DocumentWriter(out, nested);
      begin();
      w.head(documentHead(captureJson(summary)));
      early.direct = w;
      const erase = ctx.writing(file, [sp]);
      await w.spooled(sp);
      erase();
    } else {
      if (format === 'text') {
        begin();
        out.write(captureText(summary, lang));
      }
      early.direct = 'rendered';
      const erase = ctx.writing(file, [sp]);
      await drainRendered(sp, out, begin);
      erase();
    }
  };
  const run = await ctx.analyse(file, observer, s.tracker, onRead);
  if (!run) {
    spool?.close();
    table?.close();
    report?.close();
    return null;
  }
  const { summary } = run;
  let doc: JsonDoc | null = null;
  const direct = early.direct;
  if (direct !== null) {
    // header and records written: only the document's end is left
    if (direct instanceof DocumentWriter) {
      direct.end();
      doc = { head: '', connections: spool as Spool, written: true };
    }
  } else if (format === 'json') {
    doc = { head: documentHead(captureJson(summary)), connections: spool as Spool, written: false };
  } else if (format === 'ndjson') {
    out.write(JSON.stringify({ type: 'capture', schemaVersion: SCHEMA_VERSION, tool: { name: 'tcpflow-explain', version: toolVersion() }, ...captureJson(summary) }) + '\n');
  } else if (format === 'text' || format === 'mermaid') {
    if (format === 'text') {
      begin();
      out.write(captureText(summary, lang));
    }
    const erase = ctx.writing(file, [spool as Spool]);
    await drainRendered(spool as Spool, out, begin);
    erase();
  } else if (report !== null) {
    begin();
    const erase = ctx.writing(file, report.spools);
    await report.write(out, summary);
    erase();
  } else if (table !== null) {
    begin();
    out.write(captureText(summary, lang));
    const erase = ctx.writing(file, table.spools);
    await table.write(out);
    erase();
  }
  await out.flush();
  if (!reported) ctx.reportEnd(file, summary);
  return doc;
}
