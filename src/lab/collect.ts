/**
 * What the lab key needs from every TCP packet, copied out of the reused decode/analysis objects:
 * the numbers of the contract's packet record plus the three lengths a lab question may mean
 * (payload, TCP header + payload, whole frame), the raw window field (for "unscaled window"
 * answers), the SYN options, and the first bytes of each side's first data segment (to name an
 * HTTP request line), kept as rows of typed columns (LabRows). Memory grows with the TCP
 * packets of the connections the lab may answer for: fine for a lab capture, and bounded by
 * labPacketBudget() for any other (a 10M-packet capture ran out of heap after 50 s, V8's fatal
 * error and its stack trace on standard error).
 * Of the other connections only a line each is kept once they are finalised (ConnectionDirectory).
 */
import { getHeapStatistics } from 'node:v8';
import type { Frame } from '../capture/frame.js';
import { TCP_SYN, type Packet } from '../decode/packet.js';
import type { Connection } from '../analyze/connection.js';
import type { PacketObserver, PacketResult } from '../analyze/tracker.js';
import type { PacketNumbers } from '../render/records.js';
import { selected, type Selection } from '../cli/select.js';
import { ipv4ToString, ipv6ToString } from '../util/addr.js';

/**
 * About what a kept packet costs, with room to spare: its row (76 bytes, up to twice that while
 * the columns double), and at the end, for the lab's connection, the key's objects and lists and
 * what it writes of each packet (bulk: 290 MB for a million packets of one connection, about
 * 55 MB of it the process's own; 357 MB when each packet was an object, 400 bytes measured then).
 */
const BYTES_PER_PACKET = 400;

/**
 * Packets the lab keeps at most with a heap of `heapLimit` bytes: a third of the heap, the rest
 * left to the open connections (at most the tracker's cap) and the key's work. 3.6 million with
 * this machine's default heap (4.3 GB); a lab capture has hundreds.
 */
export function labPacketBudget(heapLimit = getHeapStatistics().heap_size_limit): number {
  return Math.floor(heapLimit / 3 / BYTES_PER_PACKET);
}

/** Payload bytes kept of each side's first data segment: enough for an HTTP request header. */
const HEAD_BYTES = 4096;

export interface LabPacket extends PacketNumbers {
  /** The raw sequence and acknowledgement numbers (uint32s). */
  rawSeq: number;
  rawAck: number;
  /** TCP header length. */
  hdrLen: number;
  /** Whole frame on the wire (frame.len). */
  frameLen: number;
  /** The 16-bit window field as carried. */
  rawWindow: number;
  mss: number;
  wscale: number;
  sackPermitted: boolean;
  /** First payload bytes (latin1) of the side's first data segment; '' otherwise. */
  head: string;
}

/** A connection's client and server (the contract's `client` and `server`, without `inferredBy`). */
export interface EndpointPair {
  client: { ip: string; port: number };
  server: { ip: string; port: number };
}

/**
 * A line for each connection of the capture once it is finalised (id, when it was opened,
 * payload, client and server): what the lab says of the connections it does not answer for (the
 * warning's list, the key's `otherConnections`, grading's "the numbers of another connection"),
 * in typed arrays of 65 bytes a connection (its id's entry included) instead of the
 * connections' objects (about 1.6 KB each: short10m's million took `lab -s 3` to 1.6 GB, and a
 * capture of more connections than the heap holds to V8's fatal error). Entries are read in the
 * order their connections were opened, as the tracker's list of every connection had them.
 */
export class ConnectionDirectory {
  /** Entries. */
  size = 0;
  private ids = new Int32Array(64);
  /** The frame that opened each (unique: a frame opens at most one connection). */
  private first = new Float64Array(64);
  private payload = new Float64Array(64);
  private v6 = new Uint8Array(64);
  /** Client address words, then server address words (as the flows keep them, int32). */
  private addr = new Int32Array(64 * 8);
  /** Client port, then server port. */
  private ports = new Int32Array(64 * 2);
  /** 1 for a connection the lab may answer for (the selection takes it). */
  private candidates = new Uint8Array(64);
  /** Entries in the order their connections were opened (made when first asked, after the last add). */
  private opened: Int32Array | null = null;
  /** Each id's entry + 1 (0: none yet). */
  private byId = new Int32Array(64);

