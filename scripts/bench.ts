/**
 * `npm run bench`: throughput and peak memory on deterministic synthetic captures, beside
 * tcptrace and tshark on the same files in the same run (a benchmark, not a test: it asserts
 * nothing and never runs in `npm test`).
 *
 * Captures (scripts/synth.ts), generated once into bench-cache/ (gitignored):
 *   short1m   1M packets, 100k short connections
 *   concurrent  short1m's connections, 10k open at once and their packets interleaved (a busy
 *             server: consecutive packets are of different connections, which finalise out of
 *             id order)
 *   short10m  10M packets, 1M short connections
 *   bulk      one bulk connection of 1M packets with losses and reordering, snaplen 128
 *   bulk10m   the same with 10M packets (where Node's start-up and JIT warm-up matter least)
 *   synflood  1M connections of one SYN each
 *   ackflood  only when named in --captures: 1M connections of one ACK each (an ACK flood; tcptrace
 *             takes about a minute and 8 GB on it)
 *   synackflood  only when named in --captures: a SYN flood as its victim captures it, 1M SYNs and
 *             the server's SYN-ACKs, a few refused, acknowledged or never answered
 *             (writeAnsweredSynFloodPcap)
 *   synretry  only when named in --captures: SYNs and SYN-ACKs sent again, 285 000 clients, 1.06M
 *             packets: half the SYNs unanswered and retried twice, half answered by a SYN-ACK the
 *             server sends twice more (writeRetriedSynFloodPcap)
 *   small     only when named in --captures: ten short connections (100 packets), for the modes
 *             that give a capture 50 times (check-x50, ...)
 *   established  only when named in --captures: 250 000 connections that open (handshake and a
 *             request) and never close, 1M packets (writeEstablishedPcap): every one open at the
 *             end, each a whole connection, so its peak RSS over 250 000 is what an open
 *             connection costs
 *   real4, real6, real20
 *             only when named in --captures: real kernel traffic (scripts/real-traffic/README.md),
 *             bench-cache/real/real4.pcap and real6.pcap as `sudo bash scripts/real-traffic/make.sh`
 *             leaves them, real20.pcap (20 000 connections) as `sudo RUNS=real20 bash
 *             scripts/real-traffic/make.sh` does (not made by the bench; skipped when missing)
 *   realbulk  only when named in --captures: one real connection of about 938 000 packets (1.3
 *             GB sent through the relay with loss and reordering, snaplen 128), as `sudo
 *             RUNS=realbulk bash scripts/real-traffic/make.sh` leaves it: the real counterpart
 *             of bulk, and of issue 8's 988k-packet single-connection capture
 * Modes, each in a fresh child process (its peak RSS is its own; the whole command is timed,
 * Node start-up included, as tcptrace's and tshark's are):
 *   decode          read + decode only (no analysis, in-process loop)
 *   json            tcpflow-explain --json                 (summary, no packets)
 *   json-packets    tcpflow-explain --json --packets
 *   ndjson          tcpflow-explain --format ndjson
 *   ndjson-packets  tcpflow-explain --format ndjson --packets
 *   text            tcpflow-explain (the walkthrough) > /dev/null
 *   summary         tcpflow-explain --format summary       (the table)
 *   check           tcpflow-explain check with CHECK_EXPECTATIONS (the text report; exit 1
 *                   when one fails, as on bulk and synflood, counts as run)
 *   check-json      the same with --json (every result listed)
 *   json-j1, json-j2, ndjson-packets-j1, ndjson-packets-j2, check-json-j1, check-json-j2
 *                   only when named in --modes: the capture given twice (several captures), -j 1
 *                   and -j 2; packets/s counts both copies, the ratios are against tcptrace and
 *                   tshark run once per copy
 *   check-x50, json-x50, text-x50
 *                   only when named in --modes: the capture given 50 times, -j as by default
 *                   (one at a time unless the captures are big: src/cli/jobs.ts), as a CI job
 *                   checking a directory of recorded captures runs; with the opt-in capture
 *                   `small`, what each capture of such a run costs. The ratios are against
 *                   tcptrace and tshark run once per copy (50 runs)
 *   gz-json, gz-ndjson, gz-check
 *                   only when named in --modes: --json, ndjson and check on FILE.gz (gzip -1,
 *                   made once beside FILE in bench-cache/; skipped without gzip)
 *   ng-json, ng-ndjson, ng-check
 *                   only when named in --modes: --json, ndjson and check on FILE.pcapng, the
 *                   same packets as pcapng (Wireshark's and dumpcap's format; made once beside
 *                   FILE in bench-cache/ by scripts/synth.ts pcapToPcapng); the ratios are
 *                   against tcptrace and tshark on the pcap
 *   check-verbose, check-junit, check-markdown, markdown, mermaid, diagram, packets
 *                   only when named in --modes: the reports not in the table by default, check
 *                   --verbose (every result's line), check --junit /dev/null (every result's test
 *                   case), check --markdown /dev/null (the report a GitHub job's summary gets:
 *                   the diagrams of the first failing connections), --format markdown and
 *                   --format mermaid (a diagram a connection), the walkthrough with --diagram (a
 *                   ladder a connection, as a terminal of 100 columns or more draws it), and
 *                   --format packets (a tcpdump-like line a packet)
 *   lab, lab-selected
 *                   only when named in --modes: lab --json and lab --json -s 0 (the key of one
 *                   connection, the others a line each, released once closed when they cannot
 *                   be the lab's: memory follows the connections open, not the capture)
 *   stdin-check, pipe-check
 *                   only when named in --modes: check reading "-", redirected from FILE
 *                   (sh: `exec node … - < FILE`) and piped (`cat FILE | node … -`)
 *   tcptrace        tcptrace -n -l FILE   (when installed)
 *   tshark          tshark -q -z conv,tcp -r FILE   (when installed)
 * With --repeat N every mode of a capture runs once per round, N rounds, each round in the order
 * of the one before rotated by one, so a slow spell of this shared machine, or the slowdown
 * that follows a long run here, falls on every program alike rather than on all of one mode's
 * runs; the best of the N is shown (peak RSS: the highest), and the JSON has the median and every
 * time too. After the table come each round's own ratios (a mode's time against tcptrace's and
 * tshark's in the same round, minutes apart at most): their median and range, which a spell
 * that slowed one program's best run and not the other's does not move (also in the JSON,
 * roundRatios). Ratios compare each mode with tcptrace and tshark on the same capture. Results: stdout
 * and bench-results/bench.json.
 *
 * What the machine is like as the bench runs (machineNow): before the table, and before and
 * after each capture's runs, what a fresh page of memory costs and how long a loop of arithmetic
 * takes; the table gives each run's minor page faults (`faults k`). A spell in which fresh pages
 * are dear slows what touches much memory (tcptrace, tshark) more than the tool.
 *
 * After a run whose peak RSS passed SETTLE_RSS_MB (tcptrace and tshark take 8 GB on short10m)
 * the next one waits SETTLE_SECONDS: on this virtual machine the runs right after such a one
 * were slowed by its aftermath, and by much (short10m `--json`, whose spool writes 2 GB: 15.7 s
 * right after tshark, 5.7 s after tcptrace, 6.0 s after tshark and 30 s, 5.2-5.9 s alone).
 *
 * NODE_EXTRA_CA_CERTS, when set (this machine sets it for its network proxy), makes Node 20 read
 * and parse that certificate bundle before any script runs: node -e 0 takes about 55 ms here
 * with it and 20 ms without. The tool makes no TLS connection and tcptrace and tshark do not read
 * it, so every command runs without it; the header shows Node's bare start both ways, measured
 * in the same run. --keep-env runs every command with the environment as it is.
 *
 *   npm run bench                                        # everything, 1 run each
 *   npm run bench -- --captures short1m,bulk --modes json,tcptrace --repeat 3
 *   npm run bench -- --help                              # the options, every capture and mode
 *   npm run bench -- --compare bench-results/OLD.json    # OLD against the latest (scripts/bench-compare.ts)
 * An unknown option, capture or mode is an error (exit 2) before anything runs
 * (scripts/bench-args.ts).
 */
