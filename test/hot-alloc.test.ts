/**
 * The tracker's per-packet path allocates nothing once optimised. A double handed to a call that
 * V8 does not inline is boxed as a heap number where it is computed: `track()` passed the
 * packet's time to `lingerOver()` for every packet while closed connections waited to be
 * released, and whether V8 inlined `lingerOver()` there depended on when `track()` was compiled
 * (three runs in four on the concurrent bench capture boxed it: 15 MB a million packets;
 * docs/performance.md, "2026-12-06 (morning)"). In a child process with `--no-turbo-inlining`
 * no call is inlined, so a time handed to a call is boxed in every run: the test is
 * deterministic; and with `--no-concurrent-recompilation` functions are optimised on the main
 * thread when they become hot, at the same packet whatever else the machine is doing, so the
 * garbage of the packets before is the same in every run too. V8's sampling heap profiler, with the objects that collections freed counted
 * too, says what each function allocated; a function of the child's own that boxes a double a
 * packet is the control that the profile sees such garbage at all.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { writeInterleavedPcap } from '../scripts/synth.js';
import { tempDir } from './helpers/tmp.js';

const SRC = join(import.meta.dirname, '..', 'src');
const url = (p: string): string => JSON.stringify(pathToFileURL(join(SRC, p)).href);

interface Allocated {
  packets: number;
  track: number;
  control: number;
}

/** The bytes `track` and the control allocated over `file`, every call left a call. */
function allocated(file: string): Allocated {
  const code = `
    import { Session } from 'node:inspector/promises';
    import { Tracker } from ${url('analyze/tracker.js')};
    import { runCapture } from ${url('pipeline.js')};
    import { LINGER_SECONDS } from ${url('cli/explain.js')};
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true,
    });
    // the explain command's tracker: closed connections wait LINGER_SECONDS before their release
    const t = new Tracker(null, { keepAll: false, lingerSeconds: LINGER_SECONDS, reuseConnections: true });
    const kept = new Float64Array(1);
    function keep(x) { kept[0] += x; }
    // the control: a double made here and handed to a call, once a packet
    function boxesADouble(i) { keep(i / 3); }
    let packets = 0;
    await runCapture(${JSON.stringify(file)}, {
      start(s, ns) { t.start(s, ns); },
      packet(f, p) { t.packet(f, p); packets++; boxesADouble(packets); },
      finish() { t.finish(); },
    });
    const { profile } = await session.post('HeapProfiler.stopSampling');
    const by = new Map();
    const walk = (n) => {
      by.set(n.callFrame.functionName, (by.get(n.callFrame.functionName) ?? 0) + n.selfSize);
      for (const c of n.children) walk(c);
    };
    walk(profile.head);
    console.log(JSON.stringify({ packets, track: by.get('track') ?? 0, control: by.get('boxesADouble') ?? 0 }));
  `;
  const out = execFileSync(process.execPath, ['--no-turbo-inlining', '--no-concurrent-recompilation', '--input-type=module', '-e', code], { encoding: 'utf8' });
  return JSON.parse(out) as Allocated;
}

describe('allocation on the per-packet path', () => {
  it('track() boxes no time while connections wait to be released, even where nothing is inlined', () => {
    const file = join(tempDir('tcpflow-hot-alloc-'), 'interleaved.pcap');
    // 15 000 connections, 1 000 open at once: from the first closes on, closed connections
    // always wait in the release queue (60 s of linger against a capture of a few seconds)
    const packets = writeInterleavedPcap(file, { connections: 15_000, active: 1_000 });
    const a = allocated(file);
    assert.equal(a.packets, packets);
    // the control: a heap number a packet (16 bytes), sampled
    assert.ok(a.control / a.packets > 6, `the control allocated ${(a.control / a.packets).toFixed(1)} bytes a packet: the profile does not see per-packet garbage`);
    // with the time handed to lingerOver(), 16 bytes a packet; without, what the first
    // packets allocate before track() is optimised (about 1 byte a packet here)
    assert.ok(a.track / a.packets < 4, `track() allocated ${(a.track / a.packets).toFixed(1)} bytes a packet`);
  });
});
