/**
 * Tunnels: each encapsulation reaches the inner TCP, reports the inner (innermost) addresses and
 * sets its ENC_* bits; tunnels that carry no TCP are SKIPPED non-tcp.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../src/decode/decoder.js';
import {
  Packet, DECODED_TCP, MALFORMED, SKIPPED, SKIP_FRAGMENT, SKIP_NON_TCP, SKIP_NON_IP, SKIP_TRUNCATED, L_GRE, L_IPV4, L_TUNNEL, L_UDP,
  ENC_VLAN, ENC_MPLS, ENC_PPPOE, ENC_GRE, ENC_VXLAN, ENC_GENEVE, ENC_IP_IN_IP, ENC_PPP, TCP_ACK, TCP_SYN,
} from '../../src/decode/packet.js';
import { LINKTYPE } from '../../src/capture/linktypes.js';
import {
  ethernet, ETHERTYPE, fill, geneve, gre, greV1, ip4, ip6, ipv4, ipv6, IPPROTO, l2tp, mpls, opt, ppp, PPP_PROTO, pppoe,
  pwControlWord, seqBytes, tcp, udp, vxlan, type Bytes,
} from '../helpers/wire.js';

function decode(frame: Uint8Array, lt: number = LINKTYPE.EN10MB): Packet {
  const d = new Decoder();
  d.decodeBytes(frame, 0, frame.length, lt);
  return d.packet;
}

const INNER_SEG = tcp({
  srcPort: 5000, dstPort: 8080, seq: 111, ack: 222, flags: TCP_SYN | TCP_ACK, window: 29200,
  options: [...opt.mss(1360), ...opt.nop(), ...opt.wscale(9)], payload: seqBytes(7),
});
/** Inner IPv4 / TCP (20 + 28 + 7 = 55 bytes), TTL 33. */
const IN4 = ipv4({ src: '172.16.0.1', dst: '172.16.0.2', proto: IPPROTO.TCP, payload: INNER_SEG, ttl: 33, id: 0x0bad });
/** Inner IPv6 / TCP. */
const IN6 = ipv6({ src: 'fd00::1', dst: 'fd00::2', next: IPPROTO.TCP, payload: INNER_SEG, hopLimit: 44 });

/** Outer IPv4 from 203.0.113.1 to 203.0.113.2. */
function outer4(proto: number, payload: Bytes): Uint8Array {
  return ethernet({ type: ETHERTYPE.IPV4, payload: ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto, payload, ttl: 250 }) });
}

function outer6(next: number, payload: Bytes): Uint8Array {
  return ethernet({ type: ETHERTYPE.IPV6, payload: ipv6({ src: '2001:db8:ffff::1', dst: '2001:db8:ffff::2', next, payload }) });
}

/** The inner segment was reached, with the inner addresses and the expected encapsulation bits. */
function assertInner(p: Packet, version: 4 | 6, encap: number, tcpOffset?: number): void {
  assert.equal(p.status, DECODED_TCP, `status ${p.status} skip ${p.skip} layer ${p.layer} ${p.reason}`);
  assert.equal(p.ipVersion, version);
  if (version === 4) {
    assert.deepEqual([...p.src], [ip4('172.16.0.1'), 0, 0, 0]);
    assert.deepEqual([...p.dst], [ip4('172.16.0.2'), 0, 0, 0]);
    assert.equal(p.ttl, 33);
    assert.equal(p.ipId, 0x0bad);
  } else {
    assert.deepEqual([...p.src], ip6('fd00::1'));
    assert.deepEqual([...p.dst], ip6('fd00::2'));
    assert.equal(p.ttl, 44);
    assert.equal(p.ipId, 0);
  }
  assert.equal(p.srcPort, 5000);
  assert.equal(p.dstPort, 8080);
  assert.equal(p.tcpHeaderLen, 28);
  assert.equal(p.mss, 1360);
  assert.equal(p.wscale, 9);
  assert.equal(p.payloadLen, 7);
  assert.equal(p.capturedPayload, 7);
  assert.equal(p.encap, encap);
  if (tcpOffset !== undefined) {
    assert.equal(p.tcpOffset, tcpOffset);
    assert.equal(p.ipOffset + p.ipHeaderLen, tcpOffset);
  }
}

