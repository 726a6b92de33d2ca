/**
 * IPv4 (RFC 791) and IPv6 (RFC 8200) headers. Lengths come from the headers (the wire), clamped
 * against nothing: the TCP layer compares them with the captured bytes and flags truncation.
 * Ethernet trailer padding is excluded because the payload ends where the IP length says.
 */
import { Cursor, NEXT_DONE, NEXT_IP_PAYLOAD } from './cursor.js';
import {
  Packet, MALFORMED, SKIPPED, SKIP_FRAGMENT, SKIP_TRUNCATED, SKIP_NON_TCP, L_IPV4, L_IPV6,
} from './packet.js';

// IPv4
const V4_MIN_HEADER = 20;
const V4_OFF_VER_IHL = 0;
const V4_OFF_TOTAL_LEN = 2;
const V4_OFF_ID = 4;
const V4_OFF_FLAGS_FRAG = 6;
const V4_OFF_TTL = 8;
const V4_OFF_PROTO = 9;
const V4_OFF_SRC = 12;
const V4_OFF_DST = 16;
const V4_FLAG_MF = 0x2000;
const V4_FRAG_OFFSET_MASK = 0x1fff;
const V4_OPT_EOL = 0;
const V4_OPT_NOP = 1;
/** Options whose length is fixed (RFC 791, RFC 1108, RFC 2113); Wireshark rejects other lengths. */
const V4_OPT_FIXED_LEN: Record<number, number> = { 130: 11, 136: 4, 148: 4 };
/** Options with a minimum length: record route, timestamp, LSRR, SSRR. */
const V4_OPT_MIN_LEN: Record<number, number> = { 7: 3, 68: 4, 131: 3, 137: 3 };

// IPv6
const V6_HEADER = 40;
const V6_OFF_PAYLOAD_LEN = 4;
const V6_OFF_NEXT = 6;
const V6_OFF_HOP_LIMIT = 7;
const V6_OFF_SRC = 8;
const V6_OFF_DST = 24;
const EXT_HOP_BY_HOP = 0;
const EXT_ROUTING = 43;
const EXT_FRAGMENT = 44;
const EXT_ESP = 50;
const EXT_AH = 51;
const EXT_NONE = 59;
const EXT_DEST_OPTS = 60;
const EXT_MOBILITY = 135;
const EXT_HIP = 139;
const EXT_SHIM6 = 140;
const OPT_JUMBO = 0xc2;
/** Longest extension-header chain we walk (RFC 8200 allows any; real traffic has a few). */
const MAX_EXT_HEADERS = 8;

export function decodeIpv4(c: Cursor, p: Packet, b: Uint8Array): number {
  const o = c.off;
  if (o + V4_MIN_HEADER > c.capEnd) return truncated(p, L_IPV4);
  // the 20 bytes of the fixed header are captured: its wider fields through the DataView (cursor.ts)
  const dv = c.dv;
  const vihl = b[o + V4_OFF_VER_IHL];
  if (vihl >> 4 !== 4) return malformed(p, L_IPV4, `version field is ${vihl >> 4}, expected 4`, vihl >> 4, 4);
  const hl = (vihl & 0x0f) * 4;
  if (hl < V4_MIN_HEADER) return malformed(p, L_IPV4, `header length ${hl} is below the minimum of 20`, hl, 20);
  let total = dv.getUint16(o + V4_OFF_TOTAL_LEN);
  if (total === 0) {
    // Wireshark: "total length 0, assuming TSO" — the captured bytes are the packet.
    total = c.capEnd - o;
  }
  if (o + total > c.wireEnd) total = c.wireEnd - o;
  if (total < hl) return malformed(p, L_IPV4, `total length ${total} is less than the header length ${hl}`, total, hl);
  if (o + hl > c.capEnd) return truncated(p, L_IPV4);
  if (hl > V4_MIN_HEADER) {
    const bad = checkV4Options(b, o + V4_MIN_HEADER, o + hl);
    if (bad >= 0) return malformed(p, L_IPV4, `option ${b[bad]} at header offset ${bad - o} has an invalid length`, b[bad], bad - o);
  }
  p.ipVersion = 4;
  p.ipOffset = o;
  p.ipHeaderLen = hl;
  p.ttl = b[o + V4_OFF_TTL];
  p.ipId = dv.getUint16(o + V4_OFF_ID);
  p.src[0] = dv.getUint32(o + V4_OFF_SRC);
  p.dst[0] = dv.getUint32(o + V4_OFF_DST);
  p.src[1] = p.src[2] = p.src[3] = 0;
  p.dst[1] = p.dst[2] = p.dst[3] = 0;
  const ff = dv.getUint16(o + V4_OFF_FLAGS_FRAG);
  if ((ff & (V4_FLAG_MF | V4_FRAG_OFFSET_MASK)) !== 0) {
    p.status = SKIPPED;
    p.skip = SKIP_FRAGMENT;
    return NEXT_DONE;
  }
  c.ipProto = b[o + V4_OFF_PROTO];
  c.off = o + hl;
  c.limit = o + total;
  c.wireEnd = c.limit;
  return NEXT_IP_PAYLOAD;
}

