/**
 * Rewrites the golden explanation files (fixtures/<dir>/<capture>.story.json). Run after a
 * deliberate change, then read `git diff fixtures/` before committing: goldens are reviewed
 * like code.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/helpers/corpus.js';
import { mkdirSync } from 'node:fs';
import { storyOf, GOLDEN_DIRS, RENDERINGS, rendering } from '../test/helpers/golden.js';

const fx = join(REPO_ROOT, 'fixtures');
let n = 0;
for (const d of readdirSync(fx, { withFileTypes: true })) {
  if (!d.isDirectory() || !GOLDEN_DIRS.test(d.name)) continue;
  for (const f of readdirSync(join(fx, d.name))) {
    if (!/\.(pcap|pcapng)(\.gz)?$/.test(f)) continue;
    const cap = join(fx, d.name, f);
    writeFileSync(`${cap}.story.json`, JSON.stringify(await storyOf(cap), null, 2) + '\n');
    n++;
    const dir = `${cap}.golden`;
    mkdirSync(dir, { recursive: true });
    for (const r of RENDERINGS) {
      writeFileSync(join(dir, r.name), await rendering(cap, r.args, REPO_ROOT));
      n++;
    }
  }
}
console.log(`${n} golden files written; review them with git diff fixtures/`);
