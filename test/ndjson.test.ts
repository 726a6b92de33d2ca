/**
 * --format ndjson carries exactly what --json --packets carries: for every fixture, the
 * connection lines (in finalisation order) and packet lines equal the JSON document's
 * connections and packets, and the document rebuilt from the lines validates against the schema.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/corpus.js';

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema', 'tcpflow-explain.schema.json'), 'utf8')) as object);

type Rec = Record<string, unknown>;

function captures(): string[] {
  const fx = join(REPO_ROOT, 'fixtures');
  const out: string[] = [];
  for (const d of readdirSync(fx, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    for (const f of readdirSync(join(fx, d.name))) if (/\.(pcap|pcapng)(\.gz)?$/.test(f)) out.push(join(fx, d.name, f));
  }
  return out.sort();
}

describe('ndjson', () => {
  it('equals --json --packets on every fixture, and validates', async () => {
    for (const f of captures()) {
      const nd = await runCli(['--format', 'ndjson', '--packets', f]);
      const js = await runCli(['--json', '--packets', f]);
      assert.equal(nd.code, 0, f);
      const lines = nd.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Rec);
      const last = lines[lines.length - 1];
      assert.equal(last.type, 'capture', f);
      const doc = JSON.parse(js.stdout) as { schemaVersion: number; tool: unknown; capture: Rec; connections: Rec[] };
      const conns = lines.filter((l) => l.type === 'connection').map(({ type: _t, ...rest }) => rest).sort((a, b) => (a.id as number) - (b.id as number));
      // a packet line belongs to the record of its connection id whose frames it lies within
      // (a continuation is a second record of an id, after the first: tcp-continuation)
      const rebuilt = conns.map((c): Rec & { packets: Rec[] } => ({ ...c, packets: [] }));
      for (const l of lines.filter((x) => x.type === 'packet')) {
        const { type: _t, connection, ...rest } = l;
        const rec = rebuilt.find((c) => c.id === connection && (c.firstFrame as number) <= (rest.frame as number) && (rest.frame as number) <= (c.lastFrame as number));
        assert.ok(rec, `${f}: frame ${rest.frame as number}`);
        rec.packets.push(rest);
      }
      assert.deepEqual(rebuilt, doc.connections, f);
      const { type: _t, schemaVersion, tool, ...capture } = last;
      assert.deepEqual({ schemaVersion, tool, capture }, { schemaVersion: doc.schemaVersion, tool: doc.tool, capture: doc.capture }, f);
      assert.ok(validate({ schemaVersion, tool, capture, connections: rebuilt }), `${f}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it('without --packets: connection and capture lines only', async () => {
    const r = await runCli(['--format', 'ndjson', join(REPO_ROOT, 'fixtures', 'tcp-port-reuse', 'capture.pcap')]);
    const types = r.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as Rec).type);
    assert.deepEqual(types, ['connection', 'connection', 'connection', 'capture']);
  });
});
