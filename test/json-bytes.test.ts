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
import { ByteWriter, ascii, digitsOf, utf8 } from '../src/util/bytes.js';
import { newConnection, ownAnalysis, setFlowAddress, setFlowFlag, type Connection, F_SYN_SACK_PERMITTED, F_SYN_SEEN, F_SYN_TIMESTAMPS } from '../src/analyze/connection.js';
import { S_DATA_AFTER_FIN, S_FIN1_FROM_A, S_RST_AFTER_FIN, S_RST_ANSWERS_DATA, S_RST_FROM_A, S_SIMULTANEOUS_OPEN } from '../src/analyze/story.js';
import { setZeekHistory, setZeekVerdict } from '../src/analyze/zeek.js';
import { connectionJson } from '../src/render/json.js';
import { recordJson } from '../src/render/pretty.js';
import { RECORD_INDENT, writeNdjsonConnection, writeRecord } from '../src/render/json-bytes.js';
import { connection, lang, num, packetList, packetRecordArb, str, bool, unit } from './helpers/arbitraries.js';

const SEED = 0x6a5b17;
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns, endOnFailure: true });

/**
 * What makes a connection answered (json-bytes.ts unanswered()), one at a time; null: nothing.
 * secondSynFrame does not (its record shows it only with a simultaneous open): it must not
 * stop the copy, nor change the record.
 */
const ANSWERED = [null, 'synAckFrame', 'hsAckFrame', 'secondSynFrame', 'refusedFrame', 'fin1Frame', 'fin1AckFrame', 'fin2Frame', 'fin2AckFrame', 'rstFrame', 'irtt', 'serverSyn', 'analysis', 'simultaneousOpen'] as const;

/**
 * The values of an unanswered connection (nothing after its SYN or SYNs: json-bytes.ts
 * unanswered()), each from a small set: the SYN's options and retransmissions, the states, the
 * teardown's flags, Zeek's view, what makes a diagnostic (a continuation, data beyond the peer's
 * MSS, truncated packets), the window scales, what comes before the tail (id, port, frames,
 * times), and now and then one thing that makes it answered after all.
 */
const UNANSWERED = {
  id: [0, 1, 2], port: [10000, 10001], clientIsA: [true, false], continued: [false, true], synFrame: [1, 0, 7], synCount: [1, 0, 2],
  firstTime: [0, 0.5], synSeen: [true, false], mss: [1460, -1, 536], wscale: [7, -1, 0], sack: [true, false], ts: [true, false],
  serverMss: [1460, -1, 1000], wc: [-2, -1, 7], ws: [-2, -1, 0], stateA: [1, 0, 2], stateB: [1, 0, 2],
  dataAfterFin: [false, true], rstAfterFin: [false, true], rstAnswersData: [false, true], fin1FromA: [true, false], rstFromA: [true, false],
  origIsA: [true, false], history: ['S', '', 'SS', 'Sh'], za: [1, 0, 2], zb: [0, 1, 2],
  maxPayloadA: [2000, 3000, 0], maxPayloadB: [700, 0], truncated: [0, 1], answered: ANSWERED, answeredFrame: [3, 4],
} as const;
type Field = keyof typeof UNANSWERED;
type Values = { [K in Field]: (typeof UNANSWERED)[K][number] };

/** A new connection `id` between 198.18.0.1 (flow a, port `port`) and 198.19.0.1:80. */
function twoEnds(id: number, clientIsA: boolean, port: number): Connection {
  const c = newConnection();
  c.id = id;
  c.clientIsA = clientIsA;
  setFlowAddress(c.a, Uint32Array.of(0xc6120001, 0, 0, 0));
  setFlowAddress(c.b, Uint32Array.of(0xc6130001, 0, 0, 0));
  c.a.port = port;
  c.b.port = 80;
  return c;
}

