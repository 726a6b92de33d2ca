#!/usr/bin/env node
// Runs the bundle that `npm run build` writes (scripts/bundle.ts; `npm ci` and `npm test` build
// it). There is no fallback to dist/src: a missing bundle is an error, not a slower start.
const BUNDLE_DIR = new URL('../dist/bundle/', import.meta.url);

let cli;
try {
  cli = await import(new URL('main.js', BUNDLE_DIR).href);
} catch (e) {
  // a file of the bundle not found (not some other module): the build is missing or incomplete
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || typeof e.url !== 'string' || !e.url.startsWith(BUNDLE_DIR.href)) throw e;
  process.stderr.write(`tcpflow-explain: ${decodeURIComponent(new URL(e.url).pathname)} is missing: run \`npm run build\` (npm ci and npm test run it)\n`);
  process.exit(70);
}
process.exitCode = await cli.main(process.argv.slice(2));
