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
 * connection id, relative seq, relative ack, window as shown, analysis bits and duplicate ACK's
 * number (`id seq ack window analysis dupAckNum`), by frame number; and what the story says of
 * it (`story`: `phase note n1 n2 n3 client-state server-state`), with the frames of continuations whose
 * state had been forgotten (`afresh`: their story starts from their own packets); and each id's
 * tshark 4.0 single-pass completeness as of its last record (`firstPass`).
 */
export async function records(file: string, opts?: TrackerOptions): Promise<{ recs: Rec[]; tracker: Tracker; frames: Map<number, string>; story: Map<number, string>; afresh: Set<number>; firstPass: Map<number, number> }> {
  const recs: Rec[] = [];
  const firstPass = new Map<number, number>();
  const frames = new Map<number, string>();
  const story = new Map<number, string>();
  const afresh = new Set<number>();
  const t = new Tracker({
    onPacket: (c, r) => {
      frames.set(r.frame, `${c.id} ${r.seq} ${r.ack} ${r.window} ${r.analysis} ${r.dupAckNum}`);
      story.set(r.frame, `${r.phase} ${r.note} ${r.n1} ${r.n2} ${r.n3} ${c.clientIsA ? r.stateA : r.stateB} ${c.clientIsA ? r.stateB : r.stateA}`);
      if (c.continuedAfresh) afresh.add(r.frame);
    },
    onFinal: (c) => {
      recs.push(connectionJson(c, null));
      firstPass.set(c.id, c.completenessFirstPass);
    },
  }, opts);
  await runCapture(file, t);
  // a stable sort: records of one id stay in the order they were finalised
  recs.sort((a, b) => (a.id as number) - (b.id as number));
  return { recs, tracker: t, frames, story, afresh, firstPass };
}

/**
 * What a record says of its whole connection, rather than of its own packets: the handshake, the
 * teardown, the final states, Zeek's verdict, the completeness, the client.
 */
export function verdicts(r: Rec): Rec {
  return { client: r.client, server: r.server, handshake: r.handshake, teardown: r.teardown, finalState: r.finalState, zeek: r.zeek, completeness: r.completeness };
}

/**
 * Each id's last record (the stream as of its last packet), by id: with continuations that
 * went on from their stream's state, its verdicts are those of the one record of keeping
 * every connection.
 */
export function lastRecords(recs: Rec[]): Map<number, Rec> {
  const m = new Map<number, Rec>();
  for (const r of recs) m.set(r.id as number, r);
  return m;
}

