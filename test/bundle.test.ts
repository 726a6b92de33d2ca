/**
 * The bundle bin/tcpflow-explain.js runs (dist/bundle, scripts/bundle.ts): one CommonJS file
 * with no lazy module initialisers, its V8 code cache (accepted; a damaged or missing one changes
 * nothing but the start-up), the worker entry, the version, that it needs nothing outside bin/
 * and dist/bundle (npm dependencies are bundled, package.json is not read), and that a missing
 * bundle is an error.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import * as zlib from 'node:zlib';
import type { Metafile } from 'esbuild';
import { REPO_ROOT } from './helpers/corpus.js';
import { codeCacheState } from '../scripts/bench-cache-state.js';

const BIN = join(REPO_ROOT, 'bin', 'tcpflow-explain.js');
const BUNDLE = join(REPO_ROOT, 'dist', 'bundle');
const OUT = 'dist/bundle';
const meta = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'bundle.meta.json'), 'utf8')) as Metafile;
const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const fixture = (name: string): string => join(REPO_ROOT, 'fixtures', name, 'capture.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'tcpflow-bundle-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// a run that does not end within a minute is a hang: killed, and its status is then null
const run = (bin: string, args: string[], cwd = REPO_ROOT) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd, maxBuffer: 64 << 20, timeout: 60_000 });

const source = readFileSync(join(BUNDLE, 'main.cjs'), 'utf8');

/** Why there is no code cache on this Node (bin/load-bundle.js checks it with zlib.crc32), or false. */
const NO_CACHE = typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? false : 'no zlib.crc32 in this Node (20.15 and later have it), so no code cache';

/** What bin/load-bundle.js under `root` says of the code cache: accepted, rejected or none (as the bench asks it). */
const cacheState = (root: string): string => codeCacheState(process.execPath, root);

