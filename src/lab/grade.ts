/**
 * Grading a student's answers against the key of their own capture. One point per question;
 * lists earn the fraction of their values that are right. Tolerances (docs/lab.md):
 * - times (sent, ACKed): ±1 ms;
 * - SampleRTT and EstimatedRTT: ±2 % or ±0.5 ms, whichever is larger;
 * - throughput: ±10 %; half a point for a number given without a unit that is the answer in KB/s,
 *   and for the answer measured over another common interval (from the SYN, or to the last
 *   data segment rather than its ACK);
 * - "typical bytes per ACK": any value at least half as frequent as the most frequent one;
 * - everything else exact. Sequence numbers may be raw or relative unless the question requires
 *   raw (SYN seq, SYN-ACK seq and ack, as the v8/9 lab asks; --accept-relative lifts that).
 * A wrong answer that matches a known mistake is named (feedback.ts MISTAKES).
 */
import { isIPv6 } from 'node:net';
import type { Lang } from '../i18n/messages.js';
import type { Answers, AnswerValue, ThroughputAnswer } from './answers.js';
import type { LabKey, LabAux, LabSegment } from './key.js';
import { QUESTIONS, type Question } from './questions.js';
import { feedback, listWords, type Mistake } from './feedback.js';
import { typicalAck } from './text.js';

export const TIME_TOLERANCE = 0.001;
export const RTT_ABS_TOLERANCE = 0.0005;
export const RTT_REL_TOLERANCE = 0.02;
export const THROUGHPUT_TOLERANCE = 0.1;

export interface GradePolicy {
  acceptRelative: boolean;
  lengths: 'payload' | 'tcp';
  segments: number;
}

export interface QuestionResult {
  key: string;
  question: string;
  points: number;
  max: number;
  status: 'correct' | 'partial' | 'wrong' | 'unanswered' | 'not-applicable';
  mistake: Mistake | null;
  expected: unknown;
  given: unknown;
  line: number | null;
  feedback: string;
}

export interface GradeReport {
  questions: QuestionResult[];
  score: number;
  total: number;
  percentage: number;
}

interface Verdict {
  fraction: number;
  mistake: Mistake;
  /** Detail for the message (a frame, a factor, an interval). */
  extra?: string;
  /** Replaces the whole feedback sentence (lists). */
  text?: string;
}

interface Distractor {
  value: number;
  mistake: Mistake;
  extra?: string;
}

const close = (a: number, b: number, tol: number): boolean => Math.abs(a - b) <= tol + 1e-12;
const rttTol = (x: number): number => Math.max(RTT_ABS_TOLERANCE, Math.abs(x) * RTT_REL_TOLERANCE);
const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;

function canonicalIp(s: string): string {
  const t = s.trim().replace(/^\[|\]$/g, '');
  return isIPv6(t) ? new URL(`http://[${t}]/`).hostname.replace(/^\[|\]$/g, '') : t;
}

/** Matches a number against the answer and the known mistakes. */
function judgeNumber(given: number, expected: number, tol: number, distractors: Distractor[]): Verdict {
  if (close(given, expected, tol)) return { fraction: 1, mistake: 'correct' };
  for (const d of distractors) if (close(given, d.value, tol)) return { fraction: 0, mistake: d.mistake, extra: d.extra };
  return { fraction: 0, mistake: 'wrong' };
}

/** A sequence number: raw always right; relative right unless raw is required. */
function judgeSeq(given: number, raw: number, rel: number, rawRequired: boolean, distractors: Distractor[]): Verdict {
  if (given === raw) return { fraction: 1, mistake: 'correct' };
  if (given === rel) return rawRequired ? { fraction: 0, mistake: 'relative-not-raw' } : { fraction: 1, mistake: 'correct-relative' };
  return judgeNumber(given, raw, 0, distractors);
}

function fmt(x: number | null): string {
  if (x === null) return '–';
  return Number.isInteger(x) ? String(x) : String(round(x, 6));
}

