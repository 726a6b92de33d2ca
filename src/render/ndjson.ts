/**
 * `--format ndjson`: the contract's records as lines, streamed — one {"type":"packet",…} per
 * packet as it is analysed (with --packets), one {"type":"connection",…} when a connection is
 * finalised (closed and past the linger, replaced by a new stream on its 4-tuple, or at the end
 * of input), and a final {"type":"capture",…}. Connections are forgotten once written, so
 * memory depends on the connections open at once, not on the capture.
 */
import type { Frame } from '../capture/frame.js';
import type { Packet } from '../decode/packet.js';
import type { Connection } from '../analyze/connection.js';
import type { PacketObserver, PacketResult } from '../analyze/tracker.js';
import type { Output } from '../util/output.js';
import type { Lang } from '../i18n/messages.js';
import { NO_FIELDS, fillRecord, plainRecord } from './records.js';
import { writeNdjsonConnection, writeNdjsonPacketRecord } from './json-bytes.js';

const NEWLINE = 0x0a;

/** Writes the lines as bytes straight into the output (json-bytes.ts: the same text as JSON.stringify). */
export class NdjsonWriter implements PacketObserver {
  /** The record of the packet being written, made once and filled again for each one. */
  private readonly record = plainRecord(NO_FIELDS);

  constructor(
    private readonly out: Output,
    private readonly packets: boolean,
    private readonly lang: Lang,
    private readonly keep: (c: Connection) => boolean,
  ) {}

  onPacket(c: Connection, r: PacketResult, _f: Frame, p: Packet): void {
    if (!this.packets || this.out.closed || !this.keep(c)) return;
    const w = this.out.writer;
    writeNdjsonPacketRecord(w, c, fillRecord(this.record, r, p), this.lang);
    w.byte(NEWLINE);
    this.out.spill();
  }

  onFinal(c: Connection): void {
    if (this.out.closed || !this.keep(c)) return;
    const w = this.out.writer;
    writeNdjsonConnection(w, c, this.lang);
    w.byte(NEWLINE);
    this.out.spill();
  }
}
