/**
 * The end of input finalises the connections still open in id order (Tracker.finishStep), put in
 * that order by inIdOrder(): as they are when already in order, placed by id when their ids are
 * dense, sorted otherwise. Every way must give the order a sort gives, and keep every connection.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inIdOrder } from '../src/analyze/tracker.js';
import { newConnection, type Connection } from '../src/analyze/connection.js';

function conns(ids: number[]): Connection[] {
  return ids.map((id) => {
    const c = newConnection();
    c.id = id;
    return c;
  });
}

/** A deterministic shuffle (xorshift). */
function shuffled<T>(xs: T[], seed: number): T[] {
  const out = xs.slice();
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function check(list: Connection[]): void {
  const expected = list.slice().sort((x, y) => x.id - y.id);
  const got = inIdOrder(list);
  assert.equal(got.length, expected.length);
  for (let i = 0; i < got.length; i++) assert.equal(got[i], expected[i], `position ${i}`);
}

describe('inIdOrder: the open connections in id order at the end of input', () => {
  it('an empty list, one connection, a list already in order (returned as it is)', () => {
    check([]);
    check(conns([7]));
    const list = conns([3, 4, 9, 10, 200]);
    const same = list.slice();
    assert.equal(inIdOrder(list), list);
    assert.deepEqual(list, same);
  });

  it('dense ids in any order are placed by id, gaps and all', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const ids = Array.from({ length: 1000 }, (_, i) => 5000 + i * (1 + (i % 3)));
      check(shuffled(conns(ids), seed));
    }
    check(conns([1, 0]));
    check(conns([12, 10, 11, 13]));
  });

  it('ids spread wider than four times their number are sorted', () => {
    check(shuffled(conns([0, 1_000_000, 5, 999, 42, 7_000_000]), 3));
    check(conns([40, 0, 20]));
  });

  it('two connections of one id (not what the table holds) are all kept, in order', () => {
    const list = shuffled(conns([5, 6, 7, 6, 8, 9, 10]), 9);
    const got = inIdOrder(list.slice());
    assert.deepEqual(got.map((c) => c.id), [5, 6, 6, 7, 8, 9, 10]);
    assert.equal(new Set(got).size, 7);
  });
});
