/**
 * Robustness: every prefix of a valid frame is rejected or flagged, never mis-read; walking is
 * bounded (nested tunnels, VLAN tags, MPLS labels); seeded random and mutated frames of every
 * supported link type never throw, never read past the captured length, and keep the Packet's
 * offsets consistent.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder, isSupportedLinkType } from '../../src/decode/decoder.js';
import {
  DECODED_TCP, MALFORMED, SKIPPED, SKIP_TRUNCATED, SKIP_TUNNEL_DEPTH, SKIP_NAMES, LAYER_NAMES, L_VLAN, L_MPLS,
  ENC_IP_IN_IP, TCP_SYN,
} from '../../src/decode/packet.js';
import { Frame } from '../../src/capture/frame.js';
import { LINKTYPE } from '../../src/capture/linktypes.js';
import { cat, ethernet, ETHERTYPE, ext6, fill, gre, ip4, ipv4, ipv6, IPPROTO, mpls, tcp, udp, vxlan } from '../helpers/wire.js';
import { snapshot, SEG, ipPackets, v6, WRAPPERS, SUPPORTED, checkDecoded } from '../helpers/frames.js';

const PREFIX_FRAMES: [string, Uint8Array][] = [
  ['Ethernet / IPv4 / TCP', ethernet({ type: ETHERTYPE.IPV4, payload: ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: IPPROTO.TCP, payload: SEG }) })],
  ['Ethernet / IPv6 / TCP', ethernet({ type: ETHERTYPE.IPV6, payload: ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: IPPROTO.TCP, payload: SEG }) })],
  ['Ethernet / IPv6 + hop-by-hop + dest-opts / TCP', ethernet({
    type: ETHERTYPE.IPV6,
    payload: ipv6({ src: '2001:db8::1', dst: '2001:db8::2', next: IPPROTO.TCP, payload: SEG, extHeaders: [ext6.hopByHop(), ext6.destOpts(fill(6))] }),
  })],
  ['Ethernet / IPv4 / UDP / VXLAN / Ethernet / IPv4 / TCP', ethernet({
    type: ETHERTYPE.IPV4,
    payload: ipv4({
      src: '203.0.113.1', dst: '203.0.113.2', proto: IPPROTO.UDP,
      payload: udp({ srcPort: 1, dstPort: 4789, payload: vxlan(3, ethernet({ type: ETHERTYPE.IPV4, payload: ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: IPPROTO.TCP, payload: SEG }) })) }),
    }),
  })],
];

/** Fields read from the fixed 20-byte TCP header and the IP header. */
const FIXED = ['ipVersion', 'ipOffset', 'ipHeaderLen', 'ttl', 'ipId', 'src', 'dst', 'encap', 'vlan', 'tcpOffset', 'srcPort', 'dstPort',
  'seq', 'ack', 'tcpHeaderLen', 'flags', 'window', 'checksum', 'urgent', 'payloadLen', 'payloadOffset'] as const;

describe('a captured length past the buffer (the DataView reads only captured bytes)', () => {
  it('is read as the bytes the buffer has: every prefix buffer with the full length flagged, never thrown', () => {
    for (const [name, frame] of PREFIX_FRAMES) {
      for (let n = 0; n <= frame.length; n++) {
        const shortBuf = frame.slice(0, n);
        const d = new Decoder();
        // the length says the whole frame, the buffer holds n bytes of it
        const s = d.decodeBytes(shortBuf, 0, frame.length, LINKTYPE.EN10MB, frame.length);
        const ref = new Decoder();
        const t = ref.decodeBytes(frame, 0, n, LINKTYPE.EN10MB, frame.length);
        assert.equal(s, t, `${name}, ${n} bytes in the buffer`);
        assert.deepEqual(snapshot(d.packet), snapshot(ref.packet), `${name}, ${n} bytes in the buffer`);
      }
      // an offset past the end too
      assert.equal(new Decoder().decodeBytes(frame, frame.length + 5, 40, LINKTYPE.EN10MB), SKIPPED);
    }
  });
});

