/**
 * Compares the tracker with tshark's per-frame view (the corpus refs/*.tsv, single pass, and
 * the fixtures' <capture>.tshark.tsv, two-pass). Shared by the tests and scripts/diff-tshark.
 */
import { readFileSync } from 'node:fs';
import { runCapture } from '../../src/pipeline.js';
import { Tracker, type PacketResult, type TrackerOptions } from '../../src/analyze/tracker.js';
import type { Connection } from '../../src/analyze/connection.js';
import type { Frame } from '../../src/capture/frame.js';
import type { Packet } from '../../src/decode/packet.js';
import { ANALYSIS_ORDER } from '../../src/analyze/flags.js';
import { seqSub } from '../../src/model/seq.js';

/** tshark field → our analysis name. */
export const REF_FLAG_FIELDS: [string, string][] = [
  ['tcp.analysis.retransmission', 'retransmission'],
  ['tcp.analysis.fast_retransmission', 'fast_retransmission'],
  ['tcp.analysis.spurious_retransmission', 'spurious_retransmission'],
  ['tcp.analysis.out_of_order', 'out_of_order'],
  ['tcp.analysis.lost_segment', 'lost_segment'],
  ['tcp.analysis.ack_lost_segment', 'ack_lost_segment'],
  ['tcp.analysis.duplicate_ack', 'duplicate_ack'],
  ['tcp.analysis.zero_window', 'zero_window'],
  ['tcp.analysis.zero_window_probe', 'zero_window_probe'],
  ['tcp.analysis.zero_window_probe_ack', 'zero_window_probe_ack'],
  ['tcp.analysis.keep_alive', 'keep_alive'],
  ['tcp.analysis.keep_alive_ack', 'keep_alive_ack'],
  ['tcp.analysis.window_update', 'window_update'],
  ['tcp.analysis.window_full', 'window_full'],
  ['tcp.analysis.reused_ports', 'reused_ports'],
];

export interface OurFrame {
  stream: number; seq: number; ack: number; hasAck: boolean; len: number; flags: Set<string>; window: number;
  /** In a continuation (Connection.continued), whose analysis flags are not Wireshark's. */
  continued: boolean;
  /** tcp.analysis.duplicate_ack_num: the duplicate ACK's number, 0 on other frames (PacketResult.dupAckNum). */
  dupAckNum: number;
  /**
   * tcp.options.sack.dsack_le and _re: the D-SACK block's edges relative to the other direction
   * (Packet.dsack and its edges made relative), '' when the packet has none.
   */
  dsack: string;
}

export interface FlagTally { tp: number; fp: number; fn: number }

export interface Comparison {
  frames: number;
  /** Frames tshark shows as TCP that we did not decode. */
  missing: number;
  numbersEqual: number;
  /** Frames in continuations (compared like the others). */
  continuationFrames: number;
  mismatches: string[];
  flags: Map<string, FlagTally>;
  /** Per stream: final completeness and initial RTT, ours. */
  connections: Connection[];
  /** Our view of every frame the tracker saw, by frame number (the window, for callers that check it). */
  ours: Map<number, OurFrame>;
}

export function readTsv(path: string): Record<string, string>[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0 && !l.startsWith('#'));
  const head = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    const o: Record<string, string> = {};
    head.forEach((h, i) => (o[h] = f[i] ?? ''));
    return o;
  });
}

/** Our view of every frame; `opts`: the tracker's (default: keep every connection, never release). */
export async function analyseFrames(path: string, opts?: TrackerOptions): Promise<{ frames: Map<number, OurFrame>; tracker: Tracker }> {
  const frames = new Map<number, OurFrame>();
  const tracker = new Tracker({
    onPacket(c: Connection, r: PacketResult, _f: Frame, p: Packet): void {
      const set = new Set<string>();
      for (const [bit, name] of ANALYSIS_ORDER) if (r.analysis & bit) set.add(name);
      frames.set(r.frame, {
        stream: c.id, seq: r.seq, ack: r.ack, hasAck: (p.flags & 0x10) !== 0, len: p.payloadLen, flags: set, window: r.window, continued: c.continued,
        dupAckNum: r.dupAckNum,
        dsack: p.dsack ? `${seqSub(p.dsackLeft, r.peerBase)}-${seqSub(p.dsackRight, r.peerBase)}` : '',
      });
    },
  }, opts);
  await runCapture(path, tracker);
  return { frames, tracker };
}

