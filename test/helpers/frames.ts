/**
 * Frames for decoder robustness tests (test/decode/robustness.test.ts, test/property.test.ts):
 * IP packets with options, extension headers and tunnels, how every supported link type
 * carries them, and the invariants every decoded TCP packet must satisfy.
 */
import assert from 'node:assert/strict';
import type { Packet } from '../../src/decode/packet.js';
import { TCP_ACK, TCP_PSH } from '../../src/decode/packet.js';
import { LINKTYPE } from '../../src/capture/linktypes.js';
import {
  arcnet, cat, ciscoHdlc, ethernet, ETHERTYPE, ext6, fddi, geneve, gre, ipoib, ipv4, ipv6, IPPROTO, l2tp, llcSnap, mpls,
  nflog, nflogTlv, NFULA, nullHeader, opt, ppi, ppp, PPP_PROTO, pppoe, radiotap, seqBytes, sll, sll2, tcp, udp, vxlan, wlanData,
  type Bytes,
} from './wire.js';

/** Every field of the Packet, as a plain object (arrays copied). */
export function snapshot(p: Packet): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) o[k] = ArrayBuffer.isView(v) ? [...(v as Uint8Array)] : v;
  return o;
}

export const OPTS = [...opt.mss(1460), ...opt.sackPerm(), ...opt.timestamps(0x01020304, 0x05060708), ...opt.nop(), ...opt.wscale(7)];
export const SEG = tcp({
  srcPort: 44321, dstPort: 443, seq: 0x80000001, ack: 0x7fffffff, flags: TCP_PSH | TCP_ACK, window: 2000, checksum: 0x5555,
  urgent: 0, options: [...OPTS, ...opt.nop(), ...opt.nop(), ...opt.sack([[10, 20]])], payload: seqBytes(37),
});

/** IP packets the link-layer wrappers carry: plain, with options, extension headers and tunnels. */
export function ipPackets(): Uint8Array[] {
  const seg = SEG;
  const in4 = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: IPPROTO.TCP, payload: seg, options: [1, 148, 4, 0, 0] });
  const in6 = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: IPPROTO.TCP, payload: seg, extHeaders: [ext6.hopByHop(), ext6.fragment(0, false)] });
  const o4 = (proto: number, payload: Bytes) => ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto, payload });
  return [
    in4,
    in6,
    o4(IPPROTO.IPIP, in4),
    o4(IPPROTO.IPV6, in6),
    o4(IPPROTO.GRE, gre({ proto: ETHERTYPE.IPV4, key: 1, seq: 2, payload: in4 })),
    o4(IPPROTO.GRE, gre({ proto: ETHERTYPE.TEB, payload: ethernet({ type: ETHERTYPE.IPV6, payload: in6 }) })),
    o4(IPPROTO.UDP, udp({ srcPort: 1, dstPort: 4789, payload: vxlan(1, ethernet({ type: ETHERTYPE.IPV4, payload: in4, vlanTags: [{ tpid: 0x8100, vid: 5 }] })) })),
    o4(IPPROTO.UDP, udp({ srcPort: 1, dstPort: 6081, payload: geneve({ proto: ETHERTYPE.TEB, optLen: 2, payload: ethernet({ type: ETHERTYPE.MPLS, payload: mpls([1, 2], in4) }) }) })),
    o4(IPPROTO.UDP, udp({ srcPort: 1701, dstPort: 1701, payload: l2tp({ withLength: true, ns: 1, nr: 1, payload: ppp({ proto: PPP_PROTO.IPV6, payload: in6 }) }) })),
    ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: IPPROTO.UDP, payload: udp({ srcPort: 1, dstPort: 4789, payload: vxlan(2, ethernet({ type: ETHERTYPE.PPPOE_SESSION, payload: pppoe(1, ppp({ proto: PPP_PROTO.IPV4, payload: in4, addressControl: false })) })) }) }),
  ];
}

export const v6 = (ip: Uint8Array): boolean => ip[0] >> 4 === 6;
export const ethOf = (ip: Uint8Array): number => (v6(ip) ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4);