describe('MPLS', () => {
  it('2 labels → IPv4', () => {
    const p = decode(ethernet({ type: ETHERTYPE.MPLS, payload: mpls([16, { label: 1000, tc: 5 }], IN4) }));
    assertInner(p, 4, ENC_MPLS, 14 + 8 + 20);
  });

  it('1 label → IPv6 (multicast EtherType 8848)', () => {
    assertInner(decode(ethernet({ type: 0x8848, payload: mpls([299776], IN6) })), 6, ENC_MPLS, 14 + 4 + 40);
  });

  it('PW control word → Ethernet → IPv4 (VLAN inside the pseudowire)', () => {
    const inner = ethernet({ type: ETHERTYPE.IPV4, payload: IN4, vlanTags: [{ tpid: 0x8100, vid: 42 }] });
    const p = decode(ethernet({ type: ETHERTYPE.MPLS, payload: mpls([100, 200], [...pwControlWord(9), ...inner]) }));
    assertInner(p, 4, ENC_MPLS | ENC_VLAN, 14 + 8 + 4 + 18 + 20);
    assert.equal(p.vlan, 42);
  });

  it('MPLS over PPP (0x0281)', () => {
    assertInner(decode(ppp({ proto: PPP_PROTO.MPLS, payload: mpls([17], IN4) }), LINKTYPE.PPP), 4, ENC_PPP | ENC_MPLS, 4 + 4 + 20);
  });

  it('an MPLS payload that is neither IP nor a control word → non-tcp', () => {
    const p = decode(ethernet({ type: ETHERTYPE.MPLS, payload: mpls([16], fill(40, 0x33)) }));
    assert.equal(p.status, SKIPPED);
    assert.equal(p.skip, SKIP_NON_TCP);
  });
});

describe('PPPoE', () => {
  it('PPPoE session → PPP → IPv4', () => {
    const frame = ethernet({ type: ETHERTYPE.PPPOE_SESSION, payload: pppoe(0x1234, ppp({ proto: PPP_PROTO.IPV4, payload: IN4, addressControl: false })) });
    assertInner(decode(frame), 4, ENC_PPPOE | ENC_PPP, 14 + 6 + 2 + 20);
  });

  it('VLAN + PPPoE session → PPP → IPv6', () => {
    const frame = ethernet({
      type: ETHERTYPE.PPPOE_SESSION, vlanTags: [{ tpid: 0x8100, vid: 7 }],
      payload: pppoe(1, ppp({ proto: PPP_PROTO.IPV6, payload: IN6, addressControl: false })),
    });
    assertInner(decode(frame), 6, ENC_VLAN | ENC_PPPOE | ENC_PPP, 14 + 4 + 6 + 2 + 40);
  });

  it('PPPoE carrying LCP → non-ip', () => {
    const frame = ethernet({ type: ETHERTYPE.PPPOE_SESSION, payload: pppoe(1, ppp({ proto: PPP_PROTO.LCP, payload: fill(10), addressControl: false })) });
    const p = decode(frame);
    assert.equal(p.status, SKIPPED);
    assert.equal(p.skip, SKIP_NON_IP);
  });

  it('a cut PPPoE header → truncated-header at layer tunnel', () => {
    const frame = ethernet({ type: ETHERTYPE.PPPOE_SESSION, payload: [0x11, 0, 0] });
    const p = decode(frame);
    assert.equal(p.status, SKIPPED);
    assert.equal(p.skip, SKIP_TRUNCATED);
    assert.equal(p.layer, L_TUNNEL);
  });
});

