/** Connection records of a capture read with given tracker options (release tests). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCapture } from '../../src/pipeline.js';
import { Tracker, type TrackerOptions } from '../../src/analyze/tracker.js';
import { connectionJson } from '../../src/render/json.js';
import { REPO_ROOT } from './corpus.js';

type Rec = Record<string, unknown>;

export function fixtureCaptures(): string[] {
  const fx = join(REPO_ROOT, 'fixtures');
  const out: string[] = [];
  for (const d of readdirSync(fx, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    for (const f of readdirSync(join(fx, d.name))) if (/\.(pcap|pcapng)(\.gz)?$/.test(f)) out.push(join(fx, d.name, f));
  }
  return out.sort();
}

/**
 * The connection records of a capture read with these tracker options, in id order (a
 * continuation after its connection's earlier record), the tracker, and each TCP frame's
 * connection id, relative seq, relative ack, window as shown and analysis bits
 * (`id seq ack window analysis`), by frame number.
 */
export async function records(file: string, opts?: TrackerOptions): Promise<{ recs: Rec[]; tracker: Tracker; frames: Map<number, string> }> {
  const recs: Rec[] = [];
  const frames = new Map<number, string>();
  const t = new Tracker({
    onPacket: (c, r) => { frames.set(r.frame, `${c.id} ${r.seq} ${r.ack} ${r.window} ${r.analysis}`); },
    onFinal: (c) => { recs.push(connectionJson(c, null)); },
  }, opts);
  await runCapture(file, t);
  // a stable sort: records of one id stay in the order they were finalised
  recs.sort((a, b) => (a.id as number) - (b.id as number));
  return { recs, tracker: t, frames };
}

