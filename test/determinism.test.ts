/**
 * Determinism: the CLI run twice on every fixture (the damaged ones in fixtures/regress too) in
 * every format prints byte-identical output, exit code and stderr — nothing depends on time,
 * hash order, chunk timing or state left behind by an earlier run in the same process; and the
 * same bytes from stdin in any chunk size give the same document as the file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { REPO_ROOT } from './helpers/corpus.js';
import { runCli } from './helpers/cli.js';

const FORMATS: string[][] = [
  ['--format', 'text'],
  ['--format', 'text', '--lang', 'zh', '--verbose', '--diagram', '--absolute'],
  ['--json', '--packets'],
  ['--format', 'ndjson', '--packets'],
  ['--format', 'summary'],
  ['--format', 'mermaid'],
  ['--format', 'markdown'],
  ['--format', 'packets'],
];

function captures(): string[] {
  const fx = join(REPO_ROOT, 'fixtures');
  const out: string[] = [];
  for (const d of readdirSync(fx, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    // many-connections (1500 synthetic connections) costs seconds per run and adds nothing here
    for (const f of readdirSync(join(fx, d.name))) if (/\.(pcap|pcapng)(\.gz)?$/.test(f) && !f.startsWith('many-connections')) out.push(join(fx, d.name, f));
  }
  return out.sort();
}

describe('determinism', () => {
  const files = captures();
  it('there are fixtures to run', () => {
    assert.ok(files.length >= 38, `${files.length} captures`);
  });
  for (const args of FORMATS) {
    it(`${args.join(' ')}: two runs on every fixture print the same bytes`, async () => {
      for (const f of files) {
        const a = await runCli([...args, f]);
        const b = await runCli([...args, f]);
        const name = f.slice(REPO_ROOT.length + 1);
        assert.ok(a.stdout.length > 0, `${name}: no output`);
        assert.equal(b.code, a.code, `${name}: exit code`);
        assert.equal(b.stdout, a.stdout, `${name}: stdout differs between two runs`);
        assert.equal(b.stderr, a.stderr, `${name}: stderr differs between two runs`);
      }
    });
  }

  it('--json --packets from stdin in chunks of 7 and 4096 bytes equals the result from the file', async () => {
    for (const f of files) {
      const want = (await runCli(['--json', '--packets', f])).stdout.replace(JSON.stringify(f), '"-"');
      const bytes = readFileSync(f);
      for (const size of [7, 4096]) {
        const parts: Buffer[] = [];
        for (let o = 0; o < bytes.length; o += size) parts.push(bytes.subarray(o, o + size));
        const r = await runCli(['--json', '--packets', '-'], Readable.from(parts));
        assert.equal(r.stdout, want, `${f.slice(REPO_ROOT.length + 1)} in chunks of ${size}`);
      }
    }
  });
});
