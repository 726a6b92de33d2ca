#!/usr/bin/env node
// Runs the bundle that `npm run build` writes (scripts/bundle.ts; `npm ci` and `npm test` build
// it). There is no fallback to dist/src: a missing bundle is an error, not a slower start.
const BUNDLE = new URL('../dist/bundle/main.js', import.meta.url);

let cli;
try {
  cli = await import(BUNDLE);
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist/bundle/main.js')) throw e;
  process.stderr.write(`tcpflow-explain: ${BUNDLE.pathname} is missing: run \`npm run build\` (npm ci and npm test run it)\n`);
  process.exit(70);
}
process.exitCode = await cli.main(process.argv.slice(2));