import { existsSync, mkdirSync, statSync, writeFileSync, renameSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheLine, codeCacheState } from './bench-cache-state.js';
import { cpus, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';

import { writeSyntheticPcap, writeBulkPcap, writeSynFloodPcap, writeAckFloodPcap, writeAnsweredSynFloodPcap, writeRetriedSynFloodPcap, writeEstablishedPcap, writeInterleavedPcap, pcapToPcapng } from './synth.js';
import { runCapture } from '../src/pipeline.js';
import { median, parseTimeLine, spread } from './bench-stats.js';
import { parseBenchArgs, BenchArgsError, type BenchArgs } from './bench-args.js';
import { readBenchFile, formatComparison, BenchFileError } from './bench-compare.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');
const CLI = join(ROOT, 'bin', 'tcpflow-explain.js');

interface CaptureDef {
  name: string;
  what: string;
  /** Writes the capture (the synthetic ones), or null for one that is only read (`real`). */
  make: ((path: string) => void) | null;
  /** Where it is under the cache directory (default `NAME.pcap`). */
  path?: string;
  /** Run only when named in --captures. */
  optIn?: boolean;
}
const CAPTURES: CaptureDef[] = [
  { name: 'short1m', what: '1M pkts, 100k conns', make: (p) => writeSyntheticPcap(p, { connections: 100_000 }) },
  { name: 'concurrent', what: '1M pkts, 10k open', make: (p) => writeInterleavedPcap(p, { connections: 100_000, active: 10_000 }) },
  { name: 'short10m', what: '10M pkts, 1M conns', make: (p) => writeSyntheticPcap(p, { connections: 1_000_000 }) },
  { name: 'bulk', what: '1M pkts, 1 conn, loss', make: (p) => writeBulkPcap(p, 1_000_000, { snaplen: 128 }) },
  { name: 'bulk10m', what: '10M pkts, 1 conn', make: (p) => writeBulkPcap(p, 10_000_000, { snaplen: 128 }) },
  { name: 'synflood', what: '1M SYNs, 1M conns', make: (p) => writeSynFloodPcap(p, 1_000_000) },
  // (opt-in: tcptrace takes about a minute and 8 GB on it)
  { name: 'ackflood', what: '1M ACKs, 1M conns', make: (p) => writeAckFloodPcap(p, 1_000_000), optIn: true },
  { name: 'synackflood', what: '1M SYNs answered', make: (p) => writeAnsweredSynFloodPcap(p, 1_000_000, 1000), optIn: true },
  // (opt-in: ten short connections, 100 packets: with the modes of 50 captures, what a capture of a run costs)
  { name: 'small', what: '100 pkts, 10 conns', make: (p) => writeSyntheticPcap(p, { connections: 10 }), optIn: true },
  // (opt-in: 250 000 connections open at the end, each past its handshake: what an open connection costs)
  { name: 'established', what: '1M pkts, 250k open', make: (p) => writeEstablishedPcap(p, 250_000), optIn: true },
  { name: 'synretry', what: '285k SYNs, retried', make: (p) => writeRetriedSynFloodPcap(p, 285_000, 1000), optIn: true },
  // real kernel traffic, made by `sudo bash scripts/real-traffic/make.sh` (about 50 s, root and
  // network namespaces: not made here); not the same packets from one making to the next, so
  // compare its ratios, not its seconds across makings
  { name: 'real4', what: 'real, 611k pkts', make: null, path: join('real', 'real4.pcap'), optIn: true },
  { name: 'real6', what: 'real IPv6, 126k pkts', make: null, path: join('real', 'real6.pcap'), optIn: true },
  { name: 'real20', what: 'real, 20k conns', make: null, path: join('real', 'real20.pcap'), optIn: true },
  { name: 'realbulk', what: 'real, 1 conn, 938k', make: null, path: join('real', 'realbulk.pcap'), optIn: true },
];

