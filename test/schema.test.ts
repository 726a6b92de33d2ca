/** Every JSON document the CLI prints validates against schema/tcpflow-explain.schema.json. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT, corpusAvailable, corpusEntries } from './helpers/corpus.js';

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'tcpflow-explain.schema.json'), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

function captures(): string[] {
  const out: string[] = [];
  const fx = join(REPO_ROOT, 'fixtures');
  for (const d of readdirSync(fx, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    for (const f of readdirSync(join(fx, d.name))) if (/\.(pcap|pcapng)(\.gz)?$/.test(f)) out.push(join(fx, d.name, f));
  }
  return out.sort();
}

describe('JSON schema', () => {
  it('fixtures: --json and --json --packets validate', async () => {
    for (const f of captures()) {
      for (const args of [['--json'], ['--json', '--packets']]) {
        const r = await runCli([...args, f]);
        assert.equal(r.code, 0, f);
        const doc = JSON.parse(r.stdout) as unknown;
        assert.ok(validate(doc), `${f} ${args.join(' ')}: ${JSON.stringify(validate.errors)}`);
      }
    }
  });

  it('"analysisAfresh" validates on a continuation only', async () => {
    const r = await runCli(['--json', join(REPO_ROOT, 'fixtures', 'tcp-continuation', 'capture.pcap')]);
    const doc = JSON.parse(r.stdout) as { connections: Record<string, unknown>[] };
    assert.equal(doc.connections[1]!.continuation, true);
    doc.connections[1]!.analysisAfresh = true;
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    doc.connections[0]!.analysisAfresh = true;
    assert.equal(validate(doc), false);
  });

  it('-c: frameLimit and stoppedAtLimit validate, a limit of 0 does not', async () => {
    const r = await runCli(['--json', '-c', '3', join(REPO_ROOT, 'fixtures', 'tcp-four-way', 'capture.pcap')]);
    const doc = JSON.parse(r.stdout) as { capture: Record<string, unknown> };
    assert.deepEqual([doc.capture.frameLimit, doc.capture.stoppedAtLimit], [3, true]);
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    doc.capture.frameLimit = 0;
    assert.equal(validate(doc), false);
  });

  it('the schema rejects a document that breaks the contract', () => {
    const bad = { schemaVersion: 1, tool: { name: 'tcpflow-explain', version: '0' }, capture: {}, connections: [{ id: -1 }] };
    assert.equal(validate(bad), false);
  });

  it('corpus: --json --packets validates on every capture', { skip: corpusAvailable() ? false : 'no corpus' }, async () => {
    let n = 0;
    for (const e of corpusEntries()) {
      const r = await runCli(['--json', '--packets', e.abs]);
      if (r.stdout === '') continue; // unreadable input: nothing printed, exit 2
      const doc = JSON.parse(r.stdout) as unknown;
      assert.ok(validate(doc), `${e.path}: ${JSON.stringify(validate.errors)}`);
      n++;
    }
    assert.ok(n > 300);
  });
});
