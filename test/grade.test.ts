/**
 * `grade`: answers files, scoring with tolerances, the named mistakes, exit codes, --json, the
 * template, and --batch CSV. The capture is a synthetic upload (test/helpers/labcap.ts) and the
 * right answers come from the plan that built it, not from the tool.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { runCli } from './helpers/cli.js';
import { CORPUS_DIR, REPO_ROOT } from './helpers/corpus.js';
import { writeUpload, EPOCH, type UploadPlan } from './helpers/labcap.js';
import { parseAnswers, AnswersError, parseThroughput } from '../src/lab/answers.js';
import { QUESTIONS } from '../src/lab/questions.js';
import { tempDir } from './helpers/tmp.js';

const tmp = tempDir('tcpflow-grade-');
const CAP = join(tmp, 'upload.pcap');
const CLIENT_ISN = 123456789;
const SERVER_ISN = 987654321;
const plan = writeUpload(CAP, { clientIsn: CLIENT_ISN, serverIsn: SERVER_ISN, segments: 12, mss: 1000, lastLen: 300, ackEvery: 1, rttStep: 0.01, wscale: [6, 7], closer: 'client' });

interface Report {
  score: number; total: number; percentage: number; pass: boolean | null; knownTrace: { name: string } | null;
  questions: { key: string; points: number; max: number; status: string; mistake: string; feedback: string; line: number | null }[];
}

/** The right answers, from the plan. */
function rightAnswers(p: UploadPlan, n = 6): Record<string, unknown> {
  const d = p.data.slice(0, n);
  const samples = d.map((x) => x.ackTime - x.time);
  let e = 0;
  const est = samples.map((s, i) => (e = i === 0 ? s : 0.875 * e + 0.125 * s));
  const total = p.data.reduce((s, x) => s + x.len, 0);
  const last = p.acks[p.acks.length - 1];
  const covered = p.acks.filter((a) => p.data.filter((x) => x.ackFrame === a.frame).length >= 2).map((a) => a.frame);
  return {
    client_ip: p.spec.client[0], client_port: p.spec.client[1], server_ip: p.spec.server[0], server_port: p.spec.server[1],
    syn_seq: CLIENT_ISN, sack_permitted: true, synack_seq: SERVER_ISN, synack_ack: CLIENT_ISN + 1,
    post_seq: CLIENT_ISN + 1, post_len: p.data[0].len,
    segment_seqs: d.map((x) => x.relSeq), segment_sent: d.map((x) => x.time), segment_acked: d.map((x) => x.ackTime),
    sample_rtt: samples, estimated_rtt: est, segment_lengths: d.map((x) => x.len),
    min_window: Math.min(65160, ...p.acks.map((a) => a.rawWindow * 128)), sender_throttled: false, retransmissions: 0,
    typical_acked_bytes: p.spec.ackEvery * p.spec.mss, cumulative_ack_frames: covered,
    throughput: total / (last.time - p.data[0].time),
    handshake_frames: [p.frames.syn, p.frames.synAck, p.frames.ack], active_closer: 'client', time_wait: 'client',
  };
}

function answersFile(name: string, a: Record<string, unknown>, json = false): string {
  const f = join(tmp, name);
  writeFileSync(f, json ? JSON.stringify(a, null, 2) : stringify(a));
  return f;
}

async function gradeJson(answers: Record<string, unknown>, extra: string[] = [], cap = CAP): Promise<Report> {
  const f = answersFile(`a-${Math.random().toString(36).slice(2)}.yaml`, answers);
  const r = await runCli(['grade', '--json', ...extra, cap, '--answers', f]);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  return JSON.parse(r.stdout) as Report;
}

function q(r: Report, key: string): Report['questions'][number] {
  const x = r.questions.find((y) => y.key === key);
  assert.ok(x, key);
  return x;
}

