import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Packet } from '../src/decode/packet.js';
import type { PacketResult } from '../src/analyze/tracker.js';
import { NOTE_KEYS, PHASE_NAMES, STATE_NAMES } from '../src/analyze/story.js';
import { ANALYSIS_NAMES } from '../src/analyze/flags.js';
import { RecordList, RecordPool, RecordStore, fillRecord, plainRecord, NO_FIELDS, type PacketRecord } from '../src/render/records.js';

/** What the analysis hands over for one packet: the result's fields and the packet's. */
interface Fields {
  frame: number; time: number; fromA: boolean; flags: number; seq: number; ack: number; seq32: number; ack32: number;
  len: number; window: number; analysis: number; phase: number; stateA: number; stateB: number; note: number;
  n1: number; n2: number; n3: number;
}

const u32 = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1));
const i32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const fields: fc.Arbitrary<Fields> = fc.record({
  frame: fc.oneof(fc.integer({ min: 1, max: 2 ** 31 }), fc.constantFrom(2 ** 32 + 7, Number.MAX_SAFE_INTEGER)),
  time: fc.oneof(fc.double({ min: -1e9, max: 1e10, noNaN: true }), fc.constantFrom(0, -0.5, 1e-9, 1048576.000000001)),
  fromA: fc.boolean(),
  flags: fc.integer({ min: 0, max: 511 }),
  seq: u32, ack: u32, seq32: i32, ack32: i32,
  len: u32,
  window: fc.integer({ min: 0, max: 65535 * 2 ** 14 }),
  analysis: fc.integer({ min: 0, max: 2 ** ANALYSIS_NAMES.length - 1 }),
  phase: fc.integer({ min: 0, max: PHASE_NAMES.length - 1 }),
  stateA: fc.integer({ min: 0, max: STATE_NAMES.length - 1 }),
  stateB: fc.integer({ min: 0, max: STATE_NAMES.length - 1 }),
  note: fc.integer({ min: 0, max: NOTE_KEYS.length - 1 }),
  n1: fc.oneof(u32, fc.double({ noNaN: true })), n2: u32, n3: fc.oneof(u32, fc.constantFrom(-1, 0.5, 2 ** 40)),
});

/** The result and packet that carry `v`. */
function handed(v: Fields): { r: PacketResult; p: Packet } {
  const p = new Packet();
  p.flags = v.flags;
  p.seq32 = v.seq32;
  p.ack32 = v.ack32;
  p.payloadLen = v.len;
  const r = {
    frame: v.frame, time: v.time, fromA: v.fromA, seq: v.seq, ack: v.ack, window: v.window, analysis: v.analysis,
    phase: v.phase, stateA: v.stateA, stateB: v.stateB, note: v.note, n1: v.n1, n2: v.n2, n3: v.n3,
  } as unknown as PacketResult;
  return { r, p };
}

/** The record of `v`, field by field (the contract's PacketRecord). */
function expected(v: Fields): PacketRecord {
  return {
    frame: v.frame, time: v.time, fromA: v.fromA, flags: v.flags, seq: v.seq, ack: v.ack, rawSeq: v.seq32, rawAck: v.ack32,
    len: v.len, window: v.window, analysis: v.analysis, phase: v.phase, stateA: v.stateA, stateB: v.stateB, note: v.note,
    n1: v.n1, n2: v.n2, n3: v.n3,
  };
}

