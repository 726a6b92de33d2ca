/**
 * Packets in batches on the corpus: every capture (damaged ones too) read with the tracker taking
 * batches from the first packet gives the same packets, records and capture counts as one packet
 * at a time (test/batch.test.ts does the same on the fixtures). Skipped without the corpus.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { corpusAvailable, corpusEntries } from '../helpers/corpus.js';
import { assertSame, run } from '../helpers/batch.js';

describe('corpus: packets in batches', { skip: corpusAvailable() ? false : 'no corpus' }, () => {
  it('batched from the first packet: identical to one at a time on every capture', async () => {
    let captures = 0;
    let batches = 0;
    for (const e of corpusEntries()) {
      const one = await run(e.abs, { batchFrom: Infinity });
      const batched = await run(e.abs, { batchFrom: 0 });
      assertSame(batched, one, e.path);
      captures++;
      batches += batched.batches;
    }
    assert.ok(batches > captures);
    console.log(`batches: ${captures} captures identical (${batches} batches)`);
  });
});