describe('grade: scoring', () => {
  it('the right answers score 100 %, exit 0 with --pass 100', async () => {
    const f = answersFile('right.yaml', rightAnswers(plan));
    const r = await runCli(['grade', '--pass', '100', CAP, '--answers', f]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Score: 25 \/ 25 \(100 %\)\s+PASS \(pass mark 100 %\)/);
    const j = await gradeJson(rightAnswers(plan));
    assert.equal(j.total, QUESTIONS.length);
    assert.deepEqual(j.questions.filter((x) => x.status !== 'correct').map((x) => `${x.key}: ${x.feedback}`), []);
  });

  it('a JSON answers file works the same', async () => {
    const f = answersFile('right.json', rightAnswers(plan), true);
    const r = await runCli(['grade', '--json', CAP, '--answers', f]);
    assert.equal((JSON.parse(r.stdout) as Report).percentage, 100);
  });

  it('tolerated variants: rounded times, raw for relative, units, one EstimatedRTT, words for booleans and roles', async () => {
    const a = rightAnswers(plan);
    const ms = (xs: unknown): number[] => (xs as number[]).map((x) => Math.round(x * 1000) / 1000);
    const v = {
      ...a,
      client_ip: ` ${String(a.client_ip)} `,
      post_seq: 1, // relative: allowed here
      segment_seqs: (a.segment_seqs as number[]).map((x) => CLIENT_ISN + x), // raw
      segment_sent: ms(a.segment_sent), // within 1 ms
      segment_acked: ms(a.segment_acked),
      sample_rtt: (a.sample_rtt as number[]).map((x) => x * 1.015), // within 2 %
      estimated_rtt: (a.estimated_rtt as number[])[5], // the last value alone
      throughput: `${(((a.throughput as number) * 8) / 1000).toFixed(1)} kbit/s`,
      sack_permitted: 'yes',
      active_closer: '客户端',
      time_wait: a.client_ip,
      cumulative_ack_frames: 'none',
    };
    const j = await gradeJson(v);
    assert.deepEqual(j.questions.filter((x) => x.status !== 'correct').map((x) => `${x.key}: ${x.feedback}`), []);
    assert.match(q(j, 'post_seq').feedback, new RegExp(`relative number; the raw one is ${CLIENT_ISN + 1}`));
    // throughput within 10 %, in KB/s
    const t = await gradeJson({ throughput: `${(((a.throughput as number) * 1.08) / 1000).toFixed(2)} KB/s` });
    assert.equal(q(t, 'throughput').status, 'correct');
  });

  it('raw is required where the v8/9 lab asks for it, unless --accept-relative', async () => {
    const a = { syn_seq: 0, synack_seq: 0, synack_ack: 1 };
    const strict = await gradeJson(a);
    for (const k of Object.keys(a)) assert.equal(q(strict, k).mistake, 'relative-not-raw', k);
    assert.match(q(strict, 'syn_seq').feedback, new RegExp(`raw number carried in the TCP header: ${CLIENT_ISN}`));
    const lenient = await gradeJson(a, ['--accept-relative']);
    for (const k of Object.keys(a)) assert.equal(q(lenient, k).status, 'correct', k);
  });

  it('unanswered and partial lists count what is right', async () => {
    const a = rightAnswers(plan);
    const segs = [...(a.segment_seqs as number[])];
    segs[2] = 42;
    const j = await gradeJson({ segment_seqs: segs.slice(0, 5) });
    const x = q(j, 'segment_seqs');
    assert.equal(x.status, 'partial');
    assert.equal(x.points, Math.round((4 / 6) * 100) / 100);
    assert.match(x.feedback, /4 of 6 right \(wrong: #3, #6\); 1 value\(s\) missing/);
    assert.equal(q(j, 'client_ip').status, 'unanswered');
    assert.match(q(j, 'client_ip').feedback, new RegExp(`no answer; expected ${plan.spec.client[0].replace(/\./g, '\\.')}`));
    assert.equal(j.score, x.points);
  });
});

describe('grade: each usual mistake is named', () => {
  const a = rightAnswers(plan);
  const d0 = plan.data[0];
  const scale = 128;
  const unscaledMin = Math.min(...plan.acks.map((x) => x.rawWindow));
  const cases: [string, string, unknown, string, RegExp, string[]?][] = [
    ['frame length for payload', 'post_len', d0.frameLen, 'frame-length', /frame length/],
    ['TCP length for payload', 'post_len', d0.len + 20, 'tcp-length', /TCP segment length/],
    ['frame lengths in the list', 'segment_lengths', plan.data.slice(0, 6).map((x) => x.frameLen), 'frame-length', /0 of 6 right/],
    ['payload where header + payload is asked', 'segment_lengths', plan.data.slice(0, 6).map((x) => x.len), 'payload-not-tcp-length', /header \+ payload/, ['--lengths', 'tcp']],
    ['relative where raw is asked', 'syn_seq', 0, 'relative-not-raw', /raw number/],
    ['the frame number for a seq', 'syn_seq', plan.frames.syn, 'frame-number', /No\. column/],
    ['the ISN for the SYN-ACK ack', 'synack_ack', CLIENT_ISN, 'isn-not-plus-one', new RegExp(`ISN \\+ 1 = ${CLIENT_ISN + 1}`)],
    ['the last segment of the POST', 'post_seq', plan.data[plan.data.length - 1].relSeq, 'last-post-segment', new RegExp(`frame ${plan.data[plan.data.length - 1].frame}`)],
    ['the raw seq of the last POST segment', 'post_seq', CLIENT_ISN + plan.data[plan.data.length - 1].relSeq, 'last-post-segment', /reassembled POST/],
    ['the next client packet as the ACK', 'segment_acked', plan.data.slice(0, 6).map((x) => plan.clientTimes.find((c) => c.frame > x.frame)!.time), 'next-client-packet-as-ack', /next packet/],
    ['clock times', 'segment_sent', plan.data.slice(0, 6).map((x) => EPOCH + x.time), 'absolute-time', /clock time/],
    ['plain average for EstimatedRTT', 'estimated_rtt', (a.sample_rtt as number[]).map((_, i, s) => s.slice(0, i + 1).reduce((x, y) => x + y, 0) / (i + 1)), 'plain-average', /plain average/],
    ['plain average as one number', 'estimated_rtt', (a.sample_rtt as number[]).reduce((x, y) => x + y, 0) / 6, 'plain-average', /plain average/],
    ['the client\'s window', 'min_window', 64240, 'wrong-direction-window', /window the client advertises/],
    ['the unscaled window field', 'min_window', unscaledMin, 'unscaled-window', new RegExp(`× ${scale}`)],
    ['the maximum window', 'min_window', Math.max(65160, ...plan.serverWindows.map((x) => x * scale)), 'max-not-min', /maximum/],
    ['bits for bytes', 'throughput', (a.throughput as number) * 8, 'throughput-bits', /bits per second/],
    ['bits labelled bytes', 'throughput', `${(((a.throughput as number) * 8) / 1000).toFixed(1)} KB/s`, 'throughput-bits', /bits per second/],
    ['KB/s without a unit', 'throughput', (a.throughput as number) / 1000, 'throughput-no-unit', /write the unit/],
    ['the server as the client', 'client_ip', plan.spec.server[0], 'swapped-endpoints', /other end/],
    ['the server port as the client port', 'client_port', plan.spec.server[1], 'swapped-endpoints', /other end/],
  ];
  for (const [name, key, value, mistake, re, extra] of cases) {
    it(name, async () => {
      const j = await gradeJson({ [key]: value }, extra ?? []);
      const x = q(j, key);
      assert.equal(x.mistake, mistake, x.feedback);
      assert.ok(x.points < 1, 'not full marks');
      assert.match(x.feedback, re);
    });
  }

  it('throughput over another interval (from the SYN) earns half', async () => {
    const total = plan.data.reduce((s, x) => s + x.len, 0);
    const j = await gradeJson({ throughput: total / plan.acks[plan.acks.length - 1].time });
    assert.equal(q(j, 'throughput').mistake, 'throughput-interval');
    assert.equal(q(j, 'throughput').points, 0.5);
  });

  it('an endpoint of another connection of the capture is named as such', async () => {
    const { writeSyntheticPcap } = await import('../scripts/synth.js');
    const three = join(tmp, 'three.pcap');
    // connections 0, 1, 2 from 198.18.0.N:1000N to 198.19.0.1:80, alike: the lab answers for 0
    writeSyntheticPcap(three, { connections: 3 });
    const j = await gradeJson({ client_port: 10001, client_ip: '198.18.0.2', server_port: 10002, server_ip: '198.18.0.9' }, [], three);
    for (const [key, other] of [['client_port', '198.18.0.1:10001'], ['client_ip', '198.18.0.2:10002'], ['server_port', '198.18.0.2:10002']] as const) {
      const x = q(j, key);
      assert.equal(x.mistake, 'other-connection', `${key}: ${x.feedback}`);
      assert.match(x.feedback, new RegExp(`another connection of the capture \\(${other.replace(/\./g, '\\.')} → 198\\.19\\.0\\.1:80\\); the lab's connection is the one carrying the upload`));
    }
    assert.equal(q(j, 'server_ip').mistake, 'wrong');
  });

  it('feedback in Chinese', async () => {
    const f = answersFile('zh.yaml', { post_len: d0.frameLen });
    const r = await runCli(['grade', '--lang', 'zh', CAP, '--answers', f]);
    assert.match(r.stdout, /那是帧长/);
    assert.match(r.stdout, /得分：0 \/ 25（0 %）/);
    // the answer, its numbers and the expected ones read as Chinese: full-width colon and
    // semicolon, 原始 for raw, 字节/秒 for bytes/s
    const g = answersFile('zh2.yaml', { post_len: d0.frameLen, post_seq: 999999, segment_seqs: [1, 2, 3, 4, 5, 6], throughput: '1 KB/s' });
    const z = (await runCli(['grade', '--lang', 'zh', CAP, '--answers', g])).stdout;
    assert.match(z, new RegExp(`作答 ${d0.frameLen}：那是帧长`));
    assert.match(z, /post_seq .*作答 999999：.*（原始 \d+）/);
    assert.match(z, /segment_seqs .*作答 \[1,2,3,4,5,6\]：6 个中对 \d 个（错误：[^）]*）；.*（原始 \[\d+/);
    assert.match(z, /throughput .*字节\/秒（[\d.]+ KB\/s）/);
    assert.doesNotMatch(z, /raw|bytes\/s/);
  });
});

describe('grade: exit codes and malformed answers', () => {
  it('--pass: below → 1, at or above → 0', async () => {
    const a = rightAnswers(plan);
    const half = Object.fromEntries(Object.entries(a).slice(0, 10));
    const f = answersFile('half.yaml', half);
    const r = await runCli(['grade', '--json', CAP, '--answers', f]);
    const pct = (JSON.parse(r.stdout) as Report).percentage;
    assert.equal(pct, 40);
    assert.equal((await runCli(['grade', '--pass', '40.1', CAP, '--answers', f])).code, 1);
    const at = await runCli(['grade', '--pass', '40', '--json', CAP, '--answers', f]);
    assert.equal(at.code, 0);
    assert.equal((JSON.parse(at.stdout) as Report).pass, true);
    const below = await runCli(['grade', '--pass', '50%', CAP, '--answers', f]);
    assert.equal(below.code, 1);
    assert.match(below.stdout, /FAIL \(pass mark 50 %\)/);
  });

  const bad: [string, string, RegExp][] = [
    ['unknown key', 'client_ip: 10.0.0.1\nsegmnt_seqs: [1, 2]\n', /bad\.yaml:2: unknown key "segmnt_seqs" \(did you mean "segment_seqs"\?\)/],
    ['wrong type', 'client_ip: 10.0.0.1\n\nclient_port: eighty\n', /bad\.yaml:3: "client_port" must be a whole number, not "eighty"/],
    ['a list item of the wrong type', 'segment_sent: [0.1, soon]\n', /bad\.yaml:1: "segment_sent" must be a list of times/],
    ['a boolean that is not one', 'sack_permitted: maybe\n', /bad\.yaml:1: "sack_permitted" must be true or false/],
    ['a throughput unit nobody knows', 'throughput: 12 furlongs/s\n', /bad\.yaml:1: "throughput" must be a number of bytes\/s/],
    ['bad YAML', 'client_ip: 10.0.0.1\nsegment_seqs: [1, 2\nmin_window: 3\n', /bad\.yaml:\d+: not valid YAML or JSON/],
    ['a list at the top', '- 1\n- 2\n', /expected a mapping of question keys/],
    ['a duplicate key', 'post_len: 1\npost_len: 2\n', /bad\.yaml:2: not valid YAML or JSON: Map keys must be unique/],
  ];
  for (const [name, text, re] of bad) {
    it(`${name} → exit 2 naming the line`, async () => {
      const f = join(tmp, 'bad.yaml');
      writeFileSync(f, text);
      const r = await runCli(['grade', CAP, '--answers', f]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, re);
      assert.equal(r.stdout, '');
    });
  }

  it('bad JSON names its line too', async () => {
    const f = join(tmp, 'bad.json');
    writeFileSync(f, '{\n  "client_ip": "10.0.0.1",\n  "post_len": ,\n}\n');
    const r = await runCli(['grade', CAP, '--answers', f]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.json:3: not valid YAML or JSON/);
  });

  it('usage: no --answers, missing files, a bad --pass → exit 2', async () => {
    const right = answersFile('r.yaml', { client_port: 1 });
    for (const [args, re] of [
      [['grade', CAP], /missing --answers FILE/],
      [['grade', CAP, '--answers', join(tmp, 'none.yaml')], /none\.yaml: no such file/],
      [['grade', join(tmp, 'none.pcap'), '--answers', right], /none\.pcap/],
      [['grade', '--pass', '150', CAP, '--answers', right], /--pass "150" must be a percentage/],
      [['grade', '--batch', tmp, CAP], /give no capture and no --answers/],
    ] as [string[], RegExp][]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, re);
    }
  });

  it('the direct parser: comments keys ignored, numbers as strings, units', () => {
    const a = parseAnswers('_note: hello\nclient_port: "80"\nretransmissions: no\nthroughput: 2 Mbit/s\n', 'x.yaml');
    assert.equal(a.get('client_port')?.value, 80);
    assert.equal(a.get('retransmissions')?.value, false);
    assert.deepEqual(a.get('throughput')?.value, { given: 2, unit: 'Mbit/s', bytesPerSecond: 250000 });
    assert.equal(a.has('_note'), false);
    assert.throws(() => parseAnswers('client_port: -1\n', 'x.yaml'), AnswersError);
    assert.equal(parseThroughput('30.2 KB/s')?.bytesPerSecond, 30200);
    assert.equal(parseThroughput('241.8 kbps')?.bytesPerSecond, 30225);
    assert.equal(parseThroughput('fast'), null);
    // an empty list in words, English or Chinese (the pattern is written with escapes in the source)
    for (const none of ['none', 'NONE', '-', '\u65e0', ' \u6ca1\u6709 ']) {
      assert.deepEqual(parseAnswers(`cumulative_ack_frames: "${none}"\n`, 'x.yaml').get('cumulative_ack_frames')?.value, [], none);
    }
    assert.throws(() => parseAnswers('cumulative_ack_frames: "\u65e0\u65e0"\n', 'x.yaml'), AnswersError);
  });
});

describe('grade: the template', () => {
  it('YAML: one key per question, the question as a comment, every value null; grading it scores 0', async () => {
    const r = await runCli(['lab', '--template']);
    assert.equal(r.code, 0);
    const doc = parseYaml(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc), QUESTIONS.map((x) => x.key));
    assert.ok(Object.values(doc).every((v) => v === null));
    assert.match(r.stdout, /# H3\. Sequence number of the SYN segment that opens the connection \(the raw number carried in the TCP header/);
    assert.equal(parseAnswers(r.stdout, 't.yaml').size, 0);
    const f = join(tmp, 'template.yaml');
    writeFileSync(f, r.stdout);
    const g = await runCli(['grade', '--json', CAP, '--answers', f]);
    assert.equal(g.code, 0);
    const j = JSON.parse(g.stdout) as Report;
    assert.equal(j.score, 0);
    assert.ok(j.questions.every((x) => x.status === 'unanswered'));
  });

  it('JSON when the file ends .json; Chinese questions; policy options change the wording', async () => {
    const f = join(tmp, 'template.json');
    assert.equal((await runCli(['lab', '--template', f, '-n', '8'])).code, 0);
    const doc = JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc).filter((k) => !k.startsWith('_')), QUESTIONS.map((x) => x.key));
    assert.match(String((doc._questions as Record<string, string>).segment_seqs), /first 8 data segments/);
    assert.equal(parseAnswers(readFileSync(f, 'utf8'), f).size, 0);
    const zh = await runCli(['lab', '--template', '--lang', 'zh', '--accept-relative', '--lengths', 'tcp']);
    assert.match(zh.stdout, /# H3\. 建立连接的 SYN 报文段的序号（原始或相对序号均可）/);
    assert.match(zh.stdout, /TCP 首部 \+ 载荷字节数/);
  });
});

describe('grade: --batch', () => {
  const dir = join(tmp, 'class');
  mkdirSync(dir);
  const right = rightAnswers(plan);
  // alice: a directory with her capture and right answers
  mkdirSync(join(dir, 'alice'));
  copyFileSync(CAP, join(dir, 'alice', 'mine.pcapng'));
  writeFileSync(join(dir, 'alice', 'answers.yaml'), stringify(right));
  // bob: flat files, two mistakes
  copyFileSync(CAP, join(dir, 'bob.pcap'));
  writeFileSync(join(dir, 'bob.yml'), stringify({ ...right, post_len: plan.data[0].frameLen, syn_seq: 0 }));
  // carol: no answers
  mkdirSync(join(dir, 'carol'));
  copyFileSync(CAP, join(dir, 'carol', 'c.pcap'));
  // dave: malformed answers
  writeUpload(join(dir, 'dave.pcap'), { clientIsn: 5 });
  writeFileSync(join(dir, 'dave.json'), '{"client_ip": "1.2.3.4", "colour": "blue"}');
  // eve: the published v7 trace's ISNs
  const eve = writeUpload(join(dir, 'eve.pcap'), { clientIsn: 232129012, serverIsn: 883061785 });
  writeFileSync(join(dir, 'eve.yaml'), stringify({ client_ip: eve.spec.client[0] }));
  writeFileSync(join(dir, 'README.txt'), 'not a submission');

  function csv(text: string): Record<string, string>[] {
    const lines = text.trimEnd().split('\n');
    const head = lines[0].split(',');
    return lines.slice(1).map((l) => {
      const cells: string[] = [];
      const re = /("([^"]|"")*"|[^,]*)(,|$)/g;
      let m: RegExpExecArray | null;
      while ((m = re.exec(l)) !== null && cells.length < head.length) {
        cells.push(m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1]);
      }
      return Object.fromEntries(head.map((h, i) => [h, cells[i] ?? '']));
    });
  }

  it('one CSV row per submission, with score, pass, flags and errors; exit 1 when one fails', async () => {
    const r = await runCli(['grade', '--batch', dir, '--pass', '95']);
    assert.equal(r.code, 1, r.stderr);
    const rows = csv(r.stdout);
    assert.deepEqual(r.stdout.split('\n')[0], 'student,capture,answers,score,total,percentage,pass,flags,errors');
    assert.deepEqual(rows.map((x) => x.student), ['alice', 'bob', 'carol', 'dave', 'eve']);
    const by = Object.fromEntries(rows.map((x) => [x.student, x]));
    assert.equal(by.alice.percentage, '100');
    assert.equal(by.alice.pass, 'yes');
    assert.equal(by.alice.capture, 'mine.pcapng');
    assert.equal(by.bob.score, '23');
    assert.equal(by.bob.pass, 'no');
    assert.match(by.bob.flags, /same-capture-as:alice/);
    assert.match(by.carol.errors, /no answers file/);
    assert.equal(by.carol.pass, 'no');
    assert.match(by.dave.errors, /dave\.json:1: unknown key "colour"/);
    assert.match(by.eve.flags, /known-trace:tcp-ethereal-trace-1/);
    assert.equal(by.alice.flags, '');
  });

  it('--csv FILE; without --pass the pass column is empty; a missing or empty directory is exit 2', async () => {
    const out = join(tmp, 'grades.csv');
    const r = await runCli(['grade', '--batch', dir, '--csv', out]);
    assert.equal(r.stdout, '');
    assert.equal(r.code, 1, 'carol and dave have errors');
    const rows = csv(readFileSync(out, 'utf8'));
    assert.equal(rows.find((x) => x.student === 'alice')?.pass, '');
    assert.equal((await runCli(['grade', '--batch', join(tmp, 'nowhere')])).code, 2);
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    const e = await runCli(['grade', '--batch', empty]);
    assert.equal(e.code, 2);
    assert.match(e.stderr, /no submission found/);
  });
});

