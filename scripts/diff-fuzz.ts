/**
 * Developer tool, differential fuzzing against tshark (needs tshark 4.0.17 on the PATH):
 *   node dist/scripts/diff-fuzz.js [--seed S] [--runs N] [--out DIR] [--corpus] [--dir D] [--release]
 *
 * The crash fuzzer (`npm run fuzz`) damages bytes; this one changes what happened on the wire,
 * keeping every packet well formed: it drops, duplicates (at once or a few packets later) and
 * reorders the packets of the fixtures' classic pcaps (with --corpus, also of the corpus's
 * little-endian classic pcaps under 2 MB that have TCP; with --dir D, also the classic pcaps in D,
 * e.g. pcapng captures converted with `editcap -F pcap`), gives a packet its predecessor's timestamp or an
 * earlier one, zeroes or changes a TCP window, moves a sequence or acknowledgement number back,
 * and adds a keep-alive-shaped copy (sequence number one lower); 1-3 of these per input. Each input goes through tshark
 * (single pass, the fields of scripts/tshark-refs.sh) and through our tracker, and every TCP
 * frame's stream id, relative seq/ack, length, analysis flags and scaled window are compared
 * (test/helpers/tshark-ref.ts). An input that differs is kept in DIR (default
 * diff-fuzz-failures/, gitignored) with tshark's view beside it, so that
 * `node dist/scripts/diff-tshark.js DIR/<name>.pcap` shows the frames.
 *
 * --release runs the tracker as the CLI's outputs do, but releasing each connection as soon as it
 * closes (no linger): stragglers after a close become continuations, which must keep Wireshark's
 * stream ids, numbers, windows and analysis flags (their analysis goes on from their stream's
 * state, flow/analysis-states.ts). And their story: every packet's phase, note and states after
 * it, and each stream's last record's handshake, teardown, final states, Zeek verdict and
 * completeness, are those of the tracker that keeps every connection (outside continuations
 * whose state had been forgotten, "analysisAfresh").
 *
 * Same seed, same inputs. Exits 1 when an input differs. About 1 s per input (tshark's start).
 */
import { parseArgs } from 'node:util';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CORPUS_DIR, REPO_ROOT, corpusAvailable, corpusEntries } from '../test/helpers/corpus.js';
import { compareWithTshark, readTsv } from '../test/helpers/tshark-ref.js';
import { records, verdicts, lastRecords } from '../test/helpers/release.js';

/** The fields scripts/tshark-refs.sh dumps (compareWithTshark reads them by name). */
const FIELDS = [
  'frame.number', 'frame.time_epoch', '_ws.col.Source', 'tcp.srcport', '_ws.col.Destination', 'tcp.dstport', 'tcp.stream',
  'tcp.flags', 'tcp.seq', 'tcp.seq_raw', 'tcp.ack', 'tcp.ack_raw', 'tcp.len', 'tcp.window_size', 'tcp.window_size_scalefactor',
  'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.spurious_retransmission',
  'tcp.analysis.out_of_order', 'tcp.analysis.lost_segment', 'tcp.analysis.ack_lost_segment', 'tcp.analysis.duplicate_ack',
  'tcp.analysis.zero_window', 'tcp.analysis.zero_window_probe', 'tcp.analysis.zero_window_probe_ack', 'tcp.analysis.keep_alive',
  'tcp.analysis.keep_alive_ack', 'tcp.analysis.window_update', 'tcp.analysis.window_full', 'tcp.analysis.reused_ports',
  'tcp.completeness', 'tcp.analysis.initial_rtt', 'frame.len', 'tcp.hdr_len',
];

interface Rec { sec: number; frac: number; orig: number; data: Buffer }
interface Pcap { header: Buffer; recs: Rec[]; nano: boolean; link: number }

const USAGE = 'usage: node dist/scripts/diff-fuzz.js [--seed S] [--runs N] [--out DIR] [--corpus] [--dir D] [--release]\n';

/**
 * The options, strictly (node:util's parseArgs): an unknown option or a positional argument is
 * an error, before anything runs; `--help` prints the usage. (Options were read by position and
 * the rest ignored: `--help` ran the default hundred inputs.)
 */
