import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConnectionTable, hash2, hash2Flows, matchesFlows } from '../src/flow/table.js';
import { endpointIsLower, srcIsLower } from '../src/flow/tombstones.js';
import { flowAddress, newConnection, setFlowAddress, type Connection } from '../src/analyze/connection.js';
import { addressToString } from '../src/util/addr.js';
import { Packet } from '../src/decode/packet.js';

/** Connection k's client address: 10.0.x.y, or 198.18.x.y (a word from 2^31 up) for odd k. */
function clientAddr(k: number): number {
  return ((k & 1 ? 0xc6120000 : 0x0a000000) + k) >>> 0;
}

/** Connection k: its client address, port k+1000 -> 10.1.0.1:80 (IPv4). */
function conn(k: number): Connection {
  const c = newConnection();
  c.id = k;
  c.a.addr0 = clientAddr(k) | 0;
  c.a.port = 1000 + (k & 0xffff);
  c.b.addr0 = 0x0a010001;
  c.b.port = 80;
  return c;
}

/** A packet of connection k, from its client (fromA) or its server. */
function packetOf(k: number, fromA: boolean): Packet {
  const p = new Packet();
  p.ipVersion = 4;
  const a = clientAddr(k);
  p.src[0] = fromA ? a : 0x0a010001;
  p.dst[0] = fromA ? 0x0a010001 : a;
  p.srcPort = fromA ? 1000 + (k & 0xffff) : 80;
  p.dstPort = fromA ? 80 : 1000 + (k & 0xffff);
  return p;
}

