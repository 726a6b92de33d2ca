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
    // (kept until the end, they are all in the table)
    assert.ok((await run(few, {})).batches > 0);
  });
});
