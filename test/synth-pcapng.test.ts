/**
 * scripts/synth.ts pcapToPcapng (the bench's ng-* modes): the pcapng it writes holds the pcap's
 * packets, timestamps, lengths and link type, read back by the tool's own reader, for both byte
 * orders and both resolutions, records of odd lengths (the EPB's padding) and a capture bigger
 * than the converter's 8 MB read buffer.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pcapToPcapng, writeBulkPcap } from '../scripts/synth.js';
import { pcapFile, readAll, type ByteOrder } from './helpers/capfile.js';

function convert(dir: string, bytes: Uint8Array): { from: ReturnType<typeof readAll>; to: ReturnType<typeof readAll>; packets: number; ng: Buffer } {
  const src = join(dir, 'in.pcap');
  const dst = join(dir, 'out.pcapng');
  writeFileSync(src, bytes);
  const packets = pcapToPcapng(src, dst);
  const ng = readFileSync(dst);
  return { from: readAll(bytes, bytes.length), to: readAll(ng, 65536), packets, ng };
}

/** Everything of a frame but where it was in its file. */
const same = (f: ReturnType<typeof readAll>['frames'][number]): unknown[] => [f.number, f.tsSec, f.tsNsec, f.hasTs, f.capLen, f.origLen, f.linkType, f.interfaceId, Buffer.from(f.data).toString('hex')];

describe('pcapToPcapng', () => {
  for (const byteOrder of ['le', 'be'] as ByteOrder[]) {
    for (const nano of [false, true]) {
      it(`${byteOrder}, ${nano ? 'ns' : 'µs'}: the same frames, odd lengths padded, a frame cut by the snaplen`, () => {
        const dir = mkdtempSync(join(tmpdir(), 'ng-'));
        try {
          const records = [1, 2, 3, 4, 5, 61, 1514].map((n, i) => ({ sec: 1700000000 + i, frac: nano ? 999999999 - i : 999999 - i, data: Uint8Array.from({ length: n }, (_, k) => (k * 7 + i) & 255) }));
          records.push({ sec: 1700000009, frac: 0, data: new Uint8Array(64), capLen: 64, origLen: 1500 } as (typeof records)[number]);
          const { from, to, packets, ng } = convert(dir, pcapFile({ byteOrder, nano, linkType: 101, snaplen: 65535, records }));
          assert.equal(packets, 8);
          assert.equal(to.frames.length, 8);
          assert.deepEqual(to.frames.map(same), from.frames.map(same));
          assert.equal(to.frames[7]!.origLen, 1500);
          assert.equal(to.frames[0]!.linkType, 101);
          assert.equal(ng.length % 4, 0);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  }

  it('a capture bigger than the 8 MB read buffer: every frame, none cut at a buffer boundary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ng-'));
    try {
      const src = join(dir, 'bulk.pcap');
      writeBulkPcap(src, 12000, { snaplen: 65535 });
      const bytes = readFileSync(src);
      assert.ok(bytes.length > (8 << 20), `${bytes.length} bytes`);
      const { from, to, packets } = convert(dir, bytes);
      assert.equal(packets, from.frames.length);
      assert.deepEqual(to.frames.map(same), from.frames.map(same));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a record cut off at the end of the pcap is an error, not a shorter pcapng', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ng-'));
    try {
      const bytes = pcapFile({ byteOrder: 'le', records: [{ sec: 1, frac: 2, data: new Uint8Array(40) }] });
      writeFileSync(join(dir, 'cut.pcap'), bytes.subarray(0, bytes.length - 3));
      assert.throws(() => pcapToPcapng(join(dir, 'cut.pcap'), join(dir, 'cut.pcapng')), /cut-off record/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