describe('GRE', () => {
  it('GRE with key and sequence → IPv4; the inner addresses are reported', () => {
    const p = decode(outer4(IPPROTO.GRE, gre({ proto: ETHERTYPE.IPV4, key: 0xcafe, seq: 3, payload: IN4 })));
    assertInner(p, 4, ENC_GRE, 14 + 20 + 12 + 20);
  });

  it('GRE with checksum, key and sequence → IPv6', () => {
    const p = decode(outer4(IPPROTO.GRE, gre({ proto: ETHERTYPE.IPV6, checksum: true, key: 1, seq: 2, payload: IN6 })));
    assertInner(p, 6, ENC_GRE, 14 + 20 + 16 + 40);
  });

  it('GRE 0x6558 (transparent Ethernet bridging) → Ethernet → IPv6', () => {
    const inner = ethernet({ type: ETHERTYPE.IPV6, payload: IN6 });
    const p = decode(outer4(IPPROTO.GRE, gre({ proto: ETHERTYPE.TEB, key: 10, payload: inner })));
    assertInner(p, 6, ENC_GRE, 14 + 20 + 8 + 14 + 40);
  });

  it('GRE over IPv6 → IPv4', () => {
    assertInner(decode(outer6(IPPROTO.GRE, gre({ proto: ETHERTYPE.IPV4, payload: IN4 }))), 4, ENC_GRE, 14 + 40 + 4 + 20);
  });

  it('enhanced GRE v1 (PPTP) with sequence and ack → PPP → IPv4', () => {
    const frame = outer4(IPPROTO.GRE, greV1({ callId: 0x4001, seq: 5, ack: 4, payload: ppp({ proto: PPP_PROTO.IPV4, payload: IN4 }) }));
    assertInner(decode(frame), 4, ENC_GRE | ENC_PPP, 14 + 20 + 16 + 4 + 20);
  });

  it('enhanced GRE v1 with neither sequence nor ack, compressed PPP', () => {
    const frame = outer4(IPPROTO.GRE, greV1({ callId: 1, payload: ppp({ proto: 0x21, payload: IN4, compressed: true, addressControl: false }) }));
    assertInner(decode(frame), 4, ENC_GRE | ENC_PPP, 14 + 20 + 8 + 1 + 20);
  });

  it('GRE version 2 → malformed gre', () => {
    const g = gre({ proto: ETHERTYPE.IPV4, payload: IN4 });
    g[1] |= 0x02;
    const p = decode(outer4(IPPROTO.GRE, g));
    assert.equal(p.status, MALFORMED);
    assert.equal(p.layer, L_GRE);
    assert.equal(p.detailA, 2);
  });

  it('GRE with the routing bit (RFC 1701) → non-tcp', () => {
    const g = gre({ proto: ETHERTYPE.IPV4, payload: IN4 });
    g[0] |= 0x40;
    const p = decode(outer4(IPPROTO.GRE, g));
    assert.equal(p.status, SKIPPED);
    assert.equal(p.skip, SKIP_NON_TCP);
  });

  it('GRE optional fields cut by the capture → truncated-header at layer gre', () => {
    const frame = outer4(IPPROTO.GRE, gre({ proto: ETHERTYPE.IPV4, key: 1, seq: 2, payload: [] }));
    const d = new Decoder();
    d.decodeBytes(frame, 0, frame.length - 2, LINKTYPE.EN10MB, frame.length);
    assert.equal(d.packet.status, SKIPPED);
    assert.equal(d.packet.skip, SKIP_TRUNCATED);
    assert.equal(d.packet.layer, L_GRE);
  });
});

describe('IP in IP', () => {
  it('IPv4 in IPv4 (protocol 4)', () => {
    assertInner(decode(outer4(IPPROTO.IPIP, IN4)), 4, ENC_IP_IN_IP, 14 + 20 + 20);
  });

  it('IPv6 in IPv4 (protocol 41)', () => {
    assertInner(decode(outer4(IPPROTO.IPV6, IN6)), 6, ENC_IP_IN_IP, 14 + 20 + 40);
  });

  it('IPv4 in IPv6 (next header 4) and IPv6 in IPv6 (41)', () => {
    assertInner(decode(outer6(IPPROTO.IPIP, IN4)), 4, ENC_IP_IN_IP, 14 + 40 + 20);
    assertInner(decode(outer6(IPPROTO.IPV6, IN6)), 6, ENC_IP_IN_IP, 14 + 40 + 40);
  });

  it('a fragmented inner packet is an ip-fragment even though the outer one is whole', () => {
    const inner = ipv4({ src: '172.16.0.1', dst: '172.16.0.2', proto: IPPROTO.TCP, payload: INNER_SEG, flags: 1 });
    const p = decode(outer4(IPPROTO.IPIP, inner));
    assert.equal(p.status, SKIPPED);
    assert.equal(p.skip, SKIP_FRAGMENT);
    assert.equal(p.src[0], ip4('172.16.0.1'));
  });
});

