/**
 * The JSON document of the contract (SPEC.md, schemaVersion 1): `capture` and `connections[]`,
 * the latter with per-packet records when `--packets` asks for them. Renders what the analysis
 * decided; decides nothing. Field names are the contract's; schema/tcpflow-explain.schema.json
 * describes them and the tests validate every output against it.
 */
import type { Frame } from '../capture/frame.js';
import type { Packet } from '../decode/packet.js';
import { TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG, TCP_ECE, TCP_CWR, TCP_AE } from '../decode/packet.js';
import {
  type Connection, type Flow, clientFlow, F_SYN_SACK_PERMITTED, F_SYN_SEEN, F_SYN_TIMESTAMPS, flowAddress, flowFlag, serverFlow, initialRtt,
} from '../analyze/connection.js';
import type { PacketObserver, PacketResult } from '../analyze/tracker.js';
import { analysisNames, ANALYSIS_NAMES } from '../analyze/flags.js';
import { round9 } from '../util/round.js';
import {
  STATE_NAMES, PHASE_NAMES, NOTE_KEYS, N_NONE, PH_DATA, S_DATA_AFTER_FIN, S_FIN1_FROM_A, S_RST_AFTER_FIN, S_RST_ANSWERS_DATA, S_RST_FROM_A, S_SIMULTANEOUS_OPEN,
  handshakeKind, teardownKind, isHandshakeStep, isInferredState, isTeardownStep, storyFlag, type Story, type TeardownKind,
} from '../analyze/story.js';
import { zeekConnState, zeekHistory } from '../analyze/zeek.js';
import { diagnostics, type Diagnostic } from '../analyze/diagnostics.js';
import { message, type Lang } from '../i18n/messages.js';
import { prettyJson } from './pretty.js';
import { CountedRing, DIAGRAM_HEAD, DIAGRAM_TAIL, LISTED_NOTED, MERMAID_HEAD, NAMED_FLAG_FRAMES, NOT_KEPT, noteListed, Overflow, PacketSkip, RecordList, RecordStore, type PacketRecord, type PacketRecords } from './records.js';

const FLAG_NAMES: [number, string][] = [
  [TCP_SYN, 'SYN'], [TCP_ACK, 'ACK'], [TCP_FIN, 'FIN'], [TCP_RST, 'RST'], [TCP_PSH, 'PSH'], [TCP_URG, 'URG'],
  [TCP_ECE, 'ECE'], [TCP_CWR, 'CWR'], [TCP_AE, 'AE'],
];

/** flagNames' lists by flag combination (9 bits), made when first asked for. */
const FLAG_NAME_LISTS: (readonly string[] | undefined)[] = new Array<readonly string[] | undefined>(1 << 9).fill(undefined);
/** A packet record's `analysis` when it has none (most records): shared. */
export const NO_ANALYSIS: readonly string[] = Object.freeze([]);

/** The names of the flags set, in contract order (one frozen list per flag combination, shared). */
export function flagNames(flags: number): readonly string[] {
  let names = FLAG_NAME_LISTS[flags];
  if (names === undefined) {
    const out: string[] = [];
    for (const [bit, name] of FLAG_NAMES) if (flags & bit) out.push(name);
    names = Object.freeze(out);
    FLAG_NAME_LISTS[flags] = names;
  }
  return names;
}

export type { PacketRecord, PacketRecords, PacketOmission } from './records.js';

/**
 * At most this many packet records are kept per connection (`--packets`, the walkthrough, the
 * diagrams): a record is 72 bytes (a slot of records.ts's store) and its place in the list 8,
 * so one huge flow stays near 8 MB instead of growing with the capture. The first
 * MAX_PACKET_RECORDS − TAIL_PACKET_RECORDS records and the last TAIL_PACKET_RECORDS are kept (handshake and teardown both survive); those in between are
 * counted and named by their first and last frame.
 */
export const MAX_PACKET_RECORDS = 100000;
/** Records kept at the end of a capped connection (its teardown). */
export const TAIL_PACKET_RECORDS = 1000;

/**
 * A collector's packet records by connection: kept on the connection itself (its `records`,
 * claimed by the first collector to keep any), else, for a connection another collector has
 * claimed, in a Map. A Map for every connection cost a cache miss at each look-up with many
 * connections open: the SYN flood's walkthrough 4.0-4.6 -> 3.4 s, its `--json --packets` 4.3 ->
 * 3.7 s without it.
 */