describe('every shorter prefix is rejected or flagged, never mis-read', () => {
  for (const [name, frame] of PREFIX_FRAMES) {
    it(name, () => {
      const full = new Decoder();
      assert.equal(full.decodeBytes(frame, 0, frame.length, LINKTYPE.EN10MB), DECODED_TCP);
      const ref = snapshot(full.packet);
      assert.equal(ref.truncated, false);
      assert.equal(ref.payloadLen, 37);
      assert.equal(ref.mss, 1460);
      assert.equal(ref.sackCount, 1);
      const tcpOffset = full.packet.tcpOffset;
      const hdrEnd = tcpOffset + full.packet.tcpHeaderLen;
      let decoded = 0;
      for (let n = 0; n <= frame.length; n++) {
        const d = new Decoder();
        const s = d.decodeBytes(frame, 0, n, LINKTYPE.EN10MB, frame.length);
        const p = d.packet;
        // the bytes after n must not matter: decode the same prefix followed by different bytes
        const other = new Decoder();
        other.decodeBytes(cat(frame.subarray(0, n), fill(80, 0xa5)), 0, n, LINKTYPE.EN10MB, frame.length);
        assert.deepEqual(snapshot(other.packet), snapshot(p), `prefix ${n}: result depends on bytes past the capture`);
        if (s === SKIPPED) {
          assert.equal(p.skip, SKIP_TRUNCATED, `prefix ${n}: skip ${SKIP_NAMES[p.skip]}`);
          continue;
        }
        if (s === MALFORMED) continue;
        assert.equal(s, DECODED_TCP);
        decoded++;
        assert.ok(n >= tcpOffset + 20, `prefix ${n} decoded without a whole fixed TCP header`);
        assert.equal(p.truncated, n < frame.length, `prefix ${n}: truncated`);
        const got = snapshot(p);
        for (const f of FIXED) assert.deepEqual(got[f], ref[f], `prefix ${n}: ${f}`);
        assert.equal(p.capturedPayload, Math.max(0, n - hdrEnd), `prefix ${n}: capturedPayload`);
        assert.equal(p.optionsMalformed, false, `prefix ${n}: a cut option is truncation, not malformation`);
        // options cut by the capture are absent, never different
        for (const f of ['mss', 'wscale'] as const) assert.ok(p[f] === ref[f] || p[f] === -1, `prefix ${n}: ${f} = ${p[f]}`);
        for (const f of ['sackPermitted', 'hasTimestamps'] as const) assert.ok(p[f] === ref[f] || p[f] === false, `prefix ${n}: ${f}`);
        if (p.hasTimestamps) assert.deepEqual([p.tsVal, p.tsEcr], [ref.tsVal, ref.tsEcr]);
        assert.ok(p.sackCount === 0 || p.sackCount === ref.sackCount);
        if (p.sackCount > 0) assert.deepEqual([...p.sack.subarray(0, 2)], [10, 20]);
        if (n >= hdrEnd) assert.deepEqual(got, { ...ref, truncated: n < frame.length, capturedPayload: n - hdrEnd }, `prefix ${n}`);
      }
      // decoded exactly when the fixed 20-byte TCP header is present
      assert.equal(decoded, frame.length - (tcpOffset + 20) + 1);
    });
  }
});