  /**
   * Adds `c` (finalised); returns its entry. A continuation (Connection.continued: the later
   * packets of a stream finalised before them, and so added before it) adds its payload to its
   * stream's line: a stream is one connection of the capture, as in Wireshark.
   */
  add(c: Connection, candidate = true): number {
    if (c.id >= this.byId.length) this.byId = grownTo(this.byId, Math.max(c.id + 1, this.byId.length * 2));
    const had = this.byId[c.id]! - 1;
    if (c.continued && had >= 0) {
      this.payload[had] += c.a.payloadBytes + c.b.payloadBytes;
      return had;
    }
    const i = this.size;
    this.byId[c.id] = i + 1;
    if (i === this.ids.length) this.grow();
    this.size = i + 1;
    this.opened = null;
    this.ids[i] = c.id;
    this.first[i] = c.firstFrame;
    this.payload[i] = c.a.payloadBytes + c.b.payloadBytes;
    this.v6[i] = c.ipVersion === 6 ? 1 : 0;
    const cl = c.clientIsA ? c.a : c.b;
    const sv = c.clientIsA ? c.b : c.a;
    const a = this.addr;
    const k = 8 * i;
    a[k] = cl.addr0;
    a[k + 1] = cl.addr1;
    a[k + 2] = cl.addr2;
    a[k + 3] = cl.addr3;
    a[k + 4] = sv.addr0;
    a[k + 5] = sv.addr1;
    a[k + 6] = sv.addr2;
    a[k + 7] = sv.addr3;
    this.ports[2 * i] = cl.port;
    this.ports[2 * i + 1] = sv.port;
    this.candidates[i] = candidate ? 1 : 0;
    return i;
  }

  private grow(): void {
    const n = this.ids.length * 2;
    this.ids = grownTo(this.ids, n);
    this.first = grownTo(this.first, n);
    this.payload = grownTo(this.payload, n);
    this.v6 = grownTo(this.v6, n);
    this.addr = grownTo(this.addr, n * 8);
    this.ports = grownTo(this.ports, n * 2);
    this.candidates = grownTo(this.candidates, n);
  }

  /** The entries in the order their connections were opened (at the end of input most are finalised in that order already). */
  order(): Int32Array {
    if (this.opened !== null) return this.opened;
    const o = new Int32Array(this.size);
    const f = this.first;
    let sorted = true;
    for (let i = 0; i < o.length; i++) {
      o[i] = i;
      if (i > 0 && f[i] < f[i - 1]) sorted = false;
    }
    if (!sorted) o.sort((x, y) => f[x] - f[y]);
    this.opened = o;
    return o;
  }

  id(i: number): number {
    return this.ids[i];
  }

  payloadBytes(i: number): number {
    return this.payload[i];
  }

  /** The frame that opened entry `i`'s connection (its stream's first part). */
  firstFrame(i: number): number {
    return this.first[i];
  }

  /** Whether entry `i` is of a connection the lab may answer for. */
  candidate(i: number): boolean {
    return this.candidates[i] === 1;
  }

  /** Entry `i`'s client (`client`) or server address. */
  ip(i: number, client: boolean): string {
    const a = this.addr;
    const k = 8 * i + (client ? 0 : 4);
    return this.v6[i] === 0 ? ipv4ToString(a[k] >>> 0) : ipv6ToString([a[k] >>> 0, a[k + 1] >>> 0, a[k + 2] >>> 0, a[k + 3] >>> 0]);
  }

  port(i: number, client: boolean): number {
    return this.ports[2 * i + (client ? 0 : 1)];
  }

  endpoints(i: number): EndpointPair {
    return { client: { ip: this.ip(i, true), port: this.port(i, true) }, server: { ip: this.ip(i, false), port: this.port(i, false) } };
  }
}