describe('grade: the published traces', { skip: existsSync(join(CORPUS_DIR, 'captures', 'kurose-ross', 'tcp-ethereal-trace-1')) ? false : 'corpus not available' }, () => {
  it('grading on tcp-ethereal-trace-1 warns that it is the published trace; the sample student answers get their feedback', async () => {
    const cap = join(CORPUS_DIR, 'captures', 'kurose-ross', 'tcp-ethereal-trace-1');
    const r = await runCli(['grade', '--json', '--accept-relative', cap, '--answers', join(REPO_ROOT, 'fixtures', 'grade', 'ethereal-v7-student.yaml')]);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /published trace tcp-ethereal-trace-1/);
    const j = JSON.parse(r.stdout) as Report;
    assert.equal(j.knownTrace?.name, 'tcp-ethereal-trace-1');
    const m = Object.fromEntries(j.questions.map((x) => [x.key, x.mistake]));
    assert.equal(m.syn_seq, 'correct-relative');
    assert.equal(m.post_seq, 'last-post-segment');
    assert.equal(m.segment_lengths, 'frame-length');
    assert.equal(m.estimated_rtt, 'plain-average');
    assert.equal(m.segment_acked, 'next-client-packet-as-ack');
    assert.equal(m.min_window, 'wrong-direction-window');
    assert.equal(m.throughput, 'throughput-bits');
    assert.equal(m.segment_seqs, 'correct');
  });
});
