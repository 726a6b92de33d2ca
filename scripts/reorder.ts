/**
 * Developer tool: the same packets in another order, to measure what interleaving costs.
 *   node dist/scripts/reorder.js IN.pcap OUT.pcap (--keep | --grouped | --round-robin K)
 *
 * --keep         the capture's order
 * --grouped      each connection's packets in one run, connections in order of their first packet
 * --round-robin  K connections at a time, one packet of each in turn (every packet switches
 *                connection); a connection that ends makes room for the next
 *
 * Every mode gives the frames timestamps 1 µs apart, so the three differ only in order (the
 * tracker's linger and timeouts see the same times). A connection is the unordered 4-tuple; frames
 * that are not TCP over IPv4 or IPv6 keep their place in one group of their own. Reads classic
 * pcap (either byte order, µs or ns) with Ethernet (VLAN tags skipped) or raw IP; writes µs pcap
 * with the same link type. The whole capture is held in memory: for captures of tens of MB, as
 * docs/performance.md uses it (real4: grouped, kept and round-robin 2 ... 4096).
 */
import { readFileSync, writeFileSync } from 'node:fs';

const LINK_ETHERNET = 1;
const LINK_RAW = 101;

function usage(msg: string): never {
  process.stderr.write(`reorder: ${msg}\nusage: node dist/scripts/reorder.js IN.pcap OUT.pcap (--keep | --grouped | --round-robin K)\n`);
  process.exit(2);
}

/** The unordered 4-tuple of a TCP frame as a string, '' when the frame is not TCP over IP. */
function tupleKey(d: Buffer, link: number): string {
  let ip = 0;
  if (link === LINK_ETHERNET) {
    if (d.length < 14) return '';
    let type = d.readUInt16BE(12);
    ip = 14;
    while ((type === 0x8100 || type === 0x88a8) && d.length >= ip + 4) {
      type = d.readUInt16BE(ip + 2);
      ip += 4;
    }
    if (type !== 0x0800 && type !== 0x86dd) return '';
  }
  if (d.length < ip + 1) return '';
  const v = d[ip]! >> 4;
  let src: string;
  let dst: string;
  let tcp: number;
  if (v === 4) {
    if (d.length < ip + 20 || d[ip + 9] !== 6) return '';
    tcp = ip + (d[ip]! & 15) * 4;
    src = d.subarray(ip + 12, ip + 16).toString('hex');
    dst = d.subarray(ip + 16, ip + 20).toString('hex');
  } else if (v === 6) {
    if (d.length < ip + 40 || d[ip + 6] !== 6) return '';
    tcp = ip + 40;
    src = d.subarray(ip + 8, ip + 24).toString('hex');
    dst = d.subarray(ip + 24, ip + 40).toString('hex');
  } else return '';
  if (d.length < tcp + 4) return '';
  const a = `${src}:${d.readUInt16BE(tcp)}`;
  const b = `${dst}:${d.readUInt16BE(tcp + 2)}`;
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}

function main(argv: string[]): void {
  const [inPath, outPath, mode, kArg] = argv;
  if (!inPath || !outPath || !mode) usage('missing arguments');
  if (mode !== '--keep' && mode !== '--grouped' && mode !== '--round-robin') usage(`unknown mode ${mode}`);
  const k = mode === '--round-robin' ? Number(kArg) : 0;
  if (mode === '--round-robin' && !(Number.isInteger(k) && k >= 1)) usage('--round-robin needs a whole number of connections >= 1');
  const buf = readFileSync(inPath);
  if (buf.length < 24) usage(`${inPath}: shorter than a pcap header`);
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4 && buf.readUInt32BE(0) !== 0xa1b23c4d) usage(`${inPath}: not a classic pcap file`);
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const link = u32(20) & 0xffff;
  if (link !== LINK_ETHERNET && link !== LINK_RAW) usage(`${inPath}: link type ${link} (only Ethernet and raw IP)`);

  // frames grouped by connection, groups in order of their first frame
  const groups = new Map<string, Buffer[]>();
  const all: Buffer[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const incl = u32(off + 8);
    if (off + 16 + incl > buf.length) usage(`${inPath}: frame ${all.length + 1} at offset ${off} runs past the end`);
    const data = buf.subarray(off + 16, off + 16 + incl);
    const orig = u32(off + 12);
    const frame = Buffer.alloc(16 + incl);
    frame.writeUInt32LE(incl, 8);
    frame.writeUInt32LE(orig, 12);
    data.copy(frame, 16);
    const key = tupleKey(data, link);
    let g = groups.get(key);
    if (g === undefined) {
      g = [];
      groups.set(key, g);
    }
    g.push(frame);
    all.push(frame);
    off += 16 + incl;
  }

  let order: Buffer[];
  if (mode === '--keep') order = all;
  else if (mode === '--grouped') order = [...groups.values()].flat();
  else {
    order = [];
    const queue = [...groups.values()];
    let next = 0;
    const active: { frames: Buffer[]; at: number }[] = [];
    while (next < queue.length || active.length > 0) {
      while (active.length < k && next < queue.length) active.push({ frames: queue[next++]!, at: 0 });
      for (let i = 0; i < active.length; i++) {
        const s = active[i]!;
        order.push(s.frames[s.at++]!);
        if (s.at === s.frames.length) active.splice(i--, 1);
      }
    }
  }

  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(u32(16), 16);
  header.writeUInt32LE(link, 20);
  const T0 = 1_800_000_000;
  order.forEach((f, i) => {
    f.writeUInt32LE(T0 + Math.floor(i / 1e6), 0);
    f.writeUInt32LE(i % 1e6, 4);
  });
  writeFileSync(outPath, Buffer.concat([header, ...order]));
  process.stderr.write(`reorder: ${order.length} frames, ${groups.size - (groups.has('') ? 1 : 0)} connections, ${mode.slice(2)}${k ? ` ${k}` : ''} -> ${outPath}\n`);
}

main(process.argv.slice(2));
