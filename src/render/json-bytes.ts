/**
 * The connection and packet records of the JSON contract written straight to UTF-8 bytes, in
 * the two layouts the outputs use: the document's (a connection record at the connections'
 * indent, as recordJson lays it out: indented by two, `packets` one compact record per line)
 * and NDJSON's (compact, `"type"` first). Several times faster than JSON.stringify and its
 * UTF-8 encoding: the constant text between the values (keys, indentation, brackets) is encoded
 * once per layout and copied, numbers and ASCII strings are written byte by byte.
 *
 * Both records are written from what the analysis keeps (the Connection, the PacketRecord), with
 * the functions and tables connectionJson and packetJson use (json.ts) for every decision beyond
 * reading a field: no object is made for a record. test/json-bytes.test.ts checks the bytes
 * against recordJson and JSON.stringify of those objects for every connection and packet of the
 * fixtures and the corpus, in both languages, and for generated connections and packets.
 * Connection records went through connectionJson's objects before (a dozen objects and
 * strings a record, then every value's type asked again here): medians of 11 interleaved runs,
 * short1m `--json` 1020 -> 829 ms and NDJSON 865 -> 757 ms; the SYN-flood capture's million
 * records, `--json` 8.1 -> 6.4 s (3 runs).
 */
import { ascii, ByteWriter, Chunk, NANO_MIN, NANO_MAX, putFraction, putInt32, putRaw, putU32 } from '../util/bytes.js';
import {
  diagnosticRole, flagNames, frameOrNull, inferredBy, NO_ANALYSIS, optionValue, packetState, role,
  scaleValue, synRetransmissions, teardownInitiator, touchRecords, type PacketRecord, type PacketRecords,
} from './json.js';
import {
  clientFlow, NO_ANALYSIS as NO_COUNTS, F_SYN_SACK_PERMITTED, F_SYN_SEEN, F_SYN_TIMESTAMPS, flowAddress, flowFlag, initialRtt, serverFlow, type Connection, type Flow,
} from '../analyze/connection.js';
import type { Lang } from '../i18n/messages.js';
import { analysisNames, ANALYSIS_NAMES } from '../analyze/flags.js';
import {
  handshakeKind, isInferredState, N_NONE, PHASE_NAMES, S_DATA_AFTER_FIN, S_RST_AFTER_FIN, S_RST_ANSWERS_DATA, S_SIMULTANEOUS_OPEN, STATE_NAMES, storyFlag,
  TEARDOWN_KINDS, teardownKind,
} from '../analyze/story.js';
import { zeekConnState, zeekHistory } from '../analyze/zeek.js';
import { diagnostics, type Diagnostic } from '../analyze/diagnostics.js';
import { round9, ROUND9_MAX } from '../util/round.js';
import { messageBytes, NoteBytes } from './message-bytes.js';
import { writeIpv4 } from './endpoint.js';

/** The indent of a connection record in a document (inside `connections`). */
export const RECORD_INDENT = '    ';
const DEPTH = RECORD_INDENT.length >> 1;

interface Layout {
  /** Before the first key of an object at depth d. */
  first(d: number, k: string): string;
  /** Before a later key of an object at depth d. */
  next(d: number, k: string): string;
  /** Closes a non-empty object at depth d. */
  close(d: number): string;
  /** Opens a non-empty array at depth d (before its first item). */
  open(d: number): string;
  /** Between the items of an array at depth d. */
  sep(d: number): string;
  /** Closes a non-empty array at depth d. */
  end(d: number): string;
}

const nl = (d: number): string => '\n' + '  '.repeat(d);
const PRETTY: Layout = {
  first: (d, k) => '{' + nl(d + 1) + JSON.stringify(k) + ': ',
  next: (d, k) => ',' + nl(d + 1) + JSON.stringify(k) + ': ',
  close: (d) => nl(d) + '}',
  open: (d) => '[' + nl(d + 1),
  sep: (d) => ',' + nl(d + 1),
  end: (d) => nl(d) + ']',
};
const COMPACT: Layout = {
  first: (_d, k) => '{' + JSON.stringify(k) + ':',
  next: (_d, k) => ',' + JSON.stringify(k) + ':',
  close: () => '}',
  open: () => '[',
  sep: () => ',',
  end: () => ']',
};

/** Pieces of constant text made when first met, by a small non-negative integer. */
class ByIndex {
  private readonly table: (Chunk | undefined)[];

  constructor(size: number, private readonly make: (key: number) => string) {
    this.table = new Array<Chunk | undefined>(size).fill(undefined);
  }

  get(key: number): Chunk {
    let c = this.table[key];
    if (c === undefined) {
      c = ascii(this.make(key));
      this.table[key] = c;
    }
    return c;
  }
}

/**
 * Pieces of constant text made when first met, by a name from a small set (a kind, a state) or
 * a number too large for a table.
 */
class ByName<K extends string | number = string> {
  private readonly map = new Map<K, Chunk>();

  constructor(private readonly make: (name: K) => string) {}

  get(name: K): Chunk {
    let c = this.map.get(name);
    if (c === undefined) {
      c = ascii(this.make(name));
      this.map.set(name, c);
    }
    return c;
  }
}

const bool = (b: boolean): string => (b ? 'true' : 'false');
/** A window scale's JSON text as the record has it (json.ts's scaleValue). */
const scaleText = (ws: number): string => JSON.stringify(scaleValue(ws));
/** Window scales have these values (WSCALE_NONE, WSCALE_UNKNOWN, 0 to 14), a piece of each pair. */
const SCALE_MIN = -2;
const SCALE_MAX = 14;
const SCALES = SCALE_MAX - SCALE_MIN + 1;

