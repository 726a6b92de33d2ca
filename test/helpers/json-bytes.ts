/**
 * Checks the byte writers (src/render/json-bytes.ts) on every connection of a capture against
 * the generic rendering: the document's record (recordJson of connectionJson, with and without
 * packets, packets capped or not) and the NDJSON connection line, both written straight from the
 * connection, and every NDJSON packet line written straight from its record, in every language.
 */
import assert from 'node:assert/strict';
import { runCapture } from '../../src/pipeline.js';
import { Tracker } from '../../src/analyze/tracker.js';
import { PacketCollector, connectionJson, packetJson, type PacketRecord } from '../../src/render/json.js';
import type { PacketResult } from '../../src/analyze/tracker.js';
import type { Packet } from '../../src/decode/packet.js';
import { NO_RECORDS, plainRecord, type PacketRecords } from '../../src/render/records.js';
import type { Connection } from '../../src/analyze/connection.js';
import { recordJson } from '../../src/render/pretty.js';
import { RECORD_INDENT, writeNdjsonConnection, writeNdjsonPacketRecord, writeRecord } from '../../src/render/json-bytes.js';
import { ByteWriter } from '../../src/util/bytes.js';
import type { Lang } from '../../src/i18n/messages.js';

const LANGS: Lang[] = ['en', 'zh'];

/** The records as objects of their own, in order. */
export function recordsArray(list: PacketRecords): PacketRecord[] {
  const out: PacketRecord[] = [];
  for (let i = 0; i < list.length; i++) out.push(list.copy(i));
  return out;
}

/** A packet's record as an object, field by field from the analysis (what the collector's slots must give back). */
export function packetRecord(r: PacketResult, p: Packet): PacketRecord {
  return {
    frame: r.frame, time: r.time, fromA: r.fromA, flags: p.flags, seq: r.seq, ack: r.ack,
    rawSeq: p.seq32, rawAck: p.ack32, len: p.payloadLen, window: r.window, analysis: r.analysis,
    phase: r.phase, stateA: r.stateA, stateB: r.stateB, note: r.note, n1: r.n1, n2: r.n2, n3: r.n3,
  };
}

/** The writer's bytes (started at a random-ish offset of a small buffer, so it grows). */
function bytesOf(write: (w: ByteWriter) => void, offset: number): Buffer {
  const w = new ByteWriter(16);
  w.text('x'.repeat(offset));
  write(w);
  return w.buf.subarray(offset, w.pos);
}

/**
 * Connection c's record written from the connection, against the generic rendering of its
 * connectionJson: in the document (with `packets` when given) and, without packets, as an NDJSON line.
 */
export function sameRecord(c: Connection, packets: PacketRecords | null, lang: Lang, what: string): void {
  const want = recordJson(connectionJson(c, packets, lang), RECORD_INDENT);
  const doc = bytesOf((w) => writeRecord(w, c, packets, lang), what.length % 5);
  assert.equal(doc.toString(), want, `${what}: document record`);
  assert.ok(doc.equals(Buffer.from(want)), `${what}: document record bytes`);
  if (packets === null) {
    const line = bytesOf((w) => writeNdjsonConnection(w, c, lang), 3);
    const wantLine = JSON.stringify({ type: 'connection', ...connectionJson(c, null, lang) });
    assert.equal(line.toString(), wantLine, `${what}: NDJSON connection`);
    assert.ok(line.equals(Buffer.from(wantLine)), `${what}: NDJSON connection bytes`);
  }
}

/** The NDJSON line of packet record `r` written straight from it, against JSON.stringify of its packetJson. */
export function samePacketRecord(c: Connection, r: PacketRecord, lang: Lang, what: string): void {
  const line = bytesOf((w) => writeNdjsonPacketRecord(w, c, r, lang), 2);
  const want = JSON.stringify({ type: 'packet', connection: c.id, ...packetJson(c, r, lang) });
  assert.equal(line.toString(), want, `${what}: NDJSON packet from its record`);
  assert.ok(line.equals(Buffer.from(want)), `${what}: NDJSON packet from its record, bytes`);
  // written by a writer whose chunks go as references (a spool's): the same bytes once expanded
  const refs = new ByteWriter(4);
  refs.refs = true;
  writeNdjsonPacketRecord(refs, c, r, lang);
  // (every key is a chunk of more than 3 bytes: never there as text)
  assert.ok(!refs.buf.subarray(0, refs.pos).includes('"rawAck":'), `${what}: a key written as text, not as a reference`);
  const expanded = new ByteWriter(4);
  expanded.expandRefs(refs.buf, 0, refs.pos);
  assert.equal(expanded.buf.toString('utf8', 0, expanded.pos), want, `${what}: NDJSON packet from its record, with references`);
}

/** Checks every connection and packet of `file`; returns how many were checked. */
export async function checkCapture(file: string): Promise<{ connections: number; packets: number }> {
  const all = new PacketCollector();
  const capped = new PacketCollector(4);
  // the records as objects (packetRecord), against which the collector's slots are read back
  const objects = new Map<Connection, PacketRecord[]>();
  let connections = 0;
  let packets = 0;
  const tracker = new Tracker({
    onPacket: (c, r, f, p) => {
      all.onPacket(c, r, f, p);
      capped.onPacket(c, r, f, p);
      let list = objects.get(c);
      if (list === undefined) objects.set(c, (list = []));
      list.push(packetRecord(r, p));
      for (const lang of LANGS) samePacketRecord(c, packetRecord(r, p), lang, `${file} #${c.id} frame ${r.frame} ${lang}`);
      packets++;
    },
    onFinal: (c) => {
      all.onFinal(c);
      capped.onFinal(c);
      for (const lang of LANGS) {
        const what = `${file} #${c.id} ${lang}`;
        sameRecord(c, null, lang, what);
        sameRecord(c, all.byConnection.get(c) ?? NO_RECORDS, lang, `${what} --packets`);
        sameRecord(c, capped.byConnection.get(c) ?? NO_RECORDS, lang, `${what} --packets (capped)`);
      }
      // every field of every record as packetRecord made it, through at() and copy()
      const want = objects.get(c) ?? [];
      const kept = all.byConnection.get(c) ?? NO_RECORDS;
      assert.deepEqual(recordsArray(kept), want, `${file} #${c.id}: the records read back`);
      for (let i = 0; i < kept.length; i++) assert.deepEqual(plainRecord(kept.at(i)), want[i], `${file} #${c.id}: record ${i} through at()`);
      objects.delete(c);
      connections++;
    },
  });
  await runCapture(file, tracker);
  return { connections, packets };
}