/** Grades a list item by item; names the most common mistake. */
function judgeList(
  lang: Lang,
  given: (number | null)[],
  n: number,
  expectedText: string,
  item: (g: number, i: number) => Verdict | null,
): Verdict {
  let ok = 0;
  let counted = 0;
  const wrong: number[] = [];
  const mistakes = new Map<Mistake, number>();
  let extra: string | undefined;
  for (let i = 0; i < n; i++) {
    const g = i < given.length ? given[i] : null;
    const v = g === null ? { fraction: 0, mistake: 'unanswered' as Mistake } : item(g, i);
    if (v === null) continue; // nothing to compare with (e.g. a segment never acknowledged)
    counted++;
    if (v.fraction >= 1) ok++;
    else {
      wrong.push(i + 1);
      if (v.mistake !== 'wrong' && v.mistake !== 'unanswered') {
        mistakes.set(v.mistake, (mistakes.get(v.mistake) ?? 0) + 1);
        extra = v.extra ?? extra;
      }
    }
  }
  if (counted === 0) return { fraction: 1, mistake: 'correct' };
  const w = listWords(lang);
  let named: Mistake = ok === counted ? 'correct' : 'wrong';
  let best = 0;
  for (const [m, c] of mistakes) if (c > best) [named, best] = [m, c];
  const parts = [w.summary(String(ok), counted, wrong.map((i) => `#${i}`).join(', '))];
  if (given.length > n) parts.push(w.extra(given.length - n));
  else if (given.length < n) parts.push(w.missing(n - given.length));
  if (ok < counted) parts.push(feedback(lang, named, expectedText, extra));
  return { fraction: ok / counted, mistake: named, extra, text: parts.join(w.sep) };
}

function normaliseRole(s: string, k: LabKey): string {
  const t = s.trim().toLowerCase();
  if (['client', 'the client', '客户端', '客户机', 'c'].includes(t) || t === k.client.ip) return 'client';
  if (['server', 'the server', '服务器', '服务端', 's'].includes(t) || t === k.server.ip) return 'server';
  if (['both', '双方', 'both sides'].includes(t)) return 'both';
  if (['none', 'neither', 'nobody', 'no', '无', '没有', '都不', '-'].includes(t)) return 'none';
  return t;
}

const SEGMENT_KEYS = new Set(['post_seq', 'post_len', 'segment_seqs', 'segment_sent', 'segment_acked', 'sample_rtt', 'estimated_rtt', 'segment_lengths', 'throughput', 'typical_acked_bytes']);

