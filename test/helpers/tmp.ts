/**
 * Temporary directories for tests, removed when the test file's process ends (node --test runs
 * each file in a process of its own), whatever the tests did: synthetic captures of tens of
 * megabytes were left in the system's temporary directory by every `npm test` before this.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A new directory in the system's temporary directory, named from `prefix`. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}
