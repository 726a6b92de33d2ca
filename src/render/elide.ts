/**
 * Which packets a diagram shows: every handshake and teardown packet (the data packets of the
 * teardown's story included: isTeardownStep), and of the data phase the first few and the last
 * few, with the count of those left out in between.
 */
import type { PacketRecord, PacketRecords } from './json.js';
import { PH_DATA, isTeardownStep, type Story } from '../analyze/story.js';
import type { Connection } from '../analyze/connection.js';
import { utf8, type ByteWriter, type Chunk } from '../util/bytes.js';

/** What a diagram shows, told one item at a time (visitDiagram): no object per item. */
export interface DiagramVisitor {
  /** Record `i` of `packets` is shown. */
  packet(packets: PacketRecords, i: number): void;
  /** `count` packets of the data phase are left out here. */
  gap(count: number): void;
}

/**
 * The items of a diagram in order, to `v`. `keep`: frames of the data phase that must be shown
 * too (e.g. the frames a failed check points at); the gaps are split around them.
 */
export function visitDiagram(packets: PacketRecords, s: Story, head: number, tail: number, keep: ReadonlySet<number> | null, v: DiagramVisitor): void {
  // of a sparse list, the records not kept before each record (PacketRecords.gaps): all of a
  // run's middle, which the diagram does not show (the run's length counts them)
  const gaps = packets.gaps;
  let i = 0;
  while (i < packets.length) {
    if (!elidable(packets.at(i), s)) {
      v.packet(packets, i);
      i++;
      continue;
    }
    let j = i;
    let run = 0;
    while (j < packets.length && elidable(packets.at(j), s)) {
      run += 1 + (gaps === undefined ? 0 : gaps[j]!);
      j++;
    }
    if (run <= head + tail + 1) {
      for (let k = i; k < j; k++) v.packet(packets, k);
    } else {
      // each record's place in its run (pos), the records not kept before it counted
      let gap = 0;
      let pos = -1;
      for (let k = i; k < j; k++) {
        const before = gaps === undefined ? 0 : gaps[k]!;
        gap += before;
        pos += before + 1;
        if (pos < head || pos >= run - tail || (keep !== null && keep.has(packets.at(k).frame))) {
          if (gap > 0) v.gap(gap);
          gap = 0;
          v.packet(packets, k);
        } else {
          gap++;
        }
      }
    }
    i = j;
  }
}

/**
 * A diagram written as bytes (the ladder's, Mermaid's): visit() walks a connection's items to
 * packet() and gap(), which write into `w` and name each side's state when it changes.
 */
export abstract class DiagramWriter implements DiagramVisitor {
  // the connection being written, for packet() and gap() (one at a time: visit() is not reentrant)
  protected w: ByteWriter | null = null;
  protected clientIsA = false;
  /** The client's and the server's states as last written (-1: none yet). */
  protected lastC = -1;
  protected lastS = -1;
  /** `<labelPrefix>[SYN, ACK] seq=` by flag bits, made when first met (labelStart). */
  private readonly flagsSeq: (Chunk | undefined)[] = new Array<Chunk | undefined>(FLAG_BITS + 1).fill(undefined);
  protected readonly ackLabel = utf8(' ack=');
  protected readonly lenLabel = utf8(' len=');

  /** `labelPrefix`: what comes before a segment's flags; `absolute`: raw sequence numbers (--absolute). */
  constructor(private readonly labelPrefix: string, protected readonly absolute: boolean) {}

  /** The start of a segment's label, up to its sequence number: its prefix, its flags in Wireshark's order, `seq=`. */
  protected labelStart(flags: number): Chunk {
    const bits = flags & FLAG_BITS;
    let c = this.flagsSeq[bits];
    if (c === undefined) {
      c = utf8(`${this.labelPrefix}[${wiresharkFlags(bits).join(', ')}] seq=`);
      this.flagsSeq[bits] = c;
    }
    return c;
  }

  /** A segment's label, `<prefix>[SYN, ACK] seq=0 ack=1 len=0`, with relative (or raw) numbers. */
  protected segmentLabel(w: ByteWriter, p: PacketRecord): void {
    w.raw(this.labelStart(p.flags));
    w.num(this.absolute ? p.rawSeq >>> 0 : p.seq);
    if (p.flags & ACK) {
      w.raw(this.ackLabel);
      w.num(this.absolute ? p.rawAck >>> 0 : p.ack);
    }
    if (p.len > 0) {
      w.raw(this.lenLabel);
      w.num(p.len);
    }
  }

  abstract packet(packets: PacketRecords, i: number): void;
  abstract gap(count: number): void;

  /** The items of `c`'s diagram (visitDiagram's) written into `w`. */
  protected visit(w: ByteWriter, c: Connection, packets: PacketRecords, head: number, tail: number, keep: ReadonlySet<number> | null): void {
    this.w = w;
    this.clientIsA = c.clientIsA;
    this.lastC = -1;
    this.lastS = -1;
    visitDiagram(packets, c.story, head, tail, keep, this);
    this.w = null;
  }
}

function elidable(p: PacketRecord, s: Story): boolean {
  return p.phase === PH_DATA && !isTeardownStep(p, s);
}

/** Flag bits a segment's label names (WS_FLAGS'). */
const FLAG_BITS = 0x1ff;
const ACK = 0x010;

/** Flag names in Wireshark's Info-column order: [SYN, ACK], [FIN, ACK], [FIN, PSH, ACK]. */
const WS_FLAGS: [number, string][] = [[0x001, 'FIN'], [0x002, 'SYN'], [0x004, 'RST'], [0x008, 'PSH'], [0x010, 'ACK'], [0x020, 'URG'], [0x040, 'ECE'], [0x080, 'CWR'], [0x100, 'AE']];

export function wiresharkFlags(bits: number): string[] {
  const out: string[] = [];
  for (const [b, n] of WS_FLAGS) if (bits & b) out.push(n);
  return out;
}