/**
 * Every TCP frame of `capture` against tshark's view `refTsv`: stream, relative seq and ack,
 * length, the duplicate ACK's number and the D-SACK block (where the reference has them) and the analysis flags, in
 * continuations' frames too (their analysis goes on from their stream's state). `opts`: the
 * tracker's options (default: keep every connection, as Wireshark does).
 */
export async function compareWithTshark(capture: string, refTsv: string, maxMismatches = 20, opts?: TrackerOptions): Promise<Comparison> {
  const ref = readTsv(refTsv);
  const { frames, tracker } = await analyseFrames(capture, opts);
  const cmp: Comparison = { frames: 0, missing: 0, numbersEqual: 0, continuationFrames: 0, mismatches: [], flags: new Map(), connections: tracker.connections, ours: frames };
  for (const [, name] of REF_FLAG_FIELDS) cmp.flags.set(name, { tp: 0, fp: 0, fn: 0 });
  for (const row of ref) {
    if (row['tcp.stream'] === '') continue; // tshark could not parse this TCP header
    cmp.frames++;
    const n = Number(row['frame.number']);
    const o = frames.get(n);
    if (!o) {
      cmp.missing++;
      continue;
    }
    const hasAck = (parseInt(row['tcp.flags'], 16) & 0x10) !== 0;
    const problems: string[] = [];
    if (String(o.stream) !== row['tcp.stream']) problems.push(`stream ${o.stream}≠${row['tcp.stream']}`);
    if (String(o.seq) !== row['tcp.seq']) problems.push(`seq ${o.seq}≠${row['tcp.seq']}`);
    if (hasAck && String(o.ack) !== row['tcp.ack']) problems.push(`ack ${o.ack}≠${row['tcp.ack']}`);
    if (row['tcp.len'] !== '' && String(o.len) !== row['tcp.len']) problems.push(`len ${o.len}≠${row['tcp.len']}`);
    // (the fixtures' references have the duplicate ACK's number since 2026-12-05; the corpus's do not)
    const dupAckNum = row['tcp.analysis.duplicate_ack_num'];
    if (dupAckNum !== undefined && String(o.dupAckNum) !== (dupAckNum === '' ? '0' : dupAckNum)) problems.push(`duplicate ACK #${o.dupAckNum}≠#${dupAckNum}`);
    // (and the D-SACK block since 2026-12-06)
    const dsackLe = row['tcp.options.sack.dsack_le'];
    const theirDsack = dsackLe === undefined || dsackLe === '' ? '' : `${dsackLe}-${row['tcp.options.sack.dsack_re']}`;
    if (dsackLe !== undefined && o.dsack !== theirDsack) problems.push(`D-SACK ${o.dsack || 'none'}≠${theirDsack || 'none'}`);
    if (problems.length === 0) cmp.numbersEqual++;
    // a continuation's flags too: its analysis goes on from its stream's state (flow/analysis-states.ts)
    if (o.continued) cmp.continuationFrames++;
    for (const [field, name] of REF_FLAG_FIELDS) {
      const theirs = row[field] !== undefined && row[field] !== '' && row[field] !== '0';
      const ours = o.flags.has(name);
      const t = cmp.flags.get(name) as FlagTally;
      if (theirs && ours) t.tp++;
      else if (ours) {
        t.fp++;
        problems.push(`+${name}`);
      } else if (theirs) {
        t.fn++;
        problems.push(`-${name}`);
      }
    }
    if (problems.length > 0 && cmp.mismatches.length < maxMismatches) cmp.mismatches.push(`frame ${n}: ${problems.join(' ')}`);
  }
  return cmp;
}