interface ModeDef {
  name: string;
  label: string;
  argv: (file: string) => [string, string[]] | null;
  /** Exit codes of a run that did its work (default: 0). */
  ok?: readonly number[];
  /**
   * The capture is given this many times (several captures: -j): packets/s counts every copy,
   * and the ratios compare with tcptrace and tshark run once per copy.
   */
  copies?: number;
  /** Run only when named in --modes. */
  optIn?: boolean;
}
/** What the check modes expect of every connection: one expectation of each kind a CI job would write. */
const CHECK_EXPECTATIONS = ['-e', 'handshake=three-way', '-e', 'teardown=graceful', '-e', 'retransmission<=0', '-e', 'irtt<=1', '-e', 'zeek=SF'];
const MODES: ModeDef[] = [
  { name: 'decode', label: 'read+decode', argv: (f) => [process.execPath, [fileURLToPath(import.meta.url), '--decode', f]] },
  { name: 'json', label: '--json', argv: (f) => [process.execPath, [CLI, '--json', f]] },
  { name: 'json-packets', label: '--json --packets', argv: (f) => [process.execPath, [CLI, '--json', '--packets', f]] },
  { name: 'ndjson', label: 'ndjson', argv: (f) => [process.execPath, [CLI, '--format', 'ndjson', f]] },
  { name: 'ndjson-packets', label: 'ndjson --packets', argv: (f) => [process.execPath, [CLI, '--format', 'ndjson', '--packets', f]] },
  { name: 'text', label: 'walkthrough', argv: (f) => [process.execPath, [CLI, f]] },
  { name: 'summary', label: '--format summary', argv: (f) => [process.execPath, [CLI, '--format', 'summary', f]] },
  { name: 'check', label: 'check (5 exp.)', argv: (f) => [process.execPath, [CLI, 'check', ...CHECK_EXPECTATIONS, f]], ok: [0, 1] },
  { name: 'check-json', label: 'check --json', argv: (f) => [process.execPath, [CLI, 'check', '--json', ...CHECK_EXPECTATIONS, f]], ok: [0, 1] },
  // several captures at once: the capture twice, one at a time and in two worker threads
  { name: 'json-j1', label: '--json 2x -j 1', argv: (f) => [process.execPath, [CLI, '--json', '-j', '1', f, f]], copies: 2, optIn: true },
  { name: 'json-j2', label: '--json 2x -j 2', argv: (f) => [process.execPath, [CLI, '--json', '-j', '2', f, f]], copies: 2, optIn: true },
  { name: 'ndjson-packets-j1', label: 'ndjson --pkts 2x -j 1', argv: (f) => [process.execPath, [CLI, '--format', 'ndjson', '--packets', '-j', '1', f, f]], copies: 2, optIn: true },
  { name: 'ndjson-packets-j2', label: 'ndjson --pkts 2x -j 2', argv: (f) => [process.execPath, [CLI, '--format', 'ndjson', '--packets', '-j', '2', f, f]], copies: 2, optIn: true },
  { name: 'check-json-j1', label: 'check --json 2x -j 1', argv: (f) => [process.execPath, [CLI, 'check', '--json', '-j', '1', ...CHECK_EXPECTATIONS, f, f]], ok: [0, 1], copies: 2, optIn: true },
  { name: 'check-json-j2', label: 'check --json 2x -j 2', argv: (f) => [process.execPath, [CLI, 'check', '--json', '-j', '2', ...CHECK_EXPECTATIONS, f, f]], ok: [0, 1], copies: 2, optIn: true },
  // several captures in one run, with -j's default (a directory of recorded captures in CI)
  { name: 'check-x50', label: 'check, 50 captures', argv: (f) => [process.execPath, [CLI, 'check', ...CHECK_EXPECTATIONS, ...Array<string>(50).fill(f)]], ok: [0, 1], copies: 50, optIn: true },
  { name: 'json-x50', label: '--json, 50 captures', argv: (f) => [process.execPath, [CLI, '--json', ...Array<string>(50).fill(f)]], copies: 50, optIn: true },
  { name: 'text-x50', label: 'walkthrough, 50 capt.', argv: (f) => [process.execPath, [CLI, ...Array<string>(50).fill(f)]], copies: 50, optIn: true },
  // the other reports of every result or every connection
  { name: 'check-verbose', label: 'check --verbose', argv: (f) => [process.execPath, [CLI, 'check', '--verbose', ...CHECK_EXPECTATIONS, f]], ok: [0, 1], optIn: true },
  { name: 'check-junit', label: 'check --junit', argv: (f) => [process.execPath, [CLI, 'check', '--junit', '/dev/null', ...CHECK_EXPECTATIONS, f]], ok: [0, 1], optIn: true },
  // the Markdown report, as a GitHub job's summary (GITHUB_STEP_SUMMARY) writes it: Mermaid diagrams of failing connections
  { name: 'check-markdown', label: 'check --markdown', argv: (f) => [process.execPath, [CLI, 'check', '--markdown', '/dev/null', ...CHECK_EXPECTATIONS, f]], ok: [0, 1], optIn: true },
  { name: 'markdown', label: '--format markdown', argv: (f) => [process.execPath, [CLI, '--format', 'markdown', f]], optIn: true },
  // the walkthrough with every connection's ladder diagram (as on a terminal of 100 columns or more)
  { name: 'diagram', label: 'walkthrough --diagram', argv: (f) => [process.execPath, [CLI, '--diagram', f]], optIn: true },
  { name: 'mermaid', label: '--format mermaid', argv: (f) => [process.execPath, [CLI, '--format', 'mermaid', f]], optIn: true },
  { name: 'packets', label: '--format packets', argv: (f) => [process.execPath, [CLI, '--format', 'packets', f]], optIn: true },
  { name: 'lab', label: 'lab --json', argv: (f) => [process.execPath, [CLI, 'lab', '--json', f]], optIn: true },
  { name: 'lab-selected', label: 'lab --json -s 0', argv: (f) => [process.execPath, [CLI, 'lab', '--json', '-s', '0', f]], optIn: true },
  // the same capture gzip-compressed, and through standard input
  { name: 'gz-json', label: '--json, .gz', argv: (f) => withGzip(f, (gz) => [process.execPath, [CLI, '--json', gz]]), optIn: true },
  { name: 'gz-ndjson', label: 'ndjson, .gz', argv: (f) => withGzip(f, (gz) => [process.execPath, [CLI, '--format', 'ndjson', gz]]), optIn: true },
  { name: 'gz-check', label: 'check, .gz', argv: (f) => withGzip(f, (gz) => [process.execPath, [CLI, 'check', ...CHECK_EXPECTATIONS, gz]]), ok: [0, 1], optIn: true },
  // the same packets as pcapng
  { name: 'ng-json', label: '--json, pcapng', argv: (f) => withPcapng(f, (ng) => [process.execPath, [CLI, '--json', ng]]), optIn: true },
  { name: 'ng-ndjson', label: 'ndjson, pcapng', argv: (f) => withPcapng(f, (ng) => [process.execPath, [CLI, '--format', 'ndjson', ng]]), optIn: true },
  { name: 'ng-check', label: 'check, pcapng', argv: (f) => withPcapng(f, (ng) => [process.execPath, [CLI, 'check', ...CHECK_EXPECTATIONS, ng]]), ok: [0, 1], optIn: true },
  { name: 'stdin-check', label: 'check - < FILE', argv: (f) => ['sh', ['-c', 'f=$1; shift; exec "$@" - < "$f"', 'sh', f, process.execPath, CLI, 'check', ...CHECK_EXPECTATIONS]], ok: [0, 1], optIn: true },
  { name: 'pipe-check', label: 'cat FILE | check -', argv: (f) => ['sh', ['-c', 'f=$1; shift; cat "$f" | "$@" -', 'sh', f, process.execPath, CLI, 'check', ...CHECK_EXPECTATIONS]], ok: [0, 1], optIn: true },
  { name: 'tcptrace', label: 'tcptrace -n -l', argv: (f) => (has('tcptrace') ? ['tcptrace', ['-n', '-l', f]] : null) },
  // tshark's 2 (an error while reading) counted as a run from the first bench on
  { name: 'tshark', label: 'tshark conv,tcp', argv: (f) => (has('tshark') ? ['tshark', ['-q', '-z', 'conv,tcp', '-r', f]] : null), ok: [0, 2] },
];

