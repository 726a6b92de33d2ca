/**
 * `lab`: the answer key of the classic TCP lab. Checked against
 * - the official Kurose & Ross v7 solution for tcp-ethereal-trace-1 (corpus; skipped without it),
 * - tshark 4.0.17 on the Kurose traces (run live; skipped without tshark or the corpus) and on the
 *   fixtures (their recorded <capture>.tshark.tsv),
 * - a synthetic upload whose every number is known from the plan that built it,
 * - and every fixtures/lab-* expected-lab.json that exists (made independently, another branch).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { runCli, STACK_LINE } from './helpers/cli.js';
import { CORPUS_DIR, REPO_ROOT } from './helpers/corpus.js';
import { writeUpload, EPOCH } from './helpers/labcap.js';
import type { LabKey } from '../src/lab/key.js';
import { tempDir } from './helpers/tmp.js';
import { ethernet, ETHERTYPE, ipv4, IPPROTO, tcp } from './helpers/wire.js';
import { pcapFile } from './helpers/capfile.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../src/decode/packet.js';

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'lab.schema.json'), 'utf8')) as object);

const KUROSE = join(CORPUS_DIR, 'captures', 'kurose-ross');
const ETHEREAL = join(KUROSE, 'tcp-ethereal-trace-1');
const TRACE1_1 = join(KUROSE, 'tcp-wireshark-trace1-1.pcapng');
const TRACE1_2 = join(KUROSE, 'tcp-wireshark-trace1-2.pcapng');
const haveKurose = existsSync(ETHEREAL) && existsSync(TRACE1_1) && existsSync(TRACE1_2);
const haveTshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;
const tmp = tempDir('tcpflow-lab-');

async function labJson(args: string[]): Promise<LabKey & { capture: { file: string } }> {
  const r = await runCli(['lab', '--json', ...args]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as LabKey & { capture: { file: string } };
  assert.ok(validate(doc), JSON.stringify((validate as { errors?: unknown }).errors));
  return doc;
}

/** Rows of a tshark TSV (header line of field names). */
function tsv(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const head = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    return Object.fromEntries(head.map((h, i) => [h, f[i] ?? '']));
  });
}

