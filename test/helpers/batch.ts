/** A capture read with given tracker options, for comparing batched and one-at-a-time runs. */
import assert from 'node:assert/strict';
import { runCapture, type CaptureSummary } from '../../src/pipeline.js';
import { Tracker, type TrackerOptions } from '../../src/analyze/tracker.js';
import { connectionJson } from '../../src/render/json.js';

type Rec = Record<string, unknown>;

interface Run {
  recs: Rec[];
  /** Per TCP frame, in the order handled: frame, connection id, direction, relative seq and ack, analysis bits, phase, note. */
  packets: string[];
  summary: CaptureSummary;
  batches: number;
}

export async function run(file: string, opts: TrackerOptions): Promise<Run> {
  const recs: Rec[] = [];
  const packets: string[] = [];
  const t = new Tracker({
    onPacket: (c, r) => {
      packets.push(`${r.frame} ${c.id} ${r.fromA} ${r.seq} ${r.ack} ${r.window} ${r.analysis} ${r.phase} ${r.note} ${r.stateA} ${r.stateB} ${r.dupAckNum} ${r.opened}`);
    },
    onFinal: (c) => { recs.push(connectionJson(c, null)); },
  }, opts);
  const summary = await runCapture(file, t);
  return { recs, packets, summary, batches: t.batches };
}

export function assertSame(a: Run, b: Run, what: string): void {
  assert.deepEqual(a.packets, b.packets, `${what}: packets`);
  // in the order finalised, not sorted: batching must not change when a connection ends either
  assert.deepEqual(a.recs, b.recs, `${what}: records`);
  assert.deepEqual(a.summary, b.summary, `${what}: capture summary`);
}