/**
 * The kept packets' numbers, a row each in columns (76 bytes a row, where an object took about
 * 400 with its share of the collector's lists, and made the garbage collector copy and mark ten
 * million of them on short10m, `lab` without a selection), each connection's rows chained in
 * the order they came. Rows let go are taken again (a free chain); a row's first payload bytes,
 * kept for at most two rows a connection, are in a map of their own.
 */
class LabRows {
  /** Rows ever taken (those beyond are unused). */
  used = 0;
  /** The first row of the free chain, or -1. */
  free = -1;
  frame = new Float64Array(0);
  time = new Float64Array(0);
  seq = new Float64Array(0);
  ack = new Float64Array(0);
  window = new Float64Array(0);
  rawSeq = new Uint32Array(0);
  rawAck = new Uint32Array(0);
  len = new Uint32Array(0);
  frameLen = new Uint32Array(0);
  analysis = new Uint32Array(0);
  mss = new Int32Array(0);
  flags = new Uint16Array(0);
  rawWindow = new Uint16Array(0);
  wscale = new Int16Array(0);
  /** fromA (1), sackPermitted (2). */
  bits = new Uint8Array(0);
  hdrLen = new Uint8Array(0);
  /** The connection's next row, or -1 (and the free chain's). */
  next = new Int32Array(0);
  readonly heads = new Map<number, string>();

  /** A row to fill (its `next` is -1). */
  take(): number {
    let i = this.free;
    if (i >= 0) this.free = this.next[i];
    else {
      if (this.used === this.next.length) this.grow(Math.max(1024, this.used * 2));
      i = this.used++;
    }
    this.next[i] = -1;
    return i;
  }

  /** Gives back the chain `first` .. `last` (its `next` links), in one step. */
  giveBack(first: number, last: number): void {
    this.next[last] = this.free;
    this.free = first;
  }

  private grow(n: number): void {
    this.frame = grownTo(this.frame, n);
    this.time = grownTo(this.time, n);
    this.seq = grownTo(this.seq, n);
    this.ack = grownTo(this.ack, n);
    this.window = grownTo(this.window, n);
    this.rawSeq = grownTo(this.rawSeq, n);
    this.rawAck = grownTo(this.rawAck, n);
    this.len = grownTo(this.len, n);
    this.frameLen = grownTo(this.frameLen, n);
    this.analysis = grownTo(this.analysis, n);
    this.mss = grownTo(this.mss, n);
    this.flags = grownTo(this.flags, n);
    this.rawWindow = grownTo(this.rawWindow, n);
    this.wscale = grownTo(this.wscale, n);
    this.bits = grownTo(this.bits, n);
    this.hdrLen = grownTo(this.hdrLen, n);
    this.next = grownTo(this.next, n);
  }
}

/**
 * A kept packet as the key reads it: its row's numbers read where they are (an object of two
 * fields a packet, made at the end for the lab's connection alone: objects with the numbers
 * copied in took bulk's `lab` from 357 to 513 MB, its million rows and a million objects).
 */
class LabRow implements LabPacket {
  constructor(private readonly rows: LabRows, private readonly i: number) {}
  get frame(): number {
    return this.rows.frame[this.i];
  }
  get time(): number {
    return this.rows.time[this.i];
  }
  get fromA(): boolean {
    return (this.rows.bits[this.i] & 1) !== 0;
  }
  get flags(): number {
    return this.rows.flags[this.i];
  }
  get seq(): number {
    return this.rows.seq[this.i];
  }
  get ack(): number {
    return this.rows.ack[this.i];
  }
  get rawSeq(): number {
    return this.rows.rawSeq[this.i];
  }
  get rawAck(): number {
    return this.rows.rawAck[this.i];
  }
  get len(): number {
    return this.rows.len[this.i];
  }
  get hdrLen(): number {
    return this.rows.hdrLen[this.i];
  }
  get frameLen(): number {
    return this.rows.frameLen[this.i];
  }
  get window(): number {
    return this.rows.window[this.i];
  }
  get rawWindow(): number {
    return this.rows.rawWindow[this.i];
  }
  get analysis(): number {
    return this.rows.analysis[this.i];
  }
  get mss(): number {
    return this.rows.mss[this.i];
  }
  get wscale(): number {
    return this.rows.wscale[this.i];
  }
  get sackPermitted(): boolean {
    return (this.rows.bits[this.i] & 2) !== 0;
  }
  get head(): string {
    return this.rows.heads.get(this.i) ?? '';
  }
}

