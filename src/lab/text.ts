/**
 * The lab key as a worked solution: one numbered section per group of lab questions, each
 * answer with the reasoning a student should be able to repeat (which segment, which number,
 * which direction, which formula).
 */
import type { ChalkInstance } from 'chalk';
import type { Lang } from '../i18n/messages.js';
import type { LabKey } from './key.js';
import { labMessages, type Role } from './messages.js';

/** Rounds shown before "… n more rounds". */
const ROUNDS_SHOWN = 12;
/** Cumulative-ACK frames listed before "…". */
const FRAMES_SHOWN = 12;

/** Seconds with microseconds, or nanoseconds when the capture has them. */
export function fmtTime(x: number): string {
  const us = x * 1e6;
  return Math.abs(us - Math.round(us)) > 1e-3 ? x.toFixed(9) : x.toFixed(6);
}

/** An estimate (not a timestamp): microseconds are enough. */
export function fmtRtt(x: number): string {
  return x.toFixed(6);
}

/** Display width: CJK characters take two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return w;
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, width(c))));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - width(c)))).join('  ').trimEnd());
}

function frameList(frames: number[]): string {
  return frames.length > FRAMES_SHOWN ? `${frames.slice(0, FRAMES_SHOWN).join(', ')}, …` : frames.join(', ');
}

export function labText(k: LabKey, file: string, lang: Lang, chalk: ChalkInstance, requested = k.segments.length): string {
  const m = labMessages(lang);
  const out: string[] = [];
  const h = (s: string): void => {
    out.push('', chalk.bold(s));
  };
  const say = (s: string): void => {
    out.push(`   ${s}`);
  };
  out.push(chalk.bold(m.title(file, k.connection)), m.timesNote);
  if (k.knownTrace) out.push(chalk.yellow(m.knownTrace(k.knownTrace.name, k.knownTrace.source)));
  if (k.payloadBytes.server > k.payloadBytes.client) out.push(chalk.yellow(m.download(k.payloadBytes.client, k.payloadBytes.server)));

  h(m.hEndpoints);
  const cj = k.handshake as { frames?: { ack?: number | null }; rtt?: number | null; kind?: string };
  say(m.client(k.client.ip, k.client.port, m.clientBy(k.client.inferredBy ?? 'syn')));
  say(m.server(k.server.ip, k.server.port));

  if (k.syn) {
    h(m.hSyn(k.syn.frame));
    say(m.synSeq(k.syn.rawSeq, k.syn.seq));
    say(m.synWhy);
    say(m.options(k.syn.mss, k.syn.sackPermitted, k.syn.windowScale));
    if (k.synAck) say(m.sackBoth(k.syn.sackPermitted && k.synAck.sackPermitted));
  } else h(m.noSyn);

  if (k.synAck) {
    h(m.hSynAck(k.synAck.frame));
    say(m.synAckSeq(k.synAck.rawSeq, k.synAck.seq));
    say(m.synAckAck(k.synAck.rawAck, k.synAck.ack, k.syn && ((k.syn.rawSeq + 1) >>> 0) === k.synAck.rawAck ? k.syn.rawSeq : null));
    say(m.synAckWhy);
    say(m.options(k.synAck.mss, k.synAck.sackPermitted, k.synAck.windowScale));
    say(m.handshakeAck(cj.frames?.ack ?? null, cj.rtt ?? null));
  } else h(m.noSynAck);

  const fd = k.firstData;
  if (fd === null) {
    out.push('', m.noData);
  } else {
    h(m.hFirstData(fd.frame));
    say(m.firstDataSeq(fd.seq, fd.rawSeq, fd.len));
    if (fd.httpRequest !== null) {
      say(m.httpStart(fd.httpRequest));
      if (fd.requestEnd) say(m.requestEnd(fd.requestEnd.frame, fd.requestEnd.seq, fd.requestEnd.rawSeq, fd.requestEnd.frame === fd.frame));
    } else say(m.noHttp);

    // --- the RTT table
    const n = k.segments.length;
    h(m.hSegments(requested, n));
    const rows: string[][] = [m.segHeader];
    k.segments.forEach((s, i) => {
      rows.push([
        String(i + 1), String(s.frame), String(s.seq), String(s.rawSeq), fmtTime(s.sent), String(s.len), String(s.tcpLength),
        String(s.frameLength), s.ackFrame === null ? '–' : String(s.ackFrame), s.acked === null ? '–' : fmtTime(s.acked),
        s.sampleRtt === null ? '–' : fmtTime(s.sampleRtt), s.estimatedRtt === null ? '–' : fmtRtt(s.estimatedRtt),
      ]);
    });
    for (const line of table(rows)) say(line);
    say(m.lengthsNote);
    say(m.ackRule);
    if (k.segments.some((s) => s.retransmission || (s.acked !== null && s.sampleRtt === null))) say(m.karnNote);
    say(m.ewma(k.alpha));
    const j = k.segments.findIndex((s, i) => i > 0 && s.sampleRtt !== null && k.segments[i - 1].estimatedRtt !== null);
    if (j > 0) {
      const s = k.segments[j];
      say(m.ewmaExample(j + 1, k.alpha, fmtRtt(k.segments[j - 1].estimatedRtt as number), fmtTime(s.sampleRtt as number), fmtRtt(s.estimatedRtt as number)));
    }
  }

  // --- windows
  h(m.hWindow);
  const ws = k.window.server;
  const wc = k.window.client;
  say(ws ? m.windowServer(ws.min, ws.minFrame, ws.max, ws.maxFrame) : m.noWindow('server'));
  say(wc ? m.windowClient(wc.min, wc.minFrame, wc.max, wc.maxFrame) : m.noWindow('client'));
  const scaled: [Role, typeof ws][] = [['server', ws], ['client', wc]];
  if (k.syn === null || k.synAck === null) say(m.scaleUnknown);
  else if (scaled.every(([, w]) => w === null || w.scale === null || w.scale === 0)) say(m.scaleNone);
  for (const [r, w] of scaled) if (w && w.scale !== null && w.scale > 0) say(m.scaleUsed(r, w.scale, w.unscaledMin));
  if (fd !== null) say(m.throttled(k.windowFull));

  // --- retransmissions
  h(m.hRetrans);
  if (k.retransmissions === 0 && k.repeatedSeq.length === 0) {
    say(m.noRetrans);
    say(m.noRepeated);
  } else {
    say(m.retransCount(k.retransmissions));
    for (const r of k.retransmitted.slice(0, FRAMES_SHOWN)) say(`  ${m.retransLine(r.frame, r.from, r.seq, r.len, r.analysis.join(', '))}`);
    if (k.retransmitted.length > FRAMES_SHOWN) say('  …');
    if (k.repeatedSeq.length > 0) say(m.repeated(frameList(k.repeatedSeq)));
  }

  // --- ACKs
  h(m.hAcks);
  if (k.ackedPerAck.length === 0) say(m.noAcks);
  else {
    const [bytes, count] = typicalAck(k);
    say(m.typicalAck(bytes, count, k.ackedPerAck.length));
    say(k.cumulativeAcks.length > 0 ? m.cumulative(k.cumulativeAcks.length, frameList(k.cumulativeAcks)) : m.noCumulative);
  }

  // --- throughput
  const t = k.throughput;
  if (t !== null) {
    h(m.hThroughput);
    say(m.throughput(t.bytes, t.fromFrame, fmtTime(t.from), t.toFrame, fmtTime(t.to), fmtTime(t.seconds), t.lastByteAcked));
    say(m.throughputValue(t.bytes, fmtTime(t.seconds), t.bytesPerSecond.toFixed(1), (t.bytesPerSecond / 1000).toFixed(1), ((t.bytesPerSecond * 8) / 1000).toFixed(1)));
  }

  // --- rounds
  if (k.rounds.length > 0) {
    h(m.hRounds);
    say(m.roundsRule);
    for (const r of k.rounds.slice(0, ROUNDS_SHOWN)) say(`  ${m.roundLine(r.round, fmtTime(r.start), r.segments, r.firstFrame, r.lastFrame, r.bytes)}`);
    if (k.rounds.length > ROUNDS_SHOWN) say(`  ${m.moreRounds(k.rounds.length - ROUNDS_SHOWN)}`);
  }

  // --- set-up and tear-down
  h(m.hClose);
  const hf = (k.handshake.frames ?? {}) as Record<string, number | null>;
  say(m.handshake(String(k.handshake.kind), hf.syn ?? null, hf.synAck ?? null, hf.ack ?? null));
  const td = k.teardown as { kind: string; initiator: Role | null; frames: Record<string, number | null> };
  if (td.kind === 'none') say(m.noTeardown(String(k.finalState.client), String(k.finalState.server)));
  else {
    const frames = Object.values(td.frames).filter((x): x is number => typeof x === 'number');
    say(m.teardown(td.kind, [...new Set(frames)].sort((a, b) => a - b).join(', '), td.initiator));
    say(m.timeWait(k.timeWait));
  }
  return out.join('\n') + '\n';
}

/** The most common number of bytes per ACK (the smallest on a tie) and how many ACKs had it. */
export function typicalAck(k: LabKey): [number, number] {
  const counts = new Map<number, number>();
  for (const a of k.ackedPerAck) counts.set(a.bytes, (counts.get(a.bytes) ?? 0) + 1);
  let best = 0;
  let n = 0;
  for (const [b, c] of counts) if (c > n || (c === n && b < best)) [best, n] = [b, c];
  return [best, n];
}
