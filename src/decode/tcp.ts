/**
 * TCP header and options (RFC 9293 §3.1; options: MSS RFC 9293 §3.7.1, window scale and
 * timestamps RFC 7323, SACK RFC 2018). The payload length comes from the IP lengths — what was
 * on the wire — so a snaplen-truncated segment keeps its true length and is only flagged.
 */
import {
  Packet, DECODED_TCP, MALFORMED, SKIPPED, SKIP_TRUNCATED, L_TCP, MAX_SACK_BLOCKS, MAX_UNKNOWN_OPTIONS,
} from './packet.js';

/** The source port, then the destination port at 2 (read as one uint32). */
const OFF_SRC_PORT = 0;
const OFF_SEQ = 4;
const OFF_ACK = 8;
/** High nibble; low bit = AE (ex-NS), then the flags byte at 13 (read as one uint16). */
const OFF_DATA_OFFSET = 12;
const OFF_WINDOW = 14;
const OFF_CHECKSUM = 16;
const OFF_URGENT = 18;
export const TCP_MIN_HEADER = 20;

const OPT_EOL = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WSCALE = 3;
const OPT_SACK_PERM = 4;
const OPT_SACK = 5;
const OPT_TIMESTAMP = 8;
/** TCP Fast Open's cookie option (RFC 7413 §4.1.1), and its experimental form: kind 254 with the magic 0xF989. */
const OPT_TFO = 34;
const OPT_EXPERIMENTAL = 254;
const TFO_MAGIC = 0xf989;
/** NOP, NOP, timestamps of length 10, as a big-endian uint32. */
const NOP_NOP_TIMESTAMP = ((OPT_NOP << 24) | (OPT_NOP << 16) | (OPT_TIMESTAMP << 8) | 10) >>> 0;

/**
 * Decodes the TCP header at `off`. `segLen` is the TCP segment length from the IP header,
 * `capEnd` the end of captured bytes. Sets p.status.
 */
export function decodeTcp(p: Packet, b: Uint8Array, dv: DataView, off: number, segLen: number, capEnd: number): void {
  if (segLen < TCP_MIN_HEADER) {
    // the IP length leaves no room for a TCP header: whatever was captured after it is padding
    malformed(p, `segment of ${segLen} bytes is shorter than the minimum TCP header (20)`, segLen, TCP_MIN_HEADER);
    return;
  }
  if (off + TCP_MIN_HEADER > capEnd) {
    // a real header, cut by the snapshot length
    p.status = SKIPPED;
    p.skip = SKIP_TRUNCATED;
    p.layer = L_TCP;
    return;
  }
  const hdrLen = (b[off + OFF_DATA_OFFSET] >> 4) * 4;
  if (hdrLen < TCP_MIN_HEADER) {
    malformed(p, `header length ${hdrLen} is below the minimum of 20`, hdrLen, TCP_MIN_HEADER);
    return;
  }
  const short = hdrLen > segLen;
  p.tcpOffset = off;
  // the fixed header is captured (checked above): its fields through the DataView (cursor.ts)
  const ports = dv.getUint32(off + OFF_SRC_PORT);
  p.srcPort = ports >>> 16;
  p.dstPort = ports & 0xffff;
  p.seq32 = dv.getInt32(off + OFF_SEQ);
  p.ack32 = dv.getInt32(off + OFF_ACK);
  p.tcpHeaderLen = hdrLen;
  p.flags = dv.getUint16(off + OFF_DATA_OFFSET) & 0x1ff;
  p.window = dv.getUint16(off + OFF_WINDOW);
  p.checksum = dv.getUint16(off + OFF_CHECKSUM);
  p.urgent = dv.getUint16(off + OFF_URGENT);
  if (short) {
    // Wireshark keeps such a segment in its stream without analysing it; so do we (flagged).
    p.shortSegment = true;
    p.payloadLen = 0;
    p.capturedPayload = 0;
    p.payloadOffset = off + segLen;
    p.status = DECODED_TCP;
    return;
  }
  p.payloadLen = segLen - hdrLen;
  p.payloadOffset = off + hdrLen;
  const payloadEnd = off + segLen;
  const have = (payloadEnd <= capEnd ? payloadEnd : capEnd) - p.payloadOffset;
  p.capturedPayload = have > 0 ? have : 0;
  if (p.capturedPayload < p.payloadLen) p.truncated = true;
  let optEnd = off + hdrLen;
  const headerCut = optEnd > capEnd;
  if (headerCut) {
    p.truncated = true;
    optEnd = capEnd;
  }
  const o = off + TCP_MIN_HEADER;
  if (optEnd - o === 12 && dv.getUint32(o) === NOP_NOP_TIMESTAMP) {
    // the options of nearly every segment after the handshake (Linux, BSD, macOS): NOP, NOP,
    // timestamps (12 captured bytes: optEnd is at most capEnd)
    p.hasTimestamps = true;
    p.tsVal = dv.getUint32(o + 4);
    p.tsEcr = dv.getUint32(o + 8);
  } else if (hdrLen > TCP_MIN_HEADER) {
    parseOptions(p, b, dv, o, optEnd, headerCut);
  }
  p.status = DECODED_TCP;
}

