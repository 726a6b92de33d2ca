/**
 * The connection and packet records of the JSON contract written straight to UTF-8 bytes, in
 * the two layouts the outputs use: the document's (a connection record at the connections'
 * indent, as recordJson lays it out: indented by two, `packets` one compact record per line)
 * and NDJSON's (compact, `"type"` first). Several times faster than JSON.stringify and its
 * UTF-8 encoding: the constant text between the values (keys, indentation, brackets) is encoded
 * once per layout and copied, numbers and ASCII strings are written byte by byte.
 *
 * The writers lay out the objects connectionJson and packetJson build, whose shape they know:
 * what a record says is still decided there only. A value of a type a writer does not expect
 * (a nested object, undefined) makes it give up, and the record is rendered the generic way
 * (recordJson, JSON.stringify) instead; test/json-bytes.test.ts checks the bytes against those
 * for every connection of the fixtures and the corpus, and for generated records.
 *
 * Packet records, a million to a capture, are the exception: writePacketRecord writes one
 * straight from the PacketRecord, with the functions and tables packetJson uses (json.ts), and
 * the JSON text of each name list and name made once. No object per packet: NDJSON --packets on
 * the 1M-packet bulk capture took 0.84 s through packetJson's objects.
 */
import { ascii, ByteWriter, Chunk, NANO_MIN, NANO_MAX } from '../util/bytes.js';
import { recordJson } from './pretty.js';
import { flagNames, NO_ANALYSIS, packetJson, packetNote, packetState, role, type PacketRecord } from './json.js';
import type { Connection } from '../analyze/connection.js';
import type { Lang } from '../i18n/messages.js';
import { analysisNames } from '../analyze/flags.js';
import { N_NONE, PHASE_NAMES, STATE_NAMES } from '../analyze/story.js';
import { round9 } from '../util/round.js';

type J = Record<string, unknown>;

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

/** The constant pieces of a connection record in one layout, its object at depth d. */
function recordChunks(L: Layout, d: number, head: string) {
  const e = d + 1;
  const f = d + 2;
  const g = d + 3;
  return {
    layout: L,
    depth: d,
    // `head` replaces the record's opening brace (NDJSON's `{"type":"connection",`)
    id: ascii(head === '' ? L.first(d, 'id') : head + L.first(d, 'id').slice(1)),
    continuation: ascii(L.next(d, 'continuation')),
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
    /** Bytes before a key of an object at depth d + 1 (analysis), first or later. */
    keys: [new Map<string, Chunk>(), new Map<string, Chunk>()],
  };
}
type RecordChunks = ReturnType<typeof recordChunks>;

const DOC = recordChunks(PRETTY, DEPTH, '');
const NDJSON = recordChunks(COMPACT, 0, '{"type":"connection",');

/** The constant pieces of a packet record (always compact), after its first key's. */
const L0 = COMPACT;
const P = {
  time: ascii(L0.next(0, 'time')),
  from: ascii(L0.next(0, 'from')),
  flags: ascii(L0.next(0, 'flags')),
  seq: ascii(L0.next(0, 'seq')),
  ack: ascii(L0.next(0, 'ack')),
  rawSeq: ascii(L0.next(0, 'rawSeq')),
  rawAck: ascii(L0.next(0, 'rawAck')),
  len: ascii(L0.next(0, 'len')),
  window: ascii(L0.next(0, 'window')),
  analysis: ascii(L0.next(0, 'analysis')),
  phase: ascii(L0.next(0, 'phase')),
  states: ascii(L0.next(0, 'states') + L0.first(1, 'client')),
  server: ascii(L0.next(1, 'server')),
  statesClose: ascii(L0.close(1)),
  note: ascii(L0.next(0, 'note')),
  close: ascii(L0.close(0)),
};
/** Up to a packet record's first value: in the document, and in NDJSON (after the connection id). */
const PACKET_HEAD = ascii(L0.first(0, 'frame'));
const NDJSON_PACKET_HEAD = ascii('{"type":"packet","connection":');
const NDJSON_PACKET_FRAME = ascii(L0.next(0, 'frame'));
const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;

/** Set when a writer meets a value of a type it does not lay out; the record is then redone. */
let surprise = false;
/** Records redone the generic way (tests check that real records never are). */
let redone = 0;

