/**
 * Capture-quality diagnostics for one connection, as message keys with their numbers:
 * started mid-connection, ended before the close, previous segments not captured, ACKs of
 * unseen data, segments larger than the peer's MSS (segmentation offload at the capturing host),
 * snaplen-truncated payloads.
 */
import type { Connection } from './connection.js';
import { ANALYSIS_NAMES } from './flags.js';
import { handshakeKind, teardownKind } from './story.js';

export interface Diagnostic {
  key: string;
  /** 'a' or 'b': the flow the diagnostic is about, when it is about one side. */
  flowA: boolean | null;
  n1: number;
  n2: number;
}

const LOST = ANALYSIS_NAMES.indexOf('lost_segment');
const ACK_LOST = ANALYSIS_NAMES.indexOf('ack_lost_segment');

export function diagnostics(c: Connection): Diagnostic[] {
  const out: Diagnostic[] = [];
  const s = c.story;
  // a continuation is the end of a connection whose start is in its earlier record, and is cut
  // where the capture has no more of it: neither says anything of the capture
  if (!c.continued) {
    if (handshakeKind(s) === 'not-captured') out.push({ key: 'diagStartedMidConnection', flowA: null, n1: 0, n2: 0 });
    const td = teardownKind(s);
    // (n1 = 1: half-closed, one side's FIN seen)
    if (td === 'none' || td === 'half-closed') out.push({ key: 'diagEndedBeforeClose', flowA: null, n1: td === 'half-closed' ? 1 : 0, n2: 0 });
  }
  if (c.analysis[LOST] > 0) out.push({ key: 'diagPreviousSegmentNotCaptured', flowA: null, n1: c.analysis[LOST], n2: 0 });
  if (c.analysis[ACK_LOST] > 0) out.push({ key: 'diagAckedUnseen', flowA: null, n1: c.analysis[ACK_LOST], n2: 0 });
  // the peer's MSS bounds what this side may send in one segment (RFC 9293 §3.7.1)
  if (c.b.synMss > 0 && c.maxPayloadA > c.b.synMss) out.push({ key: 'diagLargerThanMss', flowA: true, n1: c.maxPayloadA, n2: c.b.synMss });
  if (c.a.synMss > 0 && c.maxPayloadB > c.a.synMss) out.push({ key: 'diagLargerThanMss', flowA: false, n1: c.maxPayloadB, n2: c.a.synMss });
  if (c.truncatedPackets > 0) out.push({ key: 'diagSnaplenTruncated', flowA: null, n1: c.truncatedPackets, n2: 0 });
  return out;
}