/** The connection of these values. */
function unansweredConnection(g: Values): Connection {
  const c = twoEnds(g.id, g.clientIsA, g.port);
  c.continued = g.continued;
  c.firstTime = g.firstTime;
  c.lastTime = g.firstTime;
  const client = g.clientIsA ? c.a : c.b;
  const server = g.clientIsA ? c.b : c.a;
  setFlowFlag(client, F_SYN_SEEN, g.synSeen);
  setFlowFlag(client, F_SYN_SACK_PERMITTED, g.sack);
  setFlowFlag(client, F_SYN_TIMESTAMPS, g.ts);
  client.synMss = g.mss;
  client.synWscale = g.wscale;
  client.winScale = g.wc;
  server.synMss = g.serverMss;
  server.winScale = g.ws;
  c.maxPayloadA = g.maxPayloadA;
  c.maxPayloadB = g.maxPayloadB;
  c.truncatedPackets = g.truncated;
  const s = c.story;
  s.synFrame = g.synFrame;
  s.synCount = g.synCount;
  s.stateA = g.stateA;
  s.stateB = g.stateB;
  const bits: [number, boolean][] = [[S_DATA_AFTER_FIN, g.dataAfterFin], [S_RST_AFTER_FIN, g.rstAfterFin], [S_RST_ANSWERS_DATA, g.rstAnswersData], [S_FIN1_FROM_A, g.fin1FromA], [S_RST_FROM_A, g.rstFromA]];
  for (const [b, on] of bits) s.bits = on ? s.bits | b : s.bits & ~b;
  setZeekVerdict(c, g.origIsA, g.za, g.zb, false, false);
  setZeekHistory(c, g.history);
  if (g.answered === 'irtt') c.irtt = 0.25;
  else if (g.answered === 'serverSyn') setFlowFlag(server, F_SYN_SEEN, true);
  else if (g.answered === 'analysis') ownAnalysis(c)[0] = 1;
  else if (g.answered === 'simultaneousOpen') s.bits |= S_SIMULTANEOUS_OPEN;
  else if (g.answered !== null) s[g.answered] = g.answeredFrame;
  return c;
}

/**
 * Runs of connections made of `table`'s values: the first of each field's values, each next one
 * the one before with up to three values changed (or none), so that text kept from the one
 * before is wrong unless every value it depends on is compared.
 */
function runsOf<V>(table: Readonly<Record<string, readonly unknown[]>>, make: (g: V) => Connection): fc.Arbitrary<Connection[]> {
  const fields = Object.keys(table);
  const most = Math.max(...fields.map((k) => table[k]!.length));
  const change = fc.tuple(fc.constantFrom(...fields), fc.nat({ max: most - 1 }));
  return fc.array(fc.array(change, { maxLength: 3 }), { minLength: 1, maxLength: 12 }).map((steps) => {
    const g: Record<string, unknown> = Object.fromEntries(fields.map((k) => [k, table[k]![0]]));
    const out: Connection[] = [make(g as V)];
    for (const changes of steps) {
      for (const [k, i] of changes) g[k] = table[k]![i % table[k]!.length];
      out.push(make(g as V));
    }
    return out;
  });
}

/** Runs of unanswered connections (TailMemo). */
const unansweredRun = runsOf<Values>(UNANSWERED, unansweredConnection);

/**
 * The SYN options of an answered connection's two sides, each from a small set (json-bytes.ts
 * OptionsMemo keeps the text of the last ones), and what else may vary between connections.
 */
const OPTIONS = {
  id: [0, 1], clientIsA: [true, false], cSeen: [true, false], cSack: [true, false], cTs: [true, false], cMss: [1460, -1, 536], cWs: [7, -1, 0, 14],
  sSeen: [true, false], sSack: [true, false], sTs: [true, false], sMss: [1460, -1, 1000], sWs: [7, -1, 0], irtt: [0.25, null],
} as const;
type OptionField = keyof typeof OPTIONS;
type OptionValues = { [K in OptionField]: (typeof OPTIONS)[K][number] };

/** An answered connection (a SYN-ACK and a handshake ACK) with these options. */
function optionsConnection(g: OptionValues): Connection {
  const c = twoEnds(g.id, g.clientIsA, 10000);
  const client = g.clientIsA ? c.a : c.b;
  const server = g.clientIsA ? c.b : c.a;
  const sides: [typeof client, boolean, boolean, boolean, number, number][] = [[client, g.cSeen, g.cSack, g.cTs, g.cMss, g.cWs], [server, g.sSeen, g.sSack, g.sTs, g.sMss, g.sWs]];
  for (const [f, seen, sack, ts, mss, ws] of sides) {
    setFlowFlag(f, F_SYN_SEEN, seen);
    setFlowFlag(f, F_SYN_SACK_PERMITTED, sack);
    setFlowFlag(f, F_SYN_TIMESTAMPS, ts);
    f.synMss = mss;
    f.synWscale = ws;
  }
  c.story.synFrame = 1;
  c.story.synAckFrame = 2;
  c.story.hsAckFrame = 3;
  if (g.irtt !== null) c.irtt = g.irtt;
  return c;
}

