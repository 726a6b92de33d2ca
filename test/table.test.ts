import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionTable } from '../src/flow/table.js';
import { newConnection, type Connection } from '../src/analyze/connection.js';
import { Packet } from '../src/decode/packet.js';

/** Connection k: 10.0.x.y:k+1000 -> 10.1.0.1:80 (IPv4). */
function conn(k: number): Connection {
  const c = newConnection();
  c.id = k;
  c.a.addr[0] = (0x0a000000 + k) >>> 0;
  c.a.port = 1000 + (k & 0xffff);
  c.b.addr[0] = 0x0a010001;
  c.b.port = 80;
  return c;
}

/** A packet of connection k, from its client (fromA) or its server. */
function packetOf(k: number, fromA: boolean): Packet {
  const p = new Packet();
  p.ipVersion = 4;
  const a = (0x0a000000 + k) >>> 0;
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
    const ids = [...t.all()].map((c) => c.id);
    assert.equal(ids.length, n);
    assert.equal(t.lowestId(), 1);
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
});