export class RecordsByConnection {
  private readonly others = new Map<Connection, PacketRecords>();
  /** Connections with records. */
  size = 0;

  get(c: Connection): PacketRecords | undefined {
    if (c.recordsOwner === this) return c.records as PacketRecords;
    return this.others.size === 0 ? undefined : this.others.get(c);
  }

  set(c: Connection, list: PacketRecords): void {
    if (c.recordsOwner === this) {
      c.records = list;
      return;
    }
    if (c.recordsOwner === null && (this.others.size === 0 || !this.others.has(c))) {
      c.recordsOwner = this;
      c.records = list;
      this.size++;
      return;
    }
    if (!this.others.has(c)) this.size++;
    this.others.set(c, list);
  }

  delete(c: Connection): void {
    if (c.recordsOwner === this) {
      c.recordsOwner = null;
      c.records = null;
      this.size--;
    } else if (this.others.delete(c)) {
      this.size--;
    }
  }
}

/**
 * What a sparse collector for a diagram keeps besides what the diagram shows of itself: `keeps()`
 * is asked of a packet with analysis flags, after the observer that answers it has seen the
 * packet (check's AnalysisFrames: the first frames of each flag its expectations count, which a
 * failing connection's diagram shows wherever they are in a run).
 */
export interface KeepsAlso {
  keeps(c: Connection, r: PacketResult): boolean;
}

/** Recycled lists kept for later connections, at most, and the most slots a list kept had. */
const POOLED_LISTS = 1024;
const POOLED_SLOTS = 64;

/**
 * Collects per-packet records for the connections (only when an output asks for packets), at
 * most `limit` per connection (see MAX_PACKET_RECORDS), as slots of its RecordStore (records.ts:
 * no object a record). A capped connection's list is completed (head, then tail in order,
 * `omitted` set) when the tracker finalises the connection, which it does for every connection
 * at the end of input.
 */
export class PacketCollector implements PacketObserver {
  readonly byConnection = new RecordsByConnection();
  private readonly store = new RecordStore();
  /** Lists recycled, empty, to be taken again (recycle). */
  private readonly lists: RecordList[] = [];
  private readonly head: number;
  private readonly tail: number;
  /** A sparse diagram's packets kept besides (keepAlso()). */
  private also: KeepsAlso | null = null;
  /**
   * Connections of a greater id are not collected (their packets are not looked at): check's,
   * once its diagrams are those of MAX_DIAGRAMS failing connections and a connection beyond the
   * largest of their ids can no longer be drawn (the report draws the first by id).
   */
  idBound = Number.POSITIVE_INFINITY;

  /**
   * `sparse`: for a walkthrough without --verbose, which lists of a connection's data phase
   * only its first packets with a note and names the first frames of each analysis flag: of
   * the first range, the packets of the data phase that it shows nothing of are counted (the
   * list's `skipped`), not kept (wanted()); of the last range (a ring), those it can show
   * nothing of wherever they end up in it (sparseTailPacket()). A long connection's walkthrough
   * then keeps tens of records, not up to 100 000, nor one a packet past the first range.
   * `diagram` (with `sparse`): the walkthrough draws its diagram too, which shows of each run of
   * those packets between two steps its first DIAGRAM_HEAD and last DIAGRAM_TAIL, and the count
   * between (visitDiagram): those are kept too (diagramPacket()), and the ring whole (the runs
   * through it, cut where the ring begins, are known only at the end). `diagramHead`: a diagram's
   * first packets of a run, MERMAID_HEAD for Mermaid's (`--format mermaid` and Markdown, which
   * show nothing of the records but their diagrams: what wanted() keeps more is not shown).
   */
  constructor(readonly limit = MAX_PACKET_RECORDS, private readonly sparse = false, private readonly diagram = false, private readonly diagramHead = DIAGRAM_HEAD) {
    this.tail = Math.min(TAIL_PACKET_RECORDS, Math.floor(limit / 2));
    this.head = limit - this.tail;
  }

  /**
   * A sparse collector for a diagram keeps the packets `also` keeps too (check's: the diagram of a
   * failing connection shows the frames its failures name, AnalysisFrames' among them).
   */
  keepAlso(also: KeepsAlso): void {
    this.also = also;
  }