describe('connection table', () => {
  it('finds every connection from both directions through long chains, and loses none on removal', () => {
    const t = new ConnectionTable();
    const n = 20_000;
    // hash k & 7: eight chains of 2500 at first, then the same eight buckets however far it grows
    const hashOf = (k: number): number => k & 7;
    const conns: Connection[] = [];
    for (let k = 0; k < n; k++) {
      conns.push(conn(k));
      t.insert(conns[k], hashOf(k));
    }
    assert.equal(t.size, n);
    for (let k = 0; k < n; k += 97) {
      assert.equal(t.find(packetOf(k, true), hashOf(k)), conns[k], `connection ${k} from the client`);
      assert.equal(t.find(packetOf(k, false), hashOf(k)), conns[k], `connection ${k} from the server`);
    }
    // same hash, no such connection
    assert.equal(t.find(packetOf(n + 8, true), hashOf(n + 8)), null);
    // remove the head, the tail and the middle of chains: every third connection
    for (let k = 0; k < n; k += 3) t.remove(conns[k]);
    assert.equal(t.size, n - Math.ceil(n / 3));
    for (let k = 0; k < n; k++) {
      const want = k % 3 === 0 ? null : conns[k];
      assert.equal(t.find(packetOf(k, k % 2 === 0), hashOf(k)), want, `connection ${k} after removals`);
    }
    assert.equal(conns[0].slot, -1);
    // a removed connection removed again changes nothing
    t.remove(conns[0]);
    assert.equal(t.size, n - Math.ceil(n / 3));
    // freed slots are reused, and the new entries are found
    for (let k = 0; k < n; k += 3) {
      const c = conn(k + n);
      t.insert(c, hashOf(k));
      assert.ok(c.slot >= 0 && c.slot < n, `slot ${c.slot} reused`);
      assert.equal(t.find(packetOf(k + n, true), hashOf(k)), c);
    }
    assert.equal(t.size, n);
    const ids = t.list().map((c) => c.id);
    assert.equal(ids.length, n);
    assert.equal(t.lowestId(), 1);
  });

  it('removals after forgetIndex() free the slots; a later look-up or insert finds what is left', () => {
    const t = new ConnectionTable();
    const n = 5000;
    const hashOf = (k: number): number => Math.imul(k, 0x9e3779b1) & 0x3ff;
    const conns: Connection[] = [];
    for (let k = 0; k < n; k++) {
      conns.push(conn(k));
      t.insert(conns[k]!, hashOf(k));
    }
    // the end of input: every other connection removed without the buckets kept up to date
    t.forgetIndex();
    for (let k = 0; k < n; k += 2) t.remove(conns[k]!);
    assert.equal(t.size, n / 2);
    assert.equal(conns[0]!.slot, -1);
    assert.deepEqual(t.list().map((c) => c.id), conns.filter((_, k) => k % 2 === 1).map((c) => c.id));
    assert.equal(t.lowestId(), 1);
    // looked up again: the index is made anew from the slots
    for (let k = 0; k < n; k++) {
      assert.equal(t.find(packetOf(k, k % 3 === 0), hashOf(k)), k % 2 === 0 ? null : conns[k], `connection ${k}`);
    }
    // removed without the index again, then inserted into the freed slots: the insert makes the
    // index anew first
    t.forgetIndex();
    for (let k = 1; k < n; k += 4) t.remove(conns[k]!);
    for (let k = 0; k < n; k += 2) {
      const c = conn(k + n);
      t.insert(c, hashOf(k + n));
      assert.equal(t.find(packetOf(k + n, true), hashOf(k + n)), c);
    }
    for (let k = 0; k < n; k++) {
      assert.equal(t.find(packetOf(k, true), hashOf(k)), k % 4 === 3 ? conns[k] : null, `connection ${k} at the end`);
    }
    assert.equal(t.size, n / 4 + n / 2);
  });

  it('tells apart connections whose hashes collide in a bucket but differ', () => {
    const t = new ConnectionTable();
    const a = conn(1);
    const b = conn(2);
    // same bucket (low bits), different hashes
    t.insert(a, 0x10005);
    t.insert(b, 0x20005);
    // packet of a looked up with b's hash: the hash differs from a's, so not a
    assert.equal(t.find(packetOf(1, true), 0x20005), null);
    assert.equal(t.find(packetOf(1, true), 0x10005), a);
    assert.equal(t.find(packetOf(2, false), 0x20005), b);
    t.remove(b);
    assert.equal(t.find(packetOf(2, true), 0x20005), null);
    assert.equal(t.find(packetOf(1, false), 0x10005), a);
  });

  it('flows keep address words as int32: matched, hashed, ordered and shown as the packet\'s uint32 words', () => {
    const word = fc.oneof(fc.constantFrom(0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 0xc6120001, 0x0a000001), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
    const words = fc.array(word, { minLength: 4, maxLength: 4 });
    const port = fc.integer({ min: 0, max: 65535 });
    fc.assert(fc.property(words, port, words, port, fc.constantFrom(4, 6), fc.boolean(), (sw, sp, dw, dp, v, sameAddr) => {
      if (sameAddr) dw = sw.slice();
      if (v === 4) {
        sw = [sw[0], 0, 0, 0];
        dw = [dw[0], 0, 0, 0];
      }
      const p = new Packet();
      p.ipVersion = v;
      p.src.set(sw);
      p.dst.set(dw);
      p.srcPort = sp;
      p.dstPort = dp;
      const c = newConnection();
      c.ipVersion = v;
      setFlowAddress(c.a, p.src);
      setFlowAddress(c.b, p.dst);
      c.a.port = sp;
      c.b.port = dp;
      assert.ok(matchesFlows(c.a, c.b, p));
      assert.equal(matchesFlows(c.b, c.a, p), sw.every((w, i) => w === dw[i]) && sp === dp);
      assert.equal(hash2Flows(c.a, c.b, v), hash2(p.src, sp, p.dst, dp, v));
      assert.equal(hash2Flows(c.a, c.b, v), ConnectionTable.hash2Of(p));
      assert.equal(endpointIsLower(c.a, c.b), srcIsLower(p));
      assert.equal(flowAddress(v, c.a), addressToString(v, p.src));
      assert.equal(flowAddress(v, c.b), addressToString(v, p.dst));
    }), { seed: 0x7ab1e, numRuns: 3000 });
  });
});
