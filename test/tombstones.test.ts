import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TombstoneStore, TOMBSTONE_GENERATION, ROLES_BY_SYN, ROLES_BY_SYN_ACK, ROLES_INFERRED, type Released } from '../src/flow/tombstones.js';

/** 4-tuple k's fingerprint: two independent-looking 32-bit words. */
const h1 = (k: number): number => Math.imul(k + 1, 0x9e3779b1) | 0;
const h2 = (k: number): number => Math.imul(k + 7, 0x85ebca6b) ^ 0x5bd1e995;

/** A released connection on 4-tuple k (id k, client a, known by its SYN unless said). */
function rel(k: number, aLower: boolean, baseA: number, setA: boolean, baseB: number, setB: boolean, more: Partial<Released> = {}): Released {
  return { hash: h1(k), hash2: h2(k), aLower, baseA, setA, baseB, setB, id: k, clientIsA: true, roles: ROLES_BY_SYN, scaleA: 7, scaleB: -1, memory: -1, ...more };
}

describe('tombstones: released 4-tuples, bounded by two generations', () => {
  it('remembers both directions\' bases, found from either end', () => {
    const t = new TombstoneStore();
    t.put(rel(1, true, 1000, true, 2000, false));
    assert.equal(t.find(h1(1), h2(1), true), true);
    assert.deepEqual([t.found.senderBase, t.found.senderBaseSet], [1000, true]);
    assert.equal(t.find(h1(1), h2(1), false), true);
    assert.deepEqual([t.found.senderBase, t.found.senderBaseSet], [2000, false]);
    assert.equal(t.find(h1(2), h2(2), true), false);
    // same first hash, different second: a different 4-tuple
    assert.equal(t.find(h1(1), h2(2), true), false);
  });

  it('what a continuation needs, from either end: the other base, the id, the client and how it was known, the window scales', () => {
    const t = new TombstoneStore();
    // endpoint a sorts second (aLower false): a is the hi end
    t.put(rel(3, false, 1000, true, 2000, false, { id: 77, clientIsA: true, roles: ROLES_BY_SYN_ACK, scaleA: 14, scaleB: -2 }));
    t.put(rel(4, true, 5, true, 6, true, { id: 1 << 30, clientIsA: false, roles: ROLES_INFERRED, scaleA: 0, scaleB: -1 }));
    assert.equal(t.find(h1(3), h2(3), false), true); // sent by the hi end: a
    const f = t.found;
    assert.deepEqual([f.senderBase, f.senderBaseSet, f.receiverBase, f.receiverBaseSet, f.id, f.senderIsClient, f.roles, f.senderScale, f.receiverScale],
      [1000, true, 2000, false, 77, true, ROLES_BY_SYN_ACK, 14, -2]);
    assert.equal(t.find(h1(3), h2(3), true), true); // sent by the lo end: b
    assert.deepEqual([f.senderBase, f.senderBaseSet, f.receiverBase, f.receiverBaseSet, f.id, f.senderIsClient, f.senderScale, f.receiverScale],
      [2000, false, 1000, true, 77, false, -2, 14]);
    assert.equal(t.find(h1(4), h2(4), true), true); // sent by a, the lo end; b was the client
    assert.deepEqual([f.senderBase, f.receiverBase, f.id, f.senderIsClient, f.roles, f.senderScale, f.receiverScale], [5, 6, 1 << 30, false, ROLES_INFERRED, 0, -1]);
    // a failed find leaves the last result alone
    assert.equal(t.find(h1(9), h2(9), true), false);
    assert.equal(f.id, 1 << 30);
  });

  it('every field survives a table grown many times: bases of all 32 bits, ids, scales -2 to 14, roles', () => {
    const t = new TombstoneStore();
    const n = 40_000; // 1024 slots grown eightfold twice, then to the largest (262 144), not 524 288
    const base = (k: number, side: number): number => Math.imul(k * 2 + side, 0x9e3779b9) | 0;
    const roles = [ROLES_INFERRED, ROLES_BY_SYN, ROLES_BY_SYN_ACK];
    for (let k = 0; k < n; k++) {
      t.put(rel(k, k % 3 === 0, base(k, 0), k % 5 !== 0, base(k, 1), k % 7 !== 0,
        { id: k * 40503, clientIsA: k % 2 === 0, roles: roles[k % 3]!, scaleA: (k % 17) - 2, scaleB: 14 - (k % 17) }));
    }
    assert.equal(t.size, n);
    assert.equal(t.slots, 2 * TOMBSTONE_GENERATION);
    let negative = 0;
    for (let k = 0; k < n; k++) {
      const aLower = k % 3 === 0;
      // sent by a: a's side first
      assert.equal(t.find(h1(k), h2(k), aLower), true, `4-tuple ${k}`);
      const f = t.found;
      assert.deepEqual(
        [f.senderBase | 0, f.senderBaseSet, f.receiverBase | 0, f.receiverBaseSet, f.id, f.senderIsClient, f.roles, f.senderScale, f.receiverScale],
        [base(k, 0), k % 5 !== 0, base(k, 1), k % 7 !== 0, k * 40503, k % 2 === 0, roles[k % 3], (k % 17) - 2, 14 - (k % 17)], `4-tuple ${k} from a`);
      if (f.senderBase >= 2 ** 31) negative++;
      // sent by b
      assert.equal(t.find(h1(k), h2(k), !aLower), true);
      assert.deepEqual([f.senderBase | 0, f.receiverBase | 0, f.senderIsClient, f.senderScale, f.receiverScale],
        [base(k, 1), base(k, 0), k % 2 !== 0, 14 - (k % 17), (k % 17) - 2], `4-tuple ${k} from b`);
    }
    assert.ok(negative > n / 4, 'bases of 2^31 and above were tried');
    for (let k = n; k < n + 100; k++) assert.equal(t.find(h1(k), h2(k), true), false);
  });

  it('grows eightfold, up to a generation at half load, and no further when its table is reused', () => {
    const t = new TombstoneStore(5000);
    const sizes: number[] = [t.slots];
    for (let k = 0; k < 15_001; k++) {
      t.put(rel(k, true, k, true, k + 1, true));
      if (t.slots !== sizes[sizes.length - 1]) sizes.push(t.slots);
    }
    // 1 024, 8 192, then 16 384 (5 000 at half load) for each of the three generations begun
    assert.deepEqual(sizes, [1024, 8192, 16_384, 1024, 8192, 16_384]);
    assert.equal(t.tablesMade, 2);
    for (let k = 10_000; k < 15_001; k++) assert.equal(t.find(h1(k), h2(k), true), true, `4-tuple ${k}`);
  });

  it('keeps at least the last generation and at most two; older ones are forgotten', () => {
    const g = 4;
    const t = new TombstoneStore(g);
    for (let k = 0; k < 10; k++) t.put(rel(k, true, k, true, k + 100, true));
    // generations [0..3] dropped when [8..] started; [4..7] previous, [8, 9] current
    assert.equal(t.size, 6);
    for (let k = 0; k < 10; k++) assert.equal(t.find(h1(k), h2(k), true), k >= 4, `4-tuple ${k}`);
    assert.equal(t.find(h1(5), h2(5), true), true);
    assert.equal(t.found.senderBase, 5);
  });

  it('4-tuples that collide in the index (one start slot, one tag, one first hash) are told apart, through growths and re-puts', () => {
    // the default generation: 2^18 slots at most, so a slot keeps 18 bits for the entry and the
    // second hash's top 14 bits as its tag
    const t = new TombstoneStore();
    const TAG = 18;
    const n = 5000; // 1 024 slots, grown to 8 192 and then 65 536 with the clusters in place
    // eight start slots for all; within each, 4-tuples of one tag (second hashes apart in their
    // low bits only), of one first hash with other tags, and of other first hashes
    const first = (k: number): number => (k % 3 === 0 ? 5 : (k & 7) | ((k >> 3) << 16));
    const second = (k: number): number => (k % 2 === 0 ? ((0x2a5 << TAG) | k) : (k << TAG) | 0x155) | 0;
    const put = (k: number, b: number): void => t.put({ ...rel(k, true, b, true, b + 1, k % 4 === 0), hash: first(k), hash2: second(k), id: k, memory: k & 1023 });
    for (let k = 0; k < n; k++) put(k, k * 3);
    assert.equal(t.size, n);
    assert.equal(t.slots, 65_536);
    const check = (k: number, b: number): void => {
      assert.equal(t.find(first(k), second(k), true), true, `4-tuple ${k}`);
      const f = t.found;
      assert.deepEqual([f.id, f.memory, f.senderBase, f.receiverBase, f.receiverBaseSet], [k, k & 1023, b, b + 1, k % 4 === 0], `4-tuple ${k}`);
    };
    for (let k = 0; k < n; k++) check(k, k * 3);
    // released again in its generation: the same entry, the newest fields
    for (let k = 0; k < n; k += 7) put(k, k * 5);
    assert.equal(t.size, n);
    for (let k = 0; k < n; k++) check(k, k % 7 === 0 ? k * 5 : k * 3);
    // never released: the same first hash and tag with other low bits, a known second hash with another first
    for (let k = n; k < n + 200; k++) {
      assert.equal(t.find(5, ((0x2a5 << TAG) | (k * 2)) | 0, true), false, `second hash ${k}`);
      assert.equal(t.find(first(k) + 1, second(k - n), true), false, `first hash ${k}`);
    }
  });

  it('a generation of 1 to 2^29 4-tuples, and nothing else', () => {
    assert.equal(new TombstoneStore(1).slots, 1024);
    for (const g of [0, -1, 0.5, Number.NaN, 2 ** 29 + 1]) assert.throws(() => new TombstoneStore(g), RangeError, String(g));
    // the largest: its index is made small and grows only when needed
    const t = new TombstoneStore(2 ** 29);
    t.put(rel(1, true, 10, true, 20, true));
    assert.equal(t.find(h1(1), h2(1), true), true);
    assert.equal(t.found.senderBase, 10);
  });

  it('a 4-tuple released again is found with its newest bases', () => {
    const t = new TombstoneStore(2);
    t.put(rel(1, true, 10, true, 20, true));
    t.put(rel(2, true, 0, true, 0, true));
    t.put(rel(1, true, 11, true, 21, true)); // a new generation; the old entry stays in the previous one
    assert.equal(t.find(h1(1), h2(1), false), true);
    assert.equal(t.found.senderBase, 21);
  });

  it('the default generation: at least the last 131 072 4-tuples remembered, at most twice that', () => {
    assert.equal(TOMBSTONE_GENERATION, 1 << 17);
    const t = new TombstoneStore();
    const n = 3 * TOMBSTONE_GENERATION + 5;
    for (let k = 0; k < n; k++) t.put(rel(k, k % 2 === 0, k, true, k, true));
    assert.ok(t.size <= 2 * TOMBSTONE_GENERATION);
    assert.ok(t.size >= TOMBSTONE_GENERATION);
    // the newest generation is always there
    for (let k = n - TOMBSTONE_GENERATION; k < n; k += 997) assert.equal(t.find(h1(k), h2(k), true), true);
  });

  it('a dropped generation\'s table is reused, emptied: two tables in all, old 4-tuples not found again', () => {
    const g = 64;
    const t = new TombstoneStore(g);
    const n = 10 * g + 3;
    for (let k = 0; k < n; k++) t.put(rel(k, true, k, true, k + 1, false));
    assert.equal(t.tablesMade, 2);
    // current generation [640, 643), previous [576, 640); everything older is gone
    const oldest = n - 3 - g;
    assert.equal(t.size, 3 + g);
    for (let k = 0; k < n; k++) {
      assert.equal(t.find(h1(k), h2(k), k % 2 === 0), k >= oldest, `4-tuple ${k}`);
      if (k >= oldest) assert.deepEqual([t.found.senderBase, t.found.senderBaseSet], k % 2 === 0 ? [k, true] : [k + 1, false]);
    }
  });
});

