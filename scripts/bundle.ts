/**
 * `npm run build` (after tsc): bundles the CLI with esbuild into dist/bundle/, which is what
 * bin/tcpflow-explain.js runs, then makes V8's code cache for it (scripts/code-cache.ts).
 * Start-up was nearly all module loading: ~50 modules of dist/src plus commander's and chalk's
 * files, each resolved, read and compiled on its own. One CommonJS file, loaded through node:vm
 * with a code cache (bin/load-bundle.js says why), starts about 8 ms sooner again than the ES
 * module chunks this used to write (Node 20 caches no compiled code for ES modules), and runs
 * the bulk capture 14% faster (no module behind a lazy initialiser, below).
 *
 *   dist/bundle/main.cjs          the bundle (entry src/cli/bundle.ts: exports main, and holds
 *                                 the -j worker), npm dependencies included; the subcommands,
 *                                 yaml and the summary table too, evaluated at start: they are
 *                                 static imports, because one import() makes esbuild put every
 *                                 module it reaches behind a lazy initialiser (__esm), where the
 *                                 decoders' and the tracker's top-level constants become
 *                                 variables set late
 *   dist/bundle/main.cjs.v8cache  V8's code cache for it, made after runs on the fixtures
 *   dist/bundle/worker-thread.js  entry of the -j worker threads (src/cli/jobs.ts finds it as
 *                                 new URL('./worker-thread.js', import.meta.url) from the
 *                                 bundle): loads the bundle the same way, then startWorker()
 *   dist/bundle/package.json      says the directory is CommonJS, as bin/package.json does
 *   dist/bundle/THIRD_PARTY_LICENSES.txt   the licenses of the bundled npm packages
 *   dist/bundle.meta.json         esbuild's metafile (not shipped; the tests read it)
 *
 * package.json's version is written in with `define` (src/cli/context.ts, toolVersion), and
 * import.meta.url becomes the bundle's own file URL.
 */
import { build, type Plugin } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = 'dist/bundle';
const META = 'dist/bundle.meta.json';

/**
 * Node's CommonJS wrapper around the bundle, written into the file: the file is a function
 * expression, which bin/load-bundle.js checks for and calls with the module's exports, require,
 * module, file name and directory.
 */
const { WRAPPER_HEAD } = createRequire(import.meta.url)(join(ROOT, 'bin', 'load-bundle.js')) as { WRAPPER_HEAD: string };
const WRAPPER_TAIL = '\n})';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/**
 * Node modules loaded when first used rather than when the bundle starts: commander requires
 * node:child_process at its top (for executable subcommands, which we have none of), and only
 * -j uses node:worker_threads. Loading the two took about 1 ms of every start. node:v8 (1.6-2 ms)
 * gives only the default --max-connections, asked for when first needed (src/analyze/tracker.ts).
 * An import of any of them becomes a module whose properties load the real one on first access
 * (esbuild reads a named import's property when it is used, not when the module is imported).
 */
const LAZY_BUILTINS = ['node:child_process', 'node:worker_threads', 'node:v8'];
const lazyBuiltins: Plugin = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_BUILTINS.join('|')})$`);
    b.onResolve({ filter }, (a) => ({ path: a.path, namespace: 'lazy-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (a) => {
      const keys = Object.keys(createRequire(import.meta.url)(a.path) as object).filter((k) => k !== 'default');
      // the name without node: is not resolved by this plugin again; Node gives the same module
      const real = JSON.stringify(a.path.slice('node:'.length));
      return { loader: 'js', contents: lazyModule(keys, real) };
    });
  },
};

/** A CommonJS module whose properties `keys` are those of require(`real`) (a JSON string), required on first access. */
function lazyModule(keys: string[], real: string): string {
  return `let real = null;\nconst load = () => real ?? (real = require(${real}));\n` +
    `for (const k of ${JSON.stringify(keys)}) Object.defineProperty(exports, k, { enumerable: true, get: () => load()[k] });\n`;
}

/**
 * npm packages of the bundle evaluated when first used rather than when it starts, the same way:
 * yaml reads only rules files (check --rules) and lab answers, but its module initialisation
 * took about 1 ms and 150 KB of every start. An import of it from the tool's source becomes a
 * module whose properties evaluate the bundled package on first access.
 */
const LAZY_PACKAGES = ['yaml'];
const lazyPackages: Plugin = {
  name: 'lazy-packages',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_PACKAGES.join('|')})$`);
    // only the tool's own imports: the lazy module's require of the real file is not one
    b.onResolve({ filter }, (a) => (a.importer.startsWith(join(ROOT, 'src')) ? { path: a.path, namespace: 'lazy-package' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-package' }, (a) => {
      const req = createRequire(join(ROOT, 'package.json'));
      const keys = Object.keys(req(a.path) as object).filter((k) => k !== 'default' && k !== '__esModule');
      const real = JSON.stringify(req.resolve(a.path));
      return { loader: 'js', resolveDir: ROOT, contents: lazyModule(keys, real) };
    });
  },
};