describe('bundle: layout', () => {
  it('one CommonJS file with the subcommands, yaml and the summary table; no module behind a lazy initialiser, no import() left', () => {
    assert.deepEqual(Object.keys(meta.outputs).filter((o) => !o.endsWith('.map')), [`${OUT}/main.cjs`]);
    const inputs = Object.keys(meta.outputs[`${OUT}/main.cjs`].inputs);
    for (const m of [/^src\/cli\/(check|lab|grade|worker)\.ts$/, /^src\/render\/summary\.ts$/, /node_modules\/yaml\//, /node_modules\/string-width\//]) {
      assert.ok(inputs.some((f) => m.test(f)), `${m} is in the bundle`);
    }
    // an import() anywhere makes esbuild wrap the module and everything it imports in an
    // initialiser; the top-level constants of the decoders and the tracker are then variables,
    // which cost the bulk capture 14% (scripts/bundle.ts)
    assert.doesNotMatch(source, /__esm\(\{/);
    // node:vm (bin/load-bundle.js) has no loader for a real import()
    assert.doesNotMatch(source, /\bimport\(/);
    // yaml is evaluated when first used (rules files, lab answers), through a module of getters;
    // the package itself is bundled all the same
    assert.ok('lazy-package:yaml' in meta.inputs);
    const lazy = meta.inputs['lazy-package:yaml']!.imports.map((i) => i.path);
    assert.deepEqual(lazy, ['node_modules/yaml/dist/index.js']);
  });

  it('the bundle is ASCII, so V8 holds its source as a one-byte string (half the memory of a two-byte one)', () => {
    const at = source.search(/[^\x00-\x7f]/);
    assert.equal(at, -1, `a character beyond ASCII at offset ${at}: ${source.slice(Math.max(0, at - 40), at + 40)}`);
  });

  it('the -j worker entry is dist/bundle/worker-thread.js, found from the bundle by its own URL', () => {
    assert.ok(existsSync(join(BUNDLE, 'worker-thread.js')));
    assert.match(source, /\.Worker\(new URL\("\.\/worker-thread\.js",\s*__tcpflowBundle\.url\)\)/);
    // the file is Node's CommonJS wrapper around the bundle (bin/load-bundle.js runs its text as
    // it is), strict from the wrapper's first statement, as the ES modules it is made of
    assert.match(source, /^\(function \(exports, require, module, __filename, __dirname\) \{ "use strict";\nvar __tcpflowBundle = \{ get url\(\) \{ return require\("node:url"\)\.pathToFileURL\(__filename\)\.href; \} \};\n/);
    assert.match(source, /\n\}\)\n\/\/# sourceMappingURL=main\.cjs\.map\n$/);
  });

  it('bin/ and dist/bundle/ are CommonJS (no ES module loader at start); the bundle loads neither node:child_process, node:worker_threads, node:v8 nor node:fs/promises until used', () => {
    for (const dir of [join(REPO_ROOT, 'bin'), BUNDLE]) {
      assert.deepEqual(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')), { type: 'commonjs' });
    }
    // what Node loads for --version and for a capture's --json, as bin/tcpflow-explain.js runs them
    const loaded = (args: string[]): string[] => {
      const r = spawnSync(process.execPath, ['-e', `
        const before = new Set(process.moduleLoadList);
        process.argv = [process.execPath, ${JSON.stringify(BIN)}, ...${JSON.stringify(args)}];
        process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList.filter((m) => !before.has(m)))));
        require(${JSON.stringify(BIN)});`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stderr) as string[];
    };
    for (const args of [['--version'], ['--json', fixture('http-ipv4')], ['check', '--expect', 'handshake=three-way', fixture('http-ipv4')]]) {
      const mods = loaded(args);
      // standard input is /dev/null ('ignore'): process.stdin, made there, would be an fs stream,
      // which loads node:fs/promises; it is made only for a capture named "-"
      for (const m of ['NativeModule child_process', 'NativeModule worker_threads', 'NativeModule internal/modules/esm/loader', 'NativeModule v8', 'NativeModule internal/fs/promises']) {
        assert.ok(!mods.includes(m), `${args.join(' ')} loads ${m}`);
      }
      assert.ok(mods.includes('NativeModule vm'), 'the list is of what the run loaded');
    }
    // used, they are there: -j starts workers (node:worker_threads through the lazy module)
    assert.ok(loaded(['-j', '2', '--json', fixture('http-ipv4'), fixture('tcp-four-way')]).includes('NativeModule worker_threads'));
    // --help shows the default --max-connections, which node:v8 gives
    assert.ok(loaded(['--help']).includes('NativeModule v8'));
  });

  it('the code cache the build made is accepted by this Node', { skip: NO_CACHE }, () => {
    assert.ok(existsSync(join(BUNDLE, 'main.cjs.v8cache')));
    assert.equal(cacheState(REPO_ROOT), 'accepted');
  });

  it('the npm dependencies are bundled and their licenses listed', () => {
    const notices = readFileSync(join(BUNDLE, 'THIRD_PARTY_LICENSES.txt'), 'utf8');
    for (const p of ['commander', 'chalk', 'yaml', 'string-width']) {
      assert.ok(Object.keys(meta.inputs).some((i) => i.includes(`node_modules/${p}/`)), `${p} is bundled`);
      assert.match(notices, new RegExp(`^${p}@\\d`, 'm'));
    }
  });
});

describe('bundle: bin/tcpflow-explain.js', () => {
  it("a small run leaves V8's optimising compiler nothing to do (Node waits for it before exiting)", () => {
    // `--trace-opt` prints on stdout a line per function V8 marks for its optimising compiler;
    // Node lets that work finish before the process exits, so a small capture's run waited for
    // ascii() to be compiled (8-12 ms of 120) when it looped over its characters at start
    // (docs/performance.md, "2026-12-04 (evening)")
    for (const args of [['--version'], ['--json', fixture('tcp-four-way')], [fixture('tcp-four-way')], ['check', '-e', 'handshake=three-way', fixture('tcp-four-way')]]) {
      const r = spawnSync(process.execPath, ['--trace-opt', BIN, ...args], { encoding: 'utf8', cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      const marked = r.stdout.split('\n').filter((l) => l.startsWith('[marking') && l.includes('TURBOFAN'));
      assert.deepEqual(marked, [], args.join(' '));
    }
  });

  it('waits for a pipe still writing before it ends (process.exit() only once nothing is queued)', { skip: process.platform === 'win32' ? 'a FIFO' : false }, async () => {
    const args = ['--json', fixture('tcp-four-way')];
    const expected = run(BIN, args).stdout;
    assert.ok(expected.length > 1000 && expected.length < 16_000, 'below the stream\'s high-water mark: write() answers true');
    // standard output a pipe that is full before the run starts: Node queues the run's only
    // write (asynchronous on POSIX) and main() answers with it still queued. The process must
    // wait for it; process.exit() there would lose the output.
    const fifo = join(tmp, 'full-pipe');
    const made = spawnSync('mkfifo', [fifo]);
    assert.equal(made.status, 0, String(made.stderr));
    const rfd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    let wfd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      let filled = 0;
      const block = Buffer.alloc(4096, 0x2e);
      for (;;) {
        try {
          filled += writeSync(wfd, block);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
          throw e;
        }
      }
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', wfd, 'pipe'], cwd: REPO_ROOT });
      // the child's copy is the pipe's only writer now: its end is the pipe's end
      closeSync(wfd);
      wfd = -1;
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const early = await Promise.race([exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 1000))]);
      assert.equal(early, 'running', `the run ended with its output still queued (exit ${String(early)}): ${stderr}`);
      // read the pipe empty until every writer has closed it
      const parts: Buffer[] = [];
      const buf = Buffer.alloc(65536);
      for (;;) {
        let n: number;
        try {
          n = readSync(rfd, buf, 0, buf.length, null);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        if (n === 0) break;
        parts.push(Buffer.from(buf.subarray(0, n)));
      }
      assert.equal(await exited, 0, stderr);
      const all = Buffer.concat(parts);
      assert.equal(all.length, filled + Buffer.byteLength(expected));
      assert.equal(all.subarray(filled).toString(), expected);
    } finally {
      if (wfd >= 0) closeSync(wfd);
      closeSync(rfd);
      rmSync(fifo, { force: true });
    }
  });

  it('--version prints package.json\'s version', () => {
    const r = run(BIN, ['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  });

  it('-j 2 (worker threads of dist/bundle/worker-thread.js) writes the bytes of -j 1', () => {
    const files = [fixture('http-ipv4'), fixture('tcp-four-way'), fixture('tcp-loss')];
    for (const format of [['--json'], ['--format', 'ndjson'], []]) {
      const one = run(BIN, [...format, '-j', '1', ...files]);
      const two = run(BIN, [...format, '-j', '2', ...files]);
      assert.equal(one.status, 0, one.stderr);
      assert.equal(two.status, 0, two.stderr);
      assert.equal(two.stderr, '');
      assert.equal(two.stdout, one.stdout);
    }
  });

  /** bin/ and dist/bundle/ copied to tmp/name, and a check that a run there gives what one here does. */
  const install = (name: string): { root: string; same: (args: string[]) => void } => {
    const root = join(tmp, name);
    mkdirSync(join(root, 'dist'), { recursive: true });
    cpSync(join(REPO_ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    cpSync(BUNDLE, join(root, 'dist', 'bundle'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    const bin = join(root, 'bin', 'tcpflow-explain.js');
    const same = (args: string[]): void => {
      const here = run(BIN, args);
      const there = run(bin, args, root);
      assert.equal(there.stderr, here.stderr, args.join(' '));
      assert.equal(there.status, here.status, args.join(' '));
      assert.equal(there.stdout, here.stdout, args.join(' '));
    };
    return { root, same };
  };

  it('runs with nothing but bin/ and dist/bundle/: no node_modules, no package.json version, the subcommands and the worker', () => {
    const { root, same } = install('installed');
    const bin = join(root, 'bin', 'tcpflow-explain.js');
    assert.equal(run(bin, ['--version'], root).stdout, `${version}\n`);
    same(['--json', fixture('http-ipv4')]);
    same(['--format', 'summary', fixture('tcp-port-reuse')]);
    same(['-j', '2', '--json', fixture('http-ipv4'), fixture('tcp-four-way')]);
    same(['--json', join(REPO_ROOT, 'fixtures', 'gzip', 'capture.pcap.gz')]);
    const rules = join(tmp, 'rules.yaml');
    writeFileSync(rules, 'expect:\n  - handshake=three-way\n  - teardown=graceful\n');
    same(['check', '--rules', rules, fixture('tcp-four-way')]);
    same(['lab', fixture('lab-http-upload')]);
    same(['grade', '--help']);
  });

  it('a damaged code cache, one made for another bundle, or none: V8 compiles the source instead, and nothing else changes', { skip: NO_CACHE }, () => {
    const { root, same } = install('caches');
    assert.equal(cacheState(root), 'accepted');
    // a damaged cache, then none: V8 compiles the source instead, and nothing else changes
    const cache = join(root, 'dist', 'bundle', 'main.cjs.v8cache');
    const bytes = readFileSync(cache);
    bytes.fill(0x5a, bytes.length >> 1, (bytes.length >> 1) + 64);
    writeFileSync(cache, bytes);
    assert.equal(cacheState(root), 'rejected');
    same(['--json', fixture('http-ipv4')]);
    same(['-j', '2', '--json', fixture('http-ipv4'), fixture('tcp-four-way')]);
    // the cache of another bundle of the same length: V8 would take it, the CRC of the bundle does not
    writeFileSync(cache, readFileSync(join(BUNDLE, 'main.cjs.v8cache')));
    assert.equal(cacheState(root), 'accepted');
    const main = join(root, 'dist', 'bundle', 'main.cjs');
    writeFileSync(main, readFileSync(main, 'utf8').replace('"use strict";', "'use strict';"));
    assert.equal(cacheState(root), 'rejected');
    same(['--json', fixture('http-ipv4')]);
    rmSync(cache);
    assert.equal(cacheState(root), 'none');
    same(['--format', 'summary', fixture('tcp-port-reuse')]);
  });

  it('a -j worker thread that fails answers its jobs as internal errors: exit 70 with its message, never a hang or a silent exit 0', () => {
    const { root } = install('failing-workers');
    const bin = join(root, 'bin', 'tcpflow-explain.js');
    const entry = join(root, 'dist', 'bundle', 'worker-thread.js');
    const captures = [fixture('tcp-loss'), fixture('http-ipv4'), fixture('tcp-reorder'), fixture('tcp-four-way')];
    const modes = [['-j', '2', '--json'], ['-j', '2'], ['check', '-j', '2', '--expect', 'handshake=three-way'], ['check', '-j', '2', '--expect', 'handshake=three-way', '--json']];
    const internal = (m: string): string => `tcpflow-explain: internal error: ${m} (please report this with the capture if you can)\n`;
    // every worker fails as it starts, or ends without answering its first job
    for (const [code, message] of [
      ["throw new Error('boom in the worker');", 'boom in the worker'],
      ["require('node:worker_threads').parentPort.once('message', () => process.exit(3));", 'a worker thread ended (exit code 3) without answering'],
    ]) {
      writeFileSync(entry, `${code}\n`);
      for (const m of modes) {
        const r = run(bin, [...m, ...captures], root);
        assert.equal(r.status, 70, `${m.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr, internal(message), m.join(' '));
      }
    }
    // only the second thread fails: its job is an internal error, the others are done by the
    // threads started after it, and the text before the failure is written as the sequential run would
    writeFileSync(entry, `'use strict';
if (require('node:worker_threads').threadId === 2) throw new Error('boom in worker 2');
require('../../bin/load-bundle.js').loadBundle().exports.startWorker();
`);
    const r = run(bin, ['-j', '2', '--format', 'summary', ...captures], root);
    assert.equal(r.status, 70, r.stderr);
    assert.equal(r.stderr, internal('boom in worker 2'));
    assert.equal(r.stdout, run(BIN, ['--format', 'summary', captures[0]]).stdout);
  });

  it('a run whose main() never settles, or rejects, or a file that is no bundle, exits 70 with an error: not 0, not a stack trace', () => {
    const { root } = install('unsettled');
    rmSync(join(root, 'dist', 'bundle', 'main.cjs.v8cache'), { force: true });
    const main = join(root, 'dist', 'bundle', 'main.cjs');
    const bin = join(root, 'bin', 'tcpflow-explain.js');
    // a bundle is a function expression, Node's CommonJS wrapper written in (scripts/bundle.ts)
    const wrapped = (body: string): string => `(function (exports, require, module, __filename, __dirname) { ${body}\n})\n`;
    writeFileSync(main, wrapped('exports.main = () => new Promise(() => {});'));
    let r = run(bin, ['--version'], root);
    assert.equal(r.status, 70);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'tcpflow-explain: internal error: the run stopped before it had finished (please report this with the capture if you can)\n');
    writeFileSync(main, wrapped("exports.main = async () => { throw new Error('escaped'); };"));
    r = run(bin, ['--version'], root);
    assert.equal(r.status, 70);
    assert.equal(r.stderr, 'tcpflow-explain: internal error: escaped (please report this with the capture if you can)\n');
    // a file that is not the wrapped function (a plain CommonJS module, as bundles were before
    // the wrapper was written in): said plainly, not a stack trace
    writeFileSync(main, "exports.main = async () => 0;\n");
    r = run(bin, ['--version'], root);
    assert.equal(r.status, 70);
    assert.equal(r.stderr, `tcpflow-explain: ${main} is not a bundle that \`npm run build\` wrote: run it again\n`);
  });

  it('without the bundle it fails loudly (exit 70, names the file, says to build)', () => {
    const root = join(tmp, 'unbuilt');
    cpSync(join(REPO_ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    const bin = join(root, 'bin', 'tcpflow-explain.js');
    const r = run(bin, ['--version'], root);
    assert.equal(r.status, 70);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `tcpflow-explain: ${join(root, 'dist', 'bundle', 'main.cjs')} is missing: run \`npm run build\` (npm ci and npm test run it)\n`);
  });
});
