/**
 * Link layers: each supported LINKTYPE reaches the same IPv4 or IPv6 TCP segment at the right
 * offset; non-IP frames are SKIPPED non-ip; unsupported link types are SKIPPED link-type.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder, isSupportedLinkType } from '../../src/decode/decoder.js';
import {
  Packet, DECODED_TCP, MALFORMED, SKIPPED, SKIP_LINK_TYPE, SKIP_NON_IP, SKIP_NONE, SKIP_TRUNCATED, ENC_VLAN, ENC_PPP, L_LINK, L_VLAN,
  TCP_ACK,
} from '../../src/decode/packet.js';
import { LINKTYPE } from '../../src/capture/linktypes.js';
import {
  arcnet, cat, ciscoHdlc, ethernet, ethernet8023, ETHERTYPE, fddi, fill, ip4, ip6, ipoib, ipv4, ipv6, IPPROTO, llcSnap, nflog, nflogTlv,
  NFULA, nullHeader, ppi, ppp, PPP_PROTO, radiotap, seqBytes, sll, sll2, tcp, wlanData, type Bytes,
} from '../helpers/wire.js';

function decode(frame: Uint8Array, lt: number): Packet {
  const d = new Decoder();
  d.decodeBytes(frame, 0, frame.length, lt);
  return d.packet;
}

const SEG = tcp({ srcPort: 33000, dstPort: 22, seq: 0x01020304, ack: 0x05060708, flags: TCP_ACK, window: 4000, payload: seqBytes(12) });
/** IPv4 / TCP, 52 bytes. */
const IP4 = ipv4({ src: '10.1.2.3', dst: '10.4.5.6', proto: IPPROTO.TCP, payload: SEG, id: 0x4242 });
/** IPv6 / TCP, 72 bytes. */
const IP6 = ipv6({ src: 'fe80::1', dst: 'fe80::2', next: IPPROTO.TCP, payload: SEG });

/** Asserts the frame decodes to the IPv4 (or IPv6) segment above with its IP header at ipOffset. */
function assertTcp(p: Packet, version: 4 | 6, ipOffset: number): void {
  assert.equal(p.status, DECODED_TCP, `status ${p.status} skip ${p.skip} layer ${p.layer} ${p.reason}`);
  assert.equal(p.ipVersion, version);
  assert.equal(p.ipOffset, ipOffset);
  const hl = version === 4 ? 20 : 40;
  assert.equal(p.ipHeaderLen, hl);
  assert.equal(p.tcpOffset, ipOffset + hl);
  assert.equal(p.srcPort, 33000);
  assert.equal(p.dstPort, 22);
  assert.equal(p.seq32, 0x01020304);
  assert.equal(p.ack32, 0x05060708);
  assert.equal(p.payloadLen, 12);
  assert.equal(p.capturedPayload, 12);
  assert.equal(p.truncated, false);
  if (version === 4) {
    assert.deepEqual([...p.src], [ip4('10.1.2.3'), 0, 0, 0]);
    assert.deepEqual([...p.dst], [ip4('10.4.5.6'), 0, 0, 0]);
  } else {
    assert.deepEqual([...p.src], ip6('fe80::1'));
    assert.deepEqual([...p.dst], ip6('fe80::2'));
  }
}

function assertSkipped(p: Packet, skip: number): void {
  assert.equal(p.status, SKIPPED);
  assert.equal(p.skip, skip);
}