export function redoneCount(): number {
  return redone;
}

/** `v` as an object, or null (and the record is given up on) when it is not one. */
function obj(v: unknown): J | null {
  if (typeof v === 'object' && v !== null) return v as J;
  surprise = true;
  return null;
}

function scalar(w: ByteWriter, v: unknown): void {
  if (typeof v === 'number') w.num(v);
  else if (typeof v === 'string') w.str(v);
  else if (v === null) w.null();
  else if (typeof v === 'boolean') w.bool(v);
  else surprise = true;
}

function side(w: ByteWriter, o: unknown, C: RecordChunks): void {
  const s = obj(o);
  if (s === null) return;
  scalar(w, s.client);
  w.raw(C.sideServer);
  scalar(w, s.server);
}

function endpoint(w: ByteWriter, o: unknown, C: RecordChunks): void {
  const e = obj(o);
  if (e === null) return;
  scalar(w, e.ip);
  w.raw(C.port);
  scalar(w, e.port);
  if (e.inferredBy !== undefined) {
    w.raw(C.inferredBy);
    scalar(w, e.inferredBy);
  }
}

function synOptions(w: ByteWriter, o: unknown, C: RecordChunks): void {
  if (o === null) {
    w.null();
    return;
  }
  if (typeof o !== 'object') {
    surprise = true;
    return;
  }
  const s = o as J;
  w.raw(C.mss);
  scalar(w, s.mss);
  w.raw(C.windowScaleG);
  scalar(w, s.windowScale);
  w.raw(C.sackPermittedG);
  scalar(w, s.sackPermitted);
  w.raw(C.timestampsG);
  scalar(w, s.timestamps);
  w.raw(C.closeG);
}

function agreed(w: ByteWriter, o: unknown, C: RecordChunks): void {
  if (o === null) {
    w.null();
    return;
  }
  if (typeof o !== 'object') {
    surprise = true;
    return;
  }
  const a = o as J;
  w.raw(C.agreedMss);
  const mss = obj(a.mss);
  if (mss === null) return;
  scalar(w, mss.client);
  w.raw(C.serverG);
  scalar(w, mss.server);
  w.raw(C.agreedWs);
  const ws = a.windowScale as J | null;
  if (ws === null) w.null();
  else if (typeof ws !== 'object') surprise = true;
  else {
    w.raw(C.clientG);
    scalar(w, ws.client);
    w.raw(C.serverG);
    scalar(w, ws.server);
    w.raw(C.closeG);
  }
  w.raw(C.sackPermittedF);
  scalar(w, a.sackPermitted);
  w.raw(C.timestampsF);
  scalar(w, a.timestamps);
  w.raw(C.closeF);
}

function strings(w: ByteWriter, a: unknown, C: RecordChunks): void {
  if (!Array.isArray(a)) {
    surprise = true;
    return;
  }
  if (a.length === 0) {
    w.raw(C.empty);
    return;
  }
  w.raw(C.strOpen);
  for (let i = 0; i < a.length; i++) {
    if (i > 0) w.raw(C.strSep);
    const s: unknown = a[i];
    if (typeof s === 'string') w.str(s);
    else scalar(w, s);
  }
  w.raw(C.strEnd);
}

function diagnosticList(w: ByteWriter, a: unknown, C: RecordChunks): void {
  if (!Array.isArray(a)) {
    surprise = true;
    return;
  }
  if (a.length === 0) {
    w.raw(C.empty);
    return;
  }
  for (let i = 0; i < a.length; i++) {
    const d = obj(a[i]);
    if (d === null) return;
    w.raw(i === 0 ? C.diagKey : C.diagNext);
    scalar(w, d.key);
    w.raw(C.message);
    scalar(w, d.message);
  }
  w.raw(C.diagEnd);
}

/** An object of counters whose keys vary (`analysis`). */
function counters(w: ByteWriter, o: unknown, C: RecordChunks): void {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    surprise = true;
    return;
  }
  let n = 0;
  const m = o as J;
  for (const k in m) {
    const v = m[k];
    if (v === undefined) continue;
    const keys = C.keys[n === 0 ? 0 : 1];
    let b = keys.get(k);
    if (b === undefined) {
      const t = n === 0 ? C.layout.first(C.depth + 1, k) : C.layout.next(C.depth + 1, k);
      if (!/^[\x00-\x7f]*$/.test(t)) {
        surprise = true;
        return;
      }
      b = new Chunk(t);
      keys.set(k, b);
    }
    w.raw(b);
    scalar(w, v);
    n++;
  }
  w.raw(n === 0 ? C.emptyObject : C.closeE);
}