type Column = Float64Array | Uint32Array | Int32Array | Uint16Array | Int16Array | Uint8Array;

/** A copy of `a` in `n` elements (n >= a.length). */
function grownTo<T extends Column>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a as never);
  return b;
}

/** A connection the selection leaves out (LabCollector's lists). */
const SKIPPED = -1;

export class LabCollector implements PacketObserver {
  /** Each connection's list (an index into the list columns below), or SKIPPED. */
  private readonly lists = new Map<Connection, number>();
  private rows = new LabRows();
  /** Each list's first and last rows and its length. */
  private listFirst = new Int32Array(64);
  private listLast = new Int32Array(64);
  private listLength = new Int32Array(64);
  /** The sides whose first data segment's bytes were kept (1: a, 2: b). */
  private listHeads = new Uint8Array(64);
  /** Lists made (those beyond are unused), and lists let go, to be taken again. */
  private listsUsed = 0;
  private readonly spareLists: number[] = [];
  /** Packets kept now (those of a connection that cannot be the lab's are let go when it is finalised). */
  kept = 0;
  /**
   * The frame whose packet would have been one more than `maxPackets`, or -1: then nothing is
   * kept any more (what was is let go) and the caller stops reading (a key from part of a
   * connection's packets would be a wrong key).
   */
  overflowFrame = -1;
  /** Every connection finalised, a line each. */
  readonly directory = new ConnectionDirectory();
  /**
   * The connection the lab is about, so far: of the finalised connections the selection takes,
   * the one with the most payload, the first opened on a tie (the lowest id but for a
   * continuation); null while none is. Its entry in the directory.
   */
  main: Connection | null = null;
  mainEntry = -1;
  private mainBytes = -1;
  /** Continuations among the connections the lab may answer for (see streamToRead()). */
  continuedChosen = 0;
  /** Their streams' ids (a continuation is rare: a released connection's stream had packets again). */
  private readonly continuedStreams = new Set<number>();
  /**
   * Of the connections the lab may answer for, the one with the most payload so far, the first
   * opened on a tie (its payload only grows): kept whole while it leads (canLetGo()).
   */
  private leader: Connection | null = null;

  /**
   * `sel`: only the packets of the connections it selects are kept (null: every connection's).
   * `letBehindGo`: canLetGo() also lets go of those behind the leader (not for an input that
   * cannot be read again, whose key could not then be made from a stream found in parts).
   */
  constructor(readonly maxPackets = labPacketBudget(), private readonly sel: Selection | null = null, private readonly letBehindGo = true) {}

  onPacket(c: Connection, r: PacketResult, f: Frame, p: Packet): void {
    if (this.overflowFrame >= 0) return;
    let h = this.lists.get(c);
    if (h === undefined) {
      if (this.sel !== null && !selected(c, this.sel)) {
        this.lists.set(c, SKIPPED);
        return;
      }
      h = this.newList();
      this.lists.set(c, h);
    } else if (h === SKIPPED) return;
    const l = this.leader;
    if (l !== c) {
      const b = c.a.payloadBytes + c.b.payloadBytes;
      const lb = l === null ? -1 : l.a.payloadBytes + l.b.payloadBytes;
      if (b > lb || (b === lb && c.firstFrame < (l as Connection).firstFrame)) this.leader = c;
    }
    if (++this.kept > this.maxPackets) {
      this.overflowFrame = r.frame;
      this.lists.clear();
      this.rows = new LabRows();
      return;
    }
    const w = this.rows;
    const i = w.take();
    w.frame[i] = r.frame;
    w.time[i] = r.time;
    w.seq[i] = r.seq;
    w.ack[i] = r.ack;
    w.window[i] = r.window;
    w.rawSeq[i] = p.seq32;
    w.rawAck[i] = p.ack32;
    w.len[i] = p.payloadLen;
    w.frameLen[i] = f.origLen;
    w.analysis[i] = r.analysis;
    w.mss[i] = p.mss;
    w.flags[i] = p.flags;
    w.rawWindow[i] = p.window;
    w.wscale[i] = p.wscale;
    w.bits[i] = (r.fromA ? 1 : 0) | (p.sackPermitted ? 2 : 0);
    w.hdrLen[i] = p.tcpHeaderLen;
    if (this.listLength[h]++ === 0) this.listFirst[h] = i;
    else w.next[this.listLast[h]] = i;
    this.listLast[h] = i;
    // the side's first data segment after its SYN: a SYN's own bytes (TCP Fast Open data) are
    // not the request the key names (its data segments leave the SYN out)
    if (p.payloadLen > 0 && p.capturedPayload > 0 && (p.flags & TCP_SYN) === 0) {
      const bit = r.fromA ? 1 : 2;
      if ((this.listHeads[h] & bit) === 0) {
        this.listHeads[h] |= bit;
        const n = Math.min(p.capturedPayload, HEAD_BYTES);
        w.heads.set(i, Buffer.from(f.buf.buffer, f.buf.byteOffset + p.payloadOffset, n).toString('latin1'));
      }
    }
  }