  onPacket(c: Connection, r: PacketResult, _f: Frame, p: Packet): void {
    if (c.id > this.idBound) return;
    if (this.sparse) {
      this.sparsePacket(c, r, p);
      return;
    }
    const store = this.store;
    let list = this.byConnection.get(c) as RecordList | undefined;
    if (list === undefined) {
      // a recycled list, emptied, else a new one
      list = this.lists.pop();
      if (list === undefined) {
        if (this.head > 0) {
          // a list of one to start with: `[]` and a push made room for 17 (a SYN flood's million
          // one-packet connections: 136 MB of empty slots)
          this.byConnection.set(c, new RecordList(store, [store.add(r, p)]));
          return;
        }
        list = new RecordList(store, []);
      }
      this.byConnection.set(c, list);
    }
    if (list.slots.length < this.head) {
      list.slots.push(store.add(r, p));
      return;
    }
    this.tailPacket(list, r, p);
  }

  /** onPacket() of a sparse collector. */
  private sparsePacket(c: Connection, r: PacketResult, p: Packet): void {
    let list = this.byConnection.get(c) as RecordList | undefined;
    if (list === undefined) {
      list = this.lists.pop() ?? new RecordList(this.store, []);
      this.byConnection.set(c, list);
    }
    if (list.seen < this.head) {
      list.seen++;
      if (this.diagram) this.diagramPacket(list, c, r, p);
      else if (wanted(list, c.story, r)) list.slots.push(this.store.add(r, p));
      else (list.skipped ??= new PacketSkip()).skip(r.fromA, p.payloadLen);
      return;
    }
    if (this.diagram) this.tailPacket(list, r, p);
    else this.sparseTailPacket(list, c.story, r, p);
  }

  /**
   * tailPacket() of a sparse list without the diagram: a packet that the walkthrough shows
   * nothing of wherever it is in the ring (ringWanted()) takes its place in the ring as its
   * frame, direction and length (NOT_KEPT and the ring's CountedRing), not a record: it is
   * counted in `skipped` if it is still in the ring at the end (onFinal), in the omission if it
   * is pushed out. One long connection's last packets were a record each, every packet past
   * the first range (the bulk capture's 900 000).
   */
  private sparseTailPacket(list: RecordList, s: Story, r: PacketResult, p: Packet): void {
    const tail = this.tail;
    if (tail === 0) {
      this.tailPacket(list, r, p);
      return;
    }
    const store = this.store;
    const o = (list.overflow ??= new Overflow());
    const keep = ringWanted(list, s, r);
    const ring = o.ring;
    if (ring.length < tail) {
      if (keep) ring.push(store.add(r, p));
      else {
        (o.counted ??= new CountedRing(tail)).set(ring.length, r.frame, r.fromA, p.payloadLen);
        ring.push(NOT_KEPT);
      }
      return;
    }
    // the oldest makes way: left out, as a record or as the packet counted
    const i = o.next;
    const old = ring[i]!;
    if (old !== NOT_KEPT) {
      o.omit(store.frameOf(old), store.fromAOf(old), store.phaseOf(old), store.lenOf(old));
      if (keep) store.fill(old, r, p);
      else {
        store.giveOne(old);
        ring[i] = NOT_KEPT;
        (o.counted ??= new CountedRing(tail)).set(i, r.frame, r.fromA, p.payloadLen);
      }
    } else {
      const counted = o.counted!;
      o.omit(counted.frames[i]!, counted.fromA[i] === 1, PH_DATA, counted.lens[i]!);
      if (keep) ring[i] = store.add(r, p);
      else counted.set(i, r.frame, r.fromA, p.payloadLen);
    }
    o.next = i + 1 === tail ? 0 : i + 1;
  }

