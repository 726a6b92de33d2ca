/**
 * Code spans and table text for names that are not ours (src/render/markdown-text.ts): read
 * back by CommonMark's rules for code spans (and GitHub's for `|` in a table cell), every string
 * shows as itself; and the reports use them for file names and expectations.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { codeSpan, tableText } from '../src/render/markdown-text.js';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { tempDir } from './helpers/tmp.js';

/**
 * The text a code span shows, read as CommonMark 0.30 §6.1 reads one that starts at the
 * beginning of `md` and ends at its end (GitHub first takes `\|` out of a table cell as `|`).
 */
function shown(md: string, inTable: boolean): string {
  const s = inTable ? md.replace(/\\\|/g, '|') : md;
  const open = /^`+/.exec(s)?.[0] ?? '';
  assert.ok(open.length > 0, `starts with a fence: ${md}`);
  assert.ok(s.endsWith(open) && s.length >= 2 * open.length, `ends with the same fence: ${md}`);
  let inner = s.slice(open.length, s.length - open.length);
  // no run of exactly the fence's length inside (it would close the span early)
  for (const m of inner.matchAll(/`+/g)) assert.notEqual(m[0].length, open.length, `a run of the fence's length inside: ${md}`);
  assert.ok(!inner.startsWith('`') && !inner.endsWith('`'), `a backtick next to the fence joins it: ${md}`);
  inner = inner.replace(/\n/g, ' ');
  if (inner.startsWith(' ') && inner.endsWith(' ') && inner.trim() !== '') inner = inner.slice(1, -1);
  return inner;
}

describe('codeSpan', () => {
  it('shows any text as itself (line breaks as spaces), in a heading and in a table cell', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('`', ' ', '|', 'a', '网', '\\', '\n', '*') }), (s) => {
      const want = s.replace(/\r\n|\r|\n/g, ' ');
      if (want === '') return codeSpan(s) === '' && codeSpan(s, true) === '';
      assert.equal(shown(codeSpan(s), false), want);
      const cell = codeSpan(s, true);
      assert.ok(!/(^|[^\\])\|/.test(cell), `no bare | in a table cell: ${cell}`);
      assert.equal(shown(cell, true), want);
      return true;
    }), { numRuns: 3000 });
  });

  it('leaves ordinary names as they were', () => {
    assert.equal(codeSpan('capture.pcap'), '`capture.pcap`');
    assert.equal(codeSpan('192.0.2.1:40015 → 192.0.2.2:5015', true), '`192.0.2.1:40015 → 192.0.2.2:5015`');
    assert.equal(codeSpan('a`b'), '``a`b``');
    assert.equal(codeSpan('`x'), '`` `x ``');
    assert.equal(codeSpan('a|b'), '`a|b`');
    assert.equal(codeSpan('a|b', true), '`a\\|b`');
  });
});

describe('tableText', () => {
  it('escapes what Markdown would read in a cell, and nothing else', () => {
    assert.equal(tableText('web — 网页'), 'web — 网页');
    assert.equal(tableText('a|b *c* _d_ <e> [f] `g` ~h~ \\i\nj'), 'a\\|b \\*c\\* \\_d\\_ \\<e\\> \\[f\\] \\`g\\` \\~h\\~ \\\\i j');
  });
});

describe('the Markdown reports with a file name that has a backtick and a pipe', () => {
  const name = join(tempDir('tcpflow-md-'), 'a|b`c.pcap');
  copyFileSync(join(REPO_ROOT, 'fixtures', 'tcp-loss', 'capture.pcap'), name);

  it('explain --format markdown: the heading shows the name', async () => {
    const r = await runCli(['--format', 'markdown', name]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n')[0], `## tcpflow-explain: ${codeSpan(name)}`);
    assert.equal(shown(codeSpan(name), false), name);
  });

  it('check --markdown: the capture heading shows the name', async () => {
    const r = await runCli(['check', '--expect', 'handshake=three-way', '--markdown', '-', name]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`\n### ${codeSpan(name)}\n`), r.stdout);
  });
});