/**
 * The constant pieces of a connection record in one layout, its object at depth d: the keys
 * and brackets between values, and where a run of the record takes its values from a few (a
 * kind, booleans, states, window scales) that run as one piece by its values (ByIndex,
 * ByName): a short connection's record is about 50 copies instead of 90.
 */
function recordChunks(L: Layout, d: number, head: string) {
  const C = baseChunks(L, d, head);
  const inferredList = (ic: boolean, is: boolean): string => (!ic && !is ? C.empty.text
    : C.strOpen.text + (ic ? JSON.stringify('client') : '') + (ic && is ? C.strSep.text : '') + (is ? JSON.stringify('server') : '') + C.strEnd.text);
  /** finalState from its key through `inferred`'s list, by client state * 16 + server state. */
  const finalText = (k: number): string => {
    const sc = k >> 4;
    const ss = k & 15;
    return C.finalState.text + JSON.stringify(STATE_NAMES[sc]) + C.sideServer.text + JSON.stringify(STATE_NAMES[ss]) + C.inferred.text +
      inferredList(isInferredState(sc), isInferredState(ss));
  };
  /** windowScale from its key through `analysis`'s key, by (client + 2) * 32 + server + 2. */
  const scalesText = (k: number): string =>
    C.windowScale.text + scaleText((k >> 5) + SCALE_MIN) + C.sideServer.text + scaleText((k & 31) + SCALE_MIN) + C.analysis.text;
  /** A SYN's options after its window scale: sackPermitted, timestamps (bit 1, bit 0), the end. */
  const optTail = (k: number): string => C.sackPermittedG.text + bool((k & 2) !== 0) + C.timestampsG.text + bool((k & 1) !== 0) + C.closeG.text;
  return {
    ...C,
    /** The client's options after its window scale, then the server's key. */
    optTailClient: new ByIndex(4, (k) => optTail(k) + C.optServer.text),
    /** The server's options after its window scale, then `agreed`'s key. */
    optTailServer: new ByIndex(4, (k) => optTail(k) + C.agreed.text),
    nullOptServer: ascii('null' + C.optServer.text),
    nullAgreed: ascii('null' + C.agreed.text),
    /** `agreed` after its window scale, by sackPermitted (bit 1) and timestamps (bit 0). */
    agreedTail: new ByIndex(4, (k) => C.sackPermittedF.text + bool((k & 2) !== 0) + C.timestampsF.text + bool((k & 1) !== 0) + C.closeF.text),
    /** `handshake` from its key to the SYN's frame, by kind. */
    handshakeHead: new ByName((kind) => C.handshake.text + JSON.stringify(kind) + C.hsFrames.text),
    /**
     * `teardown` from its key to the first FIN's frame, by kind index * 32 + initiator (0 none,
     * 1 client, 2 server) * 8 + dataAfterFin * 4 + rstAfterFin * 2 + rstAnswersData.
     */
    teardownHead: new ByIndex(TEARDOWN_KINDS.length * 32, (k) => {
      const who = (k >> 3) & 3;
      return C.teardown.text + JSON.stringify(TEARDOWN_KINDS[k >> 5]) + C.initiator.text + (who === 0 ? 'null' : JSON.stringify(who === 1 ? 'client' : 'server')) +
        C.dataAfterFin.text + bool((k & 4) !== 0) + C.rstAfterFin.text + bool((k & 2) !== 0) + C.rstAnswersData.text + bool((k & 1) !== 0) + C.tdFrames.text;
    }),
    /** After the RST's frame (a number): finalState through `inferred` (finalText). */
    finalAfterRst: new ByIndex(16 * 16, finalText),
    /** `rst: null`, then finalState through `inferred` (finalText). */
    finalNoRst: new ByIndex(16 * 16, (k) => C.rstF.text + 'null' + finalText(k)),
    /** `zeek` from its key to history's value, by state. */
    zeekHead: new ByName((state) => C.zeek.text + JSON.stringify(state) + C.history.text),
    /** After `diagnostics`' items: windowScale through `analysis`'s key (scalesText). */
    scales: new ByIndex(SCALES * 32, scalesText),
    /** `diagnostics: []`, then windowScale through `analysis`'s key (scalesText). */
    noDiagnosticsScales: new ByIndex(SCALES * 32, (k) => C.diagnostics.text + C.empty.text + scalesText(k)),
    /** An empty `analysis` and the record's end; a non-empty one's end and the record's. */
    emptyClose: ascii(C.emptyObject.text + C.close.text),
    closeEClose: ascii(C.closeE.text + C.close.text),
  };
}

