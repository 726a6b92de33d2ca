/**
 * TCP header and option decoding: every Packet accessor on known bytes (IPv4 and IPv6), SACK
 * blocks and unknown options, the AE bit, impossible header lengths, malformed options, and the
 * reuse of one Packet across frames.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder } from '../../src/decode/decoder.js';
import {
  Packet, DECODED_TCP, MALFORMED, SKIPPED, SKIP_TRUNCATED, L_TCP, TCP_SYN, TCP_ACK, TCP_PSH, TCP_ECE, TCP_CWR, TCP_AE, TCP_FIN,
  TCP_RST, TCP_URG, MAX_SACK_BLOCKS, MAX_UNKNOWN_OPTIONS,
} from '../../src/decode/packet.js';
import { Frame } from '../../src/capture/frame.js';
import { LINKTYPE } from '../../src/capture/linktypes.js';
import { cat, ethernet, ETHERTYPE, fill, ip4, ip6, ipv4, ipv6, IPPROTO, opt, seqBytes, tcp, type TcpSpec } from '../helpers/wire.js';

function decode(frame: Uint8Array, lt: number = LINKTYPE.EN10MB): Packet {
  const d = new Decoder();
  d.decodeBytes(frame, 0, frame.length, lt);
  return d.packet;
}

/** Ethernet / IPv4 / TCP. */
function eth4(seg: Uint8Array, ip: Partial<Parameters<typeof ipv4>[0]> = {}): Uint8Array {
  return ethernet({
    type: ETHERTYPE.IPV4,
    payload: ipv4({ src: '192.0.2.1', dst: '198.51.100.7', proto: IPPROTO.TCP, payload: seg, ...ip }),
  });
}

/** Ethernet / IPv6 / TCP. */
function eth6(seg: Uint8Array): Uint8Array {
  return ethernet({
    type: ETHERTYPE.IPV6,
    payload: ipv6({ src: '2001:db8::1', dst: '2001:db8:0:1::80', next: IPPROTO.TCP, payload: seg, hopLimit: 57 }),
  });
}

/** The Linux SYN option block: MSS 1460, SACK permitted, timestamps, NOP, window scale 7 (20 bytes). */
const SYN_OPTIONS = [
  ...opt.mss(1460), //                     02 04 05 b4
  ...opt.sackPerm(), //                    04 02
  ...opt.timestamps(0x89abcdef, 0), //     08 0a 89 ab cd ef 00 00 00 00
  ...opt.nop(), //                         01
  ...opt.wscale(7), //                     03 03 07
];

const SYN: TcpSpec = {
  srcPort: 51234,
  dstPort: 443,
  seq: 0xdeadbeef,
  ack: 0,
  flags: TCP_SYN | TCP_ECE | TCP_CWR,
  window: 64240,
  checksum: 0xabcd,
  urgent: 0,
  options: SYN_OPTIONS,
};

