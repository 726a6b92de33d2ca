/**
 * fast-check arbitraries shared by the tests of what is written from a connection
 * (json-bytes.test.ts) and read from it (check-facts.test.ts): values, strings, and connections
 * with any values in the fields a record reads, with their packet records.
 */
import fc from 'fast-check';
import {
  F_SYN_SACK_PERMITTED, F_SYN_SEEN, F_SYN_TIMESTAMPS, newConnection, ownAnalysis, setFlowAddress, setFlowFlag, type Connection, type Flow,
} from '../../src/analyze/connection.js';
import {
  NOTE_KEYS, PHASE_NAMES, STATE_NAMES, S_DATA_AFTER_FIN, S_FIN1_ACKED_BY_FIN, S_FIN1_FROM_A, S_FIN2_CROSSED, S_RST_AFTER_FIN, S_RST_ANSWERS_DATA,
  S_RST_FROM_A, S_SIMULTANEOUS_OPEN,
} from '../../src/analyze/story.js';
import { ANALYSIS_NAMES } from '../../src/analyze/flags.js';
import { setZeekHistory, setZeekVerdict } from '../../src/analyze/zeek.js';
import { ArrayRecords, type PacketRecord, type PacketRecords } from '../../src/render/records.js';

export const num: fc.Arbitrary<number> = fc.oneof(
  fc.nat({ max: 100 }),
  fc.integer(),
  fc.maxSafeInteger(),
  // beyond int32 and below 10^15 (ByteWriter.uint's divisions of doubles, then of int32)
  fc.tuple(fc.nat({ max: 999_999 }), fc.nat({ max: 999_999_999 })).map(([h, l]) => h * 1e9 + l),
  fc.double(),
  fc.double({ min: 0, max: 1e6, noNaN: true }).map((x) => Math.round(x * 1e9) / 1e9),
  fc.constantFrom(-0, 0, 9, 10, 99, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 1e10 - 1, 1e10, 1e15 - 1, 1e15, -1e15, 2 ** 53, 2 ** 53 + 2, 1e21, 1e-7, 0.1, NaN, Infinity, -Infinity, -1, -(2 ** 31)),
);
export const unit: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }), weight: 6 },
  { arbitrary: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u0080', 'é', '中', '\u2028', '\ufeff', '\u{1F600}'), weight: 2 },
  { arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 },
);
/** Printable ASCII with, now and then, one character to escape or beyond ASCII: long strings. */
export const plain: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), weight: 60 },
  { arbitrary: unit, weight: 1 },
);
export const str: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('three-way', 'client', 'ESTABLISHED', 'S0', '198.18.0.1', '::1', ''),
  fc.string({ unit, maxLength: 80, size: 'max' }),
  // around and beyond ByteWriter.str's native path (48 characters and more)
  fc.string({ unit: plain, minLength: 40, maxLength: 300, size: 'max' }),
);
export const bool = fc.boolean();

export const u32 = fc.oneof(fc.nat({ max: 100 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1));
/** A frame number, or 0 (none). */
export const frame = fc.oneof(fc.constant(0), fc.nat({ max: 1000 }), fc.integer({ min: 1, max: 2 ** 31 }), fc.constantFrom(2 ** 32, 2 ** 53 - 1));
export const count = fc.oneof(fc.nat({ max: 100 }), fc.maxSafeInteger(), fc.constantFrom(2 ** 31, 2 ** 32 + 1));
export const time = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 2 ** 21 }), fc.integer({ min: 0, max: 999_999_999 })).map(([s, ns]) => s + ns / 1e9),
  fc.double({ min: 0, max: 1e7, noNaN: true }),
  fc.constantFrom(0, 1e-7, 1e-6, 1048576 - 1e-9, 1048576, 2 ** 40 + 0.25, 1.7e9 + 0.123456789),
  fc.double({ min: -1e6, max: 0, noNaN: true }),
);
export const state = fc.integer({ min: 0, max: STATE_NAMES.length - 1 });
export const zeekState = fc.integer({ min: 0, max: 6 });
export const history = fc.oneof(fc.constantFrom('', 'S', 'ShADadFf', 'ShAdDaFRr', 'Sr', '^hADTadtFf', 'C'), str);