describe('Ethernet', () => {
  it('Ethernet II / IPv4 and IPv6', () => {
    const p = decode(ethernet({ type: ETHERTYPE.IPV4, payload: IP4 }), LINKTYPE.EN10MB);
    assertTcp(p, 4, 14);
    assert.equal(p.encap, 0);
    assert.equal(p.vlan, -1);
    assertTcp(decode(ethernet({ type: ETHERTYPE.IPV6, payload: IP6 }), LINKTYPE.EN10MB), 6, 14);
  });

  it('802.1Q tag: vlan id, ENC_VLAN', () => {
    const p = decode(ethernet({ type: ETHERTYPE.IPV4, payload: IP4, vlanTags: [{ tpid: 0x8100, vid: 100, pcp: 5 }] }), LINKTYPE.EN10MB);
    assertTcp(p, 4, 18);
    assert.equal(p.vlan, 100);
    assert.equal(p.encap, ENC_VLAN);
  });

  it('QinQ (88a8 then 8100): vlan = the outer id', () => {
    const p = decode(ethernet({
      type: ETHERTYPE.IPV6, payload: IP6, vlanTags: [{ tpid: 0x88a8, vid: 200 }, { tpid: 0x8100, vid: 100 }],
    }), LINKTYPE.EN10MB);
    assertTcp(p, 6, 22);
    assert.equal(p.vlan, 200);
    assert.equal(p.encap, ENC_VLAN);
  });

  it('old QinQ TPID 9100 then 8100', () => {
    const p = decode(ethernet({ type: ETHERTYPE.IPV4, payload: IP4, vlanTags: [{ tpid: 0x9100, vid: 4095 }, { tpid: 0x8100, vid: 1 }] }), LINKTYPE.EN10MB);
    assertTcp(p, 4, 22);
    assert.equal(p.vlan, 4095);
  });

  it('802.1BR E-Tag (893f, 6-byte E-TCI) is crossed; it is not a VLAN', () => {
    const p = decode(ethernet({ type: ETHERTYPE.IPV4, payload: IP4, vlanTags: [{ tpid: 0x893f, vid: 0x123 }] }), LINKTYPE.EN10MB);
    assertTcp(p, 4, 22);
    assert.equal(p.vlan, -1);
    assert.equal(p.encap, 0);
  });

  it('E-Tag then 802.1Q', () => {
    const p = decode(ethernet({ type: ETHERTYPE.IPV4, payload: IP4, vlanTags: [{ tpid: 0x893f, vid: 1 }, { tpid: 0x8100, vid: 300 }] }), LINKTYPE.EN10MB);
    assertTcp(p, 4, 26);
    assert.equal(p.vlan, 300);
  });

  it('802.3 length field + LLC/SNAP carrying IPv4', () => {
    const p = decode(ethernet8023(llcSnap(ETHERTYPE.IPV4, IP4)), LINKTYPE.EN10MB);
    assertTcp(p, 4, 22);
  });

  it('802.3 with a non-SNAP LLC (STP, 42 42 03) → non-ip', () => {
    assertSkipped(decode(ethernet8023([0x42, 0x42, 0x03, ...fill(35)]), LINKTYPE.EN10MB), SKIP_NON_IP);
  });

  it('ARP → SKIPPED non-ip', () => {
    assertSkipped(decode(ethernet({ type: ETHERTYPE.ARP, payload: fill(28) }), LINKTYPE.EN10MB), SKIP_NON_IP);
  });

  it('a 13-byte frame → SKIPPED truncated-header at layer link; a cut VLAN tag at layer vlan', () => {
    const p = decode(fill(13), LINKTYPE.EN10MB);
    assertSkipped(p, SKIP_TRUNCATED);
    assert.equal(p.layer, L_LINK);
    const tagged = ethernet({ type: ETHERTYPE.IPV4, payload: IP4, vlanTags: [{ tpid: 0x8100, vid: 1 }] });
    const q = decode(tagged.subarray(0, 16), LINKTYPE.EN10MB);
    assertSkipped(q, SKIP_TRUNCATED);
    assert.equal(q.layer, L_VLAN);
  });
});

describe('Linux cooked captures', () => {
  it('SLL (113) / IPv4', () => {
    assertTcp(decode(sll({ proto: ETHERTYPE.IPV4, payload: IP4, packetType: 4 }), LINKTYPE.LINUX_SLL), 4, 16);
  });

  it('SLL (113) / IPv6', () => {
    const p = decode(sll({ proto: ETHERTYPE.IPV6, payload: IP6 }), LINKTYPE.LINUX_SLL);
    assertTcp(p, 6, 16);
  });

  it('SLL protocol 0x0004 (802.2) → non-ip', () => {
    assertSkipped(decode(sll({ proto: 0x0004, payload: fill(40) }), LINKTYPE.LINUX_SLL), SKIP_NON_IP);
  });

  it('SLL2 (276) / IPv6 and IPv4', () => {
    assertTcp(decode(sll2({ proto: ETHERTYPE.IPV6, payload: IP6 }), LINKTYPE.LINUX_SLL2), 6, 20);
    assertTcp(decode(sll2({ proto: ETHERTYPE.IPV4, payload: IP4, ifindex: 7 }), LINKTYPE.LINUX_SLL2), 4, 20);
  });

  it('SLL2 cut inside its 20-byte header → truncated-header', () => {
    assertSkipped(decode(sll2({ proto: ETHERTYPE.IPV4, payload: [] }).subarray(0, 19), LINKTYPE.LINUX_SLL2), SKIP_TRUNCATED);
  });
});

