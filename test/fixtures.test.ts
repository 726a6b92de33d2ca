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
import { readTsv } from './helpers/tshark-ref.js';
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
    // fixtures/regress holds damaged captures found by the fuzzer (test/regress.test.ts), without tshark views
    if (!dir.isDirectory() || dir.name === 'regress') continue;
    for (const f of readdirSync(join(FIXTURES, dir.name))) if (CAPTURE.test(f)) out.push({ dir: dir.name, file: f });
  }
  return out.sort((a, b) => `${a.dir}/${a.file}`.localeCompare(`${b.dir}/${b.file}`));
}

function readRef(path: string): Row[] {
  return readTsv(path).map((r) => ({
    frame: r['frame.number'], time: r['frame.time_epoch'], src: r['_ws.col.Source'], sport: r['tcp.srcport'],
    dst: r['_ws.col.Destination'], dport: r['tcp.dstport'], flags: r['tcp.flags'], seqRaw: r['tcp.seq_raw'],
    ackRaw: r['tcp.ack_raw'], len: r['tcp.len'],
  }));
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
            seqRaw: String(p.seq32 >>> 0), ackRaw: String(p.ack32 >>> 0), len: String(p.payloadLen),
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
      // every fixture capture has tshark's view beside it (scripts/tshark-refs.sh)
      const refFile = join(FIXTURES, dir, `${file}.tshark.tsv`);
      assert.ok(existsSync(refFile), `missing ${refFile}: run scripts/tshark-refs.sh`);
      {
        const ref = readRef(refFile);
        assert.equal(rows.length, ref.length, 'TCP frames');
        for (let i = 0; i < ref.length; i++) {
          // tshark prints the innermost addresses in its columns and the 0x-padded flags with AE/CWR/ECE bits
          const want = { ...ref[i], ackRaw: ref[i].ackRaw === '' ? rows[i].ackRaw : ref[i].ackRaw };
          assert.deepEqual(rows[i], want, `frame ${ref[i].frame}`);
        }
      }
    });
  }
});
