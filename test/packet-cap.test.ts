/**
 * The per-connection cap on kept packet records (src/render/json.ts, PacketCollector): a flow
 * with more packets than the limit keeps its first and last records, counts and names the
 * ones in between, says so in JSON (packetsOmitted, in the schema), in the walkthrough and in
 * Mermaid, and never holds more than the limit while reading.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { CaptureRun } from '../src/pipeline.js';
import { Tracker } from '../src/analyze/tracker.js';
import { newConnection, type Connection } from '../src/analyze/connection.js';
import { MAX_PACKET_RECORDS, PacketCollector, RecordsByConnection, TAIL_PACKET_RECORDS, type PacketRecords } from '../src/render/json.js';
import { NO_RECORDS } from '../src/render/records.js';
import { PH_DATA, PH_TEARDOWN } from '../src/analyze/story.js';
import { pcapFile } from './helpers/capfile.js';
import { recordsArray } from './helpers/json-bytes.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN } from '../src/decode/packet.js';
import { ethernet, ETHERTYPE, ipv4, IPPROTO, tcp } from './helpers/wire.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'tcpflow-explain.schema.json'), 'utf8')) as object);

const C_ISN = 1000;
const S_ISN = 5000;

function frame(fromClient: boolean, flags: number, seq: number, ack: number, len: number): Uint8Array {
  return ethernet({
    type: ETHERTYPE.IPV4,
    payload: ipv4({
      src: fromClient ? '192.0.2.1' : '192.0.2.2', dst: fromClient ? '192.0.2.2' : '192.0.2.1', proto: IPPROTO.TCP,
      payload: tcp({ srcPort: fromClient ? 40000 : 80, dstPort: fromClient ? 80 : 40000, seq, ack, flags, window: 1000, payload: new Uint8Array(len) }),
    }),
  });
}

/**
 * One connection of `n` packets as a classic pcap: handshake, n − 6 data segments of 10 bytes
 * from the client (frame k at 1 ms × k), and a three-way close. Built from two templates with
 * seq and timestamps patched, so a 100 000-packet capture takes milliseconds. `repeats`: data
 * segments (by index) sent twice in a row, the copy a retransmission (n + repeats.length packets).
 */
function bigFlow(n: number, repeats: readonly number[] = []): Uint8Array {
  const frames: Uint8Array[] = [
    frame(true, TCP_SYN, C_ISN, 0, 0),
    frame(false, TCP_SYN | TCP_ACK, S_ISN, C_ISN + 1, 0),
    frame(true, TCP_ACK, C_ISN + 1, S_ISN + 1, 0),
  ];
  const data = n - 6;
  const dataTemplate = frame(true, TCP_PSH | TCP_ACK, 0, S_ISN + 1, 10);
  const end = C_ISN + 1 + data * 10;
  const tail = [
    frame(true, TCP_FIN | TCP_ACK, end, S_ISN + 1, 0),
    frame(false, TCP_FIN | TCP_ACK, S_ISN + 1, end + 1, 0),
    frame(true, TCP_ACK, end + 1, S_ISN + 2, 0),
  ];
  const recLen = (f: Uint8Array): number => 16 + f.length;
  const size = 24 + frames.reduce((s, f) => s + recLen(f), 0) + (data + repeats.length) * recLen(dataTemplate) + tail.reduce((s, f) => s + recLen(f), 0);
  const out = Buffer.alloc(size);
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(262144, 16);
  out.writeUInt32LE(1, 20);
  let o = 24;
  let k = 0;
  const put = (f: Uint8Array, seq: number | null): void => {
    out.writeUInt32LE(1700000000 + Math.floor(k / 1000), o);
    out.writeUInt32LE((k % 1000) * 1000, o + 4);
    out.writeUInt32LE(f.length, o + 8);
    out.writeUInt32LE(f.length, o + 12);
    out.set(f, o + 16);
    if (seq !== null) out.writeUInt32BE(seq >>> 0, o + 16 + 14 + 20 + 4);
    o += 16 + f.length;
    k++;
  };
  for (const f of frames) put(f, null);
  for (let i = 0; i < data; i++) {
    put(dataTemplate, C_ISN + 1 + i * 10);
    if (repeats.includes(i)) put(dataTemplate, C_ISN + 1 + i * 10);
  }
  for (const f of tail) put(f, null);
  assert.equal(o, size);
  return out;
}