describe('BSD loopback', () => {
  for (const order of ['le', 'be'] as const) {
    it(`NULL (0), AF_INET 2 in ${order} byte order → IPv4`, () => {
      assertTcp(decode(cat(nullHeader(2, order), IP4), LINKTYPE.NULL), 4, 4);
    });
    for (const af of [10, 24, 28, 30]) {
      it(`NULL (0), AF ${af} in ${order} byte order → IPv6`, () => {
        assertTcp(decode(cat(nullHeader(af, order), IP6), LINKTYPE.NULL), 6, 4);
      });
    }
  }

  it('NULL with an unknown family (AF 7) → non-ip', () => {
    assertSkipped(decode(cat(nullHeader(7, 'le'), IP4), LINKTYPE.NULL), SKIP_NON_IP);
  });

  it('LOOP (108): family in network byte order', () => {
    assertTcp(decode(cat(nullHeader(2, 'be'), IP4), LINKTYPE.LOOP), 4, 4);
    assertTcp(decode(cat(nullHeader(24, 'be'), IP6), LINKTYPE.LOOP), 6, 4);
  });

  it('LOOP does not guess the byte order: AF 2 little-endian is non-ip', () => {
    assertSkipped(decode(cat(nullHeader(2, 'le'), IP4), LINKTYPE.LOOP), SKIP_NON_IP);
  });
});

describe('Raw IP', () => {
  for (const lt of [LINKTYPE.RAW, LINKTYPE.RAW_12, LINKTYPE.RAW_14]) {
    it(`RAW (${lt}) carries IPv4 and IPv6 by the version nibble`, () => {
      assertTcp(decode(IP4, lt), 4, 0);
      assertTcp(decode(IP6, lt), 6, 0);
    });
  }

  it('RAW with version nibble 5 → malformed at layer link', () => {
    const bad = Uint8Array.from(IP4);
    bad[0] = 0x55;
    const p = decode(bad, LINKTYPE.RAW);
    assert.equal(p.status, MALFORMED);
    assert.equal(p.layer, L_LINK);
    assert.equal(p.detailA, 5);
  });

  it('RAW with no bytes → truncated-header', () => {
    assertSkipped(decode(new Uint8Array(0), LINKTYPE.RAW), SKIP_TRUNCATED);
  });

  it('IPV4 (228) and IPV6 (229)', () => {
    assertTcp(decode(IP4, LINKTYPE.IPV4), 4, 0);
    assertTcp(decode(IP6, LINKTYPE.IPV6), 6, 0);
  });

  it('IPV4 (228) holding an IPv6 packet is malformed ipv4, not re-guessed', () => {
    assert.equal(decode(IP6, LINKTYPE.IPV4).status, MALFORMED);
  });
});

describe('PPP and Cisco HDLC', () => {
  it('PPP (9) with FF 03 / IPv4', () => {
    const p = decode(ppp({ proto: PPP_PROTO.IPV4, payload: IP4 }), LINKTYPE.PPP);
    assertTcp(p, 4, 4);
    assert.equal(p.encap, ENC_PPP);
  });

  it('PPP (9) without FF 03 / IPv6', () => {
    assertTcp(decode(ppp({ proto: PPP_PROTO.IPV6, payload: IP6, addressControl: false }), LINKTYPE.PPP), 6, 2);
  });

  it('PPP with a compressed 1-byte protocol field (0x21)', () => {
    assertTcp(decode(ppp({ proto: 0x21, payload: IP4, compressed: true }), LINKTYPE.PPP), 4, 3);
    assertTcp(decode(ppp({ proto: 0x21, payload: IP4, compressed: true, addressControl: false }), LINKTYPE.PPP), 4, 1);
  });

  it('PPP_SERIAL (50) / IPv4', () => {
    assertTcp(decode(ppp({ proto: PPP_PROTO.IPV4, payload: IP4 }), LINKTYPE.PPP_SERIAL), 4, 4);
  });

  it('PPP LCP → non-ip', () => {
    assertSkipped(decode(ppp({ proto: PPP_PROTO.LCP, payload: fill(10) }), LINKTYPE.PPP), SKIP_NON_IP);
  });

  it('Cisco HDLC (104) / IPv4 and IPv6', () => {
    assertTcp(decode(ciscoHdlc(ETHERTYPE.IPV4, IP4), LINKTYPE.C_HDLC), 4, 4);
    assertTcp(decode(ciscoHdlc(ETHERTYPE.IPV6, IP6), LINKTYPE.C_HDLC), 6, 4);
  });

  it('Cisco HDLC SLARP (8035) → non-ip', () => {
    assertSkipped(decode(ciscoHdlc(0x8035, fill(20)), LINKTYPE.C_HDLC), SKIP_NON_IP);
  });
});

