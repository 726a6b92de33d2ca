/**
 * `tcpflow-explain lab <capture>`: the answer key of the classic TCP lab for the capture's main
 * connection (the one with the most payload, or the one chosen with -s/--port/--host), as a
 * worked solution (text, en/zh) or the contract's lab document (--json).
 * `lab --template [FILE]`: an answers file for students (YAML, or JSON when FILE ends .json).
 */
import { Option, type Command } from 'commander';
import { Chalk } from 'chalk';
import { statSync, writeFileSync } from 'node:fs';
import type { Connection } from '../analyze/connection.js';
import type { TrackerOptions } from '../analyze/tracker.js';
import type { CaptureSummary } from '../pipeline.js';
import type { Lang } from '../i18n/messages.js';
import { LabCollector, OtherConnections } from '../lab/collect.js';
import { computeLabKey, endpointOf, DEFAULT_ALPHA, DEFAULT_SEGMENTS, type LabResult } from '../lab/key.js';
import { labText } from '../lab/text.js';
import { answersTemplate } from '../lab/questions.js';
import { labMessages } from '../lab/messages.js';
import { stringifyDocument } from '../render/json.js';
import { colourLevel, deferSynWanted, EXIT_USAGE, toolVersion, type CliContext } from './context.js';
import { addLangOption, addSelectionOptions, LINGER_SECONDS } from './explain.js';
import { selectionFrom, type Selection } from './select.js';

export interface LabCommonOptions {
  segments: string;
  alpha: string;
  lang: Lang;
  stream?: string;
  port?: string;
  host?: string;
}

/** How answers are judged (grade), and how the template words the questions (lab --template). */
export interface PolicyOptions {
  acceptRelative?: boolean;
  lengths: 'payload' | 'tcp';
}

export function addPolicyOptions(cmd: Command): Command {
  return cmd
    .option('--accept-relative', 'accept relative sequence numbers where the lab (v8/9) asks for raw ones: SYN seq, SYN-ACK seq and ack (the v7 lab answers relative)')
    .addOption(new Option('--lengths <meaning>', 'what "length" of a segment means in H12: TCP payload, or TCP header + payload (v8/9 Q7)').choices(['payload', 'tcp']).default('payload'));
}

export interface LabOptions extends LabCommonOptions, PolicyOptions {
  json?: boolean;
  template?: string | boolean;
  color: boolean;
}

/** -n, --alpha and the selection options, shared with grade. */
export function addLabKeyOptions(cmd: Command): Command {
  cmd
    .option('-n, --segments <n>', 'number of client data segments in the RTT table', String(DEFAULT_SEGMENTS))
    .option('--alpha <a>', 'EWMA weight of EstimatedRTT = (1 - a)·EstimatedRTT + a·SampleRTT', String(DEFAULT_ALPHA));
  addSelectionOptions(cmd);
  return addLangOption(cmd);
}

export function addLabOptions(cmd: Command): Command {
  cmd
    .argument('[capture]', 'the capture (pcap or pcapng, optionally gzip-compressed; "-" reads standard input)')
    .option('--json', 'the lab document of the contract (SPEC.md "Lab answer key")')
    .option('--template [file]', 'write an answers file for students instead (YAML; JSON when the name ends .json; stdout without a name)');
  addLabKeyOptions(cmd);
  addPolicyOptions(cmd);
  return cmd.option('--no-color', 'no colour (also when NO_COLOR is set, or stdout is not a terminal)');
}

export interface KeyParams {
  segments: number;
  alpha: number;
}

/** Checks -n and --alpha; null (after a usage error) when they are not numbers in range. */
export function keyParams(ctx: CliContext, o: LabCommonOptions): KeyParams | null {
  const n = Number(o.segments);
  const alpha = Number(o.alpha);
  if (!Number.isInteger(n) || n < 1 || n > 10000) {
    ctx.err(`-n/--segments "${o.segments}" must be a whole number from 1 to 10000`);
    ctx.fail(EXIT_USAGE);
    return null;
  }
  if (!Number.isFinite(alpha) || alpha <= 0 || alpha > 1) {
    ctx.err(`--alpha "${o.alpha}" must be a number above 0 and at most 1`);
    ctx.fail(EXIT_USAGE);
    return null;
  }
  return { segments: n, alpha };
}

