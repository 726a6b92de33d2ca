/**
 * Encapsulations Wireshark looks through to reach the inner TCP: MPLS (RFC 3032), PPPoE
 * session (RFC 2516), GRE (RFC 2784/2890, and PPTP's enhanced GRE, RFC 2637), VXLAN
 * (RFC 7348, UDP 4789) and Geneve (RFC 8926, UDP 6081). IP-in-IP needs no header of its own.
 */
import { Cursor, NEXT_DONE, NEXT_ETHERNET, NEXT_ETHERTYPE, NEXT_IP_ANY, NEXT_PPP } from './cursor.js';
import {
  Packet, SKIPPED, SKIP_NON_TCP, ENC_MPLS, ENC_PPPOE, ENC_GRE, ENC_VXLAN, ENC_GENEVE, L_MPLS, L_GRE, L_UDP, L_TUNNEL,
} from './packet.js';
import { truncated, malformed } from './ip.js';
import { ETH_TEB } from './link.js';

// MPLS label stack entry: label(20) TC(3) S(1) TTL(8)
const MPLS_ENTRY = 4;
const MPLS_BOTTOM_BIT = 0x01; // in byte 2
const MAX_MPLS_LABELS = 16;
const PW_CONTROL_WORD = 4;

// PPPoE session header: ver/type(1) code(1) session(2) length(2)
const PPPOE_HEADER = 6;

// GRE
const GRE_HEADER = 4;
const GRE_C = 0x8000;
const GRE_R = 0x4000;
const GRE_K = 0x2000;
const GRE_S = 0x1000;
const GRE_A = 0x0080; // enhanced GRE (version 1): acknowledgment number present
const GRE_VERSION_MASK = 0x0007;
const GRE_PPP = 0x880b;

// UDP and the UDP tunnels
const UDP_HEADER = 8;
const UDP_OFF_SRC = 0;
const UDP_OFF_DST = 2;
const UDP_OFF_LEN = 4;
const PORT_VXLAN = 4789;
const PORT_GENEVE = 6081;
const PORT_L2TP = 1701;
// L2TPv2 (RFC 2661): flags(1) version(1) [length] tunnel(2) session(2) [Ns Nr] [offset size, pad]
const L2TP_T = 0x80;
const L2TP_L = 0x40;
const L2TP_S = 0x08;
const L2TP_O = 0x02;
const L2TP_VERSION_2 = 2;
const VXLAN_HEADER = 8;
const GENEVE_HEADER = 8;
const GENEVE_OFF_PROTO = 2;

export function decodeMpls(c: Cursor, p: Packet, b: Uint8Array): number {
  let o = c.off;
  p.encap |= ENC_MPLS;
  for (let n = 0; ; n++) {
    if (n >= MAX_MPLS_LABELS) return malformed(p, L_MPLS, `more than ${MAX_MPLS_LABELS} labels without bottom of stack`, n, MAX_MPLS_LABELS);
    if (o + MPLS_ENTRY > c.capEnd) return truncated(p, L_MPLS);
    const bottom = (b[o + 2] & MPLS_BOTTOM_BIT) !== 0;
    o += MPLS_ENTRY;
    if (bottom) break;
  }
  if (o + 1 > c.capEnd) return truncated(p, L_MPLS);
  const nibble = b[o] >> 4;
  if (nibble === 4 || nibble === 6) {
    c.off = o;
    return NEXT_IP_ANY;
  }
  if (nibble === 0) {
    // pseudowire control word, then an Ethernet frame (Wireshark's default guess)
    c.off = o + PW_CONTROL_WORD;
    return NEXT_ETHERNET;
  }
  p.status = SKIPPED;
  p.skip = SKIP_NON_TCP;
  return NEXT_DONE;
}

export function decodePppoe(c: Cursor, p: Packet, b: Uint8Array): number {
  if (c.off + PPPOE_HEADER > c.capEnd) return truncated(p, L_TUNNEL);
  const end = c.off + PPPOE_HEADER + ((b[c.off + 4] << 8) | b[c.off + 5]);
  if (end < c.wireEnd) c.wireEnd = end;
  p.encap |= ENC_PPPOE;
  c.off += PPPOE_HEADER;
  return NEXT_PPP;
}

