/**
 * The lab's line for each finalised connection (ConnectionDirectory) and what it says of the
 * connections the lab does not answer for (OtherConnections), against what the lab did with every
 * connection's object kept (the tracker's list, in the order they were opened): the key's
 * `otherConnections`, the warning's list, grading's "another connection". And the collector's
 * choice of the lab's connection, letting the others' packets go.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientFlow, flowAddress, newConnection, serverFlow, type Connection } from '../src/analyze/connection.js';
import { Tracker, type PacketObserver, type PacketResult } from '../src/analyze/tracker.js';
import type { Frame } from '../src/capture/frame.js';
import { TCP_SYN, type Packet } from '../src/decode/packet.js';
import { LINGER_SECONDS } from '../src/cli/explain.js';
import { runCapture } from '../src/pipeline.js';
import { ConnectionDirectory, LabCollector, OtherConnections, type LabPacket } from '../src/lab/collect.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { rng } from './helpers/rng.js';

/**
 * Connections as the tracker would have opened them: ids in order, first frames rising; with
 * `continuations`, one in ten the continuation of an earlier stream (its id again).
 */
function made(n: number, seed: number, continuations = true): Connection[] {
  const r = rng(seed);
  const out: Connection[] = [];
  let frame = 1;
  let nextId = 0;
  for (let i = 0; i < n; i++) {
    const c = newConnection();
    c.continued = continuations && nextId > 0 && r() < 0.1;
    c.id = c.continued ? Math.floor(r() * nextId) : nextId++;
    frame += 1 + Math.floor(r() * 3);
    c.firstFrame = frame;
    c.ipVersion = r() < 0.3 ? 6 : 4;
    c.clientIsA = r() < 0.7;
    for (const f of [c.a, c.b]) {
      // few distinct values, so that payloads, ports and addresses tie
      f.addr0 = (0xc6120000 + Math.floor(r() * 4)) | 0;
      f.addr1 = c.ipVersion === 6 ? Math.floor(r() * 3) : 0;
      f.addr2 = c.ipVersion === 6 ? (0x80000000 + Math.floor(r() * 3)) | 0 : 0;
      f.addr3 = c.ipVersion === 6 ? Math.floor(r() * 3) : 0;
      f.port = 80 + Math.floor(r() * 6);
      f.payloadBytes = Math.floor(r() * 4) * 100;
    }
    out.push(c);
  }
  return out;
}

const bytes = (c: Connection): number => c.a.payloadBytes + c.b.payloadBytes;
const pair = (c: Connection): { client: { ip: string; port: number }; server: { ip: string; port: number } } => ({
  client: { ip: flowAddress(c.ipVersion, clientFlow(c)), port: clientFlow(c).port },
  server: { ip: flowAddress(c.ipVersion, serverFlow(c)), port: serverFlow(c).port },
});

/** The lab's connection as it was chosen from the list of every connection: the most payload, the first on a tie. */
function mainOf(all: readonly Connection[]): Connection | null {
  let best: Connection | null = null;
  for (const c of all) if (best === null || bytes(c) > bytes(best)) best = c;
  return best;
}

/** A stream: its first part (opened first: its endpoints) and the payload of all its parts. */
interface Stream {
  id: number;
  first: Connection;
  bytes: number;
}

/** The streams of `all`, in the order their first parts were opened. */
function streamsOf(all: readonly Connection[]): Stream[] {
  const byId = new Map<number, Stream>();
  for (const c of all) {
    const s = byId.get(c.id);
    if (s === undefined) byId.set(c.id, { id: c.id, first: c, bytes: bytes(c) });
    else s.bytes += bytes(c);
  }
  return [...byId.values()];
}

/** The warning's list as it was made from the list of every connection (of streams here). */
function listedOf(others: Stream[], n: number): Stream[] {
  if (others.length <= n) return others;
  return [...others].sort((x, y) => y.bytes - x.bytes || x.id - y.id).slice(0, n);
}