function tsharkFields(file: string, fields: string[]): Record<string, string>[] {
  const r = spawnSync('tshark', ['-r', file, '-Y', 'tcp', '-T', 'fields', '-E', 'header=y', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return tsv(r.stdout);
}

/**
 * The lab numbers computed from tshark's per-frame fields, by the definitions of docs/lab.md,
 * independently of the tool: client data segments of a stream, their ACK (first server packet
 * with ack ≥ seq + len), windows per direction, retransmission count.
 */
function fromTshark(rows: Record<string, string>[], stream: number, clientPort: number, n: number, time: (r: Record<string, string>) => number) {
  const mine = rows.filter((r) => Number(r['tcp.stream']) === stream);
  const isClient = (r: Record<string, string>): boolean => Number(r['tcp.srcport']) === clientPort;
  const flags = (r: Record<string, string>): number => Number(r['tcp.flags']);
  const data = mine.filter((r) => isClient(r) && Number(r['tcp.len']) > 0);
  const acks = mine.filter((r) => !isClient(r) && (flags(r) & 0x10) !== 0 && (flags(r) & 0x02) === 0);
  const segments = data.slice(0, n).map((r) => {
    const end = Number(r['tcp.seq']) + Number(r['tcp.len']);
    const a = acks.find((x) => Number(x['frame.number']) > Number(r['frame.number']) && Number(x['tcp.ack']) >= end);
    return {
      frame: Number(r['frame.number']), seq: Number(r['tcp.seq']), rawSeq: Number(r['tcp.seq_raw']), len: Number(r['tcp.len']),
      tcpLength: Number(r['tcp.hdr_len']) + Number(r['tcp.len']), frameLength: Number(r['frame.len']), sent: time(r),
      ackFrame: a ? Number(a['frame.number']) : null, acked: a ? time(a) : null,
    };
  });
  const win = (client: boolean) => {
    const ws = mine.filter((r) => isClient(r) === client && !(flags(r) & 0x04)).map((r) => Number(r['tcp.window_size']));
    return { min: Math.min(...ws), max: Math.max(...ws) };
  };
  const retrans = mine.filter((r) => r['tcp.analysis.retransmission'] !== '' || r['tcp.analysis.fast_retransmission'] !== '' || r['tcp.analysis.spurious_retransmission'] !== '');
  return { segments, window: { client: win(true), server: win(false) }, retransmitted: retrans.map((r) => Number(r['frame.number'])) };
}

function compareWithTshark(k: LabKey, ref: ReturnType<typeof fromTshark>, label: string): void {
  assert.equal(k.segments.length, ref.segments.length, label);
  k.segments.forEach((s, i) => {
    const e = ref.segments[i];
    for (const f of ['frame', 'seq', 'rawSeq', 'len', 'tcpLength', 'frameLength', 'ackFrame'] as const) assert.equal(s[f], e[f], `${label} segment ${i + 1} ${f}`);
    assert.ok(Math.abs(s.sent - e.sent) < 1e-6, `${label} segment ${i + 1} sent`);
    if (e.acked === null) assert.equal(s.acked, null);
    else assert.ok(Math.abs((s.acked as number) - e.acked) < 1e-6, `${label} segment ${i + 1} acked`);
  });
  assert.equal(k.window.client?.min, ref.window.client.min, `${label} client min window`);
  assert.equal(k.window.client?.max, ref.window.client.max, `${label} client max window`);
  assert.equal(k.window.server?.min, ref.window.server.min, `${label} server min window`);
  assert.equal(k.window.server?.max, ref.window.server.max, `${label} server max window`);
  assert.equal(k.retransmissions, ref.retransmitted.length, `${label} retransmissions`);
  assert.deepEqual(k.retransmitted.map((r) => r.frame), ref.retransmitted, `${label} retransmitted frames`);
}

/** EstimatedRTT recomputed from the samples, by the textbook formula. */
function ewma(samples: (number | null)[], alpha: number): (number | null)[] {
  let e: number | null = null;
  return samples.map((s) => {
    if (s !== null) e = e === null ? s : (1 - alpha) * e + alpha * s;
    return e;
  });
}

describe('lab: official Kurose & Ross v7 solution (tcp-ethereal-trace-1)', { skip: haveKurose ? false : 'corpus not available' }, () => {
  it('matches the solution: seqs, times, EstimatedRTT, window, throughput', async () => {
    const k = await labJson([ETHEREAL]);
    assert.deepEqual(k.client, { ip: '192.168.1.102', port: 1161 });
    assert.deepEqual(k.server, { ip: '128.119.245.12', port: 80 });
    assert.equal(k.syn?.rawSeq, 232129012);
    assert.equal(k.syn?.seq, 0);
    assert.equal(k.synAck?.rawAck, 232129012 + 1);
    assert.equal(k.synAck?.ack, 1);
    assert.equal(k.firstData?.frame, 4);
    assert.equal(k.firstData?.seq, 1);
    assert.equal(k.firstData?.httpRequest, 'POST /ethereal-labs/lab3-1-reply.htm HTTP/1.1');
    assert.equal(k.firstData?.requestEnd?.frame, 199, 'Wireshark shows the POST on frame 199');
    const official = {
      seq: [1, 566, 2026, 3486, 4946, 6406],
      sent: [0.026477, 0.041737, 0.054026, 0.05469, 0.077405, 0.078157],
      acked: [0.053937, 0.077294, 0.124085, 0.169118, 0.217299, 0.267802],
      est: [0.02746, 0.0285, 0.0337, 0.0438, 0.0558, 0.0725],
    };
    assert.deepEqual(k.segments.map((s) => s.seq), official.seq);
    k.segments.forEach((s, i) => {
      assert.ok(Math.abs(s.sent - official.sent[i]) < 1e-9, `sent ${i}`);
      assert.ok(Math.abs((s.acked as number) - official.acked[i]) < 1e-9, `acked ${i}`);
      // the solution rounds to 3 significant digits (0.02746 to 4)
      assert.ok(Math.abs((s.estimatedRtt as number) - official.est[i]) <= 0.00005 + 1e-12, `EstimatedRTT ${i}: ${s.estimatedRtt} vs ${official.est[i]}`);
    });
    assert.equal(k.window.server?.min, 5840);
    assert.equal(k.window.server?.minFrame, 2);
    assert.equal(k.retransmissions, 0);
    assert.equal(k.throughput?.bytes, 164090);
    assert.ok(Math.abs((k.throughput?.seconds as number) - 5.4294) < 0.00005);
    assert.equal(Math.round((k.throughput?.bytesPerSecond as number) / 100) / 10, 30.2, 'about 30.2 KB/s');
    assert.equal(k.knownTrace?.name, 'tcp-ethereal-trace-1');
    assert.deepEqual(k.otherConnections, [1]);
  });

  it('text: the worked solution names the numbers and the reasoning, in English and Chinese', async () => {
    const en = await runCli(['lab', ETHEREAL]);
    assert.equal(en.code, 0);
    assert.match(en.stdout, /Acknowledgement number 232129013 \(raw; relative 1\) = client ISN 232129012 \+ 1/);
    assert.match(en.stdout, /Wireshark labels frame 199 \(seq 164041/);
    assert.match(en.stdout, /minimum 5840 bytes \(frame 2\)/);
    assert.match(en.stdout, /Throughput = 164090 \/ 5\.429353 = 30222\.8 bytes\/s ≈ 30\.2 KB\/s/);
    assert.match(en.stdout, /published trace tcp-ethereal-trace-1/);
    assert.match(en.stderr, /the capture has 2 TCP connections; answering for connection 0 .*Others: 1 \(192\.168\.1\.102:1162 → 199\.2\.53\.206:631/);
    const zh = await runCli(['lab', '--lang', 'zh', ETHEREAL]);
    assert.match(zh.stdout, /三次握手：帧 1, 2, 3/);
    assert.match(zh.stdout, /确认号 232129013（原始；相对 1）= 客户端初始序号 232129012 \+ 1/);
    assert.match(zh.stdout, /序号/);
  });
});

describe('lab: Kurose traces against tshark 4.0.17', { skip: !haveKurose ? 'corpus not available' : !haveTshark ? 'tshark not installed' : false }, () => {
  const fields = ['frame.number', 'frame.time_relative', 'tcp.stream', 'tcp.srcport', 'tcp.flags', 'tcp.seq', 'tcp.seq_raw', 'tcp.ack', 'tcp.len', 'tcp.hdr_len', 'frame.len',
    'tcp.window_size', 'tcp.analysis.retransmission', 'tcp.analysis.fast_retransmission', 'tcp.analysis.spurious_retransmission', 'tcp.analysis.acks_frame', 'tcp.analysis.ack_rtt'];
  for (const file of [ETHEREAL, TRACE1_1, TRACE1_2]) {
    it(basename(file), async () => {
      const k = await labJson(['-n', '10', file]);
      const rows = tsharkFields(file, fields);
      compareWithTshark(k, fromTshark(rows, k.connection, k.client.port, 10, (r) => Number(r['frame.time_relative'])), basename(file));
      // tshark's acks_frame names the last segment an ACK covers: ours is that one or an earlier one
      // it covers too (cumulative ACK); where they are the same, SampleRTT is tshark's ack_rtt
      let same = 0;
      for (const s of k.segments) {
        if (s.sampleRtt === null) continue;
        const a = rows.find((r) => Number(r['frame.number']) === s.ackFrame);
        const covered = Number(a?.['tcp.analysis.acks_frame']);
        assert.ok(covered >= s.frame, `${basename(file)}: frame ${s.ackFrame} acks frame ${covered}, not before ${s.frame}`);
        if (covered === s.frame) {
          same++;
          assert.ok(Math.abs(Number(a?.['tcp.analysis.ack_rtt']) - s.sampleRtt) < 1e-6);
        }
      }
      assert.ok(same >= 2, 'some segments are acknowledged one by one');
      const est = ewma(k.segments.map((s) => s.sampleRtt), 0.125);
      k.segments.forEach((s, i) => assert.ok(Math.abs((s.estimatedRtt as number) - (est[i] as number)) < 1e-9));
      assert.ok(k.knownTrace !== null, 'a published trace');
    });
  }

  it('tcp-wireshark-trace1-2: the upload is chosen among 4 connections, the others listed', async () => {
    const r = await runCli(['lab', '--json', TRACE1_2]);
    const k = JSON.parse(r.stdout) as LabKey;
    assert.equal(k.client.port, 61689);
    assert.equal(k.otherConnections.length, 3);
    assert.match(r.stderr, /the capture has 4 TCP connections; answering for connection 1 /);
    const only = await labJson(['-s', '2', TRACE1_2]);
    assert.equal(only.connection, 2);
  });
});

describe('lab: fixtures against their recorded tshark output', () => {
  for (const rel of ['tcp-loss/capture-sender.pcap', 'tcp-loss/capture.pcap', 'http-ipv4/capture.pcap']) {
    it(rel, async () => {
      const file = join(REPO_ROOT, 'fixtures', rel);
      const k = await labJson(['-n', '8', file]);
      const rows = tsv(readFileSync(`${file}.tshark.tsv`, 'utf8'));
      // the fixtures' first frame is TCP, so times count from the first row
      const t0 = Number(rows[0]['frame.time_epoch']);
      assert.equal(rows[0]['frame.number'], '1');
      compareWithTshark(k, fromTshark(rows, k.connection, k.client.port, 8, (r) => Number(r['frame.time_epoch']) - t0), rel);
      // Karn: no SampleRTT for a segment sent twice before its ACK; the rest is the EWMA of the samples
      for (const s of k.segments) {
        const copies = k.retransmitted.filter((r) => r.seq === s.seq && r.frame > s.frame && r.frame < (s.ackFrame ?? Infinity));
        if (copies.length > 0) assert.equal(s.sampleRtt, null, `frame ${s.frame} was sent again`);
        else if (s.acked !== null) assert.ok(Math.abs((s.sampleRtt as number) - (s.acked - s.sent)) < 1e-9);
      }
      const est = ewma(k.segments.map((s) => s.sampleRtt), 0.125);
      k.segments.forEach((s, i) => assert.ok(Math.abs((s.estimatedRtt as number) - (est[i] as number)) < 1e-9));
    });
  }

  it('tcp-loss: retransmissions are counted and explained', async () => {
    const k = await labJson([join(REPO_ROOT, 'fixtures', 'tcp-loss', 'capture-sender.pcap')]);
    assert.ok(k.retransmissions > 0);
    assert.ok(k.repeatedSeq.length > 0, 'the retransmitted sequence numbers are seen again');
    const r = await runCli(['lab', join(REPO_ROOT, 'fixtures', 'tcp-loss', 'capture-sender.pcap')]);
    assert.match(r.stdout, new RegExp(`${k.retransmissions} retransmission\\(s\\):\\n\\s+frame ${k.retransmitted[0].frame}: client, seq ${k.retransmitted[0].seq}`));
    assert.match(r.stdout, /Karn's rule/);
  });

  it('http-ipv4: the GET request line, and a scaled window explained', async () => {
    const k = await labJson([join(REPO_ROOT, 'fixtures', 'http-ipv4', 'capture.pcap')]);
    assert.equal(k.firstData?.httpRequest, 'GET /hello.txt HTTP/1.1');
    assert.equal(k.firstData?.requestEnd?.frame, k.firstData?.frame, 'the whole request in one segment');
    assert.equal(k.syn?.windowScale, 10);
    assert.equal(k.window.server?.scale, 10);
    const r = await runCli(['lab', join(REPO_ROOT, 'fixtures', 'http-ipv4', 'capture.pcap')]);
    assert.match(r.stdout, /The server's windows are scaled: the field is multiplied by 1024/);
    assert.match(r.stdout, /The whole request fits in this segment/);
  });

  it('vlan-qinq: the connection with the most payload is chosen and the other one named on stderr', async () => {
    const file = join(REPO_ROOT, 'fixtures', 'vlan-qinq', 'capture.pcap');
    const all = JSON.parse((await runCli(['--json', file])).stdout) as { connections: { id: number; payloadBytes: { client: number; server: number } }[] };
    const most = [...all.connections].sort((a, b) => b.payloadBytes.client + b.payloadBytes.server - (a.payloadBytes.client + a.payloadBytes.server))[0];
    const r = await runCli(['lab', '--json', file]);
    const k = JSON.parse(r.stdout) as LabKey;
    assert.equal(k.connection, most.id);
    assert.deepEqual(k.otherConnections, all.connections.filter((c) => c.id !== most.id).map((c) => c.id));
    assert.match(r.stderr, /Use -s ID to choose another/);
    const other = all.connections.find((c) => c.id !== most.id)!.id;
    const chosen = await runCli(['lab', '--json', '-s', String(other), file]);
    assert.equal((JSON.parse(chosen.stdout) as LabKey).connection, other);
  });
});

describe('lab: a synthetic upload, checked against the plan that built it', () => {
  const file = join(tmp, 'upload.pcap');
  const plan = writeUpload(file, { clientIsn: 4294967000, serverIsn: 77, segments: 12, mss: 1000, lastLen: 300, ackEvery: 2, wscale: [6, 7], closer: 'client' });

  it('handshake numbers with the ISN arithmetic (and a client ISN that wraps)', async () => {
    const k = await labJson([file]);
    assert.equal(k.syn?.rawSeq, 4294967000);
    assert.equal(k.synAck?.rawSeq, 77);
    assert.equal(k.synAck?.rawAck, (4294967000 + 1) % 2 ** 32);
    assert.equal(k.syn?.windowScale, 6);
    assert.equal(k.synAck?.windowScale, 7);
    assert.equal(k.syn?.sackPermitted, true);
    assert.deepEqual(k.handshake.frames, { syn: plan.frames.syn, synAck: plan.frames.synAck, ack: plan.frames.ack });
  });

  it('first data segment, request end, segments, ACKs, EWMA with -n and --alpha', async () => {
    const k = await labJson(['-n', '5', '--alpha', '0.25', file]);
    assert.equal(k.firstData?.frame, plan.data[0].frame);
    assert.equal(k.firstData?.httpRequest, 'POST /upload HTTP/1.1');
    assert.equal(k.firstData?.requestEnd?.frame, plan.data[plan.data.length - 1].frame);
    assert.equal(k.segments.length, 5);
    k.segments.forEach((s, i) => {
      const d = plan.data[i];
      assert.equal(s.frame, d.frame);
      assert.equal(s.seq, d.relSeq);
      assert.equal(s.rawSeq, (4294967000 + d.relSeq) % 2 ** 32);
      assert.equal(s.len, d.len);
      assert.equal(s.tcpLength, d.len + 20);
      assert.equal(s.frameLength, d.frameLen);
      assert.equal(s.ackFrame, d.ackFrame);
      assert.ok(Math.abs((s.acked as number) - d.ackTime) < 1e-9);
      assert.ok(Math.abs((s.sampleRtt as number) - (d.ackTime - d.time)) < 1e-9);
    });
    const est = ewma(plan.data.slice(0, 5).map((d) => d.ackTime - d.time), 0.25);
    k.segments.forEach((s, i) => assert.ok(Math.abs((s.estimatedRtt as number) - (est[i] as number)) < 1e-9));
    assert.equal(k.alpha, 0.25);
  });

  it('windows scaled per direction, with the raw field kept; bytes per ACK; throughput; rounds', async () => {
    const k = await labJson([file]);
    const rawMin = Math.min(...plan.acks.map((a) => a.rawWindow));
    assert.equal(k.window.server?.min, rawMin * 128);
    assert.equal(k.window.server?.unscaledMin, rawMin);
    assert.equal(k.window.server?.scale, 7);
    assert.equal(k.window.client?.min, 64240, 'the SYN\'s window (never scaled) is below the scaled 2000 × 64');
    assert.equal(k.window.client?.max, 2000 * 64);
    let prev = 1;
    const expected = plan.acks.map((a) => {
      const b = a.ack - prev;
      prev = a.ack;
      return { frame: a.frame, bytes: b };
    });
    assert.deepEqual(k.ackedPerAck.map((a) => ({ frame: a.frame, bytes: a.bytes })), expected);
    // and the segments each ACK covers: those whose last byte it acknowledges for the first time
    let below = 1;
    const covered = plan.acks.map((a) => {
      const n = plan.data.filter((d) => d.relSeq + d.len > below && d.relSeq + d.len <= a.ack).length;
      below = a.ack;
      return n;
    });
    assert.ok(covered.some((n) => n >= 2), 'the plan has cumulative ACKs');
    assert.deepEqual(k.ackedPerAck.map((a) => a.segments), covered);
    assert.deepEqual(k.cumulativeAcks, k.ackedPerAck.filter((a) => a.bytes > 1000).map((a) => a.frame));
    const total = plan.data.reduce((s, d) => s + d.len, 0);
    assert.equal(k.throughput?.bytes, total);
    assert.ok(Math.abs((k.throughput?.from as number) - plan.data[0].time) < 1e-9);
    assert.ok(Math.abs((k.throughput?.to as number) - plan.acks[plan.acks.length - 1].time) < 1e-9);
    assert.ok(Math.abs((k.throughput?.bytesPerSecond as number) - total / (plan.acks[plan.acks.length - 1].time - plan.data[0].time)) < 1e-6);
    assert.deepEqual(k.rounds.map((r) => r.segments), [2, 4, 6], 'slow start: flights of 2, 4, then the remaining 6');
  });

  it('teardown: the active closer ends in TIME_WAIT (client, then server)', async () => {
    const k = await labJson([file]);
    assert.equal(k.teardown.kind, 'four-way');
    assert.equal(k.teardown.initiator, 'client');
    assert.equal(k.timeWait, 'client');
    const f2 = join(tmp, 'server-closes.pcap');
    writeUpload(f2, { closer: 'server' });
    const k2 = await labJson([f2]);
    assert.equal(k2.teardown.initiator, 'server');
    assert.equal(k2.timeWait, 'server');
    const r = await runCli(['lab', '--lang', 'zh', f2]);
    assert.match(r.stdout, /四次挥手/);
    assert.match(r.stdout, /服务器进入 TIME_WAIT/);
  });

  it('a retransmission inside the first segments: flagged, and no SampleRTT for it (Karn)', async () => {
    const f3 = join(tmp, 'retransmit.pcap');
    writeUpload(f3, { retransmit: 1, segments: 4, initialFlight: 2 });
    const k = await labJson([f3]);
    assert.equal(k.retransmissions, 1);
    assert.equal(k.segments[1].sampleRtt, null);
    assert.equal(k.segments[1].estimatedRtt, k.segments[0].estimatedRtt, 'the estimate carries over');
    assert.ok(k.segments.some((s) => s.retransmission));
  });

  it('the published traces are recognised by ISNs even with other addresses', async () => {
    const f4 = join(tmp, 'lookalike.pcap');
    writeUpload(f4, { clientIsn: 232129012, serverIsn: 883061785 });
    assert.equal((await labJson([f4])).knownTrace?.name, 'tcp-ethereal-trace-1');
    const f5 = join(tmp, 'same-tuple-one-isn.pcap');
    writeUpload(f5, { client: ['192.168.86.68', 55639], server: ['128.119.245.12', 80], clientIsn: 4236649187, serverIsn: 5 });
    assert.equal((await labJson([f5])).knownTrace?.name, 'tcp-wireshark-trace1-1.pcapng');
    const f6 = join(tmp, 'own.pcap');
    writeUpload(f6, { clientIsn: 232129012 });
    assert.equal((await labJson([f6])).knownTrace, null, 'one ISN alone, other addresses: not flagged');
  });

  it('times are seconds since the first frame of the capture, even when it is not TCP', async () => {
    const k = await labJson([file]);
    assert.ok(Math.abs(k.segments[0].sent - plan.data[0].time) < 1e-9 && EPOCH > 1e9);
    const f7 = join(tmp, 'prelude.pcap');
    const p7 = writeUpload(f7, { prelude: 0.25 });
    const k7 = await labJson([f7]);
    assert.equal(k7.syn?.frame, 2, 'frame 1 is the UDP frame');
    assert.equal(k7.segments[0].sent, Math.round((p7.data[0].time + 0.25) * 1e6) / 1e6);
    assert.equal(k7.segments[0].acked, Math.round((p7.data[0].ackTime + 0.25) * 1e6) / 1e6);
    assert.ok(Math.abs((k7.throughput?.seconds as number) - (k.throughput?.seconds as number)) < 1e-9, 'durations unchanged');
    // The explanation counts from the same time 0: the connection starts at the SYN, 0.25 s after the UDP frame.
    const e7 = await runCli(['--json', f7]);
    assert.equal(e7.code, 0, e7.stderr);
    const doc7 = JSON.parse(e7.stdout) as { connections: { start: number }[] };
    const e = await runCli(['--json', file]);
    const doc = JSON.parse(e.stdout) as { connections: { start: number }[] };
    assert.equal(doc7.connections[0].start, Math.round((doc.connections[0].start + 0.25) * 1e9) / 1e9);
    const t7 = await runCli(['--format', 'packets', f7]);
    assert.match(t7.stdout.split('\n').find((l) => /Flags \[S\]/.test(l)) ?? '', /\s0\.250000\s/);
  });
});

describe('lab: every fixture', () => {
  it('lab --json validates against the schema, and text never fails, on every shipped capture', async () => {
    const fx = join(REPO_ROOT, 'fixtures');
    let n = 0;
    for (const d of readdirSync(fx)) {
      if (!statSync(join(fx, d)).isDirectory()) continue;
      for (const f of readdirSync(join(fx, d))) {
        if (!/\.(pcap|pcapng)(\.gz)?$/.test(f)) continue;
        const file = join(fx, d, f);
        const j = await runCli(['lab', '--json', file]);
        assert.equal(j.code, 0, `${file}: ${j.stderr}`);
        const doc = JSON.parse(j.stdout) as LabKey;
        assert.ok(validate(doc), `${file}: ${JSON.stringify((validate as { errors?: unknown }).errors)}`);
        for (const lang of ['en', 'zh']) assert.equal((await runCli(['lab', '--lang', lang, file])).code, 0);
        n++;
      }
    }
    assert.ok(n >= 30, `${n} captures`);
  });

  it('midstream: the client is inferred and the window scale said to be unknown', async () => {
    const file = join(REPO_ROOT, 'fixtures', 'tcp-midstream', 'capture.pcap');
    const k = await labJson([file]);
    assert.equal(k.syn, null);
    assert.equal(typeof k.client.inferredBy, 'string');
    const r = await runCli(['lab', file]);
    assert.match(r.stdout, /no SYN captured; inferred from the ports/);
    assert.match(r.stdout, /the window scale is unknown/);
  });
});

describe('lab: command line', () => {
  it('usage errors exit 2 with a message', async () => {
    const f = join(REPO_ROOT, 'fixtures', 'http-ipv4', 'capture.pcap');
    for (const [args, re] of [
      [['lab'], /missing required argument 'capture'/],
      [['lab', '-n', '0', f], /-n\/--segments "0"/],
      [['lab', '--alpha', '2', f], /--alpha "2"/],
      [['lab', '-s', '9', f], /no connection matches the selection/],
      [['lab', join(tmp, 'nope.pcap')], /nope\.pcap/],
    ] as [string[], RegExp][]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, re);
    }
  });

  it('a capture without TCP data still answers what it can', async () => {
    const f = join(tmp, 'nodata.pcap');
    writeUpload(f, { segments: 0, closer: null });
    const r = await runCli(['lab', f]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /The client sent no data/);
    const k = await labJson([f]);
    assert.equal(k.firstData, null);
    assert.equal(k.throughput, null);
    assert.deepEqual(k.segments, []);
  });
});

/** fixtures/lab-*: expected-lab.json keys made independently (another branch); compared field by field. */
function labFixtures(): { capture: string; expected: string }[] {
  const out: { capture: string; expected: string }[] = [];
  const fx = join(REPO_ROOT, 'fixtures');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === 'expected-lab.json') {
        const cap = ['capture.pcap', 'capture.pcapng', 'capture.pcap.gz'].map((c) => join(dirname(p), c)).find((c) => existsSync(c));
        if (cap) out.push({ capture: cap, expected: p });
      } else if (name.endsWith('.expected-lab.json')) {
        const base = name.slice(0, -'.expected-lab.json'.length);
        // fixtures/lab-kurose: the published traces stay in ../shared/corpus (not copied)
        const cap = [join(dir, base), join(KUROSE, base), join(KUROSE, `${base}.pcapng`), join(KUROSE, `${base}.pcap`)].find((c) => existsSync(c));
        if (cap) out.push({ capture: cap, expected: p });
      }
    }
  };
  for (const d of readdirSync(fx)) if (d.startsWith('lab-') && statSync(join(fx, d)).isDirectory()) walk(join(fx, d));
  return out.sort((a, b) => a.expected.localeCompare(b.expected));
}

/** Every field of `expected` equals the same field of `actual` (numbers within 1e-6); extra fields of actual are allowed. */
function sameFields(actual: unknown, expected: unknown, path: string, diffs: string[]): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Math.abs(actual - expected) > 1e-6) diffs.push(`${path}: ${actual} ≠ ${expected}`);
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) diffs.push(`${path}: ${JSON.stringify(actual)?.slice(0, 80)} ≠ ${JSON.stringify(expected).slice(0, 80)}`);
    else expected.forEach((x, i) => sameFields(actual[i], x, `${path}[${i}]`, diffs));
  } else if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') diffs.push(`${path}: missing`);
    else for (const [key, x] of Object.entries(expected)) sameFields((actual as Record<string, unknown>)[key], x, `${path}.${key}`, diffs);
  } else if (actual !== expected) diffs.push(`${path}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`);
}

