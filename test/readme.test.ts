/**
 * The README's examples are real output: every `$ command` line in one of its code blocks is run
 * as a user would type it (through sh, from the repository's root, no colour, output not a
 * terminal) and its standard output compared with the lines under it, up to the next `$` line or
 * the block's end. A line `…` alone stands for any number of lines left out. A block introduced by
 * "and on stderr:" right after an example's block is that example's standard error.
 *
 * Commands written `tcpflow-explain …` (as an installed user types them) run the repository's bin;
 * those naming the published lab trace `tcp-ethereal-trace-1` run in a directory where that name
 * is the corpus capture and `ethereal-v7-student.yaml` the fixture (skipped without the corpus).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { CORPUS_DIR, REPO_ROOT } from './helpers/corpus.js';

interface Example {
  /** README line of the command. */
  line: number;
  command: string;
  stdout: string[];
  stderr: string[] | null;
}

const ELISION = '…';

/** The examples of a Markdown text (exported for the test of this parser below). */
export function examples(md: string): Example[] {
  const lines = md.split('\n');
  const out: Example[] = [];
  // the last example of the latest block, and the index of that block's closing fence
  let lastOfBlock: Example | null = null;
  let lastClose = -1;
  let i = 0;
  while (i < lines.length) {
    if (!lines[i].startsWith('```')) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith('```')) j++;
    const body = lines.slice(i + 1, j);
    // "and on stderr:" between the previous block's end and this one's start, nothing else
    const between = lines.slice(lastClose + 1, i).filter((l) => l.trim() !== '');
    if (lastOfBlock !== null && between.length === 1 && between[0].trim() === 'and on stderr:') {
      lastOfBlock.stderr = trimEnd(body);
      lastOfBlock = null;
    } else {
      let current: Example | null = null;
      for (let k = 0; k < body.length; k++) {
        const l = body[k];
        if (l.startsWith('$ ')) {
          // body[k] is line i + 1 + k (0-based) of the file
          current = { line: i + 2 + k, command: l.slice(2), stdout: [], stderr: null };
          out.push(current);
        } else if (current !== null) current.stdout.push(l);
      }
      for (const e of out) e.stdout = trimEnd(e.stdout);
      lastOfBlock = current;
    }
    lastClose = j;
    i = j + 1;
  }
  return out;
}

function trimEnd(ls: string[]): string[] {
  let n = ls.length;
  while (n > 0 && ls[n - 1] === '') n--;
  return ls.slice(0, n);
}

/**
 * Whether `got` is `want` with each `…` line standing for any number of lines (zero or more);
 * the pieces between the elisions are matched in order, at the first place each fits.
 */
export function matches(want: string[], got: string[]): boolean {
  const pieces: string[][] = [[]];
  for (const l of want) {
    if (l.trim() === ELISION) pieces.push([]);
    else pieces[pieces.length - 1].push(l);
  }
  const at = (p: string[], k: number): boolean => k + p.length <= got.length && p.every((l, x) => got[k + x] === l);
  if (pieces.length === 1) return got.length === want.length && at(want, 0);
  const first = pieces[0];
  const lastPiece = pieces[pieces.length - 1];
  if (!at(first, 0)) return false;
  let k = first.length;
  for (let x = 1; x < pieces.length - 1; x++) {
    const p = pieces[x];
    while (k <= got.length && !at(p, k)) k++;
    if (k > got.length) return false;
    k += p.length;
  }
  const end = got.length - lastPiece.length;
  return end >= k && at(lastPiece, end);
}

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const TRACE = join(CORPUS_DIR, 'captures', 'kurose-ross', 'tcp-ethereal-trace-1');

