/**
 * The answer key of the classic TCP lab (Kurose & Ross "Wireshark Lab: TCP" and its many
 * re-uses) for one connection of a capture: SPEC.md "Lab answer key (`lab --json`)", with the
 * contract's field names, plus a few extra fields a worked solution or the grader needs.
 *
 * Definitions (documented in docs/lab.md):
 * - data segments are the client's packets with payload, in capture order (retransmissions
 *   included, and marked);
 * - a segment is acknowledged by the first server packet with ACK whose cumulative ack reaches
 *   seq + len;
 * - SampleRTT = acked − sent; EstimatedRTT starts at the first sample, then
 *   (1 − α)·EstimatedRTT + α·SampleRTT. A segment that was sent more than once before its ACK
 *   gives no sample (Karn's rule: the ACK could answer either copy);
 * - windows are Wireshark's tcp.window_size (scaled when the handshake gave the scale; a SYN's
 *   window is never scaled); RST segments do not advertise a window and are left out;
 * - throughput is the bytes of the client's sequence space from the first data segment to the
 *   ACK of the last data byte, divided by the time between them;
 * - a round (slow start) starts with a segment and ends when that segment's ACK arrives: the
 *   segments sent in between form one "fleet".
 */
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../decode/packet.js';
import { type Connection, clientFlow, flowAddress, serverFlow } from '../analyze/connection.js';
import { A_RETRANSMISSION, A_WINDOW_FULL, ANALYSIS_NAMES, analysisNames } from '../analyze/flags.js';
import { connectionJson } from '../render/json.js';
import { round9 } from '../util/round.js';
import type { LabPacket, OtherConnections } from './collect.js';
import { knownTrace } from './known.js';

export const LAB_SCHEMA_VERSION = 1;
export const DEFAULT_SEGMENTS = 6;
export const DEFAULT_ALPHA = 0.125;

export interface LabOptions {
  segments: number;
  alpha: number;
}

export interface Endpoint {
  ip: string;
  port: number;
  /** How the client was told when no SYN was seen (the contract's `client.inferredBy`). */
  inferredBy?: string;
}

export interface SynInfo {
  frame: number;
  seq: number;
  rawSeq: number;
  sackPermitted: boolean;
  mss: number | null;
  windowScale: number | null;
  /** The window field of the SYN (never scaled). */
  window: number;
}

export interface SynAckInfo extends SynInfo {
  ack: number;
  rawAck: number;
}

export interface SegmentRef {
  frame: number;
  seq: number;
  rawSeq: number;
  len: number;
}

export interface FirstData extends SegmentRef {
  /** The HTTP request line the payload starts with ("POST /x HTTP/1.1"), or null. */
  httpRequest: string | null;
  /**
   * The segment holding the last byte of that request (where Wireshark shows the reassembled
   * request, "POST … (text/plain)"), or null when it cannot be told.
   */
  requestEnd: SegmentRef | null;
}

export interface LabSegment {
  frame: number;
  seq: number;
  rawSeq: number;
  len: number;
  tcpLength: number;
  frameLength: number;
  sent: number;
  ackFrame: number | null;
  acked: number | null;
  sampleRtt: number | null;
  estimatedRtt: number | null;
  /** Wireshark flags this segment as a retransmission. */
  retransmission: boolean;
}

export interface WindowStat {
  min: number;
  max: number;
  minFrame: number;
  maxFrame: number;
  /** Shift applied to this side's windows, null when scaling is not in use or unknown. */
  scale: number | null;
  /** The smallest 16-bit window field carried (what a student reads without scaling). */
  unscaledMin: number;
}

export interface AckedPerAck {
  frame: number;
  time: number;
  ack: number;
  bytes: number;
  /** Client data segments this ACK acknowledged for the first time (2 = ACK of every other segment). */
  segments: number;
}

export interface Throughput {
  bytes: number;
  from: number;
  to: number;
  fromFrame: number;
  toFrame: number;
  seconds: number;
  bytesPerSecond: number;
  /** False when the last data byte was never acknowledged (then `to` is when it was sent). */
  lastByteAcked: boolean;
}

export interface Round {
  round: number;
  start: number;
  firstFrame: number;
  lastFrame: number;
  segments: number;
  bytes: number;
}

export interface Retransmitted {
  frame: number;
  from: 'client' | 'server';
  seq: number;
  rawSeq: number;
  len: number;
  analysis: string[];
}

