/**
 * The byte writers of the JSON records (src/render/json-bytes.ts) against the generic rendering
 * (recordJson for the document, JSON.stringify for NDJSON), byte for byte:
 * - every connection and packet of every fixture capture, with and without packets, capped,
 *   in every language, all laid out by the writers themselves (none given up on);
 * - generated records of the connectionJson/packetJson shape with any numbers (integers beyond
 *   2^31 and 2^53, fractions, -0, NaN, infinities) and any strings (quotes, controls, non-ASCII,
 *   lone surrogates);
 * - the same records with any one value replaced by any JSON value or undefined: the writers
 *   give up on what they do not lay out, and the generic rendering is written instead;
 * - generated packet records (any numbers, any flags, analysis bits, phase, states and note, in
 *   both languages) written straight from the record, against their packetJson.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fixtureCaptures } from './helpers/release.js';
import { checkCapture, samePacket, samePacketRecord, sameRecord } from './helpers/json-bytes.js';
import { ByteWriter } from '../src/util/bytes.js';
import { newConnection } from '../src/analyze/connection.js';
import { NOTE_KEYS, PHASE_NAMES, STATE_NAMES } from '../src/analyze/story.js';
import { ANALYSIS_NAMES } from '../src/analyze/flags.js';
import type { PacketRecord } from '../src/render/json.js';

const SEED = 0x6a5b17;
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns, endOnFailure: true });

type Rec = Record<string, unknown>;

const num: fc.Arbitrary<number> = fc.oneof(
  fc.nat({ max: 100 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(),
  fc.double({ min: 0, max: 1e6, noNaN: true }).map((x) => Math.round(x * 1e9) / 1e9),
  fc.constantFrom(-0, 0, 9, 10, 99, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 1e10 - 1, 1e10, 1e15 - 1, 1e15, -1e15, 2 ** 53, 2 ** 53 + 2, 1e21, 1e-7, 0.1, NaN, Infinity, -Infinity, -1, -(2 ** 31)),
);
const unit: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }), weight: 6 },
  { arbitrary: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u0080', 'é', '中', '\u2028', '\ufeff', '\u{1F600}'), weight: 2 },
  { arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 },
);
/** Printable ASCII with, now and then, one character to escape or beyond ASCII: long notes. */
const plain: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), weight: 60 },
  { arbitrary: unit, weight: 1 },
);
const str: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('three-way', 'client', 'ESTABLISHED', 'S0', '198.18.0.1', '::1', ''),
  fc.string({ unit, maxLength: 80 }),
  // around and beyond ByteWriter.str's native path (48 characters and more)
  fc.string({ unit: plain, minLength: 40, maxLength: 300 }),
);
const bool = fc.boolean();
const orNull = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null });
const side = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<{ client: T; server: T }> => fc.record({ client: a, server: a });
/** A value that is there or not (undefined: left out of the object). */
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });

const endpoint = (inferred: boolean): fc.Arbitrary<Rec> => fc.record({
  ip: str, port: num, ...(inferred ? { inferredBy: maybe(str) } : {}),
});
const synOptions = orNull(fc.record({ mss: orNull(num), windowScale: orNull(num), sackPermitted: bool, timestamps: bool }));

const packet: fc.Arbitrary<Rec> = fc.record({
  frame: num, time: num, from: str, flags: fc.array(str, { maxLength: 4 }), seq: num, ack: num, rawSeq: num, rawAck: num,
  len: num, window: num, analysis: fc.array(str, { maxLength: 3 }), phase: str, states: side(str), note: maybe(str),
});

const connection: fc.Arbitrary<Rec> = fc.record({
  id: num,
  client: endpoint(true),
  server: endpoint(false),
  ipVersion: num,
  firstFrame: num,
  lastFrame: num,
  start: num,
  duration: num,
  packetCount: side(num),
  payloadBytes: side(num),
  completeness: num,
  handshake: fc.record({
    kind: str,
    frames: fc.record({ syn: orNull(num), synAck: orNull(num), ack: orNull(num), secondSyn: maybe(orNull(num)), rst: maybe(num) }),
    synRetransmissions: num,
    rtt: orNull(num),
    options: side(synOptions),
    agreed: orNull(fc.record({ mss: side(orNull(num)), windowScale: orNull(side(num)), sackPermitted: bool, timestamps: bool })),
  }),
  teardown: fc.record({
    kind: str, initiator: orNull(str), dataAfterFin: bool, rstAfterFin: bool, rstAnswersData: bool,
    frames: fc.record({ fin: orNull(num), finAck: orNull(num), secondFin: orNull(num), lastAck: orNull(num), rst: orNull(num) }),
  }),
  finalState: fc.record({ client: str, server: str, inferred: fc.array(str, { maxLength: 2 }) }),
  zeek: fc.record({ state: str, history: str }),
  diagnostics: fc.array(fc.record({ key: str, message: str }), { maxLength: 3 }),
  windowScale: side(fc.oneof(num, str)),
  analysis: fc.dictionary(fc.oneof(fc.constantFrom('retransmission', 'dup_ack', 'zero_window', '0', '7'), str), num, { maxKeys: 4 }),
  packetsOmitted: maybe(fc.record({ count: num, fromFrame: num, toFrame: num, limit: num })),
  packets: maybe(fc.array(packet, { maxLength: 4 })),
});

