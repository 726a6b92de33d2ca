/**
 * Evaluates `check` expectations on the connections of one capture. Values are the contract's
 * JSON record's (connectionJson's), read from the connection (CheckFacts), so a check means
 * exactly what the JSON document says.
 */
import { initialRtt, type Connection } from '../analyze/connection.js';
import type { Frame } from '../capture/frame.js';
import type { Packet } from '../decode/packet.js';
import type { PacketObserver, PacketResult } from '../analyze/tracker.js';
import { ANALYSIS_NAMES, ANALYSIS_ORDER } from '../analyze/flags.js';
import { STATE_NAMES, S_RST_AFTER_FIN, handshakeKind, isInferredState, storyFlag, teardownKind, type HandshakeKind, type TeardownKind } from '../analyze/story.js';
import { zeekConnState, zeekHistory } from '../analyze/zeek.js';
import { frameOrNull, synRetransmissions, teardownInitiator, type KeepsAlso, type PacketCollector, type PacketRecords } from '../render/json.js';
import { NO_RECORDS } from '../render/records.js';
import { round9 } from '../util/round.js';
import { endpointText, writeEndpoint } from '../render/endpoint.js';
import type { CaptureSummary } from '../pipeline.js';
import { parseSelection, selected, type Selection } from '../cli/select.js';
import { GRACEFUL, type Expectation, type Rules } from './expectations.js';
import { closeSync, openSync, readSync } from 'node:fs';
import { NO_REFS, RecordFile, REFS_FROM, REFS_FROM_CASES, Spool, SPOOL_MEMORY, type RecordAt, type RecordSource, type SourceReads } from '../util/spool.js';
import { ByteWriter, Chunk, ascii, utf8 } from '../util/bytes.js';
import { ResultWriter, RESULT_INDENT, RESULT_SEPARATOR, type ResultConstants } from './result-json.js';
import { JunitCaseWriter, type SpooledCases } from './junit.js';
import { detailBytes, TextLineWriter, type TextMarks } from './text-lines.js';

/** Frames kept per connection and analysis name to show in a report (the count is exact). */
export const FRAMES_SHOWN = 20;
/** AnalysisFrames' spare records at most. */
const SPARE_RECORDS = 1024;

/**
 * Bit b of Wireshark's analysis flags (flags.ts A_*) -> its ANALYSIS_ORDER index, for walking only
 * the bits a packet has set.
 */
const ORDER_OF_BIT: readonly number[] = (() => {
  const out: number[] = new Array<number>(32).fill(-1);
  ANALYSIS_ORDER.forEach(([bit], i) => { out[31 - Math.clz32(bit)] = i; });
  return out;
})();

/**
 * Remembers the first frames of each analysis flag per connection (an observer of the Tracker),
 * for the flags in `wanted` (A_* bits): those an analysis count of the rules counts, the only
 * ones a report shows frames of. With none wanted (no count expectation), it does nothing: on a
 * capture with loss one packet in eight has a flag, and the look-ups cost check about 5% of its
 * time for frames nobody would see.
 *
 * A connection's frames are one Int32Array (a count per wanted name, then FRAMES_SHOWN frames
 * per wanted name: 84 bytes for one), so a flagged packet takes the same steps whether it is its
 * name's first or a later one. With a list per name, the branch for a name seen before (a push)
 * first ran mid-capture on real traffic, after V8 had optimised onPacket() into the tracker's
 * handle(), and threw that code away (`--trace-deopt`, 2026-12-06).
 */
export class AnalysisFrames implements PacketObserver, KeepsAlso {
  /**
   * Per connection, its record (`words` words): on the connection (Connection.flagFrames) when
   * this is its keeper, else here.
   */
  private readonly others = new Map<Connection, Int32Array>();
  /** Connections with a record. */
  private kept = 0;
  /**
   * Records of connections forgotten, to be given again (up to SPARE_RECORDS): a record is 84
   * bytes or more, beyond what V8 makes on its heap (64), so each new one was an ArrayBuffer
   * of its own, malloc'd and swept; on a capture whose every connection retransmits (a flood of
   * retried SYNs, 285 000 connections) recordOf() took 260 ms of `check`'s 3.1 s
   * (docs/performance.md, "2026-12-06 (late evening)").
   */
  private readonly spare: Int32Array[] = [];
  /** Per ANALYSIS_ORDER index, its place among the wanted names (-1: not wanted), and how many are. */
  private readonly place = new Int32Array(ANALYSIS_ORDER.length).fill(-1);
  private readonly kinds: number;
  private readonly words: number;

  constructor(private readonly wanted: number) {
    let k = 0;
    ANALYSIS_ORDER.forEach(([bit], i) => {
      if ((wanted & bit) !== 0) this.place[i] = k++;
    });
    this.kinds = k;
    this.words = k * (1 + FRAMES_SHOWN);
  }

  onPacket(c: Connection, r: PacketResult, _f: Frame, _p: Packet): void {
    let bits = r.analysis & this.wanted;
    if (bits === 0) return;
    // (read before the test: read only for a connection's second flagged packet, its first read
    // came mid-capture and threw handle() away)
    const own = c.flagFrames;
    const rec = c.flagFramesOwner === this ? (own as Int32Array) : this.recordOf(c);
    const frame = r.frame;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const i = this.place[ORDER_OF_BIT[31 - Math.clz32(low)]!]!;
      const n = rec[i]!;
      // nothing else to do once FRAMES_SHOWN are kept (no step of its own to run first mid-capture)
      if (n < FRAMES_SHOWN) {
        rec[this.kinds + i * FRAMES_SHOWN + n] = frame;
        rec[i] = n + 1;
      }
    }
  }

  /** `c`'s record, made on its first flagged packet (on the connection when it has no keeper). */
  private recordOf(c: Connection): Int32Array {
    let rec = this.others.get(c);
    if (rec !== undefined) return rec;
    rec = this.spare.length > 0 ? (this.spare.pop() as Int32Array) : new Int32Array(this.words);
    this.kept++;
    if (c.flagFramesOwner === null) {
      c.flagFramesOwner = this;
      c.flagFrames = rec;
    } else this.others.set(c, rec);
    return rec;
  }

  /** `c`'s record, null when none of its packets had a wanted flag. */
  private recordFor(c: Connection): Int32Array | null {
    return c.flagFramesOwner === this ? c.flagFrames : this.others.size === 0 ? null : (this.others.get(c) ?? null);
  }

  /**
   * Whether packet `r` of `c` is among the first frames kept of one of its flags (asked after
   * onPacket() of the same packet, which kept it if it was): a sparse collector for check's
   * diagrams keeps these packets (PacketCollector.keepAlso), which a failing count names.
   */
  keeps(c: Connection, r: PacketResult): boolean {
    let bits = r.analysis & this.wanted;
    if (bits === 0) return false;
    const rec = this.recordFor(c);
    if (rec === null) return false;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const i = this.place[ORDER_OF_BIT[31 - Math.clz32(low)]!]!;
      const n = rec[i]!;
      if (n > 0 && rec[this.kinds + i * FRAMES_SHOWN + n - 1] === r.frame) return true;
    }
    return false;
  }

  /** The first frames of `c`'s packets flagged ANALYSIS_NAMES[index] (none unless wanted). */
  frames(c: Connection, index: number): number[] {
    const i = this.place[index]!;
    if (i < 0) return NO_FRAMES;
    const rec = this.recordFor(c);
    if (rec === null || rec[i] === 0) return NO_FRAMES;
    const from = this.kinds + i * FRAMES_SHOWN;
    const n = rec[i]!;
    // (a loop: Array.from() of a subarray iterates, 14 ms of a 20 000-connection capture's check)
    const out = new Array<number>(n);
    for (let k = 0; k < n; k++) out[k] = rec[from + k]!;
    return out;
  }

  /** Forgets `c` (finalised). */
  forget(c: Connection): void {
    let rec: Int32Array | null = null;
    if (c.flagFramesOwner === this) {
      rec = c.flagFrames;
      c.flagFramesOwner = null;
      c.flagFrames = null;
    } else {
      rec = this.others.get(c) ?? null;
      if (rec !== null) this.others.delete(c);
    }
    if (rec === null) return;
    this.kept--;
    if (this.spare.length < SPARE_RECORDS) {
      // (the counts; a frame is read only below its name's count)
      rec.fill(0, 0, this.kinds);
      this.spare.push(rec);
    }
  }

  /** Connections with frames remembered (tests: nothing is kept once they are finalised). */
  get size(): number {
    return this.kept;
  }
}

export interface CheckResult {
  /** The rule group's name ("" for the command line / top-level expectations). */
  group: string;
  /** Connection id, or null for an expectation about the capture or the selection. */
  connection: number | null;
  /** "client:port → server:port", null for capture-level results. */
  endpoints: string | null;
  /** The expectation as written (normalised), or a capture-level check's name. */
  expectation: string;
  key: string;
  passed: boolean;
  /** The value found (null when there is none, e.g. no iRTT without a handshake). */
  actual: string | number | null;
  /** One line a person can act on: the value found and why it does (not) satisfy. */
  detail: string;
  /** Frames that show the value (1-based, as Wireshark numbers them). */
  frames: number[];
  /**
   * A per-connection result: which of the connection's results of the same group name and
   * expectation text it is (1 for the first; more when groups share a name or an expectation is
   * repeated). Makes its JUnit test-case name unique without remembering every name.
   */
  nth?: number;
}

/**
 * What a check reads of a connection: the fields of its record (connectionJson) that the
 * expectations compare or show, filled straight from the connection with the record's own
 * functions (json.ts, story.ts): a check means exactly what the JSON document says, without
 * building the record. An evaluator fills one object again for each connection it judges.
 * test/check-facts.test.ts compares it with connectionJson on every fixture and corpus
 * connection and on generated connections.
 */