/** Runs of such connections (OptionsMemo). */
const optionsRun = runsOf<OptionValues>(OPTIONS, optionsConnection);

/**
 * Writes each connection of `cs` (in the document's layout or as NDJSON, each writer's chunks as
 * references or not) and compares it with connectionJson's rendering.
 */
function sameRun(cs: Connection[], l: 'en' | 'zh', ndjson: boolean, refs: boolean[]): void {
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    // now and then a writer whose chunks go as references (a spool's, far into its file):
    // its bytes must not be copied into a plain writer's record, nor the reverse
    const w = new ByteWriter(16);
    w.refs = refs[i]!;
    if (ndjson) writeNdjsonConnection(w, c, l);
    else writeRecord(w, c, null, l);
    const want = ndjson ? JSON.stringify({ type: 'connection', ...connectionJson(c, null, l) }) : recordJson(connectionJson(c, null, l), RECORD_INDENT);
    const got = Buffer.from(w.buf.subarray(0, w.pos));
    const plain = new ByteWriter(16);
    if (w.refs) plain.expandRefs(got, 0, got.length);
    else plain.bytes(got, 0, got.length);
    assert.equal(plain.buf.toString('utf8', 0, plain.pos), want, `record ${i} of ${cs.length}`);
    if (!w.refs) assert.ok(!got.includes(1), `record ${i}: a reference in a plain writer's bytes`);
  }
}

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

  it('unanswered connections one after another (a flood\'s, a scan\'s): each record its own, whatever the one before (the tail kept from it)', () => {
    // writeConnection keeps the end of an unanswered connection's record and copies it for the
    // next one alike (TailMemo): runs of such connections from small sets of values, so that
    // one often equals the one before and often differs from it in one thing, each against
    // connectionJson's rendering in the same layout as the one before
    fc.assert(fc.property(unansweredRun, lang, fc.boolean(), fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }), (cs, l, ndjson, refs) => {
      sameRun(cs, l, ndjson, refs);
    }), params(3000));
  });

  it('answered connections one after another: each record\'s SYN options its own, whatever the ones before (the text kept from them)', () => {
    // writeConnection keeps the text of `options` and `agreed` and copies it for the next
    // connection whose sides announced the same (OptionsMemo): runs of connections whose
    // options often equal the ones before and often differ in one value
    fc.assert(fc.property(optionsRun, lang, fc.boolean(), fc.array(fc.boolean(), { minLength: 13, maxLength: 13 }), (cs, l, ndjson, refs) => {
      sameRun(cs, l, ndjson, refs);
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

  it('the digits of an int32, at every power of ten and of two and between', () => {
    const xs: number[] = [0, 2 ** 31 - 1];
    for (let t = 1; t <= 1e9; t *= 10) xs.push(t - 1, t, t + 1);
    for (let b = 0; b < 31; b++) xs.push(2 ** b - 1, 2 ** b, 2 ** b + 1);
    for (const x of xs) assert.equal(digitsOf(x), String(x).length, `${x}`);
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (x) => digitsOf(x) === String(x).length), params(20_000));
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

  it('a range copied from another writer (copyFrom), a Uint8Array or a Buffer (bytes), short and long, whole or not, into a writer that grows', () => {
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
      } else if (start === 0) {
        // the whole array (bytes()' set() path)
        w.bytes(via === 'bytes of a Buffer' ? Buffer.from(bytes) : bytes, 0, bytes.length);
      } else {
        w.bytes(via === 'bytes of a Buffer' ? Buffer.from(whole) : whole, start, bytes.length);
      }
      w.byte(0x21);
      assert.ok(w.buf.subarray(offset, w.pos).equals(Buffer.concat([Buffer.from(bytes), Buffer.from('!')])), `${via}: ${bytes.length} bytes from ${start} to ${offset}`);
    }), params(5000));
  });
});