/**
 * The command for FILE.gz (gzip -1, made beside FILE the first time, not timed), or null (the
 * mode is skipped) without gzip.
 */
function withGzip(file: string, cmd: (gz: string) => [string, string[]]): [string, string[]] | null {
  const gz = `${file}.gz`;
  if (!existsSync(gz)) {
    if (!has('gzip')) return null;
    process.stderr.write(`compressing ${file}…\n`);
    const r = spawnSync('sh', ['-c', 'gzip -1 -c "$1" > "$1.gz.tmp" && mv "$1.gz.tmp" "$1.gz"', 'sh', file], { stdio: 'inherit' });
    if (r.status !== 0) return null;
  }
  return cmd(gz);
}

/** The command for FILE's packets as pcapng (FILE.pcapng, made beside FILE the first time, not timed). */
function withPcapng(file: string, cmd: (ng: string) => [string, string[]]): [string, string[]] {
  const ng = file.replace(/\.pcap$/, '') + '.pcapng';
  if (!existsSync(ng)) {
    process.stderr.write(`writing ${ng}…\n`);
    pcapToPcapng(file, `${ng}.tmp`);
    renameSync(`${ng}.tmp`, ng);
  }
  return cmd(ng);
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** The bench's usage: its options, and every capture and mode by name (those run only when named marked so). */
function usage(): string {
  const line = (name: string, what: string, optIn: boolean | undefined): string => `  ${name.padEnd(18)} ${what}${optIn ? '  (only when named)' : ''}`;
  return [
    'usage: npm run bench -- [--captures NAME,...] [--modes NAME,...] [--repeat N] [--cache DIR] [--keep-env]',
    '       npm run bench -- --compare OLD.json [NEW.json]',
    '',
    'Throughput and peak RSS of the tool on deterministic synthetic captures (generated once into',
    'bench-cache/), beside tcptrace and tshark on the same files when they are installed. Every',
    'command is a fresh process, timed whole. Results: the table on stdout, bench-results/*.json.',
    '',
    '  --captures LIST  the captures to run, in the order below ("default": those run without it)',
    '  --modes LIST     the modes to run on each ("default": those run without it)',
    '  --repeat N       N rounds, the order of the modes rotated by one each round; the best time',
    '                   shown, the median and every time in the JSON (default 1)',
    '  --cache DIR      where the captures are made and read (default bench-cache/)',
    '  --keep-env       run every command with NODE_EXTRA_CA_CERTS as set (default: without it)',
    '  --compare OLD.json [NEW.json]',
    '                   runs nothing: two runs\' results side by side (NEW: the latest,',
    '                   bench-results/bench.json), each capture and mode\'s best time, its change,',
    '                   its ratios against tcptrace and tshark and its peak RSS in each',
    '  -h, --help       this text',
    '',
    'captures:',
    ...CAPTURES.map((c) => line(c.name, c.what, c.optIn)),
    '',
    'modes:',
    ...MODES.map((m) => line(m.name, m.label, m.optIn)),
    '',
    'scripts/bench.ts\'s first comment says what each capture and mode is, and how the rounds go.',
  ].join('\n');
}

interface Run { seconds: number; cpuSeconds: number | null; rssMB: number | null; minorFaults: number | null; ok: boolean }

/** The environment of every measured command (see the top: without NODE_EXTRA_CA_CERTS unless --keep-env). */
let childEnv: NodeJS.ProcessEnv = process.env;

/**
 * Runs a command with stdout to /dev/null; wall time measured here, peak RSS, CPU time and the
 * minor page faults (fresh pages: see machineNow) by /usr/bin/time when present.
 */
function measure(cmd: string, args: string[], okCodes: readonly number[] = [0], env: NodeJS.ProcessEnv = childEnv): Run {
  const timeFile = join(tmpdir(), `tcpflow-bench-time-${process.pid}`);
  const useTime = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const r = useTime
    ? spawnSync('/usr/bin/time', ['-f', '%M %U %S %R', '-o', timeFile, cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20, env })
    : spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20, env });
  const seconds = (performance.now() - t0) / 1000;
  let rssMB: number | null = null;
  let cpuSeconds: number | null = null;
  let minorFaults: number | null = null;
  if (useTime && existsSync(timeFile)) {
    const t = parseTimeLine(readFileSync(timeFile, 'utf8'));
    rssMB = t.rssMB;
    cpuSeconds = t.cpuSeconds;
    minorFaults = t.minorFaults;
    rmSync(timeFile, { force: true });
  }
  return { seconds, cpuSeconds, rssMB, minorFaults, ok: r.status !== null && okCodes.includes(r.status) };
}