export class CheckFacts {
  firstFrame = 0;
  lastFrame = 0;
  /** handshake.kind, handshake.frames (null: none), handshake.synRetransmissions, handshake.rtt */
  handshake: HandshakeKind = 'not-captured';
  syn: number | null = null;
  synAck: number | null = null;
  hsAck: number | null = null;
  synRetransmissions = 0;
  rtt: number | null = null;
  /** teardown.kind, teardown.initiator, teardown.rstAfterFin, teardown.frames */
  teardown: TeardownKind = 'none';
  initiator: 'client' | 'server' | null = null;
  rstAfterFin = false;
  fin: number | null = null;
  finAck: number | null = null;
  secondFin: number | null = null;
  lastAck: number | null = null;
  rst: number | null = null;
  /** finalState.client and .server, and whether finalState.inferred names them */
  clientState = '';
  serverState = '';
  clientInferred = false;
  serverInferred = false;
  /** zeek.state, zeek.history */
  zeekState = '';
  zeekHistory = '';
  /** The connection's analysis counts by ANALYSIS_NAMES index: read them with count(). */
  analysis: ArrayLike<number> = [];

  /** analysis[name] of the record: the count of ANALYSIS_NAMES[i] (the record has those above 0). */
  count(i: number): number {
    const n = this.analysis[i] ?? 0;
    return n > 0 ? n : 0;
  }
}

/** Fills `f` with what connectionJson(c) says. */
export function fillFacts(f: CheckFacts, c: Connection): void {
  const s = c.story;
  f.firstFrame = c.firstFrame;
  f.lastFrame = c.lastFrame;
  f.handshake = handshakeKind(s);
  f.syn = frameOrNull(s.synFrame);
  f.synAck = frameOrNull(s.synAckFrame);
  f.hsAck = frameOrNull(s.hsAckFrame);
  f.synRetransmissions = synRetransmissions(s);
  const rtt = initialRtt(c);
  f.rtt = rtt === null ? null : round9(rtt);
  const tk = teardownKind(s);
  f.teardown = tk;
  f.initiator = teardownInitiator(c, tk);
  f.rstAfterFin = storyFlag(s, S_RST_AFTER_FIN);
  f.fin = frameOrNull(s.fin1Frame);
  f.finAck = frameOrNull(s.fin1AckFrame);
  f.secondFin = frameOrNull(s.fin2Frame);
  f.lastAck = frameOrNull(s.fin2AckFrame);
  f.rst = frameOrNull(s.rstFrame);
  const stClient = c.clientIsA ? s.stateA : s.stateB;
  const stServer = c.clientIsA ? s.stateB : s.stateA;
  f.clientState = STATE_NAMES[stClient];
  f.serverState = STATE_NAMES[stServer];
  f.clientInferred = isInferredState(stClient);
  f.serverInferred = isInferredState(stServer);
  f.zeekState = zeekConnState(c);
  f.zeekHistory = zeekHistory(c);
  f.analysis = c.analysis;
}

/**
 * The frames given, each once, in order (a three-segment close's FIN-ACK is two of its
 * frames); null and 0 are none.
 */
export function frames(a: number | null, b: number | null = null, c: number | null = null, d: number | null = null, e: number | null = null): number[] {
  const out: number[] = [];
  framesInto(out, a, b, c, d, e);
  return out;
}

/** frames(a, b, c, d, e) into `out` (emptied first): Judge.detailJson's scratch array. */
function framesInto(out: number[], a: number | null, b: number | null, c: number | null, d: number | null = null, e: number | null = null): void {
  emptied(out);
  addFrame(out, a);
  addFrame(out, b);
  addFrame(out, c);
  addFrame(out, d);
  addFrame(out, e);
}

/**
 * Empties a scratch array, keeping its room. `length = 0` gave the array an empty store in a
 * call to the runtime, and the next push a new one: about 70 ns where popping its few elements
 * takes a few, three times a connection in `check --json` (a million connections on the SYN
 * flood; `set length` was 70 ms of its profile).
 */
function emptied(out: number[]): void {
  while (out.length > 0) out.pop();
}

/** Inserts frame x into the sorted list `out` unless it is none or already there. */
function addFrame(out: number[], x: number | null): void {
  if (x === null || !(x > 0)) return;
  let i = out.length;
  while (i > 0 && out[i - 1]! > x) i--;
  if (i > 0 && out[i - 1] === x) return;
  out.push(x);
  for (let k = out.length - 1; k > i; k--) out[k] = out[k - 1]!;
  out[i] = x;
}

/** No frames: the frames of an expectation that is not an analysis count (never written to). */
const NO_FRAMES: number[] = [];

/** `frame 7` or `frames 1, 2, 3` ('' for none). */
function list(xs: number[]): string {
  if (xs.length === 0) return '';
  if (xs.length === 1) return `frame ${xs[0]}`;
  let s = `frames ${xs[0]}`;
  for (let i = 1; i < xs.length; i++) s += `, ${xs[i]}`;
  return s;
}

/** The teardown value a check sees: an RST after the FINs counts as `reset` unless allowed. */
function teardownValue(f: CheckFacts, allowRstAfterFin: boolean): TeardownKind {
  if (!f.rstAfterFin) return f.teardown;
  if (!allowRstAfterFin) return 'reset';
  return f.teardown === 'reset' ? 'half-closed' : f.teardown;
}

/** Why the teardown value is what it is, and the frames that show it. */
function teardownDetail(f: CheckFacts, allowRstAfterFin: boolean): { detail: string; frames: number[] } {
  if (f.rstAfterFin) {
    const finKind = f.teardown === 'reset' ? 'half-closed' : f.teardown;
    const how = `${finKind === 'half-closed' ? 'one FIN' : `FINs exchanged (${finKind})`}, then a RST in frame ${f.rst}`;
    const fr = frames(f.fin, f.finAck, f.secondFin, f.lastAck, f.rst);
    if (allowRstAfterFin) return { detail: `${how}; the RST after FIN is allowed`, frames: fr };
    return { detail: `${how} (allow it with --allow-rst-after-fin)`, frames: fr };
  }
  if (f.teardown === 'reset') return { detail: `reset: RST from the ${f.initiator ?? 'unknown side'} in frame ${f.rst}`, frames: frames(f.rst) };
  if (f.teardown === 'none') return { detail: NO_TEARDOWN, frames: [] };
  const finFrames = frames(f.fin, f.finAck, f.secondFin, f.lastAck);
  const who = f.initiator ? ` (first FIN from the ${f.initiator})` : '';
  return { detail: `${f.teardown}${who}: ${list(finFrames)}`, frames: finFrames };
}

// details that are the same for every connection they describe (made once)
const UNANSWERED_ONCE = 'unanswered: the SYN was sent once, no SYN-ACK came back';
const NO_TEARDOWN = 'no FIN or RST in the capture';
const NOT_GRACEFUL = ' \u2014 graceful means four-way, three-way or simultaneous';
const NO_TEARDOWN_NOT_GRACEFUL = NO_TEARDOWN + NOT_GRACEFUL;
const NO_IRTT_SAME_TIME = 'no iRTT: the SYN and the final ACK have the same timestamp (Wireshark then shows no initial RTT either)';

/** Whether `actual` is within 1e-9 (relative, from 1 up) of x. */
function near(actual: number, x: number): boolean {
  return Math.abs(actual - x) <= 1e-9 * Math.max(1, Math.abs(x));
}

function compareNumber(actual: number, e: Expectation): boolean {
  const xs = e.numbers;
  switch (e.op) {
    case '=':
    case '!=': {
      let any = false;
      for (let i = 0; i < xs.length; i++) {
        if (near(actual, xs[i]!)) {
          any = true;
          break;
        }
      }
      return e.op === '=' ? any : !any;
    }
    case '<=': return actual <= xs[0]! || near(actual, xs[0]!);
    case '>=': return actual >= xs[0]! || near(actual, xs[0]!);
  }
}

function compareEnum(actual: string, e: Expectation): boolean {
  const inList = e.values.includes(actual);
  return e.op === '=' ? inList : !inList;
}

function isGracefulList(e: Expectation): boolean {
  return e.values.length === GRACEFUL.length && GRACEFUL.every((g) => e.values.includes(g));
}

const K_HANDSHAKE = 0;
const K_TEARDOWN = 1;
const K_INITIATOR = 2;
const K_ZEEK = 3;
const K_CLIENT_STATE = 4;
const K_SERVER_STATE = 5;
const K_IRTT = 6;
const K_COUNT = 7;
const KEY_CODES = new Map<string, number>([
  ['handshake', K_HANDSHAKE], ['teardown', K_TEARDOWN], ['initiator', K_INITIATOR], ['zeek', K_ZEEK],
  ['client-state', K_CLIENT_STATE], ['server-state', K_SERVER_STATE], ['irtt', K_IRTT],
]);

/** A per-connection expectation made ready to judge many connections. */
export class Judge {
  /** K_*: which value the expectation compares. */
  readonly code: number;
  /** For an analysis count, its ANALYSIS_NAMES index. */
  readonly index: number;
  /** A teardown expectation that allows exactly the graceful kinds (its failures say what graceful means). */
  readonly graceful: boolean;

  constructor(readonly e: Expectation) {
    const code = KEY_CODES.get(e.key);
    this.index = code === undefined ? ANALYSIS_NAMES.indexOf(e.key) : -1;
    if (code === undefined && this.index < 0) throw new Error(`not a per-connection expectation: ${e.key}`);
    this.code = code ?? K_COUNT;
    this.graceful = this.code === K_TEARDOWN && e.op === '=' && isGracefulList(e);
    this.noPackets = `no ${e.key} packets`;
  }

  /** An analysis count's detail when it is 0. */
  private readonly noPackets: string;
  /** The last Zeek detail and what it was made from. */
  private zeekState = '';
  private zeekHistory = '';
  private zeekDetail = '';
  /** The last "no iRTT" detail of a handshake without its SYN or final ACK, and its kind. */
  private noIrttKind = '';
  private noIrttDetail = '';

  /** The value the expectation compares for the connection: a result's `actual` (null: none, irtt only). */
  actual(f: CheckFacts, allowRstAfterFin: boolean): string | number | null {
    switch (this.code) {
      case K_HANDSHAKE: return f.handshake;
      case K_TEARDOWN: return teardownValue(f, allowRstAfterFin);
      case K_INITIATOR: return f.initiator ?? 'none';
      case K_ZEEK: return f.zeekState;
      case K_CLIENT_STATE: return f.clientState;
      case K_SERVER_STATE: return f.serverState;
      case K_IRTT: return f.rtt;
      default: return f.count(this.index);
    }
  }

  /** Whether `actual` (this.actual's) satisfies the expectation; no value never does. */
  holds(actual: string | number | null): boolean {
    if (actual === null) return false;
    return typeof actual === 'number' ? compareNumber(actual, this.e) : compareEnum(actual, this.e);
  }