describe('NFLOG (239)', () => {
  const prefix = nflogTlv(NFULA.PREFIX, [...Buffer.from('drop: '), 0]); // 11 bytes → padded to 12
  const hwproto = nflogTlv(NFULA.PACKET_HDR, [0x08, 0x00, 3, 0]);

  it('AF_INET with a prefix TLV, then the payload TLV', () => {
    const frame = nflog(2, [hwproto, prefix, nflogTlv(NFULA.PAYLOAD, IP4)]);
    assertTcp(decode(frame, LINKTYPE.NFLOG), 4, 4 + 8 + 12 + 4);
  });

  it('AF_INET6', () => {
    assertTcp(decode(nflog(10, [nflogTlv(NFULA.PAYLOAD, IP6)]), LINKTYPE.NFLOG), 6, 8);
  });

  it('the payload ends where its TLV ends: a following TLV is not TCP payload', () => {
    const shortIp = ipv4({ src: '10.1.2.3', dst: '10.4.5.6', proto: IPPROTO.TCP, payload: SEG, totalLength: 0 });
    const frame = nflog(2, [nflogTlv(NFULA.PAYLOAD, shortIp), nflogTlv(NFULA.PREFIX, fill(16, 0x41))]);
    const p = decode(frame, LINKTYPE.NFLOG);
    assertTcp(p, 4, 8);
  });

  it('no payload TLV → non-ip', () => {
    assertSkipped(decode(nflog(2, [prefix]), LINKTYPE.NFLOG), SKIP_NON_IP);
  });

  it('a TLV length below 4 → malformed at layer link', () => {
    const p = decode(nflog(2, [[2, 0, 1, 0], nflogTlv(NFULA.PAYLOAD, IP4)]), LINKTYPE.NFLOG);
    assert.equal(p.status, MALFORMED);
    assert.equal(p.layer, L_LINK);
    assert.equal(p.detailA, 2);
  });
});

describe('802.11, radiotap, PPI', () => {
  it('radiotap (127) + 802.11 QoS data frame + LLC/SNAP / IPv4', () => {
    const rt = radiotap([]);
    assert.equal(rt.length, 15);
    const frame = radiotap(wlanData({ qos: true, toDS: true, body: llcSnap(ETHERTYPE.IPV4, IP4) }));
    assertTcp(decode(frame, LINKTYPE.IEEE802_11_RADIO), 4, 15 + 26 + 8);
  });

  it('radiotap + 4-address QoS data frame with HT control (Order) / IPv6', () => {
    const frame = radiotap(wlanData({ qos: true, toDS: true, fromDS: true, order: true, body: llcSnap(ETHERTYPE.IPV6, IP6) }));
    assertTcp(decode(frame, LINKTYPE.IEEE802_11_RADIO), 6, 15 + 24 + 6 + 2 + 4 + 8);
  });

  it('802.11 (105) plain data frame: Order without QoS adds no HT control', () => {
    assertTcp(decode(wlanData({ fromDS: true, order: true, body: llcSnap(ETHERTYPE.IPV4, IP4) }), LINKTYPE.IEEE802_11), 4, 24 + 8);
  });

  it('PPI (192) → 802.11', () => {
    const frame = ppi(105, wlanData({ qos: true, body: llcSnap(ETHERTYPE.IPV4, IP4) }));
    assertTcp(decode(frame, LINKTYPE.PPI), 4, 8 + 26 + 8);
  });

  it('PPI (192) → Ethernet', () => {
    assertTcp(decode(ppi(1, ethernet({ type: ETHERTYPE.IPV4, payload: IP4 })), LINKTYPE.PPI), 4, 8 + 14);
  });

  it('PPI with another DLT → non-ip', () => {
    assertSkipped(decode(ppi(147, IP4), LINKTYPE.PPI), SKIP_NON_IP);
  });

  it('protected 802.11 frame → non-ip', () => {
    const frame = radiotap(wlanData({ qos: true, protected: true, body: cat(fill(8, 0x77), llcSnap(ETHERTYPE.IPV4, IP4)) }));
    assertSkipped(decode(frame, LINKTYPE.IEEE802_11_RADIO), SKIP_NON_IP);
  });

  it('QoS null-data frame → non-ip', () => {
    assertSkipped(decode(radiotap(wlanData({ qos: true, nullData: true, body: [] })), LINKTYPE.IEEE802_11_RADIO), SKIP_NON_IP);
  });

  it('beacon (management) frame → non-ip', () => {
    const beacon = cat([0x80, 0x00], fill(22), fill(40, 0x11));
    assertSkipped(decode(beacon, LINKTYPE.IEEE802_11), SKIP_NON_IP);
  });

  it('radiotap length below 8 → malformed at layer link', () => {
    const frame = radiotap(wlanData({ body: llcSnap(ETHERTYPE.IPV4, IP4) }));
    frame[2] = 4;
    frame[3] = 0;
    const p = decode(frame, LINKTYPE.IEEE802_11_RADIO);
    assert.equal(p.status, MALFORMED);
    assert.equal(p.layer, L_LINK);
    assert.equal(p.detailA, 4);
  });

  it('an 802.11 data frame whose SNAP EtherType is 0 is SKIPPED with a reason', () => {
    const frame = wlanData({ body: llcSnap(0x0000, fill(40)) });
    const p = decode(frame, LINKTYPE.IEEE802_11);
    assert.equal(p.status, SKIPPED);
    assert.notEqual(p.skip, SKIP_NONE, 'a SKIPPED frame must say why');
  });

  it('decodeBytes after a TCP frame: an 802.11 SNAP EtherType 0 frame does not report the previous DECODED_TCP', () => {
    const d = new Decoder();
    const good = wlanData({ body: llcSnap(ETHERTYPE.IPV4, IP4) });
    assert.equal(d.decodeBytes(good, 0, good.length, LINKTYPE.IEEE802_11), DECODED_TCP);
    const zero = wlanData({ body: llcSnap(0x0000, fill(40)) });
    assert.equal(d.decodeBytes(zero, 0, zero.length, LINKTYPE.IEEE802_11), SKIPPED);
  });
});