describe('TCP: every accessor on known bytes', () => {
  it('Ethernet / IPv4 / TCP SYN with MSS, SACK-permitted, timestamps, NOP, window scale', () => {
    const frame = eth4(tcp(SYN), { id: 0x1c46, ttl: 64, flags: 0x2 /* DF */ });
    assert.equal(frame.length, 14 + 20 + 40);
    const p = decode(frame);
    assert.equal(p.status, DECODED_TCP);
    // IP
    assert.equal(p.ipVersion, 4);
    assert.equal(p.ipOffset, 14);
    assert.equal(p.ipHeaderLen, 20);
    assert.equal(p.ttl, 64);
    assert.equal(p.ipId, 0x1c46);
    assert.deepEqual([...p.src], [ip4('192.0.2.1'), 0, 0, 0]);
    assert.deepEqual([...p.dst], [ip4('198.51.100.7'), 0, 0, 0]);
    assert.equal(p.src[0], 0xc0000201);
    assert.equal(p.encap, 0);
    assert.equal(p.vlan, -1);
    // TCP header
    assert.equal(p.tcpOffset, 34);
    assert.equal(p.srcPort, 51234);
    assert.equal(p.dstPort, 443);
    // the same 32 bits, signed (Packet.seq32): 0xdeadbeef is 2^31 and above
    assert.equal(p.seq32, 0xdeadbeef | 0);
    assert.equal(p.seq32, -559038737);
    assert.equal(p.seq32 >>> 0, 0xdeadbeef);
    assert.equal(p.ack32, 0);
    assert.equal(p.tcpHeaderLen, 40);
    assert.equal(p.flags, TCP_SYN | TCP_ECE | TCP_CWR);
    assert.equal(p.flags, 0x0c2);
    assert.equal(p.window, 64240);
    assert.equal(p.checksum, 0xabcd);
    assert.equal(p.urgent, 0);
    // payload
    assert.equal(p.payloadLen, 0);
    assert.equal(p.capturedPayload, 0);
    assert.equal(p.payloadOffset, 74);
    assert.equal(p.truncated, false);
    // options
    assert.equal(p.mss, 1460);
    assert.equal(p.wscale, 7);
    assert.equal(p.sackPermitted, true);
    assert.equal(p.hasTimestamps, true);
    assert.equal(p.tsVal, 0x89abcdef);
    assert.equal(p.tsEcr, 0);
    assert.equal(p.sackCount, 0);
    assert.equal(p.unknownCount, 0);
    assert.equal(p.optionsMalformed, false);
  });

  it('offsets are absolute positions in the buffer when the frame does not start at 0', () => {
    const frame = eth4(tcp({ ...SYN, payload: seqBytes(10) }));
    const buf = cat(fill(7, 0xee), frame, fill(5, 0xee));
    const d = new Decoder();
    assert.equal(d.decodeBytes(buf, 7, frame.length, LINKTYPE.EN10MB), DECODED_TCP);
    const p = d.packet;
    assert.equal(p.ipOffset, 7 + 14);
    assert.equal(p.tcpOffset, 7 + 34);
    assert.equal(p.payloadOffset, 7 + 74);
    assert.equal(p.payloadLen, 10);
    assert.equal(p.capturedPayload, 10);
    assert.equal(buf[p.payloadOffset], 0);
    assert.equal(buf[p.payloadOffset + 9], 9);
  });

  it('Ethernet / IPv6 / TCP data segment', () => {
    const seg = tcp({
      srcPort: 443, dstPort: 51234, seq: 1000, ack: 0xfffffff0, flags: TCP_PSH | TCP_ACK, window: 501, checksum: 0x1234,
      urgent: 0, options: [...opt.nop(), ...opt.nop(), ...opt.timestamps(11, 22)], payload: seqBytes(100),
    });
    const p = decode(eth6(seg));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.ipVersion, 6);
    assert.equal(p.ipOffset, 14);
    assert.equal(p.ipHeaderLen, 40);
    assert.equal(p.ttl, 57);
    assert.equal(p.ipId, 0);
    assert.deepEqual([...p.src], ip6('2001:db8::1'));
    assert.deepEqual([...p.src], [0x20010db8, 0, 0, 1]);
    assert.deepEqual([...p.dst], [0x20010db8, 0x00000001, 0, 0x80]);
    assert.equal(p.tcpOffset, 54);
    assert.equal(p.srcPort, 443);
    assert.equal(p.dstPort, 51234);
    assert.equal(p.seq32, 1000);
    assert.equal(p.ack32, -16);
    assert.equal(p.ack32 >>> 0, 0xfffffff0);
    assert.equal(p.tcpHeaderLen, 32);
    assert.equal(p.flags, 0x018);
    assert.equal(p.window, 501);
    assert.equal(p.checksum, 0x1234);
    assert.equal(p.urgent, 0);
    assert.equal(p.payloadLen, 100);
    assert.equal(p.capturedPayload, 100);
    assert.equal(p.payloadOffset, 86);
    assert.equal(p.truncated, false);
    assert.equal(p.mss, -1);
    assert.equal(p.wscale, -1);
    assert.equal(p.sackPermitted, false);
    assert.equal(p.hasTimestamps, true);
    assert.equal(p.tsVal, 11);
    assert.equal(p.tsEcr, 22);
    assert.equal(p.optionsMalformed, false);
  });

  it('a data segment with 2 SACK blocks and an unknown option kind', () => {
    const seg = tcp({
      srcPort: 80, dstPort: 40000, seq: 5000, ack: 7000, flags: TCP_ACK, window: 1024, urgent: 0,
      options: [
        ...opt.nop(), ...opt.nop(), ...opt.timestamps(100, 200), //        12
        ...opt.nop(), ...opt.nop(), ...opt.sack([[8000, 9000], [0xfffffff0, 0x10]]), // 2 + 18
        ...opt.raw(253, [0xab, 0xcd]), //                                   4 (RFC 4727 experiment)
      ],
      payload: seqBytes(3),
    });
    const p = decode(eth4(seg));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.tcpHeaderLen, 56);
    assert.equal(p.payloadLen, 3);
    assert.equal(p.sackCount, 2);
    assert.deepEqual([...p.sack.subarray(0, 4)], [8000, 9000, 0xfffffff0, 0x10]);
    assert.equal(p.unknownCount, 1);
    assert.equal(p.unknownKinds[0], 253);
    assert.equal(p.hasTimestamps, true);
    assert.equal(p.tsVal, 100);
    assert.equal(p.tsEcr, 200);
    assert.equal(p.optionsMalformed, false);
    assert.equal(p.mss, -1);
  });

  it('TCP Fast Open (RFC 7413): an empty option is a request (0), a cookie its length; the experimental kind 254 with magic 0xF989 too', () => {
    const syn = (options: number[]): Packet => decode(eth4(tcp({ srcPort: 40000, dstPort: 80, seq: 1, ack: 0, flags: TCP_SYN, window: 1024, urgent: 0, options })));
    assert.equal(syn([...opt.mss(1460), ...opt.raw(34, []), ...opt.nop(), ...opt.nop()]).tfo, 0);
    const cookie = syn([...opt.raw(34, [1, 2, 3, 4, 5, 6, 7, 8]), ...opt.nop(), ...opt.nop()]);
    assert.deepEqual([cookie.tfo, cookie.unknownCount, cookie.optionsMalformed], [8, 0, false]);
    assert.equal(syn([...opt.raw(254, [0xf9, 0x89, 1, 2, 3, 4, 5, 6, 7, 8]), ...opt.nop(), ...opt.nop()]).tfo, 8);
    // another experiment under 254 stays an unknown kind; no option at all is -1
    const other = syn([...opt.raw(254, [0x12, 0x34]), ...opt.nop(), ...opt.nop(), ...opt.nop(), ...opt.nop()]);
    assert.deepEqual([other.tfo, other.unknownCount, other.unknownKinds[0]], [-1, 1, 254]);
    assert.equal(syn([...opt.mss(1460)]).tfo, -1);
  });

  it('a D-SACK (RFC 2883): the first block below the ack, or within the second; not an ordinary SACK; edges as int32', () => {
    const ack = (ackNo: number, blocks: [number, number][]): Packet =>
      decode(eth4(tcp({ srcPort: 80, dstPort: 40000, seq: 5000, ack: ackNo, flags: TCP_ACK, window: 1024, options: [...opt.nop(), ...opt.nop(), ...opt.sack(blocks)] })));
    const dsack = (p: Packet): [boolean, number, number] => [p.dsack, p.dsackLeft, p.dsackRight];
    // below the ack: bytes already acknowledged came again
    assert.deepEqual(dsack(ack(7000, [[6000, 6500]])), [true, 6000, 6500]);
    // within the second block (a copy of out-of-order data held above a gap)
    assert.deepEqual(dsack(ack(7000, [[8000, 8500], [8000, 9000]])), [true, 8000, 8500]);
    assert.deepEqual(dsack(ack(7000, [[8500, 9000], [8000, 9000]])), [true, 8500, 9000]);
    // ordinary SACKs: above the ack, and not within the second
    assert.deepEqual(dsack(ack(7000, [[8000, 9000]])), [false, 0, 0]);
    assert.deepEqual(dsack(ack(7000, [[9000, 9500], [8000, 8500]])), [false, 0, 0]);
    assert.deepEqual(dsack(ack(7000, [[8000, 9500], [8000, 9000]])), [false, 0, 0]);
    // at the ack exactly is not below it
    assert.deepEqual(dsack(ack(7000, [[7000, 7500]])), [false, 0, 0]);
    // modulo 2^32: a block just below an ack that wrapped; edges from 2^31 up as int32
    assert.deepEqual(dsack(ack(0x10, [[0xfffffff0, 0x8]])), [true, -16, 8]);
    // no SACK option at all
    assert.deepEqual(dsack(decode(eth4(tcp({ srcPort: 80, dstPort: 40000, seq: 5000, ack: 7000, flags: TCP_ACK, window: 1024 })))), [false, 0, 0]);
  });

  it(`reads ${MAX_SACK_BLOCKS} SACK blocks and ${MAX_UNKNOWN_OPTIONS} unknown kinds (the most 40 option bytes can hold)`, () => {
    // one SACK option of 4 blocks (34 bytes), two unknown 2-byte options, 2 bytes of EOL padding
    const seg = tcp({
      srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TCP_ACK, window: 0,
      options: [...opt.sack([[1, 2], [3, 4], [5, 6], [7, 8]]), ...opt.raw(30), ...opt.raw(31)],
    });
    const p = decode(eth4(seg));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.tcpHeaderLen, 60);
    assert.equal(p.sackCount, 4);
    assert.deepEqual([...p.sack], [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual([...p.unknownKinds.subarray(0, p.unknownCount)], [30, 31]);

    // 20 unknown 2-byte options fill the 40 option bytes
    const kinds = Array.from({ length: 20 }, (_, i) => 100 + i);
    const many = tcp({ srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TCP_ACK, window: 0, options: kinds.flatMap((k) => opt.raw(k)) });
    const q = decode(eth4(many));
    assert.equal(q.status, DECODED_TCP);
    assert.equal(q.tcpHeaderLen, 60);
    assert.equal(q.unknownCount, MAX_UNKNOWN_OPTIONS);
    assert.deepEqual([...q.unknownKinds], kinds);
  });

  it('the AE bit (0x100, the former NS bit) is the low bit of byte 12', () => {
    const seg = tcp({ srcPort: 1, dstPort: 2, seq: 3, ack: 4, flags: TCP_AE | TCP_CWR | TCP_ECE | TCP_ACK, window: 5 });
    assert.equal(seg[12], 0x51);
    const p = decode(eth4(seg));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.flags, 0x1d0);
    assert.equal(p.flags & TCP_AE, TCP_AE);
    assert.equal(p.tcpHeaderLen, 20);
  });

  it('the three reserved bits of byte 12 do not leak into the flags or the header length', () => {
    const seg = tcp({ srcPort: 1, dstPort: 2, seq: 3, ack: 4, flags: TCP_FIN | TCP_RST | TCP_URG, window: 5, urgent: 9 });
    seg[12] = 0x5e; // data offset 5, reserved 111, AE 0
    const p = decode(eth4(seg));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.flags, 0x025);
    assert.equal(p.tcpHeaderLen, 20);
    assert.equal(p.urgent, 9);
  });
});