describe('tombstones: the filter that answers most lookups of a 4-tuple never released', () => {
  /** A 32-bit word of a fixed pseudo-random sequence (xorshift). */
  function words(seed: number): () => number {
    let x = seed | 0;
    return () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x | 0;
    };
  }
  const passRate = (t: TombstoneStore, next: () => number, n: number): number => {
    let passed = 0;
    for (let k = 0; k < n; k++) if (t.mayHold(next())) passed++;
    return passed / n;
  };

  it('lets every released 4-tuple through, and about one in nine others at a full generation, through growths', () => {
    const t = new TombstoneStore();
    const next = words(0x1234567);
    const released: number[][] = [];
    for (let k = 0; k < TOMBSTONE_GENERATION; k++) {
      const h = [next(), next()] as [number, number];
      released.push(h);
      t.put({ ...rel(k, true, k, true, k, true), hash: h[0], hash2: h[1] });
      // a smaller table, before its growths: its filter at the same load as the index's
      if (k === 900) assert.ok(passRate(t, words(99), 20_000) < 0.25, 'at 900 4-tuples in 1 024 slots');
    }
    assert.equal(t.slots, 2 * TOMBSTONE_GENERATION);
    for (const [h, h2] of released) {
      assert.equal(t.mayHold(h!), true);
      assert.equal(t.find(h!, h2!, true), true);
    }
    // 2^17 4-tuples, 2^20 bits: 1 - e^(-1/8) = 11.75% of the others pass
    const rate = passRate(t, words(0x7654321), 100_000);
    assert.ok(rate > 0.09 && rate < 0.145, `pass rate ${rate}`);
  });

  it('forgets a dropped generation\'s 4-tuples: its table is reused with a clear filter', () => {
    const g = 4096;
    const t = new TombstoneStore(g);
    const next = words(42);
    const dropped: number[] = [];
    for (let k = 0; k < 3 * g; k++) {
      const h = next();
      const h2 = next();
      if (k < g) dropped.push(h);
      t.put({ ...rel(k, true, k, true, k, true), hash: h, hash2: h2 });
    }
    // generations [g, 2g) and [2g, 3g) remembered, [0, g) dropped when the third began
    assert.equal(t.size, 2 * g);
    let passed = 0;
    for (const h of dropped) if (t.mayHold(h)) passed++;
    // as for any 4-tuple never released: two filters of 2^15 bits with 2^12 set each, 23.5%
    assert.ok(passed / g < 0.3, `dropped 4-tuples passing: ${passed} of ${g}`);
  });
});