/** The constant pieces between the values of a connection record (recordChunks). */
function baseChunks(L: Layout, d: number, head: string) {
  const e = d + 1;
  const f = d + 2;
  const g = d + 3;
  return {
    // `head` replaces the record's opening brace (NDJSON's `{"type":"connection",`)
    id: ascii(head === '' ? L.first(d, 'id') : head + L.first(d, 'id').slice(1)),
    continuation: ascii(L.next(d, 'continuation')),
    analysisAfresh: ascii(L.next(d, 'analysisAfresh')),
    client: ascii(L.next(d, 'client') + L.first(e, 'ip')),
    server: ascii(L.close(e) + L.next(d, 'server') + L.first(e, 'ip')),
    port: ascii(L.next(e, 'port')),
    inferredBy: ascii(L.next(e, 'inferredBy')),
    ipVersion: ascii(L.close(e) + L.next(d, 'ipVersion')),
    firstFrame: ascii(L.next(d, 'firstFrame')),
    lastFrame: ascii(L.next(d, 'lastFrame')),
    start: ascii(L.next(d, 'start')),
    duration: ascii(L.next(d, 'duration')),
    packetCount: ascii(L.next(d, 'packetCount') + L.first(e, 'client')),
    sideServer: ascii(L.next(e, 'server')),
    payloadBytes: ascii(L.close(e) + L.next(d, 'payloadBytes') + L.first(e, 'client')),
    completeness: ascii(L.close(e) + L.next(d, 'completeness')),
    handshake: ascii(L.next(d, 'handshake') + L.first(e, 'kind')),
    hsFrames: ascii(L.next(e, 'frames') + L.first(f, 'syn')),
    synAck: ascii(L.next(f, 'synAck')),
    ack: ascii(L.next(f, 'ack')),
    secondSyn: ascii(L.next(f, 'secondSyn')),
    rstF: ascii(L.next(f, 'rst')),
    synRetransmissions: ascii(L.close(f) + L.next(e, 'synRetransmissions')),
    rtt: ascii(L.next(e, 'rtt')),
    options: ascii(L.next(e, 'options') + L.first(f, 'client')),
    optServer: ascii(L.next(f, 'server')),
    mss: ascii(L.first(g, 'mss')),
    windowScaleG: ascii(L.next(g, 'windowScale')),
    sackPermittedG: ascii(L.next(g, 'sackPermitted')),
    timestampsG: ascii(L.next(g, 'timestamps')),
    closeG: ascii(L.close(g)),
    agreed: ascii(L.close(f) + L.next(e, 'agreed')),
    agreedMss: ascii(L.first(f, 'mss') + L.first(g, 'client')),
    serverG: ascii(L.next(g, 'server')),
    agreedWs: ascii(L.close(g) + L.next(f, 'windowScale')),
    clientG: ascii(L.first(g, 'client')),
    sackPermittedF: ascii(L.next(f, 'sackPermitted')),
    timestampsF: ascii(L.next(f, 'timestamps')),
    closeF: ascii(L.close(f)),
    teardown: ascii(L.close(e) + L.next(d, 'teardown') + L.first(e, 'kind')),
    initiator: ascii(L.next(e, 'initiator')),
    dataAfterFin: ascii(L.next(e, 'dataAfterFin')),
    rstAfterFin: ascii(L.next(e, 'rstAfterFin')),
    rstAnswersData: ascii(L.next(e, 'rstAnswersData')),
    tdFrames: ascii(L.next(e, 'frames') + L.first(f, 'fin')),
    finAck: ascii(L.next(f, 'finAck')),
    secondFin: ascii(L.next(f, 'secondFin')),
    lastAck: ascii(L.next(f, 'lastAck')),
    finalState: ascii(L.close(f) + L.close(e) + L.next(d, 'finalState') + L.first(e, 'client')),
    inferred: ascii(L.next(e, 'inferred')),
    strOpen: ascii(L.open(f)),
    strSep: ascii(L.sep(f)),
    strEnd: ascii(L.end(f)),
    zeek: ascii(L.close(e) + L.next(d, 'zeek') + L.first(e, 'state')),
    history: ascii(L.next(e, 'history')),
    diagnostics: ascii(L.close(e) + L.next(d, 'diagnostics')),
    diagKey: ascii(L.open(e) + L.first(f, 'key')),
    diagNext: ascii(L.close(f) + L.sep(e) + L.first(f, 'key')),
    message: ascii(L.next(f, 'message')),
    diagEnd: ascii(L.close(f) + L.end(e)),
    windowScale: ascii(L.next(d, 'windowScale') + L.first(e, 'client')),
    analysis: ascii(L.close(e) + L.next(d, 'analysis')),
    closeE: ascii(L.close(e)),
    packetsOmitted: ascii(L.next(d, 'packetsOmitted') + L.first(e, 'count')),
    fromFrame: ascii(L.next(e, 'fromFrame')),
    toFrame: ascii(L.next(e, 'toFrame')),
    limit: ascii(L.next(e, 'limit')),
    packets: ascii(L.next(d, 'packets')),
    // the items of `packets`, one per line in the document, each compact
    packetsOpen: ascii(L.open(e)),
    packetsSep: ascii(L.sep(e)),
    packetsEnd: ascii(L.end(e)),
    close: ascii(L.close(d)),
    empty: ascii('[]'),
    emptyObject: ascii('{}'),
    /** Before each name's count in `analysis` (by ANALYSIS_NAMES index): as its first key, as a later one. */
    analysisFirst: ANALYSIS_NAMES.map((n) => ascii(L.first(e, n))),
    analysisNext: ANALYSIS_NAMES.map((n) => ascii(L.next(e, n))),
  };
}
type RecordChunks = ReturnType<typeof recordChunks>;

/**
 * The document's record chunks; two spaces deeper, for a record of a document inside the array
 * of several captures' documents; NDJSON's. Each made when first needed: the two made at load
 * were about 1.5 ms and 300 KB of every start, a walkthrough's and check's too.
 */
let doc: RecordChunks | null = null;
let docNested: RecordChunks | null = null;
let ndjson: RecordChunks | null = null;

/**
 * The constant pieces of a packet record (always compact), after its first key's. A value taken
 * from a few (the side, the flags, the analysis names, the phase, the states) is written with
 * the keys around it as one piece (the tables below): 11 copies a record instead of 21.
 */
const L0 = COMPACT;
const P = {
  time: ascii(L0.next(0, 'time')),
  ack: ascii(L0.next(0, 'ack')),
  rawSeq: ascii(L0.next(0, 'rawSeq')),
  rawAck: ascii(L0.next(0, 'rawAck')),
  len: ascii(L0.next(0, 'len')),
  window: ascii(L0.next(0, 'window')),
  note: ascii(L0.next(0, 'note')),
  close: ascii(L0.close(0)),
};
/** Up to a packet record's first value: in the document, and in NDJSON (after the connection id). */
const PACKET_HEAD = ascii(L0.first(0, 'frame'));
const NDJSON_PACKET_HEAD = ascii('{"type":"packet","connection":');
const NDJSON_PACKET_FRAME = ascii(L0.next(0, 'frame'));
/** The records' notes (packetNote's), as JSON strings. */
const NOTES_EN = new NoteBytes('en', true);
const NOTES_ZH = new NoteBytes('zh', true);

