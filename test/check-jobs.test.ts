/**
 * `check -j`: captures checked in worker threads give what one at a time gives, byte for byte:
 * standard output (text, --json, --verbose, --quiet, --markdown -), standard error, the exit code,
 * the --junit and --markdown files and the GitHub step summary; with failing expectations, an
 * unreadable capture, a damaged one (exit 2, results kept), a truncated one, a rules file whose
 * group names are not ASCII (also read from a pipe), and a capture of thousands of connections
 * whose results are spooled. The temporary files of the parallel run are removed.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { writeSyntheticPcap } from '../scripts/synth.js';
import { REPO_ROOT } from './helpers/corpus.js';

const BIN = join(REPO_ROOT, 'bin', 'tcpflow-explain.js');
const dir = mkdtempSync(join(tmpdir(), 'tcpflow-check-jobs-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string): string => join(REPO_ROOT, 'fixtures', name, 'capture.pcap');

// a capture whose last record claims 1 GB (reading stops there: exit 2, what came before is checked)
const damaged = join(dir, 'damaged.pcap');
writeSyntheticPcap(damaged, { connections: 40 });
appendFileSync(damaged, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0x40]));
// a capture cut short inside its last record
const truncated = join(dir, 'truncated.pcap');
copyFileSync(fixture('tcp-four-way'), truncated);
writeFileSync(truncated, readFileSync(truncated).subarray(0, statSync(truncated).size - 7));
// thousands of connections: the per-connection results go through the evaluator's spool
const many = join(dir, 'many.pcap');
writeSyntheticPcap(many, { connections: 4000 });
const notACapture = join(dir, 'notes.txt');
writeFileSync(notACapture, 'not a capture\n');
const rules = join(dir, 'rules.yaml');
writeFileSync(rules, [
  'expect: [connections>=1]',
  'rules:',
  '  - name: "web — 网页"',
  '    select: { port: 80 }',
  '    expect: [handshake=three-way, teardown=graceful, retransmission<=0]',
  '  - name: all',
  '    expect: [irtt<=50ms, zeek=SF]',
  '',
].join('\n'));

interface Run { status: number | null; stdout: string; stderr: string; files: Record<string, string> }

/** Runs check with `-j jobs` and the given arguments; report files go to a directory of their own. */
function check(jobs: number, args: string[], reports: string[] = []): Run {
  const out = mkdtempSync(join(dir, `j${jobs}-`));
  const summary = join(out, 'step-summary.md');
  const extra: string[] = [];
  for (const r of reports) extra.push(`--${r}`, join(out, `report.${r}`));
  const r = spawnSync(process.execPath, [BIN, 'check', '-j', String(jobs), ...extra, ...args], {
    encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, GITHUB_STEP_SUMMARY: summary, NO_COLOR: '1' },
  });
  const files: Record<string, string> = {};
  for (const f of readdirSync(out)) files[f] = readFileSync(join(out, f), 'utf8');
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, files };
}

function same(args: string[], reports: string[] = []): Run {
  const one = check(1, args, reports);
  const two = check(2, args, reports);
  const three = check(3, args, reports);
  for (const [n, r] of [[2, two], [3, three]] as const) {
    assert.equal(r.stderr, one.stderr, `-j ${n} ${args.join(' ')}: stderr`);
    assert.equal(r.stdout, one.stdout, `-j ${n} ${args.join(' ')}: stdout`);
    assert.equal(r.status, one.status, `-j ${n} ${args.join(' ')}: exit code`);
    assert.deepEqual(r.files, one.files, `-j ${n} ${args.join(' ')}: report files`);
  }
  return one;
}