describe('UDP tunnels', () => {
  it('VXLAN on UDP 4789 → Ethernet → IPv4', () => {
    const frame = outer4(IPPROTO.UDP, udp({ srcPort: 49999, dstPort: 4789, payload: vxlan(5001, ethernet({ type: ETHERTYPE.IPV4, payload: IN4 })) }));
    assertInner(decode(frame), 4, ENC_VXLAN, 14 + 20 + 8 + 8 + 14 + 20);
  });

  it('VXLAN over IPv6, inner VLAN → IPv6', () => {
    const inner = ethernet({ type: ETHERTYPE.IPV6, payload: IN6, vlanTags: [{ tpid: 0x8100, vid: 9 }] });
    const frame = outer6(IPPROTO.UDP, udp({ srcPort: 4789, dstPort: 50000, payload: vxlan(1, inner) }));
    const p = decode(frame);
    assertInner(p, 6, ENC_VXLAN | ENC_VLAN, 14 + 40 + 8 + 8 + 18 + 40);
    assert.equal(p.vlan, 9);
  });

  it('Geneve on UDP 6081 with 12 bytes of options → Ethernet → IPv4', () => {
    const g = geneve({ proto: ETHERTYPE.TEB, optLen: 3, payload: ethernet({ type: ETHERTYPE.IPV4, payload: IN4 }) });
    const frame = outer4(IPPROTO.UDP, udp({ srcPort: 1234, dstPort: 6081, payload: g }));
    assertInner(decode(frame), 4, ENC_GENEVE, 14 + 20 + 8 + 8 + 12 + 14 + 20);
  });

  it('Geneve protocol 0x0800 → IPv4 directly', () => {
    const frame = outer4(IPPROTO.UDP, udp({ srcPort: 1234, dstPort: 6081, payload: geneve({ proto: ETHERTYPE.IPV4, optLen: 0, payload: IN4 }) }));
    assertInner(decode(frame), 4, ENC_GENEVE, 14 + 20 + 8 + 8 + 20);
  });

  it('Geneve options running past the capture → truncated-header at layer tunnel', () => {
    const g = geneve({ proto: ETHERTYPE.TEB, optLen: 63, payload: [] }).subarray(0, 8 + 16);
    const p = decode(outer4(IPPROTO.UDP, udp({ srcPort: 1, dstPort: 6081, payload: g })));
    assert.equal(p.status, SKIPPED);
    assert.equal(p.skip, SKIP_TRUNCATED);
    assert.equal(p.layer, L_TUNNEL);
  });

  it('a VXLAN datagram with UDP length 4 → malformed udp', () => {
    const frame = outer4(IPPROTO.UDP, udp({ srcPort: 1, dstPort: 4789, length: 4, payload: vxlan(1, ethernet({ type: ETHERTYPE.IPV4, payload: IN4 })) }));
    const p = decode(frame);
    assert.equal(p.status, MALFORMED);
    assert.equal(p.layer, L_UDP);
    assert.equal(p.detailA, 4);
  });

  it('L2TPv2 data on UDP 1701 → PPP → IPv6', () => {
    const frame = outer4(IPPROTO.UDP, udp({ srcPort: 1701, dstPort: 1701, payload: l2tp({ tunnel: 3, session: 4, payload: ppp({ proto: PPP_PROTO.IPV6, payload: IN6 }) }) }));
    assertInner(decode(frame), 6, ENC_PPP, 14 + 20 + 8 + 6 + 4 + 40);
  });

  it('L2TPv2 data with length, sequence numbers and offset padding → PPP → IPv4', () => {
    const l = l2tp({ withLength: true, ns: 1, nr: 2, offsetPad: 3, payload: ppp({ proto: PPP_PROTO.IPV4, payload: IN4 }) });
    const frame = outer4(IPPROTO.UDP, udp({ srcPort: 40000, dstPort: 1701, payload: l }));
    assertInner(decode(frame), 4, ENC_PPP, 14 + 20 + 8 + (2 + 2 + 4 + 4 + 2 + 3) + 4 + 20);
  });

  it('L2TP control message → non-tcp', () => {
    const frame = outer4(IPPROTO.UDP, udp({ srcPort: 1701, dstPort: 1701, payload: l2tp({ control: true, payload: fill(20) }) }));
    const p = decode(frame);
    assert.equal(p.status, SKIPPED);
    assert.equal(p.skip, SKIP_NON_TCP);
  });

  it('L2TPv3 over UDP (version 3) → non-tcp', () => {
    const frame = outer4(IPPROTO.UDP, udp({ srcPort: 1701, dstPort: 1701, payload: l2tp({ version: 3, payload: IN4 }) }));
    const p = decode(frame);
    assert.equal(p.status, SKIPPED);
    assert.equal(p.skip, SKIP_NON_TCP);
  });

  it('a UDP datagram to port 53 → non-tcp, outer addresses reported', () => {
    const p = decode(outer4(IPPROTO.UDP, udp({ srcPort: 33333, dstPort: 53, payload: fill(30) })));
    assert.equal(p.status, SKIPPED);
    assert.equal(p.skip, SKIP_NON_TCP);
    assert.equal(p.src[0], ip4('203.0.113.1'));
  });

  it('ICMP → non-tcp', () => {
    const p = decode(outer4(IPPROTO.ICMP, [8, 0, 0, 0, 0, 1, 0, 1]));
    assert.equal(p.status, SKIPPED);
    assert.equal(p.skip, SKIP_NON_TCP);
  });
});