/**
 * A diagnostic's key as a JSON string, by key; its message is written from its pieces
 * (messageBytes()) rather than made as a string and escaped, once for every connection the
 * capture ended before closing (each of a SYN flood's million connections).
 */
const DIAG_KEYS = new ByName((key) => JSON.stringify(key));
const QUOTE = 0x22;

/** A number, or null. */
function numOrNull(w: ByteWriter, v: number | null): void {
  if (v === null) w.null();
  else w.num(v);
}

/** A flow's address as its JSON string; IPv4 digit by digit (no string made), IPv6 through flowAddress. */
function address(w: ByteWriter, version: number, f: Flow): void {
  if (version !== 4) {
    w.str(flowAddress(version, f));
    return;
  }
  w.byte(QUOTE);
  writeIpv4(w, f);
  w.byte(QUOTE);
}

/** `client` or `server` (connectionJson's endpoint). */
function endpoint(w: ByteWriter, c: Connection, f: Flow, isClient: boolean, C: RecordChunks): void {
  address(w, c.ipVersion, f);
  w.raw(C.port);
  w.num(f.port);
  if (isClient) {
    const by = inferredBy(c);
    if (by !== null) {
      w.raw(C.inferredBy);
      w.str(by);
    }
  }
}

/**
 * `handshake.options.client` or `.server` (json.ts's synOptions), then the next key: the
 * server's options (after the client's), `agreed` (after the server's).
 */
function synOptions(w: ByteWriter, f: Flow, C: RecordChunks, server: boolean): void {
  if (!flowFlag(f, F_SYN_SEEN)) {
    w.raw(server ? C.nullAgreed : C.nullOptServer);
    return;
  }
  w.raw(C.mss);
  numOrNull(w, optionValue(f.synMss));
  w.raw(C.windowScaleG);
  numOrNull(w, optionValue(f.synWscale));
  w.raw((server ? C.optTailServer : C.optTailClient).get((flowFlag(f, F_SYN_SACK_PERMITTED) ? 2 : 0) + (flowFlag(f, F_SYN_TIMESTAMPS) ? 1 : 0)));
}

/** `windowScale.client` or `.server`: a shift, "none" or "unknown" (json.ts's scaleValue). */
function scale(w: ByteWriter, ws: number): void {
  const v = scaleValue(ws);
  if (typeof v === 'number') w.num(v);
  else w.str(v);
}

/**
 * Whether the record of `c` from its `synAck` key to its end is a function of what TailMemo
 * compares: no packets written, no analysis flag, nothing after its SYN or SYNs but the
 * capture's end (no SYN-ACK, handshake ACK, simultaneous open, refusal, RTT, FIN or RST
 * frame), and no SYN from the server. The record of every SYN of a flood or a scan left unanswered.
 */
function unanswered(c: Connection, server: Flow, packets: PacketRecords | null): boolean {
  const s = c.story;
  return packets === null && c.analysis === NO_COUNTS && s.synAckFrame <= 0 && s.hsAckFrame <= 0 &&
    !storyFlag(s, S_SIMULTANEOUS_OPEN) && s.refusedFrame <= 0 && initialRtt(c) === null && s.fin1Frame <= 0 && s.fin1AckFrame <= 0 &&
    s.fin2Frame <= 0 && s.fin2AckFrame <= 0 && s.rstFrame <= 0 && !flowFlag(server, F_SYN_SEEN);
}

/** The longest tail TailMemo keeps (an unanswered connection's is about 1.2 KB in the document's layout). */
const TAIL_MAX = 4096;

/** C.teardownHead's index: the teardown's kind, initiator and flags. */
function teardownHead(c: Connection): number {
  const s = c.story;
  const tk = teardownKind(s);
  const initiator = teardownInitiator(c, tk);
  return TEARDOWN_KINDS.indexOf(tk) * 32 + (initiator === null ? 0 : initiator === 'client' ? 8 : 16) +
    (storyFlag(s, S_DATA_AFTER_FIN) ? 4 : 0) + (storyFlag(s, S_RST_AFTER_FIN) ? 2 : 0) + (storyFlag(s, S_RST_ANSWERS_DATA) ? 1 : 0);
}

/** C.finalNoRst's and C.finalAfterRst's index: the client's and the server's final states. */
function finalStates(c: Connection): number {
  const s = c.story;
  return (c.clientIsA ? s.stateA : s.stateB) * 16 + (c.clientIsA ? s.stateB : s.stateA);
}

/**
 * What the rest of an unanswered connection's record (from its `synAck` key) is made of. Under
 * unanswered(), writeConnection reads only: the layout and the language, whether chunks go as
 * references, the SYN retransmissions, the client's SYN options, the window scales, the
 * teardown's head, the final states, Zeek's state and history, and the diagnostics (key, side,
 * numbers).
 */
class TailKey {
  C: RecordChunks | null = null;
  lang: Lang = 'en';
  refs = false;
  synRetx = 0;
  clientBits = 0;
  mss = 0;
  wscale = 0;
  wc = 0;
  ws = 0;
  teardown = 0;
  states = 0;
  zeekState = '';
  zeekHistory = '';
  /** The diagnostics' count, then each one's key, side and numbers. */
  diags = 0;
  readonly dKey: string[] = [];
  readonly dRole: string[] = [];
  readonly dN1: number[] = [];
  readonly dN2: number[] = [];

