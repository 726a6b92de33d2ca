/**
 * Checks the byte writers (src/render/json-bytes.ts) on every connection of a capture against
 * the generic rendering: the document's record (recordJson of connectionJson, with and without
 * packets, packets capped or not), the NDJSON connection line and every NDJSON packet line, in
 * every language; packet records both as packetJson's objects and straight from the records
 * (writePacketRecord, what the CLI writes). The writers must also have laid out every record
 * themselves (none redone).
 */
import assert from 'node:assert/strict';
import { runCapture } from '../../src/pipeline.js';
import { Tracker } from '../../src/analyze/tracker.js';
import { PacketCollector, connectionJson, packetJson, packetRecord, type PacketRecord } from '../../src/render/json.js';
import type { Connection } from '../../src/analyze/connection.js';
import { recordJson } from '../../src/render/pretty.js';
import { RECORD_INDENT, redoneCount, writeNdjsonConnection, writeNdjsonPacket, writeNdjsonPacketRecord, writeRecord } from '../../src/render/json-bytes.js';
import { ByteWriter } from '../../src/util/bytes.js';
import type { Lang } from '../../src/i18n/messages.js';

const LANGS: Lang[] = ['en', 'zh'];

type Rec = Record<string, unknown>;

/** The writer's bytes for `o` (started at a random-ish offset of a small buffer, so it grows). */
function bytesOf(write: (w: ByteWriter) => void, offset: number): Buffer {
  const w = new ByteWriter(16);
  w.text('x'.repeat(offset));
  write(w);
  return w.buf.subarray(offset, w.pos);
}

export function sameRecord(o: Rec, what: string): void {
  const doc = bytesOf((w) => writeRecord(w, o), what.length % 5);
  assert.equal(doc.toString(), recordJson(o, RECORD_INDENT), `${what}: document record`);
  assert.ok(doc.equals(Buffer.from(recordJson(o, RECORD_INDENT))), `${what}: document record bytes`);
  if (o.packets === undefined) {
    const line = bytesOf((w) => writeNdjsonConnection(w, o), 3);
    assert.ok(line.equals(Buffer.from(JSON.stringify({ type: 'connection', ...o }))), `${what}: NDJSON connection`);
  }
}

/** The record written from raw packet records, each written straight from the record, as the CLI does. */
export function sameRecordRaw(c: Connection, list: PacketRecord[], lang: Lang, what: string): void {
  const want = recordJson(connectionJson(c, list, lang), RECORD_INDENT);
  const doc = bytesOf((w) => writeRecord(w, connectionJson(c, list, lang, true), { c, lang }), what.length % 5);
  assert.ok(doc.equals(Buffer.from(want)), `${what}: document record, packets written from their records`);
}

/** The NDJSON line of packet record `r` written straight from it, against JSON.stringify of its packetJson. */
export function samePacketRecord(c: Connection, r: PacketRecord, lang: Lang, what: string): void {
  const line = bytesOf((w) => writeNdjsonPacketRecord(w, c, r, lang), 2);
  const want = JSON.stringify({ type: 'packet', connection: c.id, ...packetJson(c, r, lang) });
  assert.equal(line.toString(), want, `${what}: NDJSON packet from its record`);
  assert.ok(line.equals(Buffer.from(want)), `${what}: NDJSON packet from its record, bytes`);
}

export function samePacket(id: number, p: Rec, what: string): void {
  const line = bytesOf((w) => writeNdjsonPacket(w, id, p), 1);
  assert.ok(line.equals(Buffer.from(JSON.stringify({ type: 'packet', connection: id, ...p }))), `${what}: NDJSON packet`);
}

/** Checks every connection and packet of `file`; returns how many were checked. */
export async function checkCapture(file: string): Promise<{ connections: number; packets: number }> {
  const redone = redoneCount();
  const all = new PacketCollector();
  const capped = new PacketCollector(4);
  let connections = 0;
  let packets = 0;
  const tracker = new Tracker({
    onPacket: (c, r, f, p) => {
      all.onPacket(c, r, f, p);
      capped.onPacket(c, r, f, p);
      for (const lang of LANGS) {
        const rec = packetRecord(r, p);
        samePacket(c.id, packetJson(c, rec, lang), `${file} #${c.id} frame ${r.frame} ${lang}`);
        samePacketRecord(c, rec, lang, `${file} #${c.id} frame ${r.frame} ${lang}`);
      }
      packets++;
    },
    onFinal: (c) => {
      all.onFinal(c);
      capped.onFinal(c);
      for (const lang of LANGS) {
        const what = `${file} #${c.id} ${lang}`;
        sameRecord(connectionJson(c, null, lang), what);
        sameRecord(connectionJson(c, all.byConnection.get(c) ?? [], lang), `${what} --packets`);
        sameRecord(connectionJson(c, capped.byConnection.get(c) ?? [], lang), `${what} --packets (capped)`);
        sameRecordRaw(c, all.byConnection.get(c) ?? [], lang, `${what} --packets`);
        sameRecordRaw(c, capped.byConnection.get(c) ?? [], lang, `${what} --packets (capped)`);
      }
      connections++;
    },
  });
  await runCapture(file, tracker);
  assert.equal(redoneCount(), redone, `${file}: records the writers gave up on`);
  return { connections, packets };
}
