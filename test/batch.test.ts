/**
 * Packets in batches (Tracker.prepare, PacketSink.batchWanted): with many connections open, the
 * pipeline decodes up to BATCH packets ahead and the tracker loads their connections together
 * before handling them one by one. Only the time may differ: every record, every packet's
 * numbers and the capture's counts are the same as one packet at a time.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_BATCH_FROM, type TrackerOptions } from '../src/analyze/tracker.js';
import { writeInterleavedPcap, writeReusePcap, writeSynFloodPcap } from '../scripts/synth.js';
import { fixtureCaptures } from './helpers/release.js';
import { tempDir } from './helpers/tmp.js';
import { assertSame, run } from './helpers/batch.js';
import { BATCH } from '../src/pipeline.js';

describe('packets in batches', () => {
  it('every fixture, batched from the first packet: the same packets, records (in the same order) and capture counts as one at a time', async () => {
    for (const f of fixtureCaptures()) {
      for (const opts of [{}, { keepAll: false, lingerSeconds: 0, reuseConnections: true }] as TrackerOptions[]) {
        const one = await run(f, { ...opts, batchFrom: Infinity });
        const batched = await run(f, { ...opts, batchFrom: 0 });
        assert.equal(one.batches, 0);
        if (one.summary.tcpPackets > 0) assert.ok(batched.batches > 0, f);
        assertSame(batched, one, `${f} ${JSON.stringify(opts)}`);
      }
    }
  });

  it('many connections open: batches start once the table holds DEFAULT_BATCH_FROM, with the same results', async () => {
    const dir = tempDir('tfe-batch-');
    const interleaved = join(dir, 'interleaved.pcap');
    const flood = join(dir, 'flood.pcap');
    const reuse = join(dir, 'reuse.pcap');
    // 3 000 open at once (the concurrent bench capture's shape, smaller), a SYN flood, and port
    // reuse over released 4-tuples (tombstones, continuations) with many open
    writeInterleavedPcap(interleaved, { connections: 9000, active: 3000 });
    writeSynFloodPcap(flood, 5000);
    writeReusePcap(reuse, { connections: 12000, tuples: 4000, active: 2500, split: true, seed: 3 });
    for (const f of [interleaved, flood, reuse]) {
      for (const opts of [{}, { keepAll: false, lingerSeconds: 0, reuseConnections: true }, { keepAll: false, maxConnections: 2600, reuseConnections: true }, { keepAll: false, lingerSeconds: 0, idleTimeout: 0.1, reuseConnections: true }] as TrackerOptions[]) {
        const one = await run(f, { ...opts, batchFrom: Infinity });
        const dflt = await run(f, opts);
        // (the reuse capture's connections, spread over hours, are never 2 048 open within the
        // idle timeout)
        if (!(f === reuse && opts.idleTimeout !== undefined)) assert.ok(dflt.batches > 0, `${f}: batched (${JSON.stringify(opts)})`);
        assertSame(dflt, one, `${f} ${JSON.stringify(opts)}`);
        const always = await run(f, { ...opts, batchFrom: 0 });
        assert.ok(always.batches > dflt.batches);
        assertSame(always, one, `${f} ${JSON.stringify(opts)}, batched from the first packet`);
      }
    }
    // fewer open than DEFAULT_BATCH_FROM, each released once closed: one at a time
    const few = join(dir, 'few.pcap');
    writeInterleavedPcap(few, { connections: 4000, active: DEFAULT_BATCH_FROM / 4 });
    assert.equal((await run(few, { keepAll: false, lingerSeconds: 0 })).batches, 0);
    // kept until the end, they are all in the table, but each packet's connection had one a few
    // hundred packets before (512 open at a time): in cache, so still one at a time
    assert.equal((await run(few, {})).batches, 0);
  });

  it('many connections open but packets in runs, as in a real capture: one at a time, with the same results', async () => {
    const dir = tempDir('tfe-batch-');
    // 3 000 open at once, each drawn connection sending 1 to 8 packets in a row: most packets are
    // of the connection before or of one a few packets back (Tracker.farOften)
    const runs = join(dir, 'runs.pcap');
    writeInterleavedPcap(runs, { connections: 9000, active: 3000, burst: 8 });
    for (const opts of [{}, { keepAll: false, lingerSeconds: 0, reuseConnections: true }] as TrackerOptions[]) {
      const dflt = await run(runs, opts);
      // the first window's packets, before the share from afar is known, may come in batches
      assert.ok(dflt.batches * BATCH <= 4096 + BATCH, `${dflt.batches} batches (${JSON.stringify(opts)})`);
      assertSame(dflt, await run(runs, { ...opts, batchFrom: Infinity }), JSON.stringify(opts));
    }
    // one packet at a time drawn anew: nearly every packet is from afar, and batches go on
    const scattered = join(dir, 'scattered.pcap');
    writeInterleavedPcap(scattered, { connections: 9000, active: 3000 });
    const s = await run(scattered, { keepAll: false, lingerSeconds: 0, reuseConnections: true });
    assert.ok(s.batches * BATCH > 60_000, `${s.batches} batches`);
    assertSame(s, await run(scattered, { keepAll: false, lingerSeconds: 0, reuseConnections: true, batchFrom: Infinity }), 'scattered');
  });

  it('many connections open taking turns, each packet from afar but in creation order: one at a time, with the same results', async () => {
    const dir = tempDir('tfe-batch-');
    // 3 000 open at once, one packet of each in turn: every packet's connection had its last one
    // 3 000 switches before (far), but the next connection is the next made (Tracker, IN_ORDER_SPAN)
    const turns = join(dir, 'turns.pcap');
    writeInterleavedPcap(turns, { connections: 9000, active: 3000, roundRobin: true });
    for (const opts of [{}, { keepAll: false, lingerSeconds: 0, reuseConnections: true }] as TrackerOptions[]) {
      const dflt = await run(turns, opts);
      assert.ok(dflt.batches * BATCH <= 4096 + BATCH, `${dflt.batches} batches (${JSON.stringify(opts)})`);
      assertSame(dflt, await run(turns, { ...opts, batchFrom: Infinity }), JSON.stringify(opts));
      assertSame(await run(turns, { ...opts, batchFrom: 0 }), dflt, `${JSON.stringify(opts)}, batched from the first packet`);
    }
  });
});