  /**
   * sparsePacket() with the diagram: every packet is kept as it comes, and a packet of the data
   * phase that is no step is let go once three more of its run have come (then it is not among
   * the run's last DIAGRAM_TAIL, 2, and the run is longer than the diagramHead + DIAGRAM_TAIL +
   * 1 shown whole, as it is at least diagramHead + 4), unless wanted() or keepAlso()'s keeps it
   * or it is among the run's first diagramHead. It is then counted in `skipped` and in the gap
   * before the next record (its run's middle, which visitDiagram counts and does not show).
   */
  private diagramPacket(list: RecordList, c: Connection, r: PacketResult, p: Packet): void {
    const s = c.story;
    const store = this.store;
    const slots = list.slots;
    slots.push(store.add(r, p));
    if (isHandshakeStep(r, s) || isTeardownStep(r, s)) {
      // a step ends the run: the last two before it stay
      list.runPos = 0;
      list.provisional = 0;
      return;
    }
    const firm = wantedData(list, r) || list.runPos < this.diagramHead || (r.analysis !== 0 && this.also !== null && this.also.keeps(c, r));
    list.runPos++;
    const prov = list.provisional;
    if ((prov & 4) !== 0) {
      // the run's packet three before this one, kept only in case it was among the run's last
      // two or the run was short enough to be shown whole (at most diagramHead + DIAGRAM_TAIL
      // + 1): neither now, so let go (its direction and length as the list kept them: its
      // slot, written three packets of the connection ago, is read no more)
      const k = slots.length - 4;
      const old = slots[k]!;
      (list.skipped ??= new PacketSkip()).skip((prov & PROV_FROM_A_3) !== 0, list.provLen3);
      store.giveOne(old);
      // the gaps, made with the list's first packet let go, as long as its records (0 for each
      // record since the last one let go)
      list.gaps ??= [];
      fullGaps(list);
      const gaps = list.gaps;
      gaps[k + 1]! += gaps[k]! + 1;
      for (let i = k; i < slots.length - 1; i++) {
        slots[i] = slots[i + 1]!;
        gaps[i] = gaps[i + 1]!;
      }
      slots.pop();
      gaps.pop();
    }
    // bit 0: this packet kept only for now; bits 1 and 2: the two before it; bits 3-5 their directions
    list.provisional = ((prov & PROV_SHIFTED) << 1) | (firm ? 0 : 1) | (r.fromA ? PROV_FROM_A : 0);
    list.provLen3 = list.provLen2;
    list.provLen2 = list.provLen1;
    list.provLen1 = p.payloadLen;
  }

  /** A packet past the first range: kept in the ring of the last ones, the oldest left out. */
  private tailPacket(list: RecordList, r: PacketResult, p: Packet): void {
    const store = this.store;
    // (on the list: a Map by connection was a look-up a packet, 900 000 on the bulk capture)
    const o = (list.overflow ??= new Overflow());
    if (this.tail === 0) {
      o.omit(r.frame, r.fromA, r.phase, p.payloadLen);
    } else if (o.ring.length < this.tail) {
      o.ring.push(store.add(r, p));
    } else {
      // the oldest record makes way: its slot is filled again in place
      const old = o.ring[o.next]!;
      o.omit(store.frameOf(old), store.fromAOf(old), store.phaseOf(old), store.lenOf(old));
      store.fill(old, r, p);
      o.next = (o.next + 1) % this.tail;
    }
  }

  /**
   * Forgets a finalised connection's records once its output is made, and gives their slots
   * back to be filled again for later packets: a capture of many short connections then keeps
   * about as many slots as records are held at once. The caller must keep no view of them
   * (copies are its own).
   */
  recycle(c: Connection): void {
    const list = this.byConnection.get(c) as RecordList | undefined;
    if (list === undefined) return;
    this.byConnection.delete(c);
    this.store.give(list.slots);
    // (a connection recycled before it was finalised: its tail too)
    const o = list.overflow;
    if (o !== undefined) {
      list.overflow = undefined;
      if (o.counted === null) this.store.give(o.ring);
      else for (const slot of o.ring) if (slot !== NOT_KEPT) this.store.giveOne(slot);
    }
    // the list itself taken again for a later connection (emptied: popped, as `length = 0`
    // would give the array a new store), unless it is long or says records were omitted
    const slots = list.slots;
    if (slots.length <= POOLED_SLOTS && list.omitted === undefined && this.lists.length < POOLED_LISTS) {
      while (slots.length > 0) slots.pop();
      list.skipped?.reset();
      const gaps = list.gaps;
      if (gaps !== undefined) while (gaps.length > 0) gaps.pop();
      list.runPos = 0;
      list.provisional = 0;
      list.seen = 0;
      list.noted = 0;
      list.notesLow = 0;
      list.notesHigh = 0;
      list.flagsLow = 0;
      list.flagsHigh = 0;
      this.lists.push(list);
    }
  }