export interface LabKey {
  schemaVersion: number;
  connection: number;
  otherConnections: number[];
  client: Endpoint;
  server: Endpoint;
  syn: SynInfo | null;
  synAck: SynAckInfo | null;
  firstData: FirstData | null;
  segments: LabSegment[];
  alpha: number;
  window: { client: WindowStat | null; server: WindowStat | null };
  retransmissions: number;
  ackedPerAck: AckedPerAck[];
  throughput: Throughput | null;
  handshake: Record<string, unknown>;
  teardown: Record<string, unknown>;
  // --- beyond the SPEC's list
  finalState: Record<string, unknown>;
  /** Which side ends in TIME_WAIT (inferred), or null. */
  timeWait: 'client' | 'server' | 'both' | null;
  /** Client segments Wireshark flags window_full: the receive window throttled the sender. */
  windowFull: number;
  retransmitted: Retransmitted[];
  /** Frames of client data segments whose sequence numbers had been sent before. */
  repeatedSeq: number[];
  /** Frames of ACKs that acknowledge two or more client segments at once. */
  cumulativeAcks: number[];
  rounds: Round[];
  knownTrace: { name: string; source: string } | null;
  payloadBytes: { client: number; server: number };
}

/** Values a student may give by mistake, computed from the same capture (for the grader). */
export interface LabAux {
  /** For each key segment: when the client's next packet after it was sent (mistaken for "the ACK"). */
  nextClientSent: (number | null)[];
  /** Epoch seconds of the capture's first frame. */
  firstEpoch: number | null;
  /** The other connections of the capture (their client and server endpoints found by port or address). */
  others: OtherConnections;
  /** Time of the connection's first packet (usually the SYN). */
  connectionStart: number;
  /** Time of the last client data segment. */
  lastDataSent: number | null;
}

export interface LabResult {
  key: LabKey;
  aux: LabAux;
}

export function endpointOf(c: Connection, client: boolean): Endpoint {
  const f = client ? clientFlow(c) : serverFlow(c);
  return { ip: flowAddress(c.ipVersion, f), port: f.port };
}

const REQUEST_LINE = /^(GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH|CONNECT|TRACE) \S+ HTTP\/\d(?:\.\d)?\r?\n/;

/** Index of the first server ACK at or after `from` whose ack reaches `end`, or -1. */
class AckIndex {
  private readonly runMax: number[] = [];
  constructor(readonly acks: LabPacket[]) {
    let m = -1;
    for (const p of acks) {
      if (p.ack > m) m = p.ack;
      this.runMax.push(m);
    }
  }

  /** First server ACK after frame `afterFrame` with ack >= end. */
  find(afterFrame: number, end: number): LabPacket | null {
    const a = this.acks;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid].frame <= afterFrame) lo = mid + 1;
      else hi = mid;
    }
    const start = lo;
    lo = 0;
    hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.runMax[mid] < end) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= a.length) return null;
    if (lo >= start) return a[lo];
    // already acknowledged before this copy was sent (a spurious retransmission): the next ACK that still covers it
    for (let i = start; i < a.length; i++) if (a[i].ack >= end) return a[i];
    return null;
  }
}