  /** A list for a connection, empty. */
  private newList(): number {
    let h = this.spareLists.pop();
    if (h === undefined) {
      h = this.listsUsed++;
      if (h === this.listFirst.length) {
        const n = h * 2;
        this.listFirst = grownTo(this.listFirst, n);
        this.listLast = grownTo(this.listLast, n);
        this.listLength = grownTo(this.listLength, n);
        this.listHeads = grownTo(this.listHeads, n);
      }
    }
    this.listLength[h] = 0;
    this.listHeads[h] = 0;
    return h;
  }

  /** Rows ever taken: the most packets kept at once, as rows let go are taken again. */
  get rowsMade(): number {
    return this.rows.used;
  }

  /** Lists ever made: the most connections kept at once, as lists let go are taken again. */
  get listsMade(): number {
    return this.listsUsed;
  }

  /** Rows whose first payload bytes are kept (at most two a connection kept). */
  get headsKept(): number {
    return this.rows.heads.size;
  }

  /** The connections whose packets are kept. */
  keptConnections(): Connection[] {
    const out: Connection[] = [];
    for (const [c, h] of this.lists) if (h !== SKIPPED) out.push(c);
    return out;
  }

  /** `c`'s packets, in the order they came ([] when none are kept). */
  packetsOf(c: Connection): LabPacket[] {
    const h = this.lists.get(c);
    const out: LabPacket[] = [];
    if (h === undefined || h === SKIPPED) return out;
    const w = this.rows;
    for (let i = this.listLength[h] > 0 ? this.listFirst[h] : -1; i >= 0; i = w.next[i]) out.push(new LabRow(w, i));
    return out;
  }

  /**
   * A connection is finalised: its line goes to the directory, and of it and the lab's
   * connection so far the one that cannot be the lab's lets its packets go (its payload is
   * final now, and no later connection's can change the order of the two).
   */
  onFinal(c: Connection): void {
    const candidate = this.sel === null || selected(c, this.sel);
    const entry = this.directory.add(c, candidate);
    if (!candidate) {
      this.lists.delete(c);
      return;
    }
    if (c.continued) {
      this.continuedChosen++;
      this.continuedStreams.add(c.id);
    }
    const bytes = c.a.payloadBytes + c.b.payloadBytes;
    const main = this.main;
    if (main === null || bytes > this.mainBytes || (bytes === this.mainBytes && c.firstFrame < main.firstFrame)) {
      if (main !== null) this.letGo(main);
      this.main = c;
      this.mainEntry = entry;
      this.mainBytes = bytes;
    } else this.letGo(c);
  }

  /**
   * Whether the tracker may release `c` once it has closed (TrackerOptions.lingerOnly): one the
   * selection leaves out, or one that cannot be the lab's as things stand (less payload than the
   * leader, or as much and opened after it). Memory then follows the connections open, not the
   * capture's. The leader is kept whole; should a released connection's stream have packets
   * later all the same (a continuation), streamToRead() says whether the key could change.
   */
  canLetGo(c: Connection): boolean {
    if (this.sel !== null && !selected(c, this.sel)) return true;
    if (!this.letBehindGo) return false;
    const l = this.leader;
    if (l === null || l === c) return false;
    const b = c.a.payloadBytes + c.b.payloadBytes;
    const lb = l.a.payloadBytes + l.b.payloadBytes;
    return b < lb || (b === lb && l.firstFrame < c.firstFrame);
  }

