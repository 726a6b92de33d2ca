/**
 * Developer tool: the CLI as it runs on big captures, frame by frame against tshark (needs
 * tshark 4.0.17 on the PATH):
 *   node dist/scripts/diff-scale.js [--connections N] [--tuples T] [--seed S] [--split]
 *                                   [--capture FILE] [--keep FILE] [--max-connections M]
 *
 * The tracker of the tests and of diff-fuzz keeps every connection; the CLI releases a closed one
 * 60 s after its close (or at its limits) and remembers its 4-tuple in a bounded store
 * (flow/tombstones.ts), so that a later packet on it is numbered as Wireshark, which never
 * forgets a 4-tuple, numbers it: a SYN with a new ISN starts a new stream, anything else is a
 * continuation of the old one (Connection.continued). This writes a capture of many connections
 * interleaved over hours of capture time on few 4-tuples (scripts/synth.ts writeReusePcap; with
 * --split also copies of a stream's SYN and data without a handshake, which make
 * continuations; or reads --capture), runs the CLI on it (`--format ndjson --packets`, the
 * release and limits of every output; --max-connections M to force evictions) and tshark
 * (single pass, as diff-fuzz), and compares every TCP frame: stream id, relative seq and ack,
 * length, and the analysis flags, continuations' included (their analysis goes on from their
 * stream's state, flow/analysis-states.ts; their frames are also counted apart, and the flags of
 * a continuation that says its analysis started afresh, "analysisAfresh", are counted but not
 * held against it). Exits 1 when a frame differs.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReusePcap } from './synth.js';
import { REPO_ROOT } from '../test/helpers/corpus.js';
import { REF_FLAG_FIELDS } from '../test/helpers/tshark-ref.js';

/** tshark's analysis fields and our names for them. */
const FLAG_FIELDS = REF_FLAG_FIELDS;
const BIT = new Map(FLAG_FIELDS.map(([, name], i) => [name, 1 << i]));

const USAGE = `usage: node dist/scripts/diff-scale.js [--connections N] [--tuples T] [--seed S] [--split]
                                    [--capture FILE] [--keep FILE] [--max-connections M]
  the CLI (--format ndjson --packets) against tshark frame by frame on a capture of many
  connections on few 4-tuples (written: N connections, default 100000, on T 4-tuples, default
  5000, seed S, default 1; --split adds continuations; --keep saves it), or on --capture FILE;
  --max-connections M is given to the CLI to force evictions. Exit 1 when a frame differs,
  2 on a wrong command line or without tshark.
`;

/**
 * The options, strictly: --help prints the usage (null: exit 0); an unknown option, a positional
 * argument, a missing value or a number that is not a whole one from 1 (0 for --seed) is an
 * error naming it (thrown) before anything runs. (It read options by position and ignored the
 * rest: `--help` ran the whole default comparison, about half a minute.)
 */
function options(argv: string[]): Map<string, string> | null {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      connections: { type: 'string' }, tuples: { type: 'string' }, seed: { type: 'string' }, split: { type: 'boolean' },
      capture: { type: 'string' }, keep: { type: 'string' }, 'max-connections': { type: 'string' },
    },
  });
  if (values.help) return null;
  if (positionals.length > 0) throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(values)) {
    if (typeof v !== 'string') continue;
    const min = k === 'seed' ? 0 : 1;
    if (k !== 'capture' && k !== 'keep' && !(/^\d+$/.test(v) && Number(v) >= min)) throw new Error(`--${k} ${JSON.stringify(v)}: a whole number from ${min} is needed`);
    m.set(k, v);
  }
  if (values.split) m.set('split', '1');
  return m;
}

let opts: Map<string, string> = new Map();

/** Nothing was compared (a command failed; what it said is written above): exit 2. */
function failed(why: string): number {
  process.stderr.write(`diff-scale: ${why}: nothing compared\n`);
  return 2;
}

function arg(name: string, def: string): string {
  return opts.get(name.replace(/^--/, '')) ?? def;
}

/** Every line of a command's standard output, as it comes. */
async function lines(cmd: string, args: string[], env: NodeJS.ProcessEnv, each: (line: string) => void): Promise<number> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    if (err.length < 4096) err += d.toString();
  });
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) each(line);
  const code = await done;
  if (code !== 0 && code !== 1) process.stderr.write(`${cmd} exited ${code}: ${err}\n`);
  return code;
}

