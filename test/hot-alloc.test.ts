/**
 * The per-packet path allocates nothing once optimised. A double handed to a call that V8 does
 * not inline is boxed as a heap number where it is computed, and a double returned from one is
 * boxed where it is returned; whether V8 inlines a call depends on when the caller is compiled
 * and on how much of its inlining budget is left, so it changed from run to run:
 * - track() handed the packet's time to lingerOver() for every packet while closed connections
 *   waited to be released: 15 MB a million packets in three runs of four on the concurrent bench
 *   capture;
 * - writePacketRecord() called round9() on every record's time: 10-12 MB a million records in
 *   half the runs of bulk's NDJSON with packets (docs/performance.md, "2026-12-06 (morning)");
 * - begin() called secondsSince() for every packet's time, inlined so far, by the same budget;
 * - `--format packets` handed each line's time to PacketLines.packet() (since removed), and
 *   made the note of a payload cut by the snapshot length as a string (175 MB a million lines of
 *   bulk's, in every run).
 * In a child process with `--no-turbo-inlining` no call is inlined, so such a double is boxed in
 * every run: the test is deterministic. With `--no-concurrent-recompilation` a function is
 * optimised on the main thread when it becomes hot, at the same packet whatever else the machine
 * is doing, so the garbage of the packets before is the same in every run too. V8's sampling
 * heap profiler, with the objects that collections freed counted, says what each function
 * allocated; a function of the child's own that boxes a double a packet is the control that the
 * profile sees such garbage at all.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { optionsPcapParsed, writeBulkPcap, writeInterleavedPcap, writeOptionsPcap } from '../scripts/synth.js';
import { tempDir } from './helpers/tmp.js';

const SRC = join(import.meta.dirname, '..', 'src');
const url = (p: string): string => JSON.stringify(pathToFileURL(join(SRC, p)).href);

interface Allocated {
  /** The CLI's exit code. */
  code: number;
  /** Bytes allocated (sampled) by each function of the per-packet path, and by the control. */
  by: Record<string, number>;
  /**
   * Every function of the tool's own (dist/src) that allocated more than a byte a packet, as
   * `name file:line`: on a capture of few connections nothing of the tool's allocates per packet,
   * whatever its name (a helper that returns a double from 2^31 up boxes it in itself).
   */
  own: Record<string, number>;
}

/**
 * Functions that every packet runs, and whose own allocation must stay at about nothing (not the
 * tracker's packetAt(): with fewer than 2 048 open, as here, no packet goes through a batch); and
 * secondsSince(), which begin() no longer calls (a kept SYN's time is still computed by it): a
 * double returned from a call that is not inlined is boxed in the callee.
 */
const PER_PACKET = ['track', 'begin', 'secondsSince', 'packet', 'decodeBytes', 'decodeTcp'];
/**
 * The TCP options' parser, which every packet with options other than NOP NOP timestamps runs
 * (SYN options, SACK blocks: the capture of writeOptionsPcap, whose timestamps and edges are
 * uint32s from 2^31 up, doubles to V8), held to the bound per packet it parses.
 */
const PER_OPTIONS = ['parseOptions'];
/** Those that every packet record (`--packets`) runs, likewise; and round9(), once a connection's times here. */
const PER_RECORD = ['writePacketRecord', 'writeNdjsonPacketRecord', 'round9'];
/** Those that every line of `--format packets` runs (bulk's lines say their payload was cut by the snapshot length). */
const PER_LINE = ['line', 'secondsOf', 'address', 'padded', 'onPacket'];

/**
 * Runs the CLI (dist/src, not the bundle) on `argv` in a child with every call left a call, twice,
 * and returns what the per-packet functions allocated in the second run. The control runs once a packet beside it: a
 * second pass over the capture's packet count, in the same child, after the CLI.
 */