describe('lab: fixtures/lab-* expected keys', () => {
  const found = labFixtures();
  it(`compares lab --json with every expected-lab.json found (${found.length})`, async (t) => {
    t.diagnostic(`expected-lab.json files found: ${found.length}`);
    for (const { capture, expected } of found) {
      const exp = JSON.parse(readFileSync(expected, 'utf8')) as Record<string, unknown>;
      const args = ['lab', '--json'];
      if (typeof exp.connection === 'number') args.push('-s', String(exp.connection));
      if (Array.isArray(exp.segments)) args.push('-n', String(Math.max(1, exp.segments.length)));
      if (typeof exp.alpha === 'number') args.push('--alpha', String(exp.alpha));
      const r = await runCli([...args, capture]);
      assert.equal(r.code, 0, `${capture}: ${r.stderr}`);
      const diffs: string[] = [];
      sameFields(JSON.parse(r.stdout), exp, '$', diffs);
      assert.deepEqual(diffs, [], `${expected}`);
    }
  });
});

describe('lab: a SYN that carries data', () => {
  it('the POST is still found in the first data segment after the SYN (TCP Fast Open data the server did not take)', async () => {
    const plain = join(tmp, 'upload-plain.pcap');
    const tfo = join(tmp, 'upload-syn-data.pcap');
    writeUpload(plain, {});
    writeUpload(tfo, { synPayload: [...Buffer.from('GET /cookie HTTP/1.1\r\n\r\n', 'latin1')] });
    const a = await labJson([plain]);
    const b = await labJson([tfo]);
    assert.equal(a.firstData?.httpRequest, 'POST /upload HTTP/1.1');
    // the SYN's bytes are not the first data segment's (the key's segments start after the SYN)
    assert.equal(b.firstData?.frame, a.firstData?.frame);
    assert.equal(b.firstData?.httpRequest, 'POST /upload HTTP/1.1');
  });
});

