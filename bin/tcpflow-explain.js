#!/usr/bin/env node
// Runs the bundle that `npm run build` writes (scripts/bundle.ts; `npm ci` and `npm test` build
// it), through ./load-bundle.js. There is no fallback to dist/src: a missing bundle is an error,
// not a slower start. CommonJS (bin/package.json), which starts sooner: ./load-bundle.js says why.
'use strict';
const { BUNDLE, loadBundle } = require('./load-bundle.js');

let cli;
try {
  cli = loadBundle().exports;
} catch (e) {
  // a missing bundle, or a file that is not one (load-bundle.js's ENOTBUNDLE): said, exit 70
  const missing = e?.code === 'ENOENT' && e.path === BUNDLE;
  if (!missing && e?.code !== 'ENOTBUNDLE') throw e;
  process.stderr.write(`tcpflow-explain: ${missing ? `${BUNDLE} is missing: run \`npm run build\` (npm ci and npm test run it)` : e.message}\n`);
  process.exit(70);
}
// Node ends the process when nothing is left to wait for. If that happens before main() has
// answered, something it awaited can never come (a bug): say so and exit 70, as Node itself exits
// 13 for an unsettled top-level await in an ES module, never 0 as if the run had succeeded.
let settled = false;
process.on('exit', () => {
  if (settled) return;
  process.stderr.write('tcpflow-explain: internal error: the run stopped before it had finished (please report this with the capture if you can)\n');
  process.exitCode = 70;
});
cli.main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
    // Once everything written has reached the system (standard output and error are files or
    // terminals, which Node writes synchronously, or pipes with no write still queued), the
    // process ends here: process.exit() leaves out the teardown of the heap and of the
    // environment that Node makes when the event loop runs out, which has nothing left to do
    // for this run (the temporary files are unlinked as they are made, -j's workers have
    // answered). Medians of interleaved runs: a small capture's --json 113 -> 110 ms and `check`
    // 114 -> 113 ms (61 each), short1m's `check` 558 -> 546 ms and --json 780 -> 770 ms, the
    // concurrent capture's `check` 992 -> 977 ms (docs/performance.md, "2026-12-05"). A pipe
    // still writing (POSIX pipes are asynchronous) is left to end as Node ends it, once the
    // write is done (test/bundle.test.ts).
    if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
  },
  // main() reports its own errors (exit 70); one that escapes it is reported the same way, not
  // as a stack trace
  (e) => {
    settled = true;
    process.stderr.write(`tcpflow-explain: internal error: ${e instanceof Error ? e.message : String(e)} (please report this with the capture if you can)\n`);
    process.exitCode = 70;
  },
);
