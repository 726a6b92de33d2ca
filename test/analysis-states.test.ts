import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisStates, ANALYSIS_STATES, NOT_KEPT, RESTORED, RESTORED_AFRESH } from '../src/flow/analysis-states.js';
import { newConnection, F_FIRST_ACK, F_BASE_SET, F_FIN_SENT, type Connection, type Flow } from '../src/analyze/connection.js';

/** Every analysis field of a flow, distinct per `k`, uint32 halves and large seconds included. */
function fill(f: Flow, k: number): void {
  f.nextseq = (0x80000000 + k) | 0;
  f.nextseqSec = 4_000_000_000 + k;
  f.nextseqNsec = 999_999_000 + k;
  f.maxseqtobeacked = -7 - k;
  f.lastack = 12345 + k;
  f.lastackSec = 1_700_000_000 + k;
  f.lastackNsec = 500 + k;
  f.window = k === 1 ? -1 : 65535 - k;
  f.dupacknum = k === 1 ? -1 : 3 + k;
  f.lastSegmentFlags = 0x4000 | k;
  f.bits = (k === 1 ? F_FIRST_ACK : 0) | F_BASE_SET;
}

function analysisOf(f: Flow): unknown[] {
  return [f.nextseq, f.nextseqSec, f.nextseqNsec, f.maxseqtobeacked, f.lastack, f.lastackSec, f.lastackNsec, f.window, f.dupacknum, f.lastSegmentFlags, f.bits & F_FIRST_ACK];
}

function released(id: number): Connection {
  const c = newConnection();
  c.id = id;
  fill(c.a, 1);
  fill(c.b, 2);
  c.irttNs = 2_500_000 + id;
  c.irtt = 0.0025;
  c.synSec = 4_100_000_000;
  c.synNsec = 123_456_789;
  return c;
}

describe('analysis states: a continuation goes on from its stream\'s analysis state', () => {
  it('every field comes back, to the flow of the packet\'s sender, whichever end sorts first', () => {
    for (const aLower of [true, false]) {
      const s = new AnalysisStates();
      const c = released(7);
      const i = s.save(c, aLower);
      // a later packet sent by a (lo when aLower): F is a's flow
      for (const fromA of [true, false]) {
        const n = newConnection();
        n.b.bits |= F_FIN_SENT; // not an analysis bit: kept as it is
        const F = n.a;
        const R = n.b;
        assert.equal(s.restore(i, 7, n, F, R, fromA === aLower), RESTORED);
        assert.deepEqual(analysisOf(F), analysisOf(fromA ? c.a : c.b), `aLower ${aLower} fromA ${fromA}`);
        assert.deepEqual(analysisOf(R), analysisOf(fromA ? c.b : c.a));
        assert.deepEqual([n.irttNs, n.irtt, n.synSec, n.synNsec], [c.irttNs, c.irtt, c.synSec, c.synNsec]);
        assert.equal(R.bits & F_FIN_SENT, F_FIN_SENT);
      }
    }
  });

  it('a ring: every entry is found, staged or copied to the ring, until overwritten a lap later; then nothing is changed', () => {
    const s = new AnalysisStates(4096);
    assert.equal(s.allocated, 4096);
    const idx: number[] = [];
    for (let id = 0; id < 4096; id++) idx.push(s.save(released(id), true));
    assert.deepEqual(idx, [...Array(4096).keys()]);
    // copied to the ring in stages (the first ones), or still staged (the last 256)
    const n = newConnection();
    for (const id of [0, 255, 256, 1023, 3839, 3840, 4095]) {
      assert.equal(s.restore(idx[id]!, id, n, n.a, n.b, true), RESTORED, `id ${id}`);
      assert.equal(n.irttNs, 2_500_000 + id);
      assert.equal(n.a.nextseq, (0x80000000 + 1) | 0);
    }
    // the 4097th overwrites the first: staged, not yet in the ring
    const j = s.save(released(5000), true);
    assert.equal(j, idx[0]);
    const fresh = newConnection();
    assert.equal(s.restore(idx[0]!, 0, fresh, fresh.a, fresh.b, true), NOT_KEPT);
    assert.deepEqual([fresh.a.nextseq, fresh.a.window, fresh.irttNs], [0, -1, 0]);
    assert.equal(s.restore(j, 5000, fresh, fresh.a, fresh.b, true), RESTORED);
    // the next ones are still in the ring, from the lap before
    assert.equal(s.restore(idx[1]!, 1, fresh, fresh.a, fresh.b, true), RESTORED);
    assert.equal(s.restore(idx[4095]!, 4095, fresh, fresh.a, fresh.b, true), RESTORED);
    // 255 more: the stage is full, and the 256th copies it over the first lap's
    for (let id = 1; id <= 256; id++) s.save(released(5000 + id), true);
    assert.equal(s.restore(idx[1]!, 1, fresh, fresh.a, fresh.b, true), NOT_KEPT);
    assert.equal(s.restore(idx[255]!, 255, fresh, fresh.a, fresh.b, true), NOT_KEPT);
    assert.equal(s.restore(idx[256]!, 256, fresh, fresh.a, fresh.b, true), NOT_KEPT);
    assert.equal(s.restore(idx[257]!, 257, fresh, fresh.a, fresh.b, true), RESTORED);
    assert.equal(s.restore(j, 5000, fresh, fresh.a, fresh.b, true), RESTORED);
    // no entry (a tombstone put without one) and an index out of range
    assert.equal(s.restore(-1, 0, fresh, fresh.a, fresh.b, true), NOT_KEPT);
    assert.equal(s.restore(4096, 0, fresh, fresh.a, fresh.b, true), NOT_KEPT);
    assert.equal(ANALYSIS_STATES, 32768);
  });

  it('a continuation whose analysis started afresh passes that on: its state is restored, said to be afresh', () => {
    const s = new AnalysisStates();
    const c = released(9);
    c.continuedAfresh = true;
    const i = s.save(c, true);
    const n = newConnection();
    assert.equal(s.restore(i, 9, n, n.a, n.b, true), RESTORED_AFRESH);
    assert.deepEqual(analysisOf(n.a), analysisOf(c.a));
    // the flag bit is not part of the SYN's nanoseconds
    assert.deepEqual([n.synSec, n.synNsec], [c.synSec, c.synNsec]);
  });

  it('a ring smaller than a stage, or not a multiple of it', () => {
    const small = new AnalysisStates(16);
    assert.equal(small.allocated, 16);
    for (let id = 0; id < 16; id++) assert.equal(small.save(released(id), false), id);
    assert.equal(small.save(released(16), false), 0);
    const n = newConnection();
    assert.equal(small.restore(15, 15, n, n.a, n.b, false), RESTORED);
    assert.equal(small.restore(0, 0, n, n.a, n.b, false), NOT_KEPT);
    assert.equal(new AnalysisStates(3000).allocated, 3072);
  });
});
