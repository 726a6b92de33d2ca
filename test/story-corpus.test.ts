/**
 * On every capture of the corpus and the fixtures, every connection has a handshake kind, a
 * teardown kind, final states (never UNKNOWN: the packets always decide something) and a Zeek
 * verdict; prints how often each occurs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCapture } from '../src/pipeline.js';
import { Tracker } from '../src/analyze/tracker.js';
import { handshakeKind, teardownKind, STATE_NAMES } from '../src/analyze/story.js';
import { zeekConnState } from '../src/analyze/zeek.js';
import { REPO_ROOT, corpusAvailable, corpusEntries } from './helpers/corpus.js';

function fixtureCaptures(): string[] {
  const fx = join(REPO_ROOT, 'fixtures');
  const out: string[] = [];
  for (const d of readdirSync(fx, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    for (const f of readdirSync(join(fx, d.name))) if (/\.(pcap|pcapng)(\.gz)?$/.test(f)) out.push(join(fx, d.name, f));
  }
  return out;
}

describe('every connection is explained', () => {
  it('handshake and teardown kinds, final states and a Zeek verdict everywhere', async () => {
    const files = [...fixtureCaptures(), ...(corpusAvailable() ? corpusEntries().map((e) => e.abs) : [])];
    const count = new Map<string, number>();
    const bump = (k: string): void => { count.set(k, (count.get(k) ?? 0) + 1); };
    let conns = 0;
    const unknown: string[] = [];
    for (const f of files) {
      const t = new Tracker(null);
      await runCapture(f, t);
      for (const c of t.connections) {
        conns++;
        bump(`handshake ${handshakeKind(c.story)}`);
        bump(`teardown ${teardownKind(c.story)}`);
        bump(`zeek ${zeekConnState(c)}`);
        for (const st of [c.story.stateA, c.story.stateB]) if (STATE_NAMES[st] === 'UNKNOWN') unknown.push(`${f} #${c.id}`);
      }
    }
    const lines = [...count].sort().map(([k, v]) => `${k}: ${v}`);
    console.log(`explained ${conns} connections in ${files.length} captures\n  ${lines.join('\n  ')}`);
    assert.ok(conns > 2000 || !corpusAvailable());
    assert.deepEqual(unknown, []);
  });
});
