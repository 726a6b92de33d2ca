/**
 * Frame → Packet. Walks link → (tags, tunnels) → IP → TCP with one reused cursor and fills the
 * reused Packet; nothing is allocated for a well-formed frame and nothing is thrown. The
 * innermost IP header is the one reported (Wireshark's default Source/Destination columns).
 * Unsupported link types are counted as skipped under their name, never as errors.
 */
import type { Frame } from '../capture/frame.js';
import { LINKTYPE } from '../capture/linktypes.js';
import {
  Cursor, NEXT_DONE, NEXT_ETHERNET, NEXT_ETHERTYPE, NEXT_IPV4, NEXT_IPV6, NEXT_IP_PAYLOAD, NEXT_MPLS, NEXT_PPP, NEXT_IP_ANY,
} from './cursor.js';
import {
  Packet, SKIPPED, SKIP_LINK_TYPE, SKIP_NON_TCP, SKIP_TUNNEL_DEPTH, ENC_IP_IN_IP, L_LINK, type DecodeStatus,
} from './packet.js';
import {
  decodeEthernet, decodeSll, decodeNull, decodePpp, decodeCiscoHdlc, decodeNflog, nonIp,
  ETH_IPV4, ETH_IPV6, ETH_MPLS, ETH_MPLS_MC, ETH_PPPOE_SESSION, ETH_TEB,
} from './link.js';
import { decodeIpv4, decodeIpv6, malformed, truncated } from './ip.js';
import { decodeTcp } from './tcp.js';
import { decodeRadiotap, decodePpi, decodeWlan, decodeFddi, decodeIpoib, decodeArcnet } from './wlan.js';
import { decodeMpls, decodePppoe, decodeGre, decodeUdp } from './tunnel.js';

const IPPROTO_IPIP = 4;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_IPV6 = 41;
const IPPROTO_GRE = 47;
/** Protocol steps allowed per frame: enough for QinQ + MPLS + GRE + VXLAN + IP-in-IP. */
const MAX_STEPS = 24;

/** Is this link type one the decoder reads? */
export function isSupportedLinkType(lt: number): boolean {
  switch (lt) {
    case LINKTYPE.EN10MB: case LINKTYPE.LINUX_SLL: case LINKTYPE.LINUX_SLL2: case LINKTYPE.NULL:
    case LINKTYPE.LOOP: case LINKTYPE.RAW: case LINKTYPE.RAW_12: case LINKTYPE.RAW_14:
    case LINKTYPE.IPV4: case LINKTYPE.IPV6: case LINKTYPE.PPP: case LINKTYPE.PPP_SERIAL:
    case LINKTYPE.C_HDLC: case LINKTYPE.NFLOG: case LINKTYPE.IEEE802_11: case LINKTYPE.IEEE802_11_RADIO:
    case LINKTYPE.PPI: case LINKTYPE.FDDI: case LINKTYPE.IPOIB: case LINKTYPE.ARCNET_LINUX:
      return true;
    default:
      return false;
  }
}

export class Decoder {
  readonly packet = new Packet();
  private readonly c = new Cursor();

  /** Decodes the frame into this.packet and returns its status. */
  decode(f: Frame): DecodeStatus {
    return this.decodeBytes(f.buf, f.dataOffset, f.capLen, f.linkType, f.origLen);
  }