  fill(c: Connection, client: Flow, server: Flow, ds: Diagnostic[], lang: Lang, C: RecordChunks, refs: boolean): void {
    this.C = C;
    this.lang = lang;
    this.refs = refs;
    this.synRetx = synRetransmissions(c.story);
    this.clientBits = (flowFlag(client, F_SYN_SEEN) ? 1 : 0) | (flowFlag(client, F_SYN_SACK_PERMITTED) ? 2 : 0) | (flowFlag(client, F_SYN_TIMESTAMPS) ? 4 : 0);
    this.mss = client.synMss;
    this.wscale = client.synWscale;
    this.wc = client.winScale;
    this.ws = server.winScale;
    this.teardown = teardownHead(c);
    this.states = finalStates(c);
    this.zeekState = zeekConnState(c);
    this.zeekHistory = zeekHistory(c);
    this.diags = ds.length;
    for (let i = 0; i < ds.length; i++) {
      const d = ds[i];
      this.dKey[i] = d.key;
      this.dRole[i] = diagnosticRole(c, d);
      this.dN1[i] = d.n1;
      this.dN2[i] = d.n2;
    }
  }

  equals(o: TailKey): boolean {
    if (this.C !== o.C || this.lang !== o.lang || this.refs !== o.refs || this.synRetx !== o.synRetx || this.clientBits !== o.clientBits ||
      this.mss !== o.mss || this.wscale !== o.wscale || this.wc !== o.wc || this.ws !== o.ws || this.teardown !== o.teardown ||
      this.states !== o.states || this.zeekState !== o.zeekState || this.zeekHistory !== o.zeekHistory || this.diags !== o.diags) return false;
    for (let i = 0; i < this.diags; i++) {
      if (this.dKey[i] !== o.dKey[i] || this.dRole[i] !== o.dRole[i] || this.dN1[i] !== o.dN1[i] || this.dN2[i] !== o.dN2[i]) return false;
    }
    return true;
  }
}

/**
 * The bytes of the last unanswered connection's record from its `synAck` key to its end, and
 * their TailKey. When the next unanswered connection's key is the same, those bytes are its
 * record's: a SYN flood's million records copy 1.2 KB each instead of writing some sixty
 * pieces (docs/performance.md, "2026-12-04 (midday)"). test/json-bytes.test.ts renders runs of
 * such connections, each differing from the one before in up to three values (or in something
 * that makes it answered), against connectionJson.
 */
class TailMemo {
  private readonly buf = Buffer.alloc(TAIL_MAX);
  /** The kept bytes (a view of buf); null: nothing kept. */
  bytes: Uint8Array | null = null;
  /** The key of the kept bytes, and the key of the record being written (swapped by keep()). */
  private kept = new TailKey();
  private next = new TailKey();

  /** Makes the connection's key; true when the kept bytes are the rest of its record. */
  find(c: Connection, client: Flow, server: Flow, ds: Diagnostic[], lang: Lang, C: RecordChunks, refs: boolean): boolean {
    this.next.fill(c, client, server, ds, lang, C, refs);
    return this.bytes !== null && this.next.equals(this.kept);
  }

  /** Keeps the rest of the record just written from `at` (the `synAck` key), made from find()'s key. */
  keep(w: ByteWriter, at: number): void {
    this.bytes = keepText(w, at, this.buf);
    if (this.bytes === null) return;
    const k = this.kept;
    this.kept = this.next;
    this.next = k;
  }
}

const TAIL = new TailMemo();

/**
 * The text `w` holds from `at` copied into `buf` (a memo's): a view of exactly it, which bytes()
 * copies whole; null when it is longer than `buf`.
 */
function keepText(w: ByteWriter, at: number, buf: Buffer): Uint8Array | null {
  const n = w.pos - at;
  if (n > buf.length) return null;
  w.buf.copy(buf, 0, at, w.pos);
  return buf.subarray(0, n);
}

/** The SYN options' bits of a flow that its record shows. */
const OPTION_BITS = F_SYN_SEEN | F_SYN_SACK_PERMITTED | F_SYN_TIMESTAMPS;
/** The longest `options` and `agreed` text OptionsMemo keeps (about 700 bytes in the document's layout). */
const OPTIONS_MAX = 2048;

/**
 * `handshake.options` and `handshake.agreed` (from the `options` key to the teardown's): a
 * function of the layout, whether chunks go as references, and each side's SYN options (their
 * bits, MSS and window scale). The connections of one client and server announce the same
 * options, so the text is kept and copied for the next connection alike: some twenty pieces
 * written a connection, 7% of short1m's `--json` when left out altogether. test/json-bytes.test.ts
 * renders runs of connections whose options differ from the one before in up to three values.
 */
class OptionsMemo {
  private readonly buf = Buffer.alloc(OPTIONS_MAX);
  /** The kept text (a view of buf); null: nothing kept. */
  private bytes: Uint8Array | null = null;
  private C: RecordChunks | null = null;
  private refs = false;
  private clientBits = 0;
  private clientMss = 0;
  private clientWscale = 0;
  private serverBits = 0;
  private serverMss = 0;
  private serverWscale = 0;

  write(w: ByteWriter, client: Flow, server: Flow, C: RecordChunks): void {
    const cb = client.bits & OPTION_BITS;
    const sb = server.bits & OPTION_BITS;
    const kept = this.bytes;
    if (kept !== null && this.C === C && this.refs === w.refs && this.clientBits === cb && this.clientMss === client.synMss &&
      this.clientWscale === client.synWscale && this.serverBits === sb && this.serverMss === server.synMss && this.serverWscale === server.synWscale) {
      w.bytes(kept, 0, kept.length);
      return;
    }
    const at = w.pos;
    writeOptions(w, client, server, C);
    this.bytes = keepText(w, at, this.buf);
    if (this.bytes === null) return;
    this.C = C;
    this.refs = w.refs;
    this.clientBits = cb;
    this.clientMss = client.synMss;
    this.clientWscale = client.synWscale;
    this.serverBits = sb;
    this.serverMss = server.synMss;
    this.serverWscale = server.synWscale;
  }
}

