/**
 * Chunks written by reference (ByteWriter.refs, ByteWriter.expandRefs) and the spool of JSON
 * records that keeps them so (Spool's refs): what comes back out is byte for byte what a plain
 * writer writes, from memory and from the temporary file, grown buffers and all; and the spool
 * really holds fewer bytes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ascii, ByteWriter, Chunk, REF, utf8 } from '../src/util/bytes.js';
import { Spool } from '../src/util/spool.js';
import { rng } from './helpers/rng.js';

/** Constant text of every length a record has: none, shorter than a reference, a few words, more than ByteWriter copies by words, non-ASCII. */
const CHUNKS: Chunk[] = [
  ascii(''), ascii(','), ascii('{}'), ascii('[\n'), ascii('null'), ascii('true'), ascii(',\n      "client": '),
  ascii(`{\n${' '.repeat(8)}"handshake": {\n${' '.repeat(10)}"kind": "three-way",\n${' '.repeat(10)}"frames": {`),
  ascii('x'.repeat(65)), ascii('y'.repeat(200)), utf8('"三次握手 (three-way handshake)"'), utf8('"四次挥手"'),
];

/** Writes the same pieces into each writer: chunks, numbers, strings (escaped), raw bytes. */
function writePieces(ws: ByteWriter[], seed: number, pieces: number): void {
  const r = rng(seed);
  for (let i = 0; i < pieces; i++) {
    const kind = Math.floor(r() * 5);
    const c = CHUNKS[Math.floor(r() * CHUNKS.length)]!;
    const n = Math.floor(r() * 1e9) / (r() < 0.5 ? 1 : 1e6);
    const s = ['TIME_WAIT', 'a "quoted" \\ value', 'tab\there', 'é ü 中文', '\u0001 a control character', ''][Math.floor(r() * 6)]!;
    const b = Buffer.from(`bytes ${i} `);
    for (const w of ws) {
      if (kind === 0 || kind === 1) w.raw(c);
      else if (kind === 2) w.num(n);
      else if (kind === 3) w.str(s);
      else w.bytes(b, 0, b.length);
    }
  }
}

describe('chunks written by reference', () => {
  it('expandRefs gives back exactly what a plain writer writes, the writers growing from one byte', () => {
    for (const seed of [1, 2, 3, 42, 1234]) {
      const plain = new ByteWriter(1);
      const refs = new ByteWriter(1);
      refs.refs = true;
      writePieces([plain, refs], seed, 3000);
      const out = new ByteWriter(1);
      out.expandRefs(refs.buf, 0, refs.pos);
      assert.equal(out.pos, plain.pos, `seed ${seed}: length`);
      assert.ok(out.buf.subarray(0, out.pos).equals(plain.buf.subarray(0, plain.pos)), `seed ${seed}: bytes`);
      assert.ok(refs.pos < plain.pos * 0.7, `seed ${seed}: ${refs.pos} bytes with references, ${plain.pos} without`);
      // a control character in a string is escaped: the only REF bytes are references
      let marks = 0;
      for (let i = 0; i < refs.pos; i++) if (refs.buf[i] === REF) marks++;
      assert.ok(marks > 0 && !plain.buf.subarray(0, plain.pos).includes(REF));
    }
  });

  it('chunks of three bytes or fewer are written as they are, longer ones as three bytes', () => {
    const w = new ByteWriter(16);
    w.refs = true;
    w.raw(ascii('{}'));
    w.raw(ascii('abc'));
    assert.equal(w.buf.toString('latin1', 0, w.pos), '{}abc');
    const long = ascii('"longer than a reference"');
    w.raw(long);
    assert.equal(w.pos, 8);
    assert.equal(w.buf[5], REF);
    assert.equal(w.buf[6]! | (w.buf[7]! << 8), long.ref);
    // written again: the same number
    w.raw(long);
    assert.equal(w.buf[9]! | (w.buf[10]! << 8), long.ref);
  });

  it('past 65 535 numbered chunks, the next ones are written as they are and still come back right', () => {
    const plain = new ByteWriter(1);
    const refs = new ByteWriter(1);
    refs.refs = true;
    const made: Chunk[] = [];
    for (let i = 0; i < 70_000; i++) {
      const c = ascii(`"chunk ${i}"`);
      made.push(c);
      plain.raw(c);
      refs.raw(c);
    }
    assert.ok(made[0]!.ref > 0 && made[0]!.ref <= 0xffff);
    assert.equal(made[69_999]!.ref, -1);
    const out = new ByteWriter(1);
    out.expandRefs(refs.buf, 0, refs.pos);
    assert.ok(out.buf.subarray(0, out.pos).equals(plain.buf.subarray(0, plain.pos)));
  });
});