  /** Records held for a connection right now (at most `limit`; a sparse ring's packets counted, not kept, among them). */
  keptCount(c: Connection): number {
    const list = this.byConnection.get(c) as RecordList | undefined;
    return list === undefined ? 0 : list.length + (list.overflow?.ring.length ?? 0);
  }

  onFinal(c: Connection): void {
    const list = this.byConnection.get(c) as RecordList | undefined;
    if (list === undefined) return;
    const o = list.overflow;
    if (o === undefined) {
      fullGaps(list);
      return;
    }
    list.overflow = undefined;
    const counted = o.counted;
    for (let i = 0; i < o.ring.length; i++) {
      const k = (o.next + i) % o.ring.length;
      const slot = o.ring[k]!;
      if (slot !== NOT_KEPT) list.slots.push(slot);
      // (a sparse list's packet counted in the ring: counted as its first range's)
      else (list.skipped ??= new PacketSkip()).skip(counted!.fromA[k] === 1, counted!.lens[k]!);
    }
    // (the ring kept whole: nothing left out between its records)
    fullGaps(list);
    if (o.omitted > 0) {
      list.omitted = {
        count: o.omitted, fromFrame: o.fromFrame, toFrame: o.toFrame, limit: this.limit,
        dataSegmentsA: o.dataSegmentsA, dataBytesA: o.dataBytesA, dataSegmentsB: o.dataSegmentsB, dataBytesB: o.dataBytesB,
      };
    }
  }
}

/**
 * A collector of what Mermaid's diagram shows (`--format mermaid`, Markdown, check's diagrams): a
 * sparse list for the diagram, each run's first MERMAID_HEAD and last DIAGRAM_TAIL.
 */
export function mermaidCollector(): PacketCollector {
  return new PacketCollector(MAX_PACKET_RECORDS, true, true, MERMAID_HEAD);
}

/**
 * A diagram's list completed: its gaps (made with its first packet let go, and grown only then)
 * as long as its records, 0 for each record after the last packet let go.
 */
function fullGaps(list: RecordList): void {
  const gaps = list.gaps;
  if (gaps !== undefined) while (gaps.length < list.slots.length) gaps.push(0);
}

// diagramPacket()'s three bits: a run's last DIAGRAM_TAIL records and the one before them
if (DIAGRAM_TAIL !== 2) throw new Error('json.ts: diagramPacket() keeps DIAGRAM_TAIL + 1 = 3 records for now');
/** RecordList.provisional: the direction of this packet (bit 3), of the one three before it (bit 5), and the bits that move on a place (0-1, 3-4). */
const PROV_FROM_A = 8;
const PROV_FROM_A_3 = 32;
const PROV_SHIFTED = 3 | 24;

/**
 * Whether a sparse list keeps the record of this packet (PacketCollector's `sparse`): what the
 * walkthrough without --verbose may show of it (its diagram's: diagramPacket()), decided as it
 * comes. A step of the handshake or of the teardown's story as the walkthrough tells them
 * (isHandshakeStep, isTeardownStep: every packet not of the data phase, and those of it the
 * story names; asked now: a phase and a note never change, and a story's frame is only ever
 * set to the packet's own, as it is handled, before the observers see it, so a packet not a
 * step now is none at the end); of the rest, the data phase's, the first with each kind of note,
 * LISTED_NOTED in all, and the first NAMED_FLAG_FRAMES with each analysis flag. What it keeps besides (a record
 * kept for one flag counts for its others; the steps are not counted) changes nothing the
 * walkthrough writes: the records it reads in order are the same first ones, and its counts
 * add the records not kept.
 */
function wanted(list: RecordList, s: Story, r: PacketResult): boolean {
  return isHandshakeStep(r, s) || isTeardownStep(r, s) || wantedData(list, r);
}