/** Every [object, key] of a record, nested ones too (array items included). */
function slots(v: unknown, out: [Rec | unknown[], string | number][] = []): [Rec | unknown[], string | number][] {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push([v, i]);
      slots(x, out);
    });
  } else if (typeof v === 'object' && v !== null) {
    for (const k of Object.keys(v)) {
      out.push([v as Rec, k]);
      slots((v as Rec)[k], out);
    }
  }
  return out;
}

const anyValue: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), num, str);

describe('JSON records written as bytes', () => {
  it('every connection and packet of every fixture: the generic rendering, byte for byte', async () => {
    let connections = 0;
    for (const f of fixtureCaptures()) connections += (await checkCapture(f)).connections;
    assert.ok(connections > 50, `${connections} connections`);
  });

  it('generated records of the contract\'s shape: any numbers, any strings', () => {
    fc.assert(fc.property(connection, fc.nat(), (o, i) => {
      sameRecord(o, 'generated');
      const ps = (o.packets as Rec[] | undefined) ?? [];
      for (const p of ps) samePacket(i, p, 'generated');
    }), params(2000));
  });

  it('generated packet records written straight from the record: their packetJson, byte for byte', () => {
    const u32 = fc.oneof(fc.nat({ max: 100 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1));
    const time = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 2 ** 21 }), fc.integer({ min: 0, max: 999_999_999 })).map(([s, ns]) => s + ns / 1e9),
      fc.double({ min: 0, max: 1e7, noNaN: true }),
      fc.constantFrom(0, 1e-7, 1e-6, 1e-6 - 1e-15, 1048576 - 1e-9, 1048576, 1048576.5, 2 ** 40 + 0.25, -0.5, -1e-9),
      // timestamps that go back before the first frame
      fc.double({ min: -1e6, max: 0, noNaN: true }),
    );
    const record: fc.Arbitrary<PacketRecord> = fc.record({
      frame: fc.oneof(fc.integer({ min: 1, max: 2 ** 31 }), fc.maxSafeInteger()),
      time,
      fromA: fc.boolean(),
      flags: fc.integer({ min: 0, max: 511 }),
      seq: u32, ack: u32, rawSeq: u32, rawAck: u32,
      len: fc.integer({ min: 0, max: 65535 }),
      window: fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 * 2 ** 14 })),
      analysis: fc.integer({ min: 0, max: 2 ** ANALYSIS_NAMES.length - 1 }),
      phase: fc.integer({ min: 0, max: PHASE_NAMES.length - 1 }),
      stateA: fc.integer({ min: 0, max: STATE_NAMES.length - 1 }),
      stateB: fc.integer({ min: 0, max: STATE_NAMES.length - 1 }),
      note: fc.integer({ min: 0, max: NOTE_KEYS.length - 1 }),
      n1: u32, n2: u32, n3: u32,
    });
    fc.assert(fc.property(record, fc.boolean(), fc.nat(), fc.constantFrom('en' as const, 'zh' as const), (r, clientIsA, id, lang) => {
      const c = newConnection();
      c.id = id;
      c.clientIsA = clientIsA;
      samePacketRecord(c, r, lang, 'generated record');
    }), params(5000));
  });

  it('a value of another type anywhere: the writers give up and write the generic rendering', () => {
    fc.assert(fc.property(connection, fc.nat(), anyValue, (o, pick, v) => {
      const all = slots(o);
      const [obj, key] = all[pick % all.length];
      (obj as Record<string | number, unknown>)[key] = v;
      sameRecord(o, 'changed');
      const ps = Array.isArray(o.packets) ? (o.packets as Rec[]) : [];
      for (const p of ps) if (typeof p === 'object' && p !== null && !Array.isArray(p)) samePacket(pick, p, 'changed');
    }), params(2000));
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
});