export function decodeIpv6(c: Cursor, p: Packet, b: Uint8Array): number {
  const o = c.off;
  if (o + V6_HEADER > c.capEnd) return truncated(p, L_IPV6);
  const ver = b[o] >> 4;
  if (ver !== 6) return malformed(p, L_IPV6, `version field is ${ver}, expected 6`, ver, 6);
  // the 40 bytes of the fixed header are captured: its wider fields through the DataView (cursor.ts)
  const dv = c.dv;
  let payloadLen = dv.getUint16(o + V6_OFF_PAYLOAD_LEN);
  let next = b[o + V6_OFF_NEXT];
  p.ipVersion = 6;
  p.ipOffset = o;
  p.ttl = b[o + V6_OFF_HOP_LIMIT];
  p.ipId = 0;
  for (let i = 0; i < 4; i++) {
    p.src[i] = dv.getUint32(o + V6_OFF_SRC + i * 4);
    p.dst[i] = dv.getUint32(o + V6_OFF_DST + i * 4);
  }
  let x = o + V6_HEADER;
  let jumbo = -1;
  for (let n = 0; ; n++) {
    if (next === EXT_HOP_BY_HOP || next === EXT_ROUTING || next === EXT_DEST_OPTS || next === EXT_AH ||
        next === EXT_MOBILITY || next === EXT_HIP || next === EXT_SHIM6 || next === EXT_FRAGMENT) {
      if (n >= MAX_EXT_HEADERS) {
        return malformed(p, L_IPV6, `more than ${MAX_EXT_HEADERS} extension headers`, n, MAX_EXT_HEADERS);
      }
      if (x + 8 > c.capEnd) return truncated(p, L_IPV6);
      const hdrNext = b[x];
      let len: number;
      if (next === EXT_FRAGMENT) {
        len = 8;
        const fo = (b[x + 2] << 8) | b[x + 3];
        if ((fo & 0xfff9) !== 0) {
          // fragment offset != 0 or M flag set: a fragment, reassembly is not attempted
          p.status = SKIPPED;
          p.skip = SKIP_FRAGMENT;
          return NEXT_DONE;
        }
      } else if (next === EXT_AH) {
        len = (b[x + 1] + 2) * 4;
      } else {
        len = (b[x + 1] + 1) * 8;
      }
      if (x + len > c.capEnd) return truncated(p, L_IPV6);
      if (next === EXT_HOP_BY_HOP) jumbo = findJumbo(b, x + 2, x + len);
      next = hdrNext;
      x += len;
      continue;
    }
    break;
  }
  if (payloadLen === 0 && next !== EXT_NONE) {
    if (jumbo < 0) {
      // tshark 4.0 shows such a packet as Malformed with no TCP (tcpdump/bigtcp-ipv6.pcap).
      return malformed(p, L_IPV6, 'payload length 0 without a Jumbo Payload option', 0, 0);
    }
    payloadLen = jumbo;
  }
  let end = o + V6_HEADER + payloadLen;
  if (end > c.wireEnd) end = c.wireEnd;
  if (x > end) return malformed(p, L_IPV6, `extension headers (${x - o - V6_HEADER} bytes) exceed the payload length ${payloadLen}`, x - o - V6_HEADER, payloadLen);
  if (next === EXT_ESP || next === EXT_NONE) {
    p.status = SKIPPED;
    p.skip = SKIP_NON_TCP;
    return NEXT_DONE;
  }
  p.ipHeaderLen = x - o;
  c.ipProto = next;
  c.off = x;
  c.limit = end;
  c.wireEnd = end;
  return NEXT_IP_PAYLOAD;
}

/** Offset of the first IPv4 option with an impossible length, or -1. */
function checkV4Options(b: Uint8Array, o: number, end: number): number {
  while (o < end) {
    const t = b[o];
    if (t === V4_OPT_EOL) return -1;
    if (t === V4_OPT_NOP) {
      o++;
      continue;
    }
    if (o + 1 >= end) return o;
    const l = b[o + 1];
    if (l < 2 || o + l > end) return o;
    const fixed = V4_OPT_FIXED_LEN[t];
    if (fixed !== undefined && l !== fixed) return o;
    const min = V4_OPT_MIN_LEN[t];
    if (min !== undefined && l < min) return o;
    o += l;
  }
  return -1;
}

/** Jumbo Payload option (RFC 2675) inside a hop-by-hop header's options, or -1. */
function findJumbo(b: Uint8Array, o: number, end: number): number {
  while (o < end) {
    const t = b[o];
    if (t === 0) {
      o++;
      continue;
    }
    if (o + 2 > end) return -1;
    const l = b[o + 1];
    if (t === OPT_JUMBO && l === 4 && o + 6 <= end) return u32(b, o + 2);
    o += 2 + l;
  }
  return -1;
}

export function truncated(p: Packet, layer: number): number {
  p.status = SKIPPED;
  p.skip = SKIP_TRUNCATED;
  p.layer = layer;
  return NEXT_DONE;
}

export function malformed(p: Packet, layer: number, reason: string, a: number, b: number): number {
  p.status = MALFORMED;
  p.layer = layer;
  p.reason = reason;
  p.detailA = a;
  p.detailB = b;
  return NEXT_DONE;
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
