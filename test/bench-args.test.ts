/**
 * scripts/bench-args.ts: the bench's command line, strictly parsed; and the bench itself on a
 * wrong or help command line (it exits at once, making and running nothing); and diff-scale's and diff-fuzz's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, BenchArgsError } from '../scripts/bench-args.js';

const CAPTURES = [{ name: 'short1m' }, { name: 'bulk' }, { name: 'small', optIn: true }];
const MODES = [{ name: 'json' }, { name: 'check' }, { name: 'check-x50', optIn: true }, { name: 'tshark' }];
const BENCH = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'bench.js');

function fails(argv: string[], message: RegExp): void {
  assert.throws(() => parseBenchArgs(argv, CAPTURES, MODES), (e: unknown) => e instanceof BenchArgsError && message.test(e.message));
}

test('no arguments: the captures and modes not opt-in, one round, the default cache, the environment cleaned', () => {
  assert.deepEqual(parseBenchArgs([], CAPTURES, MODES), {
    help: false, captures: ['short1m', 'bulk'], modes: ['json', 'check', 'tshark'], repeat: 1, cache: null, keepEnv: false, compare: null,
  });
});

test('lists as named, opt-in ones included; "default" adds the defaults; repeats and spaces dropped', () => {
  const a = parseBenchArgs(['--captures', 'small, bulk,small', '--modes', 'check-x50,default', '--repeat', '3', '--cache', '/tmp/x', '--keep-env'], CAPTURES, MODES);
  assert.deepEqual(a.captures, ['small', 'bulk']);
  assert.deepEqual(a.modes, ['check-x50', 'json', 'check', 'tshark']);
  assert.equal(a.repeat, 3);
  assert.equal(a.cache, '/tmp/x');
  assert.equal(a.keepEnv, true);
  assert.deepEqual(parseBenchArgs(['--captures=bulk'], CAPTURES, MODES).captures, ['bulk']);
});

test('--help and -h: help, whatever else is given (a wrong round count included)', () => {
  assert.equal(parseBenchArgs(['--help'], CAPTURES, MODES).help, true);
  assert.equal(parseBenchArgs(['-h', '--repeat', '0'], CAPTURES, MODES).help, true);
});

test('an unknown option, a positional argument or a missing value is an error naming it', () => {
  fails(['--capture', 'short1m'], /^Unknown option '--capture'$/);
  fails(['short1m'], /Unexpected argument 'short1m'/);
  fails(['--modes'], /'--modes <value>' argument missing/);
  fails(['--keep-env=yes'], /--keep-env/);
});

test('an unknown capture or mode is an error listing the names; an empty list too', () => {
  fails(['--captures', 'short1m,shortlm'], /^unknown capture 'shortlm' \(captures: short1m, bulk, small; "default"/);
  fails(['--modes', 'jsno'], /^unknown mode 'jsno' \(modes: json, check, check-x50, tshark;/);
  fails(['--modes', ' , '], /^--modes names no mode$/);
});

test('--repeat: a whole number from 1', () => {
  for (const bad of ['0', '2.5', 'three', '', '1e3']) fails(['--repeat', bad], /^--repeat needs a whole number from 1/);
  fails(['--repeat=-1'], /^--repeat needs a whole number from 1, not '-1'$/);
  // (a value that looks like an option, given apart, is taken for a missing value)
  fails(['--repeat', '-1'], /^Option '--repeat' argument is ambiguous\. Did you forget to specify the option argument for '--repeat'\?$/);
  assert.equal(parseBenchArgs(['--repeat', '12'], CAPTURES, MODES).repeat, 12);
});

test('the bench on --help prints its usage and exits 0; on a wrong option it exits 2; neither makes the cache', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-args-'));
  try {
    const cache = join(dir, 'cache');
    const help = spawnSync(process.execPath, [BENCH, '--help', '--cache', cache], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^usage: npm run bench -- /);
    // every capture and mode is listed, with those run only when named marked
    assert.match(help.stdout, /\n {2}short10m +10M pkts, 1M conns\n/);
    assert.match(help.stdout, /\n {2}established +1M pkts, 250k open {2}\(only when named\)\n/);
    assert.match(help.stdout, /\n {2}check-x50 +check, 50 captures {2}\(only when named\)\n/);
    assert.equal(help.stderr, '');
    const wrong = spawnSync(process.execPath, [BENCH, '--capture', 'short1m', '--cache', cache], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(wrong.status, 2);
    assert.equal(wrong.stdout, '');
    assert.match(wrong.stderr, /^bench: Unknown option '--capture'\nusage: npm run bench -- .*\n\(--help lists the captures and modes\)\n$/);
    const name = spawnSync(process.execPath, [BENCH, '--captures', 'short1m,nope', '--cache', cache], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(name.status, 2);
    assert.match(name.stderr, /^bench: unknown capture 'nope'/);
    assert.equal(existsSync(cache), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A developer script's command line: `--help` prints `usage` (matched) on stdout and exits 0;
 * each wrong line exits 2 with nothing on stdout and its message on stderr, before anything runs.
 */
function commandLine(script: string, usage: RegExp, wrong: readonly (readonly [readonly string[], RegExp])[]): void {
  const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', script);
  const run = (args: readonly string[]): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(process.execPath, [path, ...args], { encoding: 'utf8', timeout: 20_000 });
  const help = run(['--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, usage);
  assert.equal(help.stderr, '');
  for (const [args, message] of wrong) {
    const r = run(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
  }
}

// (each once read its options by position and ignored the rest: --help ran the whole comparison,
// diff-fuzz's a hundred inputs through tshark)
test('diff-scale on --help prints its usage and exits 0; on a wrong command line it exits 2 and runs nothing', () => {
  commandLine('diff-scale.js', /^usage: node dist\/scripts\/diff-scale\.js \[--connections N\]/, [
    [['--conections', '5'], /^diff-scale: Unknown option '--conections'/],
    [['--seed', 'x'], /^diff-scale: --seed "x": a whole number from 0 is needed\n/],
    [['--connections', '0'], /^diff-scale: --connections "0": a whole number from 1 is needed\n/],
    [['--capture'], /^diff-scale: Option '--capture <value>' argument missing/],
    [['capture.pcap'], /^diff-scale: unexpected argument "capture.pcap"\nusage: /],
  ]);
});

test('diff-fuzz on --help prints its usage and exits 0; on a wrong command line it exits 2 and runs nothing', () => {
  commandLine('diff-fuzz.js', /^usage: node dist\/scripts\/diff-fuzz\.js \[--seed S\] \[--runs N\] \[--out DIR\] \[--corpus\] \[--dir D\] \[--release\]\n$/, [
    [['--sed', '3'], /^diff-fuzz: Unknown option '--sed'\nusage: /],
    [['--runs', '0'], /^diff-fuzz: --seed is a whole number and --runs one from 1\n/],
    [['--seed', 'x'], /^diff-fuzz: --seed is a whole number and --runs one from 1\n/],
    [['capture.pcap'], /^diff-fuzz: Unexpected argument 'capture.pcap'/],
  ]);
});
