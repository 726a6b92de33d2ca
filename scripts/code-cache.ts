/**
 * Makes V8's code cache for the bundle (dist/bundle/main.cjs.v8cache; scripts/bundle.ts runs
 * this in a process of its own after bundling). It loads the bundle the way
 * bin/tcpflow-explain.js does, without a cache, runs the CLI on fixtures in the commonest forms
 * (the walkthrough, --json, NDJSON with packets, a check), output discarded, then saves the
 * compiled code: the cache holds the bytecode of every function those runs compiled, which a
 * start then need not compile (bin/load-bundle.js).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { Script } from 'node:vm';

interface Loader {
  CODE_CACHE: string;
  codeCacheFile(data: Buffer): Buffer | null;
  loadBundle(o?: { useCache?: boolean }): {
    exports: { main(argv: string[], io: { stdout: Writable; stderr: Writable; stdin: Readable }): Promise<number> };
    script: Script;
  };
}

const ROOT = new URL('../../', import.meta.url);
const loader = (await import(new URL('bin/load-bundle.js', ROOT).href)) as Loader;
rmSync(loader.CODE_CACHE, { force: true });
const { exports, script } = loader.loadBundle({ useCache: false });

const fixture = (name: string): string => join(new URL('fixtures', ROOT).pathname, name, 'capture.pcap');
const runs = [
  [fixture('http-ipv4')],
  ['--json', fixture('tcp-loss')],
  ['--format', 'ndjson', '--packets', fixture('http-ipv4')],
  ['check', '--expect', 'handshake=three-way', fixture('tcp-four-way')],
];
for (const argv of runs) {
  let stderr = '';
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const err = new Writable({
    write: (c: Buffer, _e, cb) => {
      stderr += c.toString();
      cb();
    },
  });
  const code = await exports.main(argv, { stdout: sink, stderr: err, stdin: Readable.from([]) });
  if (code !== 0) {
    process.stderr.write(`code-cache: \`${argv.join(' ')}\` exited ${code}: ${stderr}\n`);
    process.exit(1);
  }
}
const data = script.createCachedData();
const file = loader.codeCacheFile(data);
if (file === null) {
  process.stderr.write(`no code cache: this Node (${process.version}) has no zlib.crc32 to check it with (20.15 and later have)\n`);
} else {
  writeFileSync(loader.CODE_CACHE, file);
  process.stderr.write(`code cache ${(data.length / 1024).toFixed(0)} KB after ${runs.length} runs\n`);
}