/** Runs a capture through a Tracker and a collector; `watch` sees the collector after every packet. */
function collect(bytes: Uint8Array, collector: PacketCollector, watch?: (c: Connection) => void): Tracker {
  const tracker = new Tracker({
    onPacket: (c, r, f, p) => { collector.onPacket(c, r, f, p); if (watch) watch(c); },
    onFinal: (c) => collector.onFinal(c),
  });
  const run = new CaptureRun(tracker);
  run.push(bytes);
  run.finish();
  tracker.finish();
  return tracker;
}

describe('records by connection', () => {
  it('the first collector keeps them on the connection, a second in its own Map; each sees only its own', () => {
    const one = new RecordsByConnection();
    const two = new RecordsByConnection();
    const a = newConnection();
    const b = newConnection();
    const la = [] as unknown as PacketRecords;
    const lb = [] as unknown as PacketRecords;
    const l2 = [] as unknown as PacketRecords;
    one.set(a, la);
    two.set(a, l2);
    assert.equal(a.recordsOwner, one);
    assert.equal(one.get(a), la);
    assert.equal(two.get(a), l2);
    assert.equal(one.get(b), undefined);
    assert.equal(two.get(b), undefined);
    // set again: replaced, not counted twice
    two.set(a, lb);
    assert.equal(two.get(a), lb);
    assert.deepEqual([one.size, two.size], [1, 1]);
    // the owner lets go: the other's records stay where they are, and a is free to claim
    one.delete(a);
    assert.equal(a.recordsOwner, null);
    assert.equal(one.get(a), undefined);
    assert.equal(two.get(a), lb);
    two.set(a, l2);
    assert.equal(two.get(a), l2);
    assert.equal(a.recordsOwner, null, 'still in its Map, not claimed twice');
    two.delete(a);
    assert.equal(two.get(a), undefined);
    two.set(b, lb);
    assert.equal(b.recordsOwner, two);
    one.set(b, la);
    assert.equal(one.get(b), la);
    assert.deepEqual([one.size, two.size], [1, 1]);
    one.delete(b);
    two.delete(b);
    two.delete(b);
    assert.deepEqual([one.size, two.size], [0, 0]);
    assert.deepEqual([b.records, b.recordsOwner], [null, null]);
  });
});

describe('packet records recycled', () => {
  it('a finalised connection\'s records, given back, are filled again without touching the open ones', async () => {
    const { runCapture } = await import('../src/pipeline.js');
    // (the lists too: taken again empty by later connections, never with a record of the one before)
    let listsTakenAgainInAll = 0;
    // many short connections interleaved and released while others are open; and a capped one
    for (const [file, limit] of [[join(REPO_ROOT, 'fixtures', 'regress', 'many-connections.pcap.gz'), MAX_PACKET_RECORDS],
      [join(REPO_ROOT, 'fixtures', 'tcp-loss', 'capture.pcap'), 8], [join(REPO_ROOT, 'fixtures', 'tcp-port-reuse', 'capture.pcap'), MAX_PACKET_RECORDS]] as const) {
      const reused = new PacketCollector(limit);
      const fresh = new PacketCollector(limit);
      let finalised = 0;
      let recycledBefore = 0;
      // the connections the collectors hold records of
      const held = new Set<Connection>();
      // the lists recycled, and how many connections were given one of them again
      const recycledLists = new Set<PacketRecords>();
      let listsTakenAgain = 0;
      const tracker = new Tracker({
        onPacket: (c, r, f, p) => {
          const had = reused.byConnection.get(c) !== undefined;
          reused.onPacket(c, r, f, p);
          fresh.onPacket(c, r, f, p);
          held.add(c);
          if (!had && recycledLists.has(reused.byConnection.get(c) as PacketRecords)) listsTakenAgain++;
        },
        onFinal: (c) => {
          reused.onFinal(c);
          fresh.onFinal(c);
          // every connection still held has the records a collector that never recycles has
          assert.equal(reused.byConnection.size, held.size);
          assert.equal(fresh.byConnection.size, held.size);
          for (const k of held) assert.deepEqual(recordsArray(reused.byConnection.get(k) ?? NO_RECORDS), recordsArray(fresh.byConnection.get(k) ?? NO_RECORDS), `${file}: #${k.id}`);
          assert.deepEqual((reused.byConnection.get(c) as PacketRecords).omitted, (fresh.byConnection.get(c) as PacketRecords).omitted);
          recycledBefore += reused.byConnection.get(c)?.length ?? 0;
          const list = reused.byConnection.get(c);
          if (list !== undefined) recycledLists.add(list);
          reused.recycle(c);
          fresh.byConnection.delete(c);
          held.delete(c);
          finalised++;
        },
      }, { keepAll: false, lingerSeconds: 0.001 });
      await runCapture(file, tracker);
      assert.ok(finalised > 0 && recycledBefore > 0);
      listsTakenAgainInAll += listsTakenAgain;
      assert.equal(reused.byConnection.size, 0);
      assert.equal(fresh.byConnection.size, 0);
    }
    assert.ok(listsTakenAgainInAll > 0, 'no list taken again');
  });
});

