/**
 * `npm run build` (after tsc): bundles the CLI with esbuild into dist/bundle/, which is what
 * bin/tcpflow-explain.js runs. Start-up was nearly all module loading: ~50 modules of dist/src
 * plus commander's and chalk's files, each resolved, read and compiled on its own; one bundle
 * (npm dependencies included) is a few files.
 *
 *   dist/bundle/main.js        entry of bin/tcpflow-explain.js (exports main)
 *   dist/bundle/worker.js      entry of the -j worker threads (src/cli/jobs.ts)
 *   dist/bundle/*-HASH.js      shared chunks, and the chunks behind the dynamic import()s: check,
 *                              lab, grade with yaml, the summary table with string-width; a plain
 *                              run never loads those (test/bundle.test.ts checks)
 *   dist/bundle/THIRD_PARTY_LICENSES.txt   the licenses of the bundled npm packages
 *   dist/bundle.meta.json      esbuild's metafile (not shipped; the tests read it)
 *
 * Every output sits directly in dist/bundle/: src/cli/jobs.ts finds the worker as
 * new URL('./worker.js', import.meta.url) from whichever chunk it ends up in (esbuild leaves
 * that URL as written), so this script fails when an output lands anywhere else.
 * package.json's version is written in with `define` (src/cli/context.ts, toolVersion).
 */
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = 'dist/bundle';
const META = 'dist/bundle.meta.json';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

rmSync(join(ROOT, OUT), { recursive: true, force: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/cli/main.ts', 'src/cli/worker.ts'],
  outdir: OUT,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  define: { __TCPFLOW_EXPLAIN_VERSION__: JSON.stringify(pkg.version) },
  // commander and string-width are CommonJS and require() Node's modules; an ES module has no
  // require of its own, so every output gets one
  banner: { js: "import { createRequire as __tcpflowCreateRequire } from 'node:module'; const require = __tcpflowCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});
const meta = result.metafile;
writeFileSync(join(ROOT, META), JSON.stringify(meta, null, 1));

const problems: string[] = [];
for (const out of Object.keys(meta.outputs)) {
  if (dirname(out) !== OUT) problems.push(`${out} is not directly in ${OUT}/ (the worker URL and the chunk imports assume one directory)`);
}
for (const entry of ['main.js', 'worker.js']) {
  if (!existsSync(join(ROOT, OUT, entry))) problems.push(`${OUT}/${entry} was not written`);
}
if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`bundle: ${p}\n`);
  process.exit(1);
}

// the bundled npm packages' licenses travel with their code
const packages = new Map<string, string>();
for (const input of Object.keys(meta.inputs)) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) packages.set(m[1], m[1].replace(/^.*node_modules\//, ''));
}
const notices: string[] = [];
for (const [dir, name] of [...packages].sort((a, b) => a[1].localeCompare(b[1]))) {
  const p = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { version: string; license?: string };
  const file = readdirSync(join(ROOT, dir)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file ? readFileSync(join(ROOT, dir, file), 'utf8').trim() : `(no license file in the package; package.json says ${p.license ?? 'nothing'})`;
  notices.push(`${name}@${p.version} (${p.license ?? 'unknown'})\n\n${text}\n`);
}
writeFileSync(join(ROOT, OUT, 'THIRD_PARTY_LICENSES.txt'), `The npm packages bundled into these files, and their licenses.\n\n${notices.join(`\n${'-'.repeat(72)}\n\n`)}`);

const files = readdirSync(join(ROOT, OUT)).filter((f) => f.endsWith('.js'));
process.stderr.write(`bundle: ${files.length} files in ${relative(process.cwd(), join(ROOT, OUT)) || '.'} (${packages.size} npm packages bundled)\n`);