/**
 * `headerCut`: the options end beyond the captured bytes, so running out of bytes is not an error.
 * The 32-bit fields (timestamps, SACK edges) are read through `dv`, as the fixed header's are:
 * a uint32 from 2^31 on returned by a helper that V8 did not inline here would be boxed as a heap
 * number (whether it is inlined depends on when parseOptions is compiled).
 */
function parseOptions(p: Packet, b: Uint8Array, dv: DataView, o: number, end: number, headerCut: boolean): void {
  while (o < end) {
    const kind = b[o];
    if (kind === OPT_EOL) return;
    if (kind === OPT_NOP) {
      o++;
      continue;
    }
    if (o + 1 >= end) {
      if (!headerCut) p.optionsMalformed = true;
      return;
    }
    const len = b[o + 1];
    if (len < 2) {
      p.optionsMalformed = true;
      return;
    }
    if (o + len > end) {
      // cut by the snapshot length, or a length running past the header
      if (!headerCut) p.optionsMalformed = true;
      return;
    }
    switch (kind) {
      case OPT_MSS:
        if (len === 4) p.mss = (b[o + 2] << 8) | b[o + 3];
        else p.optionsMalformed = true;
        break;
      case OPT_WSCALE:
        if (len === 3) p.wscale = b[o + 2];
        else p.optionsMalformed = true;
        break;
      case OPT_SACK_PERM:
        if (len === 2) p.sackPermitted = true;
        else p.optionsMalformed = true;
        break;
      case OPT_SACK: {
        if ((len - 2) % 8 !== 0) {
          p.optionsMalformed = true;
          break;
        }
        const n = (len - 2) / 8;
        const first = p.sackCount === 0;
        for (let i = 0; i < n && p.sackCount < MAX_SACK_BLOCKS; i++) {
          p.sack[p.sackCount * 2] = dv.getUint32(o + 2 + i * 8);
          p.sack[p.sackCount * 2 + 1] = dv.getUint32(o + 6 + i * 8);
          p.sackCount++;
        }
        if (first && n > 0) {
          // RFC 2883's D-SACK (Linux's tcp_check_dsack()): the first block below the ack, or
          // within the second; the edges as int32, read as the fixed header's are (see above)
          const left = dv.getInt32(o + 2);
          const right = dv.getInt32(o + 6);
          const inSecond = n > 1 && ((left - dv.getInt32(o + 10)) | 0) >= 0 && ((dv.getInt32(o + 14) - right) | 0) >= 0;
          if (((left - p.ack32) | 0) < 0 || inSecond) {
            p.dsack = true;
            p.dsackLeft = left;
            p.dsackRight = right;
          }
        }
        break;
      }
      case OPT_TIMESTAMP:
        if (len === 10) {
          p.hasTimestamps = true;
          p.tsVal = dv.getUint32(o + 2);
          p.tsEcr = dv.getUint32(o + 6);
        } else p.optionsMalformed = true;
        break;
      case OPT_TFO:
        // the cookie's length; 0: an empty option, a request for one
        p.tfo = len - 2;
        break;
      case OPT_EXPERIMENTAL:
        if (len >= 4 && ((b[o + 2] << 8) | b[o + 3]) === TFO_MAGIC) {
          p.tfo = len - 4;
          break;
        }
        if (p.unknownCount < MAX_UNKNOWN_OPTIONS) p.unknownKinds[p.unknownCount++] = kind;
        break;
      default:
        if (p.unknownCount < MAX_UNKNOWN_OPTIONS) p.unknownKinds[p.unknownCount++] = kind;
    }
    o += len;
  }
}

function malformed(p: Packet, reason: string, a: number, b: number): void {
  p.status = MALFORMED;
  p.layer = L_TCP;
  p.reason = reason;
  p.detailA = a;
  p.detailB = b;
}

