/**
 * IPv4 and IPv6 headers: impossible lengths, TSO, options, Ethernet trailer padding, snaplen
 * truncation, fragments and the IPv6 extension-header chain.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../src/decode/decoder.js';
import {
  Packet, DECODED_TCP, MALFORMED, SKIPPED, SKIP_FRAGMENT, SKIP_NON_TCP, SKIP_TRUNCATED, L_IPV4, L_IPV6, TCP_ACK, TCP_PSH, TCP_SYN,
} from '../../src/decode/packet.js';
import { LINKTYPE } from '../../src/capture/linktypes.js';
import {
  cat, ethernet, ETHERTYPE, ext6, fill, ip4, ip6, ipv4, ipv4Option, ipv6, IPPROTO, jumboOption, opt, seqBytes, tcp, udp,
  type Bytes, type ExtHeader, type Ipv4Spec, type Ipv6Spec,
} from '../helpers/wire.js';

/** Decodes the first `len` bytes of a frame that was `wireLen` bytes long on the wire. */
function decode(frame: Uint8Array, len = frame.length, lt: number = LINKTYPE.EN10MB, wireLen = frame.length): Packet {
  const d = new Decoder();
  d.decodeBytes(frame, 0, len, lt, wireLen);
  return d.packet;
}

const seg = (payload = 0): Uint8Array =>
  tcp({ srcPort: 40000, dstPort: 80, seq: 100, ack: 200, flags: TCP_PSH | TCP_ACK, window: 512, payload: seqBytes(payload) });

function v4(over: Partial<Ipv4Spec> = {}, payload: Bytes = seg(10)): Uint8Array {
  return ethernet({
    type: ETHERTYPE.IPV4,
    payload: ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: IPPROTO.TCP, payload, id: 7, ...over }),
  });
}

function v6(over: Partial<Ipv6Spec> = {}, payload: Bytes = seg(10)): Uint8Array {
  return ethernet({
    type: ETHERTYPE.IPV6,
    payload: ipv6({ src: '2001:db8::a', dst: '2001:db8::b', next: IPPROTO.TCP, payload, ...over }),
  });
}

function assertMalformed(p: Packet, layer: number, a?: number, b?: number): void {
  assert.equal(p.status, MALFORMED);
  assert.equal(p.layer, layer);
  assert.ok(p.reason.length > 0);
  if (a !== undefined) assert.equal(p.detailA, a);
  if (b !== undefined) assert.equal(p.detailB, b);
}

function assertSkipped(p: Packet, skip: number): void {
  assert.equal(p.status, SKIPPED);
  assert.equal(p.skip, skip);
}

describe('IPv4: impossible lengths are rejected', () => {
  it('IHL < 5 is malformed ipv4', () => {
    assertMalformed(decode(v4({ ihl: 4 })), L_IPV4, 16, 20);
    assertMalformed(decode(v4({ ihl: 0 })), L_IPV4, 0, 20);
  });

  it('total length < header length is malformed ipv4', () => {
    assertMalformed(decode(v4({ totalLength: 19 })), L_IPV4, 19, 20);
    // with 4 bytes of options: header 24, total 22
    assertMalformed(decode(v4({ options: [1, 1, 1, 1], totalLength: 22 })), L_IPV4, 22, 24);
  });

  it('version 5 behind the IPv4 EtherType is malformed ipv4', () => {
    assertMalformed(decode(v4({ version: 5 })), L_IPV4, 5, 4);
    assertMalformed(decode(v4({ version: 6 })), L_IPV4, 6, 4);
  });

  it('total length 0 (TSO) is decoded using the captured length', () => {
    const frame = v4({ totalLength: 0 }, seg(1000));
    const p = decode(frame);
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.payloadLen, 1000);
    assert.equal(p.capturedPayload, 1000);
    assert.equal(p.truncated, false);
    assert.equal(p.ipId, 7);
  });

  it('an option with a wrong fixed length (security, length 2) is malformed ipv4', () => {
    const p = decode(v4({ options: [...ipv4Option(130, [], 2), 0, 0] }));
    assertMalformed(p, L_IPV4, 130, 20);
  });

  it('a record-route option below its minimum length is malformed ipv4', () => {
    assertMalformed(decode(v4({ options: [1, ...ipv4Option(7, [], 2), 0] })), L_IPV4, 7, 21);
  });

  it('an option running past the header is malformed ipv4', () => {
    assertMalformed(decode(v4({ options: [...ipv4Option(68, [], 12)] })), L_IPV4, 68, 20);
  });

  it('an option length below 2 is malformed ipv4', () => {
    assertMalformed(decode(v4({ options: [1, 1, 25, 1] })), L_IPV4, 25, 22);
  });

  it('valid options (NOP, router alert, EOL) decode with the right header length', () => {
    const p = decode(v4({ options: [1, ...ipv4Option(148, [0, 0]), 0, 0, 0] }));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.ipHeaderLen, 28);
    assert.equal(p.tcpOffset, 14 + 28);
    assert.equal(p.payloadLen, 10);
  });

  it('a full 60-byte header (record route of 39 bytes + EOL) decodes', () => {
    const rr = ipv4Option(7, [4, ...fill(36)]); // pointer 4, 9 empty slots
    const p = decode(v4({ options: [...rr, 0] }));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.ipHeaderLen, 60);
    assert.equal(p.srcPort, 40000);
  });
});

