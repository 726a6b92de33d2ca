/** `tcpflow-explain check`: every expectation passing and failing on real fixtures, exit codes, reports. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { runCli, STACK_LINE } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { parseExpectation, ExpectationError } from '../src/check/expectations.js';
import { parseRules } from '../src/check/rules.js';
import { AnalysisFrames, FRAMES_SHOWN, CaptureEvaluator, MAX_DIAGRAMS, PASSES_KEPT, SpooledResults, SpooledSections, TEXT_FAILURES, resultGroups, type CaptureCheck, type CheckResult } from '../src/check/evaluate.js';
import { caseNames, jsonReport, markdownReport, textLines, writeJsonReport, writeJunitReport, writeTextReport } from '../src/check/report.js';
import { ByteWriter } from '../src/util/bytes.js';
import type { SourceReads } from '../src/util/spool.js';
import { caseLines, caseName, caseOpen, JunitCaseWriter } from '../src/check/junit.js';
import { detailBytes, TextLineWriter, textMarks } from '../src/check/text-lines.js';
import { RESULT_INDENT, ResultWriter } from '../src/check/result-json.js';
import { PacketCollector, stringifyDocument } from '../src/render/json.js';
import { mermaid } from '../src/render/mermaid.js';
import { NO_RECORDS } from '../src/render/records.js';
import { Chalk } from 'chalk';
import { parseSelection } from '../src/cli/select.js';
import { Tracker, type PacketResult } from '../src/analyze/tracker.js';
import { A_DUPLICATE_ACK, A_RETRANSMISSION, A_WINDOW_UPDATE, ANALYSIS_NAMES } from '../src/analyze/flags.js';
import type { Frame } from '../src/capture/frame.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type Packet } from '../src/decode/packet.js';
import { runCapture } from '../src/pipeline.js';
import { newConnection, type Connection } from '../src/analyze/connection.js';
import { writeSynFloodPcap, writeSyntheticPcap } from '../scripts/synth.js';
import { pcapFile, type PcapRecord } from './helpers/capfile.js';
import { segment } from './helpers/wire.js';
import { tempDir } from './helpers/tmp.js';

const fx = (name: string, file = 'capture.pcap'): string => join(REPO_ROOT, 'fixtures', name, file);
const tmp = tempDir('tfx-check-');
const synth = join(tmp, 'synth3000.pcap');
writeSyntheticPcap(synth, { connections: 3000 });

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const validateReport = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(join(REPO_ROOT, "schema", "check.schema.json"), 'utf8')) as object);

interface Result { group: string | null; connection: number | null; expectation: string; key: string; passed: boolean; actual: string | number | null; detail: string; frames: number[] }
interface Report { passed: boolean; exitCode: number; totals: { expectations: number; passed: number; failed: number }; captures: { file: string; connections: number; results: Result[] }[] }

async function check(args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const r = await runCli(['check', '--json', ...args]);
  assert.doesNotMatch(r.stderr, STACK_LINE);
  const report = JSON.parse(r.stdout) as Report;
  assert.ok(validateReport(report), JSON.stringify(validateReport.errors));
  assert.equal(report.exitCode, r.code);
  return { code: r.code, report, stderr: r.stderr };
}

/** A check with its results as an array (a spooled list is read back), to compare checks whole. */
/** Rules of groups given as [name, selection, expectations], nothing allowed. */
function rulesOf(groups: [string, { port?: string }, string[]][]): { groups: { name: string; select: { port?: string }; expect: ReturnType<typeof parseExpectation>[] }[]; allowTruncated: boolean; allowRstAfterFin: boolean } {
  return {
    groups: groups.map(([name, select, expect]) => ({ name, select, expect: expect.map((e) => parseExpectation(e)) })),
    allowTruncated: false,
    allowRstAfterFin: false,
  };
}

/** `file` judged by each of `evaluators` (one read, connections released as check does), their checks once settled. */
async function judgedBy(file: string, evaluators: CaptureEvaluator[]): Promise<CaptureCheck[]> {
  const tracker = new Tracker({
    onPacket: (c, r, f, p) => { for (const e of evaluators) e.onPacket(c, r, f, p); },
    onFinal: (c) => { for (const e of evaluators) e.onFinal(c); },
  }, { keepAll: false, lingerSeconds: 60 });
  const summary = await runCapture(file, tracker);
  for (const e of evaluators) await e.settle();
  return evaluators.map((e) => e.finish(file, summary));
}

/**
 * Every group's expectation, with each endpoints' text (and its bytes, as the evaluator writes
 * them for a connection), passing and failing: the per-connection results a report writer is
 * tested on (JUnit's cases, the verbose text report's lines).
 */
function* perConnectionCases(groups: readonly { name: string; perConn: readonly { text: string }[] }[], endpoints: readonly string[]): Generator<{ gi: number; i: number; endpointsText: string; ends: ByteWriter; passed: boolean }> {
  for (let gi = 0; gi < groups.length; gi++) {
    for (let i = 0; i < groups[gi]!.perConn.length; i++) {
      for (const endpointsText of endpoints) {
        const ends = new ByteWriter(16);
        ends.text(endpointsText);
        for (const passed of [true, false]) yield { gi, i, endpointsText, ends, passed };
      }
    }
  }
}

function plain(c: CaptureCheck): Omit<CaptureCheck, 'results'> & { results: CheckResult[] } {
  return { ...c, results: [...c.results] };
}

/** The result of one expectation on one connection (the only one of that text). */
function result(rep: Report, expectation: string, connection: number | null = 0): Result {
  const all = rep.captures.flatMap((c) => c.results).filter((x) => x.expectation === expectation && x.connection === connection);
  assert.equal(all.length, 1, `one result for ${expectation} on ${connection}: ${JSON.stringify(rep.captures.map((c) => c.results))}`);
  return all[0]!;
}

/** Asserts that `expect` holds on `file` (exit 0) with the value `actual`, and returns the result. */
async function holds(file: string, expect: string, actual: string | number | null, extra: string[] = []): Promise<Result> {
  const { code, report } = await check(['-e', expect, ...extra, file]);
  const r = result(report, expect);
  assert.equal(r.passed, true, `${expect} on ${file}: ${r.detail}`);
  assert.equal(r.actual, actual);
  assert.equal(code, 0);
  return r;
}

async function fails(file: string, expect: string, actual: string | number | null, extra: string[] = []): Promise<Result> {
  const { code, report } = await check(['-e', expect, ...extra, file]);
  const r = result(report, expect);
  assert.equal(r.passed, false, `${expect} on ${file} should fail: ${r.detail}`);
  assert.equal(r.actual, actual);
  assert.equal(code, 1);
  return r;
}

