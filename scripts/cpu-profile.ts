/**
 * Developer tool: reads the profiles `node --cpu-prof` writes and prints where the time went.
 * Self time per function (the bundle's function names and lines), over every profile given, so
 * that several runs of one command add up; with `--incl a,b,c` also the time spent inside each
 * of those functions, their callees included (say `packet`, `writeRecord`: what share the
 * tracking and the JSON records take; functions are matched by name, so two of one name, as
 * the pipeline's and the spool's `drain`, count together).
 *   node --cpu-prof --cpu-prof-dir=/tmp/p --cpu-prof-interval 250 bin/tcpflow-explain.js --json X.pcap >/dev/null
 *   node dist/scripts/cpu-profile.js [--top N] [--incl fn,fn] /tmp/p
 * Sampling attributes a cache miss to the instruction after it, often in another function, and
 * inlined functions to their caller: check a lead it gives with interleaved runs of two builds
 * (docs/performance.md, "Measuring").
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const USAGE = 'usage: node dist/scripts/cpu-profile.js [--top N] [--incl fn,fn] <profile files or directories>\n';
const argv = process.argv.slice(2);
let top = 30;
let incl: string[] = [];
const inputs: string[] = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--top') top = Number(argv[++i]);
  else if (argv[i] === '--incl') incl = (argv[++i] ?? '').split(',').filter((s) => s !== '');
  else if (argv[i] === '--help' || argv[i] === '-h') {
    process.stdout.write(USAGE);
    process.exit(0);
  } else inputs.push(argv[i]);
}
const files: string[] = [];
for (const p of inputs) {
  let dir: boolean;
  try {
    dir = statSync(p).isDirectory();
  } catch (e) {
    process.stderr.write(`cpu-profile: ${p}: ${(e as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (dir) files.push(...readdirSync(p).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(p, f)));
  else files.push(p);
}
if (files.length === 0 || !Number.isFinite(top)) {
  process.stderr.write(USAGE);
  process.exit(2);
}

const self = new Map<string, number>();
const inside = new Map<string, number>(incl.map((f) => [f, 0]));
let total = 0;
for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const cf = byId.get(p.samples[i])!.callFrame;
    // line and column: the bundle is minified to a few long lines (scripts/bundle.ts)
    const key = `${cf.functionName || '(anonymous)'}${cf.url === '' ? '' : ` ${cf.url.split('/').pop() ?? ''}:${cf.lineNumber + 1}:${cf.columnNumber + 1}`}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    if (incl.length === 0) continue;
    const seen = new Set<string>();
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const name = byId.get(id)!.callFrame.functionName;
      if (inside.has(name) && !seen.has(name)) {
        seen.add(name);
        inside.set(name, inside.get(name)! + dt);
      }
    }
  }
}
const ms = (us: number): string => (us / 1000).toFixed(1).padStart(9);
const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
process.stdout.write(`${files.length} profile(s), ${(total / 1000).toFixed(0)} ms sampled\nself time:\n`);
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${ms(us)} ms ${pct(us)}  ${k}\n`);
if (incl.length > 0) {
  process.stdout.write('inside (callees included):\n');
  for (const [k, us] of inside) process.stdout.write(`${ms(us)} ms ${pct(us)}  ${k}\n`);
}
