/**
 * pcap-parser as a test oracle: for every classic pcap with the microsecond magic (the only
 * kind it reads) in fixtures/ and the corpus, our reader yields exactly its records —
 * timestamps, lengths and bytes — up to the point where our reader stops on a damaged length.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EventEmitter } from 'node:events';
import { corpusAvailable, corpusEntries, REPO_ROOT } from '../helpers/corpus.js';
import { openSource } from '../../src/capture/source.js';
import { CaptureRun } from '../../src/pipeline.js';

const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as { parse(input: string): EventEmitter };

interface Rec { usec: number; capLen: number; origLen: number; data: Buffer }

function isMicrosecondPcap(path: string): boolean {
  const fd = openSync(path, 'r');
  const b = Buffer.alloc(4);
  const n = readSync(fd, b, 0, 4, 0);
  closeSync(fd);
  if (n < 4) return false;
  const m = b.toString('hex');
  return m === 'd4c3b2a1' || m === 'a1b2c3d4';
}

function oracle(path: string, limit: number): Promise<Rec[]> {
  return new Promise((resolve) => {
    const recs: Rec[] = [];
    const p = pcapParser.parse(path);
    const done = (): void => resolve(recs);
    p.on('packet', (pk: { header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number }; data: Buffer }) => {
      if (recs.length >= limit) return;
      recs.push({
        usec: pk.header.timestampSeconds * 1e6 + pk.header.timestampMicroseconds,
        capLen: pk.header.capturedLength,
        origLen: pk.header.originalLength,
        data: Buffer.from(pk.data),
      });
    });
    p.on('end', done);
    p.on('error', done);
  });
}

async function ours(path: string): Promise<Rec[]> {
  const recs: Rec[] = [];
  const run = new CaptureRun({ packet: () => undefined });
  const r = run.reader;
  const f = r.frame;
  const take = (): void => {
    while (r.next() === 1) {
      recs.push({
        usec: f.tsSec * 1e6 + Math.round(f.tsNsec / 1000),
        capLen: f.capLen,
        origLen: f.origLen,
        data: Buffer.from(f.buf.subarray(f.dataOffset, f.dataOffset + f.capLen)),
      });
    }
  };
  for await (const chunk of openSource(path).chunks()) {
    r.feed(chunk);
    take();
    if (r.error) break;
  }
  r.endInput();
  take();
  return recs;
}

function fixturePcaps(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...fixturePcaps(p));
    else if (/\.pcap$/.test(name) && isMicrosecondPcap(p)) out.push(p);
  }
  return out;
}

describe('pcap-parser oracle', () => {
  it('fixtures: identical records', async () => {
    const files = fixturePcaps(join(REPO_ROOT, 'fixtures'));
    assert.ok(files.length > 0);
    for (const file of files) {
      const a = await ours(file);
      const b = await oracle(file, a.length);
      assert.equal(a.length, b.length, file);
      assert.deepEqual(a, b, file);
    }
  });

  it('corpus: identical records on every microsecond classic pcap', { skip: corpusAvailable() ? false : 'no corpus' }, async () => {
    const files = corpusEntries().map((e) => e.abs).filter(isMicrosecondPcap);
    let records = 0;
    for (const file of files) {
      const a = await ours(file);
      const b = await oracle(file, a.length);
      // pcap-parser has no length limit; where we stop on a damaged record it has the same records before it
      assert.equal(b.length, a.length, file);
      for (let i = 0; i < a.length; i++) assert.deepEqual(a[i], b[i], `${file} record ${i + 1}`);
      records += a.length;
    }
    console.log(`pcap-parser oracle: ${files.length} corpus files, ${records} records identical`);
  });
});