export function decodeGre(c: Cursor, p: Packet, b: Uint8Array): number {
  let o = c.off;
  if (o + GRE_HEADER > c.capEnd) return truncated(p, L_GRE);
  const fl = (b[o] << 8) | b[o + 1];
  const proto = (b[o + 2] << 8) | b[o + 3];
  const version = fl & GRE_VERSION_MASK;
  o += GRE_HEADER;
  if (fl & GRE_R) {
    p.status = SKIPPED;
    p.skip = SKIP_NON_TCP; // source routing (RFC 1701) is obsolete and not followed
    return NEXT_DONE;
  }
  if (version === 0) {
    if (fl & GRE_C) o += 4;
    if (fl & GRE_K) o += 4;
    if (fl & GRE_S) o += 4;
  } else if (version === 1) {
    o += 4; // payload length + call id (key field, always present)
    if (fl & GRE_S) o += 4;
    if (fl & GRE_A) o += 4;
  } else {
    return malformed(p, L_GRE, `unknown GRE version ${version}`, version, 0);
  }
  if (o > c.capEnd) return truncated(p, L_GRE);
  p.encap |= ENC_GRE;
  c.off = o;
  if (proto === GRE_PPP) return NEXT_PPP;
  if (proto === ETH_TEB) return NEXT_ETHERNET;
  c.etherType = proto;
  return NEXT_ETHERTYPE;
}

/** UDP: only the tunnels matter; any other datagram is "non-tcp". */
export function decodeUdp(c: Cursor, p: Packet, b: Uint8Array): number {
  const o = c.off;
  if (o + UDP_HEADER > c.capEnd) return truncated(p, L_UDP);
  const sp = (b[o + UDP_OFF_SRC] << 8) | b[o + UDP_OFF_SRC + 1];
  const dp = (b[o + UDP_OFF_DST] << 8) | b[o + UDP_OFF_DST + 1];
  const ulen = (b[o + UDP_OFF_LEN] << 8) | b[o + UDP_OFF_LEN + 1];
  const vx = dp === PORT_VXLAN || sp === PORT_VXLAN;
  const gv = dp === PORT_GENEVE || sp === PORT_GENEVE;
  if (dp === PORT_L2TP || sp === PORT_L2TP) return decodeL2tp(c, p, b, o + UDP_HEADER);
  if (!vx && !gv) {
    p.status = SKIPPED;
    p.skip = SKIP_NON_TCP;
    return NEXT_DONE;
  }
  if (ulen !== 0 && ulen < UDP_HEADER) return malformed(p, L_UDP, `length ${ulen} is below the header size 8`, ulen, UDP_HEADER);
  if (ulen !== 0 && o + ulen < c.wireEnd) c.wireEnd = o + ulen;
  let x = o + UDP_HEADER;
  if (vx) {
    if (x + VXLAN_HEADER > c.capEnd) return truncated(p, L_TUNNEL);
    p.encap |= ENC_VXLAN;
    c.off = x + VXLAN_HEADER;
    return NEXT_ETHERNET;
  }
  if (x + GENEVE_HEADER > c.capEnd) return truncated(p, L_TUNNEL);
  const optLen = (b[x] & 0x3f) * 4;
  const proto = (b[x + GENEVE_OFF_PROTO] << 8) | b[x + GENEVE_OFF_PROTO + 1];
  x += GENEVE_HEADER + optLen;
  if (x > c.capEnd) return truncated(p, L_TUNNEL);
  p.encap |= ENC_GENEVE;
  c.off = x;
  if (proto === ETH_TEB) return NEXT_ETHERNET;
  c.etherType = proto;
  return NEXT_ETHERTYPE;
}

/** L2TPv2 data messages carry PPP; control messages and L2TPv3 are not followed. */
function decodeL2tp(c: Cursor, p: Packet, b: Uint8Array, o: number): number {
  if (o + 2 > c.capEnd) return truncated(p, L_TUNNEL);
  const fl = b[o];
  const version = b[o + 1] & 0x0f;
  if ((fl & L2TP_T) !== 0 || version !== L2TP_VERSION_2) {
    p.status = SKIPPED;
    p.skip = SKIP_NON_TCP;
    return NEXT_DONE;
  }
  let x = o + 2;
  if (fl & L2TP_L) x += 2;
  x += 4; // tunnel id, session id
  if (fl & L2TP_S) x += 4;
  if (fl & L2TP_O) {
    if (x + 2 > c.capEnd) return truncated(p, L_TUNNEL);
    x += 2 + ((b[x] << 8) | b[x + 1]);
  }
  if (x > c.capEnd) return truncated(p, L_TUNNEL);
  c.off = x;
  return NEXT_PPP;
}
