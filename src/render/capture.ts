/** The capture object of the JSON contract, and its plain-text summary. */
import type { CaptureSummary } from '../pipeline.js';

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
    warnings: s.warnings,
  };
}

export function captureText(s: CaptureSummary): string {
  const lines: string[] = [];
  const fmt = `${s.format ?? 'unknown'}${s.gzip ? ' (gzip)' : ''}`;
  lines.push(`${s.file}: ${fmt}, link type ${s.linkTypes.join(', ') || 'none'}`);
  lines.push(`  ${s.packets} frames, ${s.tcpPackets} TCP packets, ${s.bytes} bytes captured`);
  if (s.firstTime !== null && s.lastTime !== null) {
    lines.push(`  from ${new Date(s.firstTime * 1000).toISOString()} to ${new Date(s.lastTime * 1000).toISOString()} (${(s.duration ?? 0).toFixed(6)} s)`);
  }
  const sk = Object.entries(s.skipped);
  if (sk.length > 0) lines.push(`  not analysed: ${sk.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (s.truncatedPackets > 0) lines.push(`  ${s.truncatedPackets} TCP packets cut short by the snapshot length (headers decoded, payload partial)`);
  return lines.join('\n') + '\n';
}

function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}
