/**
 * Runs the test files under the given directories (and the files given) with Node's test runner:
 * `node dist/scripts/test.js [node --test options] <dir or file>...` (npm test, npm run
 * test:corpus). Every `*.test.js` under a directory, in name order, is handed to `node --test`
 * by name (scripts/test-files.ts says why).
 */
import { spawnSync } from 'node:child_process';
import { testArgs } from './test-files.js';

const args = process.argv.slice(2);
let parsed: { options: string[]; files: string[] };
try {
  parsed = testArgs(args);
} catch (e) {
  process.stderr.write(`test: ${(e as Error).message}\n`);
  process.exit(2);
}
if (parsed.files.length === 0) {
  // (never a suite that passes by running nothing)
  process.stderr.write(`test: no *.test.js file in ${args.filter((a) => !a.startsWith('-')).join(', ') || '(no path given)'}\n`);
  process.exit(2);
}
// (spec unless a reporter is named; --test-reporter-destination alone keeps it)
const reporter = parsed.options.some((o) => o === '--test-reporter' || o.startsWith('--test-reporter=')) ? [] : ['--test-reporter=spec'];
const run = spawnSync(process.execPath, ['--test', ...reporter, ...parsed.options, ...parsed.files], { stdio: 'inherit' });
if (run.error) {
  process.stderr.write(`test: ${run.error.message}\n`);
  process.exit(2);
}
process.exit(run.status ?? 1);