  /**
   * Same, on bytes buf[off .. off+len) of the given link type; `wireLen` is the frame's length
   * on the wire (defaults to len).
   */
  decodeBytes(buf: Uint8Array, off: number, len: number, linkType: number, wireLen = len): DecodeStatus {
    const p = this.packet;
    p.reset();
    const c = this.c;
    if (buf !== c.buf) {
      c.buf = buf;
      c.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    // the captured bytes are within the buffer (what the DataView reads must be)
    if (off + len > buf.length) len = buf.length > off ? buf.length - off : 0;
    c.off = off;
    c.capEnd = off + len;
    c.limit = c.capEnd;
    c.wireEnd = off + (wireLen > len ? wireLen : len);
    c.steps = 0;
    let next: number;
    switch (linkType) {
      case LINKTYPE.EN10MB:
        next = decodeEthernet(c, p, buf);
        // the common case, Ethernet → IPv4/IPv6 → TCP, without the dispatch loop
        if (next === NEXT_ETHERTYPE && (c.etherType === ETH_IPV4 || c.etherType === ETH_IPV6)) {
          next = c.etherType === ETH_IPV4 ? decodeIpv4(c, p, buf) : decodeIpv6(c, p, buf);
          if (next === NEXT_IP_PAYLOAD && c.ipProto === IPPROTO_TCP) {
            decodeTcp(p, buf, c.dv, c.off, c.limit - c.off, c.capEnd);
            return p.status;
          }
        }
        break;
      case LINKTYPE.LINUX_SLL: next = decodeSll(c, p, buf, false); break;
      case LINKTYPE.LINUX_SLL2: next = decodeSll(c, p, buf, true); break;
      case LINKTYPE.NULL: next = decodeNull(c, p, buf, false); break;
      case LINKTYPE.LOOP: next = decodeNull(c, p, buf, true); break;
      case LINKTYPE.RAW: case LINKTYPE.RAW_12: case LINKTYPE.RAW_14: next = NEXT_IP_ANY; break;
      case LINKTYPE.IPV4: next = NEXT_IPV4; break;
      case LINKTYPE.IPV6: next = NEXT_IPV6; break;
      case LINKTYPE.PPP: case LINKTYPE.PPP_SERIAL: next = NEXT_PPP; break;
      case LINKTYPE.C_HDLC: next = decodeCiscoHdlc(c, p, buf); break;
      case LINKTYPE.NFLOG: next = decodeNflog(c, p, buf); break;
      case LINKTYPE.IEEE802_11: next = decodeWlan(c, p, buf); break;
      case LINKTYPE.IEEE802_11_RADIO: next = decodeRadiotap(c, p, buf); break;
      case LINKTYPE.PPI: next = decodePpi(c, p, buf); break;
      case LINKTYPE.FDDI: next = decodeFddi(c, p, buf); break;
      case LINKTYPE.IPOIB: next = decodeIpoib(c, p, buf); break;
      case LINKTYPE.ARCNET_LINUX: next = decodeArcnet(c, p, buf); break;
      default:
        p.status = SKIPPED;
        p.skip = SKIP_LINK_TYPE;
        p.layer = L_LINK;
        return p.status;
    }
    while (next !== NEXT_DONE) {
      if (++c.steps > MAX_STEPS) {
        p.status = SKIPPED;
        p.skip = SKIP_TUNNEL_DEPTH;
        break;
      }
      switch (next) {
        case NEXT_ETHERNET: next = decodeEthernet(c, p, buf); break;
        case NEXT_ETHERTYPE: next = this.etherType(c.etherType, buf); break;
        case NEXT_IPV4: next = decodeIpv4(c, p, buf); break;
        case NEXT_IPV6: next = decodeIpv6(c, p, buf); break;
        case NEXT_IP_ANY: next = this.ipAny(buf); break;
        case NEXT_IP_PAYLOAD: next = this.ipPayload(buf); break;
        case NEXT_MPLS: next = decodeMpls(c, p, buf); break;
        case NEXT_PPP: next = decodePpp(c, p, buf); break;
        default: next = NEXT_DONE;
      }
    }
    return p.status;
  }

  private etherType(t: number, b: Uint8Array): number {
    switch (t) {
      case ETH_IPV4: return NEXT_IPV4;
      case ETH_IPV6: return NEXT_IPV6;
      case ETH_MPLS: case ETH_MPLS_MC: return NEXT_MPLS;
      case ETH_PPPOE_SESSION: return decodePppoe(this.c, this.packet, b);
      case ETH_TEB: return NEXT_ETHERNET;
      default: return nonIp(this.packet);
    }
  }

  private ipAny(b: Uint8Array): number {
    const c = this.c;
    if (c.off >= c.capEnd) return truncated(this.packet, L_LINK);
    const v = b[c.off] >> 4;
    if (v === 4) return NEXT_IPV4;
    if (v === 6) return NEXT_IPV6;
    return malformed(this.packet, L_LINK, `raw IP packet with version nibble ${v}`, v, 0);
  }

  private ipPayload(b: Uint8Array): number {
    const c = this.c;
    const p = this.packet;
    switch (c.ipProto) {
      case IPPROTO_TCP: {
        const segLen = c.limit - c.off;
        decodeTcp(p, b, c.dv, c.off, segLen, c.capEnd);
        return NEXT_DONE;
      }
      case IPPROTO_IPIP:
        p.encap |= ENC_IP_IN_IP;
        return NEXT_IPV4;
      case IPPROTO_IPV6:
        p.encap |= ENC_IP_IN_IP;
        return NEXT_IPV6;
      case IPPROTO_GRE:
        return decodeGre(c, p, b);
      case IPPROTO_UDP:
        return decodeUdp(c, p, b);
      default:
        p.status = SKIPPED;
        p.skip = SKIP_NON_TCP;
        return NEXT_DONE;
    }
  }
}
