/**
 * Finalising and releasing closed connections: with a linger, a connection leaves the table
 * once both FINs are acknowledged (or after a RST) and the linger has passed, so memory is
 * bounded by the connections open at once, not by the capture.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCapture } from '../src/pipeline.js';
import { Tracker } from '../src/analyze/tracker.js';
import type { Connection } from '../src/analyze/connection.js';
import { writeSyntheticPcap } from '../scripts/synth.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { tempDir } from './helpers/tmp.js';

describe('release of closed connections', () => {
  it('port reuse: each connection is finalised once, in order, and the table empties', async () => {
    const finals: number[] = [];
    let t!: Tracker;
    t = new Tracker({ onPacket: () => undefined, onFinal: (c: Connection) => { finals.push(c.id); } }, { keepAll: false, lingerSeconds: 0 });
    await runCapture(join(REPO_ROOT, 'fixtures', 'tcp-port-reuse', 'capture.pcap'), t);
    assert.deepEqual(finals, [0, 1, 2]);
    assert.equal(t.table.size, 0);
    assert.equal(t.connections.length, 0);
  });

  it('100k packets of 10k short connections: at most a handful open at once', async () => {
    const file = join(tempDir('tcpflow-release-'), 'synth.pcap');
    writeSyntheticPcap(file, { connections: 10000 });
    let maxOpen = 0;
    let finals = 0;
    let t!: Tracker;
    t = new Tracker({
      onPacket: () => {
        if (t.table.size > maxOpen) maxOpen = t.table.size;
      },
      onFinal: (c: Connection) => {
        finals++;
        assert.ok(c.closed);
      },
    }, { keepAll: false, lingerSeconds: 0 });
    await runCapture(file, t);
    assert.equal(finals, 10000);
    assert.ok(maxOpen <= 2, `max open ${maxOpen}`);
    // without a linger every connection stays until the end (Wireshark's numbering is kept)
    const all = new Tracker(null);
    await runCapture(file, all);
    assert.equal(all.table.size, 0); // finish() finalises at the end of input
    assert.equal(all.connections.length, 10000);
  });

  it('a RST closes; a connection without FIN or RST is finalised at the end of input', async () => {
    const closed: boolean[] = [];
    const t = new Tracker({ onPacket: () => undefined, onFinal: (c: Connection) => { closed.push(c.closed); } }, { keepAll: false, lingerSeconds: 0 });
    await runCapture(join(REPO_ROOT, 'fixtures', 'tcp-reset-client', 'capture.pcap'), t);
    const u = new Tracker({ onPacket: () => undefined, onFinal: (c: Connection) => { closed.push(c.closed); } }, { keepAll: false, lingerSeconds: 0 });
    await runCapture(join(REPO_ROOT, 'fixtures', 'tcp-midstream', 'capture.pcap'), u);
    assert.deepEqual(closed, [true, false]);
  });
});