describe('packet record cap', () => {
  it('the default keeps 100000 records per connection, the last 1000 of them from the end', () => {
    assert.equal(MAX_PACKET_RECORDS, 100000);
    assert.equal(TAIL_PACKET_RECORDS, 1000);
  });

  it('a flow over the limit keeps the first and the last records and names the ones left out', () => {
    const bytes = bigFlow(50);
    const all = new PacketCollector();
    const t1 = collect(bytes, all);
    const capped = new PacketCollector(10);
    const t2 = collect(bytes, capped);
    const full = all.byConnection.get(t1.connections[0]) as PacketRecords;
    const kept = capped.byConnection.get(t2.connections[0]) as PacketRecords;
    assert.equal(full.length, 50);
    assert.equal(full.omitted, undefined);
    assert.equal(kept.length, 10);
    // head = 10 − min(1000, 10 / 2) = 5 records, tail = 5
    assert.deepEqual(recordsArray(kept).map((r) => r.frame), [1, 2, 3, 4, 5, 46, 47, 48, 49, 50]);
    assert.deepEqual(recordsArray(kept), [...recordsArray(full).slice(0, 5), ...recordsArray(full).slice(45)]);
    // frames 6 to 45 are all data segments of 10 bytes from the client (a, the first sender)
    assert.deepEqual(kept.omitted, { count: 40, fromFrame: 6, toFrame: 45, limit: 10, dataSegmentsA: 40, dataBytesA: 400, dataSegmentsB: 0, dataBytesB: 0 });
  });

  it('exactly at the limit nothing is left out; one more and one is', () => {
    for (const [n, omitted] of [[10, undefined], [11, { count: 1, fromFrame: 6, toFrame: 6, limit: 10, dataSegmentsA: 1, dataBytesA: 10, dataSegmentsB: 0, dataBytesB: 0 }]] as const) {
      const c = new PacketCollector(10);
      const t = collect(bigFlow(n), c);
      const kept = c.byConnection.get(t.connections[0]) as PacketRecords;
      assert.equal(kept.length, 10, `${n} packets`);
      assert.deepEqual(kept.omitted, omitted, `${n} packets`);
    }
  });

  it('a limit of 1 keeps the first record only', () => {
    const c = new PacketCollector(1);
    const t = collect(bigFlow(20), c);
    const kept = c.byConnection.get(t.connections[0]) as PacketRecords;
    assert.deepEqual(recordsArray(kept).map((r) => r.frame), [1]);
    // the SYN-ACK, the handshake's ACK, 14 data segments and the three segments of the close
    assert.deepEqual(kept.omitted, { count: 19, fromFrame: 2, toFrame: 20, limit: 1, dataSegmentsA: 14, dataBytesA: 140, dataSegmentsB: 0, dataBytesB: 0 });
  });

  it('a packet of the teardown with data left out is not counted with the data segments, as the full list does not count it', () => {
    // handshake, 4 data segments of 10 bytes from the client, its FIN carrying 10 bytes sent three
    // times (the teardown's phase, with data), the server's FIN and the last ACK: 12 packets
    const end = C_ISN + 1 + 40;
    const frames = [
      frame(true, TCP_SYN, C_ISN, 0, 0),
      frame(false, TCP_SYN | TCP_ACK, S_ISN, C_ISN + 1, 0),
      frame(true, TCP_ACK, C_ISN + 1, S_ISN + 1, 0),
      ...[0, 1, 2, 3].map((i) => frame(true, TCP_PSH | TCP_ACK, C_ISN + 1 + i * 10, S_ISN + 1, 10)),
      ...[0, 1, 2].map(() => frame(true, TCP_FIN | TCP_PSH | TCP_ACK, end, S_ISN + 1, 10)),
      frame(false, TCP_FIN | TCP_ACK, S_ISN + 1, end + 11, 0),
      frame(true, TCP_ACK, end + 11, S_ISN + 2, 0),
    ];
    const bytes = pcapFile({ byteOrder: 'le', records: frames.map((data, k) => ({ sec: 1700000000, frac: k * 1000, data })) });
    const all = new PacketCollector();
    const full = all.byConnection.get(collect(bytes, all).connections[0]) as PacketRecords;
    const records = recordsArray(full);
    assert.equal(records.length, 12);
    // the FINs with data are of the teardown, and not among the data segments
    assert.deepEqual(records.filter((r) => r.len > 0 && r.phase !== PH_DATA).map((r) => [r.frame, r.phase]), [[8, PH_TEARDOWN], [9, PH_TEARDOWN], [10, PH_TEARDOWN]]);
    const dataOf = (list: PacketRecords, fromA: boolean): [number, number] => {
      let segments = 0;
      let bytes = 0;
      for (const r of recordsArray(list)) {
        if (r.phase !== PH_DATA || r.fromA !== fromA || r.len <= 0) continue;
        segments++;
        bytes += r.len;
      }
      const o = list.omitted;
      if (o !== undefined) {
        segments += fromA ? o.dataSegmentsA : o.dataSegmentsB;
        bytes += fromA ? o.dataBytesA : o.dataBytesB;
      }
      return [segments, bytes];
    };
    assert.deepEqual(dataOf(full, true), [4, 40]);
    assert.deepEqual(dataOf(full, false), [0, 0]);
    // limit 1: all but the SYN left out (no ring); 4: the handshake's first two and the last two
    // kept, the three FINs with data left out of the ring; 6: the last three kept, two FINs left out
    for (const [limit, omittedCount] of [[1, 11], [4, 8], [6, 6]] as const) {
      const c = new PacketCollector(limit);
      const kept = c.byConnection.get(collect(bytes, c).connections[0]) as PacketRecords;
      assert.equal(kept.omitted?.count, omittedCount, `limit ${limit}`);
      assert.deepEqual(dataOf(kept, true), [4, 40], `limit ${limit}`);
      assert.deepEqual(dataOf(kept, false), [0, 0], `limit ${limit}`);
    }
  });

  it('while reading, a connection never holds more records than the limit (memory bounded by it)', () => {
    const c = new PacketCollector(300);
    let most = 0;
    const tracker = collect(bigFlow(20000), c, (conn) => {
      const n = c.keptCount(conn);
      if (n > most) most = n;
    });
    assert.equal(most, 300);
    assert.equal(tracker.connections[0].packets, 20000);
    assert.equal((c.byConnection.get(tracker.connections[0]) as PacketRecords).omitted?.count, 19700);
  });

  it('the CLI: a 101200-packet flow gives 100000 packet records, packetsOmitted in JSON (schema-valid), and a note in the walkthrough and Mermaid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcpflow-cap-'));
    try {
      const file = join(dir, 'big.pcap');
      writeFileSync(file, bigFlow(101200));
      const r = await runCli(['--json', '--packets', file]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { connections: { packetCount: { client: number; server: number }; packets: { frame: number }[]; packetsOmitted?: unknown; teardown: { kind: string } }[] };
      assert.ok(validate(doc), JSON.stringify(validate.errors));
      const c = doc.connections[0];
      assert.equal(c.packetCount.client + c.packetCount.server, 101200);
      assert.equal(c.packets.length, 100000);
      assert.deepEqual(c.packetsOmitted, { count: 1200, fromFrame: 99001, toFrame: 100200, limit: 100000 });
      assert.equal(c.packets[98999].frame, 99000);
      assert.equal(c.packets[99000].frame, 100201);
      assert.equal(c.packets[99999].frame, 101200);
      assert.equal(c.teardown.kind, 'three-way');
      // without --packets nothing is said about records
      const plain = JSON.parse((await runCli(['--json', file])).stdout) as { connections: Record<string, unknown>[] };
      assert.equal('packetsOmitted' in plain.connections[0], false);

      const text = await runCli(['--format', 'text', file]);
      assert.equal(text.code, 0);
      assert.match(text.stdout, /1200 packet\(s\) from frame 99001 to frame 100200 not kept/);
      // the data counts are the whole connection's: 101194 segments of 10 bytes from the client
      assert.match(text.stdout, /client → server: 101194 segments with data, 1011940 bytes\n/);
      assert.match(text.stdout, /server → client: 0 segments with data, 0 bytes\n/);
      // --verbose lists the packets kept, not all of them: the hint says so
      assert.match(text.stdout, /… \d+ more packet\(s\) \(use --verbose to list every packet kept\)/);
      const zh = await runCli(['--format', 'text', '--lang', 'zh', file]);
      assert.match(zh.stdout, /客户端 → 服务器：101194 个数据报文段，共 1011940 字节/);
      // the teardown, in the records kept from the end, is still told step by step
      assert.match(text.stdout, /frame 101198 {2}client → server {2}\[FIN, ACK\]/);
      const mm = await runCli(['--format', 'mermaid', file]);
      assert.match(mm.stdout, /Note over C,S: 1200 packet\(s\) from frame 99001 to frame 100200 not kept/);
      // the message's ';' (a statement's end in Mermaid) as a comma
      assert.match(mm.stdout, /first and last packets up to a limit, the packets listed below are among those kept/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the walkthrough says how many of a flag are among the packets not kept, not an empty list of frames', async () => {
    const dir = tempDir('tcpflow-cap-');
    // data segment 10 is sent again as frame 15 (kept); segment 99600 as frame 99605, in the
    // middle that is not kept (frames 99001 to 100202 of 101202)
    const twice = join(dir, 'twice.pcap');
    writeFileSync(twice, bigFlow(101200, [10, 99600]));
    const text = await runCli(['--format', 'text', twice]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /1202 packet\(s\) from frame 99001 to frame 100202 not kept/);
    assert.match(text.stdout, /analysis: retransmission ×2 \(15; 1 among the packets not kept\)[;\n]/);
    const zh = await runCli(['--format', 'text', '--lang', 'zh', twice]);
    assert.match(zh.stdout, /retransmission ×2 \(15; 其中 1 个在未保留的报文中\)[;\n]/);
    // only the one not kept: no frame listed, the count said
    const once = join(dir, 'once.pcap');
    writeFileSync(once, bigFlow(101200, [99600]));
    const one = await runCli(['--format', 'text', once]);
    assert.match(one.stdout, /analysis: retransmission ×1 \(1 among the packets not kept\)[;\n]/);
    // every one kept: the frames alone, as before
    const kept = join(dir, 'kept.pcap');
    writeFileSync(kept, bigFlow(101200, [10]));
    assert.match((await runCli(['--format', 'text', kept])).stdout, /analysis: retransmission ×1 \(15\)[;\n]/);
  });
});
