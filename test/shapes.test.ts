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
import { settleDoubles } from '../src/util/shapes.js';
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

  it("a connection's times and initial RTT, and the packet result's time and raw numbers, are doubles from the start", () => {
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
      console.log(JSON.stringify([%HaveSameMap(fresh, used), %HaveSameMap(fresh, reused), %HaveSameMap(r, r2), used.irtt, reused.irtt]));
    `);
    assert.deepEqual(said, [true, true, true, 0.000049, -1]);
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
});