  /**
   * The result's line a person can act on and the frames that show the value. `passed` and
   * `actual`: this.holds's and this.actual's; `af`: the first frames of an analysis count.
   */
  explain(f: CheckFacts, actual: string | number | null, passed: boolean, af: number[], allowRstAfterFin: boolean): { detail: string; frames: number[] } {
    switch (this.code) {
      case K_HANDSHAKE: {
        const hsFrames = frames(f.syn, f.synAck, f.hsAck);
        const h = f.handshake;
        let detail: string;
        if (h === 'unanswered') detail = f.synRetransmissions === 0 ? UNANSWERED_ONCE : `unanswered: the SYN was sent ${f.synRetransmissions + 1} times, no SYN-ACK came back`;
        else if (h === 'refused') detail = `refused: the SYN was answered by a RST (frame ${f.rst})`;
        else if (h === 'not-captured') detail = `not-captured: the capture starts in the middle of the connection (frame ${f.firstFrame})`;
        else if (h === 'incomplete') detail = 'incomplete: SYN and SYN-ACK, but no final ACK';
        else detail = `${h}: ${list(hsFrames)}`;
        const fr = h === 'refused' ? frames(f.syn, f.synAck, f.hsAck, f.rst) : h === 'not-captured' ? [f.firstFrame] : hsFrames;
        return { detail, frames: fr };
      }
      case K_TEARDOWN: {
        const t = teardownDetail(f, allowRstAfterFin);
        if (!passed && this.graceful) t.detail = t.detail === NO_TEARDOWN ? NO_TEARDOWN_NOT_GRACEFUL : t.detail + NOT_GRACEFUL;
        return t;
      }
      case K_INITIATOR: {
        const fr = frames(f.fin ?? (f.teardown === 'reset' ? f.rst : null));
        const detail = actual === 'none' ? 'nobody: no FIN or RST in the capture' : `the ${actual} sent the first ${f.teardown === 'reset' ? 'RST' : 'FIN'} (${list(fr)})`;
        return { detail, frames: fr };
      }
      case K_ZEEK:
        return { detail: this.zeekDetailOf(f), frames: NO_FRAMES };
      case K_CLIENT_STATE:
      case K_SERVER_STATE: {
        const client = this.code === K_CLIENT_STATE;
        const side = client ? 'client' : 'server';
        const inferred = (client ? f.clientInferred : f.serverInferred) ? ' (inferred)' : '';
        return { detail: `the ${side} is in ${actual}${inferred} after the last packet (frame ${f.lastFrame})`, frames: [f.lastFrame] };
      }
      case K_IRTT: {
        const hsFrames = frames(f.syn, f.synAck, f.hsAck);
        if (f.rtt === null) return { detail: this.noIrttOf(f), frames: hsFrames };
        return { detail: `iRTT ${(f.rtt * 1000).toFixed(3)} ms (SYN to final ACK: ${list(hsFrames)})`, frames: hsFrames };
      }
      default: {
        const n = actual as number;
        const key = this.e.key;
        const more = n > af.length ? ` (first ${af.length} shown)` : '';
        return { detail: n === 0 ? this.noPackets : `${n} ${key} packet(s): ${list(af)}${more}`, frames: af };
      }
    }
  }

  /**
   * A Zeek expectation's detail: the same state and history from one connection to the next give
   * the same string, which the JSON report then encodes once (result-json.ts's EncodedString).
   */
  private zeekDetailOf(f: CheckFacts): string {
    if (f.zeekState !== this.zeekState || f.zeekHistory !== this.zeekHistory) {
      this.zeekState = f.zeekState;
      this.zeekHistory = f.zeekHistory;
      this.zeekDetail = `${f.zeekState} (history ${f.zeekHistory || '-'})`;
    }
    return this.zeekDetail;
  }

  /** An iRTT expectation's detail when there is no iRTT. */
  private noIrttOf(f: CheckFacts): string {
    if (f.syn !== null && f.hsAck !== null) return NO_IRTT_SAME_TIME;
    // by the handshake's kind, made once while it stays the same (a flood's: unanswered)
    if (f.handshake !== this.noIrttKind) {
      this.noIrttKind = f.handshake;
      this.noIrttDetail = `no iRTT: the handshake is ${f.handshake}, so there is no SYN \u2192 final ACK time`;
    }
    return this.noIrttDetail;
  }

  /**
   * explain()'s detail and frames, for the spooled JSON results. The details that name frames,
   * different for every connection (a handshake's, a FIN teardown's, an iRTT's), are written
   * as their JSON string into `out` (from 0) from the facts, without their text made; the
   * others are left in `detail` (`out` left empty), which the report encodes through its cache
   * (most are the same from one connection to the next): the constant ones (a SYN-flood
   * connection's five) without explain()'s objects, the rest from explain(). The frames made
   * here are a scratch array, valid until the next call.
   */
  detailJson(f: CheckFacts, actual: string | number | null, passed: boolean, af: number[], allowRstAfterFin: boolean, out: ByteWriter): readonly number[] {
    out.pos = 0;
    const fr = this.scratch;
    switch (this.code) {
      case K_HANDSHAKE: {
        const h = f.handshake;
        if (h === 'unanswered' && f.synRetransmissions === 0) {
          framesInto(fr, f.syn, f.synAck, f.hsAck);
          this.detail = UNANSWERED_ONCE;
          return fr;
        }
        if (h === 'unanswered' || h === 'refused' || h === 'not-captured' || h === 'incomplete') break;
        framesInto(fr, f.syn, f.synAck, f.hsAck);
        out.byte(QUOTE);
        out.text(h);
        out.raw(COLON_SPACE);
        listBytes(out, fr);
        out.byte(QUOTE);
        return fr;
      }
      case K_TEARDOWN: {
        const t = f.teardown;
        if (!f.rstAfterFin && t === 'none') {
          emptied(fr);
          this.detail = !passed && this.graceful ? NO_TEARDOWN_NOT_GRACEFUL : NO_TEARDOWN;
          return fr;
        }
        if (f.rstAfterFin || t === 'reset') break;
        framesInto(fr, f.fin, f.finAck, f.secondFin, f.lastAck);
        out.byte(QUOTE);
        out.text(t);
        if (f.initiator) {
          out.raw(FIRST_FIN_FROM);
          out.text(f.initiator);
          out.byte(CLOSE_PAREN);
        }
        out.raw(COLON_SPACE);
        listBytes(out, fr);
        if (!passed && this.graceful) out.raw(NOT_GRACEFUL_BYTES);
        out.byte(QUOTE);
        return fr;
      }
      case K_IRTT: {
        framesInto(fr, f.syn, f.synAck, f.hsAck);
        if (f.rtt === null) {
          this.detail = this.noIrttOf(f);
          return fr;
        }
        out.raw(IRTT_OPEN);
        out.text((f.rtt * 1000).toFixed(3));
        out.raw(IRTT_MS);
        listBytes(out, fr);
        out.raw(CLOSE_PAREN_QUOTE);
        return fr;
      }
      case K_ZEEK:
        this.detail = this.zeekDetailOf(f);
        return NO_FRAMES;
      case K_COUNT:
        if (actual !== 0) break;
        this.detail = this.noPackets;
        return af;
      default:
        break;
    }
    const why = this.explain(f, actual, passed, af, allowRstAfterFin);
    this.detail = why.detail;
    return why.frames;
  }

  /** detailJson's frames. */
  private readonly scratch: number[] = [];
  /** detailJson's detail when it leaves `out` empty. */
  detail = '';
}

/** list(xs) as bytes. */
function listBytes(w: ByteWriter, xs: readonly number[]): void {
  if (xs.length === 0) return;
  w.raw(xs.length === 1 ? FRAME_WORD : FRAMES_WORD);
  w.num(xs[0]!);
  for (let i = 1; i < xs.length; i++) {
    w.raw(COMMA_SPACE);
    w.num(xs[i]!);
  }
}

const CLOSE_PAREN = 0x29;
const COLON_SPACE = ascii(': ');
const COMMA_SPACE = ascii(', ');
const FRAME_WORD = ascii('frame ');
const FRAMES_WORD = ascii('frames ');
const FIRST_FIN_FROM = ascii(' (first FIN from the ');
const NOT_GRACEFUL_BYTES = utf8(NOT_GRACEFUL);
const IRTT_OPEN = ascii('"iRTT ');
const IRTT_MS = ascii(' ms (SYN to final ACK: ');
const CLOSE_PAREN_QUOTE = ascii(')"');

export interface CaptureCheck {
  file: string;
  truncated: boolean;
  /** The read stopped at a damaged record (exit 2); what came before was checked. */
  error: string | null;
  /** Connections in the capture (before any selection). */
  connections: number;
  /**
   * As the capture's JSON document has them (capture.evictedConnections, splitConnections,
   * warnings): connections finalised early by --max-connections, continuation records, and what
   * else reading found (frames cut short, malformed, of unsupported link types). The reports
   * carry them, so that a check judged on partial records says so beside its results.
   */
  evictedConnections: number;
  splitConnections: number;
  warnings: string[];
  /** The results in report order (see ResultList). */
  results: ResultList;
  /** How many of `results` fail. */
  failed: number;
  /** The smallest ids of failing connections, at most MAX_DIAGRAMS + 1, in order (for diagrams). */
  failingConnections: number[];
  /**
   * When the evaluator was told it need not keep every passing result (no report lists them)
   * and there were many: how many passing per-connection results are not in `results`, and the
   * passes summed per group and expectation, in the order their first results would have had.
   */
  omittedPasses?: number;
  passes?: PassGroup[];
  /**
   * When no report lists every result: how many failing per-connection results are not in
   * `results` (each rule group keeps its first TEXT_FAILURES by connection id, more than any
   * report lists of it; `failed` counts them all).
   */
  omittedFailures?: number;
  /**
   * With --junit: the per-connection results' test cases, as the evaluator wrote them (every
   * result's, whether or not `results` holds it), and where they go among the others.
   */
  junit?: SpooledSections;
  /**
   * With --verbose (text): the per-connection results' lines of the text report, as the evaluator
   * wrote them (every result's), and where they go among the others: the failures' and the
   * passes' apart, as the report lists every failure before the passes.
   */
  text?: TextSections;
}