export interface LabRun {
  result: LabResult;
  summary: CaptureSummary;
  connection: Connection;
}

/** Whether `file` can be read a second time: a regular file (not "-", a pipe or a device). */
function rereadable(file: string): boolean {
  if (file === '-') return false;
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Whether connections were selected (-s, --port, --host). */
const chosen = (sel: Selection): boolean => sel.streams !== null || sel.ports !== null || sel.hosts !== null;

/** Other connections the warning names when the capture has more (those with the most payload). */
const OTHERS_LISTED = 10;

/**
 * Reads the capture and computes the key of its main connection. Null after an error message
 * (unreadable capture: exit 2; no TCP connection or none selected: exit 2). `quiet` leaves the
 * "other connections" warning out (batch grading). `only`: the stream to read alone, when a
 * first read found the lab's connection in parts (LabCollector.streamToRead).
 */
export async function runLab(ctx: CliContext, file: string, o: LabCommonOptions, p: KeyParams, quiet = false, only: number | null = null): Promise<LabRun | null> {
  const given = selectionFrom(ctx, o);
  if (!given) return null;
  const sel: Selection = only === null ? given : { streams: new Set([only]), ports: null, hosts: null };
  // (standard input or a pipe cannot be read again: there only those the selection leaves out
  // are released)
  const again = rereadable(file);
  const collector = new LabCollector(undefined, sel, again);
  // A connection finalised (at the end of input, released after closing, evicted by the cap,
  // replaced by a new stream on its 4-tuple) is let go, a line of it kept in the collector's
  // directory (keepAll false). Closed connections are released 60 s of capture time after their
  // last packet, as `explain` releases them, when they cannot be the lab's (LabCollector.canLetGo:
  // left out by the selection, or behind the connection with the most payload so far), so that
  // memory follows the connections open, not the capture; the one that may be the lab's is kept
  // whole (Wireshark never forgets a 4-tuple: a later packet is still its).
  // A flood's pure SYNs are kept as their packets' fields until their connections are needed
  // (TrackerOptions.deferSyn: the collector keeps packets per connection, so seeing a SYN late
  // changes nothing it keeps).
  const opts: TrackerOptions = { keepAll: false, lingerSeconds: LINGER_SECONDS, lingerOnly: (c) => collector.canLetGo(c), deferSyn: deferSynWanted() };
  // (continuations are parts of streams, each adding its payload to its stream's line, and the
  // lab's connection is never one, below: nothing the lab says is made of them, and the warning
  // about their records is not given)
  const run = await ctx.analyse(file, collector, opts, undefined, () => collector.overflowFrame >= 0, false);
  if (!run) return null;
  const { summary } = run;
  if (collector.overflowFrame >= 0) {
    // (a key from part of a connection's packets would be a wrong key: none is given)
    const n = collector.maxPackets.toLocaleString('en-US');
    ctx.err(`${file}: stopped at frame ${collector.overflowFrame}: lab keeps every TCP packet of the connections that may be the one it answers for, and ${chosen(sel) ? 'the selected connections had' : 'this capture had'} more than ${n} at once (a lab capture has hundreds). Select the lab's connection with --stream, --port or --host, so that only its packets are kept (\`tcpflow-explain --format summary ${file}\` lists the connections), or cut it out of the capture first (tshark -r ${file} -Y "tcp.stream eq ID" -w lab.pcap)`);
    ctx.fail(EXIT_USAGE);
    return null;
  }
  const split = collector.streamToRead();
  if (split >= 0) {
    // a stream was released and then had packets again (more than 60 s after it closed), and
    // it is, or may be, the lab's: its key is made from the whole stream, read on its own
    if (only === null && again) return runLab(ctx, file, o, p, quiet, split);
    // (else it was split by the cap: an input read once keeps the connections it may answer for)
    ctx.err(`${file}: connection ${split}, the one lab answers for, came in parts: it was evicted while more connections than the cap were open at once, and had packets after that; a key from part of its packets would be wrong. Cut it out of the capture first (tshark -r CAPTURE -Y "tcp.stream eq ${split}" -w lab.pcap)`);
    ctx.fail(EXIT_USAGE);
    return null;
  }
  ctx.reportEnd(file, summary);
  const dir = collector.directory;
  const main = collector.main;
  if (main === null) {
    ctx.err(dir.size === 0 ? `${file}: no TCP connection in the capture` : `${file}: no connection matches the selection (the capture has ${dir.size}: ids 0 to ${dir.size - 1})`);
    ctx.fail(EXIT_USAGE);
    return null;
  }
  const others = new OtherConnections(dir, collector.mainEntry);
  if (!quiet && others.size > 0) {
    const m = labMessages(o.lang);
    const line = (id: number, client: { ip: string; port: number }, server: { ip: string; port: number }, bytes: number): string =>
      m.connectionLine(id, `${client.ip}:${client.port}`, `${server.ip}:${server.port}`, bytes);
    // a capture of thousands: those most like the lab's connection (a warning of every one
    // was megabytes on standard error)
    const listed = others.listed(OTHERS_LISTED).map((i) => {
      const e = dir.endpoints(i);
      return line(dir.id(i), e.client, e.server, dir.payloadBytes(i));
    });
    const mainLine = line(main.id, endpointOf(main, true), endpointOf(main, false), main.a.payloadBytes + main.b.payloadBytes);
    ctx.warn(m.otherConnections(file, mainLine, listed, Math.max(0, others.size - OTHERS_LISTED), chosen(given)));
  }
  const result = computeLabKey(main, collector.packetsOf(main), others, p, summary.firstTime);
  return { result, summary, connection: main };
}

export async function lab(ctx: CliContext, capture: string | undefined, opts: LabOptions): Promise<void> {
  const p = keyParams(ctx, opts);
  if (!p) return;
  if (opts.template !== undefined) {
    const file = typeof opts.template === 'string' ? opts.template : null;
    const q = { segments: p.segments, alpha: p.alpha, rawRequired: !opts.acceptRelative, lengths: opts.lengths };
    const text = answersTemplate(opts.lang, q, file !== null && /\.json$/i.test(file) ? 'json' : 'yaml');
    if (file === null) ctx.out.write(text);
    else {
      try {
        writeFileSync(file, text);
      } catch (e) {
        ctx.err(`cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`);
        ctx.fail(EXIT_USAGE);
      }
    }
    await ctx.out.flush();
    return;
  }
  if (capture === undefined) {
    ctx.err("missing required argument 'capture' (or --template to write an answers file)");
    ctx.fail(EXIT_USAGE);
    return;
  }
  const run = await runLab(ctx, capture, opts, p);
  if (!run) return;
  const { key } = run.result;
  if (opts.json) {
    ctx.out.write(stringifyDocument({ ...key, tool: { name: 'tcpflow-explain', version: toolVersion() }, capture: { file: capture } }) + '\n');
  } else {
    const chalk = new Chalk({ level: colourLevel(opts.color, ctx.io.stdout as unknown as { isTTY?: boolean }) });
    ctx.out.write(labText(key, capture, opts.lang, chalk, p.segments));
  }
  await ctx.out.flush();
}

export function addLabCommand(program: Command, ctx: CliContext, configure: (c: Command) => Command): void {
  const cmd = configure(program.command('lab'))
    .description('answer key of the classic TCP lab (Kurose & Ross "Wireshark Lab: TCP") for the capture\'s main connection');
  addLabOptions(cmd).action(async (capture: string | undefined, opts: LabOptions) => lab(ctx, capture, opts));
}

