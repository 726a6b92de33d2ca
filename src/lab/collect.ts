/**
 * What the lab key needs from every TCP packet, copied out of the reused decode/analysis objects:
 * the numbers of the contract's packet record plus the three lengths a lab question may mean
 * (payload, TCP header + payload, whole frame), the raw window field (for "unscaled window"
 * answers), the SYN options, and the first bytes of each side's first data segment (to name an
 * HTTP request line). Memory grows with the capture's TCP packets: fine for a lab capture.
 */
import type { Frame } from '../capture/frame.js';
import type { Packet } from '../decode/packet.js';
import type { Connection } from '../analyze/connection.js';
import type { PacketObserver, PacketResult } from '../analyze/tracker.js';
import type { PacketNumbers } from '../render/records.js';

/** Payload bytes kept of each side's first data segment: enough for an HTTP request header. */
const HEAD_BYTES = 4096;

export interface LabPacket extends PacketNumbers {
  /** The raw sequence and acknowledgement numbers (uint32s). */
  rawSeq: number;
  rawAck: number;
  /** TCP header length. */
  hdrLen: number;
  /** Whole frame on the wire (frame.len). */
  frameLen: number;
  /** The 16-bit window field as carried. */
  rawWindow: number;
  mss: number;
  wscale: number;
  sackPermitted: boolean;
  /** First payload bytes (latin1) of the side's first data segment; '' otherwise. */
  head: string;
}

export class LabCollector implements PacketObserver {
  readonly byConnection = new Map<Connection, LabPacket[]>();
  private readonly headTaken = new WeakMap<Connection, number>();

  onPacket(c: Connection, r: PacketResult, f: Frame, p: Packet): void {
    let list = this.byConnection.get(c);
    if (list === undefined) {
      list = [];
      this.byConnection.set(c, list);
    }
    let head = '';
    if (p.payloadLen > 0 && p.capturedPayload > 0) {
      const taken = this.headTaken.get(c) ?? 0;
      const bit = r.fromA ? 1 : 2;
      if (!(taken & bit)) {
        this.headTaken.set(c, taken | bit);
        const n = Math.min(p.capturedPayload, HEAD_BYTES);
        head = Buffer.from(f.buf.buffer, f.buf.byteOffset + p.payloadOffset, n).toString('latin1');
      }
    }
    list.push({
      frame: r.frame, time: r.time, fromA: r.fromA, flags: p.flags, seq: r.seq, ack: r.ack,
      rawSeq: p.seq32 >>> 0, rawAck: p.ack32 >>> 0, len: p.payloadLen, hdrLen: p.tcpHeaderLen, frameLen: f.origLen,
      window: r.window, rawWindow: p.window, analysis: r.analysis, mss: p.mss, wscale: p.wscale,
      sackPermitted: p.sackPermitted, head,
    });
  }
}
