/**
 * A tracker that reuses finalised connections (TrackerOptions.reuseConnections) puts them back
 * with resetConnection(); a field it forgot would carry one connection's state into the next.
 * Every field of a fresh connection (its flows, story, Zeek's record, arrays) is changed here, then
 * reset: the result must equal a new connection, field for field.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NO_ANALYSIS, newConnection, newFlow, ownAnalysis, resetConnection, resetFlow, type Connection } from '../src/analyze/connection.js';
import { newStory, resetStory } from '../src/analyze/story.js';
import { resetZeek, takeZeekRecord, zeekChunk, ZEEK_WORDS, type ZeekHolder } from '../src/analyze/zeek.js';
import { join } from 'node:path';
import { Tracker, type TrackerOptions } from '../src/analyze/tracker.js';
import { runCapture } from '../src/pipeline.js';
import { connectionJson } from '../src/render/json.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { writeSyntheticPcap } from '../scripts/synth.js';
import { tempDir } from './helpers/tmp.js';

/** Changes every field of `o` (recursively) to a value its fresh copy never has. */
function mutate(o: Record<string, unknown>, seen = new Set<object>()): number {
  if (seen.has(o)) return 0;
  seen.add(o);
  let n = 0;
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (ArrayBuffer.isView(v)) {
      // Zeek's record of int32 words in a chunk shared with other connections: its own words only
      if (k === 'zeekWords') {
        const z = o as unknown as ZeekHolder;
        for (let i = 0; i < 32; i++) z.zeekWords[z.zeekAt + i] = 1000 + i;
        n += 32;
      }
    } else if (k === 'zeekAt') {
      // where that record is: the connection's for good, not state to reset
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = 1000 + i;
      n++;
    } else if (typeof v === 'number') {
      o[k] = v + 123456.5;
      n++;
    } else if (typeof v === 'boolean') {
      o[k] = !v;
      n++;
    } else if (typeof v === 'string') {
      o[k] = `${v}changed`;
      n++;
    } else if (v === null) {
      o[k] = { stale: true };
      n++;
    } else if (typeof v === 'object') {
      n += mutate(v as Record<string, unknown>, seen);
    } else {
      assert.fail(`field ${k} of an unexpected type ${typeof v}`);
    }
  }
  return n;
}

/** A new Zeek view of its own (as newConnection() takes one). */
function newZeekHolder(): ZeekHolder {
  const zeekWords = zeekChunk();
  return { zeekWords, zeekAt: takeZeekRecord(), zeekHistMore: '' };
}

/**
 * `o` to compare: Zeek's record as its 32 words in place of the chunk and the record's place
 * (another connection's record is elsewhere in a chunk, with other words around it).
 */
function comparable(o: object): object {
  const z = o as Partial<ZeekHolder>;
  if (z.zeekWords === undefined || z.zeekAt === undefined) return o;
  const { zeekWords, zeekAt, ...rest } = o as ZeekHolder;
  return { ...rest, zeekRecord: Array.from(zeekWords.subarray(zeekAt, zeekAt + 32)) };
}

describe('reset of reused connections', () => {
  const cases: [string, () => object, (x: never) => void][] = [
    ['flow', newFlow, resetFlow as (x: never) => void],
    ['story', newStory, resetStory as (x: never) => void],
    ['zeek', newZeekHolder, resetZeek as (x: never) => void],
    ['connection', newConnection, resetConnection as (x: never) => void],
  ];
  for (const [name, make, reset] of cases) {
    it(`${name}: every field changed, then reset, equals a new one`, () => {
      const x = make() as Record<string, unknown>;
      // counts of its own to change (the shared NO_ANALYSIS is never written)
      if (name === 'connection') ownAnalysis(x as unknown as Connection);
      const changed = mutate(x);
      assert.ok(changed > 5, `${changed} fields changed`);
      assert.notDeepEqual(comparable(x), comparable(make()));
      reset(x as never);
      assert.deepEqual(comparable(x), comparable(make()));
    });
  }

  it('the nested objects stay the same objects (only their contents are reset); the counts go back to the shared zeros', () => {
    const c = newConnection();
    assert.equal(c.analysis, NO_ANALYSIS);
    const parts = [c.a, c.b, c.story, c.zeekWords, c.zeekAt];
    const own = ownAnalysis(c);
    assert.notEqual(own, NO_ANALYSIS);
    assert.equal(ownAnalysis(c), own, 'made once');
    mutate(c as unknown as Record<string, unknown>);
    resetConnection(c);
    assert.deepEqual([c.a, c.b, c.story, c.zeekWords, c.zeekAt].map((p, i) => p === parts[i]), parts.map(() => true));
    assert.deepEqual(Array.from(c.zeekWords.subarray(c.zeekAt, c.zeekAt + ZEEK_WORDS)), new Array(ZEEK_WORDS).fill(0));
    assert.equal(c.analysis, NO_ANALYSIS);
    assert.deepEqual(NO_ANALYSIS, new Array(15).fill(0));
  });
});

describe('a tracker reusing finalised connections', () => {
  it('finalises the same connections, with the same records, as one that does not', async () => {
    const synth = join(tempDir('tfx-reuse-'), 'synth.pcap');
    writeSyntheticPcap(synth, { connections: 3000 });
    const fx = (d: string, f = 'capture.pcap'): string => join(REPO_ROOT, 'fixtures', d, f);
    const files = [synth, fx('regress', 'many-connections.pcap.gz'), fx('tcp-port-reuse'), fx('tcp-loss')];
    // released after the linger, evicted by the cap (also while waiting out the linger), idle
    const variants: TrackerOptions[] = [
      { keepAll: false, lingerSeconds: 60 },
      { keepAll: false, lingerSeconds: 60, maxConnections: 7 },
      { keepAll: false, lingerSeconds: 60, idleTimeout: 0.00001 },
      { keepAll: false, lingerSeconds: 0.00001, lingerMax: 3 },
    ];
    let reused = 0;
    for (const file of files) {
      for (const v of variants) {
        const records = async (reuse: boolean): Promise<string[]> => {
          const out: string[] = [];
          const seen = new Set<object>();
          const t = new Tracker({
            onPacket: () => undefined,
            onFinal: (c) => {
              if (seen.has(c)) reused++;
              seen.add(c);
              out.push(JSON.stringify(connectionJson(c, null)));
            },
          }, { ...v, reuseConnections: reuse });
          await runCapture(file, t);
          return out;
        };
        assert.deepEqual(await records(true), await records(false), `${file} ${JSON.stringify(v)}`);
      }
    }
    assert.ok(reused > 1000, `${reused} connection objects reused`);
    // tcp-loss counts retransmissions: into arrays of their own, never the shared zeros
    assert.deepEqual(NO_ANALYSIS, new Array(15).fill(0));
  });
});
