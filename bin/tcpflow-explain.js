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
  if (e?.code !== 'ENOENT' || e.path !== BUNDLE) throw e;
  process.stderr.write(`tcpflow-explain: ${BUNDLE} is missing: run \`npm run build\` (npm ci and npm test run it)\n`);
  process.exit(70);
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
