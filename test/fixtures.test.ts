/**
 * Every capture in fixtures/ against what was recorded beside it:
 * - expected.json (format, frames, TCP frames, link types), and
 * - <capture>.tshark.tsv, tshark 4.0's per-frame view (scripts/tshark-refs.sh): the same TCP
 *   frames, with equal timestamps (to the nanosecond), addresses, ports, flags, raw sequence
 *   and acknowledgement numbers and payload lengths.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/corpus.js';
import { runCapture } from '../src/pipeline.js';
import type { Frame } from '../src/capture/frame.js';
import { formatTimestamp } from '../src/capture/frame.js';
import type { Packet } from '../src/decode/packet.js';
import { addressToString } from '../src/util/addr.js';

const FIXTURES = join(REPO_ROOT, 'fixtures');
const CAPTURE = /\.(pcap|pcapng)(\.gz)?$/;

interface Row { frame: string; time: string; src: string; sport: string; dst: string; dport: string; flags: string; seqRaw: string; ackRaw: string; len: string }

function captures(): { dir: string; file: string }[] {
  const out: { dir: string; file: string }[] = [];
  for (const dir of readdirSync(FIXTURES, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(FIXTURES, dir.name))) if (CAPTURE.test(f)) out.push({ dir: dir.name, file: f });
  }
  return out.sort((a, b) => `${a.dir}/${a.file}`.localeCompare(`${b.dir}/${b.file}`));
}

function readRef(path: string): Row[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0 && !l.startsWith('#'));
  const head = lines[0].split('\t');
  const at = (f: string[], n: string): string => f[head.indexOf(n)] ?? '';
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    return {
      frame: at(f, 'frame.number'), time: at(f, 'frame.time_epoch'), src: at(f, '_ws.col.Source'), sport: at(f, 'tcp.srcport'),
      dst: at(f, '_ws.col.Destination'), dport: at(f, 'tcp.dstport'), flags: at(f, 'tcp.flags'), seqRaw: at(f, 'tcp.seq_raw'),
      ackRaw: at(f, 'tcp.ack_raw'), len: at(f, 'tcp.len'),
    };
  });
}

describe('fixtures', () => {
  for (const { dir, file } of captures()) {
    const path = join(FIXTURES, dir, file);
    it(`${dir}/${file}`, async () => {
      const rows: Row[] = [];
      const sink = {
        packet(f: Frame, p: Packet): void {
          rows.push({
            frame: String(f.number), time: formatTimestamp(f.tsSec, f.tsNsec), src: addressToString(p.ipVersion, p.src), sport: String(p.srcPort),
            dst: addressToString(p.ipVersion, p.dst), dport: String(p.dstPort), flags: `0x${p.flags.toString(16).padStart(4, '0')}`,
            seqRaw: String(p.seq), ackRaw: String(p.ack), len: String(p.payloadLen),
          });
        },
      };
      const s = await runCapture(path, sink);
      assert.equal(s.error, null);
      assert.equal(s.truncated, false);
      const expFile = join(FIXTURES, dir, 'expected.json');
      if (existsSync(expFile)) {
        const all = JSON.parse(readFileSync(expFile, 'utf8')) as Record<string, unknown>;
        const exp = (typeof all.file === 'string' ? all : all[file]) as { format: string; packets: number; tcpPackets: number; linkTypes: string[] } | undefined;
        if (exp) {
          assert.equal(s.format, exp.format);
          assert.equal(s.packets, exp.packets);
          assert.equal(s.tcpPackets, exp.tcpPackets);
          assert.deepEqual(s.linkTypes, exp.linkTypes);
        }
      }
      const refFile = join(FIXTURES, dir, `${file}.tshark.tsv`);
      if (existsSync(refFile)) {
        const ref = readRef(refFile);
        assert.equal(rows.length, ref.length, 'TCP frames');
        for (let i = 0; i < ref.length; i++) {
          // tshark prints the innermost addresses in its columns and the 0x-padded flags with AE/CWR/ECE bits
          const want = { ...ref[i], ackRaw: ref[i].ackRaw === '' ? rows[i].ackRaw : ref[i].ackRaw };
          assert.deepEqual(rows[i], want, `frame ${ref[i].frame}`);
        }
      } else {
        assert.ok(s.tcpPackets >= 0);
      }
    });
  }
});