describe('lab: damaged lengths', () => {
  it('a record whose original length is 0 gives frameLength 0, as tshark\'s frame.len, and the key still matches the schema', async () => {
    // tcp-four-way with record 4 (the client's data, 84 bytes captured) saying it was 0 bytes on
    // the wire: tshark 4.0.17 shows frame.len 0 and frame.cap_len 84 (fuzz.test.ts's smoke run
    // found the schema's minimum of 1 refusing such a key)
    const src = readFileSync(join(REPO_ROOT, 'fixtures', 'tcp-four-way', 'capture.pcap'));
    const b = Buffer.from(src);
    const le = b.readUInt32LE(0) === 0xa1b2c3d4 || b.readUInt32LE(0) === 0xa1b23c4d;
    let p = 24;
    for (let i = 1; i < 4; i++) p += 16 + (le ? b.readUInt32LE(p + 8) : b.readUInt32BE(p + 8));
    assert.equal(le ? b.readUInt32LE(p + 12) : b.readUInt32BE(p + 12), 84);
    if (le) b.writeUInt32LE(0, p + 12);
    else b.writeUInt32BE(0, p + 12);
    const cap = join(tmp, 'orig-len-0.pcap');
    writeFileSync(cap, b);
    const k = await labJson([cap]);
    assert.equal(k.segments[0]?.frame, 4);
    assert.equal(k.segments[0]?.frameLength, 0);
    assert.equal(k.segments[0]?.tcpLength, 50);
  });
});