/** The verbose text report's spooled lines: the failures' and the passes', one plan for both. */
export interface TextSections {
  failures: SpooledSections;
  passes: SpooledSections;
}

/**
 * A capture's results in the order the reports list them: an array (a few results), or a
 * SpooledResults that reads the per-connection results back from a spool each time it is
 * iterated. Iterate it; do not index it.
 */
export type ResultList = Iterable<CheckResult> & { readonly length: number };

/**
 * The failing results of a capture's list, in order: its `failed` less those not in it
 * (omittedFailures), so the list is read only up to its last failure (a spooled list is read
 * back from the spool: a check of a million results that all hold reads none).
 */
export function* failures(c: CaptureCheck): Generator<CheckResult> {
  let left = c.failed - (c.omittedFailures ?? 0);
  if (left <= 0) return;
  for (const r of c.results) {
    if (r.passed) continue;
    yield r;
    if (--left === 0) return;
  }
}

/**
 * A per-connection result's `endpoints`: client and server (endpointText), and for a
 * continuation (continuedFrom >= 0, its first frame) which record it is: every report says so,
 * and the frame keeps JUnit's case names unique when an id has more than one record.
 */
function endpointsText(client: string, server: string, continuedFrom: number): string {
  return `${client}${ARROW}${server}${continuedFrom >= 0 ? `${CONTINUED_FROM}${continuedFrom}${CONTINUED_END}` : ''}`;
}
const ARROW = ' \u2192 ';
const CONTINUED_FROM = ' (continued from frame ';

const CONTINUED_END = ': packets after the connection was finalised)';
const ARROW_BYTES = utf8(ARROW);
const CONTINUED_FROM_BYTES = ascii(CONTINUED_FROM);
const QUOTE = 0x22;

/**
 * Whether a per-connection result is a continuation's (a second record of its connection): its
 * pass is not another connection holding the expectation ("holds on N connections" counts
 * streams, as `connections` does; the stream's earlier record was judged too).
 */
export function isContinuationResult(r: CheckResult): boolean {
  return r.endpoints !== null && r.endpoints.includes(CONTINUED_FROM);
}

/**
 * A connection's endpointsText as its JSON string, written from the connection (the client's
 * and server's digits, no string made): the same bytes as JSON.stringify, as nothing in it is
 * escaped (digits, dots, colons, brackets, hex, the arrow, the fixed words).
 */
function writeEndpointsJson(w: ByteWriter, c: Connection): void {
  w.byte(QUOTE);
  writeEndpointsText(w, c);
  w.byte(QUOTE);
}

/** A connection's endpointsText as bytes, from its addresses (for JSON and JUnit: nothing in it is escaped). */
function writeEndpointsText(w: ByteWriter, c: Connection): void {
  writeEndpoint(w, c, true);
  w.raw(ARROW_BYTES);
  writeEndpoint(w, c, false);
  if (c.continued) {
    w.raw(CONTINUED_FROM_BYTES);
    w.num(c.firstFrame);
    w.raw(CONTINUED_END_BYTES);
  }
}
const CONTINUED_END_BYTES = ascii(CONTINUED_END);

/** A rule group as its spooled results are read back: its name and its per-connection expectations. */
export interface ResultGroup {
  name: string;
  perConn: Expectation[];
}

/** The per-connection expectations of a rules file's groups, as CaptureEvaluator and SpooledResults number them. */
export function resultGroups(rules: Rules): ResultGroup[] {
  return rules.groups.map((g) => ({ name: g.name, perConn: g.expect.filter((e) => e.key !== 'connections') }));
}

/** A connection's results of one rule group, as spooled: [expectation index, passed, actual, detail, frames, nth]. */
type Row = [number, 0 | 1, string | number | null, string, number[], number];