describe('TCP: impossible lengths are rejected', () => {
  it('data offset < 5 is malformed tcp', () => {
    const p = decode(eth4(tcp({ srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TCP_SYN, window: 0, dataOffset: 4 })));
    assert.equal(p.status, MALFORMED);
    assert.equal(p.layer, L_TCP);
    assert.equal(p.detailA, 16);
    assert.equal(p.detailB, 20);
  });

  it('data offset 0 is malformed tcp', () => {
    const p = decode(eth4(tcp({ srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TCP_SYN, window: 0, dataOffset: 0, payload: fill(40) })));
    assert.equal(p.status, MALFORMED);
    assert.equal(p.layer, L_TCP);
    assert.equal(p.detailA, 0);
  });

  it('data offset beyond a segment of at least 20 bytes is a flagged short segment (Wireshark: "short segment")', () => {
    // header claims 60 bytes (with an MSS option inside), the IP packet carries a 28-byte segment
    const seg = tcp({ srcPort: 1, dstPort: 2, seq: 77, ack: 88, flags: TCP_ACK, window: 9, options: opt.mss(1000), dataOffset: 15, payload: fill(4) });
    const p = decode(eth4(seg));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.shortSegment, true);
    assert.equal(p.srcPort, 1);
    assert.equal(p.dstPort, 2);
    assert.equal(p.seq32, 77);
    assert.equal(p.ack32, 88);
    assert.equal(p.flags, TCP_ACK);
    assert.equal(p.tcpHeaderLen, 60);
    assert.equal(p.payloadLen, 0);
    assert.equal(p.capturedPayload, 0);
    assert.equal(p.payloadOffset, 34 + 28);
    assert.equal(p.mss, -1, 'options of a short segment are not read');
    assert.equal(p.truncated, false);
  });

  it('a well-formed segment is not a short segment', () => {
    assert.equal(decode(eth4(tcp(SYN))).shortSegment, false);
  });

  it('a segment shorter than 20 bytes by the IP length is malformed even when more bytes (trailer padding) were captured', () => {
    // IPv4 total length 32: a 12-byte segment; the 8 bytes after it are Ethernet padding, not TCP
    const seg = tcp({ srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TCP_ACK, window: 0 });
    const p = decode(eth4(seg, { totalLength: 20 + 12 }));
    assert.equal(p.status, MALFORMED, `status ${p.status}, shortSegment ${p.shortSegment}`);
    assert.equal(p.layer, L_TCP);
    assert.equal(p.detailA, 12);
    assert.equal(p.detailB, 20);
  });

  it('a segment shorter than 20 bytes by the IP length and by capture is malformed, not truncated', () => {
    const seg = tcp({ srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TCP_ACK, window: 0 }).subarray(0, 12);
    const p = decode(eth4(seg));
    assert.equal(p.status, MALFORMED);
    assert.equal(p.layer, L_TCP);
    assert.equal(p.detailA, 12);
    assert.equal(p.detailB, 20);
  });

  it('a 20-byte segment whose header is cut by the capture is SKIPPED truncated-header at layer tcp', () => {
    const frame = eth4(tcp({ srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TCP_ACK, window: 0 }));
    const d = new Decoder();
    assert.equal(d.decodeBytes(frame, 0, frame.length - 1, LINKTYPE.EN10MB, frame.length), SKIPPED);
    assert.equal(d.packet.skip, SKIP_TRUNCATED);
    assert.equal(d.packet.layer, L_TCP);
  });
});