describe('lab: a capture far bigger than a lab\'s', () => {
  it('stops with a message at its packet budget, never out of heap; keyed in bounded memory when connections end; a selected connection is keyed alone', async () => {
    const { writeSyntheticPcap, writeBulkPcap } = await import('../scripts/synth.js');
    const { labPacketBudget } = await import('../src/lab/collect.js');
    // a third of the heap at about 400 bytes a packet: 3.6 million with a 4.3 GB heap
    assert.equal(labPacketBudget(4_345_298_944), 3_621_082);
    const big = join(tmp, 'synth20k.pcap');
    writeSyntheticPcap(big, { connections: 20_000 });
    // a connection of 200 000 packets and more with a 64 MB old generation: the build before the
    // budget died there (V8's fatal error, signal 6, its stack trace on standard error)
    const bin = join(REPO_ROOT, 'bin', 'tcpflow-explain.js');
    const run = (args: string[]): { status: number | null; stdout: string; stderr: string } =>
      spawnSync(process.execPath, ['--max-old-space-size=64', bin, 'lab', ...args, big], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } });
    // without a selection every connection may be the lab's, but those closed behind the one
    // with the most payload so far are let go 60 s (or 256 closes) later: keyed in bounded memory
    const all = run(['--json']);
    assert.equal(all.status, 0, all.stderr.slice(-500));
    assert.equal((JSON.parse(all.stdout) as LabKey & { connection: number }).connection, 0);
    // one connection of more packets than the budget is kept whole: the budget stops the read.
    // The budget is the child's, from its heap's limit: with a 64 MB old generation that is 112
    // MB on Node 20 and 22 (97 866 packets) and 268 MB on Node 24, whose young generation is
    // larger (223 696 packets)
    const limit = Number(spawnSync(process.execPath, ['--max-old-space-size=64', '-p', "require('node:v8').getHeapStatistics().heap_size_limit"], { encoding: 'utf8' }).stdout);
    const budget = labPacketBudget(limit);
    assert.ok(budget > 50_000 && budget < 400_000, `a budget of ${budget} packets`);
    const packets = Math.max(200_000, budget + 30_000);
    const bulk = join(tmp, 'bulk-over-budget.pcap');
    writeBulkPcap(bulk, packets);
    const r = spawnSync(process.execPath, ['--max-old-space-size=64', bin, 'lab', bulk], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } });
    assert.equal(r.status, 2, r.stderr.slice(-500));
    const m = /: stopped at frame (\d+): lab keeps every TCP packet of the connections that may be the one it answers for, and this capture had more than ([\d,]+) at once \(a lab capture has hundreds\)\. Select the lab's connection with --stream, --port or --host/.exec(r.stderr);
    assert.ok(m, r.stderr);
    // read no further than the budget: the frame after it
    assert.equal(Number(m[2]!.replace(/,/g, '')), budget);
    assert.equal(Number(m[1]), budget + 1);
    assert.ok(Number(m[1]) < packets);
    assert.doesNotMatch(r.stderr, /FATAL|heap out of memory/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
    assert.equal(r.stdout, '');
    // one connection selected: only its packets are kept (ten), and it is keyed
    const one = run(['--json', '--stream', '7']);
    assert.equal(one.status, 0, one.stderr.slice(-500));
    const key = JSON.parse(one.stdout) as LabKey & { connection: number; otherConnections: number[]; syn: { frame: number } | null };
    assert.ok(validate(key), JSON.stringify((validate as { errors?: unknown }).errors));
    assert.equal(key.connection, 7);
    assert.equal(key.otherConnections.length, 19_999);
    assert.ok(key.syn !== null && key.syn.frame > 1);
    // the warning names ten others (those with the most payload: here all alike, so the first
    // ids) and counts the rest, not 19 999 of them
    assert.match(one.stderr, /: the capture has 20000 TCP connections; answering for connection 7 \(198\.18\.0\.7:10003 → 198\.19\.0\.1:80, 600 bytes of payload\), the selected one with the most payload\. Others with the most payload: 0 \([^)]*\); 1 .*; 10 \([^)]*\); and 19989 more \(`tcpflow-explain --format summary [^`]+` lists them all\)\. Use -s ID to choose another\.\n$/);
    assert.doesNotMatch(one.stderr, /; 6 \(.*; 7 \(|; 11 \(/);
    const zh = run(['--lang', 'zh', '--stream', '7']);
    assert.equal(zh.status, 0, zh.stderr.slice(-500));
    assert.match(zh.stderr, /：抓包中有 20000 条 TCP 连接；按所选连接中载荷最多的连接 7（198\.18\.0\.7:10003 → 198\.19\.0\.1:80，载荷 600 字节）作答。载荷最多的其他连接：0（[^）]*）；.*；另有 19989 条（`tcpflow-explain --format summary [^`]+` 列出全部）。用 -s ID 选择其他连接。\n$/);
  });

  it('a selection releases the connections it leaves out once closed: their later packets are their streams\' still', async () => {
    // tcp-continuation: streams 0 and 1 (42001) see packets again 70 s after they closed; kept
    // whole when every connection is kept, continuations of them when released
    const cap = join(REPO_ROOT, 'fixtures', 'tcp-continuation', 'capture.pcap');
    const r = await runCli(['lab', '--json', '-s', '2', cap]);
    assert.equal(r.code, 0, r.stderr);
    const key = JSON.parse(r.stdout) as LabKey & { connection: number; otherConnections: number[] };
    assert.equal(key.connection, 2);
    assert.deepEqual(key.otherConnections, [0, 1, 3, 4]);
    // stream 1's payload is its two parts' (40 + 50 bytes); no word of continuation records,
    // which the lab does not show
    assert.equal(r.stderr, `tcpflow-explain: warning: ${cap}: the capture has 5 TCP connections; answering for connection 2 (127.0.0.1:42002 → 127.0.0.2:80, 80 bytes of payload), the selected one with the most payload. Others: 0 (127.0.0.1:42001 → 127.0.0.2:80, 40 bytes of payload); 1 (127.0.0.1:42001 → 127.0.0.2:80, 90 bytes of payload); 3 (127.0.0.1:42003 → 127.0.0.2:80, 40 bytes of payload); 4 (127.0.0.1:42004 → 127.0.0.2:80, 20 bytes of payload). Use -s ID to choose another.\n`);
    // the key of stream 1, selected, is of both its parts: never released
    const one = await labJson(['-s', '1', cap]);
    // without a selection stream 1 (40 bytes when it closed) was behind stream 0... and let go;
    // its later 50 bytes made it the lab's: read again alone, its key is the same
    const all = await labJson([cap]);
    assert.equal(all.connection, 1);
    assert.deepEqual({ ...one, capture: null }, { ...all, capture: null });
    // standard input cannot be read again: there none the lab may answer for is let go early
    const piped = await runCli(['lab', '--json', '-'], Readable.from([readFileSync(cap)]));
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual({ ...(JSON.parse(piped.stdout) as LabKey), capture: null }, { ...all, capture: null });
    // nor a pipe given as a path (a shell's process substitution, /dev/fd/N): read again, it
    // was empty (exit 2, "empty input")
    const bin = join(REPO_ROOT, 'bin', 'tcpflow-explain.js');
    const sub = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" lab --json <(cat "${cap}")`], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } });
    assert.equal(sub.status, 0, sub.stderr);
    assert.deepEqual({ ...(JSON.parse(sub.stdout) as LabKey), capture: null }, { ...all, capture: null });
  });

  // (fuzz seed 145, input 2237: a stream that closed behind another, so let go, then took the
  // lead, and whose packets after its release carried no payload: its key lacked them when read
  // from a file, and had them from standard input)
  it('a continuation without payload of the lab\'s stream: read again whole, the same key from a file and from standard input', async () => {
    const seg = (port: number, fromClient: boolean, flags: number, seq: number, ack: number, len = 0, window = 1000): Uint8Array => ethernet({
      type: ETHERTYPE.IPV4,
      payload: ipv4({
        src: fromClient ? '192.0.2.1' : '192.0.2.2', dst: fromClient ? '192.0.2.2' : '192.0.2.1', proto: IPPROTO.TCP,
        payload: tcp({ srcPort: fromClient ? port : 80, dstPort: fromClient ? 80 : port, seq, ack, flags, window, payload: new Uint8Array(len) }),
      }),
    });
    const A = TCP_ACK;
    const frames: [number, Uint8Array][] = [
      // stream 0: 100 bytes and a close
      [0, seg(40000, true, TCP_SYN, 1000, 0)], [0.01, seg(40000, false, TCP_SYN | A, 5000, 1001)], [0.02, seg(40000, true, A, 1001, 5001)],
      [0.03, seg(40000, true, A | TCP_PSH, 1001, 5001, 100)], [0.04, seg(40000, false, A, 5001, 1101)],
      [0.05, seg(40000, true, A | TCP_FIN, 1101, 5001)], [0.06, seg(40000, false, A | TCP_FIN, 5001, 1102)], [0.07, seg(40000, true, A, 1102, 5002)],
      // stream 1: its handshake and a RST with nothing sent (behind stream 0: let go at its release)...
      [1, seg(40001, true, TCP_SYN, 2000, 0)], [1.01, seg(40001, false, TCP_SYN | A, 7000, 2001)], [1.02, seg(40001, true, A, 2001, 7001)],
      [1.03, seg(40001, true, TCP_RST | A, 2001, 7001)],
      // ... then 200 bytes all the same (the lab's now), and 70 s later an ACK with a window of 300
      [1.04, seg(40001, true, A | TCP_PSH, 2001, 7001, 200)], [1.05, seg(40001, false, A, 7001, 2201)],
      [71, seg(40001, false, A, 7001, 2201, 0, 300)],
    ];
    const cap = join(tmp, 'continuation-no-payload.pcap');
    writeFileSync(cap, pcapFile({ byteOrder: 'le', records: frames.map(([t, data]) => ({ sec: 1700000000 + Math.floor(t), frac: Math.round((t % 1) * 1e6), data })) }));
    const file = await labJson([cap]);
    assert.equal(file.connection, 1);
    // the last ACK's window is the server's smallest
    assert.deepEqual([file.window.server?.min, file.window.server?.minFrame], [300, 15]);
    const piped = await runCli(['lab', '--json', '-'], Readable.from([readFileSync(cap)]));
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual({ ...(JSON.parse(piped.stdout) as LabKey), capture: null }, { ...file, capture: null });
  });

  it('a selected connection among more connections than the heap holds: keyed, the others a line each', async () => {
    const { writeSyntheticPcap } = await import('../scripts/synth.js');
    const many = join(tmp, 'synth60k.pcap');
    writeSyntheticPcap(many, { connections: 60_000 });
    // 60 000 connections of about 1.6 KB, 96 MB, with a 48 MB old generation: the build that
    // kept every connection's object (the tracker's list) died there (V8's fatal error, signal
    // 6, its stack trace); the tracker's cap (16 000 open with this heap) evicts the others
    const bin = join(REPO_ROOT, 'bin', 'tcpflow-explain.js');
    const r = spawnSync(process.execPath, ['--max-old-space-size=48', bin, 'lab', '--json', '-s', '59990', many], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } });
    assert.equal(r.status, 0, r.stderr.slice(-500));
    assert.doesNotMatch(r.stderr, /FATAL|heap out of memory/);
    assert.doesNotMatch(r.stderr, STACK_LINE);
    const key = JSON.parse(r.stdout) as LabKey & { connection: number; otherConnections: number[] };
    assert.ok(validate(key), JSON.stringify((validate as { errors?: unknown }).errors));
    assert.equal(key.connection, 59_990);
    // every other id, in the order the connections were opened
    assert.equal(key.otherConnections.length, 59_999);
    assert.deepEqual(key.otherConnections.slice(59_985, 59_995), [59_985, 59_986, 59_987, 59_988, 59_989, 59_991, 59_992, 59_993, 59_994, 59_995]);
    assert.ok(key.otherConnections.every((id, i) => id === (i < 59_990 ? i : i + 1)));
    assert.equal(key.segments.length, 1);
    assert.match(r.stderr, /: the capture has 60000 TCP connections; answering for connection 59990 \(198\.18\.234\.86:10002 → 198\.19\.0\.1:80, 600 bytes of payload\), the selected one with the most payload\. Others with the most payload: 0 \(198\.18\.0\.0:10000 → 198\.19\.0\.1:80, 600 bytes of payload\); .*; 9 \([^)]*\); and 59989 more /);
  });
});