const OPTS = (() => {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' }, seed: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' },
        corpus: { type: 'boolean' }, dir: { type: 'string' }, release: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    process.stderr.write(`diff-fuzz: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
if (OPTS.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

function arg(name: string, def: string): string {
  const v = (OPTS as Record<string, string | boolean | undefined>)[name.replace(/^--/, '')];
  return typeof v === 'string' ? v : def;
}

/** Little-endian classic pcap only (every fixture that is not pcapng or gzip); null otherwise. */
function parse(buf: Buffer): Pcap | null {
  if (buf.length < 24) return null;
  const magic = buf.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) return null;
  const recs: Rec[] = [];
  for (let o = 24; o + 16 <= buf.length;) {
    const cap = buf.readUInt32LE(o + 8);
    if (o + 16 + cap > buf.length) break;
    recs.push({ sec: buf.readUInt32LE(o), frac: buf.readUInt32LE(o + 4), orig: buf.readUInt32LE(o + 12), data: Buffer.from(buf.subarray(o + 16, o + 16 + cap)) });
    o += 16 + cap;
  }
  return { header: Buffer.from(buf.subarray(0, 24)), recs, nano: magic === 0xa1b23c4d, link: buf.readUInt32LE(20) };
}

function serialise(p: Pcap): Buffer {
  const parts: Buffer[] = [p.header];
  for (const r of p.recs) {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(r.sec, 0);
    h.writeUInt32LE(r.frac, 4);
    h.writeUInt32LE(r.data.length, 8);
    h.writeUInt32LE(Math.max(r.orig, r.data.length), 12);
    parts.push(h, r.data);
  }
  return Buffer.concat(parts);
}

/** Offset of the TCP header in an Ethernet/IPv4 frame, or -1. */
function tcpOffset(p: Pcap, r: Rec): number {
  const d = r.data;
  if (p.link !== 1 || d.length < 34 || d.readUInt16BE(12) !== 0x0800 || d[23] !== 6) return -1;
  return 14 + (d[14]! & 15) * 4;
}

const MUTATIONS = [
  'drop', 'dup', 'dup-later', 'swap', 'swap-with-times', 'same-time', 'earlier-time', 'zero-window',
  'keep-alive', 'window', 'seq-back', 'ack-back',
] as const;

/** Applies 1-3 mutations; returns what was done (index into the packets at the time). */
function mutate(p: Pcap, rnd: () => number): string[] {
  const ri = (n: number): number => Math.floor(rnd() * n);
  const recs = p.recs;
  const done: string[] = [];
  const count = 1 + ri(3);
  for (let m = 0; m < count && recs.length > 2; m++) {
    const kind = MUTATIONS[ri(MUTATIONS.length)]!;
    const i = 1 + ri(recs.length - 1);
    const r = recs[i]!;
    switch (kind) {
      case 'drop':
        recs.splice(i, 1);
        break;
      case 'dup':
        recs.splice(i + 1, 0, { ...r, data: Buffer.from(r.data) });
        break;
      case 'dup-later': {
        // the copy comes a few packets later, with that packet's time
        const j = Math.min(recs.length - 1, i + 1 + ri(4));
        recs.splice(j + 1, 0, { ...r, sec: recs[j]!.sec, frac: recs[j]!.frac, data: Buffer.from(r.data) });
        break;
      }
      case 'swap': // two packets trade places, the times stay in order
        if (i + 1 < recs.length) {
          const b = recs[i + 1]!;
          recs[i] = { ...b, sec: r.sec, frac: r.frac };
          recs[i + 1] = { ...r, sec: b.sec, frac: b.frac };
        }
        break;
      case 'swap-with-times': // they take their times with them: time goes backwards
        if (i + 1 < recs.length) {
          recs[i] = recs[i + 1]!;
          recs[i + 1] = r;
        }
        break;
      case 'same-time':
        r.sec = recs[i - 1]!.sec;
        r.frac = recs[i - 1]!.frac;
        break;
      case 'earlier-time': {
        const units = p.nano ? 1e9 : 1e6;
        let frac = r.frac - (1 + ri(5000)) * (p.nano ? 1000 : 1);
        let sec = r.sec;
        while (frac < 0) {
          frac += units;
          sec--;
        }
        r.sec = sec;
        r.frac = frac;
        break;
      }
      case 'zero-window': {
        const o = tcpOffset(p, r);
        if (o > 0 && o + 16 <= r.data.length) r.data.writeUInt16BE(0, o + 14);
        break;
      }
      case 'keep-alive': {
        // a copy with its sequence number one lower, a few packets later (a keep-alive, or a
        // zero-window probe's shape when it carries a byte)
        const o = tcpOffset(p, r);
        if (o > 0 && o + 16 <= r.data.length) {
          const c = { ...r, data: Buffer.from(r.data) };
          c.data.writeUInt32BE((c.data.readUInt32BE(o + 4) - 1) >>> 0, o + 4);
          recs.splice(Math.min(recs.length, i + 1 + ri(3)), 0, c);
        }
        break;
      }
      case 'window': {
        // another window: the neighbour's, or a small one
        const o = tcpOffset(p, r);
        if (o > 0 && o + 16 <= r.data.length) r.data.writeUInt16BE(rnd() < 0.5 ? recs[i - 1]!.data.readUInt16BE(Math.min(o + 14, recs[i - 1]!.data.length - 2)) : ri(64), o + 14);
        break;
      }
      case 'seq-back': {
        // the sequence number moved back by up to 3000 bytes (a retransmission of older data)
        const o = tcpOffset(p, r);
        if (o > 0 && o + 16 <= r.data.length) r.data.writeUInt32BE((r.data.readUInt32BE(o + 4) - 1 - ri(3000)) >>> 0, o + 4);
        break;
      }
      case 'ack-back': {
        const o = tcpOffset(p, r);
        if (o > 0 && o + 16 <= r.data.length) r.data.writeUInt32BE((r.data.readUInt32BE(o + 8) - 1 - ri(3000)) >>> 0, o + 8);
        break;
      }
    }
    done.push(`${kind}@${i}`);
  }
  return done;
}

async function main(): Promise<void> {
  let seed = Number(arg('--seed', '1'));
  const runs = Number(arg('--runs', '100'));
  const out = arg('--out', join(REPO_ROOT, 'diff-fuzz-failures'));
  if (!/^\d+$/.test(arg('--seed', '1')) || !/^\d+$/.test(arg('--runs', '100')) || runs < 1) {
    process.stderr.write(`diff-fuzz: --seed is a whole number and --runs one from 1\n${USAGE}`);
    process.exit(2);
  }
  if (spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status !== 0) {
    process.stderr.write('diff-fuzz: tshark is not installed (apt-get install tshark)\n');
    process.exit(2);
  }
  // a linear congruential generator: the same seed gives the same inputs
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const fixtures = join(REPO_ROOT, 'fixtures');
  const sources: [string, Buffer][] = [];
  for (const d of readdirSync(fixtures, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!d.isDirectory() || d.name === 'regress') continue;
    for (const f of readdirSync(join(fixtures, d.name)).sort()) {
      if (f.endsWith('.pcap')) sources.push([`${d.name}/${f}`, readFileSync(join(fixtures, d.name, f))]);
    }
  }
  if (OPTS.corpus === true) {
    if (!corpusAvailable()) {
      process.stderr.write(`diff-fuzz: no corpus at ${CORPUS_DIR}\n`);
      process.exit(2);
    }
    for (const e of corpusEntries()) {
      if (e.category !== 'tcp') continue;
      const bytes = readFileSync(e.abs);
      if (bytes.length < 2e6 && parse(bytes) !== null) sources.push([e.path, bytes]);
    }
  }
  const extra = arg('--dir', '');
  if (extra !== '') {
    for (const f of readdirSync(extra).sort()) {
      const bytes = readFileSync(join(extra, f));
      if (parse(bytes) !== null) sources.push([join(extra, f), bytes]);
    }
  }
  const work = mkdtempSync(join(tmpdir(), 'tcpflow-diff-fuzz-'));
  // an interrupted run (Ctrl-C, kill) removes its directory too, then ends by the same signal
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      rmSync(work, { recursive: true, force: true });
      process.kill(process.pid, sig);
    });
  }
  const cfg = join(work, 'cfg');
  mkdirSync(cfg);
  const input = join(work, 'in.pcap');
  const ref = join(work, 'in.tsv');
  const eargs = FIELDS.flatMap((f) => ['-e', f]);
  /**
   * tshark's view of `path` written to `ref`; or, when tshark read nothing (no header line: it
   * stopped on the input, could not start, or was killed), why, and nothing written. (The
   * comparison read the empty output and stopped the run with a TypeError and its stack: under
   * `timeout`, whose signal reaches tshark too.)
   */
  const tshark = (path: string): { why: string; killed: boolean } | null => {
    const t = spawnSync('tshark', ['-n', '-o', 'tcp.relative_sequence_numbers:TRUE', '-o', 'tcp.analyze_sequence_numbers:TRUE', '-r', path,
      '-Y', 'tcp', '-T', 'fields', '-E', 'header=y', '-E', 'separator=/t', '-E', 'occurrence=f', ...eargs],
    { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, LC_ALL: 'C', TZ: 'UTC', WIRESHARK_CONFIG_DIR: cfg } });
    if (t.stdout === undefined || t.stdout === null || !t.stdout.startsWith('frame.number')) {
      const said = `${t.error?.message ?? ''} ${t.stderr ?? ''}`.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Running as user')).pop();
      return { why: `tshark ${t.signal !== null ? `killed by ${t.signal}` : `exited ${t.status}`}${said ? `: ${said}` : ''}`, killed: t.signal !== null };
    }
    writeFileSync(ref, t.stdout);
    return null;
  };
  /**
   * Sources with TCP frames we do not decode as they are (IP fragments, which tshark reassembles
   * and we do not: docs/differences.md): their mutants are judged on the frames both decode.
   */
  const undecoded = new Map<string, boolean>();
  let differ = 0;
  let compared = 0;
  /** Inputs tshark read nothing of (tshark()). */
  let unread = 0;
  let continuationFrames = 0;
  let storyStreams = 0;
  const release = OPTS.release === true;
  const released = { keepAll: false, lingerSeconds: 0, reuseConnections: true };
  try {
    for (let n = 0; n < runs; n++) {
      const [name, bytes] = sources[Math.floor(rnd() * sources.length)]!;
      const p = parse(bytes);
      if (p === null) continue;
      const done = mutate(p, rnd);
      if (!undecoded.has(name)) {
        writeFileSync(input, bytes);
        const bad = tshark(input);
        if (bad !== null) {
          // a fixture or corpus capture as it is: tshark reads every one, so it was stopped
          process.stderr.write(`diff-fuzz: ${name}: ${bad.why}: stopped\n`);
          process.exitCode = 2;
          return;
        }
        undecoded.set(name, (await compareWithTshark(input, ref, 0)).missing > 0);
      }
      writeFileSync(input, serialise(p));
      const bad = tshark(input);
      if (bad !== null && bad.killed) {
        // (interrupted: the signal that reached tshark ends this process too)
        process.stderr.write(`diff-fuzz: input ${n}: ${bad.why}: stopped\n`);
        process.exitCode = 2;
        return;
      }
      if (bad !== null) {
        // not a difference in the analysis: counted, kept and said apart
        unread++;
        mkdirSync(out, { recursive: true });
        const kept = join(out, `seed-${arg('--seed', '1')}-input-${n}.tshark-unread.pcap`);
        copyFileSync(input, kept);
        process.stdout.write(`input ${n}: ${name} ${done.join(', ')}: ${bad.why}; not compared\n  kept as ${kept}\n`);
        continue;
      }
      const c = await compareWithTshark(input, ref, 10, release ? released : undefined);
      continuationFrames += c.continuationFrames;
      if (release) {
        // the story of continuations, against keeping every connection
        const all = await records(input);
        const rel = await records(input, released);
        for (const [frame, v] of all.story) {
          const w = rel.story.get(frame);
          if (w !== v && !rel.afresh.has(frame) && c.mismatches.length < 10) c.mismatches.push(`frame ${frame}: story ${w} released at once, ${v} kept`);
        }
        const last = lastRecords(rel.recs);
        for (const r of all.recs) {
          const l = last.get(r.id as number);
          if (l === undefined || l.analysisAfresh === true) continue;
          const a = JSON.stringify(verdicts(l));
          const b = JSON.stringify(verdicts(r));
          if (a !== b && c.mismatches.length < 10) c.mismatches.push(`stream ${r.id as number}: ${a} released at once, ${b} kept`);
        }
        storyStreams += all.recs.length;
      }
      // the scaled window (tcp.window_size), which compareWithTshark leaves to the fixture test
      for (const row of readTsv(ref)) {
        const o = c.ours.get(Number(row['frame.number']));
        if (o !== undefined && row['tcp.window_size'] !== '' && String(o.window) !== row['tcp.window_size'] && c.mismatches.length < 10) {
          c.mismatches.push(`frame ${row['frame.number']}: window ${o.window} vs ${row['tcp.window_size']}`);
        }
      }
      compared++;
      if (c.mismatches.length === 0 && (c.missing === 0 || undecoded.get(name))) continue;
      differ++;
      mkdirSync(out, { recursive: true });
      const kept = join(out, `seed-${arg('--seed', '1')}-input-${n}.pcap`);
      copyFileSync(input, kept);
      copyFileSync(ref, `${kept}.tshark.tsv`);
      process.stdout.write(`input ${n}: ${name} ${done.join(', ')}: ${c.mismatches.slice(0, 3).join('; ')}${c.missing ? `; ${c.missing} frame(s) not decoded` : ''}\n  kept as ${kept}\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(`${compared} inputs compared with tshark, ${differ} differ${unread > 0 ? ` (${unread} more that tshark could not read, not compared)` : ''}${release ? ` (released at once: ${continuationFrames} frames in continuations, compared too; the story of every packet and the verdicts of ${storyStreams} streams against keeping every connection)` : ''}\n`);
  process.exitCode = differ > 0 ? 1 : 0;
}

await main();
