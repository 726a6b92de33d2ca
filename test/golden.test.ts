/** Each TCP-behaviour fixture's explanation equals its reviewed golden file (<capture>.story.json). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/corpus.js';
import { storyOf, GOLDEN_DIRS, RENDERINGS, rendering } from './helpers/golden.js';

const fx = join(REPO_ROOT, 'fixtures');

describe('golden explanations', () => {
  for (const d of readdirSync(fx, { withFileTypes: true })) {
    if (!d.isDirectory() || !GOLDEN_DIRS.test(d.name)) continue;
    for (const f of readdirSync(join(fx, d.name))) {
      if (!/\.(pcap|pcapng)(\.gz)?$/.test(f)) continue;
      const cap = join(fx, d.name, f);
      it(`${d.name}/${f}`, async () => {
        const golden = `${cap}.story.json`;
        assert.ok(existsSync(golden), `missing ${golden}: run node dist/scripts/update-goldens.js and review it`);
        const want = JSON.parse(readFileSync(golden, 'utf8')) as unknown;
        assert.deepEqual(await storyOf(cap), want, 'explanation changed: if intended, run node dist/scripts/update-goldens.js and review git diff');
      });
      for (const r of RENDERINGS) {
        it(`${d.name}/${f} ${r.name}`, async () => {
          const golden = join(`${cap}.golden`, r.name);
          assert.ok(existsSync(golden), `missing ${golden}: run node dist/scripts/update-goldens.js and review it`);
          assert.equal(await rendering(cap, r.args, REPO_ROOT), readFileSync(golden, 'utf8'), `${golden} changed: if intended, regenerate and review git diff`);
        });
      }
    }
  }
});
