/**
 * Releasing finalised connections (the CLI's streaming mode: 60 s linger after the close,
 * tombstones for released 4-tuples) changes no connection record on the corpus: for every
 * capture the records equal those of the tracker that keeps everything until the end, and no
 * packet had to start a continuation. Also with the most aggressive setting (release at once),
 * every packet keeps its connection id and relative numbers, and the records are equal wherever
 * no continuation is reported. Skipped without the corpus.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { corpusAvailable, corpusEntries } from '../helpers/corpus.js';
import { records } from '../helpers/release.js';

describe('corpus: release keeps the records', { skip: corpusAvailable() ? false : 'no corpus' }, () => {
  it('CLI linger (60 s): identical records on every TCP capture; at once: identical unless split', async () => {
    let captures = 0;
    let conns = 0;
    const splitAtOnce: string[] = [];
    for (const e of corpusEntries()) {
      if (e.category !== 'tcp') continue;
      const all = await records(e.abs);
      const rel = await records(e.abs, { keepAll: false, lingerSeconds: 60 });
      assert.equal(rel.tracker.splitConnections, 0, e.path);
      assert.deepEqual(rel.recs, all.recs, e.path);
      const now = await records(e.abs, { keepAll: false, lingerSeconds: 0 });
      // every packet's connection id, relative numbers and window are the kept tracker's
      // (Wireshark's), stragglers after the close in continuation records included
      assert.deepEqual([...now.frames], [...all.frames], e.path);
      if (now.tracker.splitConnections === 0) assert.deepEqual(now.recs, all.recs, e.path);
      else splitAtOnce.push(e.path);
      captures++;
      conns += all.recs.length;
    }
    console.log(`release: ${captures} captures, ${conns} connections identical; released at once, ${splitAtOnce.length} captures have stragglers after the close (continuations, every packet's id and numbers unchanged): ${splitAtOnce.slice(0, 5).join(', ')}…`);
  });
});