describe('check: each expectation on real fixtures', () => {
  it('handshake', async () => {
    assert.deepEqual((await holds(fx('tcp-four-way'), 'handshake=three-way', 'three-way')).frames, [1, 2, 3]);
    const r = await fails(fx('tcp-syn-unanswered'), 'handshake=three-way', 'unanswered');
    assert.match(r.detail, /sent 4 times, no SYN-ACK/);
    await holds(fx('tcp-refused'), 'handshake=refused', 'refused');
    await holds(fx('tcp-refused'), 'handshake!=three-way,incomplete', 'refused');
    await fails(fx('tcp-midstream'), 'handshake=three-way,simultaneous-open', 'not-captured');
  });

  it('teardown, graceful and the initiator', async () => {
    await holds(fx('tcp-four-way'), 'teardown=graceful', 'four-way');
    await holds(fx('tcp-three-way-close'), 'teardown=graceful', 'three-way');
    await holds(fx('tcp-simultaneous-close'), 'teardown=graceful', 'simultaneous');
    await holds(fx('tcp-three-way-close'), 'teardown=three-way', 'three-way');
    const reset = await fails(fx('tcp-reset-client'), 'teardown=graceful', 'reset');
    assert.match(reset.detail, /RST from the client in frame 8/);
    assert.deepEqual(reset.frames, [8]);
    await fails(fx('tcp-rst-after-fin'), 'teardown=graceful', 'half-closed', ['--allow-rst-after-fin']);
    await holds(fx('tcp-half-close'), 'teardown=graceful', 'four-way');
    await fails(fx('tcp-syn-unanswered'), 'teardown=graceful', 'none');
    await holds(fx('tcp-reset-server'), 'teardown=reset', 'reset');
    await fails(fx('tcp-reset-server'), 'teardown!=reset', 'reset');
    await holds(fx('tcp-four-way'), 'initiator=client', 'client');
    await fails(fx('tcp-reset-server'), 'initiator=client', 'server');
    await holds(fx('tcp-syn-unanswered'), 'initiator=none', 'none');
  });

  it('a RST after FIN is a reset unless allowed', async () => {
    const f = fx('tcp-rst-after-fin');
    const r = await fails(f, 'teardown!=reset', 'reset');
    assert.match(r.detail, /one FIN, then a RST in frame 11 \(allow it with --allow-rst-after-fin\)/);
    assert.deepEqual(r.frames, [8, 9, 11]);
    // allowed: the close is what the FINs made of it (here one FIN: half-closed)
    await holds(f, 'teardown!=reset', 'half-closed', ['--allow-rst-after-fin']);
    await holds(f, 'teardown=half-closed', 'half-closed', ['--allow-rst-after-fin']);
    // the rules file says the same
    const rules = join(tmp, 'rst.yaml');
    writeFileSync(rules, 'allowRstAfterFin: true\nexpect:\n  - teardown!=reset\n');
    const { code } = await check(['--rules', rules, f]);
    assert.equal(code, 0);
  });

  it('zeek, client-state and server-state', async () => {
    await holds(fx('tcp-four-way'), 'zeek=SF', 'SF');
    await holds(fx('tcp-refused'), 'zeek=REJ,S0', 'REJ');
    const z = await fails(fx('tcp-reset-server'), 'zeek=SF', 'RSTR');
    assert.match(z.detail, /^RSTR \(history /);
    const s = await holds(fx('tcp-four-way'), 'client-state=TIME_WAIT', 'TIME_WAIT');
    assert.match(s.detail, /TIME_WAIT \(inferred\) after the last packet \(frame 11\)/);
    await holds(fx('tcp-four-way'), 'server-state=CLOSED', 'CLOSED');
    await fails(fx('tcp-four-way'), 'server-state=TIME_WAIT', 'CLOSED');
    await fails(fx('tcp-syn-unanswered'), 'client-state=ESTABLISHED', 'SYN_SENT');
  });

  it('irtt in seconds or with a unit, and no iRTT without a handshake', async () => {
    // tcp-loss: the relay delays 5 ms each way, iRTT 10.323 ms
    await holds(fx('tcp-loss'), 'irtt<=0.05', 0.010323);
    await holds(fx('tcp-loss'), 'irtt<=50ms', 0.010323);
    await holds(fx('tcp-loss'), 'irtt>=10000us', 0.010323);
    const slow = await fails(fx('tcp-loss'), 'irtt<=5ms', 0.010323);
    assert.match(slow.detail, /iRTT 10\.323 ms/);
    const none = await fails(fx('tcp-syn-unanswered'), 'irtt<=1', null);
    assert.match(none.detail, /no iRTT: the handshake is unanswered/);
  });

  it('analysis counts with the frames that show them', async () => {
    const r = await fails(fx('tcp-loss'), 'retransmission<=0', 2);
    assert.deepEqual(r.frames, [26, 64]);
    assert.match(r.detail, /2 retransmission packet\(s\): frames 26, 64/);
    await holds(fx('tcp-loss'), 'duplicate_ack>=16', 16);
    await holds(fx('tcp-loss'), 'lost_segment=2', 2);
    await holds(fx('tcp-four-way'), 'retransmission=0', 0);
    await holds(fx('tcp-keepalive'), 'keep_alive>=1', (await check(['-e', 'keep_alive>=1', fx('tcp-keepalive')])).report.captures[0]!.results.find((x) => x.key === 'keep_alive')!.actual);
    await fails(fx('tcp-zero-window'), 'zero_window<=0', (await check(['-e', 'zero_window<=0', fx('tcp-zero-window')])).report.captures[0]!.results.find((x) => x.key === 'zero_window')!.actual);
    await holds(fx('tcp-spurious-retransmission'), 'spurious_retransmission>=1', 1);
  });

  it('several analysis counts at once: each its own frames, as tshark flags them', async () => {
    // tshark 4.0.17 -r fixtures/tcp-loss/capture.pcap -Y tcp.analysis.duplicate_ack (and lost_segment)
    const { code, report } = await check(['-e', 'duplicate_ack<=0', '-e', 'lost_segment<=0', '-e', 'retransmission<=0', '-e', 'zeek=SF', fx('tcp-loss')]);
    assert.equal(code, 1);
    assert.deepEqual(result(report, 'duplicate_ack<=0').frames, [15, 17, 19, 21, 23, 25, 43, 45, 47, 49, 51, 53, 55, 58, 61, 63]);
    assert.deepEqual(result(report, 'lost_segment<=0').frames, [12, 42]);
    assert.deepEqual(result(report, 'retransmission<=0').frames, [26, 64]);
  });

  for (const [what, make] of [
    ['connections it keeps them on', (id: number): Connection => Object.assign(newConnection(), { id })],
    ['connections another keeper keeps them on (in a Map)', (id: number): Connection => Object.assign(newConnection(), { id, flagFramesOwner: {} })],
  ] as const) it(`the frames of analysis flags are remembered only for the names counted, and only until the connection is judged: ${what}`, () => {
    const c = make(0);
    const d = make(1);
    const r = { analysis: 0, frame: 0 } as PacketResult;
    const flag = (conn: Connection, frame: number, bits: number): void => {
      r.frame = frame;
      r.analysis = bits;
      af.onPacket(conn, r, null as unknown as Frame, null as unknown as Packet);
    };
    let af = new AnalysisFrames(0);
    flag(c, 1, A_RETRANSMISSION | A_DUPLICATE_ACK);
    assert.equal(af.size, 0, 'no count expectation: nothing kept');
    af = new AnalysisFrames(A_DUPLICATE_ACK | A_WINDOW_UPDATE);
    flag(c, 1, A_RETRANSMISSION);
    assert.equal(af.size, 0, 'a flag no rule counts is not kept');
    for (let i = 2; i < 40; i++) flag(i % 2 === 0 ? c : d, i, A_DUPLICATE_ACK | (i % 3 === 0 ? A_WINDOW_UPDATE : 0));
    const dup = ANALYSIS_NAMES.indexOf('duplicate_ack');
    const win = ANALYSIS_NAMES.indexOf('window_update');
    assert.deepEqual(af.frames(c, dup), [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38]);
    assert.deepEqual(af.frames(d, dup), [3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35, 37, 39]);
    assert.deepEqual(af.frames(c, win), [6, 12, 18, 24, 30, 36]);
    assert.deepEqual(af.frames(c, ANALYSIS_NAMES.indexOf('retransmission')), []);
    // kept on the connection when no other keeper has it
    assert.equal(c.flagFramesOwner === af, what === 'connections it keeps them on');
    assert.equal(c.flagFrames !== null, what === 'connections it keeps them on');
    for (let i = 40; i < 60; i++) flag(c, i, A_DUPLICATE_ACK);
    assert.equal(af.frames(c, dup).length, FRAMES_SHOWN, 'the first FRAMES_SHOWN only');
    assert.equal(af.frames(c, dup)[FRAMES_SHOWN - 1], 40);
    const before = c.flagFrames;
    af.forget(c);
    assert.deepEqual(af.frames(c, dup), []);
    assert.equal(af.size, 1);
    assert.equal(c.flagFrames, null, 'nothing left on the connection');
    // a connection forgotten starts afresh (given the record it had, as a spare, its counts cleared)
    flag(c, 70, A_DUPLICATE_ACK);
    assert.deepEqual(af.frames(c, dup), [70]);
    assert.deepEqual(af.frames(c, win), []);
    if (before !== null) assert.equal(c.flagFrames, before, 'the spare given again');
    // and so does a new one given a spare
    const e = make(2);
    af.forget(c);
    flag(e, 80, A_WINDOW_UPDATE);
    assert.deepEqual(af.frames(e, dup), []);
    assert.deepEqual(af.frames(e, win), [80]);
    af.forget(e);
    af.forget(d);
    assert.equal(af.size, 0);
  });

  it('connections counts the selection; selections by port, host and stream', async () => {
    const pr = fx('tcp-port-reuse');
    // one 4-tuple used by three connections in turn
    const all = await check(['-e', 'connections=3', pr]);
    assert.equal(all.code, 0);
    assert.equal(result(all.report, 'connections=3', null).actual, 3);
    assert.equal((await check(['-e', 'connections>=4', pr])).code, 1);
    const two = await check(['-e', 'connections=2', '-e', 'reused_ports=1', '-s', '1,2', pr]);
    assert.equal(two.code, 0);
    const one = await check(['-e', 'handshake=three-way', '-s', '1', pr]);
    assert.deepEqual(result(one.report, 'handshake=three-way', 1).frames, [11, 12, 13]);
    const byPort = await check(['-e', 'connections=1', '--port', '5001', fx('tcp-four-way')]);
    assert.equal(byPort.code, 0);
    const byHost = await check(['-e', 'connections=0', '--host', '198.51.100.9', fx('tcp-four-way')]);
    assert.equal(byHost.code, 0, 'connections=0 is a deliberate expectation of no match');
  });
});

describe('check: nothing to check never passes', () => {
  it('a selection that matches nothing fails with a clear message', async () => {
    const { code, report } = await check(['-e', 'handshake=three-way', '--port', '9', fx('tcp-four-way')]);
    assert.equal(code, 1);
    const r = result(report, 'selection matches a connection', null);
    assert.equal(r.passed, false);
    assert.match(r.detail, /no connection matched by port 9 \(the capture has 1 connection\(s\)\)/);
  });

  it('an empty capture fails', async () => {
    const empty = join(tmp, 'empty.pcap');
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(65535, 16);
    h.writeUInt32LE(1, 20);
    writeFileSync(empty, h);
    const { code, report } = await check(['-e', 'teardown=graceful', empty]);
    assert.equal(code, 1);
    assert.equal(report.captures[0]!.connections, 0);
    assert.equal(result(report, 'selection matches a connection', null).passed, false);
  });

  it('a truncated capture fails unless --allow-truncated', async () => {
    const whole = readFileSync(fx('tcp-four-way'));
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, whole.subarray(0, whole.length - 10));
    const a = await check(['-e', 'handshake=three-way', cut]);
    assert.equal(a.code, 1);
    const t = result(a.report, 'capture not truncated', null);
    assert.equal(t.passed, false);
    assert.match(t.detail, /pass --allow-truncated/);
    const b = await check(['-e', 'handshake=three-way', '--allow-truncated', cut]);
    assert.equal(b.code, 0);
    assert.equal(result(b.report, 'capture not truncated', null).passed, true);
  });
});

describe('check: exit codes and usage errors', () => {
  it('0 when all hold, 1 when one fails, 2 for usage errors and unreadable captures', async () => {
    assert.equal((await runCli(['check', '-e', 'handshake=three-way', fx('tcp-four-way')])).code, 0);
    assert.equal((await runCli(['check', '-e', 'handshake=three-way', fx('tcp-four-way'), fx('tcp-syn-unanswered')])).code, 1);
    const missing = await runCli(['check', '-e', 'handshake=three-way', join(tmp, 'nope.pcap')]);
    assert.equal(missing.code, 2);
    assert.doesNotMatch(missing.stderr, STACK_LINE);
    const none = await runCli(['check', fx('tcp-four-way')]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no expectations; give --expect/);
  });

  it('bad expectations name the problem', async () => {
    const cases: [string, RegExp][] = [
      ['retransmision<=0', /unknown key "retransmision" \(did you mean "retransmission"\?\)/],
      ['handshake=3way', /"3way" is not a value of handshake/],
      ['teardown<=graceful', /"teardown" takes = or != /],
      ['retransmission<0', /operator "<" is not one of = != <= >=/],
      ['handshake==three-way', /operator "==" is not one of = != <= >= \(equality is a single =\)/],
      ['retransmission>1', /operator ">" is not one of = != <= >=/],
      ['irtt<=fast', /"fast" is not a time/],
      ['retransmission>=1.5', /"1.5" is not a whole number/],
      ['connections>=1,2', /takes one number, not a list/],
      ['handshake=', /no value after "handshake="/],
    ];
    for (const [e, re] of cases) {
      const r = await runCli(['check', '-e', e, fx('tcp-four-way')]);
      assert.equal(r.code, 2, e);
      assert.match(r.stderr, re, e);
      assert.equal(r.stdout, '', 'no capture is read before the expectations are valid');
    }
  });

  it('teardown=graceful expands to the three graceful kinds', () => {
    assert.deepEqual(parseExpectation('teardown=graceful').values, ['four-way', 'three-way', 'simultaneous']);
    assert.deepEqual(parseExpectation('zeek=sf,rsto').values, ['SF', 'RSTO']);
    assert.deepEqual(parseExpectation('irtt<=250us').numbers, [0.00025]);
  });

  it('a time takes s, ms, us or either micro sign, in any case; anything else is refused, never NaN', async () => {
    for (const v of ['250us', '250US', '250\u00b5s', '250\u03bcs', '250\u039cS', '0.25ms', '0.25 MS', '2.5e-4', '2.5E-4 s']) {
      assert.deepEqual(parseExpectation(`irtt<=${v}`).numbers, [0.00025], v);
    }
    for (const v of ['250ns', '250 m', '250s2', '1e999', '1e999ms']) assert.throws(() => parseExpectation(`irtt<=${v}`), /is not a time/, v);
    // with the Greek mu the value was NaN, and `!=` held whatever the RTT (tcp-four-way's is 49 us)
    await fails(fx('tcp-four-way'), 'irtt!=49\u03bcs', 0.000049);
    await holds(fx('tcp-four-way'), 'irtt>=49\u03bcs', 0.000049);
  });
});