describe('IPv6: impossible lengths', () => {
  it('version 4 behind the IPv6 EtherType is malformed ipv6', () => {
    assertMalformed(decode(v6({ version: 4 })), L_IPV6, 4, 6);
  });

  it('payload length 0 without a Jumbo Payload option is malformed ipv6 (as tshark 4.0)', () => {
    assertMalformed(decode(v6({ payloadLength: 0 })), L_IPV6, 0, 0);
  });

  it('extension headers longer than the payload length are malformed ipv6', () => {
    assertMalformed(decode(v6({ extHeaders: [ext6.destOpts(fill(14))], payloadLength: 8 })), L_IPV6, 16, 8);
  });
});

describe('Ethernet trailer padding is not payload', () => {
  it('a 60-byte frame carrying a 40-byte IPv4/TCP packet has payloadLen 0', () => {
    const frame = cat(v4({}, seg(0)), fill(6));
    assert.equal(frame.length, 60);
    const p = decode(frame);
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.payloadLen, 0);
    assert.equal(p.capturedPayload, 0);
    assert.equal(p.payloadOffset, 54);
    assert.equal(p.truncated, false);
  });

  it('a 60-byte frame with a 2-byte payload keeps 2 bytes', () => {
    const frame = cat(v4({}, seg(2)), fill(4, 0xcc));
    assert.equal(frame.length, 60);
    const p = decode(frame);
    assert.equal(p.payloadLen, 2);
    assert.equal(p.capturedPayload, 2);
  });

  it('IPv6: padding after the payload length is ignored', () => {
    const frame = cat(v6({}, seg(3)), fill(9, 0xcc));
    const p = decode(frame);
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.payloadLen, 3);
    assert.equal(p.capturedPayload, 3);
  });
});

describe('Snaplen truncation', () => {
  it('IPv4: payload cut → truncated, payloadLen from IP, capturedPayload = bytes present', () => {
    const frame = v4({}, seg(1000));
    const len = 14 + 20 + 20 + 100;
    const p = decode(frame, len);
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.truncated, true);
    assert.equal(p.payloadLen, 1000);
    assert.equal(p.capturedPayload, 100);
    assert.equal(p.payloadOffset, 54);
  });

  it('IPv6: payload cut → truncated, payloadLen from IP, capturedPayload = bytes present', () => {
    const frame = v6({}, seg(1000));
    const p = decode(frame, 14 + 40 + 20 + 1);
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.truncated, true);
    assert.equal(p.payloadLen, 1000);
    assert.equal(p.capturedPayload, 1);
  });

  it('cut exactly at the end of the TCP header: capturedPayload 0', () => {
    const p = decode(v4({}, seg(50)), 54);
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.truncated, true);
    assert.equal(p.payloadLen, 50);
    assert.equal(p.capturedPayload, 0);
  });

  it('IP header cut → SKIPPED truncated-header at layer ipv4 / ipv6', () => {
    const p = decode(v4(), 14 + 19);
    assertSkipped(p, SKIP_TRUNCATED);
    assert.equal(p.layer, L_IPV4);
    const q = decode(v6(), 14 + 39);
    assertSkipped(q, SKIP_TRUNCATED);
    assert.equal(q.layer, L_IPV6);
  });

  it('IPv4 options cut → SKIPPED truncated-header at layer ipv4', () => {
    const p = decode(v4({ options: [1, 1, 1, 1, 1, 1, 1, 0] }), 14 + 24);
    assertSkipped(p, SKIP_TRUNCATED);
    assert.equal(p.layer, L_IPV4);
  });
});

