/**
 * Wireless and other link layers that carry IP behind an LLC/SNAP header: radiotap and PPI
 * pseudo-headers in front of IEEE 802.11 data frames, FDDI, IP over InfiniBand and Linux
 * ARCnet (RFC 1201/1051). Encrypted 802.11 frames and frames without a body are "non-ip".
 */
import { Cursor, NEXT_ETHERNET, NEXT_ETHERTYPE, NEXT_IPV4, NEXT_IPV6 } from './cursor.js';
import { Packet, L_LINK } from './packet.js';
import { truncated, malformed } from './ip.js';
import { nonIp } from './link.js';

// radiotap: version(1) pad(1) length(2, LE) present(4...)
const RADIOTAP_MIN = 8;
const RADIOTAP_OFF_LEN = 2;
// PPI: version(1) flags(1) length(2, LE) dlt(4, LE)
const PPI_MIN = 8;
const PPI_OFF_LEN = 2;
const PPI_OFF_DLT = 4;
const DLT_EN10MB = 1;
const DLT_IEEE802_11 = 105;

// 802.11 MAC header
const WLAN_HEADER = 24;
const WLAN_ADDR4 = 6;
const WLAN_QOS = 2;
const WLAN_HT_CONTROL = 4;
const WLAN_TYPE_DATA = 2;
const WLAN_FLAG_TODS = 0x01;
const WLAN_FLAG_FROMDS = 0x02;
const WLAN_FLAG_PROTECTED = 0x40;
const WLAN_FLAG_ORDER = 0x80;
const WLAN_SUBTYPE_QOS = 0x08;
const WLAN_SUBTYPE_NODATA = 0x04;

const LLC_SNAP = 8;
const FDDI_HEADER = 13;
const IPOIB_HEADER = 44;
const IPOIB_OFF_PROTO = 40;

// Linux ARCnet: source(1) dest(1) offset(2) protocol(1) [split flag(1) sequence(2)]
const ARC_OFF_PROTO = 4;
const ARC_P_IP_RFC1201 = 0xd4;
const ARC_P_IPV6 = 0xc4;
const ARC_P_IP_RFC1051 = 0xf0;
const ARC_RFC1201_HEADER = 8;
const ARC_RFC1051_HEADER = 5;

export function decodeRadiotap(c: Cursor, p: Packet, b: Uint8Array): number {
  const o = c.off;
  if (o + RADIOTAP_MIN > c.capEnd) return truncated(p, L_LINK);
  const len = b[o + RADIOTAP_OFF_LEN] | (b[o + RADIOTAP_OFF_LEN + 1] << 8);
  if (len < RADIOTAP_MIN) return malformed(p, L_LINK, `radiotap length ${len} is below 8`, len, RADIOTAP_MIN);
  c.off = o + len;
  return decodeWlan(c, p, b);
}

export function decodePpi(c: Cursor, p: Packet, b: Uint8Array): number {
  const o = c.off;
  if (o + PPI_MIN > c.capEnd) return truncated(p, L_LINK);
  const len = b[o + PPI_OFF_LEN] | (b[o + PPI_OFF_LEN + 1] << 8);
  const dlt = (b[o + PPI_OFF_DLT] | (b[o + PPI_OFF_DLT + 1] << 8) | (b[o + PPI_OFF_DLT + 2] << 16) | (b[o + PPI_OFF_DLT + 3] << 24)) >>> 0;
  if (len < PPI_MIN) return malformed(p, L_LINK, `PPI length ${len} is below 8`, len, PPI_MIN);
  c.off = o + len;
  if (dlt === DLT_IEEE802_11) return decodeWlan(c, p, b);
  if (dlt === DLT_EN10MB) return NEXT_ETHERNET;
  return nonIp(p);
}

export function decodeWlan(c: Cursor, p: Packet, b: Uint8Array): number {
  let o = c.off;
  if (o + WLAN_HEADER > c.capEnd) return truncated(p, L_LINK);
  const fc0 = b[o];
  const fc1 = b[o + 1];
  const type = (fc0 >> 2) & 0x03;
  const subtype = (fc0 >> 4) & 0x0f;
  if (type !== WLAN_TYPE_DATA || (subtype & WLAN_SUBTYPE_NODATA) !== 0 || (fc1 & WLAN_FLAG_PROTECTED) !== 0) return nonIp(p);
  let hl = WLAN_HEADER;
  if ((fc1 & (WLAN_FLAG_TODS | WLAN_FLAG_FROMDS)) === (WLAN_FLAG_TODS | WLAN_FLAG_FROMDS)) hl += WLAN_ADDR4;
  if (subtype & WLAN_SUBTYPE_QOS) {
    hl += WLAN_QOS;
    if (fc1 & WLAN_FLAG_ORDER) hl += WLAN_HT_CONTROL;
  }
  o += hl;
  return snap(c, p, b, o);
}

export function decodeFddi(c: Cursor, p: Packet, b: Uint8Array): number {
  if (c.off + FDDI_HEADER > c.capEnd) return truncated(p, L_LINK);
  return snap(c, p, b, c.off + FDDI_HEADER);
}

export function decodeIpoib(c: Cursor, p: Packet, b: Uint8Array): number {
  const o = c.off;
  if (o + IPOIB_HEADER > c.capEnd) return truncated(p, L_LINK);
  c.etherType = (b[o + IPOIB_OFF_PROTO] << 8) | b[o + IPOIB_OFF_PROTO + 1];
  c.off = o + IPOIB_HEADER;
  return NEXT_ETHERTYPE;
}

export function decodeArcnet(c: Cursor, p: Packet, b: Uint8Array): number {
  const o = c.off;
  if (o + ARC_OFF_PROTO + 1 > c.capEnd) return truncated(p, L_LINK);
  const proto = b[o + ARC_OFF_PROTO];
  if (proto === ARC_P_IP_RFC1201 || proto === ARC_P_IPV6) {
    c.off = o + ARC_RFC1201_HEADER;
    return proto === ARC_P_IPV6 ? NEXT_IPV6 : NEXT_IPV4;
  }
  if (proto === ARC_P_IP_RFC1051) {
    c.off = o + ARC_RFC1051_HEADER;
    return NEXT_IPV4;
  }
  return nonIp(p);
}

/** LLC/SNAP (AA AA 03, OUI, EtherType) at o. */
function snap(c: Cursor, p: Packet, b: Uint8Array, o: number): number {
  if (o + LLC_SNAP > c.capEnd) return o >= c.capEnd ? nonIp(p) : truncated(p, L_LINK);
  if (b[o] !== 0xaa || b[o + 1] !== 0xaa || b[o + 2] !== 0x03) return nonIp(p);
  c.etherType = (b[o + 6] << 8) | b[o + 7];
  c.off = o + LLC_SNAP;
  return c.etherType === 0 ? nonIp(p) : NEXT_ETHERTYPE;
}
