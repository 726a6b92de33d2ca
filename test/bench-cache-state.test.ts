/**
 * scripts/bench-cache-state.ts: the bench says whether the Node running it accepts the bundle's
 * code cache (a run by another Node than the build's compiles the bundle at every start).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheLine, codeCacheState } from '../scripts/bench-cache-state.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const NO_CRC = typeof (await import('node:zlib')).crc32 !== 'function';

test('the cache the build made is accepted; a damaged one is rejected and a missing one is none, each with its line', { skip: NO_CRC ? 'no zlib.crc32: no code cache' : false }, () => {
  assert.equal(codeCacheState(process.execPath, ROOT), 'accepted');
  assert.equal(codeCacheLine('accepted'), 'code cache: accepted by this Node');
  const root = mkdtempSync(join(tmpdir(), 'tfe-benchcache-'));
  try {
    cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'dist', 'bundle'), join(root, 'dist', 'bundle'), { recursive: true });
    assert.equal(codeCacheState(process.execPath, root), 'accepted');
    const cache = join(root, 'dist', 'bundle', 'main.cjs.v8cache');
    const bytes = readFileSync(cache);
    bytes.fill(0x5a, 8, 72);
    writeFileSync(cache, bytes);
    assert.equal(codeCacheState(process.execPath, root), 'rejected');
    assert.match(codeCacheLine('rejected'), /^WARNING code cache: rejected by this Node .*every run compiles the bundle from its source.*run `npm run build` with this Node first$/);
    rmSync(cache);
    assert.equal(codeCacheState(process.execPath, root), 'none');
    assert.match(codeCacheLine('none'), /^code cache: none .*compiles the bundle from its source$/);
    rmSync(join(root, 'dist', 'bundle', 'main.cjs'));
    assert.match(codeCacheState(process.execPath, root), /^unknown \(.*main\.cjs/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