/** wanted() of a packet that is no step (the data phase's): its note, its flags. */
function wantedData(list: RecordList, r: PacketResult): boolean {
  let keep = false;
  const note = r.note;
  if (note !== N_NONE && list.noted < LISTED_NOTED && !noteListed(list.notesLow, list.notesHigh, note)) {
    list.noted++;
    if (note < 32) list.notesLow |= 1 << note;
    else list.notesHigh |= 1 << (note & 31);
    keep = true;
  }
  const a = r.analysis;
  if (a === 0) return keep;
  if (!keep && !namesMore(list, a)) return false;
  for (let m = a; m !== 0; m &= m - 1) {
    const b = 31 - Math.clz32(m & -m);
    const shift = (b & 7) * 4;
    if (b < 8) {
      if (((list.flagsLow >>> shift) & 15) < NAMED_FLAG_FRAMES) list.flagsLow += 1 << shift;
    } else if (((list.flagsHigh >>> shift) & 15) < NAMED_FLAG_FRAMES) list.flagsHigh += 1 << shift;
  }
  return true;
}

/**
 * Whether a sparse list without the diagram keeps the record of a packet past its first range
 * (PacketCollector.sparseTailPacket): what the walkthrough may show of it wherever it ends up in
 * the ring of the last records, after the first range's records. A step (every packet not of
 * the data phase among them: what the ring counts is of the data phase); a packet with a note
 * of a kind the first range kept none of, while it kept fewer than LISTED_NOTED with one (else
 * the walkthrough has listed as many before the ring: it lists the first DATA_SAMPLE,
 * LISTED_NOTED, with each kind of note, in order); a packet
 * with a flag of which the first range kept fewer than NAMED_FLAG_FRAMES (else the frames
 * named are the first range's). Unlike wanted() it counts nothing: a packet of the ring may be
 * pushed out of it later, so which of its packets with a note or a flag come first among those
 * left is known only at the end; all are kept (those the walkthrough does not show change
 * nothing it writes, as wanted()'s).
 */
function ringWanted(list: RecordList, s: Story, r: PacketResult): boolean {
  if (isHandshakeStep(r, s) || isTeardownStep(r, s)) return true;
  if (r.note !== N_NONE && list.noted < LISTED_NOTED && !noteListed(list.notesLow, list.notesHigh, r.note)) return true;
  return r.analysis !== 0 && namesMore(list, r.analysis);
}

/**
 * Whether a sparse list kept fewer than NAMED_FLAG_FRAMES records with one of the analysis
 * flags `a` (each flag's count is 4 bits of flagsLow, flags 0-7, or flagsHigh, 8-15).
 */
function namesMore(list: RecordList, a: number): boolean {
  for (let m = a; m !== 0; m &= m - 1) {
    const b = 31 - Math.clz32(m & -m);
    const counts = b < 8 ? list.flagsLow : list.flagsHigh;
    if (((counts >>> ((b & 7) * 4)) & 15) < NAMED_FLAG_FRAMES) return true;
  }
  return false;
}

function endpoint(c: Connection, f: Flow, isClient: boolean): Record<string, unknown> {
  const e: Record<string, unknown> = { ip: flowAddress(c.ipVersion, f), port: f.port };
  if (isClient) {
    const by = inferredBy(c);
    if (by !== null) e.inferredBy = by;
  }
  return e;
}

/*
 * The decisions of a connection record that are more than reading a field, shared by
 * connectionJson and the byte writer that writes the same record straight from the connection
 * (json-bytes.ts's writeConnection).
 */

/** The client endpoint's `inferredBy` (how the client was told when no SYN said), or null: no such key. */
export function inferredBy(c: Connection): string | null {
  return c.clientBy !== 'syn' ? c.clientBy : null;
}

/** `handshake.synRetransmissions`: the SYNs after the first. */
export function synRetransmissions(s: Story): number {
  return s.synCount > 1 ? s.synCount - 1 : 0;
}

/** `teardown.initiator`: the side that reset the connection or sent the first FIN, or null. */
export function teardownInitiator(c: Connection, kind: TeardownKind): 'client' | 'server' | null {
  const s = c.story;
  return kind === 'reset' ? role(c, storyFlag(s, S_RST_FROM_A)) : s.fin1Frame > 0 ? role(c, storyFlag(s, S_FIN1_FROM_A)) : null;
}

/** A SYN option's value (synMss, synWscale), or null when the SYN did not carry it. */
export function optionValue(v: number): number | null {
  return v >= 0 ? v : null;
}

