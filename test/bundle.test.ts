/**
 * The bundle bin/tcpflow-explain.js runs (dist/bundle, scripts/bundle.ts): what a plain run
 * loads, the worker entry, the version, that it needs nothing outside dist/bundle (npm
 * dependencies are bundled, package.json is not read), and that a missing bundle is an error.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Metafile } from 'esbuild';
import { REPO_ROOT } from './helpers/corpus.js';

const BIN = join(REPO_ROOT, 'bin', 'tcpflow-explain.js');
const BUNDLE = join(REPO_ROOT, 'dist', 'bundle');
const OUT = 'dist/bundle';
const meta = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'bundle.meta.json'), 'utf8')) as Metafile;
const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const fixture = (name: string): string => join(REPO_ROOT, 'fixtures', name, 'capture.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'tcpflow-bundle-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const run = (bin: string, args: string[], cwd = REPO_ROOT) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd, maxBuffer: 64 << 20 });

/** The outputs a module loads before it runs: itself and its static imports, transitively. */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (out: string): void => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const i of meta.outputs[out].imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(entry);
  return seen;
}

const inputsOf = (outs: Set<string>): string[] => [...outs].flatMap((o) => Object.keys(meta.outputs[o].inputs));

/** Loaded only by the dynamic import()s of src/cli/main.ts and src/cli/explain.ts. */
const LAZY = [/^src\/cli\/(check|lab|grade)\.ts$/, /^src\/render\/summary\.ts$/, /node_modules\/yaml\//, /node_modules\/(string-width|emoji-regex)\//];

describe('bundle: layout', () => {
  it('a plain run (main.js) and a -j worker (worker.js) load none of check, lab, grade, yaml, the summary table', () => {
    for (const entry of [`${OUT}/main.js`, `${OUT}/worker.js`]) {
      const loaded = inputsOf(staticClosure(entry));
      assert.ok(loaded.includes('src/cli/explain.ts'), `${entry} holds the explain command`);
      for (const lazy of LAZY) assert.deepEqual(loaded.filter((f) => lazy.test(f)), [], `${entry} loads ${lazy} at start`);
    }
    // ... and they are in the bundle, behind import()
    const all = inputsOf(new Set(Object.keys(meta.outputs).filter((o) => o.endsWith('.js'))));
    for (const lazy of LAZY) assert.ok(all.some((f) => lazy.test(f)), `${lazy} is in the bundle`);
  });

  it('check without a rules file loads neither yaml nor lab and grade', () => {
    const out = Object.keys(meta.outputs).find((o) => 'src/cli/check.ts' in meta.outputs[o].inputs);
    assert.ok(out);
    const loaded = inputsOf(staticClosure(out));
    for (const lazy of [/node_modules\/yaml\//, /^src\/check\/rules\.ts$/, /^src\/cli\/(lab|grade)\.ts$/, /^src\/lab\//]) {
      assert.deepEqual(loaded.filter((f) => lazy.test(f)), [], `check loads ${lazy} at start`);
    }
  });

  it('every output is directly in dist/bundle, so new URL("./worker.js", import.meta.url) finds the worker from any chunk', () => {
    for (const out of Object.keys(meta.outputs)) assert.equal(dirname(out), OUT, out);
    assert.ok(existsSync(join(BUNDLE, 'worker.js')));
    const jobs = Object.keys(meta.outputs).find((o) => 'src/cli/jobs.ts' in meta.outputs[o].inputs);
    assert.ok(jobs, 'jobs.ts is bundled');
    assert.match(readFileSync(join(REPO_ROOT, jobs), 'utf8'), /new Worker\(new URL\("\.\/worker\.js", import\.meta\.url\)\)/);
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
  it('--version prints package.json\'s version', () => {
    const r = run(BIN, ['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `${version}\n`);
  });

  it('-j 2 (worker threads of dist/bundle/worker.js) writes the bytes of -j 1', () => {
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

  it('runs with nothing but bin/ and dist/bundle/: no node_modules, no package.json version, the lazy chunks and the worker', () => {
    const root = join(tmp, 'installed');
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

  it('without the bundle, or with a chunk of it missing, it fails loudly (exit 70, names the file, says to build)', () => {
    const root = join(tmp, 'unbuilt');
    cpSync(join(REPO_ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    const bin = join(root, 'bin', 'tcpflow-explain.js');
    let r = run(bin, ['--version'], root);
    assert.equal(r.status, 70);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^tcpflow-explain: \S*dist\/bundle\/main\.js is missing: run `npm run build`/);
    // a shared chunk main.js imports
    cpSync(BUNDLE, join(root, 'dist', 'bundle'), { recursive: true });
    const chunk = meta.outputs[`${OUT}/main.js`].imports.find((i) => i.kind === 'import-statement' && !i.external)!.path;
    rmSync(join(root, chunk));
    r = run(bin, ['--version'], root);
    assert.equal(r.status, 70);
    assert.equal(r.stderr, `tcpflow-explain: ${join(root, chunk)} is missing: run \`npm run build\` (npm ci and npm test run it)\n`);
  });
});