const OPTIONS = new OptionsMemo();

/** `handshake.options` and `handshake.agreed`, from the `options` key to the teardown's (see OptionsMemo). */
function writeOptions(w: ByteWriter, client: Flow, server: Flow, C: RecordChunks): void {
  w.raw(C.options);
  synOptions(w, client, C, false);
  synOptions(w, server, C, true);
  if (flowFlag(client, F_SYN_SEEN) && flowFlag(server, F_SYN_SEEN)) {
    // connectionJson's `agreed`: each side's MSS is the one the other announced
    w.raw(C.agreedMss);
    numOrNull(w, optionValue(server.synMss));
    w.raw(C.serverG);
    numOrNull(w, optionValue(client.synMss));
    w.raw(C.agreedWs);
    if (client.synWscale >= 0 && server.synWscale >= 0) {
      w.raw(C.clientG);
      w.num(client.synWscale);
      w.raw(C.serverG);
      w.num(server.synWscale);
      w.raw(C.closeG);
    } else {
      w.null();
    }
    w.raw(C.agreedTail.get((flowFlag(client, F_SYN_SACK_PERMITTED) && flowFlag(server, F_SYN_SACK_PERMITTED) ? 2 : 0) + (flowFlag(client, F_SYN_TIMESTAMPS) && flowFlag(server, F_SYN_TIMESTAMPS) ? 1 : 0)));
  } else {
    w.null();
  }
}

/**
 * connectionJson(c, packets, lang) laid out by C, written from the connection: field by field
 * in connectionJson's order, each value as it decides it (the functions it uses, or the field).
 */
function writeConnection(w: ByteWriter, c: Connection, packets: PacketRecords | null, lang: Lang, C: RecordChunks, between: (() => void) | null): void {
  const client = clientFlow(c);
  const server = serverFlow(c);
  const s = c.story;
  w.raw(C.id);
  w.num(c.id);
  if (c.continued) {
    w.raw(C.continuation);
    w.bool(true);
  }
  if (c.continuedAfresh) {
    w.raw(C.analysisAfresh);
    w.bool(true);
  }
  w.raw(C.client);
  endpoint(w, c, client, true, C);
  w.raw(C.server);
  endpoint(w, c, server, false, C);
  w.raw(C.ipVersion);
  w.num(c.ipVersion);
  w.raw(C.firstFrame);
  w.num(c.firstFrame);
  w.raw(C.lastFrame);
  w.num(c.lastFrame);
  w.raw(C.start);
  w.num(round9(c.firstTime));
  w.raw(C.duration);
  w.num(round9(c.lastTime - c.firstTime));
  w.raw(C.packetCount);
  w.num(client.packets);
  w.raw(C.sideServer);
  w.num(server.packets);
  w.raw(C.payloadBytes);
  w.num(client.payloadBytes);
  w.raw(C.sideServer);
  w.num(server.payloadBytes);
  w.raw(C.completeness);
  w.num(c.completeness);

  w.raw(C.handshakeHead.get(handshakeKind(s)));
  numOrNull(w, frameOrNull(s.synFrame));
  const ds = diagnostics(c);
  // an unanswered connection's rest, as the last one's when they are alike (see TailMemo)
  const memo = unanswered(c, server, packets) ? TAIL : null;
  if (memo !== null && memo.find(c, client, server, ds, lang, C, w.refs)) {
    const kept = memo.bytes as Uint8Array;
    w.bytes(kept, 0, kept.length);
    return;
  }
  const tailAt = w.pos;
  w.raw(C.synAck);
  numOrNull(w, frameOrNull(s.synAckFrame));
  w.raw(C.ack);
  numOrNull(w, frameOrNull(s.hsAckFrame));
  if (storyFlag(s, S_SIMULTANEOUS_OPEN)) {
    w.raw(C.secondSyn);
    numOrNull(w, frameOrNull(s.secondSynFrame));
  }
  if (s.refusedFrame > 0) {
    w.raw(C.rstF);
    w.num(s.refusedFrame);
  }
  w.raw(C.synRetransmissions);
  w.num(synRetransmissions(s));
  w.raw(C.rtt);
  const rtt = initialRtt(c);
  numOrNull(w, rtt === null ? null : round9(rtt));
  OPTIONS.write(w, client, server, C);

  w.raw(C.teardownHead.get(teardownHead(c)));
  numOrNull(w, frameOrNull(s.fin1Frame));
  w.raw(C.finAck);
  numOrNull(w, frameOrNull(s.fin1AckFrame));
  w.raw(C.secondFin);
  numOrNull(w, frameOrNull(s.fin2Frame));
  w.raw(C.lastAck);
  numOrNull(w, frameOrNull(s.fin2AckFrame));
  // the rst's frame, the final states and the `inferred` list (by the states' pair)
  if (s.rstFrame > 0) {
    w.raw(C.rstF);
    w.num(s.rstFrame);
    w.raw(C.finalAfterRst.get(finalStates(c)));
  } else {
    w.raw(C.finalNoRst.get(finalStates(c)));
  }

  w.raw(C.zeekHead.get(zeekConnState(c)));
  w.str(zeekHistory(c));
  if (ds.length > 0) {
    w.raw(C.diagnostics);
    for (let i = 0; i < ds.length; i++) {
      w.raw(i === 0 ? C.diagKey : C.diagNext);
      const d = ds[i];
      w.raw(DIAG_KEYS.get(d.key));
      w.raw(C.message);
      messageBytes(lang, d.key, true).write(w, diagnosticRole(c, d), d.n1, d.n2, 0);
    }
    w.raw(C.diagEnd);
  }
  // the window scales (by their pair) and `analysis`' key; after `diagnostics: []` when empty
  const wc = client.winScale;
  const ws = server.winScale;
  if (wc >= SCALE_MIN && wc <= SCALE_MAX && ws >= SCALE_MIN && ws <= SCALE_MAX) {
    const key = (wc - SCALE_MIN) * 32 + (ws - SCALE_MIN);
    w.raw(ds.length === 0 ? C.noDiagnosticsScales.get(key) : C.scales.get(key));
  } else {
    if (ds.length === 0) {
      w.raw(C.diagnostics);
      w.raw(C.empty);
    }
    w.raw(C.windowScale);
    scale(w, wc);
    w.raw(C.sideServer);
    scale(w, ws);
    w.raw(C.analysis);
  }
  let n = 0;
  for (let i = 0; i < ANALYSIS_NAMES.length; i++) {
    const count = c.analysis[i];
    if (count > 0) {
      w.raw(n === 0 ? C.analysisFirst[i] : C.analysisNext[i]);
      w.num(count);
      n++;
    }
  }
  if (packets === null) {
    w.raw(n === 0 ? C.emptyClose : C.closeEClose);
    if (memo !== null) memo.keep(w, tailAt);
    return;
  }
  w.raw(n === 0 ? C.emptyObject : C.closeE);
  const om = packets.omitted;
  if (om) {
    w.raw(C.packetsOmitted);
    w.num(om.count);
    w.raw(C.fromFrame);
    w.num(om.fromFrame);
    w.raw(C.toFrame);
    w.num(om.toFrame);
    w.raw(C.limit);
    w.num(om.limit);
    w.raw(C.closeE);
  }
  w.raw(C.packets);
  if (packets.length === 0) {
    w.raw(C.empty);
  } else {
    w.raw(C.packetsOpen);
    touchRecords(packets);
    for (let i = 0; i < packets.length; i++) {
      if (i > 0) w.raw(C.packetsSep);
      writePacketRecord(w, c, packets.at(i), lang, PACKET_HEAD);
      if (between !== null && (i & BETWEEN_MASK) === BETWEEN_MASK) between();
    }
    w.raw(C.packetsEnd);
  }
  w.raw(C.close);
}