const dir = mkdtempSync(join(tmpdir(), 'readme-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// `tcpflow-explain` on the PATH, as npm installs it
writeFileSync(join(dir, 'tcpflow-explain'), `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, 'bin', 'tcpflow-explain.js')}" "$@"\n`);
chmodSync(join(dir, 'tcpflow-explain'), 0o755);
const traceDir = join(dir, 'trace');
if (existsSync(TRACE)) {
  spawnSync('mkdir', [traceDir]);
  symlinkSync(TRACE, join(traceDir, 'tcp-ethereal-trace-1'));
  symlinkSync(join(REPO_ROOT, 'fixtures', 'grade', 'ethereal-v7-student.yaml'), join(traceDir, 'ethereal-v7-student.yaml'));
}

function run(command: string): { stdout: string[]; stderr: string[] } {
  const cwd = command.includes('tcp-ethereal-trace-1') ? traceDir : REPO_ROOT;
  const env: NodeJS.ProcessEnv = { PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`, NO_COLOR: '1', LANG: 'C.UTF-8' };
  const r = spawnSync('sh', ['-c', command], { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { stdout: trimEnd(r.stdout.split('\n')), stderr: trimEnd(r.stderr.split('\n')) };
}

describe('README: the examples are real output', () => {
  const all = examples(README);

  it('finds the examples (commands for each part of the tool)', () => {
    assert.ok(all.length >= 10, `${all.length} examples`);
    for (const word of ['--format summary', '--format packets', '--json', '--diagram', 'check ', 'lab ', 'grade --batch', 'grade --accept-relative']) {
      assert.ok(all.some((e) => e.command.includes(word)), `no example of ${word}`);
    }
    assert.ok(all.some((e) => e.stderr !== null), 'the lab example has its standard error');
  });

  for (const e of all) {
    const needsCorpus = e.command.includes('tcp-ethereal-trace-1');
    it(`README.md:${e.line}: ${e.command}`, { skip: needsCorpus && !existsSync(TRACE) ? 'no ../shared/corpus' : false }, () => {
      const r = run(e.command);
      assert.ok(e.stdout.length > 0, 'an example shows its output');
      assert.ok(matches(e.stdout, r.stdout), `standard output differs:\n--- README\n${e.stdout.join('\n')}\n--- real\n${r.stdout.join('\n')}`);
      if (e.stderr !== null) assert.ok(matches(e.stderr, r.stderr), `standard error differs:\n--- README\n${e.stderr.join('\n')}\n--- real\n${r.stderr.join('\n')}`);
    });
  }
});

describe('README examples: the parser and the matcher', () => {
  it('reads commands, their output and an "and on stderr:" block', () => {
    const md = ['text', '```', '$ a x', 'one', 'two', '', '$ b', 'three', '```', 'and on stderr:', '```', 'err', '```', '```sh', 'not $ a command', '```'].join('\n');
    const ex = examples(md);
    assert.deepEqual(ex.map((e) => [e.line, e.command, e.stdout, e.stderr]), [
      [3, 'a x', ['one', 'two'], null],
      [7, 'b', ['three'], ['err']],
    ]);
  });

  it('an elision stands for zero or more lines, at the start, in the middle and at the end', () => {
    assert.ok(matches(['a', 'b'], ['a', 'b']));
    assert.ok(!matches(['a', 'b'], ['a', 'b', 'c']));
    assert.ok(!matches(['a', 'b'], ['a']));
    assert.ok(matches(['a', '…'], ['a', 'b', 'c']));
    assert.ok(matches(['a', '  …'], ['a']));
    assert.ok(!matches(['a', '…'], ['b', 'a']));
    assert.ok(matches(['…', 'c'], ['a', 'b', 'c']));
    assert.ok(!matches(['…', 'c'], ['c', 'd']));
    assert.ok(matches(['a', '…', 'c', '…', 'e'], ['a', 'b', 'c', 'd', 'e']));
    assert.ok(matches(['a', '…', 'c', '…', 'e'], ['a', 'c', 'e']));
    assert.ok(!matches(['a', '…', 'c', '…', 'e'], ['a', 'b', 'd', 'e']));
    assert.ok(!matches(['a', '…', 'b', 'c'], ['a', 'b', 'c', 'x']));
    assert.ok(!matches(['a', '…', 'a'], ['a']));
  });
});