describe('the wire length bounds the IP length', () => {
  it('an IPv4 total length beyond the frame\'s wire length is clamped to it', () => {
    const frame = v4({ totalLength: 20 + 20 + 1000 }, seg(10));
    const p = decode(frame); // wire length = the 64 bytes present
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.payloadLen, 10);
    assert.equal(p.capturedPayload, 10);
    assert.equal(p.truncated, false);
  });

  it('the same frame cut by a snaplen from a 1054-byte original keeps the IP length', () => {
    const frame = v4({ totalLength: 20 + 20 + 1000 }, seg(10));
    const p = decode(frame, frame.length, LINKTYPE.EN10MB, 14 + 1040);
    assert.equal(p.payloadLen, 1000);
    assert.equal(p.capturedPayload, 10);
    assert.equal(p.truncated, true);
  });

  it('an IPv6 payload length beyond the wire length is clamped to it', () => {
    const p = decode(v6({ payloadLength: 20 + 500 }, seg(10)));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.payloadLen, 10);
    assert.equal(p.truncated, false);
  });

  it('decodeBytes without a wire length takes the captured length as the wire length', () => {
    const frame = v4({}, seg(100));
    const d = new Decoder();
    assert.equal(d.decodeBytes(frame, 0, 14 + 40 + 30, LINKTYPE.EN10MB), DECODED_TCP);
    assert.equal(d.packet.payloadLen, 30);
    assert.equal(d.packet.truncated, false);
  });
});

describe('Fragments are skipped, not reassembled', () => {
  it('IPv4 MF set, offset 0 → ip-fragment', () => {
    const p = decode(v4({ flags: 0x1 }));
    assertSkipped(p, SKIP_FRAGMENT);
    assert.equal(p.ipVersion, 4);
    assert.equal(p.src[0], ip4('192.0.2.1'));
  });

  it('IPv4 offset > 0 (last fragment) → ip-fragment', () => {
    assertSkipped(decode(v4({ fragOffset: 185 })), SKIP_FRAGMENT);
  });

  it('IPv4 DF alone is not a fragment', () => {
    assert.equal(decode(v4({ flags: 0x2 })).status, DECODED_TCP);
  });

  it('IPv6 fragment header with offset > 0 → ip-fragment', () => {
    assertSkipped(decode(v6({ extHeaders: [ext6.fragment(185, false)] })), SKIP_FRAGMENT);
  });

  it('IPv6 first fragment (offset 0, M=1) → ip-fragment', () => {
    assertSkipped(decode(v6({ extHeaders: [ext6.fragment(0, true)] })), SKIP_FRAGMENT);
  });

  it('IPv6 atomic fragment (offset 0, M=0) → decoded past the 8-byte fragment header', () => {
    const p = decode(v6({ extHeaders: [ext6.fragment(0, false)] }));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.ipHeaderLen, 48);
    assert.equal(p.tcpOffset, 14 + 48);
    assert.equal(p.payloadLen, 10);
  });
});

