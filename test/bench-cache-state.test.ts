/**
 * scripts/bench-cache-state.ts: the bench says whether the Node running it accepts the bundle's
 * code cache (a run by another Node than the build's compiles the bundle at every start).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheLine, codeCacheState } from '../scripts/bench-cache-state.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NO_CRC = typeof (await import('node:zlib')).crc32 !== 'function';

test('the cache the build made is accepted, with its line; the other states\' lines; a root without the bundle is unknown, saying why', { skip: NO_CRC ? 'no zlib.crc32: no code cache' : false }, () => {
  // (rejected and none, from a damaged or missing cache: test/bundle.test.ts, which asks through codeCacheState too)
  assert.equal(codeCacheState(process.execPath, ROOT), 'accepted');
  assert.equal(codeCacheLine('accepted'), 'code cache: accepted by this Node');
  assert.match(codeCacheLine('rejected'), /^WARNING code cache: rejected by this Node .*every run compiles the bundle from its source.*run `npm run build` with this Node first$/);
  assert.match(codeCacheLine('none'), /^code cache: none .*compiles the bundle from its source$/);
  const root = mkdtempSync(join(tmpdir(), 'tfe-benchcache-'));
  try {
    cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    assert.match(codeCacheState(process.execPath, root), /^unknown \(.*main\.cjs/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
