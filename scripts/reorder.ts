/**
 * Developer tool: the same packets in another order, to measure what interleaving costs.
 *   node dist/scripts/reorder.js IN OUT.pcap (--keep | --grouped | --round-robin K)
 *
 * --keep         the capture's order
 * --grouped      each connection's packets in one run, connections in order of their first packet
 * --round-robin  K connections at a time, one packet of each in turn (every packet switches
 *                connection); a connection that ends makes room for the next
 *
 * Every mode gives the frames timestamps 1 µs apart, so the three differ only in order (the
 * tracker's linger and timeouts see the same times). IN is read as the CLI reads it (pcap or
 * pcapng, gzip or not: src/pipeline.ts); only its TCP frames are written, each as captured, to a
 * classic µs pcap of their link type (test/helpers/capfile.ts). A connection is the 4-tuple, by
 * the connection table's two symmetric hashes. The whole capture is held in memory: for captures
 * of tens of MB, as docs/performance.md uses it (real4: grouped, kept and round-robin 2 ... 4096).
 */
import { writeFileSync } from 'node:fs';
import { runCapture, type PacketSink } from '../src/pipeline.js';
import { SourceError } from '../src/capture/source.js';
import { ConnectionTable } from '../src/flow/table.js';
import type { Frame } from '../src/capture/frame.js';
import type { Packet } from '../src/decode/packet.js';
import { pcapFile, type PcapRecord } from '../test/helpers/capfile.js';

function usage(msg: string): never {
  process.stderr.write(`reorder: ${msg}\nusage: node dist/scripts/reorder.js IN OUT.pcap (--keep | --grouped | --round-robin K)\n`);
  process.exit(2);
}

interface Copy {
  data: Uint8Array;
  origLen: number;
}

/** Each TCP frame, copied (the reader's buffers are reused), in file order and by 4-tuple. */
class Collect implements PacketSink {
  readonly all: Copy[] = [];
  readonly groups = new Map<string, Copy[]>();
  linkType = -1;

  packet(f: Frame, p: Packet): void {
    if (this.linkType < 0) this.linkType = f.linkType;
    else if (f.linkType !== this.linkType) usage(`frame ${f.number}: link type ${f.linkType} after ${this.linkType} (a pcap file has one)`);
    const copy = { data: f.buf.slice(f.dataOffset, f.dataOffset + f.capLen), origLen: f.origLen };
    const key = `${ConnectionTable.hashOf(p)}:${ConnectionTable.hash2Of(p)}`;
    let g = this.groups.get(key);
    if (g === undefined) {
      g = [];
      this.groups.set(key, g);
    }
    g.push(copy);
    this.all.push(copy);
  }
}

/** K groups at a time, one frame of each in turn; a group that ends gives its place to the next. */
function roundRobin(groups: Copy[][], k: number): Copy[] {
  const order: Copy[] = [];
  const active: { frames: Copy[]; at: number }[] = [];
  let next = 0;
  while (next < groups.length || active.length > 0) {
    while (active.length < k && next < groups.length) active.push({ frames: groups[next++]!, at: 0 });
    for (let i = 0; i < active.length; i++) {
      const s = active[i]!;
      order.push(s.frames[s.at++]!);
      if (s.at === s.frames.length) active.splice(i--, 1);
    }
  }
  return order;
}

async function main(argv: string[]): Promise<void> {
  const [inPath, outPath, mode, kArg] = argv;
  if (!inPath || !outPath || !mode) usage('missing arguments');
  if (mode !== '--keep' && mode !== '--grouped' && mode !== '--round-robin') usage(`unknown mode ${mode}`);
  const k = mode === '--round-robin' ? Number(kArg) : 0;
  if (mode === '--round-robin' && !(Number.isInteger(k) && k >= 1)) usage('--round-robin needs a whole number of connections >= 1');

  const c = new Collect();
  const summary = await runCapture(inPath, c).catch((e: unknown) => usage(e instanceof SourceError ? e.message : String(e)));
  if (summary.error) usage(`${inPath}: ${summary.error.message} (offset ${summary.error.offset})`);
  const order = mode === '--keep' ? c.all : mode === '--grouped' ? [...c.groups.values()].flat() : roundRobin([...c.groups.values()], k);

  const T0 = 1_800_000_000;
  const records: PcapRecord[] = order.map((f, i) => ({ sec: T0 + Math.floor(i / 1e6), frac: i % 1e6, data: f.data, origLen: f.origLen }));
  writeFileSync(outPath, pcapFile({ byteOrder: 'le', linkType: c.linkType < 0 ? 1 : c.linkType, records }));
  process.stderr.write(`reorder: ${order.length} TCP frames, ${c.groups.size} connections, ${mode.slice(2)}${k ? ` ${k}` : ''} -> ${outPath}\n`);
}

await main(process.argv.slice(2));