/** Child: read + decode every frame, no analysis. */
async function decodeOnly(file: string): Promise<void> {
  let n = 0;
  await runCapture(file, { packet: () => { n++; } });
  if (n < 0) process.stdout.write('');
}

async function main(): Promise<void> {
  if (process.argv[2] === '--decode') {
    await decodeOnly(process.argv[3]);
    return;
  }
  let args: BenchArgs;
  try {
    args = parseBenchArgs(process.argv.slice(2), CAPTURES, MODES);
  } catch (e) {
    if (!(e instanceof BenchArgsError)) throw e;
    process.stderr.write(`bench: ${e.message}\n${usage().split('\n')[0]}\n(--help lists the captures and modes)\n`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  if (args.compare !== null) {
    const [oldPath, newArg] = args.compare;
    const newPath = newArg ?? join(ROOT, 'bench-results', 'bench.json');
    try {
      const a = readBenchFile(oldPath);
      const b = readBenchFile(newPath);
      process.stdout.write(`${formatComparison(a, b, oldPath, newPath)}\n`);
    } catch (e) {
      if (!(e instanceof BenchFileError)) throw e;
      process.stderr.write(`bench: ${e.message}\n`);
      process.exitCode = 2;
    }
    return;
  }
  const wantCaptures = args.captures;
  const wantModes = args.modes;
  const repeat = args.repeat;
  const cache = args.cache ?? join(ROOT, 'bench-cache');
  mkdirSync(cache, { recursive: true });
  const rows: Record<string, unknown>[] = [];
  /** The lines of the rounds' own ratios (printed after the table, with --repeat). */
  const perRound: string[] = [];
  const cpu = cpus();
  const keepEnv = args.keepEnv;
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  const withoutCa = { ...process.env };
  delete withoutCa.NODE_EXTRA_CA_CERTS;
  if (!keepEnv) childEnv = withoutCa;
  const startWithout = nodeStart(withoutCa);
  const startWith = extraCa === undefined ? null : nodeStart(process.env);
  console.log(`node ${process.version}, ${cpu.length} cores (${cpu[0]?.model ?? '?'}); best of ${repeat}${repeat > 1 ? ' rounds (every mode once a round, the order rotated by one each round)' : ''}; wall time of the whole command`);
  console.log(
    startWith === null
      ? `node -e 0: ${ms(startWithout)} (NODE_EXTRA_CA_CERTS not set)`
      : `node -e 0: ${ms(startWithout)} without NODE_EXTRA_CA_CERTS, ${ms(startWith)} with it (${extraCa}); ${keepEnv ? 'kept for every command (--keep-env)' : 'every command runs without it (--keep-env keeps it)'}`,
  );
  // the code cache of the bundle each run starts from (bench-cache-state.ts)
  const codeCache = codeCacheState(process.execPath, ROOT, childEnv);
  console.log(codeCacheLine(codeCache));
  const atStart = machineNow();
  console.log(`the machine now: ${machineText(atStart)} (a child's first write to each 4 KB page of 64 MB, and 5e7 turns of an arithmetic loop; faults: a run's minor page faults, in thousands)`);
  console.log('capture                        mode                    packets   MB     s  Mpkt/s  peak RSS MB  cpu s  faults k  vs tcptrace  vs tshark');
  /** What the machine was like before each capture's first run and after its last. */
  const machine: { capture: string; before: MachineNow; after: MachineNow }[] = [];
  // the previous run took more than SETTLE_RSS_MB
  let settle = false;
  for (const def of CAPTURES) {
    if (!wantCaptures.includes(def.name)) continue;
    const file = join(cache, def.path ?? `${def.name}.pcap`);
    if (!existsSync(file)) {
      if (def.make === null) {
        process.stderr.write(`${file} not found: skipped (sudo bash scripts/real-traffic/make.sh makes it)\n`);
        continue;
      }
      process.stderr.write(`generating ${file}…\n`);
      def.make(file + '.tmp');
      renameSync(file + '.tmp', file);
    }
    const mb = statSync(file).size / 1e6;
    const packets = await countFrames(file);
    const results = new Map<string, Run>();
    const times = new Map<string, number[]>();
    const modes = [...MODES.filter((m) => m.name === 'tcptrace' || m.name === 'tshark'), ...MODES.filter((m) => m.name !== 'tcptrace' && m.name !== 'tshark')]
      .filter((m) => wantModes.includes(m.name));
    const peaks = new Map<string, number>();
    const before = machine.length === 0 ? atStart : machineNow();
    for (let round = 0; round < repeat; round++) {
      // each round starts one mode further on: no mode always comes right after the same one
      // (the run after tshark's or tcptrace's was slower by a third on this machine, whatever
      // ran, even 10 s later)
      const at = round % modes.length;
      for (const mode of [...modes.slice(at), ...modes.slice(0, at)]) {
        const cmd = mode.argv(file);
        if (cmd === null) continue;
        if (settle) sleepSync(SETTLE_SECONDS);
        const r = measure(cmd[0], cmd[1], mode.ok);
        settle = (r.rssMB ?? 0) > SETTLE_RSS_MB;
        const best = results.get(mode.name);
        if (best === undefined || r.seconds < best.seconds) results.set(mode.name, r);
        peaks.set(mode.name, Math.max(peaks.get(mode.name) ?? 0, r.rssMB ?? 0));
        let ts = times.get(mode.name);
        if (ts === undefined) times.set(mode.name, (ts = []));
        ts.push(r.seconds);
      }
    }
    for (const [name, r] of results) r.rssMB = peaks.get(name) || r.rssMB;
    machine.push({ capture: def.name, before, after: machineNow() });
    for (const mode of MODES) {
      const r = results.get(mode.name);
      if (!r) continue;
      const copies = mode.copies ?? 1;
      const ratio = (other: string): string => {
        const o = results.get(other);
        return o && mode.name !== other && mode.name !== 'tcptrace' && mode.name !== 'tshark' ? `${((o.seconds * copies) / r.seconds).toFixed(1)}×` : '';
      };
      console.log(
        `${`${def.name} (${def.what})`.padEnd(30)} ${mode.label.padEnd(21)} ${String(packets * copies).padStart(9)} ${(mb * copies).toFixed(0).padStart(5)} ${r.seconds.toFixed(2).padStart(6)} ${((packets * copies) / r.seconds / 1e6).toFixed(2).padStart(6)} ${(r.rssMB === null ? '?' : r.rssMB.toFixed(0)).padStart(12)} ${(r.cpuSeconds === null ? '?' : r.cpuSeconds.toFixed(2)).padStart(6)} ${(r.minorFaults === null ? '?' : (r.minorFaults / 1000).toFixed(1)).padStart(9)} ${ratio('tcptrace').padStart(12)} ${ratio('tshark').padStart(10)}${r.ok ? '' : '  (failed)'}`,
      );
      // each round's own ratio (this mode and the other run minutes apart at most, where the
      // best of each may come from different spells of the machine)
      const roundRatios = (other: string): number[] | null => {
        const o = times.get(other);
        const m = times.get(mode.name) as number[];
        if (o === undefined || mode.name === other || mode.name === 'tcptrace' || mode.name === 'tshark') return null;
        return m.map((t, k) => (o[k] * copies) / t);
      };
      const rt = roundRatios('tcptrace');
      const rs = roundRatios('tshark');
      if (repeat > 1 && (rt !== null || rs !== null)) {
        perRound.push(`${`${def.name}`.padEnd(11)} ${mode.label.padEnd(21)} ${spread(rt).padStart(20)} ${spread(rs).padStart(20)}`);
      }
      rows.push({
        capture: def.name, file, mode: mode.name, copies, packets: packets * copies, bytes: Math.round(mb * copies * 1e6), seconds: r.seconds, cpuSeconds: r.cpuSeconds,
        packetsPerSecond: Math.round((packets * copies) / r.seconds), peakRssMB: r.rssMB === null ? null : Math.round(r.rssMB), minorFaults: r.minorFaults, ok: r.ok,
        medianSeconds: median(times.get(mode.name) as number[]), allSeconds: times.get(mode.name),
        roundRatios: { tcptrace: rt, tshark: rs },
      });
    }
  }
  if (perRound.length > 0) {
    console.log(`\nratios within each round (median of ${repeat}, lowest-highest):`);
    console.log(`${'capture'.padEnd(11)} ${'mode'.padEnd(21)} ${'vs tcptrace'.padStart(20)} ${'vs tshark'.padStart(20)}`);
    for (const line of perRound) console.log(line);
  }
  if (machine.length > 0) {
    console.log('\nthe machine before each capture\'s first run and after its last:');
    for (const m of machine) console.log(`${m.capture.padEnd(11)} ${machineText(m.before)}; after: ${machineText(m.after)}`);
  }
  const outDir = join(ROOT, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const nodeStartSeconds = { withoutExtraCaCerts: startWithout, withExtraCaCerts: startWith };
  const extraCaCerts = extraCa === undefined ? 'not set' : keepEnv ? 'kept' : 'removed';
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: cpu.length, cpu: cpu[0]?.model, repeat, extraCaCerts, nodeStartSeconds, codeCache, machine, results: rows }, null, 2) + '\n');
  writeFileSync(join(outDir, 'bench.json'), readFileSync(out));
  console.log(`results written to ${out.slice(ROOT.length + 1)} (and bench-results/bench.json)`);
}