describe('check -j: the same reports as one capture at a time', () => {
  it('passing and failing expectations, every report format, the GitHub step summary', () => {
    const files = [fixture('http-ipv4'), fixture('tcp-loss'), fixture('tcp-four-way'), fixture('tcp-port-reuse'), fixture('tcp-reset-client')];
    const expect = ['-e', 'handshake=three-way', '-e', 'retransmission<=0', '-e', 'teardown=graceful'];
    const r = same([...expect, ...files], ['junit', 'markdown']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /FAILED/);
    assert.ok(r.files['report.junit'].includes('<testsuite'), 'a JUnit report was written');
    assert.ok(r.files['step-summary.md'].includes('```mermaid'), 'the step summary has diagrams');
    for (const mode of [['--json'], ['--verbose'], ['--quiet'], ['--markdown', '-']]) same([...mode, ...expect, ...files]);
    same(['-e', 'handshake=three-way', fixture('http-ipv4'), fixture('tcp-four-way')]).status === 0 || assert.fail('all hold: exit 0');
  });

  it('unreadable, damaged and truncated captures among good ones: the same messages, results and exit code', () => {
    const files = [fixture('http-ipv4'), notACapture, damaged, join(dir, 'missing.pcap'), truncated, fixture('tcp-four-way')];
    const r = same(['-e', 'handshake=three-way', ...files], ['junit']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /notes\.txt/);
    assert.match(r.stderr, /missing\.pcap/);
    assert.match(r.stderr, /damaged\.pcap: .*the 400 frame\(s\) before it were analysed/);
    same(['--json', '--allow-truncated', '-e', 'handshake=three-way', ...files]);
  });

  it('a rules file with groups named beyond ASCII, and thousands of connections with spooled results', () => {
    const files = [many, fixture('http-ipv4'), many];
    const r = same(['--rules', rules, ...files], ['junit']);
    assert.match(r.stdout, /web — 网页/);
    same(['--json', '--rules', rules, ...files]);
    same(['--verbose', '--rules', rules, fixture('tcp-loss'), many]);
  });

  it('--json alone (no step summary): the results a worker spooled as the report\'s bytes reach it whole', () => {
    // with no other report listing the results (no step summary, no JUnit, no Markdown), a
    // worker spools them as the JSON report's bytes, which the main thread reads back from the
    // file the worker wrote (SpooledResults.writeTo and fromFile); the runs above all have a
    // step summary, so the results go as rows there
    const files = [many, fixture('http-ipv4'), many];
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.GITHUB_STEP_SUMMARY;
    const run = (jobs: number): string => {
      const r = spawnSync(process.execPath, [BIN, 'check', '-j', String(jobs), '--json', '--rules', rules, ...files], { encoding: 'utf8', maxBuffer: 256 << 20, env });
      // (the rules fail on http-ipv4)
      assert.equal(r.status, 1, r.stderr);
      return r.stdout;
    };
    const one = run(1);
    assert.equal(run(2), one);
    const doc = JSON.parse(one) as { captures: { results: { connection: number | null; expectation: string }[] }[] };
    assert.equal(doc.captures[0]!.results.filter((x) => x.connection === 3999 && x.expectation === 'zeek=SF').length, 1);
  });

  it('--idle-timeout and --max-connections reach the workers: the same evictions and continuations, said in every report', () => {
    const files = [fixture('tcp-keepalive'), fixture('tcp-acked-unseen'), fixture('tcp-four-way')];
    const limits = ['--idle-timeout', '0.5', '--max-connections', '1'];
    const doc = JSON.parse(same(['--json', ...limits, '-e', 'zeek=SF', ...files]).stdout) as {
      captures: { connections: number; evictedConnections: number; splitConnections: number; warnings: string[]; results: { endpoints: string | null; actual: string }[] }[];
    };
    const [keepalive, unseen, fourWay] = doc.captures;
    // keep-alives 1 s apart, idle beyond 0.5 s: three continuation records of connection 0
    assert.deepEqual([keepalive.connections, keepalive.evictedConnections, keepalive.splitConnections], [1, 0, 3]);
    assert.match(keepalive.warnings.join('\n'), /^3 continuation record\(s\)/);
    // (each judged as its stream so far: established until the last record, which closes it)
    assert.deepEqual(keepalive.results.filter((r) => r.endpoints !== null).map((r) => r.actual), ['S1', 'S1', 'S1', 'SF']);
    // fourteen connections never closed, one open at most
    assert.deepEqual([unseen.connections, unseen.evictedConnections, unseen.splitConnections], [14, 12, 0]);
    assert.deepEqual(unseen.warnings, ['12 connection(s) finalised early because more than 1 were open at once (--max-connections); the least recently active made room']);
    assert.deepEqual([fourWay.evictedConnections, fourWay.splitConnections, fourWay.warnings], [0, 0, []]);
    // without the limits nothing is finalised early
    const plain = JSON.parse(check(1, ['--json', '-e', 'zeek=SF', ...files]).stdout) as typeof doc;
    assert.deepEqual(plain.captures.map((c) => [c.evictedConnections, c.splitConnections, c.warnings.length]), [[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    // the JUnit file and the Markdown report (and step summary) say it too
    const r = same([...limits, '-e', 'zeek=SF', ...files], ['junit', 'markdown']);
    assert.match(r.files['report.junit'], /(<\/testcase>|\/>)\n {4}<system-err>warning: 3 continuation record\(s\): [^<]*<\/system-err>\n {2}<\/testsuite>/);
    assert.match(r.files['report.junit'], /<system-err>warning: 12 connection\(s\) finalised early because more than 1 were open at once/);
    assert.equal(r.files['report.junit'].match(/<system-err>/g)?.length, 2);
    assert.match(r.files['report.markdown'], /3 of 6 expectation\(s\) hold\.\n\n> ⚠️ 3 continuation record\(s\)/);
    assert.match(r.files['step-summary.md'], /> ⚠️ 12 connection\(s\) finalised early/);
    for (const [opt, v] of [['--max-connections', '0'], ['--max-connections', '1.5'], ['--idle-timeout', 'soon']]) {
      const bad = spawnSync(process.execPath, [BIN, 'check', opt, v, '-e', 'zeek=SF', fixture('tcp-four-way')], { encoding: 'utf8' });
      assert.equal(bad.status, 2, `${opt} ${v}`);
      assert.match(bad.stderr, new RegExp(`${opt}: expected a positive (integer|number), got "${v}"`));
      assert.equal(bad.stdout, '');
    }
  });

  it('a rules file read from a pipe (read once, by the main thread)', () => {
    // bash's process substitution: --rules names a pipe that can be read once
    const q = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;
    const run = (jobs: number) => spawnSync('bash', ['-c', `${q(process.execPath)} ${q(BIN)} check -j ${jobs} --rules <(cat ${q(rules)}) ${q(fixture('http-ipv4'))} ${q(fixture('tcp-loss'))}`], {
      encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' },
    });
    const one = run(1);
    const two = run(2);
    assert.equal(one.status, 1, one.stderr);
    assert.match(one.stdout, /web — 网页/);
    assert.equal(two.stderr, one.stderr);
    assert.equal(two.stdout, one.stdout);
    assert.equal(two.status, one.status);
  });

  it('leaves no temporary files and rejects a bad --jobs', () => {
    const tmp = mkdtempSync(join(dir, 'tmpdir-'));
    const r = spawnSync(process.execPath, [BIN, 'check', '-j', '2', '--json', '-e', 'handshake=three-way', many, fixture('http-ipv4')], {
      encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, TMPDIR: tmp },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(tmp), []);
    const bad = spawnSync(process.execPath, [BIN, 'check', '-j', '0', '-e', 'handshake=three-way', fixture('http-ipv4')], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--jobs: expected a positive integer, got "0"/);
  });
});
