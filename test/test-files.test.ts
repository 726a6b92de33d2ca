/**
 * scripts/test-files.ts and scripts/test.ts: npm test runs every test file of the project, by
 * name, on every Node from 20 (a directory handed to `node --test` runs nothing on Node 22 and
 * 24), and never passes by running none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testArgs, testFiles } from '../scripts/test-files.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const RUNNER = join(HERE, '..', 'scripts', 'test.js');

/** The test sources (test/**\/*.test.ts), as paths under test/ with .js. */
function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith('.test.ts')) out.push(relative(join(ROOT, 'test'), p).replace(/\.ts$/, '.js'));
  }
  return out.sort();
}

test('npm test runs the compiled file of every test source, subdirectories included, and no helper', () => {
  const run = testFiles(HERE).map((p) => relative(HERE, p));
  assert.deepEqual([...run].sort(), sources(join(ROOT, 'test')));
  assert.ok(run.includes(join('capture', 'reader.test.js')));
  assert.ok(run.includes(join('corpus', 'corpus.test.js')));
  assert.ok(!run.some((p) => p.startsWith('helpers')));
  assert.ok(run.length >= 70, `${run.length} test files`);
});

test('the files in name order, a directory depth first; options passed on before them; a file given stays itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfe-testfiles-'));
  try {
    mkdirSync(join(dir, 'b'));
    for (const f of ['c.test.js', 'a.test.js', 'b/z.test.js', 'b/helper.js', 'notes.md', 'x.test.js.map']) writeFileSync(join(dir, f), '');
    assert.deepEqual(testFiles(dir), [join(dir, 'a.test.js'), join(dir, 'b', 'z.test.js'), join(dir, 'c.test.js')]);
    assert.deepEqual(testArgs(['--test-name-pattern=x', dir, join(dir, 'b', 'helper.js')]), {
      options: ['--test-name-pattern=x'],
      files: [join(dir, 'a.test.js'), join(dir, 'b', 'z.test.js'), join(dir, 'c.test.js'), join(dir, 'b', 'helper.js')],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the runner: a failing test file fails it, a passing one passes, none found or a missing path is exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tfe-testrun-'));
  try {
    mkdirSync(join(dir, 'pass'));
    mkdirSync(join(dir, 'fail'));
    mkdirSync(join(dir, 'empty'));
    writeFileSync(join(dir, 'pass', 'ok.test.js'), "const { test } = require('node:test');\ntest('ok', () => {});\n");
    writeFileSync(join(dir, 'fail', 'no.test.js'), "const { test } = require('node:test');\ntest('no', () => { throw new Error('boom'); });\n");
    writeFileSync(join(dir, 'empty', 'helper.js'), '');
    // (without NODE_TEST_CONTEXT, which this file's own runner sets: a run of `node --test` that
    // has it reports to that runner, not as spec lines)
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const run = (...args: string[]) => spawnSync(process.execPath, [RUNNER, ...args], { encoding: 'utf8', env });
    const pass = run(join(dir, 'pass'));
    assert.equal(pass.status, 0, pass.stdout + pass.stderr);
    assert.match(pass.stdout, /ℹ pass 1/);
    const fail = run(join(dir, 'pass'), join(dir, 'fail'));
    assert.equal(fail.status, 1, fail.stdout + fail.stderr);
    assert.match(fail.stdout, /ℹ fail 1/);
    const none = run(join(dir, 'empty'));
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no \*\.test\.js file in .*empty/);
    const missing = run(join(dir, 'nowhere'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^test: .*nowhere: no such file or directory \(an option's value goes after =/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