/** How each supported link type carries an IP packet. */
export const WRAPPERS: Record<number, (ip: Uint8Array) => Uint8Array> = {
  [LINKTYPE.NULL]: (ip) => cat(nullHeader(v6(ip) ? 30 : 2, 'le'), ip),
  [LINKTYPE.EN10MB]: (ip) => ethernet({ type: ethOf(ip), payload: ip, vlanTags: [{ tpid: 0x88a8, vid: 3 }, { tpid: 0x8100, vid: 4 }] }),
  [LINKTYPE.PPP]: (ip) => ppp({ proto: v6(ip) ? PPP_PROTO.IPV6 : PPP_PROTO.IPV4, payload: ip }),
  [LINKTYPE.FDDI]: (ip) => fddi(llcSnap(ethOf(ip), ip)),
  [LINKTYPE.RAW_12]: (ip) => ip,
  [LINKTYPE.RAW_14]: (ip) => ip,
  [LINKTYPE.PPP_SERIAL]: (ip) => ppp({ proto: v6(ip) ? PPP_PROTO.IPV6 : PPP_PROTO.IPV4, payload: ip, addressControl: false }),
  [LINKTYPE.RAW]: (ip) => ip,
  [LINKTYPE.C_HDLC]: (ip) => ciscoHdlc(ethOf(ip), ip),
  [LINKTYPE.IEEE802_11]: (ip) => wlanData({ qos: true, body: llcSnap(ethOf(ip), ip) }),
  [LINKTYPE.LOOP]: (ip) => cat(nullHeader(v6(ip) ? 24 : 2, 'be'), ip),
  [LINKTYPE.LINUX_SLL]: (ip) => sll({ proto: ethOf(ip), payload: ip }),
  [LINKTYPE.IEEE802_11_RADIO]: (ip) => radiotap(wlanData({ qos: true, toDS: true, fromDS: true, body: llcSnap(ethOf(ip), ip) })),
  [LINKTYPE.ARCNET_LINUX]: (ip) => arcnet(v6(ip) ? 0xc4 : 0xd4, ip),
  [LINKTYPE.PPI]: (ip) => ppi(105, wlanData({ body: llcSnap(ethOf(ip), ip) })),
  [LINKTYPE.IPV4]: (ip) => ip,
  [LINKTYPE.IPV6]: (ip) => ip,
  [LINKTYPE.NFLOG]: (ip) => nflog(v6(ip) ? 10 : 2, [nflogTlv(NFULA.PREFIX, [0x61, 0]), nflogTlv(NFULA.PAYLOAD, ip)]),
  [LINKTYPE.IPOIB]: (ip) => ipoib(ethOf(ip), ip),
  [LINKTYPE.LINUX_SLL2]: (ip) => sll2({ proto: ethOf(ip), payload: ip }),
};
export const SUPPORTED = Object.keys(WRAPPERS).map(Number);

export function checkDecoded(p: Packet, start: number, end: number, where: string): void {
  assert.ok(p.ipVersion === 4 || p.ipVersion === 6, `${where}: ipVersion ${p.ipVersion}`);
  assert.ok(p.tcpHeaderLen >= 20 && p.tcpHeaderLen <= 60 && p.tcpHeaderLen % 4 === 0, `${where}: tcpHeaderLen ${p.tcpHeaderLen}`);
  assert.ok(p.ipOffset >= start && p.ipOffset + p.ipHeaderLen === p.tcpOffset, `${where}: ip ${p.ipOffset}+${p.ipHeaderLen} tcp ${p.tcpOffset}`);
  assert.ok(p.tcpOffset >= start && p.tcpOffset + 20 <= end, `${where}: tcpOffset ${p.tcpOffset} outside [${start}, ${end - 20}]`);
  if (p.shortSegment) {
    // header length beyond the segment: the fixed header lies inside the segment, nothing else is read
    assert.ok(p.payloadOffset >= p.tcpOffset + 20 && p.payloadOffset < p.tcpOffset + p.tcpHeaderLen, `${where}: short segment of ${p.payloadOffset - p.tcpOffset} bytes`);
    assert.equal(p.payloadLen, 0, `${where}: short segment payloadLen`);
    assert.equal(p.capturedPayload, 0, `${where}: short segment capturedPayload`);
    return;
  }
  assert.equal(p.payloadOffset, p.tcpOffset + p.tcpHeaderLen, `${where}: payloadOffset`);
  assert.ok(p.capturedPayload >= 0 && p.capturedPayload <= p.payloadLen, `${where}: captured ${p.capturedPayload} of ${p.payloadLen}`);
  if (p.payloadOffset <= end) {
    assert.ok(p.payloadOffset + p.capturedPayload <= end, `${where}: payload ${p.payloadOffset}+${p.capturedPayload} past ${end}`);
  } else {
    // options cut by the capture: the payload would start past the captured bytes, none of it is present
    assert.equal(p.capturedPayload, 0, `${where}: captured payload past the capture`);
  }
  assert.equal(p.truncated, p.capturedPayload < p.payloadLen || p.payloadOffset > end, `${where}: truncated`);
  assert.ok(p.sackCount >= 0 && p.sackCount <= 4 && p.unknownCount >= 0 && p.unknownCount <= 20, `${where}: option counts`);
  assert.ok(p.mss >= -1 && p.mss <= 0xffff && p.wscale >= -1 && p.wscale <= 0xff, `${where}: mss/wscale`);
}