/** `,"from":` and the side, then `,"flags":`: for the client and for the server. */
const FROM_CLIENT = ascii(L0.next(0, 'from') + JSON.stringify('client') + L0.next(0, 'flags'));
const FROM_SERVER = ascii(L0.next(0, 'from') + JSON.stringify('server') + L0.next(0, 'flags'));
/** By flags value (9 bits): the names' JSON text, then `,"seq":`. */
const FLAGS_SEQ = new ByIndex(1 << 9, (bits) => JSON.stringify(flagNames(bits)) + L0.next(0, 'seq'));
/**
 * By analysis bits and phase (analysis * 8 + phase): `,"analysis":` and the names, `,"phase":`
 * and the phase, up to the client's state.
 */
const ANALYSIS_PHASE = new ByName<number>((key) => {
  const bits = Math.floor(key / 8);
  return L0.next(0, 'analysis') + JSON.stringify(bits === 0 ? NO_ANALYSIS : analysisNames(bits)) + L0.next(0, 'phase') + JSON.stringify(PHASE_NAMES[key % 8]) +
    L0.next(0, 'states') + L0.first(1, 'client');
});
/** ANALYSIS_PHASE's pieces without analysis names (most packets), by phase. */
const NO_ANALYSIS_PHASE = PHASE_NAMES.map((_, phase) => ANALYSIS_PHASE.get(phase));
/**
 * By the client's and the server's state (client * 16 + server): the client's, `,"server":` and
 * the server's, the end of `states`; and the same with the end of the record (no note after it).
 */
const statesText = (key: number): string => JSON.stringify(STATE_NAMES[key >> 4]) + L0.next(1, 'server') + JSON.stringify(STATE_NAMES[key & 15]) + L0.close(1);
const STATES = new ByIndex(16 * 16, statesText);
const STATES_CLOSE = new ByIndex(16 * 16, (key) => statesText(key) + L0.close(0));

/**
 * packetJson(c, r, lang) as the compact record packet() writes, straight from `r`; `head` is its
 * text up to the frame number.
 */