function connection(w: ByteWriter, o: J, C: RecordChunks): void {
  w.raw(C.id);
  scalar(w, o.id);
  if (o.continuation !== undefined) {
    w.raw(C.continuation);
    scalar(w, o.continuation);
  }
  w.raw(C.client);
  endpoint(w, o.client, C);
  w.raw(C.server);
  endpoint(w, o.server, C);
  w.raw(C.ipVersion);
  scalar(w, o.ipVersion);
  w.raw(C.firstFrame);
  scalar(w, o.firstFrame);
  w.raw(C.lastFrame);
  scalar(w, o.lastFrame);
  w.raw(C.start);
  scalar(w, o.start);
  w.raw(C.duration);
  scalar(w, o.duration);
  w.raw(C.packetCount);
  side(w, o.packetCount, C);
  w.raw(C.payloadBytes);
  side(w, o.payloadBytes, C);
  w.raw(C.completeness);
  scalar(w, o.completeness);

  const hs = obj(o.handshake);
  if (hs === null) return;
  w.raw(C.handshake);
  scalar(w, hs.kind);
  const hf = obj(hs.frames);
  if (hf === null) return;
  w.raw(C.hsFrames);
  scalar(w, hf.syn);
  w.raw(C.synAck);
  scalar(w, hf.synAck);
  w.raw(C.ack);
  scalar(w, hf.ack);
  if (hf.secondSyn !== undefined) {
    w.raw(C.secondSyn);
    scalar(w, hf.secondSyn);
  }
  if (hf.rst !== undefined) {
    w.raw(C.rstF);
    scalar(w, hf.rst);
  }
  w.raw(C.synRetransmissions);
  scalar(w, hs.synRetransmissions);
  w.raw(C.rtt);
  scalar(w, hs.rtt);
  const opt = obj(hs.options);
  if (opt === null) return;
  w.raw(C.options);
  synOptions(w, opt.client, C);
  w.raw(C.optServer);
  synOptions(w, opt.server, C);
  w.raw(C.agreed);
  agreed(w, hs.agreed, C);

  const td = obj(o.teardown);
  if (td === null) return;
  w.raw(C.teardown);
  scalar(w, td.kind);
  w.raw(C.initiator);
  scalar(w, td.initiator);
  w.raw(C.dataAfterFin);
  scalar(w, td.dataAfterFin);
  w.raw(C.rstAfterFin);
  scalar(w, td.rstAfterFin);
  w.raw(C.rstAnswersData);
  scalar(w, td.rstAnswersData);
  const tf = obj(td.frames);
  if (tf === null) return;
  w.raw(C.tdFrames);
  scalar(w, tf.fin);
  w.raw(C.finAck);
  scalar(w, tf.finAck);
  w.raw(C.secondFin);
  scalar(w, tf.secondFin);
  w.raw(C.lastAck);
  scalar(w, tf.lastAck);
  w.raw(C.rstF);
  scalar(w, tf.rst);

  const fs = obj(o.finalState);
  if (fs === null) return;
  w.raw(C.finalState);
  scalar(w, fs.client);
  w.raw(C.sideServer);
  scalar(w, fs.server);
  w.raw(C.inferred);
  strings(w, fs.inferred, C);

  const z = obj(o.zeek);
  if (z === null) return;
  w.raw(C.zeek);
  scalar(w, z.state);
  w.raw(C.history);
  scalar(w, z.history);
  w.raw(C.diagnostics);
  diagnosticList(w, o.diagnostics, C);
  w.raw(C.windowScale);
  side(w, o.windowScale, C);
  w.raw(C.analysis);
  counters(w, o.analysis, C);

  if (o.packetsOmitted !== undefined) {
    const om = obj(o.packetsOmitted);
    if (om === null) return;
    w.raw(C.packetsOmitted);
    scalar(w, om.count);
    w.raw(C.fromFrame);
    scalar(w, om.fromFrame);
    w.raw(C.toFrame);
    scalar(w, om.toFrame);
    w.raw(C.limit);
    scalar(w, om.limit);
    w.raw(C.closeE);
  }
  const packets = o.packets;
  if (packets !== undefined) {
    if (!Array.isArray(packets)) {
      surprise = true;
      return;
    }
    w.raw(C.packets);
    if (packets.length === 0) w.raw(C.empty);
    else {
      w.raw(C.packetsOpen);
      for (let i = 0; i < packets.length; i++) {
        if (i > 0) w.raw(C.packetsSep);
        if (recordsOf === null) packet(w, packets[i], PACKET_HEAD);
        else writePacketRecord(w, recordsOf, packets[i] as PacketRecord, recordsLang, PACKET_HEAD);
      }
      w.raw(C.packetsEnd);
    }
  }
  w.raw(C.close);
}

