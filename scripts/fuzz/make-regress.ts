/**
 * Rebuilds fixtures/regress/ from the fixtures they were derived from: each regression capture
 * is one named, deterministic mutation (the same code the fuzzer uses) of a shipped capture, so
 * fixtures/regress/README.md can say exactly how it was made. `node dist/scripts/fuzz/make-regress.js`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { indexCapture, replaceIdbOptions, wr16 } from './mutate.js';
import { REPO_ROOT } from './harness.js';

const fx = (p: string): Uint8Array => new Uint8Array(readFileSync(join(REPO_ROOT, 'fixtures', p)));

export const REGRESS: { name: string; make: () => Uint8Array }[] = [
  {
    // interface 0's options replaced by if_tsoffset 2^62 s: timestamps beyond what a Date holds
    name: 'pcapng-tsoffset-2e62.pcapng',
    make: () => {
      const b = fx('pcapng-multi/capture.pcapng');
      const idb = indexCapture(b).units.find((u) => u.kind === 'idb');
      if (!idb) throw new Error('no IDB');
      return replaceIdbOptions(b, idb, 6, 1n << 62n);
    },
  },
  {
    // the gzip trailer's CRC32 inverted: every byte inflates, the check at the end fails
    name: 'gzip-bad-crc.pcap.gz',
    make: () => {
      const b = fx('gzip/capture.pcap.gz').slice();
      for (let i = b.length - 8; i < b.length - 4; i++) b[i] ^= 0xff;
      return b;
    },
  },
  {
    // the first record (a SYN) copied 500 times, source port 20000 + i: 500 connections
    name: 'many-connections.pcap.gz',
    make: () => {
      const b = fx('tcp-syn-unanswered/capture.pcap');
      const idx = indexCapture(b);
      const u = idx.units[1];
      const f = idx.frames[0];
      const rec = b.subarray(u.off, u.off + u.len);
      const n = 500;
      const out = new Uint8Array(24 + n * rec.length);
      out.set(b.subarray(0, 24), 0);
      for (let i = 0; i < n; i++) {
        const o = 24 + i * rec.length;
        out.set(rec, o);
        wr16(out, o + (f.tcpOff - u.off), 20000 + i, false);
      }
      return new Uint8Array(gzipSync(out, { level: 9 }));
    },
  },
];

if (process.argv[1]?.endsWith('make-regress.js')) {
  for (const r of REGRESS) {
    const out = join(REPO_ROOT, 'fixtures', 'regress', r.name);
    writeFileSync(out, r.make());
    process.stdout.write(`${out}\n`);
  }
}