describe('IPv6 extension header chain', () => {
  it('hop-by-hop + routing + destination options then TCP → decoded with ipHeaderLen 80', () => {
    const ext: ExtHeader[] = [ext6.hopByHop(), ext6.routing(4, 0, ['2001:db8::99']), ext6.destOpts()];
    const p = decode(v6({ extHeaders: ext }, seg(25)));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.ipHeaderLen, 40 + 8 + 24 + 8);
    assert.equal(p.tcpOffset, 14 + 80);
    assert.equal(p.payloadLen, 25);
    assert.equal(p.capturedPayload, 25);
    assert.deepEqual([...p.dst], ip6('2001:db8::b'));
  });

  it('authentication header (length in 4-byte units) then TCP', () => {
    const p = decode(v6({ extHeaders: [ext6.ah(12)] }));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.ipHeaderLen, 40 + 24);
    assert.equal(p.payloadLen, 10);
  });

  it('ESP → SKIPPED non-tcp', () => {
    assertSkipped(decode(v6({ next: IPPROTO.ESP }, fill(40, 0x5a))), SKIP_NON_TCP);
    assertSkipped(decode(v6({ extHeaders: [ext6.hopByHop()], next: IPPROTO.ESP }, fill(40, 0x5a))), SKIP_NON_TCP);
  });

  it('No Next Header (59) → SKIPPED non-tcp', () => {
    assertSkipped(decode(v6({ next: IPPROTO.NONE }, [])), SKIP_NON_TCP);
  });

  it('8 extension headers are walked', () => {
    const p = decode(v6({ extHeaders: Array.from({ length: 8 }, () => ext6.destOpts()) }));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.ipHeaderLen, 40 + 64);
  });

  it('more than 8 extension headers → malformed ipv6', () => {
    assertMalformed(decode(v6({ extHeaders: Array.from({ length: 9 }, () => ext6.destOpts()) })), L_IPV6, 8, 8);
  });

  it('extension header cut by the capture → SKIPPED truncated-header at layer ipv6', () => {
    const frame = v6({ extHeaders: [ext6.routing(4, 0, ['2001:db8::99'])] });
    const p = decode(frame, 14 + 40 + 16);
    assertSkipped(p, SKIP_TRUNCATED);
    assert.equal(p.layer, L_IPV6);
  });

  it('Jumbo Payload option with payload length 0 → decoded, payload from the jumbo length', () => {
    // RFC 2675: the jumbo length counts everything after the IPv6 header, hop-by-hop included
    const jumbo = 70000;
    const frame = v6({ extHeaders: [ext6.hopByHop(jumboOption(jumbo))], payloadLength: 0 }, seg(200));
    const p = decode(frame, frame.length, LINKTYPE.EN10MB, 14 + 40 + jumbo); // captured with a snaplen
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.ipHeaderLen, 48);
    assert.equal(p.payloadLen, jumbo - 8 - 20);
    assert.equal(p.capturedPayload, 200);
    assert.equal(p.truncated, true);
  });

  it('a hop-by-hop header without a jumbo option and payload length 0 is still malformed', () => {
    assertMalformed(decode(v6({ extHeaders: [ext6.hopByHop([5, 2, 0, 0])], payloadLength: 0 })), L_IPV6);
  });
});

describe('IP carrying other protocols', () => {
  it('ICMP → SKIPPED non-tcp', () => {
    const p = decode(v4({ proto: IPPROTO.ICMP }, [8, 0, 0xf7, 0xff, 0, 0, 0, 0]));
    assertSkipped(p, SKIP_NON_TCP);
    assert.equal(p.ipVersion, 4);
  });

  it('ICMPv6 → SKIPPED non-tcp', () => {
    assertSkipped(decode(v6({ next: IPPROTO.ICMPV6 }, [128, 0, 0, 0, 0, 1, 0, 1])), SKIP_NON_TCP);
  });

  it('UDP to port 53 → SKIPPED non-tcp', () => {
    assertSkipped(decode(v4({ proto: IPPROTO.UDP }, udp({ srcPort: 5353, dstPort: 53, payload: fill(12) }))), SKIP_NON_TCP);
  });

  it('a SYN over IPv4 with TTL 1 and id 0xffff reads them', () => {
    const p = decode(v4({ ttl: 1, id: 0xffff }, tcp({ srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TCP_SYN, window: 0, options: opt.mss(536) })));
    assert.equal(p.ttl, 1);
    assert.equal(p.ipId, 0xffff);
    assert.equal(p.mss, 536);
  });
});