  /**
   * -1 when `main` is the connection the lab's rule names over whole streams (of those the
   * selection takes, the most payload, the first opened on a tie), with every packet of its
   * stream: always so unless one of them was released and had packets after it (a
   * continuation), compared in parts. Otherwise the id of the stream the rule names, to be read
   * again on its own (then it leads from its first packet and is never released).
   */
  streamToRead(): number {
    const m = this.main;
    if (this.continuedChosen === 0 || m === null) return -1;
    const d = this.directory;
    let best = -1;
    for (let i = 0; i < d.size; i++) {
      if (!d.candidate(i)) continue;
      if (best < 0 || d.payloadBytes(i) > d.payloadBytes(best) || (d.payloadBytes(i) === d.payloadBytes(best) && d.firstFrame(i) < d.firstFrame(best))) best = i;
    }
    // (a continuation of the main's stream, with payload or without: the main is not the whole
    // stream, and its key would lack the continuation's packets: its windows, ACKs, its close)
    if (best === this.mainEntry && !m.continued && !this.continuedStreams.has(m.id) && d.payloadBytes(best) === m.a.payloadBytes + m.b.payloadBytes) return -1;
    return d.id(best);
  }

  private letGo(c: Connection): void {
    const h = this.lists.get(c);
    if (h === undefined || h === SKIPPED) return;
    this.lists.delete(c);
    const n = this.listLength[h];
    this.kept -= n;
    const w = this.rows;
    if (n > 0) {
      // (at most two rows have bytes)
      if (this.listHeads[h] !== 0) for (let i = this.listFirst[h]; i >= 0; i = w.next[i]) w.heads.delete(i);
      w.giveBack(this.listFirst[h], this.listLast[h]);
    }
    this.spareLists.push(h);
  }
}

/** The capture's connections other than the lab's: the directory less the lab's entry. */
export class OtherConnections {
  constructor(private readonly dir: ConnectionDirectory, private readonly except: number) {}

  /** How many. */
  get size(): number {
    return this.except >= 0 ? this.dir.size - 1 : this.dir.size;
  }

  /** Their entries, in the order their connections were opened. */
  entries(): number[] {
    const out: number[] = [];
    for (const i of this.dir.order()) if (i !== this.except) out.push(i);
    return out;
  }

  /** Their ids, in the order their connections were opened (the key's `otherConnections`). */
  ids(): number[] {
    return this.entries().map((i) => this.dir.id(i));
  }

  /**
   * Those a warning names, at most `n`: every one when they are no more, in the order they were
   * opened; else the `n` with the most payload, the lowest id first on a tie, then the first
   * opened.
   */
  listed(n: number): number[] {
    const d = this.dir;
    const all = this.entries();
    if (all.length <= n) return all;
    // the n best so far, best first (a later entry goes after those it ties with)
    const top: number[] = [];
    const before = (x: number, y: number): boolean =>
      d.payloadBytes(x) > d.payloadBytes(y) || (d.payloadBytes(x) === d.payloadBytes(y) && d.id(x) < d.id(y));
    for (const i of all) {
      if (top.length === n && !before(i, top[n - 1]!)) continue;
      let at = top.length;
      while (at > 0 && before(i, top[at - 1]!)) at--;
      top.splice(at, 0, i);
      if (top.length > n) top.pop();
    }
    return top;
  }

  /** The first, in the order they were opened, with this port at either end or this client address. */
  find(port: number, ip: string): EndpointPair | undefined {
    const d = this.dir;
    for (const i of d.order()) {
      if (i === this.except) continue;
      if (d.port(i, true) === port || d.port(i, false) === port || d.ip(i, true) === ip) return d.endpoints(i);
    }
    return undefined;
  }
}
