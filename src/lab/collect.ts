/**
 * What the lab key needs from every TCP packet, copied out of the reused decode/analysis objects:
 * the numbers of the contract's packet record plus the three lengths a lab question may mean
 * (payload, TCP header + payload, whole frame), the raw window field (for "unscaled window"
 * answers), the SYN options, and the first bytes of each side's first data segment (to name an
 * HTTP request line). Memory grows with the capture's TCP packets: fine for a lab capture, and
 * bounded by labPacketBudget() for any other (a 10M-packet capture ran out of heap after 50 s,
 * V8's fatal error and its stack trace on standard error).
 */
import { getHeapStatistics } from 'node:v8';
import type { Frame } from '../capture/frame.js';
import type { Packet } from '../decode/packet.js';
import type { Connection } from '../analyze/connection.js';
import type { PacketObserver, PacketResult } from '../analyze/tracker.js';
import type { PacketNumbers } from '../render/records.js';
import { selected, type Selection } from '../cli/select.js';

/**
 * About what a kept packet costs: the record, its time and the lists' room (short1m: 590 MB for
 * a million packets of 100 000 connections, which take about 120 MB; bulk 368 MB for a million of
 * one connection, about 55 MB of it the process's own).
 */
const BYTES_PER_PACKET = 400;

/**
 * Packets the lab keeps at most with a heap of `heapLimit` bytes: a third of the heap, the rest
 * left to the connections (every one is kept) and the key's work. 3.6 million with this
 * machine's default heap (4.3 GB); a lab capture has hundreds.
 */
export function labPacketBudget(heapLimit = getHeapStatistics().heap_size_limit): number {
  return Math.floor(heapLimit / 3 / BYTES_PER_PACKET);
}

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
  /** Packets kept so far. */
  kept = 0;
  /**
   * The frame whose packet would have been one more than `maxPackets`, or -1: then nothing is
   * kept any more (what was is let go) and the caller stops reading (a key from part of a
   * connection's packets would be a wrong key).
   */
  overflowFrame = -1;

  /** `sel`: only the packets of the connections it selects are kept (null: every connection's). */
  constructor(readonly maxPackets = labPacketBudget(), private readonly sel: Selection | null = null) {}

  /** Connections the selection leaves out (asked once each). */
  private readonly skipped = new WeakSet<Connection>();

  onPacket(c: Connection, r: PacketResult, f: Frame, p: Packet): void {
    if (this.overflowFrame >= 0) return;
    let list = this.byConnection.get(c);
    if (list === undefined) {
      if (this.sel !== null && (this.skipped.has(c) || !selected(c, this.sel))) {
        this.skipped.add(c);
        return;
      }
      list = [];
      this.byConnection.set(c, list);
    }
    if (++this.kept > this.maxPackets) {
      this.overflowFrame = r.frame;
      this.byConnection.clear();
      return;
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
