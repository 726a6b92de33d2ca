/**
 * `npm run bench`: read + decode throughput and peak memory on deterministic synthetic
 * captures (a benchmark, not a test: it asserts nothing and never runs in `npm test`).
 *
 * Each measurement runs in a fresh child process so peak RSS belongs to that run alone; the
 * best of --repeat runs is reported. Two capture sizes show whether memory grows with the
 * capture (it must not: the reader streams). Results go to stdout and bench-results/bench.json.
 *
 *   npm run bench                       # 1M and 4M packets, 3 runs each
 *   npm run bench -- --sizes 1000000 --repeat 5
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { writeSyntheticPcap } from './synth.js';
import { runCapture } from '../src/pipeline.js';
import { Tracker } from '../src/analyze/tracker.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..', '..');

interface ChildResult { packets: number; tcpPackets: number; seconds: number; maxRssMB: number }

async function child(mode: string, file: string): Promise<void> {
  let n = 0;
  const counter = { packet: (): void => { n++; } };
  const tracker = mode === 'analyze' ? new Tracker(null) : mode === 'analyze-stream' ? new Tracker(null, { keepAll: false, lingerSeconds: 0 }) : null;
  if (mode !== 'decode' && tracker === null) throw new Error(`unknown mode ${mode}`);
  const t0 = performance.now();
  const s = await runCapture(file, tracker ?? counter);
  if (tracker) n = s.tcpPackets;
  const seconds = (performance.now() - t0) / 1000;
  const r: ChildResult = { packets: s.packets, tcpPackets: n, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(JSON.stringify(r));
}

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3], process.argv[4]);
    return;
  }
  const sizes = arg('--sizes', '1000000,4000000').split(',').map(Number);
  const repeat = Number(arg('--repeat', '3'));
  const dir = join(tmpdir(), 'tcpflow-explain-bench');
  mkdirSync(dir, { recursive: true });
  const rows: Record<string, unknown>[] = [];
  console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'})`);
  console.log('mode                   capture       packets      MB   best s   Mpkt/s   MB/s  peak RSS MB');
  for (const size of sizes) {
    const conns = Math.ceil(size / 10);
    const file = join(dir, `synth-${conns}conn.pcap`);
    if (!existsSync(file)) writeSyntheticPcap(file, { connections: conns });
    const mb = statSync(file).size / 1e6;
    for (const mode of ['decode', 'analyze', 'analyze-stream']) {
    let best: ChildResult | null = null;
    let peak = 0;
    for (let i = 0; i < repeat; i++) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, file], { encoding: 'utf8' });
      const r = JSON.parse(out) as ChildResult;
      if (best === null || r.seconds < best.seconds) best = r;
      peak = Math.max(peak, r.maxRssMB);
    }
    if (best === null) continue;
    const pps = best.packets / best.seconds;
    const label = { decode: 'read+decode', analyze: 'analysis (all kept)', 'analyze-stream': 'analysis (released)' }[mode] as string;
    console.log(
      `${label.padEnd(20)} ${String(conns).padStart(7)} conns ${String(best.packets).padStart(9)} ${mb.toFixed(0).padStart(7)} ${best.seconds.toFixed(3).padStart(8)} ${(pps / 1e6).toFixed(2).padStart(8)} ${(mb / best.seconds).toFixed(0).padStart(6)} ${peak.toFixed(0).padStart(12)}`,
    );
    rows.push({ mode: label, file: `synth-${conns}conn.pcap`, packets: best.packets, tcpPackets: best.tcpPackets, bytes: Math.round(mb * 1e6), seconds: best.seconds, packetsPerSecond: Math.round(pps), peakRssMB: Math.round(peak) });
    }
  }
  const outDir = join(ROOT, 'bench-results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'bench.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: cpus().length, results: rows }, null, 2) + '\n');
  console.log(`results written to ${join('bench-results', 'bench.json')}`);
}

void main();