describe('enclosing lengths bound the inner IP length (Wireshark: "total length exceeds packet length")', () => {
  it('a PPPoE length that ends inside the TCP payload clamps the inner IPv4 length', () => {
    // PPPoE length 2 (PPP protocol) + 20 + 28 + 3: the last 4 payload bytes are beyond it
    const pp = pppoe(1, ppp({ proto: PPP_PROTO.IPV4, payload: IN4, addressControl: false }));
    pp[4] = 0;
    pp[5] = 2 + 20 + 28 + 3;
    const p = decode(ethernet({ type: ETHERTYPE.PPPOE_SESSION, payload: pp }));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.payloadLen, 3);
    assert.equal(p.capturedPayload, 3);
    assert.equal(p.truncated, false);
  });

  it('a UDP length that ends inside the inner TCP payload clamps the inner IPv4 length (VXLAN)', () => {
    const inner = ethernet({ type: ETHERTYPE.IPV4, payload: IN4 });
    const frame = outer4(IPPROTO.UDP, udp({ srcPort: 1, dstPort: 4789, length: 8 + 8 + 14 + 20 + 28 + 5, payload: vxlan(1, inner) }));
    const p = decode(frame);
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.payloadLen, 5);
    assert.equal(p.capturedPayload, 5);
  });

  it('an outer IPv4 length that ends inside the inner TCP payload clamps the inner length (IP-in-IP)', () => {
    const frame = ethernet({ type: ETHERTYPE.IPV4, payload: ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: IPPROTO.IPIP, payload: IN4, totalLength: 20 + 20 + 28 + 1 }) });
    const p = decode(frame);
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.payloadLen, 1);
  });

  it('a PPPoE length that ends inside the inner IPv4 header is malformed, not a TCP segment of negative length', () => {
    const pp = pppoe(1, ppp({ proto: PPP_PROTO.IPV4, payload: IN4, addressControl: false }));
    pp[4] = 0;
    pp[5] = 4; // PPP protocol + 2 bytes of the IPv4 header
    const p = decode(ethernet({ type: ETHERTYPE.PPPOE_SESSION, payload: pp }));
    assert.equal(p.status, MALFORMED, `status ${p.status}: tcpOffset ${p.tcpOffset} payloadOffset ${p.payloadOffset}`);
  });

  it('a UDP length that ends before the inner frame is malformed, not a TCP segment of negative length (VXLAN)', () => {
    const inner = ethernet({ type: ETHERTYPE.IPV4, payload: IN4 });
    const frame = outer4(IPPROTO.UDP, udp({ srcPort: 1, dstPort: 4789, length: 16, payload: vxlan(1, inner) }));
    const p = decode(frame);
    assert.equal(p.status, MALFORMED, `status ${p.status}: tcpOffset ${p.tcpOffset} payloadOffset ${p.payloadOffset}`);
  });

  it('an outer IPv4 length that ends inside the inner IPv4 header is malformed (IP-in-IP)', () => {
    const frame = ethernet({ type: ETHERTYPE.IPV4, payload: ipv4({ src: '203.0.113.1', dst: '203.0.113.2', proto: IPPROTO.IPIP, payload: IN4, totalLength: 20 + 12 }) });
    const p = decode(frame);
    assert.equal(p.status, MALFORMED, `status ${p.status}: tcpOffset ${p.tcpOffset} payloadOffset ${p.payloadOffset}`);
    assert.equal(p.layer, L_IPV4);
  });
});

describe('Stacked encapsulations', () => {
  it('QinQ → MPLS → IPv4 → GRE → IPv4 → UDP/VXLAN → Ethernet → IPv4 → IP-in-IP → IPv4 → TCP', () => {
    const l4 = ipv4({ src: '10.9.9.1', dst: '10.9.9.2', proto: IPPROTO.IPIP, payload: IN4 });
    const vx = ipv4({ src: '10.8.8.1', dst: '10.8.8.2', proto: IPPROTO.UDP, payload: udp({ srcPort: 1, dstPort: 4789, payload: vxlan(7, ethernet({ type: ETHERTYPE.IPV4, payload: l4 })) }) });
    const gr = ipv4({ src: '10.7.7.1', dst: '10.7.7.2', proto: IPPROTO.GRE, payload: gre({ proto: ETHERTYPE.IPV4, key: 5, payload: vx }) });
    const frame = ethernet({
      type: ETHERTYPE.MPLS, vlanTags: [{ tpid: 0x88a8, vid: 10 }, { tpid: 0x8100, vid: 20 }], payload: mpls([100, 200], gr),
    });
    const p = decode(frame);
    assertInner(p, 4, ENC_VLAN | ENC_MPLS | ENC_GRE | ENC_VXLAN | ENC_IP_IN_IP);
    assert.equal(p.vlan, 10);
    assert.equal(p.tcpOffset, frame.length - INNER_SEG.length);
  });
});