/** A run that took more memory than this makes the next one wait SETTLE_SECONDS (see the top). */
const SETTLE_RSS_MB = 1024;
const SETTLE_SECONDS = 30;

function sleepSync(seconds: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}

/**
 * A child that allocates 64 MB and writes one byte to each of its 4 KB pages, printing the
 * microseconds a page took: the kernel's first touch of a page (a page fault and a page of
 * zeros); then a loop of integer arithmetic alone (no memory), printing its milliseconds. Both
 * read from the child's own clock around the loops, so Node's start is not in them.
 */
const MACHINE_PROBE =
  'const n=64<<20,b=new Uint8Array(n);let t=process.hrtime.bigint();for(let i=0;i<n;i+=4096)b[i]=1;' +
  'const page=Number(process.hrtime.bigint()-t)/1e3/(n/4096);let x=0;t=process.hrtime.bigint();' +
  'for(let i=0;i<5e7;i++){x=(x+i*2654435761)|0;x^=x>>>13}' +
  'process.stdout.write(page+" "+Number(process.hrtime.bigint()-t)/1e6+" "+(x&1))';

interface MachineNow {
  /** Microseconds a fresh 4 KB page took. */
  freshPageMicros: number | null;
  /** Milliseconds of the arithmetic loop. */
  loopMs: number | null;
}

