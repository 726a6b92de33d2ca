/**
 * The byte writers of the JSON records (src/render/json-bytes.ts) give the generic rendering's
 * bytes for every connection and packet of every corpus capture (test/helpers/json-bytes.ts).
 * Skipped without the corpus.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { corpusAvailable, corpusEntries } from '../helpers/corpus.js';
import { checkCapture } from '../helpers/json-bytes.js';

describe('corpus: JSON records written as bytes', { skip: corpusAvailable() ? false : 'no corpus' }, () => {
  it('every connection and packet record is byte for byte the generic rendering', async () => {
    let connections = 0;
    let packets = 0;
    for (const e of corpusEntries()) {
      const n = await checkCapture(e.abs);
      connections += n.connections;
      packets += n.packets;
    }
    assert.ok(connections > 0);
    console.log(`json-bytes: ${connections} connections, ${packets} packets identical`);
  });
});
