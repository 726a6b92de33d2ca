/**
 * A pure SYN kept as its packet (TrackerOptions.deferSyn) on the corpus: every capture, damaged
 * ones too, gives the same connections in the same order of finalisation, capture counts,
 * tracker counts and each connection's packets as when its connection is made at the SYN (and,
 * shown each kept SYN as it comes, every packet in the capture's order); released at once, and
 * under a cap of three open connections; and so with any other packet that opens a connection
 * kept (deferAnyFirst). Skipped without the corpus.
 */
import { describe, it } from 'node:test';
import { corpusAvailable, corpusEntries } from '../helpers/corpus.js';
import { assertDeferralSame } from '../helpers/batch.js';

describe('corpus: a pure SYN kept as its packet', { skip: corpusAvailable() ? false : 'no corpus' }, () => {
  it('the same as the connection made at the SYN, on every capture', async () => {
    for (const e of corpusEntries()) {
      await assertDeferralSame(e.abs, { keepAll: false, lingerSeconds: 0, reuseConnections: true });
      await assertDeferralSame(e.abs, { keepAll: false, lingerSeconds: 0, reuseConnections: true, maxConnections: 3 });
      // any packet that opens a connection kept, but a RST or one with SACK blocks (deferAnyFirst):
      // the corpus's captures that start mid-stream, its lone packets and its damaged ones
      await assertDeferralSame(e.abs, { keepAll: false, lingerSeconds: 0, reuseConnections: true, deferAnyFirst: true });
      await assertDeferralSame(e.abs, { keepAll: false, lingerSeconds: 60, reuseConnections: true, maxConnections: 3, deferAnyFirst: true });
    }
  });
});