export function computeLabKey(
  c: Connection,
  packets: readonly LabPacket[],
  others: OtherConnections,
  opts: LabOptions,
  firstEpoch: number | null = null,
): LabResult {
  const fromClient = (p: LabPacket): boolean => p.fromA === c.clientIsA;
  const clientPkts = packets.filter(fromClient);
  const serverPkts = packets.filter((p) => !fromClient(p));
  const data = clientPkts.filter((p) => p.len > 0 && !(p.flags & TCP_SYN));
  const serverAcks = serverPkts.filter((p) => (p.flags & TCP_ACK) !== 0 && !(p.flags & TCP_SYN));
  const acks = new AckIndex(serverAcks);

  const synPkt = clientPkts.find((p) => (p.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) ?? null;
  const synAckPkt = serverPkts.find((p) => (p.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) ?? null;
  const synInfo = (p: LabPacket): SynInfo => ({
    frame: p.frame, seq: p.seq, rawSeq: p.rawSeq, sackPermitted: p.sackPermitted,
    mss: p.mss >= 0 ? p.mss : null, windowScale: p.wscale >= 0 ? p.wscale : null, window: p.rawWindow,
  });
  const syn = synPkt ? synInfo(synPkt) : null;
  const synAck = synAckPkt ? { ...synInfo(synAckPkt), ack: synAckPkt.ack, rawAck: synAckPkt.rawAck } : null;

  // --- the first data segment, and where its HTTP request ends
  const ref = (p: LabPacket): SegmentRef => ({ frame: p.frame, seq: p.seq, rawSeq: p.rawSeq, len: p.len });
  let firstData: FirstData | null = null;
  if (data.length > 0) {
    const d0 = data[0];
    const m = REQUEST_LINE.exec(d0.head);
    const httpRequest = m ? m[0].replace(/\r?\n$/, '') : null;
    let requestEnd: SegmentRef | null = null;
    if (httpRequest !== null) {
      const hdrEnd = d0.head.indexOf('\r\n\r\n');
      let endSeq = -1;
      if (hdrEnd >= 0) {
        const cl = /^content-length:[ \t]*(\d+)[ \t]*$/im.exec(d0.head.slice(0, hdrEnd));
        const chunked = /^transfer-encoding:.*chunked/im.test(d0.head.slice(0, hdrEnd));
        if (cl) endSeq = d0.seq + hdrEnd + 4 + Number(cl[1]);
        else if (!chunked) endSeq = d0.seq + hdrEnd + 4;
      }
      let seg: LabPacket | undefined;
      if (endSeq >= 0) seg = data.find((p) => !(p.analysis & A_RETRANSMISSION) && p.seq < endSeq && endSeq <= p.seq + p.len);
      if (seg === undefined) {
        // the header spans segments: the last client segment before the server starts answering
        const answer = serverPkts.find((p) => p.len > 0 && p.frame > d0.frame);
        const before = data.filter((p) => (answer === undefined || p.frame < answer.frame) && !(p.analysis & A_RETRANSMISSION));
        if (answer !== undefined && before.length > 0) seg = before[before.length - 1];
      }
      if (seg !== undefined) requestEnd = ref(seg);
    }
    firstData = { ...ref(d0), httpRequest, requestEnd };
  }

  // --- the first N data segments: acknowledgement, SampleRTT, EstimatedRTT
  const segments: LabSegment[] = [];
  const nextClientSent: (number | null)[] = [];
  let est: number | null = null;
  for (const p of data.slice(0, opts.segments)) {
    const end = p.seq + p.len;
    const a = acks.find(p.frame, end);
    let sample: number | null = a ? a.time - p.time : null;
    const retransmission = (p.analysis & A_RETRANSMISSION) !== 0;
    if (retransmission) sample = null;
    else if (a !== null) {
      // Karn: another copy of these bytes sent before the ACK makes the sample ambiguous
      for (const q of data) {
        if (q.frame <= p.frame) continue;
        if (q.frame >= a.frame) break;
        if (q.seq < end && q.seq + q.len > p.seq) {
          sample = null;
          break;
        }
      }
    }
    if (sample !== null) est = est === null ? sample : (1 - opts.alpha) * est + opts.alpha * sample;
    segments.push({
      frame: p.frame, seq: p.seq, rawSeq: p.rawSeq, len: p.len, tcpLength: p.hdrLen + p.len, frameLength: p.frameLen,
      sent: round9(p.time), ackFrame: a ? a.frame : null, acked: a ? round9(a.time) : null,
      sampleRtt: sample === null ? null : round9(sample), estimatedRtt: est === null ? null : round9(est), retransmission,
    });
    const next = clientPkts.find((q) => q.frame > p.frame);
    nextClientSent.push(next ? round9(next.time) : null);
  }

  // --- advertised windows
  const windowOf = (pkts: LabPacket[], scale: number): WindowStat | null => {
    let w: WindowStat | null = null;
    for (const p of pkts) {
      if (p.flags & TCP_RST) continue;
      if (w === null) {
        w = { min: p.window, max: p.window, minFrame: p.frame, maxFrame: p.frame, scale: scale >= 0 ? scale : null, unscaledMin: p.rawWindow };
        continue;
      }
      if (p.window < w.min) {
        w.min = p.window;
        w.minFrame = p.frame;
      }
      if (p.window > w.max) {
        w.max = p.window;
        w.maxFrame = p.frame;
      }
      if (p.rawWindow < w.unscaledMin) w.unscaledMin = p.rawWindow;
    }
    return w;
  };
  const window = { client: windowOf(clientPkts, clientFlow(c).winScale), server: windowOf(serverPkts, serverFlow(c).winScale) };

  // --- retransmissions
  const retransmitted: Retransmitted[] = packets
    .filter((p) => p.analysis & A_RETRANSMISSION)
    .map((p) => ({ frame: p.frame, from: fromClient(p) ? 'client' : 'server', seq: p.seq, rawSeq: p.rawSeq, len: p.len, analysis: analysisNames(p.analysis) }));
  const repeatedSeq: number[] = [];
  let highest = -1;
  for (const p of data) {
    if (highest >= 0 && p.seq < highest) repeatedSeq.push(p.frame);
    if (p.seq + p.len > highest) highest = p.seq + p.len;
  }

  // --- bytes acknowledged by each ACK
  const clientFin = clientPkts.find((p) => p.flags & TCP_FIN);
  const limit = clientFin ? clientFin.seq + clientFin.len : Number.POSITIVE_INFINITY;
  const ends = [...new Set(data.filter((p) => !(p.analysis & A_RETRANSMISSION)).map((p) => p.seq + p.len))].sort((x, y) => x - y);
  // segments whose end is in (lo, hi]: two binary searches in the sorted ends (a filter over all
  // of them for every ACK took 8.9 s of 12.2 on a real transfer of 938 000 packets)
  const endsUpTo = (x: number): number => {
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const countEnds = (lo: number, hi: number): number => endsUpTo(hi) - endsUpTo(lo);
  const ackedPerAck: AckedPerAck[] = [];
  let prev = syn ? 1 : serverAcks.length > 0 ? serverAcks[0].ack : 0;
  for (const p of serverAcks) {
    const a = Math.min(p.ack, limit);
    if (a <= prev) continue;
    ackedPerAck.push({ frame: p.frame, time: round9(p.time), ack: p.ack, bytes: a - prev, segments: countEnds(prev, a) });
    prev = a;
  }

  // --- throughput
  let throughput: Throughput | null = null;
  if (data.length > 0) {
    const d0 = data[0];
    let lastEnd = d0.seq + d0.len;
    let lastSent = d0;
    for (const p of data) {
      if (p.seq + p.len >= lastEnd) {
        lastEnd = p.seq + p.len;
        lastSent = p;
      }
    }
    const a = acks.find(d0.frame, lastEnd);
    const to = a ?? lastSent;
    const seconds = to.time - d0.time;
    throughput = {
      bytes: lastEnd - d0.seq, from: round9(d0.time), to: round9(to.time), fromFrame: d0.frame, toFrame: to.frame,
      seconds: round9(seconds), bytesPerSecond: seconds > 0 ? (lastEnd - d0.seq) / seconds : 0, lastByteAcked: a !== null,
    };
  }

  // --- rounds (fleets sent per RTT)
  const rounds: Round[] = [];
  for (let i = 0; i < data.length; ) {
    const first = data[i];
    const a = acks.find(first.frame, first.seq + first.len);
    let j = i + 1;
    while (j < data.length && (a === null || data[j].frame < a.frame)) j++;
    const fleet = data.slice(i, j);
    rounds.push({
      round: rounds.length + 1, start: round9(first.time), firstFrame: first.frame, lastFrame: fleet[fleet.length - 1].frame,
      segments: fleet.length, bytes: fleet.reduce((s, p) => s + p.len, 0),
    });
    i = j;
  }

  // --- the contract's connection view: handshake, teardown, final states
  const cj = connectionJson(c, null);
  const finalState = cj.finalState as Record<string, unknown>;
  const tw = (s: string): boolean => finalState[s] === 'TIME_WAIT';
  const timeWait = tw('client') && tw('server') ? 'both' : tw('client') ? 'client' : tw('server') ? 'server' : null;

  const client: Endpoint = endpointOf(c, true);
  if (c.clientBy !== 'syn') client.inferredBy = c.clientBy;
  const server = endpointOf(c, false);
  const known = knownTrace({ client, server, clientIsn: syn ? syn.rawSeq : null, serverIsn: synAck ? synAck.rawSeq : null });
  const clientWindowFull = clientPkts.filter((p) => p.analysis & A_WINDOW_FULL).length;

  const key: LabKey = {
    schemaVersion: LAB_SCHEMA_VERSION,
    connection: c.id,
    otherConnections: others.ids(),
    client,
    server,
    syn,
    synAck,
    firstData,
    segments,
    alpha: opts.alpha,
    window,
    retransmissions: c.analysis[ANALYSIS_NAMES.indexOf('retransmission')],
    ackedPerAck,
    throughput,
    handshake: cj.handshake as Record<string, unknown>,
    // who ends in TIME_WAIT (inferred) also inside teardown, where the lab fixtures' keys have it
    teardown: { ...(cj.teardown as Record<string, unknown>), timeWait },
    finalState,
    timeWait,
    windowFull: clientWindowFull,
    retransmitted,
    repeatedSeq,
    cumulativeAcks: ackedPerAck.filter((a) => a.segments >= 2).map((a) => a.frame),
    rounds,
    knownTrace: known ? { name: known.name, source: known.source } : null,
    payloadBytes: { client: clientFlow(c).payloadBytes, server: serverFlow(c).payloadBytes },
  };
  const aux: LabAux = {
    nextClientSent,
    firstEpoch,
    others,
    connectionStart: packets.length > 0 ? packets[0].time : 0,
    lastDataSent: data.length > 0 ? data[data.length - 1].time : null,
  };
  return { key, aux };
}
