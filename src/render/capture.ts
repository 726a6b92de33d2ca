/** The capture object of the JSON contract, and its plain-text summary. */
import type { CaptureSummary } from '../pipeline.js';
import { message, type Lang } from '../i18n/messages.js';
import { round9 } from '../util/round.js';

export const SCHEMA_VERSION = 1;

export function captureJson(s: CaptureSummary): Record<string, unknown> {
  return {
    file: s.file,
    format: s.format,
    compressed: s.gzip ? 'gzip' : null,
    linkTypes: s.linkTypes,
    packets: s.packets,
    tcpPackets: s.tcpPackets,
    skipped: s.skipped,
    malformed: s.malformed,
    truncatedPackets: s.truncatedPackets,
    truncated: s.truncated,
    bytes: s.bytes,
    firstTime: s.firstTime,
    lastTime: s.lastTime,
    duration: s.duration === null ? null : round9(s.duration),
    error: s.error,
    evictedConnections: s.evictedConnections ?? 0,
    splitConnections: s.splitConnections ?? 0,
    frameLimit: s.frameLimit,
    stoppedAtLimit: s.stoppedAtLimit,
    warnings: s.warnings,
  };
}

export function captureText(s: CaptureSummary, lang: Lang = 'en'): string {
  const t = (k: string, n1 = 0, n2 = 0, n3 = 0): string => message(lang, k, 'client', n1, n2, n3);
  const lines: string[] = [];
  const fmt = `${s.format ?? 'unknown'}${s.gzip ? ' (gzip)' : ''}`;
  lines.push(`${s.file}: ${fmt}, ${t('capLinkType')} ${s.linkTypes.join(', ') || '-'}`);
  lines.push(`  ${t('capCounts', s.packets, s.tcpPackets, s.bytes)}`);
  if (s.firstTime !== null && s.lastTime !== null) {
    lines.push(`  ${t('capFromTo')} ${isoTime(s.firstTime)} ${t('capTo')} ${isoTime(s.lastTime)}${t('lParenOpen')}${(s.duration ?? 0).toFixed(6)} ${t('capSeconds')}${t('lParenClose')}`);
  }
  if (s.stoppedAtLimit) lines.push(`  ${t('capStoppedAtLimit', s.frameLimit ?? 0)}`);
  const sk = Object.entries(s.skipped);
  if (sk.length > 0) lines.push(`  ${t('capNotAnalysed')}${t('lColon')}${sk.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (s.truncatedPackets > 0) lines.push(`  ${t('capTruncatedPackets', s.truncatedPackets)}`);
  return lines.join('\n') + '\n';
}

/**
 * ISO 8601 text of a capture timestamp (seconds since the epoch). A damaged or absurd timestamp
 * (pcapng with a huge if_tsoffset or a 2^-127 resolution) can lie beyond what a Date holds
 * (±8.64e15 ms): it is then shown as the plain number of seconds instead of throwing.
 */
export function isoTime(sec: number): string {
  const d = new Date(sec * 1000);
  return Number.isNaN(d.getTime()) ? `${sec} s since the epoch` : d.toISOString();
}