export function grade(answers: Answers, k: LabKey, aux: LabAux, policy: GradePolicy, lang: Lang): GradeReport {
  const segs: LabSegment[] = k.segments.slice(0, policy.segments);
  const list = (xs: (number | null)[]): string => `[${xs.map(fmt).join(', ')}]`;
  const other = (port: number, ip: string): string | undefined => {
    const o = aux.others.find(port, ip);
    return o ? `${o.client.ip}:${o.client.port} → ${o.server.ip}:${o.server.port}` : undefined;
  };
  const absolute = (x: number): Distractor[] => (aux.firstEpoch !== null ? [{ value: aux.firstEpoch + x, mistake: 'absolute-time' }] : []);
  const rawReq = (q: Question): boolean => q.raw === 'required' && !policy.acceptRelative;

  const results: QuestionResult[] = [];
  for (const q of QUESTIONS) {
    const a = answers.get(q.key);
    const given = a ? a.value : null;
    let expected: unknown = null;
    let expectedText = '';
    let judge: ((v: AnswerValue) => Verdict) | null = null;

    const na = (q.key.startsWith('syn_') || q.key === 'sack_permitted') && k.syn === null
      || q.key.startsWith('synack_') && k.synAck === null
      || SEGMENT_KEYS.has(q.key) && k.firstData === null
      || q.key === 'throughput' && k.throughput === null
      || q.key === 'handshake_frames' && k.syn === null
      || q.key === 'typical_acked_bytes' && k.ackedPerAck.length === 0;

    if (!na) {
      switch (q.key) {
        case 'client_ip':
        case 'server_ip': {
          const mine = q.key === 'client_ip' ? k.client : k.server;
          const theirs = q.key === 'client_ip' ? k.server : k.client;
          expected = mine.ip;
          expectedText = mine.ip;
          judge = (v) => {
            const g = canonicalIp(String(v));
            if (g === mine.ip) return { fraction: 1, mistake: 'correct' };
            if (g === theirs.ip) return { fraction: 0, mistake: 'swapped-endpoints' };
            const o = other(-1, g);
            return o ? { fraction: 0, mistake: 'other-connection', extra: o } : { fraction: 0, mistake: 'wrong' };
          };
          break;
        }
        case 'client_port':
        case 'server_port': {
          const mine = q.key === 'client_port' ? k.client : k.server;
          const theirs = q.key === 'client_port' ? k.server : k.client;
          expected = mine.port;
          expectedText = String(mine.port);
          judge = (v) => {
            const g = v as number;
            if (g === mine.port) return { fraction: 1, mistake: 'correct' };
            if (g === theirs.port) return { fraction: 0, mistake: 'swapped-endpoints' };
            const o = other(g, '');
            return o ? { fraction: 0, mistake: 'other-connection', extra: o } : { fraction: 0, mistake: 'wrong' };
          };
          break;
        }
        case 'syn_seq': {
          const s = k.syn!;
          expected = { rawSeq: s.rawSeq, seq: s.seq };
          expectedText = String(s.rawSeq);
          judge = (v) => judgeSeq(v as number, s.rawSeq, s.seq, rawReq(q), [{ value: s.frame, mistake: 'frame-number' }]);
          break;
        }
        case 'sack_permitted':
          expected = k.syn!.sackPermitted;
          expectedText = String(expected);
          judge = (v) => (v === expected ? { fraction: 1, mistake: 'correct' } : { fraction: 0, mistake: 'wrong' });
          break;
        case 'synack_seq': {
          const s = k.synAck!;
          expected = { rawSeq: s.rawSeq, seq: s.seq };
          expectedText = String(s.rawSeq);
          judge = (v) => judgeSeq(v as number, s.rawSeq, s.seq, rawReq(q), [{ value: s.frame, mistake: 'frame-number' }]);
          break;
        }
        case 'synack_ack': {
          const s = k.synAck!;
          expected = { rawAck: s.rawAck, ack: s.ack };
          expectedText = String(s.rawAck);
          const d: Distractor[] = [{ value: s.frame, mistake: 'frame-number' }];
          if (k.syn) d.unshift({ value: k.syn.rawSeq, mistake: 'isn-not-plus-one' }, { value: k.syn.seq, mistake: 'isn-not-plus-one' });
          judge = (v) => judgeSeq(v as number, s.rawAck, s.ack, rawReq(q), d);
          break;
        }
        case 'post_seq': {
          const f = k.firstData!;
          expected = { rawSeq: f.rawSeq, seq: f.seq };
          expectedText = listWords(lang).withRaw(String(f.seq), String(f.rawSeq));
          const d: Distractor[] = [];
          if (f.requestEnd && f.requestEnd.frame !== f.frame) {
            d.push({ value: f.requestEnd.seq, mistake: 'last-post-segment', extra: String(f.requestEnd.frame) });
            d.push({ value: f.requestEnd.rawSeq, mistake: 'last-post-segment', extra: String(f.requestEnd.frame) });
          }
          d.push({ value: f.frame, mistake: 'frame-number' });
          judge = (v) => judgeSeq(v as number, f.rawSeq, f.seq, rawReq(q), d);
          break;
        }
        case 'post_len': {
          const f = k.firstData!;
          const s0 = k.segments[0];
          expected = f.len;
          expectedText = String(f.len);
          const d: Distractor[] = [];
          if (s0) d.push({ value: s0.tcpLength, mistake: 'tcp-length' }, { value: s0.frameLength, mistake: 'frame-length' });
          if (f.requestEnd && f.requestEnd.frame !== f.frame) d.push({ value: f.requestEnd.len, mistake: 'last-post-segment', extra: String(f.requestEnd.frame) });
          judge = (v) => judgeNumber(v as number, f.len, 0, d.filter((x) => x.value !== f.len));
          break;
        }
        case 'segment_seqs':
          expected = segs.map((s) => s.seq);
          expectedText = listWords(lang).withRaw(list(segs.map((s) => s.seq)), list(segs.map((s) => s.rawSeq)));
          judge = (v) => judgeList(lang, v as (number | null)[], segs.length, expectedText, (g, i) =>
            judgeSeq(g, segs[i].rawSeq, segs[i].seq, false, [{ value: segs[i].frame, mistake: 'frame-number' }]));
          break;
        case 'segment_sent':
          expected = segs.map((s) => s.sent);
          expectedText = list(segs.map((s) => s.sent));
          judge = (v) => judgeList(lang, v as (number | null)[], segs.length, expectedText, (g, i) => judgeNumber(g, segs[i].sent, TIME_TOLERANCE, absolute(segs[i].sent)));
          break;
        case 'segment_acked':
          expected = segs.map((s) => s.acked);
          expectedText = list(segs.map((s) => s.acked));
          judge = (v) => judgeList(lang, v as (number | null)[], segs.length, expectedText, (g, i) => {
            const x = segs[i].acked;
            if (x === null) return null;
            const d: Distractor[] = [];
            const nx = aux.nextClientSent[i];
            if (nx !== null && nx !== undefined && !close(nx, x, TIME_TOLERANCE)) d.push({ value: nx, mistake: 'next-client-packet-as-ack' });
            return judgeNumber(g, x, TIME_TOLERANCE, [...d, ...absolute(x)]);
          });
          break;
        case 'sample_rtt':
          expected = segs.map((s) => s.sampleRtt);
          expectedText = list(segs.map((s) => s.sampleRtt));
          judge = (v) => judgeList(lang, v as (number | null)[], segs.length, expectedText, (g, i) => {
            const x = segs[i].sampleRtt;
            if (x === null) return null;
            const nx = aux.nextClientSent[i];
            const d: Distractor[] = nx !== null && nx !== undefined ? [{ value: nx - segs[i].sent, mistake: 'next-client-packet-as-ack' }] : [];
            return judgeNumber(g, x, rttTol(x), d.filter((y) => !close(y.value, x, rttTol(x))));
          });
          break;
        case 'estimated_rtt': {
          expected = segs.map((s) => s.estimatedRtt);
          expectedText = list(segs.map((s) => s.estimatedRtt));
          const samples = segs.map((s) => s.sampleRtt);
          const mean = (upTo: number): number | null => {
            const xs = samples.slice(0, upTo + 1).filter((x): x is number => x !== null);
            return xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length;
          };
          const distractors = (i: number, x: number): Distractor[] => {
            const d: Distractor[] = [];
            const m = mean(i);
            if (m !== null) d.push({ value: m, mistake: 'plain-average' });
            for (const j of [i - 1, i + 1]) {
              const y = segs[j]?.estimatedRtt;
              if (y !== null && y !== undefined) d.push({ value: y, mistake: 'shifted-by-one' });
            }
            return d.filter((y) => !close(y.value, x, rttTol(x)));
          };
          judge = (v) => {
            if (Array.isArray(v)) {
              return judgeList(lang, v, segs.length, expectedText, (g, i) => {
                const x = segs[i].estimatedRtt;
                return x === null ? null : judgeNumber(g, x, rttTol(x), distractors(i, x));
              });
            }
            // one number: the last estimate
            const last = [...segs].reverse().find((s) => s.estimatedRtt !== null);
            if (!last) return { fraction: 0, mistake: 'wrong' };
            const x = last.estimatedRtt as number;
            const i = segs.indexOf(last);
            const r = judgeNumber(v as number, x, rttTol(x), distractors(i, x).filter((d) => d.mistake === 'plain-average'));
            return { ...r, text: feedback(lang, r.mistake, fmt(x)) };
          };
          break;
        }
        case 'segment_lengths': {
          const pick = (s: LabSegment): number => (policy.lengths === 'tcp' ? s.tcpLength : s.len);
          expected = segs.map(pick);
          expectedText = list(segs.map(pick));
          judge = (v) => judgeList(lang, v as (number | null)[], segs.length, expectedText, (g, i) => {
            const s = segs[i];
            const d: Distractor[] = [{ value: s.frameLength, mistake: 'frame-length' }];
            d.push(policy.lengths === 'tcp' ? { value: s.len, mistake: 'payload-not-tcp-length' } : { value: s.tcpLength, mistake: 'tcp-length' });
            return judgeNumber(g, pick(s), 0, d);
          });
          break;
        }
        case 'min_window': {
          const ws = k.window.server;
          if (ws === null) break;
          expected = ws.min;
          expectedText = String(ws.min);
          const d: Distractor[] = [];
          if (k.window.client) d.push({ value: k.window.client.min, mistake: 'wrong-direction-window' });
          if (ws.scale !== null && ws.scale > 0) d.push({ value: ws.unscaledMin, mistake: 'unscaled-window', extra: String(2 ** ws.scale) });
          d.push({ value: ws.max, mistake: 'max-not-min' });
          judge = (v) => judgeNumber(v as number, ws.min, 0, d.filter((x) => x.value !== ws.min));
          break;
        }
        case 'sender_throttled':
          if (k.firstData === null) break;
          expected = k.windowFull > 0;
          expectedText = String(expected);
          judge = (v) => (v === expected ? { fraction: 1, mistake: 'correct' } : { fraction: 0, mistake: 'wrong' });
          break;
        case 'retransmissions':
          expected = k.retransmissions;
          expectedText = String(k.retransmissions);
          judge = (v) => {
            const ok = typeof v === 'boolean' ? v === k.retransmissions > 0 : v === k.retransmissions;
            return ok ? { fraction: 1, mistake: 'correct' } : { fraction: 0, mistake: 'wrong' };
          };
          break;
        case 'typical_acked_bytes': {
          const [mode, count] = typicalAck(k);
          const counts = new Map<number, number>();
          for (const x of k.ackedPerAck) counts.set(x.bytes, (counts.get(x.bytes) ?? 0) + 1);
          const accepted = [...counts].filter(([, c]) => c * 2 >= count).map(([b]) => b).sort((x, y) => x - y);
          expected = accepted;
          expectedText = accepted.length > 1 ? accepted.join(' / ') : String(mode);
          judge = (v) => (accepted.includes(v as number) ? { fraction: 1, mistake: 'correct' } : { fraction: 0, mistake: 'wrong' });
          break;
        }
        case 'cumulative_ack_frames': {
          const e = new Set(k.cumulativeAcks);
          expected = k.cumulativeAcks;
          expectedText = k.cumulativeAcks.length === 0 ? '[]' : list(k.cumulativeAcks.slice(0, 8)) + (k.cumulativeAcks.length > 8 ? ' …' : '');
          judge = (v) => {
            const g = (v as (number | null)[]).filter((x): x is number => x !== null);
            if (e.size === 0) return g.length === 0 ? { fraction: 1, mistake: 'correct' } : { fraction: 0, mistake: 'wrong' };
            if (g.length === 0) return { fraction: 0, mistake: 'wrong' };
            const ok = g.filter((x) => e.has(x)).length;
            return { fraction: ok / g.length, mistake: ok === g.length ? 'correct' : 'wrong' };
          };
          break;
        }
        case 'throughput': {
          const t = k.throughput!;
          const bps = t.bytesPerSecond;
          expected = bps;
          expectedText = listWords(lang).throughput(round(bps, 1), round(bps / 1000, 1));
          judge = (v) => {
            const g = v as ThroughputAnswer;
            const x = g.bytesPerSecond;
            const near = (y: number): boolean => y > 0 && Math.abs(x / y - 1) <= THROUGHPUT_TOLERANCE;
            if (near(bps)) return { fraction: 1, mistake: 'correct' };
            const bytesUnit = g.unit === null || /B/.test(g.unit);
            if (bytesUnit && near(bps * 8)) return { fraction: 0, mistake: 'throughput-bits' };
            if (g.unit === null && near(bps / 1000)) return { fraction: 0.5, mistake: 'throughput-no-unit' };
            const fromSyn = t.to - aux.connectionStart;
            if (t.lastByteAcked && fromSyn > 0 && near(t.bytes / fromSyn)) return { fraction: 0.5, mistake: 'throughput-interval', extra: 'SYN → last ACK' };
            if (aux.lastDataSent !== null && aux.lastDataSent > t.from && near(t.bytes / (aux.lastDataSent - t.from))) {
              return { fraction: 0.5, mistake: 'throughput-interval', extra: 'first → last data segment' };
            }
            return { fraction: 0, mistake: 'wrong' };
          };
          break;
        }
        case 'handshake_frames': {
          const f = k.handshake.frames as Record<string, number | null>;
          const fr = [f.syn ?? null, f.synAck ?? null, f.ack ?? null];
          expected = fr;
          expectedText = list(fr);
          judge = (v) => judgeList(lang, v as (number | null)[], 3, expectedText, (g, i) => (fr[i] === null ? null : judgeNumber(g, fr[i] as number, 0, [])));
          break;
        }
        case 'active_closer':
        case 'time_wait': {
          const x = q.key === 'active_closer' ? String(k.teardown.initiator ?? 'none') : k.timeWait ?? 'none';
          expected = x;
          expectedText = x;
          judge = (v) => (normaliseRole(String(v), k) === x ? { fraction: 1, mistake: 'correct' } : { fraction: 0, mistake: 'wrong' });
          break;
        }
      }
    }

    const max = judge === null ? 0 : 1;
    let r: QuestionResult;
    const shown = given === null ? null : displayGiven(given);
    const line = a ? a.line : null;
    if (judge === null) {
      r = { key: q.key, question: q.id, points: 0, max, status: 'not-applicable', mistake: 'not-applicable', expected, given: shown, line, feedback: feedback(lang, 'not-applicable', '') };
    } else if (given === null) {
      r = { key: q.key, question: q.id, points: 0, max, status: 'unanswered', mistake: 'unanswered', expected, given: shown, line, feedback: feedback(lang, 'unanswered', expectedText) };
    } else {
      const v = judge(given);
      r = {
        key: q.key, question: q.id, points: round(v.fraction, 2), max, status: v.fraction >= 1 ? 'correct' : v.fraction > 0 ? 'partial' : 'wrong',
        mistake: v.mistake, expected, given: shown, line,
        feedback: v.text ?? feedback(lang, v.mistake, v.mistake === 'correct-relative' ? rawOf(expected) : expectedText, v.extra ?? ''),
      };
    }
    results.push(r);
  }
  const score = round(results.reduce((s, r) => s + r.points, 0), 2);
  const total = results.reduce((s, r) => s + r.max, 0);
  return { questions: results, score, total, percentage: total === 0 ? 0 : round((100 * score) / total, 1) };
}

function rawOf(expected: unknown): string {
  const e = expected as { rawSeq?: number; rawAck?: number };
  return String(e.rawSeq ?? e.rawAck ?? '');
}

function displayGiven(v: AnswerValue): unknown {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v.unit === null ? v.given : `${v.given} ${v.unit}`;
  return v;
}