describe('check: rules files', () => {
  it('YAML and JSON rules with named groups and selections', async () => {
    const yaml = join(tmp, 'rules.yaml');
    writeFileSync(yaml, [
      '# the service on 5015 must be healthy',
      'expect:',
      '  - connections>=1',
      'rules:',
      '  - name: upload',
      '    select: { port: 5015 }',
      '    expect:',
      '      handshake: three-way',
      '      teardown: [four-way, three-way]',
      '      retransmission: "<=0"',
      '      irtt: "<= 50ms"',
      '      connections: 1',
      '',
    ].join('\n'));
    const { code, report } = await check(['--rules', yaml, fx('tcp-loss')]);
    assert.equal(code, 1);
    const failed = report.captures[0]!.results.filter((r) => !r.passed);
    assert.deepEqual(failed.map((r) => [r.group, r.expectation, r.actual]), [['upload', 'retransmission<=0', 2]]);
    assert.equal(report.totals.expectations, 8);
    const json = join(tmp, 'rules.json');
    writeFileSync(json, JSON.stringify({ rules: [{ name: 'none on 80', select: { port: [80, 443] }, expect: ['connections=0'] }] }));
    assert.equal((await check(['--rules', json, fx('tcp-loss')])).code, 0);
  });

  it('the bounds in a rules file (idleTimeout, maxConnections, count), where the command line gives none', async () => {
    const withCap = join(tmp, 'cap.yaml');
    writeFileSync(withCap, 'maxConnections: 1\nexpect: [zeek=SF]\n');
    const counts = async (args: string[]): Promise<number[]> => {
      const { report } = await check(args);
      const c = report.captures[0] as unknown as { evictedConnections: number; splitConnections: number };
      return [c.evictedConnections, c.splitConnections];
    };
    assert.deepEqual(await counts(['--rules', withCap, fx('tcp-acked-unseen')]), [12, 0]);
    assert.deepEqual(await counts(['--rules', withCap, '--max-connections', '100', fx('tcp-acked-unseen')]), [0, 0]);
    const withIdle = join(tmp, 'idle.yaml');
    writeFileSync(withIdle, 'idleTimeout: 0.5\nexpect: [zeek=SF]\n');
    assert.deepEqual(await counts(['--rules', withIdle, fx('tcp-keepalive')]), [0, 3]);
    assert.deepEqual(await counts(['--rules', withIdle, '--idle-timeout', '5', fx('tcp-keepalive')]), [0, 0]);
    // count: the first frames only, as -c; -c wins
    const withCount = join(tmp, 'count.yaml');
    writeFileSync(withCount, 'count: 4\nexpect: [zeek=SF]\n');
    const frames = async (args: string[]): Promise<string[]> => {
      const { report } = await check(args);
      const c = report.captures[0] as unknown as { warnings: string[]; results: { key: string; detail: string }[] };
      return [c.results.find((x) => x.key === 'readable')?.detail ?? '', ...c.warnings];
    };
    assert.deepEqual(await frames(['--rules', withCount, fx('tcp-four-way')]), [
      '4 frame(s) read, the first of the capture: -c 4 stopped reading there (the capture goes on)',
      'reading stopped after the first 4 frames (-c 4); the rest of the capture was not read, and the connections still open there are reported as they stood',
    ]);
    assert.deepEqual((await frames(['--rules', withCount, '-c', '100', fx('tcp-four-way')])), ['11 frame(s) read']);
    for (const [text, message] of [
      ['maxConnections: 1.5', 'cap.yaml:1 (maxConnections): must be a positive integer, got number 1.5'],
      ['maxConnections: 0', 'cap.yaml:1 (maxConnections): must be a positive integer, got number 0'],
      ['idleTimeout: "30s"', 'cap.yaml:1 (idleTimeout): must be a positive number, got string "30s"'],
      ['count: 0', 'cap.yaml:1 (count): must be a positive integer, got number 0'],
      ['count: "10"', 'cap.yaml:1 (count): must be a positive integer, got string "10"'],
    ]) {
      writeFileSync(withCap, `${text}\nexpect: [zeek=SF]\n`);
      const r = await runCli(['check', '--rules', withCap, fx('tcp-four-way')]);
      assert.equal(r.code, 2, text);
      assert.equal(r.stderr, `tcpflow-explain: ${join(tmp, message)}\n`, text);
    }
  });

  it('malformed rules files are rejected with the key path and line', async () => {
    const cases: [string, RegExp][] = [
      ['expect:\n  - handshake=three-way\nallowTruncate: true\n', /bad\.yaml:3 \(allowTruncate\): unknown key "allowTruncate" \(did you mean "allowTruncated"\?\)/],
      ['rules:\n  - name: a\n    expect:\n      retransmisions: 0\n', /bad\.yaml:4 \(rules\[0\]\.expect\.retransmisions\): unknown key "retransmisions"/],
      ['rules:\n  - select: { port: true }\n    expect: [handshake=three-way]\n', /bad\.yaml:2 \(rules\[0\]\.select\.port\): must be a number or a list of them, got boolean true/],
      // values were checked only when the checks ran: exit 70 as an internal error, with no line
      ['rules:\n  - select: { port: 99999 }\n    expect: [handshake=three-way]\n', /bad\.yaml:2 \(rules\[0\]\.select\.port\): port "99999" is not a number from 0 to 65535/],
      ['rules:\n  - select:\n      stream: [0, x]\n    expect: [handshake=three-way]\n', /bad\.yaml:3 \(rules\[0\]\.select\.stream\): stream id "x" is not a number/],
      ['select: { host: example.com }\nexpect: [handshake=three-way]\n', /bad\.yaml:1 \(select\.host\): host "example\.com" is not an IP address/],
      ['select: { port: "" }\nexpect: [handshake=three-way]\n', /\(select\.port\): no port given/],
      ['allowTruncated: "yes"\nexpect: [handshake=three-way]\n', /\(allowTruncated\): must be true or false, got string "yes"/],
      ['expect: [handshake=three-way\n', /bad\.yaml:\d+:\d+: not valid YAML\/JSON/],
      ['- handshake=three-way\n', /must be a mapping .* but it is a list/],
      ['expect:\n  - 42\n', /\(expect\[0\]\): must be a string like "retransmission<=0", got number 42/],
      ['rules:\n  - name: x\n    expect: [connections>=1]\n  - name: x\n    expect: [connections>=1]\n', /"x" is used twice/],
      ['select: { port: 80 }\n', /a top-level select needs a top-level expect/],
      ['{}\n', /no expectations/],
    ];
    for (const [text, re] of cases) {
      const f = join(tmp, 'bad.yaml');
      writeFileSync(f, text);
      const r = await runCli(['check', '--rules', f, fx('tcp-four-way')]);
      assert.equal(r.code, 2, text);
      assert.match(r.stderr, re, text);
      assert.doesNotMatch(r.stderr, STACK_LINE);
      assert.doesNotMatch(r.stderr, /internal error/);
    }
    assert.throws(() => parseRules('expect: [zeek=XX]', 'r.yaml'), (e: unknown) => e instanceof ExpectationError && /r\.yaml:1 \(expect\[0\]\): .*"XX" is not a value of zeek/.test(e.message));
    const missing = await runCli(['check', '--rules', join(tmp, 'nope.yaml'), fx('tcp-four-way')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--rules .*nope\.yaml: cannot read it \(ENOENT\)/);
  });
});

describe('check: reports', () => {
  it('text: failures name the connection, the expectation, the value and the frames', async () => {
    const r = await runCli(['check', '-e', 'teardown=graceful', '-e', 'retransmission<=0', fx('tcp-reset-client'), fx('tcp-loss')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✘ #0 192\.0\.2\.1:40005 → 192\.0\.2\.2:5005 {2}teardown=graceful\n {6}found: reset: RST from the client in frame 8/);
    assert.match(r.stdout, /✘ #0 192\.0\.2\.1:40015 → 192\.0\.2\.2:5015 {2}retransmission<=0\n {6}found: 2 retransmission packet\(s\): frames 26, 64/);
    assert.match(r.stdout, /FAILED: 2 of 8 expectation\(s\) failed \(2 capture\(s\)\)\n$/);
    const q = await runCli(['check', '-q', '-e', 'handshake=three-way', fx('tcp-four-way'), fx('tcp-syn-unanswered')]);
    assert.doesNotMatch(q.stdout, /✔/);
    assert.doesNotMatch(q.stdout, /tcp-four-way/);
    assert.match(q.stdout, /✘ #0 192\.0\.2\.1:40008/);
  });

  it('JUnit: valid XML, one test case per connection × expectation, unique names, details in the body', async () => {
    const file = join(tmp, 'junit.xml');
    const r = await runCli(['check', '-e', 'handshake=three-way', '-e', 'teardown=graceful', '--junit', file, fx('tcp-port-reuse'), fx('tcp-reset-client')]);
    assert.equal(r.code, 1);
    const text = readFileSync(file, 'utf8');
    assert.equal(XMLValidator.validate(text), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testsuite' || n === 'testcase' }).parse(text) as {
      testsuites: { tests: string; failures: string; testsuite: { name: string; tests: string; failures: string; testcase: { name: string; classname: string; failure?: { '#text': string; message: string } }[] }[] };
    };
    const suites = doc.testsuites.testsuite;
    assert.equal(suites.length, 2);
    // port reuse: 3 connections × 2 expectations + 2 capture checks; reset: 1 × 2 + 2
    assert.deepEqual(suites.map((s) => s.testcase.length), [8, 4]);
    assert.equal(doc.testsuites.tests, '12');
    assert.equal(doc.testsuites.failures, '1');
    for (const s of suites) {
      const names = s.testcase.map((c) => c.name);
      assert.equal(new Set(names).size, names.length, 'unique names');
    }
    const failure = suites[1]!.testcase.find((c) => c.failure)!;
    assert.equal(failure.name, '#0 192.0.2.1:40005 → 192.0.2.2:5005: teardown=graceful');
    assert.match(failure.failure!['#text'], /found: reset\ndetail: reset: RST from the client in frame 8.*\nconnection: #0 .*\nframes: 8/s);
  });

  it('JUnit: names with characters XML escapes or forbids are escaped or dropped, others left as they are', async () => {
    const rules = join(tmp, 'xml.yaml');
    // a YAML double-quoted name: & < > " ' escaped in XML, U+0001 and U+FFFE dropped (XML 1.0 has no way to write them)
    writeFileSync(rules, 'rules:\n  - name: "a&b <c> \\"d\\" \'e\' \\x01f\\uFFFEg"\n    expect: [handshake=three-way]\n  - name: plain-name_1.2\n    expect: [handshake=three-way]\n');
    const file = join(tmp, 'xml.xml');
    const r = await runCli(['check', '--rules', rules, '--junit', file, fx('tcp-four-way')]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(file, 'utf8');
    assert.equal(XMLValidator.validate(text), true);
    assert.ok(text.includes(' name="[a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos; fg] #0 '), text);
    assert.ok(text.includes(' name="[plain-name_1.2] #0 '), text);
    const names = [...text.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(names)], ['tcpflow-explain.capture.pcap']);
  });

  it('JUnit names stay unique when two groups check the same thing', async () => {
    const rules = join(tmp, 'dup.yaml');
    writeFileSync(rules, 'expect: [handshake=three-way]\nrules:\n  - name: again\n    expect: [handshake=three-way]\n');
    const file = join(tmp, 'dup.xml');
    await runCli(['check', '-e', 'handshake=three-way', '--rules', rules, '--junit', file, fx('tcp-four-way')]);
    const names = [...readFileSync(file, 'utf8').matchAll(/ name="([^"]*)"/g)].map((m) => m[1]);
    const cases = names.slice(2);
    assert.equal(new Set(cases).size, cases.length, cases.join('\n'));
    assert.ok(cases.includes('#0 192.0.2.1:40001 → 192.0.2.2:5001: handshake=three-way (2)'));
    assert.ok(cases.includes('[again] #0 192.0.2.1:40001 → 192.0.2.2:5001: handshake=three-way'));
  });

  it('Markdown and $GITHUB_STEP_SUMMARY: a table and a Mermaid diagram of each failing connection', async () => {
    const md = join(tmp, 'report.md');
    const summary = join(tmp, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    process.env.GITHUB_STEP_SUMMARY = summary;
    try {
      const r = await runCli(['check', '-e', 'teardown=graceful', '--markdown', md, fx('tcp-four-way'), fx('tcp-reset-server')]);
      assert.equal(r.code, 1);
    } finally {
      delete process.env.GITHUB_STEP_SUMMARY;
    }
    const text = readFileSync(md, 'utf8');
    assert.match(text, /^## tcpflow-explain check: ❌ failed\n/);
    assert.match(text, /\| ❌ \| #0 `192\.0\.2\.1:40006 → 192\.0\.2\.2:5006` \| `teardown=graceful` \| reset: RST from the server in frame \d+/);
    assert.equal((text.match(/```mermaid\n/g) ?? []).length, 1, 'a diagram only for the failing connection');
    assert.match(text, /```mermaid\n%% connection 0: three-way handshake, reset teardown, Zeek RSTR\nsequenceDiagram\n/);
    const appended = readFileSync(summary, 'utf8');
    assert.ok(appended.startsWith('# earlier step\n## tcpflow-explain check'), 'appended, not overwritten');
    // the frames a failure points at stay visible where the data phase is elided
    const loss = await runCli(['check', '-e', 'retransmission<=0', '--markdown', '-', fx('tcp-loss')]);
    assert.match(loss.stdout, /… 18 more data packets …\n {4}C->>S: 26: \[ACK\] seq=5793 ack=1 len=1448 \(retransmission, fast_retransmission\)\n {4}Note over C,S: … 37 more data packets …\n {4}C->>S: 64: /);
    // passing run: no diagram
    const ok = await runCli(['check', '-e', 'teardown=graceful', '--markdown', '-', fx('tcp-four-way')]);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /✅ passed/);
    assert.doesNotMatch(ok.stdout, /mermaid/);
  });

  it('an unwritable report file is a usage error', async () => {
    const r = await runCli(['check', '-e', 'handshake=three-way', '--junit', join(tmp, 'no', 'such', 'dir.xml'), fx('tcp-four-way')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--junit .*: cannot write it \(ENOENT\)/);
    assert.equal(existsSync(join(tmp, 'no')), false);
  });

  it('JSON report: the same run gives the same bytes', async () => {
    const args = ['check', '--json', '-e', 'handshake=three-way', '-e', 'duplicate_ack<=3', fx('tcp-loss')];
    const a = await runCli(args);
    const b = await runCli(args);
    assert.equal(a.stdout, b.stdout);
    const rep = JSON.parse(a.stdout) as Report;
    assert.equal(rep.passed, false);
    assert.deepEqual(rep.totals, { captures: 1, expectations: 4, passed: 3, failed: 1 });
  });

  it('JSON report: each capture\'s evictions, continuations and warnings, as the JSON document has them (schema-valid)', async () => {
    // fourteen connections never closed; two closed one after the other (the first waits out its
    // linger when the second opens, and makes room without being counted)
    const { report } = await check(['--max-connections', '1', '-e', 'zeek=SF', fx('tcp-acked-unseen'), fx('pcapng-multi', 'capture.pcapng')]);
    const [unseen, multi] = report.captures as unknown as { evictedConnections: number; splitConnections: number; warnings: string[] }[];
    assert.deepEqual([unseen.evictedConnections, unseen.splitConnections], [12, 0]);
    assert.deepEqual(unseen.warnings, ['12 connection(s) finalised early because more than 1 were open at once (--max-connections); the least recently active made room']);
    assert.deepEqual([multi.evictedConnections, multi.splitConnections, multi.warnings], [0, 0, []]);
    // the same fields and values as explain --json's capture object
    const doc = JSON.parse((await runCli(['--json', '--max-connections', '1', fx('tcp-acked-unseen')])).stdout) as { capture: Record<string, unknown> };
    assert.deepEqual([doc.capture.evictedConnections, doc.capture.splitConnections, doc.capture.warnings], [12, 0, unseen.warnings]);
    // a report without the fields does not validate
    const { evictedConnections: _e, ...without } = report.captures[0] as unknown as Record<string, unknown>;
    assert.equal(validateReport({ ...report, captures: [without] }), false);
  });
});

describe('check: the README example rules file', () => {
  it('examples/check-rules.yaml parses and finds the retransmissions of tcp-loss', async () => {
    const { code, report } = await check(['--rules', join(REPO_ROOT, 'examples', 'check-rules.yaml'), fx('tcp-loss')]);
    assert.equal(code, 1);
    assert.deepEqual(report.totals, { captures: 1, expectations: 8, passed: 7, failed: 1 });
    const failed = report.captures[0]!.results.filter((r) => !r.passed);
    assert.deepEqual(failed.map((r) => [r.group, r.expectation, r.frames]), [['upload', 'retransmission<=0', [26, 64]]]);
  });
});

describe('check: connections judged as they are finalised', () => {
  it('results are those of judging in id order, whatever order the connections are finalised in', async () => {
    const rules = {
      groups: [
        { name: '', select: {}, expect: ['handshake=three-way', 'teardown=four-way', 'retransmission<=0', 'connections>=1'].map((e) => parseExpectation(e)) },
        { name: 'web', select: { port: '80' }, expect: ['zeek=SF', 'connections=2'].map((e) => parseExpectation(e)) },
      ],
      allowTruncated: false, allowRstAfterFin: false,
    };
    const sel = parseSelection({});
    for (const file of [fx('tcp-loss'), fx('tcp-port-reuse'), synth]) {
      const inOrder = new CaptureEvaluator(rules, sel);
      const reversed = new CaptureEvaluator(rules, sel);
      const later: Connection[] = [];
      // one read feeds both: the second is told of each connection only at the end, last first
      const tracker = new Tracker({
        onPacket: (c, r, f, p) => { inOrder.onPacket(c, r, f, p); reversed.onPacket(c, r, f, p); },
        onFinal: (c) => { inOrder.onFinal(c); later.push(c); },
      }, { keepAll: false, lingerSeconds: 60 });
      const summary = await runCapture(file, tracker);
      for (const c of later.reverse()) reversed.onFinal(c);
      const a = plain(inOrder.finish(file, summary));
      const b = plain(reversed.finish(file, summary));
      assert.deepEqual(b, a, file);
      const ids = a.results.filter((r) => r.group === '' && r.connection !== null).map((r) => r.connection as number);
      assert.deepEqual(ids, [...ids].sort((x, y) => x - y), `${file}: results in id order`);
      assert.equal(a.connections, later.length);
    }
  });

  it('a capture whose connections are released while it is read: every connection judged once, in id order', async () => {
    // 3000 short connections: more than the 256 closed ones the tracker lets linger, so most are
    // released (and judged) long before the end
    const { code, report } = await check(['-e', 'handshake=three-way', '-e', 'connections=3000', synth]);
    assert.equal(code, 0);
    const cap = report.captures[0]!;
    assert.equal(cap.connections, 3000);
    const per = cap.results.filter((r) => r.connection !== null);
    assert.deepEqual(per.map((r) => r.connection), Array.from({ length: 3000 }, (_, i) => i));
    assert.equal(result(report, 'connections=3000', null).actual, 3000);
  });
});

describe('check: the Markdown report of a big capture', () => {
  it('passes summed per expectation, the first 100 failures listed and the rest counted', async () => {
    const ok = await runCli(['check', '-e', 'handshake=three-way', '-e', 'retransmission<=0', '--markdown', '-', synth]);
    assert.equal(ok.code, 0);
    const rows = ok.stdout.split('\n').filter((l) => l.startsWith('| ✅') || l.startsWith('| ❌'));
    assert.deepEqual(rows.slice(2), [
      '| ✅ | 3000 connections | `handshake=three-way` | holds on 3000 connections | |',
      '| ✅ | 3000 connections | `retransmission<=0` | holds on 3000 connections | |',
    ]);
    assert.match(rows[0]!, /capture read to the end/);
    assert.match(ok.stdout, /3000 connection\(s\); 6002 of 6002 expectation\(s\) hold\./);

    const bad = await runCli(['check', '-e', 'teardown=four-way', '-e', 'handshake=three-way', '--markdown', '-', synth]);
    assert.equal(bad.code, 1);
    const failRows = bad.stdout.split('\n').filter((l) => l.startsWith('| ❌'));
    assert.equal(failRows.length, 100);
    assert.match(failRows[0]!, /^\| ❌ \| #0 `.*` \| `teardown=four-way` \| three-way/);
    assert.match(failRows[99]!, /^\| ❌ \| #99 /);
    assert.match(bad.stdout, /_The other 2900 failures are left out here \(the first 100 are listed\); `--json` and `--junit` list every result\._/);
    assert.match(bad.stdout, /\| ✅ \| 3000 connections \| `handshake=three-way` \| holds on 3000 connections \| \|/);
    assert.equal((bad.stdout.match(/```mermaid/g) ?? []).length, 10);
    assert.ok(bad.stdout.length < 64 * 1024, `${bad.stdout.length} bytes`);
  });

  it("the diagrams of the first failing connections are those of every packet's record, with a long one open throughout", async () => {
    // connection 5 stays open while 1 200 short ones come and go (past 1 024 closed waiting they
    // are finalised as they close); each fails teardown=four-way (their close is three-way). Once
    // MAX_DIAGRAMS have failed (0-4 and 6-10), a connection beyond the largest of their ids is not
    // collected (PacketCollector.idBound), but connection 5, still open, is: its diagram, drawn at
    // the end, has every packet
    const file = join(tmp, 'long-open.pcap');
    const records: PcapRecord[] = [];
    let usec = 0;
    const put = (port: number, fromClient: boolean, flags: number, seq: number, ack: number, len: number): void => {
      usec += 100;
      records.push({ sec: 1700000000 + Math.floor(usec / 1e6), frac: usec % 1e6, data: segment(fromClient, port, flags, seq, ack, len) });
    };
    const close = (port: number, c: number, sv: number): void => {
      put(port, true, TCP_FIN | TCP_ACK, c, sv, 0);
      put(port, false, TCP_FIN | TCP_ACK, sv, c + 1, 0);
      put(port, true, TCP_ACK, c + 1, sv + 1, 0);
    };
    // connection 5: its handshake after five short ones, then a segment and its ACK after every
    // tenth short connection
    let seq0 = 101;
    for (let k = 0; k < 1200; k++) {
      if (k === 5) {
        put(1000, true, TCP_SYN, 100, 0, 0);
        put(1000, false, TCP_SYN | TCP_ACK, 500, 101, 0);
        put(1000, true, TCP_ACK, 101, 501, 0);
      }
      const port = 2000 + k;
      put(port, true, TCP_SYN, 1000, 0, 0);
      put(port, false, TCP_SYN | TCP_ACK, 9000, 1001, 0);
      put(port, true, TCP_ACK, 1001, 9001, 0);
      close(port, 1001, 9001);
      if (k % 10 === 9) {
        put(1000, true, TCP_PSH | TCP_ACK, seq0, 501, 10);
        seq0 += 10;
        put(1000, false, TCP_ACK, 501, seq0, 0);
      }
    }
    close(1000, seq0, 501);
    writeFileSync(file, pcapFile({ byteOrder: 'le', records }));
    const r = await runCli(['check', '-e', 'teardown=four-way', '--markdown', '-', file]);
    assert.equal(r.code, 1);
    const drawn = [...r.stdout.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
    assert.equal(drawn.length, MAX_DIAGRAMS);
    // the same connections' diagrams from every record (a full collector), with the frames their
    // failures name (the teardown's)
    const full = new PacketCollector();
    const expected = new Map<number, string>();
    const tracker = new Tracker({
      onPacket: (c, rr, f, p) => full.onPacket(c, rr, f, p),
      onFinal: (c) => {
        full.onFinal(c);
        const st = c.story;
        const frames = new Set([st.fin1Frame, st.fin1AckFrame, st.fin2Frame, st.fin2AckFrame].filter((x) => x > 0));
        if (c.id < MAX_DIAGRAMS) expected.set(c.id, mermaid(c, full.byConnection.get(c) ?? NO_RECORDS, false, 'en', frames));
        full.recycle(c);
      },
    });
    await runCapture(file, tracker);
    assert.deepEqual(drawn, [...expected.keys()].sort((a, b) => a - b).map((id) => expected.get(id)!));
    // connection 5's diagram: the first 4 and last 2 of its 240 data packets, and its close at the end
    assert.match(drawn[5]!, /%% connection 5: /);
    assert.match(drawn[5]!, /… 234 more data packets …/);
    assert.match(drawn[5]!, /C->>S: 7444: \[FIN, ACK\] seq=1201 ack=1\n/);
  });

  it('an expectation given twice (rules file and command line) holds on each connection once', async () => {
    const rules = join(tmp, 'twice.yaml');
    writeFileSync(rules, 'expect: [handshake=three-way, handshake=three-way]\n');
    // passes counted (text, Markdown), the same with JUnit's cases spooled apart (--junit), and
    // summed as judged with every result kept (--json, whose Markdown report is written beside it)
    const mdFile = join(tmp, 'twice.md');
    for (const extra of [[], ['--junit', join(tmp, 'twice.xml')], ['--json']]) {
      const r = await runCli(['check', '--rules', rules, '-e', 'handshake=three-way', '--markdown', mdFile, ...extra, synth]);
      assert.equal(r.code, 0);
      if (extra[0] === '--json') assert.equal((JSON.parse(r.stdout) as Report).totals.expectations, 9002);
      else {
        assert.match(r.stdout, /✔ handshake=three-way: holds on 3000 connections\n/, extra.join(' '));
        assert.match(r.stdout, /PASSED: all 9002 expectation\(s\) hold/);
      }
      assert.match(readFileSync(mdFile, 'utf8'), /\| ✅ \| 3000 connections \| `handshake=three-way` \| holds on 3000 connections \| \|/, extra.join(' '));
    }
  });
});

describe('check: passes counted instead of kept when no report lists them', () => {
  it('the text and Markdown reports are the same; only failures and a few results are kept', async () => {
    const rules = {
      groups: [
        { name: '', select: {}, expect: ['handshake=three-way', 'irtt<=1ms', 'connections>=1'].map((e) => parseExpectation(e)) },
        { name: '', select: {}, expect: ['handshake=three-way'].map((e) => parseExpectation(e)) },
        { name: 'web', select: { port: '80' }, expect: ['zeek=SF', 'teardown=graceful'].map((e) => parseExpectation(e)) },
      ],
      allowTruncated: false, allowRstAfterFin: false,
    };
    const sel = parseSelection({});
    const chalk = new Chalk({ level: 0 });
    // a SYN, then 300 good connections on the same 4-tuples: the first good SYN repeats the lone
    // one (same ISN), so connection #0 fails the first expectation (a retransmission) and passes
    // the second; the summed passes must keep the order of their first results (#0's, then #1's)
    const a1 = join(tmp, 'syn1.pcap');
    const a2 = join(tmp, 'good300.pcap');
    writeSynFloodPcap(a1, 1);
    writeSyntheticPcap(a2, { connections: 300 });
    const mixed = join(tmp, 'mixed.pcap');
    writeFileSync(mixed, Buffer.concat([readFileSync(a1), readFileSync(a2).subarray(24)]));
    const ordered = {
      groups: [{ name: '', select: {}, expect: ['retransmission<=0', 'handshake=three-way'].map((e) => parseExpectation(e)) }],
      allowTruncated: false, allowRstAfterFin: false,
    };
    // every connection fails one expectation: 3000 failures, of which the first 1000 (by id) are
    // kept (no report lists more), the others counted
    const failing = {
      groups: [{ name: '', select: {}, expect: ['teardown=four-way', 'handshake=three-way'].map((e) => parseExpectation(e)) }],
      allowTruncated: false, allowRstAfterFin: false,
    };
    for (const [file, r] of [[synth, rules], [fx('regress', 'many-connections.pcap.gz'), rules], [fx('tcp-loss'), rules], [mixed, ordered], [synth, failing]] as const) {
      const keep = new CaptureEvaluator(r, sel, null, null, true);
      const count = new CaptureEvaluator(r, sel, null, null, false);
      // told of each connection only at the end, last first: the failures kept are still the
      // first by id (the highest ids, judged first, are dropped when later ones come)
      const countReversed = new CaptureEvaluator(r, sel, null, null, false);
      // and every result kept, the passes summed as judged (CaptureCheck.passes), last first
      const keepReversed = new CaptureEvaluator(r, sel, null, null, true);
      const later: Connection[] = [];
      const tracker = new Tracker({
        onPacket: (c, r, f, p) => { keep.onPacket(c, r, f, p); count.onPacket(c, r, f, p); countReversed.onPacket(c, r, f, p); keepReversed.onPacket(c, r, f, p); },
        onFinal: (c) => { keep.onFinal(c); count.onFinal(c); later.push(c); },
      }, { keepAll: false, lingerSeconds: 60 });
      const summary = await runCapture(file, tracker);
      for (const c of later.reverse()) {
        countReversed.onFinal(c);
        keepReversed.onFinal(c);
      }
      const a = keep.finish(file, summary);
      const b = count.finish(file, summary);
      const d = countReversed.finish(file, summary);
      const e = keepReversed.finish(file, summary);
      assert.deepEqual(plain(d), plain(b), `${file}: judged in reverse order`);
      // every result kept: the passes summed as judged, in either order, are the ones the reports
      // sum from every result read back (passes taken away)
      assert.ok(a.passes !== undefined && a.omittedPasses === undefined);
      assert.deepEqual(e.passes, a.passes, `${file}: passes summed in reverse order`);
      const reread = { ...a, passes: undefined };
      for (const opts of [{ verbose: false, quiet: false }, { verbose: false, quiet: true }]) {
        assert.deepEqual([...textLines([a], chalk, opts)], [...textLines([reread], chalk, opts)], `${file} text, passes summed as judged`);
      }
      assert.equal(markdownReport([a], () => null), markdownReport([reread], () => null), `${file} Markdown, passes summed as judged`);
      if (r === failing) {
        assert.equal(b.failed, 3000);
        assert.equal(b.omittedFailures, 2000);
        const kept = [...b.results].filter((x) => !x.passed);
        assert.equal(kept.length, TEXT_FAILURES);
        assert.deepEqual(kept.map((x) => x.connection), Array.from({ length: TEXT_FAILURES }, (_, i) => i));
        assert.equal(b.failingConnections.length, MAX_DIAGRAMS + 1);
        assert.deepEqual(d.failingConnections, b.failingConnections);
        assert.deepEqual(b.failingConnections, Array.from({ length: MAX_DIAGRAMS + 1 }, (_, i) => i));
      } else {
        assert.equal(b.omittedFailures, undefined);
      }
      for (const opts of [{ verbose: false, quiet: false }, { verbose: false, quiet: true }]) {
        assert.deepEqual([...textLines([b], chalk, opts)], [...textLines([a], chalk, opts)], `${file} text`);
      }
      assert.equal(markdownReport([b], () => null), markdownReport([a], () => null), `${file} Markdown`);
      if (file === mixed) assert.deepEqual(b.passes?.map((p) => [p.example.expectation, p.n]).slice(2), [['handshake=three-way', 300], ['retransmission<=0', 299]]);
      const fails = a.failed;
      const perConnection = [...a.results].filter((x) => x.connection !== null).length;
      if (perConnection > PASSES_KEPT) {
        assert.ok(b.passes !== undefined, `${file}: passes counted`);
        assert.ok(b.results.length <= fails + PASSES_KEPT + 10, `${file}: ${b.results.length} results kept, ${fails} failures`);
        assert.equal(b.results.length + b.omittedPasses! + (b.omittedFailures ?? 0), a.results.length);
      } else {
        assert.equal(b.passes, undefined);
        const { passes: _passes, ...kept } = plain(a);
        assert.deepEqual(plain(b), kept);
      }
    }
  });
});

describe('check: the text report of many failures', () => {
  it('lists the first 1000 failures and counts the rest; --verbose lists them all', async () => {
    const r = await runCli(['check', '-e', 'teardown=four-way', synth]);
    assert.equal(r.code, 1);
    assert.equal((r.stdout.match(/^ {2}✘ #\d+ /gm) ?? []).length, 1000);
    assert.match(r.stdout, /^ {2}✘ #999 /m);
    assert.match(r.stdout, /\n {2}✘ … 2000 more failure\(s\) not listed \(--verbose lists them all; --json and --junit give every result\)\n/);
    assert.match(r.stdout, /FAILED: 3000 of 3002 expectation\(s\) failed/);
    for (const flag of ['--verbose']) {
      const all = await runCli(['check', flag, '-e', 'teardown=four-way', synth]);
      assert.equal((all.stdout.match(/^ {2}✘ #\d+ /gm) ?? []).length, 3000);
      assert.doesNotMatch(all.stdout, /more failure/);
    }
    const quiet = await runCli(['check', '-q', '-e', 'teardown=four-way', synth]);
    assert.equal((quiet.stdout.match(/^ {2}✘ #\d+ /gm) ?? []).length, 1000);
  });

  it('a frame that is two steps of a close (a three-segment close\'s FIN-ACK) is named once', async () => {
    const { report } = await check(['-e', 'teardown=four-way', fx('tcp-three-way-close')]);
    const r = result(report, 'teardown=four-way');
    assert.deepEqual(r.frames, [...new Set(r.frames)]);
    assert.equal(r.frames.length, 3);
    assert.match(r.detail, /^three-way \(first FIN from the client\): frames (\d+), (\d+), (\d+)$/);
  });
});

describe('check: a JUnit report too big for GitLab', () => {
  it('is written whole, with a warning (the exit code is the check\'s)', async () => {
    const junit = join(tmp, 'big.xml');
    // 3000 connections x 100 expectations: 300 000 test cases, over 30 MB
    const many = Array.from({ length: 100 }, () => ['-e', 'handshake=three-way']).flat();
    const r = await runCli(['check', '-q', ...many, '--junit', junit, synth]);
    assert.equal(r.code, 0);
    const size = readFileSync(junit).length;
    assert.ok(size > 30e6, `${size} bytes`);
    assert.match(r.stderr, new RegExp(`warning: --junit .*big\\.xml: ${Math.round(size / 1e6)} MB .*GitLab rejects JUnit reports over 30 MB`));
    const small = await runCli(['check', '-q', '-e', 'handshake=three-way', '--junit', junit, synth]);
    assert.equal(small.stderr, '');
  });
});

describe('check: every result listed, read back from a spool', () => {
  it('results spilled to disk come back as when held in memory, each time they are read; test-case names unique', async () => {
    // groups sharing a name and repeated expectations: names numbered per connection
    const rules = rulesOf([
      ['', {}, ['handshake=three-way', 'retransmission<=0', 'handshake=three-way', 'connections>=1']],
      ['web', { port: '80' }, ['zeek=SF', 'zeek=SF', 'teardown=graceful']],
      ['', {}, ['handshake=three-way']],
      ['web', {}, ['zeek=SF', 'connections>=1']],
    ]);
    const sel = parseSelection({});
    for (const file of [synth, fx('regress', 'many-connections.pcap.gz'), fx('tcp-port-reuse')]) {
      const mem = new CaptureEvaluator(rules, sel, null, null, true);
      const disk = new CaptureEvaluator(rules, sel, null, null, true, 512);
      const tracker = new Tracker({
        onPacket: (c, r, f, p) => { mem.onPacket(c, r, f, p); disk.onPacket(c, r, f, p); },
        onFinal: (c) => { mem.onFinal(c); disk.onFinal(c); },
      }, { keepAll: false, lingerSeconds: 60 });
      const summary = await runCapture(file, tracker);
      const a = mem.finish(file, summary);
      const b = disk.finish(file, summary);
      if (file === synth) assert.equal((b.results as SpooledResults).spilled, true, 'the small budget sends results to disk');
      const all = [...b.results];
      assert.deepEqual(plain(b), plain(a), file);
      assert.deepEqual([...b.results], all, `${file}: read again`);
      assert.equal(all.length, b.results.length);
      assert.equal(b.failed, all.filter((r) => !r.passed).length);
      // the names one map of every name would give, and unique
      const seen = new Map<string, number>();
      const want = all.map((r) => {
        const base = `${r.group ? `[${r.group}] ` : ''}${r.connection === null ? 'capture' : `#${r.connection} ${r.endpoints}`}: ${r.expectation}`;
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        return n === 1 ? base : `${base} (${n})`;
      });
      const names = Array.from(caseNames(b.results), (x) => x.name);
      assert.deepEqual(names, want, file);
      assert.equal(new Set(names).size, names.length);
      if (file === synth) assert.ok(names.some((n) => n.endsWith(': handshake=three-way (3)')) && names.some((n) => n.includes('[web] #') && n.endsWith('zeek=SF (3)')));
      mem.close();
      disk.close();
      assert.equal((b.results as SpooledResults).spilled, false, 'closed: the temporary file is removed');
    }
  });
});

describe('check: results written as bytes in the JSON report', () => {
  it('each result is the generic layout of its record, on every fixture', async () => {
    const { readdirSync } = await import('node:fs');
    const { checkResults } = await import('./helpers/check-report.js');
    let n = 0;
    for (const d of readdirSync(join(REPO_ROOT, 'fixtures'), { withFileTypes: true })) {
      if (!d.isDirectory()) continue;
      for (const f of readdirSync(join(REPO_ROOT, 'fixtures', d.name))) if (/\.(pcap|pcapng)(\.gz)?$/.test(f)) n += await checkResults(join(REPO_ROOT, 'fixtures', d.name, f));
    }
    assert.ok(n > 1000, `${n} results`);
  });
});

describe('check: a result\'s text kept for the next connection\'s (ResultWriter.middle)', () => {
  it('runs of results of one expectation: each one\'s bytes those of its own fields, whatever the one before', () => {
    // the text from the expectation to the detail is copied from the one before when its
    // passed flag, actual value and detail are the same: runs where each of the three changes
    // alone (an actual value of another type or number, the same detail), against fields()
    const passes = [true, false];
    const values: (string | number | null)[] = [null, 0, 1, 0.5, 'ok', 'x "y"', -1];
    const texts = ['the same detail', 'another, "quoted" — 三次握手'];
    const rw = new ResultWriter(RESULT_INDENT);
    const k = rw.constants('web', 'irtt<=1', 'irtt');
    const ends = new ByteWriter(16);
    ends.str('198.18.0.1:10000 → 198.19.0.1:80');
    const none = new ByteWriter(16);
    let seed = 7;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    let passed = true;
    let v: string | number | null = null;
    let text = texts[0]!;
    for (let i = 0; i < 2000; i++) {
      // one thing changed at a time, or nothing
      const what = next(4);
      if (what === 0) passed = passes[next(2)]!;
      else if (what === 1) v = values[next(values.length)]!;
      else if (what === 2) text = texts[next(texts.length)]!;
      const frames = next(3) === 0 ? [i + 1] : [];
      const got = new ByteWriter(16);
      got.refs = next(5) === 0;
      rw.fieldsWith(got, k, i, ends, passed, v, none, text, frames);
      const want = new ByteWriter(16);
      rw.fields(want, 'web', i, '198.18.0.1:10000 → 198.19.0.1:80', 'irtt<=1', 'irtt', passed, v, text, frames);
      // (a writer whose chunks go as references, a spool's far into its file: put back)
      const plain = new ByteWriter(16);
      if (got.refs) plain.expandRefs(got.buf, 0, got.pos);
      else plain.bytes(got.buf, 0, got.pos);
      assert.equal(plain.buf.toString('utf8', 0, plain.pos), want.buf.toString('utf8', 0, want.pos), `result ${i}: ${JSON.stringify([passed, v, text])}`);
    }
  });
});

describe('check: results spooled as the JSON report\'s bytes (--json alone)', () => {
  it('the report is the one of results held as objects, from memory or disk; read back as objects too', async () => {
    // groups sharing a name, a name that needs escaping, repeated expectations, capture-level ones
    const rules = rulesOf([
      ['', {}, ['handshake=three-way', 'retransmission<=0', 'handshake=three-way', 'connections>=1', 'teardown=graceful', 'irtt<=1']],
      ['web "x" 三次', { port: '80' }, ['zeek=SF', 'teardown=graceful', 'irtt<=1']],
      ['', {}, ['client-state=TIME_WAIT']],
    ]);
    const sel = parseSelection({});
    const tool = { name: 'tcpflow-explain', version: '0.0.0' };
    const report = (checks: CaptureCheck[]): string => {
      const w = new ByteWriter(16);
      for (const _ of writeJsonReport(w, checks, tool, 1));
      return w.buf.toString('utf8', 0, w.pos);
    };
    // (and the details written as bytes, Judge.detailJson: a half-close that is not graceful, a
    // RST after FIN, an unanswered SYN, IPv6 endpoints, continuations)
    const more = ['tcp-half-close', 'tcp-rst-after-fin', 'tcp-syn-unanswered', 'tcp-ipv6', 'tcp-continuation'].map((d) => fx(d));
    for (const file of [synth, fx('regress', 'many-connections.pcap.gz'), fx('tcp-port-reuse'), fx('tcp-loss'), ...more]) {
      const objects = new CaptureEvaluator(rules, sel, null, null, true);
      const bytes = [1 << 20, 512].map((budget) => new CaptureEvaluator(rules, sel, null, null, true, budget, true));
      const all = [objects, ...bytes];
      const [a, ...bs] = await judgedBy(file, all);
      const want = report([a!]);
      // the passes summed as judged are the ones the text and Markdown reports sum from every
      // result read back (passes taken away), with the results as objects; as bytes (in memory
      // and on disk) the same (read back as objects, those results have no nth: the reports
      // would count a connection's repeat of an expectation again, but no report reads them so)
      const chalk = new Chalk({ level: 0 });
      const reread = { ...a!, passes: undefined };
      assert.deepEqual([...textLines([a!], chalk, { verbose: false, quiet: false })], [...textLines([reread], chalk, { verbose: false, quiet: false })], `${file}: text`);
      assert.equal(markdownReport([a!], () => null), markdownReport([reread], () => null), `${file}: Markdown`);
      for (const [k, b] of bs.entries()) {
        assert.deepEqual(b.passes, a!.passes, `${file}, budget ${k}: the same passes`);
        // the Markdown report (--json with --markdown or a step summary) reads its failures back
        // from the bytes as objects
        assert.equal(markdownReport([b], () => null), markdownReport([a!], () => null), `${file}, budget ${k}: Markdown`);
      }
      for (const [k, b] of bs.entries()) {
        assert.equal((b.results as SpooledResults).asBytes, true);
        if (file === synth && k === 1) assert.equal((b.results as SpooledResults).spilled, true, 'the small budget sends results to disk');
        assert.equal(report([b]), want, `${file}, budget ${k}`);
        // read back as objects (the JSON report alone uses this mode; another reader still may)
        const strip = (r: CheckResult): CheckResult => ({ ...r, nth: undefined });
        assert.deepEqual([...b.results].map(strip), [...a!.results].map(strip), `${file}, budget ${k}: as objects`);
        assert.equal(b.failed, a!.failed);
      }
      // two captures in one report: the bytes go where each one's results are
      assert.equal(report([bs[1]!, bs[0]!]), report([a!, a!]));
      for (const e of all) e.close();
    }
  });
});

describe('check: the JSON report written in pieces', () => {
  it('the pieces make exactly the document built whole', async () => {
    const rules = {
      groups: [
        { name: '', select: {}, expect: ['handshake=three-way', 'retransmission<=0', 'connections>=1'].map((e) => parseExpectation(e)) },
        { name: 'web "x" <y>', select: { port: '80' }, expect: ['zeek=SF'].map((e) => parseExpectation(e)) },
      ],
      allowTruncated: false, allowRstAfterFin: false,
    };
    const checks: CaptureCheck[] = [];
    for (const file of [fx('tcp-loss'), fx('tcp-port-reuse'), fx('regress', 'many-connections.pcap.gz'), fx('tcp-loss')]) {
      const ev = new CaptureEvaluator(rules, parseSelection({}));
      checks.push(ev.finish(file, await runCapture(file, new Tracker(ev, { keepAll: false, lingerSeconds: 60 }))));
    }
    checks.push({ file: 'empty', truncated: false, error: null, connections: 0, evictedConnections: 0, splitConnections: 0, warnings: ['a warning'], results: [], failed: 0, failingConnections: [] });
    const tool = { name: 'tcpflow-explain', version: '0.0.0' };
    for (const set of [checks, checks.slice(0, 1), checks.slice(4)]) {
      for (const code of [0, 1]) {
        const w = new ByteWriter(16);
        let pieces = 0;
        for (const _ of writeJsonReport(w, set, tool, code)) pieces++;
        assert.equal(w.buf.toString('utf8', 0, w.pos), stringifyDocument(jsonReport(set, tool, code)) + '\n');
        assert.ok(pieces >= set.reduce((n, c) => n + c.results.length, 0), `${pieces} pieces`);
      }
    }
  });
});

describe('check: a report is the same whichever other reports are asked for', () => {
  it('Markdown with or without --json and --junit, the text report with or without --junit (continuations too)', async () => {
    const e = ['-e', 'handshake=three-way', '-e', 'teardown=graceful', '-e', 'retransmission<=0', '-e', 'irtt<=1', '-e', 'zeek=SF'];
    for (const f of [fx('tcp-continuation'), fx('tcp-port-reuse'), fx('tcp-half-close'), fx('regress', 'many-connections.pcap.gz')]) {
      // (the results kept as objects, counted, spooled as rows or as the JSON report's bytes)
      const md = async (extra: string[]): Promise<string> => {
        const p = join(tmp, 'same.md');
        const r = await runCli(['check', ...e, '--markdown', p, ...extra, f]);
        assert.doesNotMatch(r.stderr, STACK_LINE);
        return readFileSync(p, 'utf8');
      };
      const alone = await md([]);
      assert.equal(await md(['--json']), alone, `${f}: Markdown with --json`);
      assert.equal(await md(['--junit', join(tmp, 'same.xml')]), alone, `${f}: Markdown with --junit`);
      const text = (await runCli(['check', ...e, f])).stdout;
      assert.match(text, /expectation\(s\) hold/);
      assert.equal((await runCli(['check', ...e, '--junit', join(tmp, 'same.xml'), f])).stdout, text, `${f}: text with --junit`);
    }
  });
});

describe('check: JUnit test cases written as bytes as they are judged (CaptureCheck.junit)', () => {
  const text = (w: ByteWriter): string => w.buf.toString('utf8', 0, w.pos);

  it('a case\'s bytes are the lines of its result, whatever its group, expectation, values, frames and number', () => {
    const groups = [{ name: '', perConn: [{ text: 'irtt<=1' }, { text: 'handshake=three-way' }] }, { name: 'a&b <"c\'>', perConn: [{ text: 'zeek=SF' }] }];
    const file = '/x/my capture&<1>.pcap';
    const jw = new JunitCaseWriter(file, groups);
    const open = caseOpen(file);
    const endpoints = ['198.18.0.1:10000 → 198.19.0.1:80', '[2001:db8::1]:443 → [2001:db8::2]:5000 (continued from frame 12: packets after the connection was finalised)'];
    const actuals: (string | number | null)[] = [null, 0, 0.000049, 12, -3, 'three-way', 'a<b & "c"'];
    const details = ['the same detail', 'found <none> & "more" — 三次握手\nnext line', 'control \u0001\u0008\u000b\u001f and \ufffe\uffff dropped, tab\tkept'];
    const frames = [[], [1], [3, 17, 400]];
    let n = 0;
    for (const { gi, i, endpointsText, ends, passed } of perConnectionCases(groups, endpoints)) {
      for (const actual of actuals) {
        for (const detail of details) {
          for (const fr of frames) {
            for (const nth of [1, 2, 11]) {
              const r: CheckResult = { group: groups[gi]!.name, connection: 7 + n, endpoints: endpointsText, expectation: groups[gi]!.perConn[i]!.text, key: 'k', passed, actual, detail, frames: fr, nth };
              const w = new ByteWriter(8);
              // (a few bytes before: the case is written where the writer is)
              w.text('..');
              jw.write(w, gi, i, r.connection as number, ends, passed, actual, detail, fr, nth);
              assert.equal(text(w), '..' + caseLines(open, r, caseName(r, new Map())), JSON.stringify(r));
              n++;
            }
          }
        }
      }
    }
    assert.equal(n, 3 * 2 * 2 * 7 * 3 * 3 * 3);
  });

  it('the report from the spooled cases is the one of every result held as objects, counted or listed, in memory or spilled', async () => {

    // groups sharing a name, a name to escape, repeated expectations (numbered names), failures
    const rules = rulesOf([
      ['', {}, ['handshake=three-way', 'retransmission<=0', 'handshake=three-way', 'connections>=1', 'irtt<=1ms']],
      ['web & <"co\'>', { port: '80' }, ['zeek=SF', 'zeek=SF', 'teardown=graceful']],
      ['', {}, ['handshake=three-way', 'connections<=1']],
      ['web & <"co\'>', {}, ['zeek=SF', 'connections>=1']],
    ]);
    const sel = parseSelection({});
    const files = [synth, fx('regress', 'many-connections.pcap.gz'), fx('tcp-port-reuse'), fx('tcp-continuation'), fx('lab-http-upload-loss'), fx('tcp-syn-unanswered')];
    const report = (c: CaptureCheck, dropJunit: boolean): string => {
      const w = new ByteWriter(64);
      const checks = [dropJunit ? { ...c, junit: undefined } : c, dropJunit ? { ...c, junit: undefined } : c];
      for (const _ of writeJunitReport(w, checks)) { /* written into w */ }
      return text(w);
    };
    let spilled = 0;
    for (const file of files) {
      // the reference: every result held (rows, as --verbose keeps them), each case made from its result
      const rows = new CaptureEvaluator(rules, sel, null, null, true);
      const counted = new CaptureEvaluator(rules, sel, null, null, false, undefined, false, file);
      const asJson = new CaptureEvaluator(rules, sel, null, null, true, 512, true, file);
      // the cases with references: from the first, and from a few kilobytes of file on (spilled)
      const refs = new CaptureEvaluator(rules, sel, null, null, false, undefined, false, file, null, 0);
      const refsLater = new CaptureEvaluator(rules, sel, null, null, false, 4096, false, file, null, 8192);
      const all = [rows, counted, asJson, refs, refsLater];
      const [a, b, c, d, e] = await judgedBy(file, all);
      assert.equal(a!.junit, undefined);
      const want = report(a!, true);
      assert.match(want, /<testcase /);
      assert.equal(report(b!, false), want, `${file}: cases spooled, passes counted`);
      assert.equal(report(c!, false), want, `${file}: cases spooled, every result as JSON bytes`);
      // read again, as a second report would
      assert.equal(report(c!, false), want, `${file}: read again`);
      assert.equal(report(d!, false), want, `${file}: cases with references`);
      assert.equal(report(e!, false), want, `${file}: cases with references from 8 KB of file on`);
      if (file === synth) {
        assert.ok(b!.omittedPasses! > 0, 'passes were counted, not kept');
        assert.match(want, /<failure /);
        assert.match(want, /name="\[web &amp; &lt;&quot;co&apos;&gt;\] #\d+ [^"]*: zeek=SF \(3\)"/);
      }
      if ((c!.results as SpooledResults).spilled) spilled++;
      for (const e of all) e.close();
    }
    assert.ok(spilled > 0, 'a small budget sent results to disk');
  });
});

describe('check --verbose: the text report\'s lines written as bytes as they are judged (CaptureCheck.text)', () => {
  it('a result\'s bytes are its lines in the text report, whatever its group, expectation, endpoints, detail and colours', () => {
    const groups = [{ name: '', perConn: [{ text: 'irtt<=1' }, { text: 'handshake=three-way' }] }, { name: 'web & <x>', perConn: [{ text: 'zeek=SF' }] }];
    const endpoints = ['198.18.0.1:10000 → 198.19.0.1:80', '[2001:db8::1]:443 → [2001:db8::2]:5000 (continued from frame 12: packets after the connection was finalised)'];
    const details = ['three-way: frames 1, 2, 3', 'found <none> & "more" — 三次握手', '', 'iRTT 0.032 ms — 三次握手 (SYN to final ACK: frames 1, 2, 3)', 'a \\ b'];
    let n = 0;
    for (const level of [0, 3] as const) {
      const chalk = new Chalk({ level });
      const tw = new TextLineWriter(textMarks(chalk), groups);
      for (const { gi, i, endpointsText, ends, passed } of perConnectionCases(groups, endpoints)) {
        for (const detail of details) {
          const r: CheckResult = { group: groups[gi]!.name, connection: 7 + n, endpoints: endpointsText, expectation: groups[gi]!.perConn[i]!.text, key: 'k', passed, actual: 1, detail, frames: [], nth: 1 };
          const w = new ByteWriter(8);
          w.text('..');
          tw.write(w, gi, i, r.connection as number, ends, passed, detail);
          // the report of a capture of this one result: its header, the result's lines, the end
          const c: CaptureCheck = { file: 'x', truncated: false, error: null, connections: 1, evictedConnections: 0, splitConnections: 0, warnings: [], results: [r], failed: passed ? 0 : 1, failingConnections: [] };
          const lines = textLines([c], chalk, { verbose: true, quiet: false });
          const want = lines.slice(1, passed ? 2 : 3).map((l) => `${l}\n`).join('');
          assert.equal(w.buf.toString('utf8', 0, w.pos), `..${want}`, JSON.stringify({ level, r }));
          // the detail given as its JSON string (Judge.detailJson's) when it holds no escape
          const json = new ByteWriter(8);
          json.text(JSON.stringify(detail));
          assert.equal(detailBytes(json), !/["\\\n]/.test(detail), detail);
          if (detailBytes(json)) {
            const wj = new ByteWriter(8);
            tw.write(wj, gi, i, r.connection as number, ends, passed, 'not this', json);
            assert.equal(wj.buf.toString('utf8', 0, wj.pos), want, `${detail} as JSON`);
          }
          n++;
        }
      }
    }
    assert.equal(n, 2 * 3 * 2 * 2 * 5);
  });

  it('the report from the spooled lines is the one of every result held as objects, in memory or spilled, quiet or not', async () => {

    const rules = rulesOf([
      ['', {}, ['handshake=three-way', 'retransmission<=0', 'handshake=three-way', 'connections>=1', 'irtt<=1ms']],
      ['web', { port: '80' }, ['zeek=SF', 'zeek=SF', 'teardown=graceful']],
      ['', {}, ['handshake=three-way', 'connections<=1', 'teardown=four-way']],
      ['web', {}, ['zeek=SF', 'connections>=1']],
      // a name holding the byte that stands for a reference in a record written with them
      ['ref\u0001name', {}, ['teardown=four-way', 'zeek=SF']],
    ]);
    const sel = parseSelection({});
    const files = [synth, fx('regress', 'many-connections.pcap.gz'), fx('tcp-port-reuse'), fx('tcp-continuation'), fx('lab-http-upload-loss'), fx('tcp-syn-unanswered')];
    const report = (checks: CaptureCheck[], chalk: InstanceType<typeof Chalk>, opts: { verbose: boolean; quiet: boolean }): string => {
      const w = new ByteWriter(64);
      for (const _ of writeTextReport(w, checks, chalk, opts)) { /* written into w */ }
      return w.buf.toString('utf8', 0, w.pos);
    };
    let spilled = 0;
    let failing = 0;
    for (const level of [0, 3] as const) {
      const chalk = new Chalk({ level });
      const marks = textMarks(chalk);
      for (const file of files) {
        // the reference: every result held (rows), each line made from its result
        const rows = new CaptureEvaluator(rules, sel, null, null, true);
        const lines = new CaptureEvaluator(rules, sel, null, null, false, undefined, false, null, { marks, passes: true });
        const spill = new CaptureEvaluator(rules, sel, null, null, false, 512, false, file, { marks, passes: true });
        const quiet = new CaptureEvaluator(rules, sel, null, null, false, undefined, false, null, { marks, passes: false });
        // the lines with references: from the first, and from a few kilobytes of file on (spilled)
        const refs = new CaptureEvaluator(rules, sel, null, null, false, undefined, false, null, { marks, passes: true }, 0);
        const refsLater = new CaptureEvaluator(rules, sel, null, null, false, 4096, false, null, { marks, passes: true }, 8192);
        const all = [rows, lines, spill, quiet, refs, refsLater];
        const [a, b, c, d, e, f] = await judgedBy(file, all);
        assert.equal(a!.text, undefined);
        const verbose = { verbose: true, quiet: false };
        const want = report([a!, a!], chalk, verbose);
        assert.equal(report([b!, b!], chalk, verbose), want, `${file}: lines spooled, passes counted`);
        assert.equal(report([c!, c!], chalk, verbose), want, `${file}: lines spilled`);
        // read again, as a second report would
        assert.equal(report([c!, c!], chalk, verbose), want, `${file}: read again`);
        assert.equal(report([e!, e!], chalk, verbose), want, `${file}: lines with references`);
        assert.equal(report([f!, f!], chalk, verbose), want, `${file}: lines with references from 8 KB of file on`);
        // as a -j worker hands them over: written to a file (references put back) and read from it
        for (const [x, name] of [[e!, 'refs'], [f!, 'refs-later']] as const) {
          const through = (s: SpooledSections, kind: string): SpooledSections => {
            const path = join(tmp, `text-${name}-${kind}`);
            const fd = openSync(path, 'w');
            s.writeTo(fd);
            closeSync(fd);
            return SpooledSections.fromFile(path);
          };
          const back = { ...x, text: { failures: through(x.text!.failures, 'failures'), passes: through(x.text!.passes, 'passes') } };
          assert.equal(report([back, back], chalk, verbose), want, `${file}: lines with references (${name}) through a file`);
        }
        const q = { verbose: true, quiet: true };
        assert.equal(report([d!, d!], chalk, q), report([a!, a!], chalk, q), `${file}: --quiet, failures only`);
        // (and nothing spooled of the passes --quiet leaves out)
        const passLines = new ByteWriter(64);
        for (const gi of d!.text!.passes.plan) if (typeof gi === 'number') for (const _ of d!.text!.passes.write(passLines, gi)) { /* into passLines */ }
        assert.equal(passLines.pos, 0, `${file}: --quiet spools no pass`);
        // without --verbose the lines are not the report's
        const plainOpts = { verbose: false, quiet: false };
        assert.equal(report([b!], chalk, plainOpts), report([a!], chalk, plainOpts), `${file}: not verbose`);
        if (a!.failed > TEXT_FAILURES) failing++;
        if (file === synth) {
          assert.ok(b!.omittedPasses! > 0, 'passes were counted, not kept');
          assert.match(want, /\[web\] #\d+ [^\n]*  zeek=SF: /);
        }
        if (c!.text!.failures.spilled && c!.text!.passes.spilled) spilled++;
        for (const e of all) e.close();
      }
    }
    assert.ok(failing > 0, 'a capture with more failures than the text report lists without --verbose');
    assert.ok(spilled > 0, 'a small budget sent lines to disk');
  });
});

describe('check: what a report reads back, for its progress line', () => {
  it('the passes counted over each spool are the ones the JSON, JUnit and verbose text reports make, every byte: in memory, on disk, with references, through a file', async () => {
    const rules = rulesOf([
      ['', {}, ['handshake=three-way', 'retransmission<=0', 'connections>=1', 'irtt<=1']],
      ['web', { port: '80' }, ['zeek=SF', 'teardown=graceful']],
      ['', {}, ['client-state=TIME_WAIT']],
    ]);
    const sel = parseSelection({});
    const chalk = new Chalk({ level: 0 });
    const text = { marks: textMarks(chalk), passes: true };
    const tool = { name: 'tcpflow-explain', version: '0.0.0' };
    // each source's onRead summed while `write` runs, against what the reads say it reads
    const counted = (reads: SourceReads[], write: () => void): [number, number] => {
      let told = 0;
      let want = 0;
      for (const r of reads) {
        want += r.passes * r.source.size;
        r.source.onRead = (n) => (told += n);
      }
      write();
      for (const r of reads) r.source.onRead = null;
      return [told, want];
    };
    const json = (checks: CaptureCheck[]): [number, number] => counted(checks.map((c) => (c.results as SpooledResults).reads), () => {
      for (const _ of writeJsonReport(new ByteWriter(64), checks, tool, 1)) { /* into the writer */ }
    });
    const junit = (checks: CaptureCheck[]): [number, number] => counted(checks.map((c) => c.junit!.reads), () => {
      for (const _ of writeJunitReport(new ByteWriter(64), checks)) { /* into the writer */ }
    });
    const lines = (checks: CaptureCheck[]): [number, number] => counted(checks.flatMap((c) => [c.text!.failures.reads, c.text!.passes.reads]), () => {
      for (const _ of writeTextReport(new ByteWriter(64), checks, chalk, { verbose: true, quiet: false })) { /* into the writer */ }
    });
    // a -j worker's spools, as the main thread reads them: from a file
    let n = 0;
    const through = <T extends { writeTo(fd: number): void }>(s: T, back: (path: string) => T): T => {
      const path = join(tmp, `reads-${n++}`);
      const fd = openSync(path, 'w');
      s.writeTo(fd);
      closeSync(fd);
      return back(path);
    };
    let spilled = 0;
    for (const file of [synth, fx('regress', 'many-connections.pcap.gz'), fx('tcp-port-reuse')]) {
      const budgets = [1 << 20, 512];
      const asBytes = budgets.map((b) => new CaptureEvaluator(rules, sel, null, null, true, b, true));
      const cases = budgets.map((b) => new CaptureEvaluator(rules, sel, null, null, false, b, false, file, text));
      const refs = new CaptureEvaluator(rules, sel, null, null, false, 4096, false, file, text, 8192);
      const all = [...asBytes, ...cases, refs];
      const checks = await judgedBy(file, all);
      const [a, b, c, d, e] = checks as [CaptureCheck, CaptureCheck, CaptureCheck, CaptureCheck, CaptureCheck];
      for (const x of [a, b, [a, b]]) {
        const [told, want] = json(([] as CaptureCheck[]).concat(x));
        assert.equal(told, want, `${file}: the JSON report`);
        assert.ok(want > 0);
      }
      for (const x of [c, d, e, [c, d, e]]) {
        const set = ([] as CaptureCheck[]).concat(x);
        assert.deepEqual(...junit(set), `${file}: the JUnit report`);
        assert.deepEqual(...lines(set), `${file}: the verbose text report`);
      }
      // a pass over each spool a rule group with results (the web group's port 80 may have none)
      const passes = (a.results as SpooledResults).reads.passes;
      assert.ok(passes >= 2, `${file}: ${passes} passes`);
      assert.deepEqual([c.junit!.reads.passes, c.text!.failures.reads.passes, c.text!.passes.reads.passes], [passes, passes, passes]);
      const backJson = { ...b, results: through(b.results as SpooledResults, (p) => SpooledResults.fromFile(p, b.results.length, resultGroups(rules), true)) };
      assert.deepEqual(...json([backJson, a]), `${file}: the JSON report through a file`);
      const backCases = { ...e, junit: through(e.junit!, (p) => SpooledSections.fromFile(p)), text: { failures: through(e.text!.failures, (p) => SpooledSections.fromFile(p)), passes: through(e.text!.passes, (p) => SpooledSections.fromFile(p)) } };
      assert.deepEqual(...junit([backCases, c]), `${file}: the JUnit report through a file`);
      assert.deepEqual(...lines([backCases, c]), `${file}: the verbose text report through a file`);
      if ((b.results as SpooledResults).spilled && d.junit!.spilled && d.text!.passes.spilled) spilled++;
      for (const ev of all) ev.close();
    }
    assert.ok(spilled > 0, 'a small budget sent the spools to disk');
  });
});