/** A diagnostic's `message` in `lang`. */
export function diagnosticMessage(c: Connection, d: Diagnostic, lang: Lang): string {
  return message(lang, d.key, diagnosticRole(c, d), d.n1, d.n2);
}

/** The side a diagnostic's message speaks of ('client' when it is about neither). */
export function diagnosticRole(c: Connection, d: Diagnostic): 'client' | 'server' {
  return d.flowA === null ? 'client' : role(c, d.flowA);
}

/** Which end sent a packet of direction a (fromA) or b: a packet record's `from`. */
export function role(c: Connection, fromA: boolean): 'client' | 'server' {
  return fromA === c.clientIsA ? 'client' : 'server';
}

/** A frame number of the record, or null for none (0). */
export function frameOrNull(n: number): number | null {
  return n > 0 ? n : null;
}

/**
 * A connection's record of the contract. The outputs write the same record as bytes straight
 * from the connection (json-bytes.ts's writeConnection, checked against this byte for byte);
 * this object is what `check` and the lab read, and what the tests compare those bytes with.
 */
export function connectionJson(c: Connection, packets: PacketRecords | null, lang: Lang = 'en'): Record<string, unknown> {
  const client = clientFlow(c);
  const server = serverFlow(c);
  const s = c.story;
  const rtt = initialRtt(c);
  const hk = handshakeKind(s);
  const tk = teardownKind(s);
  const stClient = c.clientIsA ? s.stateA : s.stateB;
  const stServer = c.clientIsA ? s.stateB : s.stateA;
  const inferred: string[] = [];
  if (isInferredState(stClient)) inferred.push('client');
  if (isInferredState(stServer)) inferred.push('server');
  const both = flowFlag(client, F_SYN_SEEN) && flowFlag(server, F_SYN_SEEN);
  const analysis: Record<string, number> = {};
  for (let i = 0; i < ANALYSIS_NAMES.length; i++) if (c.analysis[i] > 0) analysis[ANALYSIS_NAMES[i]] = c.analysis[i];
  const out: Record<string, unknown> = {
    id: c.id,
    // a second record of the connection (Connection.continued): said only there
    ...(c.continued ? { continuation: true } : {}),
    // a continuation whose stream's analysis state was no longer kept (Connection.continuedAfresh)
    ...(c.continuedAfresh ? { analysisAfresh: true } : {}),
    client: endpoint(c, client, true),
    server: endpoint(c, server, false),
    ipVersion: c.ipVersion,
    firstFrame: c.firstFrame,
    lastFrame: c.lastFrame,
    start: round9(c.firstTime),
    duration: round9(c.lastTime - c.firstTime),
    packetCount: { client: client.packets, server: server.packets },
    payloadBytes: { client: client.payloadBytes, server: server.payloadBytes },
    completeness: c.completeness,
    handshake: {
      kind: hk,
      frames: {
        syn: frameOrNull(s.synFrame),
        synAck: frameOrNull(s.synAckFrame),
        ack: frameOrNull(s.hsAckFrame),
        ...(storyFlag(s, S_SIMULTANEOUS_OPEN) ? { secondSyn: frameOrNull(s.secondSynFrame) } : {}),
        ...(s.refusedFrame > 0 ? { rst: s.refusedFrame } : {}),
      },
      synRetransmissions: synRetransmissions(s),
      rtt: rtt === null ? null : round9(rtt),
      options: { client: synOptions(client), server: synOptions(server) },
      agreed: both
        ? {
            // each side may send segments up to the MSS the other announced (RFC 9293 section 3.7.1)
            mss: { client: optionValue(server.synMss), server: optionValue(client.synMss) },
            windowScale: client.synWscale >= 0 && server.synWscale >= 0 ? { client: client.synWscale, server: server.synWscale } : null,
            sackPermitted: flowFlag(client, F_SYN_SACK_PERMITTED) && flowFlag(server, F_SYN_SACK_PERMITTED),
            timestamps: flowFlag(client, F_SYN_TIMESTAMPS) && flowFlag(server, F_SYN_TIMESTAMPS),
          }
        : null,
    },
    teardown: {
      kind: tk,
      initiator: teardownInitiator(c, tk),
      dataAfterFin: storyFlag(s, S_DATA_AFTER_FIN),
      rstAfterFin: storyFlag(s, S_RST_AFTER_FIN),
      rstAnswersData: storyFlag(s, S_RST_ANSWERS_DATA),
      frames: {
        fin: frameOrNull(s.fin1Frame),
        finAck: frameOrNull(s.fin1AckFrame),
        secondFin: frameOrNull(s.fin2Frame),
        lastAck: frameOrNull(s.fin2AckFrame),
        rst: frameOrNull(s.rstFrame),
      },
    },
    finalState: { client: STATE_NAMES[stClient], server: STATE_NAMES[stServer], inferred },
    zeek: { state: zeekConnState(c), history: zeekHistory(c) },
    diagnostics: diagnostics(c).map((d) => ({ key: d.key, message: diagnosticMessage(c, d, lang) })),
    windowScale: { client: scaleValue(client.winScale), server: scaleValue(server.winScale) },
    analysis,
  };
  if (packets !== null) {
    const om = packets.omitted;
    if (om) out.packetsOmitted = { count: om.count, fromFrame: om.fromFrame, toFrame: om.toFrame, limit: om.limit };
    const list: Record<string, unknown>[] = [];
    for (let i = 0; i < packets.length; i++) list.push(packetJson(c, packets.at(i), lang));
    out.packets = list;
  }
  return out;
}

