/**
 * Which files scripts/test.ts hands to Node's test runner (npm test, npm run test:corpus): every
 * `*.test.js` under each directory given, in name order, and each file given.
 *
 * Why not `node --test dist/test/`, as npm test was until 2026-12-07: Node 21 and later take
 * `--test`'s arguments as glob patterns of files, and a directory is neither, so on Node 22 and
 * 24 (the maintained lines since Node 20's end of life) the suite ran nothing but one failure
 * ("Cannot find module .../dist/test"); Node 20 does not expand a glob pattern itself. Files
 * named one by one mean the same on all three. (Node 20 also ran the helpers under a directory
 * named `test` as test files; they hold no test.)
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The `*.test.js` files under `dir`, in name order (a directory's entries sorted, depth first). */
export function testFiles(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(path));
    else if (e.isFile() && e.name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

/**
 * `node --test`'s arguments for this script's: an argument that starts with `-` is an option,
 * passed on as it is, before the files (an option's value goes after `=`); a directory becomes
 * its test files, a file stays itself. Throws, naming it, on a path that is neither.
 */
export function testArgs(args: readonly string[]): { options: string[]; files: string[] } {
  const options: string[] = [];
  const files: string[] = [];
  for (const a of args) {
    if (a.startsWith('-')) {
      options.push(a);
      continue;
    }
    const st = statSync(a, { throwIfNoEntry: false });
    if (st === undefined) throw new Error(`${a}: no such file or directory (an option's value goes after =, as in --test-name-pattern=pcapng)`);
    if (st.isDirectory()) files.push(...testFiles(a));
    else files.push(a);
  }
  return { options, files };
}

