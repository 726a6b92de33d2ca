/**
 * check's JSON report lays each result out directly; on every corpus capture each result is the
 * generic layout of its record (test/helpers/check-report.ts). Skipped without the corpus.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { corpusAvailable, corpusEntries } from '../helpers/corpus.js';
import { checkResults } from '../helpers/check-report.js';

describe('corpus: check results laid out directly', { skip: corpusAvailable() ? false : 'no corpus' }, () => {
  it('every result of every capture is the generic layout of its record', async () => {
    let n = 0;
    for (const e of corpusEntries()) n += await checkResults(e.abs);
    assert.ok(n > 0);
    console.log(`check results: ${n} identical`);
  });
});
