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

/** Payload bytes kept of each side's first data segment: enough for an HTTP request header. */
const HEAD_BYTES = 4096;

export interface LabPacket {
  frame: number;
  /** Seconds since the first frame of the capture. */
  time: number;
  fromA: boolean;
  flags: number;
  seq: number;
  ack: number;
  rawSeq: number;
  rawAck: number;
  /** TCP payload length. */
  len: number;
  /** TCP header length. */
  hdrLen: number;
  /** Whole frame on the wire (frame.len). */
  frameLen: number;
  /** Advertised window, scaled when the scale is known (Wireshark's tcp.window_size). */
  window: number;
  /** The 16-bit window field as carried. */
  rawWindow: number;
  analysis: number;
  mss: number;
  wscale: number;
  sackPermitted: boolean;
  /** First payload bytes (latin1) of the side's first data segment; '' otherwise. */
  head: string;
}

export class LabCollector implements PacketObserver {
  readonly byConnection = new Map<Connection, LabPacket[]>();
  /** Timestamp of the first TCP frame (the tracker's time 0). */
  private t0Sec = 0;
  private t0Nsec = 0;
  private haveT0 = false;
  private readonly headTaken = new WeakMap<Connection, number>();

  /**
   * Re-bases every packet's time on the capture's first frame, TCP or not (the tracker counts
   * from the first TCP frame; Wireshark's Time column from the first frame). `firstTime` is the
   * capture summary's first timestamp (epoch seconds, a double): its fraction is rounded to the
   * microsecond when the TCP timestamps are whole microseconds, so the shift is exact.
   */
  rebase(firstTime: number | null): void {
    if (firstTime === null || !this.haveT0) return;
    let sec = Math.floor(firstTime);
    let nsec = Math.round((firstTime - sec) * 1e9);
    if (this.t0Nsec % 1000 === 0) nsec = Math.round(nsec / 1000) * 1000;
    if (nsec >= 1e9) {
      sec += 1;
      nsec -= 1e9;
    }
    const offset = this.t0Sec - sec + (this.t0Nsec - nsec) / 1e9;
    if (offset <= 0) return;
    for (const list of this.byConnection.values()) for (const p of list) p.time += offset;
  }

  onPacket(c: Connection, r: PacketResult, f: Frame, p: Packet): void {
    if (!this.haveT0) {
      this.haveT0 = true;
      this.t0Sec = f.tsSec;
      this.t0Nsec = f.tsNsec;
    }
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
      rawSeq: p.seq, rawAck: p.ack, len: p.payloadLen, hdrLen: p.tcpHeaderLen, frameLen: f.origLen,
      window: r.window, rawWindow: p.window, analysis: r.analysis, mss: p.mss, wscale: p.wscale,
      sackPermitted: p.sackPermitted, head,
    });
  }
}
