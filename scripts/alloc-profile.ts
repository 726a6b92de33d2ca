/**
 * Developer tool: where a run allocates, garbage included. Runs the CLI in-process (the bundle,
 * as bin/tcpflow-explain.js does) under V8's sampling heap profiler with the objects that minor
 * and major collections freed counted too (a per-packet allocation is garbage by the next
 * scavenge, and `node --heap-prof` shows only what survives), then prints the functions that
 * allocated most. Output of the CLI itself is discarded.
 *   node dist/scripts/alloc-profile.js [--top N] -- <tcpflow-explain arguments…>
 * e.g. node dist/scripts/alloc-profile.js -- bench-cache/bulk10m.pcap --json
 * A hot path that allocates per packet shows as megabytes per million packets.
 */
import { Session } from 'node:inspector/promises';
import { PassThrough, Readable } from 'node:stream';
import type * as Cli from '../src/cli/main.js';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: ProfileNode[];
}

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash >= 0 ? argv.slice(0, dash) : [];
const cliArgs = dash >= 0 ? argv.slice(dash + 1) : argv;
const topAt = own.indexOf('--top');
const top = topAt >= 0 ? Number(own[topAt + 1]) : 15;
if (cliArgs.length === 0) {
  process.stderr.write('usage: node dist/scripts/alloc-profile.js [--top N] -- <tcpflow-explain arguments…>\n');
  process.exit(2);
}

const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 1024,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
// the bundle, loaded as bin/tcpflow-explain.js loads it (dist/scripts/ -> bin/load-bundle.js)
const loader = (await import(new URL('../../bin/load-bundle.js', import.meta.url).href)) as { loadBundle(): { exports: typeof Cli } };
const { main } = loader.loadBundle().exports;
const sink = new PassThrough();
sink.resume();
const code = await main(cliArgs, { stdout: sink, stderr: new PassThrough(), stdin: Readable.from([]) });
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
session.disconnect();

const bytes = new Map<string, number>();
const walk = (n: ProfileNode): void => {
  const f = n.callFrame;
  const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;
  if (n.selfSize > 0) bytes.set(name, (bytes.get(name) ?? 0) + n.selfSize);
  for (const c of n.children ?? []) walk(c);
};
walk(profile.head);
let total = 0;
for (const v of bytes.values()) total += v;
const mb = (v: number): string => (v / 2 ** 20).toFixed(2).padStart(9);
console.log(`exit ${code}; ${mb(total).trim()} MB allocated (sampled), garbage included`);
for (const [name, v] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${mb(v)} MB  ${name}`);