describe('bounded walking', () => {
  const inner = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: IPPROTO.TCP, payload: tcp({ srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: TCP_SYN, window: 0 }) });

  function nestIpIp(levels: number): Uint8Array {
    let pkt = inner;
    for (let i = 0; i < levels; i++) pkt = ipv4({ src: `10.0.${i}.1`, dst: `10.0.${i}.2`, proto: IPPROTO.IPIP, payload: pkt });
    return ethernet({ type: ETHERTYPE.IPV4, payload: pkt });
  }

  it('5 nested IP-in-IP headers decode to the innermost TCP', () => {
    const d = new Decoder();
    const f = nestIpIp(5);
    assert.equal(d.decodeBytes(f, 0, f.length, LINKTYPE.EN10MB), DECODED_TCP);
    assert.equal(d.packet.src[0], ip4('192.0.2.1'));
    assert.equal(d.packet.encap, ENC_IP_IN_IP);
    assert.equal(d.packet.tcpOffset, 14 + 6 * 20);
  });

  it('30 nested IP-in-IP headers end SKIPPED encapsulation-too-deep (or MALFORMED), without throwing', () => {
    const d = new Decoder();
    const f = nestIpIp(29);
    const s = d.decodeBytes(f, 0, f.length, LINKTYPE.EN10MB);
    assert.ok(s === MALFORMED || (s === SKIPPED && d.packet.skip === SKIP_TUNNEL_DEPTH), `status ${s} skip ${SKIP_NAMES[d.packet.skip]}`);
  });

  it('30 nested GRE-in-IPv4 and 30 nested VXLAN layers end without throwing', () => {
    let g: Uint8Array = inner;
    let v: Uint8Array = ethernet({ type: ETHERTYPE.IPV4, payload: inner });
    for (let i = 0; i < 30; i++) {
      g = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IPPROTO.GRE, payload: gre({ proto: ETHERTYPE.IPV4, payload: g }) });
      v = ethernet({ type: ETHERTYPE.IPV4, payload: ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IPPROTO.UDP, payload: udp({ srcPort: 9, dstPort: 4789, payload: vxlan(i, v) }) }) });
    }
    for (const f of [ethernet({ type: ETHERTYPE.IPV4, payload: g }), v]) {
      const d = new Decoder();
      const s = d.decodeBytes(f, 0, f.length, LINKTYPE.EN10MB);
      assert.ok(s === MALFORMED || (s === SKIPPED && d.packet.skip === SKIP_TUNNEL_DEPTH), `status ${s} skip ${SKIP_NAMES[d.packet.skip]}`);
    }
  });

  it('8 VLAN tags decode; 9 VLAN tags → malformed vlan', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ tpid: 0x8100, vid: i + 1 }));
    const ok = new Decoder();
    const f8 = ethernet({ type: ETHERTYPE.IPV4, payload: inner, vlanTags: tags(8) });
    assert.equal(ok.decodeBytes(f8, 0, f8.length, LINKTYPE.EN10MB), DECODED_TCP);
    assert.equal(ok.packet.vlan, 1);
    const bad = new Decoder();
    const f9 = ethernet({ type: ETHERTYPE.IPV4, payload: inner, vlanTags: tags(9) });
    assert.equal(bad.decodeBytes(f9, 0, f9.length, LINKTYPE.EN10MB), MALFORMED);
    assert.equal(bad.packet.layer, L_VLAN);
    assert.deepEqual([bad.packet.detailA, bad.packet.detailB], [8, 8]);
  });

  it('16 MPLS labels decode; 17 labels without bottom-of-stack → malformed mpls', () => {
    const labels = (n: number) => Array.from({ length: n }, (_, i) => 16 + i);
    const ok = new Decoder();
    const f16 = ethernet({ type: ETHERTYPE.MPLS, payload: mpls(labels(16), inner) });
    assert.equal(ok.decodeBytes(f16, 0, f16.length, LINKTYPE.EN10MB), DECODED_TCP);
    assert.equal(ok.packet.tcpOffset, 14 + 64 + 20);
    const bad = new Decoder();
    const f17 = ethernet({ type: ETHERTYPE.MPLS, payload: mpls(labels(17), inner, false) });
    assert.equal(bad.decodeBytes(f17, 0, f17.length, LINKTYPE.EN10MB), MALFORMED);
    assert.equal(bad.packet.layer, L_MPLS);
  });
});

// ---------------------------------------------------------------------------------------------
// Seeded random frames

/** Numerical Recipes LCG; the fixed seed makes every run decode the same bytes. */
class Lcg {
  constructor(private s: number) {}
  next(): number {
    this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
    return this.s;
  }
  byte(): number {
    return this.next() >>> 24;
  }
  below(n: number): number {
    return Math.floor((this.next() / 0x100000000) * n);
  }
}

const BUFFERS_PER_LINK_TYPE = 2000;
const HEAD = 3; // the frame starts 3 bytes into its buffer
const TAIL = 24; // bytes after the frame that the decoder must not read

/**
 * The next random frame for a link type: pure noise, or a valid frame with bytes changed and/or
 * cut (as by a snapshot length: the wire length stays the template's).
 */
function randomFrame(rng: Lcg, templates: Uint8Array[]): { bytes: Uint8Array; wireLen: number } {
  const mode = rng.below(4);
  if (mode === 0) {
    const b = new Uint8Array(rng.below(200));
    for (let i = 0; i < b.length; i++) b[i] = rng.byte();
    return { bytes: b, wireLen: b.length + (rng.below(2) ? rng.below(2000) : 0) };
  }
  const t = Uint8Array.from(templates[rng.below(templates.length)]);
  if (mode !== 2) {
    const k = 1 + rng.below(6);
    for (let i = 0; i < k; i++) {
      // mostly in the headers
      const pos = rng.below(Math.min(t.length, rng.below(2) ? 140 : t.length));
      t[pos] = rng.below(3) === 0 ? [0, 0xff, 0x01, 0x40, 0x45, 0x60, 0x81, 0x86][rng.below(8)] : rng.byte();
    }
  }
  return mode === 1 ? { bytes: t, wireLen: t.length } : { bytes: t.subarray(0, rng.below(t.length + 1)), wireLen: t.length };
}