describe('TCP: malformed options', () => {
  const base = { srcPort: 1000, dstPort: 2000, seq: 1, ack: 2, flags: TCP_SYN, window: 100 };

  for (const badLen of [0, 1]) {
    it(`an option with length ${badLen} sets optionsMalformed, keeps what came before, and the packet still decodes`, () => {
      const p = decode(eth4(tcp({ ...base, options: [...opt.mss(1460), 30, badLen, ...opt.wscale(7)], payload: seqBytes(4) })));
      assert.equal(p.status, DECODED_TCP);
      assert.equal(p.optionsMalformed, true);
      assert.equal(p.mss, 1460);
      assert.equal(p.wscale, -1, 'parsing stops at the bad option');
      assert.equal(p.tcpHeaderLen, 32);
      assert.equal(p.payloadLen, 4);
      assert.equal(p.srcPort, 1000);
    });
  }

  it('an option whose length runs past the header sets optionsMalformed', () => {
    const p = decode(eth4(tcp({ ...base, options: [...opt.nop(), 2, 8, 5, 0xb4], payload: fill(8, 0x41) })));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.optionsMalformed, true);
    assert.equal(p.mss, -1);
    assert.equal(p.payloadLen, 8);
  });

  it('a kind byte alone at the end of the header sets optionsMalformed', () => {
    const p = decode(eth4(tcp({ ...base, options: [1, 1, 1, 2] })));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.optionsMalformed, true);
  });

  it('an option running past a fully captured header is malformed even when the payload is cut by the snaplen', () => {
    // options area complete (capture ends 10 bytes into a 100-byte payload): the bad length is in the bytes
    // options: NOP, MSS claiming length 8 in a 28-byte header (5 option bytes + 3 of EOL padding)
    const frame = eth4(tcp({ ...base, options: [...opt.nop(), 2, 8, 5, 0xb4], payload: fill(100, 0x41) }));
    const d = new Decoder();
    assert.equal(d.decodeBytes(frame, 0, 14 + 20 + 28 + 10, LINKTYPE.EN10MB, frame.length), DECODED_TCP);
    assert.equal(d.packet.tcpHeaderLen, 28);
    assert.equal(d.packet.truncated, true);
    assert.equal(d.packet.capturedPayload, 10);
    assert.equal(d.packet.optionsMalformed, true);
  });

  it('a kind byte alone at the end of a fully captured header is malformed even when the payload is cut', () => {
    const frame = eth4(tcp({ ...base, options: [1, 1, 1, 2], payload: fill(100, 0x41) }));
    const d = new Decoder();
    assert.equal(d.decodeBytes(frame, 0, 14 + 20 + 24 + 10, LINKTYPE.EN10MB, frame.length), DECODED_TCP);
    assert.equal(d.packet.tcpHeaderLen, 24);
    assert.equal(d.packet.truncated, true);
    assert.equal(d.packet.optionsMalformed, true);
  });

  it('known options with the wrong length set optionsMalformed and are not read', () => {
    const cases: [number[], keyof Packet][] = [
      [[2, 5, 5, 0xb4, 0], 'mss'],
      [[3, 4, 7, 0], 'wscale'],
      [[4, 3, 0], 'sackPermitted'],
      [[8, 9, 0, 0, 0, 1, 0, 0, 0], 'hasTimestamps'],
      [[5, 9, 0, 0, 0, 1, 0, 0, 0], 'sackCount'],
    ];
    for (const [o, field] of cases) {
      const p = decode(eth4(tcp({ ...base, options: o })));
      assert.equal(p.status, DECODED_TCP, String(field));
      assert.equal(p.optionsMalformed, true, String(field));
      const v = p[field];
      assert.ok(v === -1 || v === false || v === 0, `${String(field)} = ${String(v)}`);
    }
  });

  it('EOL ends the options: what follows is padding', () => {
    const p = decode(eth4(tcp({ ...base, options: [...opt.mss(1400), ...opt.eol(), 3, 3, 9, 0] })));
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.mss, 1400);
    assert.equal(p.wscale, -1);
    assert.equal(p.optionsMalformed, false);
  });
});

