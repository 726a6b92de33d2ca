/**
 * Link layers: Ethernet II / 802.3+SNAP with 802.1Q, 802.1ad and QinQ tags; Linux cooked
 * SLL (v1, 16 bytes) and SLL2 (20 bytes); BSD NULL (host byte order) and LOOP (network order);
 * PPP (RFC 1661, with or without the HDLC address/control bytes); Cisco HDLC; NFLOG.
 * Each function reads at c.off and returns the next protocol code (cursor.ts).
 */
import { Cursor, NEXT_DONE, NEXT_ETHERTYPE, NEXT_IPV4, NEXT_IPV6, NEXT_IP_ANY } from './cursor.js';
import { Packet, SKIPPED, SKIP_NON_IP, ENC_VLAN, L_LINK, L_VLAN, L_PPP, ENC_PPP } from './packet.js';
import { truncated, malformed } from './ip.js';

export const ETH_IPV4 = 0x0800;
export const ETH_IPV6 = 0x86dd;
export const ETH_VLAN = 0x8100;
export const ETH_QINQ = 0x88a8;
export const ETH_QINQ_OLD = 0x9100;
export const ETH_MPLS = 0x8847;
export const ETH_MPLS_MC = 0x8848;
export const ETH_PPPOE_SESSION = 0x8864;
export const ETH_TEB = 0x6558; // transparent Ethernet bridging (GRE, Geneve)
export const ETH_ETAG = 0x893f; // IEEE 802.1BR E-Tag (6-byte E-TCI, then the EtherType)

// Ethernet
const ETH_HEADER = 14;
const ETH_OFF_TYPE = 12;
const VLAN_TAG = 4;
const ETAG_TAG = 8; // 6-byte E-TCI + the inner EtherType
const MAX_VLAN_TAGS = 8;
const LLC_SNAP_HEADER = 8; // DSAP SSAP CTRL OUI(3) TYPE(2)
const LLC_SNAP_SAP = 0xaa;
const LLC_UI = 0x03;

// Linux cooked captures
const SLL_HEADER = 16;
const SLL_OFF_PROTO = 14;
const SLL2_HEADER = 20;
const SLL2_OFF_PROTO = 0;
const SLL_PROTO_802_3 = 0x0001;
const SLL_PROTO_802_2 = 0x0004;

// BSD loopback
const NULL_HEADER = 4;
const AF_INET = 2;
const AF_INET6_LINUX = 10;
const AF_INET6_BSD = 24; // NetBSD, OpenBSD, BSD/OS
const AF_INET6_FREEBSD = 28;
const AF_INET6_DARWIN = 30;

// PPP
const PPP_ADDRESS = 0xff;
const PPP_CONTROL = 0x03;
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;
const PPP_MPLS = 0x0281;
const CHDLC_HEADER = 4;
const CHDLC_OFF_PROTO = 2;

// NFLOG (Linux netfilter log): family(1) version(1) resource id(2), then TLVs in host byte order
const NFLOG_HEADER = 4;
const NFULA_PAYLOAD = 9;

export function decodeEthernet(c: Cursor, p: Packet, b: Uint8Array): number {
  let o = c.off;
  if (o + ETH_HEADER > c.capEnd) return truncated(p, L_LINK);
  let type = c.dv.getUint16(o + ETH_OFF_TYPE);
  o += ETH_HEADER;
  for (let n = 0; type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD || type === ETH_ETAG; n++) {
    if (n >= MAX_VLAN_TAGS) return malformed(p, L_VLAN, `more than ${MAX_VLAN_TAGS} VLAN tags`, n, MAX_VLAN_TAGS);
    if (type === ETH_ETAG) {
      if (o + ETAG_TAG > c.capEnd) return truncated(p, L_VLAN);
      type = (b[o + 6] << 8) | b[o + 7];
      o += ETAG_TAG;
      continue;
    }
    if (o + VLAN_TAG > c.capEnd) return truncated(p, L_VLAN);
    p.encap |= ENC_VLAN;
    if (p.vlan < 0) p.vlan = ((b[o] << 8) | b[o + 1]) & 0x0fff;
    type = (b[o + 2] << 8) | b[o + 3];
    o += VLAN_TAG;
  }
  if (type < 0x0600) {
    // 802.3 length field: only LLC/SNAP can carry an EtherType
    if (o + LLC_SNAP_HEADER > c.capEnd || b[o] !== LLC_SNAP_SAP || b[o + 1] !== LLC_SNAP_SAP || b[o + 2] !== LLC_UI) {
      return nonIp(p);
    }
    type = (b[o + 6] << 8) | b[o + 7];
    o += LLC_SNAP_HEADER;
  }
  c.etherType = type;
  c.off = o;
  return NEXT_ETHERTYPE;
}