/** A packet record (packetJson), compact; `head` is its text up to the frame number. */
function packet(w: ByteWriter, v: unknown, head: Chunk): void {
  const p = obj(v);
  if (p === null) return;
  w.raw(head);
  scalar(w, p.frame);
  w.raw(P.time);
  scalar(w, p.time);
  w.raw(P.from);
  scalar(w, p.from);
  w.raw(P.flags);
  flatStrings(w, p.flags);
  w.raw(P.seq);
  scalar(w, p.seq);
  w.raw(P.ack);
  scalar(w, p.ack);
  w.raw(P.rawSeq);
  scalar(w, p.rawSeq);
  w.raw(P.rawAck);
  scalar(w, p.rawAck);
  w.raw(P.len);
  scalar(w, p.len);
  w.raw(P.window);
  scalar(w, p.window);
  w.raw(P.analysis);
  flatStrings(w, p.analysis);
  w.raw(P.phase);
  scalar(w, p.phase);
  const st = obj(p.states);
  if (st === null) return;
  w.raw(P.states);
  scalar(w, st.client);
  w.raw(P.server);
  scalar(w, st.server);
  w.raw(P.statesClose);
  if (p.note !== undefined) {
    w.raw(P.note);
    scalar(w, p.note);
  }
  w.raw(P.close);
}

/** A compact array of strings. */
function flatStrings(w: ByteWriter, a: unknown): void {
  if (!Array.isArray(a)) {
    surprise = true;
    return;
  }
  w.byte(OPEN);
  for (let i = 0; i < a.length; i++) {
    if (i > 0) w.byte(COMMA);
    const s: unknown = a[i];
    if (typeof s === 'string') w.str(s);
    else scalar(w, s);
  }
  w.byte(CLOSE);
}

/** The JSON text of a name or a list of names (each is made once, by the caches below). */
function textOf(v: string | readonly string[]): Chunk {
  return ascii(JSON.stringify(v));
}

/** By flags value (9 bits) and by analysis bits: the JSON text of the names, made when first met. */
const FLAG_TEXT: (Chunk | undefined)[] = new Array<Chunk | undefined>(1 << 9).fill(undefined);
const ANALYSIS_TEXT = new Map<number, Chunk>();
const NO_ANALYSIS_TEXT = textOf(NO_ANALYSIS);
const CLIENT_TEXT = textOf('client');
const SERVER_TEXT = textOf('server');
const PHASE_TEXT = PHASE_NAMES.map((n) => textOf(n));
const STATE_TEXT = STATE_NAMES.map((n) => textOf(n));

function flagText(bits: number): Chunk {
  let c = FLAG_TEXT[bits];
  if (c === undefined) {
    c = textOf(flagNames(bits));
    FLAG_TEXT[bits] = c;
  }
  return c;
}

function analysisText(bits: number): Chunk {
  if (bits === 0) return NO_ANALYSIS_TEXT;
  let c = ANALYSIS_TEXT.get(bits);
  if (c === undefined) {
    c = textOf(analysisNames(bits));
    ANALYSIS_TEXT.set(bits, c);
  }
  return c;
}

/** A key's constant text, then a uint32 given as an int32 (ByteWriter.u32). */
function keyU32(w: ByteWriter, key: Chunk, i: number): void {
  w.raw(key);
  w.u32(i);
}

/**
 * packetJson(c, r, lang) as the compact record packet() writes, straight from `r`; `head` is its
 * text up to the frame number.
 */