/** A per-connection result, of `ends` (endpointsText) and what the judge explained. */
function connectionResult(group: string, id: number, ends: string, e: Expectation, passed: boolean, actual: string | number | null, why: { detail: string; frames: number[] }, nth: number): CheckResult {
  return { group, connection: id, endpoints: ends, expectation: e.text, key: e.key, passed, actual, detail: why.detail, frames: why.frames, nth };
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** A Row as JSON.stringify writes it. */
function writeRow(w: ByteWriter, i: number, passed: boolean, actual: string | number | null, detail: string, frames: readonly number[], nth: number): void {
  w.byte(OPEN_BRACKET);
  w.uint(i);
  w.byte(COMMA);
  w.byte(passed ? 0x31 : 0x30);
  w.byte(COMMA);
  if (actual === null) w.null();
  else if (typeof actual === 'number') w.num(actual);
  else w.str(actual);
  w.byte(COMMA);
  w.str(detail);
  w.byte(COMMA);
  w.byte(OPEN_BRACKET);
  for (let k = 0; k < frames.length; k++) {
    if (k > 0) w.byte(COMMA);
    w.num(frames[k]!);
  }
  w.byte(CLOSE_BRACKET);
  w.byte(COMMA);
  w.uint(nth);
  w.byte(CLOSE_BRACKET);
}

/** `source` and the passes a report makes over it: one a rule group's index among `plan`'s segments. */
function readsOf(source: RecordSource, plan: readonly (readonly CheckResult[] | number)[]): SourceReads {
  let passes = 0;
  for (const seg of plan) if (typeof seg === 'number') passes++;
  return { source, passes };
}

/**
 * The results of a big check: capture-level results in memory, and the per-connection results of
 * each rule group (every one when a report lists them all, --json; else the failures, the
 * passes being counted; JUnit's cases and --verbose's lines are spooled apart, SpooledSections)
 * read back from a spool
 * (memory up to its budget, then a temporary file) in connection-id order. One record per
 * connection, key its id: [client, server, continued from, group index, rows, group index, rows,
 * …] (the endpoints' text is made when read: the arrow between them would make every record's
 * JSON a two-byte string, slower to write, encode and parse). So a check of millions of connections × expectations keeps none of
 * them as objects; each iteration reads the spool again. The evaluator's close() removes the
 * temporary file.
 */
export class SpooledResults implements ResultList {
  /** In report order: results kept in memory, or a group index (its per-connection results). */
  readonly segments: (CheckResult[] | number)[] = [];
  length = 0;

  /**
   * `asBytes`: the records hold the JSON report's bytes of each result (RESULT_HEAD below), not
   * rows: the report copies them (writeResults); iterating parses them back (resultBytes).
   * `refs`: those bytes may have chunks as references (ByteWriter.refs, the evaluator's spool),
   * put back result by result as they are read (the lengths between the results are binary,
   * which Spool.records() would take for text); a result without any is JSON text, which never
   * holds a REF byte, and comes back as it is.
   */
  constructor(private readonly spool: RecordSource, private readonly groups: readonly ResultGroup[], readonly asBytes = false, private readonly refs = false) {}

  /** The spool, read once a segment's group by writeResults(), read() and iteration. */
  get reads(): SourceReads {
    return readsOf(this.spool, this.segments);
  }

  /** The spool's records as they were put (references and all, with `refs`), in one RecordAt reused. */
  private raw(): Generator<RecordAt> {
    return this.spool.views();
  }

  /** resultBytes()'s results, references put back (with `refs`). */
  private expanded: ByteWriter | null = null;

  /**
   * Writes the results to `fd` for fromFile(): the segments (the results held as objects, and
   * the group indexes), then the spooled records as they are (RecordFile.write). For `check -j`:
   * a worker's results reach the main thread's reports in the form the evaluator spooled them
   * (rows, or the JSON report's bytes), not as objects made again from JSON lines (`check -j 2
   * --json` of two 1M-packet captures took 4.7 s that way, where -j 1 took 1.8).
   */
  writeTo(fd: number): void {
    // (a reference's number is this thread's: the main thread gets the results' bytes put back)
    writeWithHead(fd, this.segments, this.refs ? this.expandedRecords() : this.spool.records());
  }

  /** With `refs`: the records with every result's references put back, and its length made that of the bytes put back. */
  private expandedRecords(): Generator<{ key: number; bytes: Buffer }> {
    return expandedSections(this.spool);
  }

  /** The results writeTo() wrote to `path`, `length` of them, the groups being `rules`'s (resultGroups). */
  static fromFile(path: string, length: number, groups: readonly ResultGroup[], asBytes: boolean): SpooledResults {
    const { head: segments, records } = readWithHead<(CheckResult[] | number)[]>(path);
    const r = new SpooledResults(records, groups, asBytes);
    r.segments.push(...segments);
    r.length = length;
    return r;
  }

  /** Where resultBytes() found its result: `bytesLen` bytes of `bytesBuf` from `bytesStart` (until its next step). */
  bytesBuf: Buffer = Buffer.alloc(0);
  bytesStart = 0;
  bytesLen = 0;

  /**
   * With asBytes: steps through the spooled results of rule group `gi` in id order, each one's
   * bytes (the separator before it, its indent and its JSON) in bytesBuf/bytesStart/bytesLen.
   */
  *resultBytes(gi: number): Generator<void> {
    for (const { buf: bytes, start, len } of this.raw()) {
      for (let o = start; o < start + len;) {
        const g = bytes.readUInt32LE(o);
        const n = bytes.readUInt32LE(o + 4);
        if (g === gi) {
          if (this.refs) {
            const x = (this.expanded ??= new ByteWriter(4096));
            x.pos = 0;
            x.expandRefs(bytes, o + 8, n);
            this.bytesBuf = x.buf;
            this.bytesStart = 0;
            this.bytesLen = x.pos;
          } else {
            this.bytesBuf = bytes;
            this.bytesStart = o + 8;
            this.bytesLen = n;
          }
          yield;
        }
        o += 8 + n;
      }
    }
  }

  /**
   * With asBytes: steps through the spooled records in id order, and at each step writes into
   * `w` the results of rule group `gi` the record holds, each with the separator before it but
   * the first of all (the first result of the list goes without); `written` counts them. One
   * step a connection, where the JSON report stepped through resultBytes() one result at a
   * time: a SYN flood's five million results, each a step of two generators.
   */
  *writeResults(w: ByteWriter, gi: number): Generator<void> {
    // (the separator is at the start of a result's bytes, never a reference: RESULT_HEAD)
    const skip = RESULT_SEPARATOR.length;
    const refs = this.refs;
    for (const r of this.raw()) {
      const bytes = r.buf;
      const end = r.start + r.len;
      for (let o = r.start; o < end;) {
        const g = bytes.readUInt32LE(o);
        const n = bytes.readUInt32LE(o + 4);
        if (g === gi) {
          const from = this.written++ === 0 ? skip : 0;
          if (refs) w.expandRefs(bytes, o + 8 + from, n - from);
          else w.bytes(bytes, o + 8 + from, n - from);
        }
        o += 8 + n;
      }
      yield;
    }
  }

  /** Results writeResults() has written. */
  written = 0;

  *[Symbol.iterator](): Generator<CheckResult> {
    for (const seg of this.segments) {
      if (typeof seg !== 'number') yield* seg;
      else for (const x of this.read(seg)) yield x.r;
    }
  }

  /** The spooled results of rule group `gi`, in id order, each with its expectation's index. */
  *read(gi: number): Generator<{ r: CheckResult; i: number }> {
    const g = this.groups[gi]!;
    if (this.asBytes) {
      // (the JSON report copies the bytes; another reader gets the results back from them)
      const skip = RESULT_HEAD.length;
      for (const _ of this.resultBytes(gi)) {
        const o = JSON.parse(this.bytesBuf.toString('utf8', this.bytesStart + skip, this.bytesStart + this.bytesLen)) as CheckResult & { group: string | null };
        yield { r: { ...o, group: o.group ?? '' }, i: g.perConn.findIndex((e) => e.text === o.expectation) };
      }
      return;
    }
    for (const { key, bytes } of this.spool.records()) {
      const block = JSON.parse(bytes.toString('utf8')) as (string | number | Row[])[];
      let ends: string | null = null;
      for (let k = 3; k < block.length; k += 2) {
        if (block[k] !== gi) continue;
        ends ??= endpointsText(block[0] as string, block[1] as string, block[2] as number);
        for (const [i, passed, actual, detail, frames, nth] of block[k + 1] as Row[]) {
          const e = g.perConn[i]!;
          yield { r: { group: g.name, connection: key, endpoints: ends, expectation: e.text, key: e.key, passed: passed === 1, actual, detail, frames, nth }, i };
        }
      }
    }
  }

  /** True while results are in the temporary file (until close()). */
  get spilled(): boolean {
    return this.spool.spilled;
  }

  close(): void {
    this.spool.close();
  }
}

/**
 * A capture's per-connection results as a report's bytes, as the evaluator spooled them (JUnit's
 * test cases, JunitCaseWriter; the verbose text report's lines, TextLineWriter): a record a
 * connection (key its id), holding sections, each a tag and the length of its bytes (uint32s,
 * little-endian), then the bytes; the tag is the rule group's index. `plan`: the capture's
 * results in report order, those held as objects (capture-level) and the groups' indexes where
 * their sections go.
 */
export class SpooledSections implements SpooledCases {
  /**
   * A record written with chunks as references (RecordAt.refs: the evaluator's spools, past
   * REFS_FROM_CASES) has them put back as its sections are copied. (The text report's two
   * spools, of failures and of passes, share one plan.)
   */
  constructor(private readonly source: RecordSource, readonly plan: (CheckResult[] | number)[] = []) {}

  /** The records, read once a tag of the plan by write(). */
  get reads(): SourceReads {
    return readsOf(this.source, this.plan);
  }

  /** Whether the records went to a temporary file (a spool past its budget). */
  get spilled(): boolean {
    return this.source.spilled;
  }

  /** Copies the sections tagged `tag` into `w`, in id order, a step a record. */
  *write(w: ByteWriter, tag: number): Generator<void> {
    for (const r of this.source.views()) {
      const b = r.buf;
      const end = r.start + r.len;
      const refs = r.refs;
      for (let o = r.start; o < end;) {
        const n = b.readUInt32LE(o + 4);
        if (b.readUInt32LE(o) === tag) {
          if (refs) w.expandRefs(b, o + 8, n);
          else w.bytes(b, o + 8, n);
        }
        o += 8 + n;
      }
      yield;
    }
  }

  /** Writes the plan and the records to `fd`, for fromFile() (check -j: a worker's sections to the main thread). */
  writeTo(fd: number): void {
    // (a reference's number is this thread's: the main thread gets the bytes put back)
    writeWithHead(fd, this.plan, expandedSections(this.source));
  }

  /** The sections writeTo() wrote to `path`. */
  static fromFile(path: string): SpooledSections {
    const { head: plan, records } = readWithHead<(CheckResult[] | number)[]>(path);
    return new SpooledSections(records, plan);
  }
}

/** Ends the section that starts at `at` in `w` (8 bytes left for them): its tag and its length. */
function closeSection(w: ByteWriter, at: number, tag: number): void {
  w.u32At(at, tag);
  w.u32At(at + 4, w.pos - at - 8);
}

/**
 * Records of sections (each a tag and a length, uint32s, little-endian, then bytes), each
 * section's references put back where the record has them (RecordAt.refs) and its length made
 * that of the bytes put back.
 */
function* expandedSections(source: RecordSource): Generator<{ key: number; bytes: Buffer }> {
  const x = new ByteWriter(64 * 1024);
  for (const { key, buf: bytes, start, len, refs } of source.views()) {
    if (!refs) {
      yield { key, bytes: bytes.subarray(start, start + len) };
      continue;
    }
    x.pos = 0;
    for (let o = start; o < start + len;) {
      const n = bytes.readUInt32LE(o + 4);
      const at = x.pos;
      x.bytes(bytes, o, 8);
      x.expandRefs(bytes, o + 8, n);
      x.buf.writeUInt32LE(x.pos - at - 8, at + 4);
      o += 8 + n;
    }
    yield { key, bytes: x.buf.subarray(0, x.pos) };
  }
}

/**
 * Writes `head` as JSON, after its length (a uint32, little-endian), then `records` as a
 * RecordFile holds them, to `fd`: how a `check -j` worker's spooled results reach the main thread.
 */
function writeWithHead(fd: number, head: unknown, records: Iterable<{ key: number; bytes: Buffer }>): void {
  const json = Buffer.from(JSON.stringify(head));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  RecordFile.write(fd, [len, json], records);
}

/** What writeWithHead() wrote to `path`: its head, and its records. */
function readWithHead<T>(path: string): { head: T; records: RecordFile } {
  const fd = openSync(path, 'r');
  try {
    const len = Buffer.alloc(4);
    readSync(fd, len, 0, 4, 0);
    const json = Buffer.alloc(len.readUInt32LE(0));
    readSync(fd, json, 0, json.length, 4);
    return { head: JSON.parse(json.toString('utf8')) as T, records: new RecordFile(path, 4 + json.length) };
  } finally {
    closeSync(fd);
  }
}

/**
 * What comes before each result spooled as bytes: the JSON report's separator and indent. A
 * record of such results (one per connection) is, for each result, the rule group's index and the
 * result's length (uint32s, little-endian), then its bytes: this, then its JSON (ResultWriter),
 * whose constant text is written as references (the spool's refs; this, as bytes, never is).
 */
const RESULT_HEAD = new Chunk(`${RESULT_SEPARATOR}${RESULT_INDENT}`);

/**
 * Room the spool's arena makes for a connection's results before they are written (a few
 * hundred bytes each; a longer list of frames grows the writer, as Spool.writer says).
 */
const RESULTS_ROOM = 64 * 1024;

/** Passing results of one group and expectation: on how many connections (or captures), and one of them. */
export interface PassGroup {
  n: number;
  example: CheckResult;
}

/**
 * Per-connection results kept one by one before passes are only counted (when they may be):
 * the Markdown report lists every result up to its MARKDOWN_ROWS (200), so up to there every
 * result is kept.
 */
export const PASSES_KEPT = 256;

/** Ids listed in a `connections` result when at most this many connections were selected. */
const IDS_LISTED = 10;

/**
 * Failures the text report lists per capture without --verbose; the others are counted in one
 * line (a CI log of a million failing connections helps nobody; --verbose, --json and --junit
 * list every one). When no report lists every result, each rule group keeps this many of its
 * failures (the first by connection id), more than a report lists.
 */
export const TEXT_FAILURES = 1000;

/** At most this many failing connections get a Mermaid diagram in the Markdown report. */
export const MAX_DIAGRAMS = 10;

/**
 * A result kept (not every result listed): the result, its expectation's index, and which record
 * of its connection it is of (-1 the first, else the continuation's first frame).
 */
interface KeptFailure {
  r: CheckResult;
  i: number;
  from: number;
}

/**
 * Orders kept results as the reports list them: by connection, its first record before its
 * continuations' (in the order they came, as the spooled results of every-result reports are),
 * then by expectation. Without the record, a continuation's results went between its first
 * record's (the Markdown report of tcp-continuation was not the one of `check --json --markdown`).
 */
const byConnectionThenExpectation = (a: KeptFailure, b: KeptFailure): number =>
  (a.r.connection as number) - (b.r.connection as number) || a.from - b.from || a.i - b.i;

/** One rule group's progress while the capture is read. */
interface GroupState {
  name: string;
  sel: Selection;
  select: { stream?: string; port?: string; host?: string };
  perConn: Expectation[];
  /** perConn made ready to judge. */
  judges: Judge[];
  counts: Expectation[];
  /** Connections selected so far. */
  picked: number;
  /** Ids of the first IDS_LISTED + 1 selected (listed when there are at most IDS_LISTED). */
  ids: number[];
  /**
   * Passing per-connection results kept as objects (when not every result is listed, until passes
   * are counted), in the order connections were finalised, and each one's expectation index.
   * Failures, and with keepPasses every result, go to the spool.
   */
  results: CheckResult[];
  resultIndex: number[];
  /** For each of `results`, which record of its connection it is of (KeptFailure.from). */
  resultFrom: number[];
  /** For each expectation, the index of the first of the same text (passes of both are counted together). */
  slot: number[];
  /**
   * Counted passes by expectation index: how many, the smallest connection id, its result; with
   * keepPasses also the index of the expectation that result is of (`at`: the first of that
   * text to pass in that connection), which orders them as the reports list the results.
   */
  counted: ({ n: number; first: CheckResult; at?: number } | undefined)[];
  /**
   * For each expectation, the groups of the results that come before it with the same group name
   * and expectation text (this group's earlier ones included): a connection's result is the
   * (1 + those of them that selected it)-th of its name.
   */
  before: number[][];
  /** Per-connection results spooled. */
  spooled: number;
  /** Connections whose JUnit test cases of this group were spooled (with junitFile). */
  cases: number;
  /** Connections whose text lines of this group were spooled (with text). */
  lines: number;
  /**
   * Not every result listed (not keepPasses): the failures kept, up to TEXT_FAILURES of the
   * smallest connection ids once trimmed (keepFailure), in the order judged.
   */
  failures: KeptFailure[];
  /**
   * Once the failures have been trimmed: the largest connection id kept. A later failure of a
   * larger id is counted, not kept (TEXT_FAILURES come before it). -1 until then.
   */
  failureBound: number;
  /** With resultBytes: each expectation's constant text in the JSON report. */
  consts: ResultConstants[];
}

/**
 * Evaluates the rule groups on one capture as it is read: a tracker observer that judges each
 * connection when the tracker finalises it (after it closed and lingered, or at the end of
 * input), spools its results and forgets it. So check's memory follows the open connections, not
 * the capture nor its results (the tracker can release connections). The results come out as if
 * the connections had been judged in id order after the read.
 *
 * `diagram`, when given, is called for a failing connection while its packets are still
 * known, with the frames its failures point at; `collector` (when diagrams are wanted) keeps
 * the packets of the open connections and is completed and emptied here.
 */
export class CaptureEvaluator implements PacketObserver {
  /** Connections finalised (all of them, before any selection). */
  connections = 0;
  private readonly af: AnalysisFrames;
  private readonly groups: GroupState[];
  /** The smallest ids of failing connections, in order: at most MAX_DIAGRAMS + 1 (noteFailing). */
  private readonly failing: number[] = [];
  /** Failing per-connection results not kept (keepFailure). */
  private omittedFailures = 0;

  constructor(
    private readonly rules: Rules,
    private readonly cliSel: Selection,
    private readonly collector: PacketCollector | null = null,
    private readonly diagram: ((c: Connection, packets: PacketRecords, frames: ReadonlySet<number>) => void) | null = null,
    /**
     * Keep every passing result (the JSON report lists them; as rows, without resultBytes, they
     * are what the tests compare the other reports with). When false,
     * beyond PASSES_KEPT per-connection results the passes are only counted per expectation (the
     * failures are kept either way).
     */
    private readonly keepPasses = true,
    /** Bytes of results the spool holds in memory before it writes them to a temporary file. */
    spoolBudget = SPOOL_MEMORY,
    /**
     * The JSON report lists the per-connection results: they are spooled as its bytes, written
     * as they are judged (needs keepPasses).
     */
    resultBytes = false,
    /**
     * With --junit, the capture's file (its cases' class name): every per-connection result's
     * test case is written as it is judged (JunitCaseWriter) into a spool of its own
     * (CaptureCheck.junit), whatever else is kept of it.
     */
    junitFile: string | null = null,
    /**
     * With --verbose (the text report), its marks: every per-connection result's line is written
     * as it is judged (TextLineWriter) into a spool of its own (CaptureCheck.text), whatever else
     * is kept of it; the passes' only when `passes` (--quiet lists failures alone).
     */
    text: { marks: TextMarks; passes: boolean } | null = null,
    /** From how many bytes of their file on the test cases and text lines are written with references (the tests set less). */
    casesRefsFrom = REFS_FROM_CASES,
  ) {
    if (resultBytes && !keepPasses) throw new Error('CaptureEvaluator: results as bytes are every result (keepPasses)');
    this.rw = resultBytes ? new ResultWriter(RESULT_INDENT) : null;
    const perConns = resultGroups(rules).map((g) => g.perConn);
    this.groups = rules.groups.map((g, gi) => {
      const perConn = perConns[gi]!;
      const before = perConn.map((e, i) => {
        const gs: number[] = [];
        for (let gj = 0; gj <= gi; gj++) {
          if (rules.groups[gj]!.name !== g.name) continue;
          const upto = gj === gi ? i : perConns[gj]!.length;
          for (let j = 0; j < upto; j++) if (perConns[gj]![j]!.text === e.text) gs.push(gj);
        }
        return gs;
      });
      return {
        name: g.name, sel: parseSelection(g.select), select: g.select, perConn, judges: perConn.map((e) => new Judge(e)), counts: g.expect.filter((e) => e.key === 'connections'),
        picked: 0, ids: [], results: [], slot: perConn.map((e) => perConn.findIndex((x) => x.text === e.text)), counted: [], before, spooled: 0, cases: 0, lines: 0, resultIndex: [], resultFrom: [],
        consts: [], failures: [], failureBound: -1,
      };
    });
    // the flags whose frames a report can show: those the analysis counts of the rules count
    let wanted = 0;
    for (const g of this.groups) for (const j of g.judges) if (j.code === K_COUNT) wanted |= ANALYSIS_ORDER[j.index]![0];
    this.af = new AnalysisFrames(wanted);
    // a failing connection's diagram shows the frames its counts name, wherever they are
    if (collector !== null) collector.keepAlso(this.af);
    const rw = this.rw;
    if (rw !== null) for (const g of this.groups) g.consts = g.perConn.map((e) => rw.constants(g.name, e.text, e.key));
    this.pickedNow = this.groups.map(() => false);
    // results as bytes are many (about 400 bytes each): their spool writes in the background,
    // and settle() waits for it before the reports read it; their constant text waits as
    // references (REFS_FROM), put back as the report copies them (SpooledResults' refs)
    this.spool = new Spool(spoolBudget, resultBytes, resultBytes ? REFS_FROM : NO_REFS);
    // (about 120 bytes a case, many: written in the background too, and past REFS_FROM_CASES
    // with their constant text as references, put back as the report copies them; the text
    // lines likewise)
    this.jw = junitFile === null ? null : new JunitCaseWriter(junitFile, resultGroups(rules));
    this.junitSpool = junitFile === null ? null : new Spool(spoolBudget, true, casesRefsFrom);
    this.tw = text === null ? null : new TextLineWriter(text.marks, resultGroups(rules));
    this.textPasses = text !== null && text.passes;
    this.failLines = text === null ? null : new Spool(spoolBudget, true, casesRefsFrom);
    this.passLines = text === null ? null : new Spool(spoolBudget, true, casesRefsFrom);
  }

  /**
   * With text: writes the lines, a failure's into `tfail`, the connection's record of
   * `failLines`, a pass's into `tpass`, its record of `passLines` (the report lists every failure
   * first: each spool is read once a group).
   */
  private readonly tw: TextLineWriter | null;
  private readonly textPasses: boolean;
  private readonly failLines: Spool | null;
  private readonly passLines: Spool | null;
  private tfail: ByteWriter | null = null;
  private tpass: ByteWriter | null = null;
  /** A result's detail as JSON (Judge.detailJson), for its text line. */
  private readonly tdetail = new ByteWriter(256);

  /** With junitFile: writes the test cases, into `jrec`, the connection's record of `junitSpool`. */
  private readonly jw: JunitCaseWriter | null;
  private readonly junitSpool: Spool | null;
  private jrec: ByteWriter | null = null;
  /** The finalised connection's endpoints as text (writeEndpointsText), for its test cases. */
  private readonly jends = new ByteWriter(256);

  /**
   * The per-connection results as they are judged, by connection id: every one when they are all
   * listed (keepPasses), else the failures (the passes are kept, then counted).
   */
  private readonly spool: Spool;
  /** With resultBytes: writes the results' JSON, into `rec`, the connection's record. */
  private readonly rw: ResultWriter | null;
  /** The spool's writer (Spool.writer) while a connection's results are written into it, else null. */
  private rec: ByteWriter | null = null;
  /** The finalised connection's endpoints as JSON (writeEndpointsJson), for the spooled results. */
  private readonly ends = new ByteWriter(256);
  /** A result's detail as JSON (Judge.detailJson), for the spooled results. */
  private readonly detail = new ByteWriter(256);
  /** Failing per-connection results so far. */
  private failedResults = 0;
  /** Which groups selected the connection being judged. */
  private readonly pickedNow: boolean[];
  /** The connection being judged, as its record says. */
  private readonly facts = new CheckFacts();

  /** Per-connection results kept so far (all groups). */
  private kept = 0;
  /** Passes are counted, not kept (see keepPasses). */
  private counting = false;
  private omitted = 0;

  /** From now on passes are counted: the kept ones are moved into the counts. */
  private startCounting(): void {
    this.counting = true;
    for (const g of this.groups) {
      for (let k = 0; k < g.results.length; k++) this.count(g, g.results[k]!, g.slot[g.resultIndex[k]!]!);
      g.results = [];
      g.resultIndex = [];
      g.resultFrom = [];
    }
  }

  /**
   * Counts a pass of the group's expectation `i` (results of the same text share the first one's).
   * `n` counts connections: a connection's repeat of the same expectation (nth > 1) is not another,
   * nor is a continuation's result.
   */
  private count(g: GroupState, r: CheckResult, i: number): void {
    const another = (r.nth === undefined || r.nth === 1) && !isContinuationResult(r) ? 1 : 0;
    const c = g.counted[i];
    if (c === undefined) g.counted[i] = { n: another, first: r };
    else {
      c.n += another;
      if ((r.connection as number) < (c.first.connection as number)) c.first = r;
    }
    this.omitted++;
  }

  /**
   * With keepPasses, a pass of connection `c` of the group's expectation `slot` (its first of
   * that text): counted as count() counts, and true when it is the smallest connection id so far
   * (its result is then to be given to firstPass()). The reports' summary of passes per
   * expectation (CaptureCheck.passes) is so made as the results are judged, not by reading every
   * spooled result back (passesByExpectation, the text and Markdown reports): a 63 MB JUnit
   * report's check read the spool twice.
   */
  private passIsFirst(g: GroupState, slot: number, c: Connection, nth: number): boolean {
    const counted = g.counted[slot];
    if (counted === undefined) return true;
    if (nth === 1 && !c.continued) counted.n++;
    return c.id < (counted.first.connection as number);
  }

  /** passIsFirst()'s pass, when it was the first: its result `r`, of expectation index `at`. */
  private firstPass(g: GroupState, slot: number, at: number, r: CheckResult): void {
    const counted = g.counted[slot];
    if (counted === undefined) g.counted[slot] = { n: r.nth === 1 && !isContinuationResult(r) ? 1 : 0, first: r, at };
    else {
      counted.first = r;
      counted.at = at;
    }
  }

  /** Keeps a failing connection's id if it is among the smallest MAX_DIAGRAMS + 1 so far. */
  private noteFailing(id: number): void {
    const f = this.failing;
    const n = f.length;
    if (n > MAX_DIAGRAMS && id >= f[n - 1]!) return;
    let k = n;
    while (k > 0 && f[k - 1]! > id) k--;
    if (k > 0 && f[k - 1] === id) return;
    f.splice(k, 0, id);
    if (f.length > MAX_DIAGRAMS + 1) f.pop();
  }

  /**
   * Keeps a failure when not every result is listed: the reports list at most TEXT_FAILURES of
   * a capture, in id order, so a rule group needs only its first TEXT_FAILURES by connection id.
   * Trimmed to them (sorted) when twice as many are kept: memory stays bounded however many fail.
   */
  private keepFailure(g: GroupState, r: CheckResult, i: number, from: number): void {
    const list = g.failures;
    list.push({ r, i, from });
    if (list.length < 2 * TEXT_FAILURES) return;
    list.sort(byConnectionThenExpectation);
    this.omittedFailures += list.length - TEXT_FAILURES;
    list.length = TEXT_FAILURES;
    g.failureBound = list[TEXT_FAILURES - 1]!.r.connection as number;
  }

  onPacket(c: Connection, r: PacketResult, f: Frame, p: Packet): void {
    this.af.onPacket(c, r, f, p);
    if (this.collector !== null) this.collector.onPacket(c, r, f, p);
  }

  onFinal(c: Connection): void {
    // a continuation (Connection.continued) is judged as a record of its own (as its stream as of
    // its last packet), but it is not another connection: `connections` counts Wireshark's streams
    if (!c.continued) this.connections++;
    const facts = this.facts;
    let filled = false;
    let client: string | null = null;
    let server: string | null = null;
    let ends: string | null = null;
    let endsWritten = false;
    let failedFrames: Set<number> | null = null;
    const inCli = selected(c, this.cliSel);
    const pickedNow = this.pickedNow;
    const allow = this.rules.allowRstAfterFin;
    // a loop, not fill(): fill() on a small array is a call into the runtime, 24 ms of the
    // flood's million connections
    for (let gi = 0; gi < pickedNow.length; gi++) pickedNow[gi] = false;
    // with keepPasses and rows: the last group's rows are open in the connection's record (closed
    // when the next group's start, and with the record)
    let rowsOpen = false;
    const jw = this.jw;
    const tw = this.tw;
    // the endpoints as text (jends), for the test cases and the text lines
    let jendsWritten = false;
    for (let gi = 0; gi < this.groups.length; gi++) {
      const g = this.groups[gi]!;
      if (!inCli || !selected(c, g.sel)) continue;
      pickedNow[gi] = true;
      if (!c.continued) {
        g.picked++;
        if (g.ids.length <= IDS_LISTED) g.ids.push(c.id);
      }
      if (g.perConn.length === 0) continue;
      if (!filled) {
        fillFacts(facts, c);
        filled = true;
      }
      let rowsStarted = false;
      // with junitFile: where the group's test cases start in the connection's record (-1 before its first)
      let casesAt = -1;
      // with text: where the group's failures and passes start in the connection's records (-1 before the first)
      let failuresAt = -1;
      let passesAt = -1;
      for (let i = 0; i < g.perConn.length; i++) {
        const judge = g.judges[i]!;
        const actual = judge.actual(facts, allow);
        const passed = judge.holds(actual);
        let nth = 1;
        for (const gj of g.before[i]!) if (pickedNow[gj]) nth++;
        const slot = g.slot[i]!;
        // a failure's frames and explanation, made once for every report that needs them
        let af: number[] | null = null;
        let why: { detail: string; frames: number[] } | null = null;
        if (jw !== null) {
          // every result is a test case, however the other reports keep it (so before the
          // shortcuts below); a pass needs only its name
          const w = (this.jrec ??= (this.junitSpool as Spool).writer(RESULTS_ROOM));
          if (casesAt < 0) {
            casesAt = w.pos;
            w.skip(8);
          }
          if (!jendsWritten) {
            this.jends.pos = 0;
            writeEndpointsText(this.jends, c);
            jendsWritten = true;
          }
          if (passed) jw.write(w, gi, i, c.id, this.jends, true, actual, '', NO_FRAMES, nth);
          else {
            af = judge.code === K_COUNT ? this.af.frames(c, judge.index) : NO_FRAMES;
            why = judge.explain(facts, actual, passed, af, allow);
            jw.write(w, gi, i, c.id, this.jends, false, actual, why.detail, why.frames, nth);
          }
        }
        if (tw !== null && (!passed || this.textPasses)) {
          // every result is a line of the verbose text report (so before the shortcuts below)
          if (!jendsWritten) {
            this.jends.pos = 0;
            writeEndpointsText(this.jends, c);
            jendsWritten = true;
          }
          af ??= judge.code === K_COUNT ? this.af.frames(c, judge.index) : NO_FRAMES;
          // the detail as the JSON report has it (made from the facts, without explain()'s
          // strings and objects: 0.89 -> 0.77 s of short1m's), its text between the quotes
          const td = this.tdetail;
          judge.detailJson(facts, actual, passed, af, allow, td);
          let detail = judge.detail;
          if (td.pos > 0 && !detailBytes(td)) {
            detail = (why ??= judge.explain(facts, actual, passed, af, allow)).detail;
            td.pos = 0;
          }
          let w: ByteWriter;
          if (passed) {
            w = this.tpass ??= (this.passLines as Spool).writer(RESULTS_ROOM);
            if (passesAt < 0) {
              passesAt = w.pos;
              w.skip(8);
            }
          } else {
            w = this.tfail ??= (this.failLines as Spool).writer(RESULTS_ROOM);
            if (failuresAt < 0) {
              failuresAt = w.pos;
              w.skip(8);
            }
          }
          tw.write(w, gi, i, c.id, this.jends, passed, detail, td);
        }
        if (passed && !this.keepPasses && this.counting) {
          // a pass only counted: its line is made only if it becomes the example (the smallest id)
          const counted = g.counted[slot];
          if (counted !== undefined && !(c.id < (counted.first.connection as number))) {
            if (nth === 1 && !c.continued) counted.n++;
            this.omitted++;
            continue;
          }
        }
        af ??= judge.code === K_COUNT ? this.af.frames(c, judge.index) : NO_FRAMES;
        if (this.rw !== null) {
          // the detail written as JSON from the facts (detailJson), with its frames
          const consts = g.consts[i]!;
          const fr = judge.detailJson(facts, actual, passed, af, allow, this.detail);
          if (!passed) failedFrames = this.failed(c.id, fr, failedFrames);
          // spooled as the JSON report's bytes (keepPasses: every result); the endpoints' JSON
          // written once a connection, from its addresses
          if (!endsWritten) {
            this.ends.pos = 0;
            writeEndpointsJson(this.ends, c);
            endsWritten = true;
          }
          // rendered straight into the spool's arena (no copy of a flood's 1.9 GB)
          const w = (this.rec ??= this.spool.writer(RESULTS_ROOM));
          const at = w.pos;
          w.skip(8);
          w.literal(RESULT_HEAD);
          this.rw.fieldsWith(w, consts, c.id, this.ends, passed, actual, this.detail, judge.detail, fr);
          closeSection(w, at, gi);
          g.spooled++;
          if (passed && this.passIsFirst(g, slot, c, nth)) {
            // the summary's example of this expectation (the smallest id so far): made as an object
            why ??= judge.explain(facts, actual, passed, af, allow);
            client ??= endpointText(c, true);
            server ??= endpointText(c, false);
            ends ??= endpointsText(client, server, c.continued ? c.firstFrame : -1);
            this.firstPass(g, slot, i, connectionResult(g.name, c.id, ends, judge.e, passed, actual, why, nth));
          }
          continue;
        }
        if (!passed && !this.keepPasses && g.failureBound >= 0 && c.id > g.failureBound) {
          // a failure not listed (beyond the group's first): counted, and nothing made for its line
          // (the flood: four million of them). Nor are its frames kept for a diagram: at least
          // TEXT_FAILURES connections with smaller ids failed before it, and only the first
          // MAX_DIAGRAMS failing connections are drawn
          failedFrames = this.failed(c.id, NO_FRAMES, failedFrames);
          this.omittedFailures++;
          if (++this.kept > PASSES_KEPT && !this.counting) this.startCounting();
          continue;
        }
        why ??= judge.explain(facts, actual, passed, af, allow);
        if (!passed) failedFrames = this.failed(c.id, why.frames, failedFrames);
        // a continuation is judged as its stream (its handshake, close, states and Zeek's view
        // go on from the earlier record's; its counts are its own): its results say which record it is
        client ??= endpointText(c, true);
        server ??= endpointText(c, false);
        if (!passed && !this.keepPasses) {
          // a failure, not every result being listed, among the group's first: kept
          ends ??= endpointsText(client, server, c.continued ? c.firstFrame : -1);
          this.keepFailure(g, connectionResult(g.name, c.id, ends, judge.e, passed, actual, why, nth), i, c.continued ? c.firstFrame : -1);
          if (++this.kept > PASSES_KEPT && !this.counting) this.startCounting();
          continue;
        }
        if (this.keepPasses) {
          // spooled: every result is listed (as rows: the tests' reference)
          // the row written as JSON straight into the spool's arena, in the connection's record
          // (JSON.stringify of the record made as arrays was a third of onFinal's own time in a
          // profile of short1m's --verbose, 132 of 367 ms, and its string's encoding by the
          // spool's put 145 ms more)
          let w = this.rec;
          if (w === null) {
            w = this.rec = this.spool.writer(RESULTS_ROOM);
            w.byte(OPEN_BRACKET);
            w.str(client);
            w.byte(COMMA);
            w.str(server);
            w.byte(COMMA);
            w.num(c.continued ? c.firstFrame : -1);
          }
          if (!rowsStarted) {
            if (rowsOpen) w.byte(CLOSE_BRACKET);
            w.byte(COMMA);
            w.uint(gi);
            w.byte(COMMA);
            w.byte(OPEN_BRACKET);
            rowsStarted = true;
            rowsOpen = true;
          } else w.byte(COMMA);
          writeRow(w, i, passed, actual, why.detail, why.frames, nth);
          g.spooled++;
          if (passed && this.passIsFirst(g, slot, c, nth)) {
            ends ??= endpointsText(client, server, c.continued ? c.firstFrame : -1);
            this.firstPass(g, slot, i, connectionResult(g.name, c.id, ends, judge.e, passed, actual, why, nth));
          }
          continue;
        }
        ends ??= endpointsText(client, server, c.continued ? c.firstFrame : -1);
        const res: CheckResult = connectionResult(g.name, c.id, ends, judge.e, passed, actual, why, nth);
        if (this.counting) this.count(g, res, slot);
        else {
          g.results.push(res);
          g.resultIndex.push(i);
          g.resultFrom.push(c.continued ? c.firstFrame : -1);
          if (++this.kept > PASSES_KEPT) this.startCounting();
        }
      }
      if (casesAt >= 0) {
        // the group's cases: its index and their length before them
        closeSection(this.jrec as ByteWriter, casesAt, gi);
        g.cases++;
      }
      // the group's text lines: its index and their length before them, in each record
      if (failuresAt >= 0) closeSection(this.tfail as ByteWriter, failuresAt, gi);
      if (passesAt >= 0) closeSection(this.tpass as ByteWriter, passesAt, gi);
      if (failuresAt >= 0 || passesAt >= 0) g.lines++;
    }
    if (this.tfail !== null) {
      (this.failLines as Spool).commit(c.id);
      this.tfail = null;
    }
    if (this.tpass !== null) {
      (this.passLines as Spool).commit(c.id);
      this.tpass = null;
    }
    if (this.jrec !== null) {
      (this.junitSpool as Spool).commit(c.id);
      this.jrec = null;
    }
    if (this.rec !== null) {
      // a record of rows: its last group's rows, then the record itself, closed
      if (rowsOpen) {
        this.rec.byte(CLOSE_BRACKET);
        this.rec.byte(CLOSE_BRACKET);
      }
      this.spool.commit(c.id);
      this.rec = null;
    }
    this.af.forget(c);
    if (this.collector !== null) {
      this.collector.onFinal(c);
      if (failedFrames !== null && this.diagram !== null) this.diagram(c, this.collector.byConnection.get(c) ?? NO_RECORDS, failedFrames);
      this.collector.recycle(c);
    }
  }

  /**
   * Counts a failed result of connection `id`; with a diagram to draw, adds its frames `fr` to
   * the connection's failed frames (made at its first failure), else returns them as they were.
   */
  private failed(id: number, fr: readonly number[], frames: Set<number> | null): Set<number> | null {
    this.failedResults++;
    this.noteFailing(id);
    if (this.diagram === null) return frames;
    const set = frames ?? new Set<number>();
    for (let k = 0; k < fr.length; k++) set.add(fr[k]!);
    return set;
  }

  /** Resolves once the spool's writes are done: call it before finish(). */
  async settle(): Promise<void> {
    await this.spool.settle();
    await this.junitSpool?.settle();
    await this.failLines?.settle();
    await this.passLines?.settle();
  }

  /** Removes the spool's temporary file (once the reports are written, or when the capture was unreadable). */
  close(): void {
    this.spool.close();
    this.junitSpool?.close();
    this.failLines?.close();
    this.passLines?.close();
  }

  /** The capture's check, once every connection has been finalised (the read is over). */
  finish(file: string, summary: CaptureSummary): CaptureCheck {
    let results: CheckResult[] = [];
    const spooled = new SpooledResults(this.spool, this.groups, this.rw !== null, this.rw !== null);
    // the per-connection failures were counted as judged; the capture-level ones as added
    let failed = this.failedResults;
    let omittedFailures = this.omittedFailures;
    const passes: PassGroup[] = [];
    // with junitFile: the test cases in report order, the capture-level results (those since
    // the last group's cases) as objects
    const junit = this.junitSpool === null ? null : new SpooledSections(this.junitSpool);
    let captureLevel: CheckResult[] = [];
    // with text: its lines in report order, as the test cases are
    const textPlan: (CheckResult[] | number)[] = [];
    const text: TextSections | null = this.failLines === null || this.passLines === null ? null : { failures: new SpooledSections(this.failLines, textPlan), passes: new SpooledSections(this.passLines, textPlan) };
    let textCaptureLevel: CheckResult[] = [];
    const add = (r: CheckResult): void => {
      results.push(r);
      captureLevel.push(r);
      textCaptureLevel.push(r);
      if (r.passed) passes.push({ n: 1, example: r });
      else failed++;
    };
    const capture = (name: string, key: string, passed: boolean, actual: string | number | null, detail: string): void => {
      add({ group: '', connection: null, endpoints: null, expectation: name, key, passed, actual, detail, frames: [] });
    };
    // (with -c, what was asked for was read: a pass that says where reading stopped)
    capture('capture read to the end', 'readable', summary.error === null, summary.error ? 'damaged' : summary.stoppedAtLimit ? 'limit' : 'ok',
      summary.error ? `reading stopped: ${summary.error.message}`
        : summary.stoppedAtLimit ? `${summary.packets} frame(s) read, the first of the capture: -c ${summary.frameLimit} stopped reading there (the capture goes on)`
        : `${summary.packets} frame(s) read`);
    capture('capture not truncated', 'truncated', !summary.truncated || this.rules.allowTruncated, summary.truncated ? 'truncated' : 'complete',
      summary.truncated ? `the capture is cut short (its last record is incomplete)${this.rules.allowTruncated ? '; allowed by --allow-truncated' : '; pass --allow-truncated to accept it'}` : 'the last record is complete');
    for (let gi = 0; gi < this.groups.length; gi++) {
      const g = this.groups[gi]!;
      const where = describeSelection(this.cliSel, g.select);
      const ids = [...g.ids].sort((a, b) => a - b);
      for (const e of g.counts) {
        add({
          group: g.name, connection: null, endpoints: null, expectation: e.text, key: e.key, passed: compareNumber(g.picked, e), actual: g.picked,
          detail: `${g.picked} connection(s) selected${where}${g.picked > 0 && g.picked <= IDS_LISTED ? ` (ids ${ids.join(', ')})` : ''}`,
          frames: [],
        });
      }
      if (g.perConn.length > 0 && g.picked === 0 && g.counts.length === 0) {
        add({
          group: g.name, connection: null, endpoints: null, expectation: 'selection matches a connection', key: 'selection', passed: false, actual: 0,
          detail: `no connection matched${where} (the capture has ${this.connections} connection(s)); nothing to check is a failure — add connections=0 if that is what you expect`,
          frames: [],
        });
      }
      if (junit !== null && g.cases > 0) {
        junit.plan.push(captureLevel, gi);
        captureLevel = [];
      }
      if (text !== null && g.lines > 0) {
        textPlan.push(textCaptureLevel, gi);
        textCaptureLevel = [];
      }
      if (this.keepPasses) {
        // every result: read back from the spool in id order, each connection's in the order of
        // its expectations
        if (g.spooled > 0) {
          spooled.segments.push(results, gi);
          spooled.length += results.length + g.spooled;
          results = [];
        }
      } else {
        // the failures kept (the first by id), and the passes kept (a few, none once counted),
        // merged in id order, each connection's in the order of its expectations
        const all = g.failures.slice();
        for (let k = 0; k < g.results.length; k++) all.push({ r: g.results[k]!, i: g.resultIndex[k]!, from: g.resultFrom[k]! });
        all.sort(byConnectionThenExpectation);
        let failuresLeft = TEXT_FAILURES;
        for (const x of all) {
          if (!x.r.passed && failuresLeft-- <= 0) {
            omittedFailures++;
            continue;
          }
          results.push(x.r);
        }
      }
      // the counted passes, where their first results would have come: by that result's
      // connection, then by expectation
      const counted = g.counted.map((c, i) => ({ c, i })).filter((x) => x.c !== undefined) as { c: { n: number; first: CheckResult; at?: number }; i: number }[];
      counted.sort((a, b) => (a.c.first.connection as number) - (b.c.first.connection as number) || (a.c.at ?? a.i) - (b.c.at ?? b.i));
      for (const { c } of counted) passes.push({ n: c.n, example: c.first });
    }
    let list: ResultList = results;
    if (spooled.segments.length > 0) {
      spooled.segments.push(results);
      spooled.length += results.length;
      list = spooled;
    }
    const check: CaptureCheck = {
      file, truncated: summary.truncated, error: summary.error ? summary.error.message : null, connections: this.connections,
      evictedConnections: summary.evictedConnections ?? 0, splitConnections: summary.splitConnections ?? 0, warnings: [...summary.warnings],
      results: list, failed, failingConnections: [...this.failing],
    };
    if (omittedFailures > 0) check.omittedFailures = omittedFailures;
    if (junit !== null) {
      junit.plan.push(captureLevel);
      check.junit = junit;
    }
    if (text !== null) {
      textPlan.push(textCaptureLevel);
      check.text = text;
    }
    if (this.counting || this.keepPasses) {
      // groups of the same name share their expectations' lines, as the reports group results
      const merged = new Map<string, PassGroup>();
      for (const p of passes) {
        const k = `${p.example.group}\u0000${p.example.expectation}`;
        const m = merged.get(k);
        if (m === undefined) merged.set(k, { n: p.n, example: p.example });
        else m.n += p.n;
      }
      if (this.counting) check.omittedPasses = this.omitted;
      check.passes = [...merged.values()];
    }
    return check;
  }
}

function describeSelection(cli: Selection, g: { stream?: string; port?: string; host?: string }): string {
  const parts: string[] = [];
  if (cli.streams) parts.push(`stream ${[...cli.streams].join(',')}`);
  if (cli.ports) parts.push(`port ${[...cli.ports].join(',')}`);
  if (cli.hosts) parts.push(`host ${[...cli.hosts].join(',')}`);
  if (g.stream) parts.push(`stream ${g.stream}`);
  if (g.port) parts.push(`port ${g.port}`);
  if (g.host) parts.push(`host ${g.host}`);
  return parts.length ? ` by ${parts.join(' and ')}` : '';
}
