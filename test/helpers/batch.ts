/** A capture read with given tracker options, for comparing batched and one-at-a-time runs. */
import assert from 'node:assert/strict';
import { runCapture, type CaptureSummary } from '../../src/pipeline.js';
import { Tracker, type TrackerOptions } from '../../src/analyze/tracker.js';
import { connectionJson } from '../../src/render/json.js';

type Rec = Record<string, unknown>;

interface Run {
  /** In the order finalised. */
  recs: Rec[];
  /** Per TCP frame, in the order handled: frame, connection id, direction, relative seq and ack, analysis bits, phase, note. */
  packets: string[];
  summary: CaptureSummary;
  batches: number;
  /** The tracker's counts: evicted, idle-released, continuations, continued analyses, most open at once. */
  counts: number[];
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
  return { recs, packets, summary, batches: t.batches, counts: [t.evicted, t.idleReleased, t.splitConnections, t.continuedAnalysis, t.maxOpen] };
}

export function assertSame(a: Run, b: Run, what: string): void {
  assert.deepEqual(a.packets, b.packets, `${what}: packets`);
  // in the order finalised, not sorted: batching must not change when a connection ends either
  assert.deepEqual(a.recs, b.recs, `${what}: records`);
  assert.deepEqual(a.summary, b.summary, `${what}: capture summary`);
  assert.deepEqual(a.counts, b.counts, `${what}: tracker counts`);
}

/** Each connection id's packets (Run.packets), in the order handled: an id's own order, whatever the order across ids. */
export function packetsById(r: Run): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of r.packets) {
    const id = line.split(' ', 2)[1];
    const list = out.get(id);
    if (list === undefined) out.set(id, [line]);
    else list.push(line);
  }
  return out;
}

/**
 * The same run with SYNs kept and without: everything but the order of packets across
 * connections equal. `from`: TrackerOptions.deferSynFrom, or 'default' for the tracker's own
 * (DEFER_SYN_EARLY, adapting).
 */
export async function assertDeferralSame(file: string, opts: TrackerOptions, from: number | 'default' = 0): Promise<void> {
  const made = await run(file, { ...opts, deferSyn: false });
  const deferSynFrom = from === 'default' ? undefined : from;
  const kept = await run(file, { ...opts, deferSyn: true, deferSynFrom });
  const what = `${file} ${JSON.stringify(opts)} (SYNs kept from ${from} open)`;
  assert.deepEqual(kept.recs, made.recs, `${what}: records in the order finalised`);
  assert.deepEqual(kept.summary, made.summary, `${what}: capture summary`);
  assert.deepEqual(kept.counts, made.counts, `${what}: tracker counts`);
  assert.deepEqual(packetsById(kept), packetsById(made), `${what}: each connection's packets`);
  assert.equal(kept.packets.length, made.packets.length, what);
  // shown as they arrive (echoKeptSyn): every packet in the capture's order, as when made at once
  const echoed = await run(file, { ...opts, deferSyn: true, deferSynFrom, echoKeptSyn: true });
  assert.deepEqual(echoed.packets, made.packets, `${what}, shown as they arrive: packets in the order handled`);
  assert.deepEqual(echoed.recs, made.recs, `${what}, shown as they arrive: records in the order finalised`);
  assert.deepEqual(echoed.summary, made.summary, `${what}, shown as they arrive: capture summary`);
  assert.deepEqual(echoed.counts, made.counts, `${what}, shown as they arrive: tracker counts`);
}