export interface FlowFields { addr: number[]; port: number; packets: number; payloadBytes: number; synSeen: boolean; synMss: number; synWscale: number; synSackPermitted: boolean; synTimestamps: boolean; winScale: number }
export const flow: fc.Arbitrary<FlowFields> = fc.record({
  addr: fc.array(u32, { minLength: 4, maxLength: 4 }),
  port: fc.integer({ min: 0, max: 65535 }),
  packets: count,
  payloadBytes: count,
  synSeen: fc.boolean(),
  synMss: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 65535 })),
  synWscale: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 255 })),
  synSackPermitted: fc.boolean(),
  synTimestamps: fc.boolean(),
  // beyond 14 too (the tracker keeps at most 14): the record's writer has a path for any value
  winScale: fc.oneof(fc.constantFrom(-1, -2), fc.integer({ min: 0, max: 14 }), fc.integer({ min: 15, max: 255 })),
});

export const story = fc.record({
  stateA: state, stateB: state,
  synFrame: frame, synCount: fc.nat({ max: 5 }), synAckFrame: frame, hsAckFrame: frame,
  simultaneousOpen: fc.boolean(), secondSynFrame: frame, refusedFrame: frame,
  fin1Frame: frame, fin1FromA: fc.boolean(), fin1AckFrame: frame, fin1AckedByFin: fc.boolean(),
  fin2Frame: frame, fin2Crossed: fc.boolean(), fin2AckFrame: frame, dataAfterFin: fc.boolean(),
  rstFrame: frame, rstFromA: fc.boolean(), rstAfterFin: fc.boolean(), rstAnswersData: fc.boolean(),
});

type StoryFields = typeof story extends fc.Arbitrary<infer T> ? T : never;

/** The story's numbers as fields, its yes-or-no facts as its bits (storyFlag). */
function setStory(c: Connection, g: StoryFields): void {
  const s = c.story;
  s.stateA = g.stateA;
  s.stateB = g.stateB;
  s.synFrame = g.synFrame;
  s.synCount = g.synCount;
  s.synAckFrame = g.synAckFrame;
  s.hsAckFrame = g.hsAckFrame;
  s.secondSynFrame = g.secondSynFrame;
  s.refusedFrame = g.refusedFrame;
  s.fin1Frame = g.fin1Frame;
  s.fin1AckFrame = g.fin1AckFrame;
  s.fin2Frame = g.fin2Frame;
  s.fin2AckFrame = g.fin2AckFrame;
  s.rstFrame = g.rstFrame;
  const bits: [number, boolean][] = [
    [S_SIMULTANEOUS_OPEN, g.simultaneousOpen], [S_FIN1_FROM_A, g.fin1FromA], [S_FIN1_ACKED_BY_FIN, g.fin1AckedByFin], [S_FIN2_CROSSED, g.fin2Crossed],
    [S_DATA_AFTER_FIN, g.dataAfterFin], [S_RST_FROM_A, g.rstFromA], [S_RST_AFTER_FIN, g.rstAfterFin], [S_RST_ANSWERS_DATA, g.rstAnswersData],
  ];
  for (const [bit, on] of bits) s.bits = on ? s.bits | bit : s.bits & ~bit;
}