describe('a spool of records with references', () => {
  /** Record k's text, with chunks: written by a writer (plain, or the spool's with refs). */
  function record(w: ByteWriter, k: number): void {
    writePieces([w], 1000 + k, 5 + (k % 7) * 40);
  }

  it('records written in place or put as bytes, spilled or not: drain, drain as written and records() give each back in key order', async () => {
    const keys = [7, 3, 0, 12, 5, 1, 9, 2, 11, 4, 8, 6, 10, 3];
    const want = (k: number): string => {
      const w = new ByteWriter(1);
      record(w, k);
      return w.buf.toString('utf8', 0, w.pos);
    };
    const order = [...keys].sort((a, b) => a - b).map(want);
    for (const budget of [1 << 20, 4096, 300]) {
      for (const background of [true, false]) {
        const make = (): { s: Spool; stored: number } => {
          const s = new Spool(budget, background, 0);
          let stored = 0;
          const scratch = new ByteWriter(64);
          scratch.refs = true;
          keys.forEach((k, i) => {
            if (i % 2 === 0) {
              const w = s.writer(64);
              const at = w.pos;
              record(w, k);
              stored += w.pos - at;
              s.commit(k);
            } else {
              scratch.pos = 0;
              record(scratch, k);
              stored += scratch.pos;
              s.putBytes(k, scratch.buf, 0, scratch.pos, true);
            }
          });
          return { s, stored };
        };
        const label = `budget ${budget}, background ${background}`;
        {
          const { s, stored } = make();
          const got: string[] = [];
          await s.drain((b, start, len) => {
            got.push(b.toString('utf8', start, start + len));
            return false;
          }, async () => undefined);
          assert.deepEqual(got, order, `${label}: drain`);
          const expanded = order.reduce((t, x) => t + Buffer.byteLength(x), 0);
          assert.ok(stored < expanded * 0.7, `${label}: ${stored} bytes kept for ${expanded}`);
          if (budget === 300) assert.equal(s.bytesRead, stored, `${label}: what is read back is what was kept`);
        }
        {
          const { s } = make();
          const got: string[] = [];
          const out = new ByteWriter(1);
          await s.drain((b, start, len) => {
            assert.ok(b.subarray(start, start + len).includes(REF));
            out.pos = 0;
            out.expandRefs(b, start, len);
            got.push(out.buf.toString('utf8', 0, out.pos));
            return true;
          }, async () => undefined, true);
          assert.deepEqual(got, order, `${label}: drain as written`);
        }
        if (!background) {
          const { s } = make();
          for (let pass = 1; pass <= 2; pass++) {
            // (each view is valid until the next is taken: read at once)
            const each: string[] = [];
            for (const x of s.records()) each.push(x.bytes.toString());
            assert.deepEqual(each, order, `${label}: records() pass ${pass}`);
          }
          s.close();
        }
      }
    }
  });
});

describe('text holding REF itself, written with references', () => {
  it('comes back as it was (REF written as the reference to itself)', () => {
    const plain = new ByteWriter(1);
    const refs = new ByteWriter(1);
    refs.refs = true;
    const texts = ['\u0001', 'a\u0001b', '\u0001\u0001 三次握手 \u0001', 'x'.repeat(70) + '\u0001', 'no ref here'];
    for (const t of texts) {
      for (const w of [plain, refs]) {
        w.text(t);
        w.raw(CHUNKS[7]!);
      }
    }
    assert.equal(refs.refs, true);
    const out = new ByteWriter(1);
    out.expandRefs(refs.buf, 0, refs.pos);
    assert.equal(out.buf.toString('utf8', 0, out.pos), plain.buf.toString('utf8', 0, plain.pos));
  });
});

describe('a spool that starts writing references once its file is big (refsFrom)', () => {
  it('records before are plain, records after have references, each read back right however the arenas were reordered', async () => {
    // keys out of order (an arena's records are written in key order: reordered), one put twice
    const keys: number[] = [];
    for (let k = 0; k < 400; k++) keys.push(k % 2 === 0 ? k : 399 - k + (k % 7));
    keys.push(17, 301);
    const text = (k: number, again: boolean): string => {
      const w = new ByteWriter(1);
      writePieces([w], 5000 + k + (again ? 1000 : 0), 3 + (k % 5) * 10);
      return w.buf.toString('utf8', 0, w.pos);
    };
    for (const background of [true, false]) {
      for (const refsFrom of [50_000, 150_000]) {
        const s = new Spool(3000, background, refsFrom);
        const scratch = new ByteWriter(64);
        const seen = new Set<number>();
        const want = new Map<number, string[]>();
        let plain = 0;
        let withRefs = 0;
        keys.forEach((k, i) => {
          const again = seen.has(k);
          seen.add(k);
          const refs = s.refs;
          if (refs) withRefs++;
          else {
            plain++;
            assert.equal(withRefs, 0, 'once references start, every later record has them');
          }
          if (i % 3 === 0) {
            const w = s.writer(64);
            assert.equal(w.refs, refs);
            writePieces([w], 5000 + k + (again ? 1000 : 0), 3 + (k % 5) * 10);
            s.commit(k);
          } else {
            scratch.refs = refs;
            scratch.pos = 0;
            writePieces([scratch], 5000 + k + (again ? 1000 : 0), 3 + (k % 5) * 10);
            s.putBytes(k, scratch.buf, 0, scratch.pos, refs);
          }
          (want.get(k) ?? want.set(k, []).get(k)!).push(text(k, again));
        });
        const label = `background ${background}, refsFrom ${refsFrom}`;
        assert.ok(plain > 10 && withRefs > 10, `${label}: ${plain} plain, ${withRefs} with references`);
        const order = [...want.keys()].sort((a, b) => a - b).flatMap((k) => want.get(k)!);
        const got: string[] = [];
        const flags: boolean[] = [];
        const out = new ByteWriter(1);
        await s.drain((b, start, len, _i, refs) => {
          flags.push(refs);
          if (!refs) assert.ok(!b.subarray(start, start + len).includes(REF), `${label}: a plain record has no REF byte`);
          out.pos = 0;
          if (refs) out.expandRefs(b, start, len);
          else out.bytes(b, start, len);
          got.push(out.buf.toString('utf8', 0, out.pos));
          return false;
        }, async () => undefined, true);
        assert.deepEqual(got, order, `${label}: drain as written`);
        assert.equal(flags.filter((f) => f).length, withRefs, `${label}: the records said to have references are those written so`);
      }
    }
  });
});