function writePacketRecord(w: ByteWriter, c: Connection, r: PacketRecord, lang: Lang, head: Chunk): void {
  const from = role(c, r.fromA) === 'client' ? FROM_CLIENT : FROM_SERVER;
  const flags = FLAGS_SEQ.get(r.flags);
  const analysis = r.analysis === 0 ? NO_ANALYSIS_PHASE[r.phase]! : ANALYSIS_PHASE.get(r.analysis * 8 + r.phase);
  const st = packetState(c, r, true) * 16 + packetState(c, r, false);
  const states = r.note === N_NONE ? STATES_CLOSE.get(st) : STATES.get(st);
  // room for all but the note
  w.reserve(PACKET_ROOM + 8 * (head.words.length + flags.words.length + analysis.words.length + states.words.length));
  const refs = w.refs;
  const v = w.view;
  let p = putRaw(v, w.pos, head, refs);
  const frame = r.frame;
  if (frame >= 0 && frame <= 0x7fffffff && (frame | 0) === frame) p = putInt32(v, p, frame);
  else {
    // (in the room reserved: NUMBER_MAX bytes, so the writer keeps its buffer)
    w.pos = p;
    w.num(frame);
    p = w.pos;
  }
  p = putRaw(v, p, P.time, refs);
  // num(round9(time)), with the common case (a time of whole nanoseconds, as ByteWriter.nanos
  // tells) here, not in a call: a double handed to a call that is not inlined is made a heap
  // number, one per packet record
  // (no `%`: of doubles, as k is beyond int32, it is a call)
  // round9(x) written out too: V8 inlined it here in some runs and not in others (this
  // function inlines many writers and runs out of budget), and then both the time handed to
  // it and the time it returned were heap numbers (11-12 MB a million records, in half the runs)
  const x = r.time;
  const t = Math.abs(x) < ROUND9_MAX ? Math.round(x * 1e9) / 1e9 : x;
  const k = Math.round(t * 1e9);
  const whole = Math.floor(k / 1e9);
  const frac = k - whole * 1e9;
  if (t >= NANO_MIN && t < NANO_MAX && k / 1e9 === t && frac !== 0) p = putFraction(v, p, whole, frac);
  else {
    w.pos = p;
    w.num(t);
    p = w.pos;
  }
  // the rest, from the side to the states, as pieces of constant text each followed by a
  // number or not, in a loop: written out, the 11 calls of putRaw and 6 of putU32 were more than
  // V8 inlines into one function, and those left as calls took a third of the record's time
  const segs = SEGMENTS;
  const nums = SEGMENT_NUMBERS;
  segs[0] = from;
  segs[1] = flags;
  segs[7] = analysis;
  segs[8] = states;
  nums[1] = r.seq | 0;
  nums[2] = r.ack | 0;
  nums[3] = r.rawSeq | 0;
  nums[4] = r.rawAck | 0;
  nums[5] = r.len | 0;
  // (the scaled window is below 2^30)
  nums[6] = r.window | 0;
  for (let i = 0; i < SEGMENT_COUNT; i++) {
    p = putRaw(v, p, segs[i]!, refs);
    if (i >= FIRST_NUMBER && i <= LAST_NUMBER) p = putU32(v, p, nums[i]!);
  }
  w.pos = p;
  if (r.note === N_NONE) return;
  w.raw(P.note);
  (lang === 'en' ? NOTES_EN : NOTES_ZH).write(w, r.note, role(c, r.fromA), r.n1, r.n2, r.n3);
  w.raw(P.close);
}

/**
 * writePacketRecord()'s pieces from the side on: the side and `"flags":`, the flags and `"seq":`,
 * the keys of ack, rawSeq, rawAck, len and window, the analysis and phase, the states (the ones
 * that vary set for each record); SEGMENT_NUMBERS[i] follows SEGMENTS[i] for i from FIRST_NUMBER
 * to LAST_NUMBER (uint32s as int32s).
 */
const SEGMENTS: Chunk[] = [FROM_CLIENT, FROM_CLIENT, P.ack, P.rawSeq, P.rawAck, P.len, P.window, FROM_CLIENT, FROM_CLIENT];
const SEGMENT_COUNT = SEGMENTS.length;
const SEGMENT_NUMBERS = new Int32Array(SEGMENT_COUNT);
const FIRST_NUMBER = 1;
const LAST_NUMBER = 6;

/**
 * The longest text ByteWriter.num() writes: String() of a double is at most 24 characters
 * (a sign, 17 significant digits, the point and an exponent of three digits with its sign).
 */
const NUMBER_MAX = 24;
/**
 * Room writePacketRecord() reserves besides its chunks that vary: the constant ones' words and
 * the numbers (the frame and the time NUMBER_MAX bytes each, five uint32s and the window 10).
 */
const PACKET_ROOM = 8 * (P.time.words.length + P.ack.words.length + P.rawSeq.words.length + P.rawAck.words.length + P.len.words.length +
  P.window.words.length + Math.max(FROM_CLIENT.words.length, FROM_SERVER.words.length)) + 2 * NUMBER_MAX + 6 * 10;

/** writeRecord()'s `between` is called after every this many packet records plus one (a mask). */
const BETWEEN_MASK = 255;

/**
 * recordJson(connectionJson(c, packets, lang), RECORD_INDENT) as UTF-8: a connection's record
 * in the document, its packets (when given) written straight from their records. `nested`:
 * every line two spaces deeper, as the record is in a document inside the array of several
 * captures' documents (the same bytes as indenting the record afterwards, without the pass
 * over them: 400 MB of records took 1.2 s to indent). `between`: called between packet records
 * now and then, where the writer's bytes may be taken (Output.writeNow).
 */
export function writeRecord(w: ByteWriter, c: Connection, packets: PacketRecords | null, lang: Lang, nested = false, between: (() => void) | null = null): void {
  writeConnection(w, c, packets, lang, nested ? (docNested ??= recordChunks(PRETTY, DEPTH + 1, '')) : (doc ??= recordChunks(PRETTY, DEPTH, '')), between);
}

/** An NDJSON connection line without its newline: JSON.stringify({ type: 'connection', ...connectionJson(c, null, lang) }). */
export function writeNdjsonConnection(w: ByteWriter, c: Connection, lang: Lang): void {
  writeConnection(w, c, null, lang, (ndjson ??= recordChunks(COMPACT, 0, '{"type":"connection",')), null);
}

/** The NDJSON line of packet record `r` of connection `c`: JSON.stringify({ type: 'packet', connection: c.id, ...packetJson(c, r, lang) }). */
export function writeNdjsonPacketRecord(w: ByteWriter, c: Connection, r: PacketRecord, lang: Lang): void {
  w.raw(NDJSON_PACKET_HEAD);
  w.num(c.id);
  writePacketRecord(w, c, r, lang, NDJSON_PACKET_FRAME);
}