/** Per frame number: stream id, seq, ack, length, analysis bits (-1 stream: no TCP frame). */
class Frames {
  stream: Int32Array;
  seq: Float64Array;
  ack: Float64Array;
  len: Int32Array;
  bits: Int32Array;
  /** 1: the frame is in a continuation record (ours only); 2: in one whose analysis started afresh. */
  continuation: Uint8Array;
  constructor(n: number) {
    this.stream = new Int32Array(n + 1).fill(-1);
    this.seq = new Float64Array(n + 1);
    this.ack = new Float64Array(n + 1).fill(-1);
    this.len = new Int32Array(n + 1);
    this.bits = new Int32Array(n + 1);
    this.continuation = new Uint8Array(n + 1);
  }
}

async function main(): Promise<number> {
  let parsed: Map<string, string> | null;
  try {
    parsed = options(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`diff-scale: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed === null) {
    process.stdout.write(USAGE);
    return 0;
  }
  opts = parsed;
  if ((await lines('tshark', ['--version'], process.env, () => undefined)) !== 0) {
    process.stderr.write('diff-scale: tshark is needed\n');
    return 2;
  }
  const work = mkdtempSync(join(tmpdir(), 'diff-scale-'));
  const cleanup = (): void => rmSync(work, { recursive: true, force: true });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      cleanup();
      process.kill(process.pid, sig);
    });
  }
  try {
    let capture = arg('--capture', '');
    let packets: number;
    if (capture === '') {
      capture = join(work, 'reuse.pcap');
      const opt = {
        connections: Number(arg('--connections', '100000')),
        tuples: Number(arg('--tuples', '5000')),
        seed: Number(arg('--seed', '1')),
        split: opts.has('split'),
      };
      packets = writeReusePcap(capture, opt);
      process.stdout.write(`capture: ${opt.connections} connections on ${opt.tuples} 4-tuples (seed ${opt.seed}${opt.split ? ', with split kinds' : ''}): ${packets} packets\n`);
      const keep = arg('--keep', '');
      if (keep !== '') copyFileSync(capture, keep);
    } else {
      packets = 0;
      // (a capture that tshark cannot read is an error, not a comparison of no frames)
      if ((await lines('tshark', ['-n', '-r', capture, '-T', 'fields', '-e', 'frame.number'], process.env, () => packets++)) !== 0) return failed('tshark could not read the capture');
    }

    // ours: the CLI itself, with the release and limits every output has
    const ours = new Frames(packets);
    const cliArgs = [join(REPO_ROOT, 'bin', 'tcpflow-explain.js'), '--format', 'ndjson', '--packets', '--no-progress', capture];
    const max = arg('--max-connections', '');
    if (max !== '') cliArgs.splice(1, 0, '--max-connections', max);
    let capLine: Record<string, unknown> = {};
    let t = Date.now();
    const cliCode = await lines(process.execPath, cliArgs, process.env, (line) => {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (o.type === 'capture') capLine = o;
      if (o.type === 'connection' && o.continuation === true) {
        // its frames (a connection's records do not overlap in time)
        // (2: one whose analysis started afresh, "analysisAfresh": its flags may differ, and are counted apart)
        const mark = o.analysisAfresh === true ? 2 : 1;
        for (let n = o.firstFrame as number; n <= (o.lastFrame as number); n++) if (ours.stream[n] === o.id) ours.continuation[n] = mark;
      }
      if (o.type !== 'packet') return;
      const n = o.frame as number;
      ours.stream[n] = o.connection as number;
      ours.seq[n] = o.seq as number;
      ours.ack[n] = (o.flags as string[]).includes('ACK') ? (o.ack as number) : -1;
      ours.len[n] = o.len as number;
      let b = 0;
      for (const a of o.analysis as string[]) b |= BIT.get(a) ?? 0;
      ours.bits[n] = b;
    });
    const cliSeconds = (Date.now() - t) / 1000;
    if (cliCode !== 0) return failed(`the CLI exited ${cliCode}`);

    // tshark's, single pass
    const theirs = new Frames(packets);
    const cfg = join(work, 'cfg');
    mkdirSync(cfg);
    const fields = ['frame.number', 'tcp.stream', 'tcp.flags', 'tcp.seq', 'tcp.ack', 'tcp.len', ...FLAG_FIELDS.map(([f]) => f)];
    t = Date.now();
    const tsharkCode = await lines('tshark', ['-n', '-o', 'tcp.relative_sequence_numbers:TRUE', '-o', 'tcp.analyze_sequence_numbers:TRUE', '-r', capture,
      '-Y', 'tcp', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f])],
    { ...process.env, LC_ALL: 'C', TZ: 'UTC', WIRESHARK_CONFIG_DIR: cfg }, (line) => {
      const f = line.split('\t');
      const n = Number(f[0]);
      if (f[1] === '') return;
      theirs.stream[n] = Number(f[1]);
      theirs.seq[n] = Number(f[3]);
      theirs.ack[n] = (parseInt(f[2]!, 16) & 0x10) !== 0 ? Number(f[4]) : -1;
      theirs.len[n] = Number(f[5]);
      let b = 0;
      for (let i = 0; i < FLAG_FIELDS.length; i++) {
        const v = f[6 + i];
        if (v !== undefined && v !== '' && v !== '0') b |= 1 << i;
      }
      theirs.bits[n] = b;
    });
    const tsharkSeconds = (Date.now() - t) / 1000;
    if (tsharkCode !== 0) return failed(`tshark exited ${tsharkCode}`);

    // every frame: the same stream id, relative numbers, length and analysis flags (a
    // continuation's analysis goes on from its stream's state, as Wireshark's does)
    const problems: string[] = [];
    const flagDiff = new Map<string, number>();
    let frames = 0;
    let equal = 0;
    let bad = 0;
    let inContinuation = 0;
    let continuationFlagsDiffer = 0;
    let afreshFrames = 0;
    let afreshFlagsDiffer = 0;
    let reused = 0;
    const reusedBit = BIT.get('reused_ports')!;
    const streams = new Set<number>();
    for (let n = 1; n <= packets; n++) {
      const o = ours.stream[n]!;
      const s = theirs.stream[n]!;
      if (s < 0 && o < 0) continue;
      frames++;
      if (theirs.bits[n]! & reusedBit) reused++;
      const d: string[] = [];
      if (o !== s) d.push(o < 0 ? 'not ours' : s < 0 ? 'not tshark\'s' : `stream ${o}≠${s}`);
      else streams.add(o);
      if (ours.seq[n] !== theirs.seq[n]) d.push(`seq ${ours.seq[n]}≠${theirs.seq[n]}`);
      if (ours.ack[n] !== theirs.ack[n]) d.push(`ack ${ours.ack[n]}≠${theirs.ack[n]}`);
      if (ours.len[n] !== theirs.len[n]) d.push(`len ${ours.len[n]}≠${theirs.len[n]}`);
      const cont = ours.continuation[n] !== 0;
      const afresh = ours.continuation[n] === 2;
      if (cont) inContinuation++;
      if (afresh) afreshFrames++;
      const x = ours.bits[n]! ^ theirs.bits[n]!;
      if (cont && x !== 0) continuationFlagsDiffer++;
      // a continuation that says its analysis started afresh: its flags are not held against it
      if (afresh && x !== 0) afreshFlagsDiffer++;
      else for (let i = 0; i < FLAG_FIELDS.length; i++) {
        if ((x & (1 << i)) === 0) continue;
        const k = `${ours.bits[n]! & (1 << i) ? '+' : '-'}${FLAG_FIELDS[i]![1]}${cont ? ' (continuation)' : ''}`;
        flagDiff.set(k, (flagDiff.get(k) ?? 0) + 1);
        d.push(k);
      }
      if (d.length === 0) equal++;
      else {
        bad++;
        if (problems.length < 20) problems.push(`frame ${n}${cont ? ' (continuation)' : ''}: ${d.join(' ')}`);
      }
    }
    const split = (capLine.splitConnections as number | undefined) ?? 0;
    const evicted = (capLine.evictedConnections as number | undefined) ?? 0;
    process.stdout.write(
      `CLI ${cliSeconds.toFixed(1)} s, tshark ${tsharkSeconds.toFixed(1)} s\n` +
      `TCP frames ${frames} in ${streams.size} streams; SYNs tshark flags reused_ports: ${reused}\n` +
      `continuation records ${split} (${inContinuation} frames; analysis flags differ from tshark's on ${continuationFlagsDiffer} of them); evicted ${evicted}\n` +
      `  of them in continuations whose analysis started afresh ("analysisAfresh"): ${afreshFrames} frames, flags differ on ${afreshFlagsDiffer} (not counted as differing)\n` +
      `frames equal (stream, seq, ack, len, analysis flags) ${equal}; differing ${bad}\n`,
    );
    for (const [k, v] of flagDiff) process.stdout.write(`  ${k}: ${v}\n`);
    for (const p of problems) process.stdout.write(`  ${p}\n`);
    return bad > 0 ? 1 : 0;
  } finally {
    cleanup();
  }
}

main().then((code) => {
  process.exitCode = code;
});
