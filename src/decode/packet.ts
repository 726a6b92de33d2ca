/**
 * The decoded view of one frame, filled in place by Decoder.decode() and reused for every frame
 * (no per-packet allocation). Everything a later stage needs from the headers is a number here;
 * addresses of either family are four 32-bit words (IPv4 uses word 0 only).
 */
import { settleDoubles } from '../util/shapes.js';

/** Outcome of decoding one frame. */
export const DECODED_TCP = 0;
export const SKIPPED = 1;
export const MALFORMED = 2;
export type DecodeStatus = typeof DECODED_TCP | typeof SKIPPED | typeof MALFORMED;

/** Why a frame carries no TCP we analyse (index into SKIP_NAMES). */
export const SKIP_NONE = 0;
export const SKIP_LINK_TYPE = 1;
export const SKIP_NON_IP = 2;
export const SKIP_NON_TCP = 3;
export const SKIP_FRAGMENT = 4;
export const SKIP_TRUNCATED = 5;
export const SKIP_TUNNEL_DEPTH = 6;
export const SKIP_NAMES = ['', 'link-type', 'non-ip', 'non-tcp', 'ip-fragment', 'truncated-header', 'encapsulation-too-deep'];

/** Layer of a malformed header (index into LAYER_NAMES). */
export const L_LINK = 0;
export const L_VLAN = 1;
export const L_MPLS = 2;
export const L_PPP = 3;
export const L_IPV4 = 4;
export const L_IPV6 = 5;
export const L_GRE = 6;
export const L_UDP = 7;
export const L_TUNNEL = 8;
export const L_TCP = 9;
export const LAYER_NAMES = ['link', 'vlan', 'mpls', 'ppp', 'ipv4', 'ipv6', 'gre', 'udp', 'tunnel', 'tcp'];

/** TCP flag bits as in the header's 12-bit flags field (AE is RFC 9768's former NS bit). */
export const TCP_FIN = 0x001;
export const TCP_SYN = 0x002;
export const TCP_RST = 0x004;
export const TCP_PSH = 0x008;
export const TCP_ACK = 0x010;
export const TCP_URG = 0x020;
export const TCP_ECE = 0x040;
export const TCP_CWR = 0x080;
export const TCP_AE = 0x100;

/** Encapsulations crossed on the way to TCP (bit set). */
export const ENC_VLAN = 0x01;
export const ENC_MPLS = 0x02;
export const ENC_PPPOE = 0x04;
export const ENC_GRE = 0x08;
export const ENC_VXLAN = 0x10;
export const ENC_GENEVE = 0x20;
export const ENC_IP_IN_IP = 0x40;
export const ENC_PPP = 0x80;

export const MAX_SACK_BLOCKS = 4;
export const MAX_UNKNOWN_OPTIONS = 20;

export class Packet {
  status: DecodeStatus = SKIPPED;
  /** SKIP_* when status is SKIPPED. */
  skip = SKIP_NONE;
  /** L_* when status is MALFORMED. */
  layer = L_LINK;
  /** Why it is malformed: a constant text; the numbers are in detailA/detailB. */
  reason = '';
  detailA = 0;
  detailB = 0;

  /** Encapsulations crossed (ENC_* bits), outermost VLAN id (-1 none). */
  encap = 0;
  vlan = -1;

  // --- innermost IP header
  ipVersion = 0;
  /** Source and destination address words, big-endian order; IPv4 uses [0]. */
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  ipOffset = 0;
  ipHeaderLen = 0;
  ttl = 0;
  ipId = 0;

  // --- TCP header (valid when status === DECODED_TCP)
  tcpOffset = 0;
  srcPort = 0;
  dstPort = 0;
  /**
   * The sequence and acknowledgement numbers as signed 32-bit values (the same 32 bits): the
   * analysis compares them modulo 2^32 (model/seq.ts) and keeps them so. `>>> 0` gives the
   * number Wireshark shows raw. Read as unsigned, half of all real ISNs (2^31 and above) are
   * not small integers to V8: every one passed to a function or stored in a slot for any value
   * was a new heap number, most of the tracker's per-packet garbage on real traffic (about
   * 5 MB of 14 over 612 000 packets; docs/performance.md).
   */
  seq32 = 0;
  ack32 = 0;
  /** Header length in bytes (data offset x 4). */
  tcpHeaderLen = 0;
  /** Flag bits (TCP_*), 9 bits. */
  flags = 0;
  /** Raw 16-bit window field (unscaled). */
  window = 0;
  checksum = 0;
  urgent = 0;
  /** TCP payload length on the wire, from the IP lengths (not from captured bytes). */
  payloadLen = 0;
  /** Payload bytes actually present in the capture (< payloadLen when snaplen-truncated). */
  capturedPayload = 0;
  /** Where the payload starts in the frame buffer. */
  payloadOffset = 0;
  /** Headers or payload were cut short by the snapshot length. */
  truncated = false;
  /**
   * The header length is larger than the segment (Wireshark: "short segment"): ports, seq and
   * ack are valid, payloadLen is 0, and no sequence analysis is possible.
   */
  shortSegment = false;

  // --- TCP options (-1 = absent)
  mss = -1;
  wscale = -1;
  sackPermitted = false;
  hasTimestamps = false;
  tsVal = 0;
  tsEcr = 0;
  sackCount = 0;
  /** TCP Fast Open's option (RFC 7413): its cookie's length, 0 for a request (an empty one), -1 absent. */
  tfo = -1;
  /** Left/right edge pairs of the SACK blocks, raw sequence numbers. */
  readonly sack = new Uint32Array(MAX_SACK_BLOCKS * 2);
  /**
   * The first SACK block is a D-SACK (RFC 2883, as Linux's tcp_check_dsack() and Wireshark's
   * "D-SACK Sequence" tell it: below the packet's ack, or within its second block), and its
   * edges, raw, as int32 (the same 32 bits; left from an earlier packet when not dsack). Worked
   * out by the options' parser, which only packets with SACK blocks reach.
   */
  dsack = false;
  dsackLeft = 0;
  dsackRight = 0;
  unknownCount = 0;
  /** Kinds of options we do not interpret (kept so they can be shown). */
  readonly unknownKinds = new Uint8Array(MAX_UNKNOWN_OPTIONS);
  /** An option had an impossible length; parsing of options stopped there. */
  optionsMalformed = false;

  constructor() {
    // uint32s, beyond 2^31 in half of all connections (Linux starts them at random): doubles from
    // the start, not from the first such packet, which may come after decodeTcp() was optimised
    // (util/shapes.ts)
    settleDoubles(this, ['tsVal', 'tsEcr', 'dsackLeft', 'dsackRight']);
  }

  reset(): void {
    this.status = SKIPPED;
    this.skip = SKIP_NONE;
    this.reason = '';
    this.detailA = 0;
    this.detailB = 0;
    this.encap = 0;
    this.vlan = -1;
    this.ipVersion = 0;
    this.truncated = false;
    this.shortSegment = false;
    this.mss = -1;
    this.wscale = -1;
    this.sackPermitted = false;
    this.hasTimestamps = false;
    this.sackCount = 0;
    this.tfo = -1;
    // (the edges are read only when dsack is set)
    this.dsack = false;
    this.unknownCount = 0;
    this.optionsMalformed = false;
  }
}
