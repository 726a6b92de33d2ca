/**
 * util/shapes.ts: the hot path's objects get the field representations they will need before any
 * code is optimised, so that a fractional initial RTT or a raw sequence number beyond 2^31 met in
 * the middle of a capture does not change their hidden class (and throw away the optimised code
 * that had seen it). V8's own view is asked, in a child process with `--allow-natives-syntax`:
 * %HaveSameMap(a, b) is true when two objects share a hidden class.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { settleDoubles, settleElements, settleMutable } from '../src/util/shapes.js';
import { smiIfSmall } from '../src/util/round.js';

const SRC = join(import.meta.dirname, '..', 'src');
const url = (p: string): string => pathToFileURL(join(SRC, p)).href;

/** Runs `code` (an ES module body) with V8's intrinsics and returns what it printed, as JSON. */
function v8Says(code: string): unknown {
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', code], { encoding: 'utf8' });
  return JSON.parse(out);
}

describe('settled shapes', () => {
  it('settleDoubles keeps the values and refuses a field that is not a number', () => {
    const o = { a: 3, b: -1, c: 'x' };
    settleDoubles(o, ['a', 'b']);
    assert.deepEqual(o, { a: 3, b: -1, c: 'x' });
    assert.throws(() => settleDoubles(o, ['c']), /c is not a number/);
  });

  it('a settled field takes a double without a new hidden class; an unsettled one does not (the control)', () => {
    const said = v8Says(`
      import { settleDoubles } from ${JSON.stringify(url('util/shapes.js'))};
      class Settled { t = 0; n = 0; }
      class Plain { t = 0; n = 0; }
      const s = new Settled();
      settleDoubles(s, ['t']);
      const s2 = new Settled();
      s2.t = 0.25;
      const p = new Plain();
      const p2 = new Plain();
      p2.t = 0.25;
      console.log(JSON.stringify([%HaveSameMap(s, s2), %HaveSameMap(p, p2)]));
    `);
    assert.deepEqual(said, [true, false]);
  });

  it("a connection's times and initial RTT, and the packet result's time, raw and relative numbers, are doubles from the start", () => {
    const said = v8Says(`
      import { newConnection, resetConnection } from ${JSON.stringify(url('analyze/connection.js'))};
      import { PacketResult } from ${JSON.stringify(url('analyze/tracker.js'))};
      const fresh = newConnection();
      const used = newConnection();
      used.irtt = 0.000049;
      used.firstTime = 0.102703;
      used.lastTime = 1795318111.5;
      const reused = newConnection();
      reused.irtt = 0.25;
      resetConnection(reused);
      const r = new PacketResult();
      const r2 = new PacketResult();
      r2.time = 0.5;
      r2.n1 = 0xfffffff0;
      r2.n2 = 0x80000000;
      r2.n3 = 0.5;
      r2.peerBase = 0xffffffff;
      // relative numbers beyond 2^31: a segment before its direction's base, or 2 GB in
      r2.seq = 0xfffffe00;
      r2.ack = 0x80000001;
      console.log(JSON.stringify([%HaveSameMap(fresh, used), %HaveSameMap(fresh, reused), %HaveSameMap(r, r2), used.irtt, reused.irtt]));
    `);
    assert.deepEqual(said, [true, true, true, 0.000049, -1]);
  });

  it("a continuation's restored state keeps the connection's and the flows' shapes (a pcap's seconds as small integers)", () => {
    // (real traffic, 2026-12-05: the seconds came back from the ring's Float64Array as doubles,
    // and at the first continuation every connection's and flow's shape changed: 26 and 15
    // hidden classes replaced, a dozen optimised functions thrown away, and every packet after
    // read those seconds as boxed doubles; real4's check 0.52 -> 0.44 s without it)
    const said = v8Says(`
      import { newConnection } from ${JSON.stringify(url('analyze/connection.js'))};
      import { AnalysisStates, RESTORED } from ${JSON.stringify(url('flow/analysis-states.js'))};
      const fresh = newConnection();
      const c = newConnection();
      c.id = 7;
      c.synSec = 1795318111;
      c.a.nextseqSec = 1795318111;
      c.a.lastackSec = 1795318112;
      c.b.nextseqSec = 1795318113;
      c.b.lastackSec = 1795318114;
      const states = new AnalysisStates(4);
      const at = states.save(c, true);
      const into = newConnection();
      into.id = 7;
      const kept = states.restore(at, 7, into, into.b, into.a, false);
      console.log(JSON.stringify([kept === RESTORED, %HaveSameMap(fresh, into), %HaveSameMap(fresh.a, into.a), %HaveSameMap(fresh.b, into.b),
        into.synSec, into.a.nextseqSec, into.a.lastackSec, into.b.nextseqSec, into.b.lastackSec]));
    `);
    assert.deepEqual(said, [true, true, true, true, 1795318111, 1795318111, 1795318112, 1795318113, 1795318114]);
  });

  it("a tombstone's bases beyond 2^31, and TCP timestamps beyond 2^31, keep the found record's and the packet's shapes", () => {
    const said = v8Says(`
      import { TombstoneStore, Found } from ${JSON.stringify(url('flow/tombstones.js'))};
      import { Packet } from ${JSON.stringify(url('decode/packet.js'))};
      const fresh = new Found();
      const store = new TombstoneStore();
      store.put({ hash: 11, hash2: 22, aLower: true, baseA: 0xfffffff0, setA: true, baseB: 0x80000001, setB: true, id: 3, clientIsA: true,
        roles: 1, scaleA: 7, scaleB: -1, memory: 4 });
      const found = store.find(11, 22, true);
      const p = new Packet();
      const q = new Packet();
      q.tsVal = 0xfffffff0;
      q.tsEcr = 0x80000000;
      console.log(JSON.stringify([found, %HaveSameMap(fresh, store.found), store.found.senderBase, store.found.receiverBase, %HaveSameMap(p, q)]));
    `);
    assert.deepEqual(said, [true, true, 0xfffffff0, 0x80000001, true]);
  });

  it('settleMutable keeps the values and refuses a field the object does not have', () => {
    const o = { a: 3, b: 'x' };
    settleMutable(o, ['a', 'b']);
    assert.deepEqual(o, { a: 3, b: 'x' });
    assert.throws(() => settleMutable(o, ['c']), /no field c/);
  });

  it("code optimised while a settled field held its first value is kept when the field is stored to (the tracker's first continuation, eviction, idle release, release; the table's growth); an unsettled one's is thrown away (the control)", () => {
    // %GetOptimizationStatus: bit 6 (64) while the function is TurboFan's code
    const said = v8Says(`
      import { settleMutable } from ${JSON.stringify(url('util/shapes.js'))};
      import { Tracker } from ${JSON.stringify(url('analyze/tracker.js'))};
      import { ConnectionTable } from ${JSON.stringify(url('flow/table.js'))};
      const TURBOFAN = 64;
      /** Whether reader(o), optimised, is still optimised after mutate(o). */
      function kept(o, reader, mutate) {
        %PrepareFunctionForOptimization(reader);
        reader(o);
        reader(o);
        %OptimizeFunctionOnNextCall(reader);
        reader(o);
        if ((%GetOptimizationStatus(reader) & TURBOFAN) === 0) return 'not optimised';
        mutate(o);
        return (%GetOptimizationStatus(reader) & TURBOFAN) !== 0;
      }
      class Plain { arr = new Int32Array(8); }
      class Settled { arr = new Int32Array(8); constructor() { settleMutable(this, ['arr']); } }
      const sum = (o) => { let s = 0; for (let i = 0; i < o.arr.length; i++) s += o.arr[i]; return s; };
      const grow = (o) => { o.arr = new Int32Array(16); };
      const out = [kept(new Plain(), (o) => sum(o), grow), kept(new Settled(), (o) => sum(o), grow)];
      // the tracker's counters and LRU stamps, first stored to mid-capture
      const tracker = new Tracker(null, { keepAll: false });
      out.push(kept(tracker, (t) => t.splitConnections + t.continuedAnalysis + t.evicted + t.idleReleased + t.slotStamp.length, (t) => {
        t.splitConnections++;
        t.continuedAnalysis++;
        t.evicted++;
        t.idleReleased++;
        t.slotStamp = new Float64Array(8192);
      }));
      // the release queue's head and the LRU's statistics, first stored to at the first release
      // or the first touch from far behind (real traffic: track() was compiled four times)
      out.push(kept(tracker, (t) => t.releaseHead + t.touched + t.farTouches + t.inOrderTouches + t.windowTouches + t.windowFrame + t.touchId, (t) => {
        t.releaseHead++;
        t.touched++;
        t.farTouches++;
        t.inOrderTouches++;
        t.windowTouches++;
        t.windowFrame++;
        t.touchId++;
      }));
      // the connection table's index, replaced as the table grows
      const table = new ConnectionTable();
      out.push(kept(table, (t) => t.buckets.length + t.mask + t.slotHash.length + t.slotNext.length, (t) => {
        t.buckets = new Int32Array(8192);
        t.mask = 8191;
        t.slotHash = new Int32Array(8192);
        t.slotNext = new Int32Array(8192);
      }));
      console.log(JSON.stringify(out));
    `);
    assert.deepEqual(said, [false, true, true, true, true]);
  });

  it("settleElements: code optimised while a pool was empty is kept at the pool's first object; an unsettled pool's is thrown away (the control); the tracker's pool of connections is settled", () => {
    // each case in a process of its own: once any empty array has changed its kind, V8 no longer
    // takes that kind's map as stable and later cases would not show the throw-away
    const kept = (pool: string, sample: string): unknown => v8Says(`
      import { settleElements } from ${JSON.stringify(url('util/shapes.js'))};
      import { Tracker } from ${JSON.stringify(url('analyze/tracker.js'))};
      import { newConnection } from ${JSON.stringify(url('analyze/connection.js'))};
      const TURBOFAN = 64;
      const pool = ${pool};
      const take = (p) => p.pop() ?? null;
      %PrepareFunctionForOptimization(take);
      take(pool);
      take(pool);
      %OptimizeFunctionOnNextCall(take);
      take(pool);
      let said = 'not optimised';
      if ((%GetOptimizationStatus(take) & TURBOFAN) !== 0) {
        pool.push(${sample});
        take(pool);
        said = (%GetOptimizationStatus(take) & TURBOFAN) !== 0;
      }
      console.log(JSON.stringify(said));
    `);
    assert.equal(kept('[]', '{ a: 1 }'), false, 'the control');
    assert.equal(kept('(() => { const a = []; settleElements(a, { a: 1 }); return a; })()', '{ a: 1 }'), true);
    assert.equal(kept('new Tracker(null, { keepAll: false }).spare', 'newConnection()'), true);
    assert.throws(() => settleElements([1], 2), /not empty/);
  });

  it('smiIfSmall gives whole numbers in the int32 range as int32s and leaves the rest as they are', () => {
    for (const x of [0, 1, -1, 1795318111, 0x7fffffff, -0x80000000]) assert.equal(Object.is(smiIfSmall(x), x), true, String(x));
    assert.equal(smiIfSmall(0x80000000), 0x80000000);
    assert.equal(smiIfSmall(2 ** 40), 2 ** 40);
    assert.equal(smiIfSmall(-0x80000001), -0x80000001);
    const said = v8Says(`
      import { smiIfSmall } from ${JSON.stringify(url('util/round.js'))};
      const f = new Float64Array([1795318111, 1000000]);
      const o = { sec: 1795318111, frame: 7 };
      const o2 = { sec: 1795318111, frame: 7 };
      o2.sec = smiIfSmall(f[0]);
      o2.frame = smiIfSmall(f[1]);
      console.log(JSON.stringify([%HaveSameMap(o, o2), o2.sec, o2.frame]));
    `);
    assert.deepEqual(said, [true, 1795318111, 1000000]);
  });

  it("seqSub's code, and its callers', is compiled for a result from 2^31 up (an ack below the other side's ISN) from the start; the same expression unprimed is thrown away at its first such result (the control)", () => {
    const said = v8Says(`
      import { seqSub } from ${JSON.stringify(url('model/seq.js'))};
      function unprimed(a, b) { return (a - b) >>> 0; }
      // (a double field, as the packet result's relative numbers are: settleDoubles)
      const out = { a: 0.5 };
      function viaSeqSub(a, b) { out.a = seqSub(a, b); }
      function viaUnprimed(a, b) { out.a = unprimed(a, b); }
      const turbofan = (f) => (%GetOptimizationStatus(f) & 64) !== 0;
      const seen = [];
      for (const f of [viaSeqSub, viaUnprimed]) {
        %PrepareFunctionForOptimization(f);
        for (let i = 0; i < 100; i++) f(1000 + i, 1000);
        %OptimizeFunctionOnNextCall(f);
        f(1001, 1000);
        const before = turbofan(f);
        f(1000, 1001);
        seen.push(before, turbofan(f), out.a);
      }
      console.log(JSON.stringify(seen));
    `);
    assert.deepEqual(said, [true, true, 4294967295, true, false, 4294967295]);
  });
});
