/**
 * The walkthrough keeps what is the same from one connection to the next (the headings, the
 * header's kinds line, the agreed line, the steps' labels, the messages' pieces): one Walkthrough
 * that has written every connection of every fixture before writes each the same bytes as a new
 * Walkthrough that writes only it, in both languages, with and without colour, --verbose and
 * --absolute.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Chalk } from 'chalk';
import { fixtureCaptures } from './helpers/release.js';
import { runCapture } from '../src/pipeline.js';
import { Tracker } from '../src/analyze/tracker.js';
import { PacketCollector } from '../src/render/json.js';
import { Walkthrough, type WalkthroughOptions } from '../src/render/walkthrough.js';
import { ByteWriter } from '../src/util/bytes.js';
import type { Lang } from '../src/i18n/messages.js';
import { clientFlow, serverFlow, F_SYN_SACK_PERMITTED, F_SYN_SEEN, F_SYN_TIMESTAMPS, flowFlag, type Connection, type Flow } from '../src/analyze/connection.js';
import { NO_RECORDS, type PacketRecords } from '../src/render/records.js';

/**
 * Each input of the `agreed` line changed alone in turn (an MSS, a window scale, a SYN's SACK
 * or timestamps flag, for either side), written by the shared Walkthrough and by a new one, then
 * put back.
 */
function perturbed(c: Connection, packets: PacketRecords, shared: Walkthrough, o: WalkthroughOptions, w: ByteWriter, fresh: ByteWriter, what: string): number {
  let n = 0;
  const same = (how: string): void => {
    w.pos = 0;
    shared.write(w, c, packets);
    fresh.pos = 0;
    new Walkthrough(o).write(fresh, c, packets);
    assert.equal(w.buf.subarray(0, w.pos).toString(), fresh.buf.subarray(0, fresh.pos).toString(), `${what}: ${how}`);
    n++;
  };
  // each change right after the connection as it is, so that it is the only input that differs
  for (const [side, f] of [['client', clientFlow(c)], ['server', serverFlow(c)]] as [string, Flow][]) {
    const mss = f.synMss;
    const ws = f.synWscale;
    const bits = f.bits;
    same('as it is');
    f.synMss = mss >= 0 ? -1 : 1460;
    same(`${side} MSS ${f.synMss}`);
    f.synMss = mss;
    same('as it is');
    f.synWscale = ws === 7 ? 8 : 7;
    same(`${side} window scale ${f.synWscale}`);
    f.synWscale = ws;
    same('as it is');
    f.bits = bits ^ F_SYN_SACK_PERMITTED;
    same(`${side} SACK flipped`);
    f.bits = bits;
    same('as it is');
    f.bits = bits ^ F_SYN_TIMESTAMPS;
    same(`${side} timestamps flipped`);
    f.bits = bits;
  }
  return n;
}

const VARIANTS: { lang: Lang; level: 0 | 3; verbose: boolean; absolute: boolean }[] = [
  { lang: 'en', level: 0, verbose: false, absolute: false },
  { lang: 'zh', level: 3, verbose: true, absolute: true },
  { lang: 'en', level: 3, verbose: true, absolute: false },
  { lang: 'zh', level: 0, verbose: false, absolute: true },
];

describe('walkthrough: one writer for the captures of a run', () => {
  it('runs in one process with other options in turn, each the bytes of a process of its own (the writer kept by its options)', async () => {
    const { runCli } = await import('./helpers/cli.js');
    const { spawnSync } = await import('node:child_process');
    const { join } = await import('node:path');
    const { REPO_ROOT } = await import('./helpers/corpus.js');
    const bin = join(REPO_ROOT, 'bin', 'tcpflow-explain.js');
    const f = join(REPO_ROOT, 'fixtures', 'tcp-loss', 'capture.pcap');
    const g = join(REPO_ROOT, 'fixtures', 'tcp-four-way', 'capture.pcap');
    // one part of the kept writer's key changed from each run to the next (only the last writer
    // is kept): the language, raw numbers first, every packet, the diagram, colour (FORCE_COLOR,
    // read at each run); then all of them back
    const zh = ['--lang', 'zh'];
    const runs: [args: string[], colour: boolean][] = [
      [[f, g], false],
      [[...zh, f, g], false],
      [[...zh, '--absolute', f, g], false],
      [[...zh, '--absolute', '--verbose', f, g], false],
      [[...zh, '--absolute', '--verbose', '--diagram', f, g], false],
      [[...zh, '--absolute', '--verbose', '--diagram', f, g], true],
      [[f, g], false],
    ];
    const saved = process.env.FORCE_COLOR;
    try {
      for (const [args, colour] of runs) {
        if (colour) process.env.FORCE_COLOR = '3';
        else delete process.env.FORCE_COLOR;
        const here = await runCli(args);
        const env = { ...process.env };
        const alone = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env });
        assert.equal(here.code, alone.status);
        assert.equal(here.stdout, alone.stdout, `${args.join(' ')}${colour ? ' (colour)' : ''}`);
        if (colour) assert.ok(here.stdout.includes('\u001b['), 'coloured');
      }
    } finally {
      if (saved === undefined) delete process.env.FORCE_COLOR;
      else process.env.FORCE_COLOR = saved;
    }
  });
});

describe('walkthrough: what it keeps between connections', () => {
  it('every fixture connection written after all the others: the bytes of a new Walkthrough', async () => {
    const options = VARIANTS.map((v): WalkthroughOptions => ({
      lang: v.lang, absolute: v.absolute, verbose: v.verbose, chalk: new Chalk({ level: v.level }), diagram: false, width: 100,
    }));
    const shared = options.map((o) => new Walkthrough(o));
    const w = new ByteWriter(1 << 16);
    const fresh = new ByteWriter(1 << 16);
    let connections = 0;
    let perturbations = 0;
    const kinds = new Set<string>();
    for (const file of fixtureCaptures()) {
      const collector = new PacketCollector();
      const tracker = new Tracker({
        onPacket: (c, r, f, p) => collector.onPacket(c, r, f, p),
        onFinal: (c) => {
          collector.onFinal(c);
          const packets = collector.byConnection.get(c) ?? NO_RECORDS;
          for (let i = 0; i < options.length; i++) {
            w.pos = 0;
            shared[i]!.write(w, c, packets);
            fresh.pos = 0;
            new Walkthrough(options[i]!).write(fresh, c, packets);
            assert.equal(w.buf.subarray(0, w.pos).toString(), fresh.buf.subarray(0, fresh.pos).toString(), `${file} #${c.id} variant ${i}`);
            if (i === 0) kinds.add(w.buf.subarray(0, w.pos).toString().split('\n')[2]!.replace(/ · Zeek .*/, ''));
          }
          if (flowFlag(clientFlow(c), F_SYN_SEEN) && flowFlag(serverFlow(c), F_SYN_SEEN)) {
            perturbations += perturbed(c, packets, shared[0]!, options[0]!, w, fresh, `${file} #${c.id}`);
          }
          collector.recycle(c);
          connections++;
        },
      });
      await runCapture(file, tracker);
    }
    assert.ok(connections > 50, `${connections} connections`);
    assert.ok(perturbations > 100, `${perturbations} agreed lines changed`);
    // the shared instance met many kinds of connection, one after the other
    assert.ok(kinds.size >= 8, `${kinds.size} different kinds lines: ${[...kinds].join(' | ')}`);
  });
});
