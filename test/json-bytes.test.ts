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
    fc.assert(fc.property(fc.array(fc.oneof(nanos, edges, num), { maxLength: 50 }), (vs) => {
      const w = new ByteWriter(8);
      for (const v of vs) {
        w.num(v);
        w.byte(0x2c);
      }
      assert.equal(w.buf.toString('utf8', 0, w.pos), vs.map((v) => JSON.stringify(v) + ',').join(''));
    }), params(3000));
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

  it('constant text (Chunk) written as its UTF-8 bytes, whatever its characters', () => {
    // any characters (beyond ASCII, four-byte ones, lone surrogates, DEL), a few at a time and
    // long: every 8-byte word of UTF-8 goes through a double unchanged
    const text = fc.oneof(fc.string({ unit, maxLength: 40 }), fc.string({ unit: fc.constantFrom('\u007f', '\u{10FFFF}', '\u{1F600}', '中', 'é', '\uffff', '\ud800', 'x'), maxLength: 80 }));
    fc.assert(fc.property(fc.array(text, { maxLength: 8 }), fc.nat({ max: 9 }), (texts, offset) => {
      const w = new ByteWriter(8);
      w.text('x'.repeat(offset));
      for (const t of texts) w.raw(utf8(t));
      // each text on its own: a lone surrogate at the end of one is not paired with the next's
      assert.ok(w.buf.subarray(offset, w.pos).equals(Buffer.concat(texts.map((t) => Buffer.from(t)))), JSON.stringify(texts));
    }), params(3000));
    assert.throws(() => ascii('→'), /not ASCII/);
  });
});