/** A connection with any values in the fields its record reads. */
export const connection: fc.Arbitrary<Connection> = fc.record({
  id: fc.oneof(fc.nat({ max: 1000 }), fc.integer({ min: 0, max: 2 ** 32 })),
  ipVersion: fc.constantFrom(4, 6),
  a: flow, b: flow,
  clientIsA: fc.boolean(),
  clientBy: fc.constantFrom('syn', 'syn-ack', 'port', 'first-packet', 'sender of data'),
  continued: fc.boolean(),
  continuedAfresh: fc.boolean(),
  completeness: fc.nat({ max: 63 }),
  irtt: fc.oneof(fc.constant(-1), fc.constant(0), time),
  firstFrame: frame, lastFrame: frame, firstTime: time, lastTime: time,
  analysis: fc.array(fc.oneof(fc.constant(0), count), { minLength: ANALYSIS_NAMES.length, maxLength: ANALYSIS_NAMES.length }),
  maxPayloadA: fc.nat({ max: 70000 }), maxPayloadB: fc.nat({ max: 70000 }), truncatedPackets: fc.nat({ max: 3 }),
  story,
  zeek: fc.record({ origIsA: fc.boolean(), history, a: zeekState, b: zeekState, pa: count, pb: count }),
}).map((g) => {
  const c = newConnection();
  c.id = g.id;
  c.ipVersion = g.ipVersion;
  const set = (f: Flow, v: FlowFields): void => {
    f.port = v.port;
    f.packets = v.packets;
    f.payloadBytes = v.payloadBytes;
    f.synMss = v.synMss;
    f.synWscale = v.synWscale;
    f.winScale = v.winScale;
    // the SYN's facts are bits of the flow (flowFlag), not fields of their own
    setFlowFlag(f, F_SYN_SEEN, v.synSeen);
    setFlowFlag(f, F_SYN_SACK_PERMITTED, v.synSackPermitted);
    setFlowFlag(f, F_SYN_TIMESTAMPS, v.synTimestamps);
    setFlowAddress(f, Uint32Array.from(v.addr));
  };
  set(c.a, g.a);
  set(c.b, g.b);
  c.clientIsA = g.clientIsA;
  c.clientBy = g.clientBy;
  c.continued = g.continued;
  c.continuedAfresh = g.continued && g.continuedAfresh;
  c.completeness = g.completeness;
  c.irtt = g.irtt;
  c.firstFrame = g.firstFrame;
  c.lastFrame = g.lastFrame;
  c.firstTime = g.firstTime;
  c.lastTime = g.lastTime;
  for (let i = 0; i < ANALYSIS_NAMES.length; i++) if (g.analysis[i] !== 0) ownAnalysis(c)[i] = g.analysis[i];
  c.maxPayloadA = g.maxPayloadA;
  c.maxPayloadB = g.maxPayloadB;
  c.truncatedPackets = g.truncatedPackets;
  setStory(c, g.story);
  setZeekVerdict(c, g.zeek.origIsA, g.zeek.a, g.zeek.b, g.zeek.pa > 0, g.zeek.pb > 0);
  setZeekHistory(c, g.zeek.history);
  return c;
});

export const packetRecordArb: fc.Arbitrary<PacketRecord> = fc.record({
  frame: fc.oneof(fc.integer({ min: 1, max: 2 ** 31 }), fc.maxSafeInteger()),
  // (and the longest text a number has: 24 characters)
  time: fc.oneof(time, fc.constantFrom(-0.5, -1e-9, 1e-6 - 1e-15, 1048576.5, -1.7976931348623157e308)),
  fromA: fc.boolean(),
  flags: fc.integer({ min: 0, max: 511 }),
  seq: u32, ack: u32, rawSeq: u32, rawAck: u32,
  len: fc.integer({ min: 0, max: 65535 }),
  window: fc.oneof(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 * 2 ** 14 })),
  analysis: fc.integer({ min: 0, max: 2 ** ANALYSIS_NAMES.length - 1 }),
  phase: fc.integer({ min: 0, max: PHASE_NAMES.length - 1 }),
  stateA: fc.integer({ min: 0, max: STATE_NAMES.length - 1 }),
  stateB: fc.integer({ min: 0, max: STATE_NAMES.length - 1 }),
  note: fc.integer({ min: 0, max: NOTE_KEYS.length - 1 }),
  n1: u32, n2: u32, n3: u32,
});

/** A connection's packet records, now and then with an omission (a capped list). */
export const packetList: fc.Arbitrary<PacketRecords> = fc.tuple(
  fc.array(packetRecordArb, { maxLength: 3 }),
  fc.option(fc.record({
    count: count, fromFrame: frame, toFrame: frame, limit: fc.integer({ min: 1, max: 100000 }),
    dataSegmentsA: count, dataBytesA: count, dataSegmentsB: count, dataBytesB: count,
  }), { nil: undefined }),
).map(([list, omitted]) => {
  return new ArrayRecords(list, omitted) as PacketRecords;
});
export const lang = fc.constantFrom('en' as const, 'zh' as const);