function allocated(argv: string[], packets: number): Allocated {
  const code = `
    import { Session } from 'node:inspector/promises';
    import { PassThrough, Readable } from 'node:stream';
    import { main } from ${url('cli/main.js')};
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.enable');
    const run = () => {
      const out = new PassThrough();
      out.resume();
      return main(${JSON.stringify(argv)}, { stdout: out, stderr: new PassThrough(), stdin: Readable.from([]) });
    };
    // the command once before the profile, so that what is measured is the code that runs once
    // optimised, not what the first packets allocate in the interpreter: the threshold below
    // allowed for that, but Node 22's V8 optimises later, and secondsOf()'s first packets came
    // to 4.5 bytes a packet over the 150 000 of the bulk capture
    const first = await run();
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true,
    });
    const exit = first === 0 ? await run() : first;
    const kept = new Float64Array(1);
    function keep(x) { kept[0] += x; }
    // the control: a double made here and handed to a call, once a packet
    function boxesADouble(i) { keep(i / 3); }
    for (let i = 1; i <= ${packets}; i++) boxesADouble(i);
    const { profile } = await session.post('HeapProfiler.stopSampling');
    const by = {};
    const ownBy = {};
    const walk = (n) => {
      const k = n.callFrame.functionName;
      by[k] = (by[k] ?? 0) + n.selfSize;
      const at = n.callFrame.url.indexOf(${JSON.stringify(pathToFileURL(SRC).href + '/')});
      if (at === 0) {
        const f = k + ' ' + n.callFrame.url.slice(${pathToFileURL(SRC).href.length + 1}) + ':' + (n.callFrame.lineNumber + 1);
        ownBy[f] = (ownBy[f] ?? 0) + n.selfSize;
      }
      for (const c of n.children) walk(c);
    };
    walk(profile.head);
    const wanted = {};
    for (const k of ${JSON.stringify([...PER_PACKET, ...PER_OPTIONS, ...PER_RECORD, ...PER_LINE, 'boxesADouble'])}) wanted[k] = by[k] ?? 0;
    const own = {};
    for (const [f, bytes] of Object.entries(ownBy)) if (bytes > ${packets}) own[f] = bytes;
    console.log(JSON.stringify({ code: exit, by: wanted, own }));
  `;
  const out = execFileSync(process.execPath, ['--no-turbo-inlining', '--no-concurrent-recompilation', '--input-type=module', '-e', code], { encoding: 'utf8' });
  return JSON.parse(out) as Allocated;
}

describe('allocation on the per-packet path', () => {
  const dir = tempDir('tcpflow-hot-alloc-');
  // 15 000 connections, 1 000 open at once: from the first closes on, closed connections always
  // wait in the release queue (a minute of linger against a capture of a few seconds)
  const interleaved = join(dir, 'interleaved.pcap');
  const interleavedPackets = writeInterleavedPcap(interleaved, { connections: 15_000, active: 1_000 });
  // one long connection: packet records of data segments (a short connection's records carry
  // notes, whose numbers go to the note writers as doubles: a few per connection, not measured
  // here), cut by a snapshot length as the bench's bulk capture is (their lines say so)
  const bulk = join(dir, 'bulk.pcap');
  const bulkPackets = writeBulkPcap(bulk, 150_000, { lossEvery: 5_000, snaplen: 96 });

  // 12 connections of 12 808 packets, each with the options a Linux host sends, 4 800 of them
  // with SACK blocks (1 to 3), every timestamp from 2^31 up; the parser reads the SYNs' options
  // and those with SACK blocks (the others are NOP NOP timestamps, decodeTcp's own path)
  const options = join(dir, 'options.pcap');
  const optionsPackets = writeOptionsPcap(options, 12, 800);
  const optionsParsed = optionsPcapParsed(12, 800);

  // `fewConnections`: every function of the tool's own is held to the bound, not only `names`;
  // `parsed`: the packets whose options go through parseOptions()
  const runs: [argv: string[], packets: number, names: string[], fewConnections: boolean, parsed: number][] = [
    [['check', '-e', 'handshake=three-way', '-e', 'zeek=SF', interleaved], interleavedPackets, PER_PACKET, false, 0],
    [['--format', 'ndjson', '--packets', options], optionsPackets, [...PER_PACKET, ...PER_OPTIONS, ...PER_RECORD], true, optionsParsed],
    [['--format', 'ndjson', '--packets', bulk], bulkPackets, [...PER_PACKET, ...PER_RECORD], true, 0],
    [['--format', 'packets', bulk], bulkPackets, [...PER_PACKET, ...PER_LINE], true, 0],
  ];
  for (const [argv, packets, names, fewConnections, parsed] of runs) {
    it(`${argv.join(' ').replace(dir + '/', '')}: no heap number a packet, even where nothing is inlined`, () => {
      const a = allocated(argv, packets);
      const perPacket = (name: string): number => (a.by[name] ?? 0) / (PER_OPTIONS.includes(name) ? parsed : packets);
      assert.equal(a.code, 0);
      // the control: a heap number a packet (16 bytes), sampled
      assert.ok(perPacket('boxesADouble') > 6, `the control allocated ${perPacket('boxesADouble').toFixed(1)} bytes a packet: the profile does not see per-packet garbage`);
      // with a double handed to a call or returned from one, 16 bytes a packet or more; without,
      // next to nothing (the command ran once before, above)
      for (const name of names) {
        assert.ok(perPacket(name) < 4, `${name}() allocated ${perPacket(name).toFixed(1)} bytes a packet`);
      }
      if (fewConnections) {
        for (const [f, bytes] of Object.entries(a.own)) assert.ok(bytes / packets < 4, `${f} allocated ${(bytes / packets).toFixed(1)} bytes a packet`);
      }
    });
  }
});