/**
 * What this machine is like now (the medians of three children; null when the probe could not
 * run). Every page a run touches for the first time costs the fresh page's time: a fraction of
 * a microsecond on a Debian box, 10-15 us on this virtual machine in some hours (2026-12-04), when
 * a run's faults (the faults column) weigh: tcptrace's 208 000 on short1m are seconds then, and
 * the tool's 17 000 a quarter of its time. The loop is 285 ms in such an hour; it tells a spell
 * when the processor itself is slower (every program alike, whatever its memory).
 */
function machineNow(): MachineNow {
  const pages: number[] = [];
  const loops: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = spawnSync(process.execPath, ['-e', MACHINE_PROBE], { encoding: 'utf8', env: childEnv });
    // (no stdout when the child could not be started)
    if (r.status !== 0 || typeof r.stdout !== 'string') continue;
    const [page, loop] = r.stdout.split(' ').map(Number);
    if (Number.isFinite(page)) pages.push(page);
    if (Number.isFinite(loop)) loops.push(loop);
  }
  return { freshPageMicros: pages.length === 0 ? null : median(pages), loopMs: loops.length === 0 ? null : median(loops) };
}

function machineText(m: MachineNow): string {
  return `a fresh page ${m.freshPageMicros === null ? '?' : `${m.freshPageMicros.toFixed(1)} µs`}, the loop ${m.loopMs === null ? '?' : `${m.loopMs.toFixed(0)} ms`}`;
}

/** Node's bare start in an environment: the best of 7 runs of node -e 0, in seconds. */
function nodeStart(env: NodeJS.ProcessEnv): number {
  let best = Infinity;
  for (let i = 0; i < 7; i++) best = Math.min(best, measure(process.execPath, ['-e', '0'], [0], env).seconds);
  return best;
}

function ms(seconds: number): string {
  return `${(seconds * 1000).toFixed(0)} ms`;
}

/** Frames in a capture (read once, in process). */
async function countFrames(file: string): Promise<number> {
  const s = await runCapture(file, { packet: () => undefined });
  return s.packets;
}


void main();
