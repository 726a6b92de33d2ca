/** The connections[] of --json on real fixtures: values, not just shapes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT, CORPUS_DIR, corpusAvailable } from './helpers/corpus.js';
import { round9 } from '../src/util/round.js';

interface Conn {
  id: number;
  client: { ip: string; port: number; inferredBy?: string };
  server: { ip: string; port: number };
  completeness: number;
  handshake: { rtt: number | null; options: { client: { mss: number | null } | null } };
  analysis: Record<string, number>;
  packets?: { frame: number; time: number; from: string; flags: string[]; seq: number; ack: number; rawSeq: number; analysis: string[] }[];
}

async function conns(fixture: string, packets = false): Promise<Conn[]> {
  const r = await runCli(['--json', ...(packets ? ['--packets'] : []), join(REPO_ROOT, 'fixtures', fixture)]);
  assert.equal(r.code, 0);
  return (JSON.parse(r.stdout) as { connections: Conn[] }).connections;
}

describe('connections JSON', () => {
  it('a clean connection: roles, completeness 31, iRTT, SYN options', async () => {
    const [c] = await conns('http-ipv4/capture.pcap');
    assert.deepEqual(c.client, { ip: '192.0.2.1', port: 59750 });
    assert.deepEqual(c.server, { ip: '192.0.2.2', port: 8080 });
    assert.equal(c.completeness, 31);
    assert.equal(c.handshake.rtt, 0.000036);
    assert.equal(c.handshake.options.client?.mss, 1460);
    assert.deepEqual(c.analysis, {});
  });

  it('--packets: relative and raw numbers, the handshake arithmetic', async () => {
    const [c] = await conns('tcp-three-way-close/capture.pcap', true);
    const p = c.packets ?? [];
    assert.equal(p.length, 10);
    assert.deepEqual(p[0].flags, ['SYN']);
    assert.equal(p[0].seq, 0);
    assert.deepEqual(p[1].flags, ['SYN', 'ACK']);
    assert.equal(p[1].ack, 1);
    assert.equal(p[1].from, 'server');
    assert.deepEqual(p.slice(7).map((x) => [x.from, x.flags.join('+'), x.seq, x.ack]), [
      ['client', 'ACK+FIN', 19, 19],
      ['server', 'ACK+FIN', 19, 20],
      ['client', 'ACK', 20, 20],
    ]);
  });

  it('port reuse: three connections, the later two flagged reused_ports', async () => {
    const cs = await conns('tcp-port-reuse/capture.pcap');
    assert.equal(cs.length, 3);
    assert.deepEqual(cs.map((c) => c.id), [0, 1, 2]);
    assert.deepEqual(cs.map((c) => c.analysis.reused_ports ?? 0), [0, 1, 1]);
    assert.ok(cs.every((c) => c.client.port === cs[0].client.port));
  });

  it('a capture that starts mid-connection: roles inferred from the ports, no iRTT', async () => {
    const [c] = await conns('tcp-midstream/capture.pcap', true);
    assert.equal(c.client.inferredBy, 'lower-port');
    assert.equal(c.handshake.rtt, null);
    assert.equal(c.completeness, 12);
    assert.equal(c.packets?.[0].seq, 1);
  });

  it('times years after the first frame: iRTT exact as tshark shows it, packet times without rounding noise', { skip: !corpusAvailable() && 'no ../shared/corpus' }, async () => {
    // raw_ip.pcap: some connections start 341 296 274 s (10.8 years) after the first frame,
    // where a double holds no nanoseconds; tshark 4.0.17 shows tcp.analysis.initial_rtt 0.014503
    // and 0.016001, and frame.time_relative 341296282.208004000 for frame 81
    const r = await runCli(['--json', '--packets', join(CORPUS_DIR, 'captures', 'pcapplusplus', 'PcapExamples', 'raw_ip.pcap')]);
    const doc = JSON.parse(r.stdout) as { connections: Conn[] };
    assert.equal(doc.connections[2].handshake.rtt, 0.014503);
    assert.equal(doc.connections[5].handshake.rtt, 0.016001);
    assert.equal(doc.connections[5].packets?.find((p) => p.frame === 81)?.time, 341296282.208004);
  });

  it('round9 rounds to the nanosecond, and leaves alone what a double holds no nanoseconds of', () => {
    assert.equal(round9(0.4245018960000001), 0.424501896);
    assert.equal(round9(-1.0000000004), -1);
    assert.equal(round9(341296282.208004), 341296282.208004);
    assert.ok(Number.isNaN(round9(NaN)));
  });

  it('loss: analysis counts by Wireshark name', async () => {
    const [c] = await conns('tcp-loss/capture.pcap');
    assert.deepEqual(c.analysis, {
      retransmission: 2, fast_retransmission: 2, out_of_order: 1, lost_segment: 2, duplicate_ack: 16, window_update: 1,
    });
  });

  it('refused: SYN answered by RST, completeness 37', async () => {
    const [c] = await conns('tcp-refused/capture.pcap', true);
    assert.equal(c.completeness, 37);
    assert.deepEqual(c.packets?.map((x) => x.flags.join('+')), ['SYN', 'ACK+RST']);
  });
});