rmSync(join(ROOT, OUT), { recursive: true, force: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/cli/bundle.ts'],
  outfile: `${OUT}/main.cjs`,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  define: {
    __TCPFLOW_EXPLAIN_VERSION__: JSON.stringify(pkg.version),
    'import.meta.url': '__tcpflowBundle.url',
  },
  // The file is the function bin/load-bundle.js runs: Node's CommonJS wrapper is in it (banner
  // and footer), so the loader hands V8 the file's text as it is; concatenated at load, the
  // source was a rope that V8 flattened into a third copy (1 MB of fresh memory, 242 page
  // faults). Then strict mode (the directive esbuild writes would come after the banner, and
  // count for nothing there), then the bundle's own URL for import.meta.url, made when first
  // asked for (-j's worker entry): making it at start took about 0.5 ms of every run.
  banner: { js: `${WRAPPER_HEAD}"use strict";\nvar __tcpflowBundle = { get url() { return require("node:url").pathToFileURL(__filename).href; } };` },
  footer: { js: WRAPPER_TAIL },
  // Without the spaces, line breaks and comments esbuild keeps: 1.00 -> 0.66 MB. Every start
  // reads the file and makes a string of it, each a copy in fresh memory (about 500 page
  // faults fewer, 5-6 ms where a fault costs 11 us). Function names stay (profiles, traces).
  minifyWhitespace: true,
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
  plugins: [lazyBuiltins, lazyPackages],
});
// CommonJS, as bin/ is (bin/load-bundle.js says why)
writeFileSync(join(ROOT, OUT, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
writeFileSync(join(ROOT, OUT, 'worker-thread.js'), `// Entry of the -j worker threads (src/cli/jobs.ts): the bundle, whose startWorker()
// (src/cli/worker.ts) takes the jobs. Written by scripts/bundle.ts.
'use strict';
require('../../bin/load-bundle.js').loadBundle().exports.startWorker();
`);
const meta = result.metafile;
writeFileSync(join(ROOT, META), JSON.stringify(meta, null, 1));

const problems: string[] = [];
for (const out of Object.keys(meta.outputs)) {
  if (dirname(out) !== OUT) problems.push(`${out} is not directly in ${OUT}/ (the worker URL assumes one directory)`);
}
for (const entry of ['main.cjs', 'worker-thread.js', 'package.json']) {
  if (!existsSync(join(ROOT, OUT, entry))) problems.push(`${OUT}/${entry} was not written`);
}
// no import(): node:vm has no loader for a real one, and esbuild's lazy initialisers (above)
const bundled = readFileSync(join(ROOT, OUT, 'main.cjs'), 'utf8');
if (/\bimport\(/.test(bundled)) problems.push(`${OUT}/main.cjs has an import() left`);
if (bundled.includes('__esm(')) problems.push(`${OUT}/main.cjs has modules behind lazy initialisers (an import() in src?)`);
// ASCII only: esbuild escapes strings, but not the comments it keeps or regular expression
// literals, and one character beyond Latin-1 makes V8 hold the whole source as a two-byte string:
// 1.7 MB instead of 0.84 MB in every run and every -j worker, and about 1 ms of each start
// (--version 65 -> 64 ms, median of 41 interleaved runs)
bundled.split('\n').forEach((line, i) => {
  const ch = /[^\x00-\x7f]/.exec(line);
  if (ch) problems.push(`${OUT}/main.cjs:${i + 1} has "${ch[0]}" (U+${ch[0].charCodeAt(0).toString(16).padStart(4, '0')}): write it as an escape or in ASCII in the source (${line.trim().slice(0, 80)})`);
});
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

// V8's code cache, in a process of its own: one started the way bin/tcpflow-explain.js is, so
// that V8 accepts the cache there (it checks the V8 version and flags)
const cc = spawnSync(process.execPath, [join(ROOT, 'dist', 'scripts', 'code-cache.js')], { cwd: ROOT, encoding: 'utf8' });
if (cc.status !== 0) {
  process.stderr.write(`bundle: the code cache was not made (exit ${cc.status}):\n${cc.stderr}`);
  process.exit(1);
}
const files = readdirSync(join(ROOT, OUT)).filter((f) => /\.(c?js)$/.test(f));
process.stderr.write(`bundle: ${files.length} files in ${relative(process.cwd(), join(ROOT, OUT)) || '.'} (${packages.size} npm packages bundled); ${cc.stderr.trim()}\n`);