export function decodeSll(c: Cursor, p: Packet, b: Uint8Array, v2: boolean): number {
  const o = c.off;
  const hl = v2 ? SLL2_HEADER : SLL_HEADER;
  if (o + hl > c.capEnd) return truncated(p, L_LINK);
  const po = o + (v2 ? SLL2_OFF_PROTO : SLL_OFF_PROTO);
  const proto = (b[po] << 8) | b[po + 1];
  if (proto === SLL_PROTO_802_2 || proto === SLL_PROTO_802_3 || proto < 0x0600) return nonIp(p);
  c.etherType = proto;
  c.off = o + hl;
  return NEXT_ETHERTYPE;
}

/** NULL: address family in the capturing host's byte order; LOOP: network byte order. */
export function decodeNull(c: Cursor, p: Packet, b: Uint8Array, networkOrder: boolean): number {
  const o = c.off;
  if (o + NULL_HEADER > c.capEnd) return truncated(p, L_LINK);
  let af: number;
  if (networkOrder) af = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  else {
    af = ((b[o + 3] << 24) | (b[o + 2] << 16) | (b[o + 1] << 8) | b[o]) >>> 0;
    // Wireshark: a value with high 16 bits set was written by a host of the other byte order
    if ((af & 0xffff0000) !== 0) af = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  }
  c.off = o + NULL_HEADER;
  if (af === AF_INET) return NEXT_IPV4;
  if (af === AF_INET6_LINUX || af === AF_INET6_BSD || af === AF_INET6_FREEBSD || af === AF_INET6_DARWIN) return NEXT_IPV6;
  return nonIp(p);
}

/** PPP frame: optional FF 03, then a 1- or 2-byte protocol field. */
export function decodePpp(c: Cursor, p: Packet, b: Uint8Array): number {
  let o = c.off;
  if (o + 2 > c.capEnd) return truncated(p, L_PPP);
  if (b[o] === PPP_ADDRESS && b[o + 1] === PPP_CONTROL) o += 2;
  if (o + 1 > c.capEnd) return truncated(p, L_PPP);
  let proto: number;
  if (b[o] & 0x01) {
    proto = b[o]; // compressed protocol field
    o += 1;
  } else {
    if (o + 2 > c.capEnd) return truncated(p, L_PPP);
    proto = (b[o] << 8) | b[o + 1];
    o += 2;
  }
  p.encap |= ENC_PPP;
  c.off = o;
  if (proto === PPP_IPV4) return NEXT_IPV4;
  if (proto === PPP_IPV6) return NEXT_IPV6;
  if (proto === PPP_MPLS) {
    c.etherType = ETH_MPLS;
    return NEXT_ETHERTYPE;
  }
  return nonIp(p);
}

export function decodeCiscoHdlc(c: Cursor, p: Packet, b: Uint8Array): number {
  const o = c.off;
  if (o + CHDLC_HEADER > c.capEnd) return truncated(p, L_LINK);
  c.etherType = (b[o + CHDLC_OFF_PROTO] << 8) | b[o + CHDLC_OFF_PROTO + 1];
  c.off = o + CHDLC_HEADER;
  return NEXT_ETHERTYPE;
}

export function decodeNflog(c: Cursor, p: Packet, b: Uint8Array): number {
  let o = c.off;
  if (o + NFLOG_HEADER > c.capEnd) return truncated(p, L_LINK);
  const family = b[o];
  o += NFLOG_HEADER;
  while (o + 4 <= c.capEnd) {
    const len = b[o] | (b[o + 1] << 8);
    const type = (b[o + 2] | (b[o + 3] << 8)) & 0x7fff;
    if (len < 4) return malformed(p, L_LINK, `NFLOG TLV length ${len} is below 4`, len, 4);
    if (type === NFULA_PAYLOAD) {
      c.off = o + 4;
      c.capEnd = Math.min(c.capEnd, o + len);
      if (family === AF_INET) return NEXT_IPV4;
      if (family === AF_INET6_LINUX) return NEXT_IPV6;
      return NEXT_IP_ANY;
    }
    o += (len + 3) & ~3;
  }
  return nonIp(p);
}

export function nonIp(p: Packet): number {
  p.status = SKIPPED;
  p.skip = SKIP_NON_IP;
  return NEXT_DONE;
}