function writePacketRecord(w: ByteWriter, c: Connection, r: PacketRecord, lang: Lang, head: Chunk): void {
  w.raw(head);
  w.num(r.frame);
  w.raw(P.time);
  // num(round9(time)), with the common case (a time of whole nanoseconds, as ByteWriter.nanos
  // tells) here, not in a call: a double handed to a call that is not inlined is made a heap
  // number, one per packet record
  const t = round9(r.time);
  const k = Math.round(t * 1e9);
  if (t >= NANO_MIN && t < NANO_MAX && k / 1e9 === t && k % 1e9 !== 0) {
    const whole = Math.floor(k / 1e9);
    w.fraction(whole, k - whole * 1e9);
  } else {
    w.num(t);
  }
  w.raw(P.from);
  w.raw(role(c, r.fromA) === 'client' ? CLIENT_TEXT : SERVER_TEXT);
  w.raw(P.flags);
  w.raw(flagText(r.flags));
  keyU32(w, P.seq, r.seq | 0);
  keyU32(w, P.ack, r.ack | 0);
  keyU32(w, P.rawSeq, r.rawSeq | 0);
  keyU32(w, P.rawAck, r.rawAck | 0);
  keyU32(w, P.len, r.len | 0);
  w.raw(P.window);
  w.num(r.window);
  w.raw(P.analysis);
  w.raw(analysisText(r.analysis));
  w.raw(P.phase);
  w.raw(PHASE_TEXT[r.phase]);
  w.raw(P.states);
  w.raw(STATE_TEXT[packetState(c, r, true)]);
  w.raw(P.server);
  w.raw(STATE_TEXT[packetState(c, r, false)]);
  w.raw(P.statesClose);
  if (r.note !== N_NONE) {
    w.raw(P.note);
    w.str(packetNote(c, r, lang));
  }
  w.raw(P.close);
}

/** After a writer gave up on a record begun at `start`: the generic text instead. */
function redo(w: ByteWriter, start: number, text: string): void {
  surprise = false;
  redone++;
  w.pos = start;
  w.text(text);
}

/** While writeRecord writes a record whose `packets` are PacketRecords: their connection and language. */
let recordsOf: Connection | null = null;
let recordsLang: Lang = 'en';

/**
 * recordJson(o, RECORD_INDENT) as UTF-8: a connection record (connectionJson) in the document.
 * `records`, when given, says that o.packets holds connection `records.c`'s PacketRecords (o made
 * by connectionJson with raw packets): each is written as its packetJson in `records.lang`, with
 * no packet object made.
 */
export function writeRecord(w: ByteWriter, o: J, records: { c: Connection; lang: Lang } | null = null): void {
  const start = w.pos;
  surprise = false;
  if (records !== null) {
    recordsOf = records.c;
    recordsLang = records.lang;
  }
  connection(w, o, DOC);
  recordsOf = null;
  if (surprise) {
    if (records !== null && Array.isArray(o.packets)) o.packets = o.packets.map((r) => packetJson(records.c, r as PacketRecord, records.lang));
    redo(w, start, recordJson(o, RECORD_INDENT));
  }
}

/** An NDJSON connection line without its newline: JSON.stringify({ type: 'connection', ...o }). */
export function writeNdjsonConnection(w: ByteWriter, o: J): void {
  const start = w.pos;
  surprise = false;
  connection(w, o, NDJSON);
  if (surprise) redo(w, start, JSON.stringify({ type: 'connection', ...o }));
}

/** An NDJSON packet line without its newline: JSON.stringify({ type: 'packet', connection: id, ...p }). */
export function writeNdjsonPacket(w: ByteWriter, id: number, p: J): void {
  const start = w.pos;
  surprise = false;
  w.raw(NDJSON_PACKET_HEAD);
  w.num(id);
  packet(w, p, NDJSON_PACKET_FRAME);
  if (surprise) redo(w, start, JSON.stringify({ type: 'packet', connection: id, ...p }));
}

/** The same line for packet record `r` of connection `c`: writeNdjsonPacket(w, c.id, packetJson(c, r, lang)). */
export function writeNdjsonPacketRecord(w: ByteWriter, c: Connection, r: PacketRecord, lang: Lang): void {
  w.raw(NDJSON_PACKET_HEAD);
  w.num(c.id);
  writePacketRecord(w, c, r, lang, NDJSON_PACKET_FRAME);
}