/** A random order of `xs` (the order of finalisation differs from the order of opening). */
function shuffled<T>(xs: readonly T[], r: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('lab: a line for each connection instead of its object', () => {
  it('the other connections, the warning\'s list and grading\'s look-up are those of the list of every connection', () => {
    for (const [n, seed] of [[1, 1], [2, 2], [11, 3], [12, 4], [40, 5], [500, 6], [3000, 7]] as const) {
      const all = made(n, seed);
      const r = rng(seed * 7);
      // finalised in the order they were opened, or in any other in which a continuation comes
      // after its stream's first part (it exists only once that part was finalised)
      const mixed = shuffled(all, r);
      for (const order of [all, [...mixed.filter((c) => !c.continued), ...mixed.filter((c) => c.continued)]]) {
        const lab = new LabCollector();
        for (const c of order) lab.onFinal(c);
        const main = mainOf(all)!;
        assert.equal(lab.main, main, `n ${n}: the lab's connection`);
        const others = new OtherConnections(lab.directory, lab.mainEntry);
        // a line a stream; the lab's stream is not among the others
        const want = streamsOf(all).filter((x) => x.id !== main.id);
        assert.equal(lab.directory.size, want.length + 1);
        assert.equal(others.size, want.length);
        assert.deepEqual(others.ids(), want.map((x) => x.id), `n ${n}: otherConnections`);
        const d = lab.directory;
        for (const k of [1, 10, n]) {
          const got = others.listed(k).map((i) => ({ id: d.id(i), bytes: d.payloadBytes(i), ...d.endpoints(i) }));
          assert.deepEqual(got, listedOf(want, k).map((x) => ({ id: x.id, bytes: x.bytes, ...pair(x.first) })), `n ${n}: the ${k} listed`);
        }
        for (let q = 0; q < 50; q++) {
          const port = 78 + Math.floor(r() * 10);
          const ip = q % 2 === 0 ? '198.18.0.' + Math.floor(r() * 4) : pair(all[Math.floor(r() * n)]!).client.ip;
          const x = want.find((y) => { const e = pair(y.first); return e.client.port === port || e.server.port === port || e.client.ip === ip; });
          assert.deepEqual(others.find(port, ip), x === undefined ? undefined : pair(x.first), `n ${n}: find(${port}, ${ip})`);
        }
      }
    }
  });

  it('the directory grows and keeps every field, IPv4 and IPv6; a continuation adds its payload to its stream\'s line', () => {
    const all = made(200, 9, false);
    const d = new ConnectionDirectory();
    all.forEach((c, i) => {
      assert.equal(d.add(c), i);
      // asked for midway: the order of those added so far, then of every one
      if (i === 99) assert.equal(d.order().length, 100);
    });
    assert.equal(d.size, 200);
    all.forEach((c, i) => {
      assert.equal(d.id(i), c.id);
      assert.equal(d.payloadBytes(i), bytes(c));
      assert.deepEqual(d.endpoints(i), pair(c));
    });
    assert.deepEqual([...d.order()], all.map((_c, i) => i));
    const later = made(1, 10, false)[0]!;
    later.id = all[42]!.id;
    later.continued = true;
    later.firstFrame = 100_000;
    assert.equal(d.add(later), 42);
    assert.equal(d.size, 200);
    assert.equal(d.payloadBytes(42), bytes(all[42]!) + bytes(later));
    assert.deepEqual(d.endpoints(42), pair(all[42]!));
  });

  it('lets go of those behind the leader; a stream found in parts is named to be read again when it could be the lab\'s', () => {
    const [a, b, c] = made(3, 11, false);
    a!.a.payloadBytes = 100; a!.b.payloadBytes = 0;
    b!.a.payloadBytes = 100; b!.b.payloadBytes = 0;
    c!.a.payloadBytes = 50; c!.b.payloadBytes = 0;
    const lab = new LabCollector();
    const packet = (x: Connection): void => lab.onPacket(x, { frame: x.firstFrame, time: 0, fromA: true, seq: 0, ack: 0, window: 0, analysis: 0 } as never, { origLen: 60, buf: new Uint8Array(0) } as never, { payloadLen: 0, capturedPayload: 0, flags: 0 } as never);
    for (const x of [a!, b!, c!]) packet(x);
    // a leads (as much as b, opened first); b and c are behind it, a is not
    assert.equal(lab.canLetGo(a!), false);
    assert.equal(lab.canLetGo(b!), true);
    assert.equal(lab.canLetGo(c!), true);
    // with a selection that leaves a out, b leads; a is let go as left out
    const sel = new LabCollector(undefined, { streams: new Set([b!.id, c!.id]), ports: null, hosts: null });
    for (const x of [a!, b!, c!]) { sel.onPacket(x, { frame: x.firstFrame, time: 0, fromA: true } as never, { origLen: 60, buf: new Uint8Array(0) } as never, { payloadLen: 0, capturedPayload: 0, flags: 0 } as never); }
    assert.deepEqual([sel.canLetGo(a!), sel.canLetGo(b!), sel.canLetGo(c!)], [true, false, true]);
    // and not for an input that cannot be read again
    const once = new LabCollector(undefined, null, false);
    for (const x of [a!, b!, c!]) once.onPacket(x, { frame: x.firstFrame, time: 0, fromA: true } as never, { origLen: 60, buf: new Uint8Array(0) } as never, { payloadLen: 0, capturedPayload: 0, flags: 0 } as never);
    assert.deepEqual([once.canLetGo(a!), once.canLetGo(b!), once.canLetGo(c!)], [false, false, false]);

    // finalised: a, then c let go early and continued with 60 more bytes: 110, ahead of a
    for (const x of [a!, b!, c!]) lab.onFinal(x);
    assert.equal(lab.main, a);
    assert.equal(lab.streamToRead(), -1);
    const more = made(1, 12, false)[0]!;
    more.id = c!.id;
    more.continued = true;
    more.firstFrame = 1_000;
    more.a.payloadBytes = 60;
    more.b.payloadBytes = 0;
    lab.onFinal(more);
    // each part alone is behind a, the stream is not
    assert.equal(lab.main, a);
    assert.equal(lab.streamToRead(), c!.id);
    // a stream continued but still behind: the key stands
    const lab2 = new LabCollector();
    for (const x of [a!, b!, c!]) lab2.onFinal(x);
    more.a.payloadBytes = 10;
    lab2.onFinal(more);
    assert.equal(lab2.streamToRead(), -1);
    // the lab's own stream continued: read again
    const lab3 = new LabCollector();
    for (const x of [a!, b!, c!]) lab3.onFinal(x);
    more.id = a!.id;
    lab3.onFinal(more);
    assert.equal(lab3.streamToRead(), a!.id);
  });

  it('of real captures, only the lab\'s connection keeps its packets once all are finalised', async () => {
    const dir = join(REPO_ROOT, 'fixtures');
    const files = ['tcp-port-reuse', 'tcp-continuation', 'http-ipv6', 'lab-http-upload-loss', 'mixed-nontcp']
      .flatMap((f) => readdirSync(join(dir, f)).filter((x) => /\.pcap(ng)?$/.test(x)).map((x) => join(dir, f, x)));
    assert.ok(files.length >= 5, files.join(' '));
    for (const file of files) {
      // the list of every connection, as the lab's tracker had it
      const kept = new Tracker(null);
      await runCapture(file, kept);
      const lab = new LabCollector();
      const every = new EveryPacket();
      await runCapture(file, new Tracker(every.beside(lab), { keepAll: false }));
      const main = mainOf(kept.connections);
      assert.ok(main !== null, file);
      assert.equal(lab.main?.id, main.id, file);
      assert.equal(lab.main?.firstFrame, main.firstFrame, file);
      assert.equal(lab.directory.size, kept.connections.length, file);
      assert.deepEqual(new OtherConnections(lab.directory, lab.mainEntry).ids(), kept.connections.filter((c) => c !== main).map((c) => c.id), file);
      assert.deepEqual(lab.keptConnections(), [lab.main], file);
      assert.equal(lab.kept, lab.packetsOf(lab.main!).length, file);
      assert.equal(lab.kept, main.packets, file);
      // every number as an object made for each packet had it (SYN options, first bytes)
      assert.deepEqual(lab.packetsOf(lab.main!).map(plain), every.byConnection.get(lab.main!), file);
      // and the others' first bytes let go with their rows
      assert.equal(lab.headsKept, every.byConnection.get(lab.main!)!.filter((x) => x.head !== '').length, file);
    }
  });

  it('keeps each packet\'s numbers in rows, taken again once let go, as objects made for each packet had them', async () => {
    const { writeReusePcap } = await import('../scripts/synth.js');
    await inTmp(async (tmp) => {
      // closed connections outlive the linger (pauses of up to 120 s): those behind the leader
      // are let go while the capture is read, and their rows taken by later connections (its
      // packets are cut at 66 bytes, so no first bytes are kept: the real captures' test has them)
      const file = join(tmp, 'reuse.pcap');
      const total = writeReusePcap(file, { connections: 3000, tuples: 200, active: 24, pauseEvery: 300, seed: 5 });
      const lab = new LabCollector();
      const every = new EveryPacket();
      await runCapture(file, new Tracker(every.beside(lab), { keepAll: false, lingerSeconds: LINGER_SECONDS, lingerOnly: (c) => lab.canLetGo(c) }));
      assert.ok(lab.main !== null);
      const want = every.byConnection.get(lab.main)!;
      assert.ok(want.length >= 8 && want.some((x) => x.len > 0), 'a connection with data');
      assert.deepEqual(lab.packetsOf(lab.main).map(plain), want);
      assert.equal(lab.kept, want.length);
      // rows were taken again (else as many as the capture's packets)
      assert.ok(lab.rowsMade < total / 5, `${lab.rowsMade} rows for ${total} packets`);
      assert.ok(lab.listsMade < 3000 / 5, `${lab.listsMade} lists for 3000 connections`);
      for (const c of every.byConnection.keys()) if (c !== lab.main) assert.deepEqual(lab.packetsOf(c), []);
    });
  });

  it('a SYN kept as its packet until its connection is needed (deferSyn) changes nothing the lab keeps', async () => {
    const { writeSynFloodPcap } = await import('../scripts/synth.js');
    await inTmp(async (tmp) => {
      const flood = join(tmp, 'flood.pcap');
      writeSynFloodPcap(flood, 3000);
      const dir = join(REPO_ROOT, 'fixtures');
      const files = [flood, ...readdirSync(dir).flatMap((f) => {
        const d = join(dir, f);
        return statSync(d).isDirectory() ? readdirSync(d).filter((x) => /\.pcap(ng)?$/.test(x)).map((x) => join(d, x)) : [];
      })];
      assert.ok(files.length > 30, String(files.length));
      let deferred = 0;
      for (const file of files) {
        const run = async (deferSyn: boolean): Promise<LabCollector> => {
          const lab = new LabCollector();
          const t = new Tracker(lab, { keepAll: false, lingerSeconds: LINGER_SECONDS, lingerOnly: (c) => lab.canLetGo(c), deferSyn, deferSynFrom: 0 });
          await runCapture(file, t);
          if (deferSyn) deferred += t.keptSyns;
          return lab;
        };
        const a = await run(false);
        const b = await run(true);
        assert.equal(b.main?.id, a.main?.id, file);
        if (a.main === null || b.main === null) continue;
        // the SYN's lengths too (the key's frame and TCP lengths), put back from its fields
        assert.deepEqual(b.packetsOf(b.main).map(plain), a.packetsOf(a.main).map(plain), file);
        const oa = new OtherConnections(a.directory, a.mainEntry);
        const ob = new OtherConnections(b.directory, b.mainEntry);
        assert.deepEqual(ob.ids(), oa.ids(), file);
        assert.deepEqual(ob.listed(10), oa.listed(10), file);
      }
      assert.ok(deferred >= 3000, `${deferred} SYNs kept`);
    });
  });
});

/** Runs `fn` with a temporary directory, removed after. */
async function inTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-directory-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A kept packet's numbers as a plain object. */
function plain(p: LabPacket): LabPacket {
  return {
    frame: p.frame, time: p.time, fromA: p.fromA, flags: p.flags, seq: p.seq, ack: p.ack, rawSeq: p.rawSeq, rawAck: p.rawAck,
    len: p.len, hdrLen: p.hdrLen, frameLen: p.frameLen, window: p.window, rawWindow: p.rawWindow, analysis: p.analysis,
    mss: p.mss, wscale: p.wscale, sackPermitted: p.sackPermitted, head: p.head,
  };
}

/** The reference: an object for each packet of every connection, as the lab kept them before its rows. */
class EveryPacket implements PacketObserver {
  readonly byConnection = new Map<Connection, LabPacket[]>();
  private readonly headTaken = new Map<Connection, number>();

  /** An observer that gives each packet to `lab` and to this. */
  beside(lab: LabCollector): PacketObserver {
    return {
      onPacket: (c, r, f, p) => {
        lab.onPacket(c, r, f, p);
        this.onPacket(c, r, f, p);
      },
      onFinal: (c) => lab.onFinal(c),
    };
  }

  onPacket(c: Connection, r: PacketResult, f: Frame, p: Packet): void {
    let list = this.byConnection.get(c);
    if (list === undefined) this.byConnection.set(c, (list = []));
    let head = '';
    if (p.payloadLen > 0 && p.capturedPayload > 0 && (p.flags & TCP_SYN) === 0) {
      const taken = this.headTaken.get(c) ?? 0;
      const bit = r.fromA ? 1 : 2;
      if (!(taken & bit)) {
        this.headTaken.set(c, taken | bit);
        head = Buffer.from(f.buf.buffer, f.buf.byteOffset + p.payloadOffset, Math.min(p.capturedPayload, 4096)).toString('latin1');
      }
    }
    list.push({
      frame: r.frame, time: r.time, fromA: r.fromA, flags: p.flags, seq: r.seq, ack: r.ack,
      rawSeq: p.seq32 >>> 0, rawAck: p.ack32 >>> 0, len: p.payloadLen, hdrLen: p.tcpHeaderLen, frameLen: f.origLen,
      window: r.window, rawWindow: p.window, analysis: r.analysis, mss: p.mss, wscale: p.wscale,
      sackPermitted: p.sackPermitted, head,
    });
  }
}