describe('FDDI, IPoIB, ARCnet', () => {
  it('FDDI (10): 13-byte MAC header + LLC/SNAP / IPv4', () => {
    assertTcp(decode(fddi(llcSnap(ETHERTYPE.IPV4, IP4)), LINKTYPE.FDDI), 4, 13 + 8);
  });

  it('FDDI with a non-SNAP LLC → non-ip', () => {
    assertSkipped(decode(fddi([0x42, 0x42, 0x03, ...fill(40)]), LINKTYPE.FDDI), SKIP_NON_IP);
  });

  it('IPoIB (242): 44-byte header, EtherType at 40', () => {
    assertTcp(decode(ipoib(ETHERTYPE.IPV4, IP4), LINKTYPE.IPOIB), 4, 44);
    assertTcp(decode(ipoib(ETHERTYPE.IPV6, IP6), LINKTYPE.IPOIB), 6, 44);
  });

  it('IPoIB ARP → non-ip', () => {
    assertSkipped(decode(ipoib(ETHERTYPE.ARP, fill(28)), LINKTYPE.IPOIB), SKIP_NON_IP);
  });

  it('ARCnet (129): protocol 0xd4 at offset 4, IP at offset 8', () => {
    assertTcp(decode(arcnet(0xd4, IP4), LINKTYPE.ARCNET_LINUX), 4, 8);
  });

  it('ARCnet IPv6 (0xc4)', () => {
    assertTcp(decode(arcnet(0xc4, IP6), LINKTYPE.ARCNET_LINUX), 6, 8);
  });

  it('ARCnet RFC 1051 IP (0xf0): IP at offset 5', () => {
    const frame = cat([0x01, 0x02], [0, 0], [0xf0], IP4);
    assertTcp(decode(frame, LINKTYPE.ARCNET_LINUX), 4, 5);
  });

  it('ARCnet ARP (0xd5) → non-ip', () => {
    assertSkipped(decode(arcnet(0xd5, fill(28)), LINKTYPE.ARCNET_LINUX), SKIP_NON_IP);
  });
});

describe('Unsupported link types', () => {
  for (const lt of [147, 51, 274, 6, 0xffff]) {
    it(`link type ${lt} → SKIPPED link-type`, () => {
      const p = decode(ethernet({ type: ETHERTYPE.IPV4, payload: IP4 }), lt);
      assertSkipped(p, SKIP_LINK_TYPE);
      assert.equal(isSupportedLinkType(lt), false);
    });
  }

  it('isSupportedLinkType agrees with the decoder for link types 0..300', () => {
    const frame: Bytes = ethernet({ type: ETHERTYPE.IPV4, payload: IP4 });
    for (let lt = 0; lt <= 300; lt++) {
      const p = decode(Uint8Array.from(frame), lt);
      assert.equal(p.status === SKIPPED && p.skip === SKIP_LINK_TYPE, !isSupportedLinkType(lt), `link type ${lt}`);
    }
  });
});