/** Places the frame at HEAD in a buffer followed by TAIL bytes of `tail`. */
function framed(frame: Uint8Array, tail: number): Uint8Array {
  return cat(fill(HEAD, tail), frame, fill(TAIL, tail));
}

describe('seeded random frames', () => {
  it('every supported link type has a wrapper here', () => {
    const supported: number[] = [];
    for (let lt = 0; lt < 1024; lt++) if (isSupportedLinkType(lt)) supported.push(lt);
    assert.deepEqual(supported, [...SUPPORTED].sort((a, b) => a - b));
    assert.equal(SUPPORTED.length, 20);
  });

  it(`${BUFFERS_PER_LINK_TYPE} random buffers × every supported link type: never throws, one of three statuses, consistent offsets, nothing read past the capture`, () => {
    const ips = ipPackets();
    let decodedTcp = 0;
    const counts = [0, 0, 0];
    for (const lt of SUPPORTED) {
      const templates = ips.map(WRAPPERS[lt]);
      // every template decodes as built
      for (const [i, t] of templates.entries()) {
        const d = new Decoder();
        const s = d.decodeBytes(t, 0, t.length, lt);
        const ok = s === DECODED_TCP || (lt === LINKTYPE.IPV4 && v6(ips[i])) || (lt === LINKTYPE.IPV6 && !v6(ips[i]));
        assert.ok(ok, `link type ${lt} template ${i}: status ${s} ${SKIP_NAMES[d.packet.skip]} ${d.packet.reason}`);
      }
      const rng = new Lcg(0x5eed0000 + lt);
      const a = new Decoder();
      const b = new Decoder();
      const fa = new Frame();
      const fb = new Frame();
      fa.linkType = fb.linkType = lt;
      fa.dataOffset = fb.dataOffset = HEAD;
      for (let i = 0; i < BUFFERS_PER_LINK_TYPE; i++) {
        const { bytes: frame, wireLen } = randomFrame(rng, templates);
        const where = `link type ${lt} buffer ${i} (wire length ${wireLen}: ${Buffer.from(frame).toString('hex')})`;
        fa.buf = framed(frame, 0x00);
        fb.buf = framed(frame, 0xff);
        fa.capLen = fb.capLen = frame.length;
        fa.origLen = fb.origLen = wireLen;
        let s: number;
        try {
          s = a.decode(fa);
          b.decode(fb);
        } catch (e) {
          assert.fail(`${where}: threw ${String(e)}`);
        }
        assert.ok(s === DECODED_TCP || s === SKIPPED || s === MALFORMED, `${where}: status ${s}`);
        assert.equal(a.packet.status, s);
        counts[s]++;
        assert.deepEqual(snapshot(b.packet), snapshot(a.packet), `${where}: result depends on bytes outside the frame`);
        if (s === DECODED_TCP) {
          decodedTcp++;
          checkDecoded(a.packet, HEAD, HEAD + frame.length, where);
        }
      }
    }
    // the mutated frames exercise the TCP path, not just the early rejections
    assert.ok(decodedTcp > SUPPORTED.length * BUFFERS_PER_LINK_TYPE * 0.2, `only ${decodedTcp} decoded`);
    assert.ok(counts[SKIPPED] > 0 && counts[MALFORMED] > 0);
  });

  it('every SKIPPED result names a reason and every MALFORMED one a layer and a reason', () => {
    const ips = ipPackets();
    for (const lt of SUPPORTED) {
      const templates = ips.map(WRAPPERS[lt]);
      const rng = new Lcg(0x5eed0000 + lt);
      const d = new Decoder();
      const f = new Frame();
      f.linkType = lt;
      for (let i = 0; i < BUFFERS_PER_LINK_TYPE; i++) {
        const { bytes: frame, wireLen } = randomFrame(rng, templates);
        f.buf = frame;
        f.capLen = frame.length;
        f.origLen = wireLen;
        const s = d.decode(f);
        const where = `link type ${lt} buffer ${i} (wire length ${wireLen}: ${Buffer.from(frame).toString('hex')})`;
        if (s === SKIPPED) assert.ok(d.packet.skip > 0 && d.packet.skip < SKIP_NAMES.length, `${where}: skip ${d.packet.skip}`);
        if (s === MALFORMED) {
          assert.ok(d.packet.layer >= 0 && d.packet.layer < LAYER_NAMES.length, `${where}: layer ${d.packet.layer}`);
          assert.ok(d.packet.reason.length > 0, `${where}: no reason`);
        }
      }
    }
  });
});
