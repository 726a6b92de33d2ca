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

/** The connection records of a capture read with these tracker options, in id order, and the tracker. */
export async function records(file: string, opts?: TrackerOptions): Promise<{ recs: Rec[]; tracker: Tracker }> {
  const recs: Rec[] = [];
  const t = new Tracker({ onPacket: () => undefined, onFinal: (c) => { recs.push(connectionJson(c, null)); } }, opts);
  await runCapture(file, t);
  recs.sort((a, b) => (a.id as number) - (b.id as number));
  return { recs, tracker: t };
}

