/**
 * Golden files: the explanation of each fixture capture, reduced to what a reviewer reads —
 * kinds, frames, final states, Zeek verdict, diagnostics, and one line per packet (frame, who,
 * flags, relative seq/ack, phase, both states, the note). Written beside the capture as
 * <capture>.story.json by scripts/update-goldens.ts; compared by test/golden.test.ts.
 */
import { runCli } from './cli.js';

interface Pkt { frame: number; from: string; flags: string[]; seq: number; ack: number; len: number; phase: string; states: { client: string; server: string }; note?: string }
interface Conn {
  id: number; client: unknown; server: unknown; handshake: Record<string, unknown>; teardown: unknown; finalState: unknown;
  zeek: unknown; diagnostics: { key: string }[]; packets: Pkt[];
}

export async function storyOf(capture: string): Promise<unknown> {
  const r = await runCli(['--json', '--packets', capture]);
  if (r.code !== 0) throw new Error(`${capture}: exit ${r.code}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout) as { connections: Conn[] };
  return doc.connections.map((c) => ({
    id: c.id,
    client: c.client,
    server: c.server,
    handshake: { kind: c.handshake.kind, frames: c.handshake.frames, synRetransmissions: c.handshake.synRetransmissions, agreed: c.handshake.agreed },
    teardown: c.teardown,
    finalState: c.finalState,
    zeek: c.zeek,
    diagnostics: c.diagnostics.map((d) => d.key),
    packets: c.packets.map((p) =>
      `${p.frame} ${p.from} [${p.flags.join(',')}] seq ${p.seq} ack ${p.ack} len ${p.len} | ${p.phase} | ${p.states.client} / ${p.states.server}${p.note ? ` | ${p.note}` : ''}`,
    ),
  }));
}

/** Captures with a golden story: the TCP-behaviour fixtures and the HTTP ones. */
export const GOLDEN_DIRS = /^(tcp-|http-)/;

/** Every rendering of a capture that has golden files: format × language. */
export const RENDERINGS: { name: string; args: string[] }[] = [
  { name: 'text.en.txt', args: ['--diagram'] },
  { name: 'text.zh.txt', args: ['--diagram', '--lang', 'zh'] },
  { name: 'summary.txt', args: ['--format', 'summary'] },
  { name: 'mermaid.txt', args: ['--format', 'mermaid'] },
  { name: 'markdown.en.md', args: ['--format', 'markdown'] },
  { name: 'markdown.zh.md', args: ['--format', 'markdown', '--lang', 'zh'] },
];

/** The CLI's output for a rendering, with the repository path removed so goldens are portable. */
export async function rendering(capture: string, args: string[], repoRoot: string): Promise<string> {
  const r = await runCli([...args, capture]);
  if (r.code !== 0) throw new Error(`${capture}: exit ${r.code}: ${r.stderr}`);
  return r.stdout.split(`${repoRoot}/`).join('');
}