describe('TCP: Packet reuse leaves no stale fields', () => {
  const synFull = eth4(tcp({
    srcPort: 1, dstPort: 2, seq: 3, ack: 0, flags: TCP_SYN, window: 9,
    options: [...opt.mss(1460), ...opt.sackPerm(), ...opt.timestamps(5, 6), ...opt.nop(), ...opt.wscale(7), ...opt.nop(), ...opt.nop(), ...opt.sack([[1, 2]]), ...opt.raw(99)],
  }));
  const bare = eth4(tcp({ srcPort: 2, dstPort: 1, seq: 4, ack: 4, flags: TCP_ACK, window: 10, payload: seqBytes(5) }));

  function assertNoOptions(p: Packet): void {
    assert.equal(p.status, DECODED_TCP);
    assert.equal(p.srcPort, 2);
    assert.equal(p.mss, -1);
    assert.equal(p.wscale, -1);
    assert.equal(p.sackPermitted, false);
    assert.equal(p.hasTimestamps, false);
    assert.equal(p.sackCount, 0);
    assert.equal(p.unknownCount, 0);
    assert.equal(p.optionsMalformed, false);
    assert.equal(p.truncated, false);
  }

  it('decode(frame): a SYN with options then a segment without options', () => {
    const d = new Decoder();
    const f = new Frame();
    f.linkType = LINKTYPE.EN10MB;
    f.buf = synFull;
    f.capLen = synFull.length;
    assert.equal(d.decode(f), DECODED_TCP);
    assert.equal(d.packet.mss, 1460);
    assert.equal(d.packet.sackCount, 1);
    assert.equal(d.packet.unknownCount, 1);
    f.buf = bare;
    f.capLen = bare.length;
    d.decode(f);
    assertNoOptions(d.packet);
  });

  it('decodeBytes(): a SYN with options then a segment without options', () => {
    const d = new Decoder();
    assert.equal(d.decodeBytes(synFull, 0, synFull.length, LINKTYPE.EN10MB), DECODED_TCP);
    assert.equal(d.packet.mss, 1460);
    d.decodeBytes(bare, 0, bare.length, LINKTYPE.EN10MB);
    assertNoOptions(d.packet);
  });

  it('decodeBytes(): a truncated segment then a complete one is not truncated', () => {
    const d = new Decoder();
    assert.equal(d.decodeBytes(bare, 0, bare.length - 2, LINKTYPE.EN10MB, bare.length), DECODED_TCP);
    assert.equal(d.packet.truncated, true);
    assert.equal(d.decodeBytes(bare, 0, bare.length, LINKTYPE.EN10MB), DECODED_TCP);
    assert.equal(d.packet.truncated, false);
  });

  it('decodeBytes(): a TCP segment then a non-IP frame does not report the old TCP status', () => {
    const d = new Decoder();
    assert.equal(d.decodeBytes(bare, 0, bare.length, LINKTYPE.EN10MB), DECODED_TCP);
    const arp = ethernet({ type: ETHERTYPE.ARP, payload: fill(28) });
    assert.equal(d.decodeBytes(arp, 0, arp.length, LINKTYPE.EN10MB), SKIPPED);
  });
});