/**
 * One packet record of the contract (the same in --json --packets and in NDJSON).
 * json-bytes.ts's writePacketRecord writes the same record straight from `r`, with these
 * functions and tables; test/json-bytes.test.ts checks the two byte for byte.
 */
export function packetJson(c: Connection, r: PacketRecord, lang: Lang = 'en'): Record<string, unknown> {
  const o: Record<string, unknown> = {
    frame: r.frame,
    time: round9(r.time),
    from: role(c, r.fromA),
    flags: flagNames(r.flags),
    seq: r.seq,
    ack: r.ack,
    rawSeq: r.rawSeq >>> 0,
    rawAck: r.rawAck >>> 0,
    len: r.len,
    window: r.window,
    analysis: r.analysis === 0 ? NO_ANALYSIS : analysisNames(r.analysis),
    phase: PHASE_NAMES[r.phase],
    states: { client: STATE_NAMES[packetState(c, r, true)], server: STATE_NAMES[packetState(c, r, false)] },
  };
  if (r.note !== N_NONE) o.note = packetNote(c, r, lang);
  return o;
}

/** The state (ST_*) of the client or the server after a packet: its record's `states`. */
export function packetState(c: Connection, r: PacketRecord, client: boolean): number {
  return client === c.clientIsA ? r.stateA : r.stateB;
}

/** A packet record's `note` (r.note !== N_NONE). */
export function packetNote(c: Connection, r: PacketRecord, lang: Lang): string {
  return message(lang, NOTE_KEYS[r.note], role(c, r.fromA), r.n1, r.n2, r.n3);
}

/** What touchRecords() read last (kept, so that its loads are made). */
export let touchedRecords = 0;

/**
 * Loads a connection's packet records before they are written (RecordStore.touch): with many
 * connections open, a record was last touched thousands of connections ago, and written one
 * after another each waited for its own. Records that are objects already are left as they are.
 */
export function touchRecords(packets: PacketRecords): void {
  if (packets instanceof RecordList) touchedRecords = packets.store.touch(packets.slots);
}

function synOptions(f: Flow): Record<string, unknown> | null {
  if (!flowFlag(f, F_SYN_SEEN)) return null;
  return {
    mss: optionValue(f.synMss),
    windowScale: optionValue(f.synWscale),
    sackPermitted: flowFlag(f, F_SYN_SACK_PERMITTED),
    timestamps: flowFlag(f, F_SYN_TIMESTAMPS),
  };
}

/**
 * The shift applied to a side's windows as the record has it: a number, "none" (WSCALE_NONE: not
 * negotiated) or "unknown".
 */
export function scaleValue(winScale: number): number | string {
  if (winScale >= 0) return winScale;
  return winScale === -2 ? 'none' : 'unknown';
}

/**
 * JSON text of a document, indented by two, with each per-packet record on a line of its own
 * (a capture's packets stay readable and diffable, and the file stays small); see pretty.ts.
 */
export function stringifyDocument(doc: unknown): string {
  return prettyJson(doc, '');
}
