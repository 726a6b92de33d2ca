/**
 * The byte writers of the JSON records (src/render/json-bytes.ts), which write a record straight
 * from the connection or the packet record, against the generic rendering of connectionJson and
 * packetJson (recordJson for the document, JSON.stringify for NDJSON), byte for byte:
 * - every connection and packet of every fixture capture, with and without packets, capped,
 *   in every language;
 * - generated connections: any values in the fields a record reads (frames, times with and
 *   without nanoseconds, counts beyond 2^31, addresses of both versions, roles, handshake and
 *   teardown frames, states, SYN options, window scales, analysis counts, Zeek's view), with
 *   generated packet records and omissions, in both languages;
 * - generated packet records (any numbers, any flags, analysis bits, phase, states and note, in
 *   both languages) written straight from the record, against their packetJson.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fixtureCaptures } from './helpers/release.js';
import { checkCapture, samePacketRecord, sameRecord } from './helpers/json-bytes.js';
import { ByteWriter, ascii, utf8 } from '../src/util/bytes.js';
import { newConnection } from '../src/analyze/connection.js';
import { connection, lang, num, packetList, packetRecordArb, str, bool, unit } from './helpers/arbitraries.js';

const SEED = 0x6a5b17;
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns, endOnFailure: true });

describe('JSON records written as bytes', () => {
  it('every connection and packet of every fixture: the generic rendering, byte for byte', async () => {
    let connections = 0;
    for (const f of fixtureCaptures()) connections += (await checkCapture(f)).connections;
    assert.ok(connections > 50, `${connections} connections`);
  });

  it('generated connections, with and without packets: connectionJson\'s rendering, byte for byte', () => {
    fc.assert(fc.property(connection, packetList, lang, (c, packets, l) => {
      sameRecord(c, null, l, 'generated');
      sameRecord(c, packets, l, 'generated --packets');
    }), params(3000));
  });

  it('generated packet records written straight from the record: their packetJson, byte for byte', () => {
    fc.assert(fc.property(packetRecordArb, fc.boolean(), fc.nat(), lang, (r, clientIsA, id, l) => {
      const c = newConnection();
      c.id = id;
      c.clientIsA = clientIsA;
      samePacketRecord(c, r, l, 'generated record');
    }), params(5000));
  });

  it('times rounded to the nanosecond (the fast path) and their neighbours as JSON.stringify writes them', () => {
    const nanos = fc.tuple(fc.integer({ min: 0, max: 2 ** 21 }), fc.integer({ min: 0, max: 999_999_999 }), fc.boolean())
      .map(([s, ns, neg]) => (neg ? -1 : 1) * (s + ns / 1e9));
    const edges = fc.constantFrom(1e-6, 1e-6 - 1e-15, 1e-6 + 1e-15, 1048576 - 1e-9, 1048576, 1048576 + 1e-9, 0.1 + 0.2, 1 / 3, 5e-7, 123.000000001, 0.999999999);
    fc.assert(fc.property(fc.array(fc.oneof(nanos, edges, num), { maxLength: 50, size: 'max' }), (vs) => {
      const w = new ByteWriter(8);
      for (const v of vs) {
        w.num(v);
        w.byte(0x2c);
      }
      assert.equal(w.buf.toString('utf8', 0, w.pos), vs.map((v) => JSON.stringify(v) + ',').join(''));
    }), params(3000));
  });

  it('integers of every length, uint32s given as int32s, and fractions of every length, as String() writes them', () => {
    // every digit count (the pairs table writes two at a time: odd and even lengths, zeros
    // inside and at the end) and every place of the last non-zero digit of a fraction
    const ints: number[] = [0, 9, 10, 11, 99, 100, 101, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 1e15 - 1];
    for (let t = 1; t < 1e15; t *= 10) ints.push(t - 1, t, t + 1, 2 * t, 9 * t + 9, Math.floor(t * 1.0203));
    const w = new ByteWriter(8);
    for (const v of ints) {
      w.pos = 0;
      w.uint(v);
      assert.equal(w.buf.toString('latin1', 0, w.pos), String(v), `uint ${v}`);
      if (v <= 2 ** 32 - 1) {
        w.pos = 0;
        w.u32(v | 0);
        assert.equal(w.buf.toString('latin1', 0, w.pos), String(v), `u32 ${v}`);
      }
    }
    for (const whole of [0, 7, 12, 1048575]) {
      for (let digits = 1; digits <= 9; digits++) {
        for (const lead of [1, 5, 10, 12, 99, 100000000, 123456789]) {
          // a fraction whose last non-zero digit is the digits-th
          const frac = (lead % 10 ** digits || 1) * 10 ** (9 - digits);
          // (below 10^-6 String() writes an exponent: fraction() is not called there)
          if (frac % 10 ** (9 - digits) !== 0 || frac >= 1e9 || (whole === 0 && frac < 1000)) continue;
          w.pos = 0;
          w.fraction(whole, frac);
          assert.equal(w.buf.toString('latin1', 0, w.pos), String(whole + frac / 1e9), `fraction ${whole} ${frac}`);
        }
      }
    }
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 999_999_999 }), (u, frac) => {
      fc.pre((u >>> 12) > 0 || frac >= 1000);
      w.pos = 0;
      w.u32(u | 0);
      w.byte(0x2c);
      w.fraction(u >>> 12, frac);
      assert.equal(w.buf.toString('latin1', 0, w.pos), `${u},${String((u >>> 12) + frac / 1e9)}`);
    }), params(5000));
  });

  it('numbers and strings as JSON.stringify writes them', () => {
    fc.assert(fc.property(fc.array(fc.oneof(num, str, bool, fc.constant(null))), (vs) => {
      const w = new ByteWriter(8);
      for (const v of vs) {
        if (typeof v === 'number') w.num(v);
        else if (typeof v === 'string') w.str(v);
        else if (typeof v === 'boolean') w.bool(v);
        else w.null();
        w.byte(0x2c);
      }
      assert.equal(w.buf.toString('utf8', 0, w.pos), vs.map((v) => JSON.stringify(v) + ',').join(''));
    }), params(3000));
  });

  it('text written as Buffer.from encodes it, whatever its characters (lone surrogates as U+FFFD)', () => {
    const text = fc.oneof(fc.string({ unit, maxLength: 70, size: 'max' }), fc.string({ unit: fc.constantFrom('\u007f', '\u0080', '\u07ff', '\u0800', '\u{10FFFF}', '\u{1F600}', '中', '·', '→', '\uffff', '\ud800', '\udfff', '\udbff', '\udc00', 'x'), maxLength: 80, size: 'max' }));
    fc.assert(fc.property(text, fc.nat({ max: 9 }), (t, offset) => {
      const w = new ByteWriter(8);
      w.text('x'.repeat(offset));
      w.text(t);
      assert.ok(w.buf.subarray(offset, w.pos).equals(Buffer.from(t)), JSON.stringify(t));
    }), params(5000));
  });

  it('constant text (Chunk) written as its UTF-8 bytes, whatever its characters', () => {
    // any characters (beyond ASCII, four-byte ones, lone surrogates, DEL), a few at a time and
    // long: every 8-byte word of UTF-8 goes through a double unchanged
    const text = fc.oneof(fc.string({ unit, maxLength: 40, size: 'max' }), fc.string({ unit: fc.constantFrom('\u007f', '\u{10FFFF}', '\u{1F600}', '中', 'é', '\uffff', '\ud800', 'x'), maxLength: 80, size: 'max' }));
    fc.assert(fc.property(fc.array(text, { maxLength: 8 }), fc.nat({ max: 9 }), (texts, offset) => {
      const w = new ByteWriter(8);
      w.text('x'.repeat(offset));
      for (const t of texts) w.raw(utf8(t));
      // each text on its own: a lone surrogate at the end of one is not paired with the next's
      assert.ok(w.buf.subarray(offset, w.pos).equals(Buffer.concat(texts.map((t) => Buffer.from(t)))), JSON.stringify(texts));
    }), params(3000));
    assert.throws(() => ascii('→'), /not ASCII/);
  });

  it('a range copied from another writer (copyFrom), a Uint8Array or a Buffer (bytes), short and long, into a writer that grows', () => {
    const how = fc.constantFrom('copyFrom', 'bytes of a Uint8Array', 'bytes of a Buffer');
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300, size: 'max' }), fc.nat({ max: 20 }), fc.nat({ max: 20 }), how, (bytes, start, offset, via) => {
      // the bytes at `start` of something longer, whose other bytes must not be copied
      const whole = new Uint8Array(start + bytes.length + 7).fill(0x3f);
      whole.set(bytes, start);
      const w = new ByteWriter(8);
      w.text('x'.repeat(offset));
      if (via === 'copyFrom') {
        const src = new ByteWriter(8);
        for (const b of whole) src.byte(b);
        w.copyFrom(src, start, bytes.length);
      } else {
        w.bytes(via === 'bytes of a Buffer' ? Buffer.from(whole) : whole, start, bytes.length);
      }
      w.byte(0x21);
      assert.ok(w.buf.subarray(offset, w.pos).equals(Buffer.concat([Buffer.from(bytes), Buffer.from('!')])), `${via}: ${bytes.length} bytes from ${start} to ${offset}`);
    }), params(5000));
  });
});