describe('packet record store', () => {
  it('a slot gives back every field it was filled with, through at(), copy() and read(); fillRecord the same', () => {
    fc.assert(fc.property(fc.array(fields, { minLength: 1, maxLength: 40 }), (vs) => {
      const store = new RecordStore();
      const slots = vs.map((v) => {
        const s = store.take();
        const { r, p } = handed(v);
        store.fill(s, r, p);
        return s;
      });
      const list = new RecordList(store, slots);
      assert.equal(list.length, vs.length);
      vs.forEach((v, i) => {
        assert.deepEqual(plainRecord(list.at(i)), expected(v));
        assert.deepEqual(list.copy(i), expected(v));
        const { r, p } = handed(v);
        assert.deepEqual(fillRecord(plainRecord(NO_FIELDS), r, p), expected(v));
      });
      // a copy is its own: a later at() does not change it
      const first = list.copy(0);
      list.at(vs.length - 1);
      assert.deepEqual(first, expected(vs[0]!));
    }), { numRuns: 300 });
  });

  it('grows a chunk at a time; freed slots are taken again before new ones, and others stay as they were', () => {
    const store = new RecordStore();
    const v = (k: number): Fields => ({
      frame: k + 1, time: k / 1000, fromA: k % 2 === 0, flags: k % 512, seq: (k * 2654435761) >>> 0, ack: k, seq32: k | 0, ack32: -k,
      len: k % 1500, window: k % 65535, analysis: k % 32768, phase: k % PHASE_NAMES.length, stateA: k % STATE_NAMES.length,
      stateB: (k + 3) % STATE_NAMES.length, note: k % NOTE_KEYS.length, n1: k * 3, n2: k * 5, n3: k * 7,
    });
    const fillWith = (s: number, k: number): void => {
      const { r, p } = handed(v(k));
      store.fill(s, r, p);
    };
    // 2 500 records: three chunks of 1 024
    const a: number[] = [];
    const b: number[] = [];
    for (let k = 0; k < 2500; k++) {
      const s = store.take();
      fillWith(s, k);
      (k % 3 === 0 ? a : b).push(s);
    }
    assert.equal(store.capacity, 3 * 1024);
    assert.equal(store.live, 2500);
    // a's slots given back: the next records take them (the last given first), no new ones
    store.give(a);
    assert.equal(store.live, 2500 - a.length);
    const again: number[] = [];
    for (let k = 0; k < a.length; k++) {
      const s = store.take();
      fillWith(s, 10000 + k);
      again.push(s);
    }
    assert.deepEqual([...again].sort((x, y) => x - y), [...a].sort((x, y) => x - y));
    assert.equal(again[0], a[a.length - 1]);
    assert.equal(store.capacity, 3 * 1024);
    // b's records are untouched (the k-th record taken at first went to slot k: no slot had
    // been freed then); the refilled slots hold their new records
    const bl = new RecordList(store, b);
    for (let i = 0; i < b.length; i++) assert.deepEqual(bl.copy(i), expected(v(b[i]!)));
    const al = new RecordList(store, again);
    for (let i = 0; i < again.length; i++) assert.deepEqual(al.copy(i), expected(v(10000 + i)));
    // more slots given back at once than the free stack held (1 024): it grows, and every one
    // is taken again before a new slot
    assert.ok(b.length > 1024);
    store.give(b);
    const taken = new Set<number>();
    for (let k = 0; k < b.length; k++) taken.add(store.take());
    assert.deepEqual([...taken].sort((x, y) => x - y), [...b].sort((x, y) => x - y));
    assert.equal(store.live, 2500);
    // one more than the chunks hold: a fourth chunk
    for (let k = store.live; k < 3 * 1024 + 1; k++) store.take();
    assert.equal(store.capacity, 4 * 1024);
  });

  it('a pool holds a list\'s records as objects until the next fill, and says what was left out', () => {
    const store = new RecordStore();
    const pool = new RecordPool();
    const make = (n: number, base: number): RecordList => {
      const slots: number[] = [];
      for (let k = 0; k < n; k++) {
        const s = store.take();
        const { r, p } = handed(expectedFields(base + k));
        store.fill(s, r, p);
        slots.push(s);
      }
      return new RecordList(store, slots);
    };
    const long = make(5, 100);
    long.omitted = { count: 3, fromFrame: 4, toFrame: 6, limit: 5, dataSegmentsA: 1, dataBytesA: 10, dataSegmentsB: 0, dataBytesB: 0 };
    pool.fill(long);
    assert.equal(pool.length, 5);
    assert.deepEqual(pool.omitted, long.omitted);
    for (let i = 0; i < 5; i++) assert.deepEqual(pool.at(i), long.copy(i));
    const short = make(2, 200);
    pool.fill(short);
    assert.equal(pool.length, 2);
    assert.equal(pool.omitted, undefined);
    for (let i = 0; i < 2; i++) assert.deepEqual(pool.copy(i), short.copy(i));
  });
});

function expectedFields(k: number): Fields {
  return {
    frame: k, time: k / 10, fromA: k % 2 === 1, flags: 0x18, seq: k * 100, ack: 1, seq32: 5 + k, ack32: 9, len: 100, window: 502,
    analysis: 0, phase: 1, stateA: 5, stateB: 5, note: 0, n1: 0, n2: 0, n3: 0,
  };
}
