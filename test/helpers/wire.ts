/**
 * Byte builders for decoder tests. Each builder lays its header out field by field, in wire
 * order, with a comment per field, so a test reads like the packet it describes. Multi-byte
 * fields are big-endian unless the protocol says otherwise (radiotap, PPI, NFLOG TLVs, NULL).
 * Overrides (`dataOffset`, `ihl`, `totalLength`, `payloadLength`, ...) exist to build
 * deliberately impossible headers.
 */

export type Bytes = Uint8Array | readonly number[];

/** Concatenates byte runs. */
export function cat(...parts: Bytes[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const u8 = (v: number): number[] => [v & 0xff];
export const u16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
export const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
export const u16le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff];
export const u32le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

/** n copies of a byte. */
export function fill(n: number, v = 0): Uint8Array {
  return new Uint8Array(n).fill(v);
}

/** Bytes 0, 1, 2, ... (mod 256) — recognisable payload. */
export function seqBytes(n: number, start = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (start + i) & 0xff;
  return b;
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** '192.0.2.1' → 0xc0000201 (unsigned). */
export function ip4(s: string): number {
  const p = s.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`bad IPv4 ${s}`);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

/** '2001:db8::1' → four big-endian 32-bit words, as Packet.src/dst hold them. */
export function ip6(s: string): number[] {
  const b = ip6Bytes(s);
  const w: number[] = [];
  for (let i = 0; i < 16; i += 4) w.push(((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0);
  return w;
}

/** '2001:db8::1' → its 16 bytes. */
export function ip6Bytes(s: string): Uint8Array {
  const halves = s.split('::');
  if (halves.length > 2) throw new Error(`bad IPv6 ${s}`);
  const groups = (h: string): number[] => (h === '' ? [] : h.split(':').map((g) => parseInt(g, 16)));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const zeros = 8 - head.length - tail.length;
  if (zeros < 0 || (halves.length === 1 && zeros !== 0)) throw new Error(`bad IPv6 ${s}`);
  const all = [...head, ...new Array<number>(zeros).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** 'aa:bb:cc:dd:ee:ff' → 6 bytes. */
export function mac(s: string): number[] {
  return s.split(':').map((x) => parseInt(x, 16));
}

const MAC_A = mac('02:00:00:00:00:0a');
const MAC_B = mac('02:00:00:00:00:0b');

/** Internet checksum (RFC 1071) of bytes. */
export function inetChecksum(b: Bytes): number {
  let s = 0;
  for (let i = 0; i + 1 < b.length; i += 2) s += (b[i] << 8) | b[i + 1];
  if (b.length & 1) s += b[b.length - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

// ---------------------------------------------------------------------------------------------
// TCP (RFC 9293 §3.1) and its options

export interface TcpSpec {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** 9-bit flags (TCP_* bits; 0x100 = AE). */
  flags: number;
  window: number;
  checksum?: number;
  urgent?: number;
  /** Option bytes; padded with EOL (0) to a multiple of 4 unless `padOptions` is false. */
  options?: Bytes;
  padOptions?: boolean;
  payload?: Bytes;
  /** Data offset in 32-bit words (default: from the header length). */
  dataOffset?: number;
}

export function tcp(s: TcpSpec): Uint8Array {
  let opts: Uint8Array = Uint8Array.from(s.options ?? []);
  if (s.padOptions !== false && opts.length % 4 !== 0) opts = cat(opts, fill(4 - (opts.length % 4)));
  const doff = s.dataOffset ?? (20 + opts.length) / 4;
  return cat(
    u16(s.srcPort), //                 source port
    u16(s.dstPort), //                 destination port
    u32(s.seq), //                     sequence number
    u32(s.ack), //                     acknowledgment number
    u8((doff << 4) | ((s.flags >> 8) & 0x01)), // data offset(4) reserved(3) AE(1)
    u8(s.flags & 0xff), //             CWR ECE URG ACK PSH RST SYN FIN
    u16(s.window), //                  window
    u16(s.checksum ?? 0), //           checksum
    u16(s.urgent ?? 0), //             urgent pointer
    opts, //                           options
    s.payload ?? [], //                data
  );
}

export const opt = {
  /** End of option list (kind 0). */
  eol: (): number[] => [0],
  /** No-operation (kind 1). */
  nop: (): number[] => [1],
  /** Maximum segment size: kind 2, length 4, MSS. */
  mss: (v: number): number[] => [2, 4, ...u16(v)],
  /** Window scale: kind 3, length 3, shift count. */
  wscale: (shift: number): number[] => [3, 3, shift],
  /** SACK permitted: kind 4, length 2. */
  sackPerm: (): number[] => [4, 2],
  /** SACK: kind 5, length 2 + 8n, then n (left edge, right edge) pairs. */
  sack: (blocks: readonly (readonly [number, number])[]): number[] => [
    5, 2 + 8 * blocks.length, ...blocks.flatMap(([l, r]) => [...u32(l), ...u32(r)]),
  ],
  /** Timestamps: kind 8, length 10, TSval, TSecr. */
  timestamps: (tsVal: number, tsEcr: number): number[] => [8, 10, ...u32(tsVal), ...u32(tsEcr)],
  /** Any option: kind, length (default 2 + data length), data. */
  raw: (kind: number, data: Bytes = [], len?: number): number[] => [kind, len ?? 2 + data.length, ...data],
};

// ---------------------------------------------------------------------------------------------
// IPv4 (RFC 791)

export const IPPROTO = { ICMP: 1, IPIP: 4, TCP: 6, UDP: 17, IPV6: 41, GRE: 47, ESP: 50, ICMPV6: 58, NONE: 59 } as const;

export interface Ipv4Spec {
  src: string;
  dst: string;
  proto: number;
  payload: Bytes;
  /** Option bytes (padded with EOL to a multiple of 4). */
  options?: Bytes;
  /** Header length in 32-bit words (default: from the header). */
  ihl?: number;
  /** Version nibble (default 4). */
  version?: number;
  /** Total length (default: header + payload). */
  totalLength?: number;
  /** 3 flag bits: 0x2 DF, 0x1 MF. */
  flags?: number;
  /** Fragment offset in 8-byte units. */
  fragOffset?: number;
  id?: number;
  ttl?: number;
  tos?: number;
}

export function ipv4(s: Ipv4Spec): Uint8Array {
  let opts: Uint8Array = Uint8Array.from(s.options ?? []);
  if (opts.length % 4 !== 0) opts = cat(opts, fill(4 - (opts.length % 4)));
  const hl = 20 + opts.length;
  const ihl = s.ihl ?? hl / 4;
  const total = s.totalLength ?? hl + s.payload.length;
  const header = cat(
    u8(((s.version ?? 4) << 4) | (ihl & 0x0f)), // version(4) IHL(4)
    u8(s.tos ?? 0), //                             DSCP(6) ECN(2)
    u16(total), //                                 total length
    u16(s.id ?? 0), //                             identification
    u16(((s.flags ?? 0) << 13) | (s.fragOffset ?? 0)), // flags(3) fragment offset(13)
    u8(s.ttl ?? 64), //                            time to live
    u8(s.proto), //                                protocol
    u16(0), //                                     header checksum (filled below)
    u32(ip4(s.src)), //                            source address
    u32(ip4(s.dst)), //                            destination address
    opts, //                                       options
  );
  const ck = inetChecksum(header);
  header[10] = ck >> 8;
  header[11] = ck & 0xff;
  return cat(header, s.payload);
}

/** IPv4 option bytes: type, length (default 2 + data), data. */
export function ipv4Option(type: number, data: Bytes = [], len?: number): number[] {
  return [type, len ?? 2 + data.length, ...data];
}

// ---------------------------------------------------------------------------------------------
// IPv6 (RFC 8200) and extension headers

export interface ExtHeader {
  /** Header type (the value the previous header's Next Header field names). */
  type: number;
  /** The whole header; byte 0 (its Next Header field) is filled in by ipv6(). */
  bytes: Bytes;
}

export interface Ipv6Spec {
  src: string;
  dst: string;
  /** Protocol after the last extension header. */
  next: number;
  payload: Bytes;
  extHeaders?: ExtHeader[];
  /** Payload length (default: extension headers + payload). */
  payloadLength?: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  version?: number;
}

export function ipv6(s: Ipv6Spec): Uint8Array {
  const ext = s.extHeaders ?? [];
  const chain: Uint8Array[] = ext.map((h, i) => {
    const b = Uint8Array.from(h.bytes);
    b[0] = i + 1 < ext.length ? ext[i + 1].type : s.next;
    return b;
  });
  const extBytes = cat(...chain);
  const plen = s.payloadLength ?? extBytes.length + s.payload.length;
  const tc = s.trafficClass ?? 0;
  const fl = s.flowLabel ?? 0;
  return cat(
    u32((((s.version ?? 6) << 28) | (tc << 20) | (fl & 0xfffff)) >>> 0), // version(4) traffic class(8) flow label(20)
    u16(plen), //                                  payload length
    u8(ext.length > 0 ? ext[0].type : s.next), //  next header
    u8(s.hopLimit ?? 64), //                       hop limit
    ip6Bytes(s.src), //                            source address
    ip6Bytes(s.dst), //                            destination address
    extBytes, //                                   extension headers
    s.payload, //                                  upper-layer payload
  );
}

/** Options padded with PadN (or Pad1) so that 2 + options is a multiple of 8. */
function padOptions6(options: Bytes): number[] {
  const out = [...options];
  const rem = (2 + out.length) % 8;
  if (rem !== 0) {
    const pad = 8 - rem;
    if (pad === 1) out.push(0); // Pad1
    else out.push(1, pad - 2, ...new Array<number>(pad - 2).fill(0)); // PadN
  }
  return out;
}

export const ext6 = {
  /** Hop-by-Hop Options (0): next header, hdr ext len (8-byte units - 1), options. */
  hopByHop(options: Bytes = []): ExtHeader {
    const o = padOptions6(options);
    return { type: 0, bytes: [0, (2 + o.length) / 8 - 1, ...o] };
  },
  /** Destination Options (60): as hop-by-hop. */
  destOpts(options: Bytes = []): ExtHeader {
    const o = padOptions6(options);
    return { type: 60, bytes: [0, (2 + o.length) / 8 - 1, ...o] };
  },
  /** Routing (43): next header, hdr ext len, routing type, segments left, type data, addresses. */
  routing(routingType: number, segmentsLeft: number, addresses: string[]): ExtHeader {
    const addr = cat(...addresses.map(ip6Bytes));
    return {
      type: 43,
      bytes: [
        0, //                         next header
        addresses.length * 2, //      hdr ext len (8-byte units beyond the first 8)
        routingType, //               routing type
        segmentsLeft, //              segments left
        0, 0, 0, 0, //                reserved / type-specific data
        ...addr, //                   addresses
      ],
    };
  },
  /** Fragment (44): next header, reserved, offset(13) res(2) M(1), identification. */
  fragment(offset: number, more: boolean, id = 0x12345678): ExtHeader {
    return { type: 44, bytes: [0, 0, ...u16((offset << 3) | (more ? 1 : 0)), ...u32(id)] };
  },
  /** Authentication Header (51): next header, payload len (4-byte units - 2), reserved, SPI, seq, ICV. */
  ah(icvLen = 12): ExtHeader {
    return { type: 51, bytes: [0, (12 + icvLen) / 4 - 2, 0, 0, ...u32(0x100), ...u32(1), ...fill(icvLen)] };
  },
};

/** Jumbo Payload option (0xC2, length 4, 32-bit length) for a hop-by-hop header. */
export function jumboOption(len: number): number[] {
  return [0xc2, 4, ...u32(len)];
}

// ---------------------------------------------------------------------------------------------
// UDP (RFC 768)

export function udp(s: { srcPort: number; dstPort: number; payload: Bytes; length?: number; checksum?: number }): Uint8Array {
  return cat(
    u16(s.srcPort), //                        source port
    u16(s.dstPort), //                        destination port
    u16(s.length ?? 8 + s.payload.length), // length (header + data)
    u16(s.checksum ?? 0), //                  checksum (0 = none)
    s.payload,
  );
}

// ---------------------------------------------------------------------------------------------
// Link layers

export const ETHERTYPE = {
  IPV4: 0x0800, ARP: 0x0806, VLAN: 0x8100, IPV6: 0x86dd, QINQ: 0x88a8, QINQ_OLD: 0x9100, ETAG: 0x893f,
  MPLS: 0x8847, PPPOE_SESSION: 0x8864, TEB: 0x6558, PPP: 0x880b,
} as const;

export interface VlanTag {
  tpid: number;
  vid: number;
  pcp?: number;
}

/** Ethernet II with optional 802.1Q / 802.1ad / E-Tag tags (outermost first). */
export function ethernet(s: { dst?: Bytes; src?: Bytes; type: number; payload: Bytes; vlanTags?: VlanTag[] }): Uint8Array {
  const tags = (s.vlanTags ?? []).map((t, i, all) => {
    const inner = i + 1 < all.length ? all[i + 1].tpid : s.type;
    if (t.tpid === ETHERTYPE.ETAG) {
      // 802.1BR E-Tag, 6-byte E-TCI: PCP(3) DEI(1) ingress E-CID base(12); res(2) GRP(2) E-CID base(12);
      // ingress E-CID ext(8); E-CID ext(8) — then the next type
      return cat(u16((t.pcp ?? 0) << 13), u16(t.vid & 0x0fff), u8(0), u8(0), u16(inner));
    }
    return cat(u16(((t.pcp ?? 0) << 13) | (t.vid & 0x0fff)), u16(inner)); // TCI: PCP(3) DEI(1) VID(12), then the next type
  });
  const firstType = s.vlanTags && s.vlanTags.length > 0 ? s.vlanTags[0].tpid : s.type;
  return cat(
    s.dst ?? MAC_B, //   destination MAC
    s.src ?? MAC_A, //   source MAC
    u16(firstType), //   EtherType (or the first tag's TPID)
    ...tags, //          tag control info + next type, per tag
    s.payload,
  );
}

/** LLC/SNAP: DSAP AA, SSAP AA, control 03 (UI), OUI, EtherType. */
export function llcSnap(type: number, payload: Bytes, oui: Bytes = [0, 0, 0]): Uint8Array {
  return cat([0xaa, 0xaa, 0x03], oui, u16(type), payload);
}

/** IEEE 802.3 frame: destination, source, length (< 0x0600), then LLC data. */
export function ethernet8023(llc: Bytes, dst: Bytes = MAC_B, src: Bytes = MAC_A): Uint8Array {
  return cat(dst, src, u16(llc.length), llc);
}

/** Linux cooked capture v1 (16 bytes): packet type, ARPHRD, addr len, addr(8), protocol. */
export function sll(s: { proto: number; payload: Bytes; packetType?: number; arphrd?: number }): Uint8Array {
  return cat(
    u16(s.packetType ?? 0), //   packet type (0 = to us)
    u16(s.arphrd ?? 1), //       ARPHRD_ type (1 = Ethernet)
    u16(6), //                   link-layer address length
    MAC_A, [0, 0], //            link-layer address (8 bytes, zero padded)
    u16(s.proto), //             protocol (EtherType)
    s.payload,
  );
}

/** Linux cooked capture v2 (20 bytes): protocol, reserved, ifindex, ARPHRD, packet type, addr len, addr(8). */
export function sll2(s: { proto: number; payload: Bytes; ifindex?: number; packetType?: number; arphrd?: number }): Uint8Array {
  return cat(
    u16(s.proto), //             protocol (EtherType)
    u16(0), //                   reserved
    u32(s.ifindex ?? 2), //      interface index
    u16(s.arphrd ?? 1), //       ARPHRD_ type
    u8(s.packetType ?? 0), //    packet type
    u8(6), //                    link-layer address length
    MAC_A, [0, 0], //            link-layer address (8 bytes)
    s.payload,
  );
}

/** BSD loopback header: the 4-byte address family, in the given byte order. */
export function nullHeader(af: number, byteOrder: 'le' | 'be'): number[] {
  return byteOrder === 'le' ? u32le(af) : u32(af);
}

export const PPP_PROTO = { IPV4: 0x0021, IPV6: 0x0057, MPLS: 0x0281, LCP: 0xc021 } as const;

/** PPP (RFC 1661): optional address FF / control 03 (RFC 1662), protocol (1 byte if compressed). */
export function ppp(s: { proto: number; payload: Bytes; addressControl?: boolean; compressed?: boolean }): Uint8Array {
  return cat(
    s.addressControl === false ? [] : [0xff, 0x03], // address, control
    s.compressed ? u8(s.proto) : u16(s.proto), //     protocol
    s.payload,
  );
}

/** PPPoE session stage (RFC 2516): ver/type 0x11, code 0, session id, length; `ppp` starts with the PPP protocol. */
export function pppoe(session: number, pppFrame: Bytes): Uint8Array {
  return cat(
    u8(0x11), //             version 1, type 1
    u8(0x00), //             code: session data
    u16(session), //         session id
    u16(pppFrame.length), // length of the PPP frame
    pppFrame,
  );
}

/** Cisco HDLC: address (0x0f unicast), control 0, protocol (EtherType). */
export function ciscoHdlc(proto: number, payload: Bytes): Uint8Array {
  return cat([0x0f, 0x00], u16(proto), payload);
}

export interface MplsLabel {
  label: number;
  tc?: number;
  ttl?: number;
}

/**
 * MPLS label stack (RFC 3032): label(20) TC(3) S(1) TTL(8) per entry; S is set on the last
 * entry unless `bottom` is false.
 */
export function mpls(labels: (number | MplsLabel)[], payload: Bytes, bottom = true): Uint8Array {
  const entries = labels.map((l, i) => {
    const e = typeof l === 'number' ? { label: l } : l;
    const s = bottom && i === labels.length - 1 ? 1 : 0;
    return u32(((e.label << 12) | ((e.tc ?? 0) << 9) | (s << 8) | (e.ttl ?? 64)) >>> 0);
  });
  return cat(...entries, payload);
}

/** MPLS pseudowire control word (RFC 4385): first nibble 0, flags, length, sequence. */
export function pwControlWord(seq = 0): number[] {
  return [0x00, 0x00, ...u16(seq)];
}

/** GRE (RFC 2784/2890): C R K S flags, version 0, protocol, [checksum, reserved] [key] [sequence]. */
export function gre(s: { proto: number; payload: Bytes; key?: number; seq?: number; checksum?: boolean }): Uint8Array {
  const fl = (s.checksum ? 0x8000 : 0) | (s.key !== undefined ? 0x2000 : 0) | (s.seq !== undefined ? 0x1000 : 0);
  return cat(
    u16(fl), //                                          C(1) R(1) K(1) S(1) reserved(9) version(3)=0
    u16(s.proto), //                                     protocol type (EtherType)
    s.checksum ? [0, 0, 0, 0] : [], //                   checksum, reserved1
    s.key !== undefined ? u32(s.key) : [], //            key
    s.seq !== undefined ? u32(s.seq) : [], //            sequence number
    s.payload,
  );
}

/** Enhanced GRE (RFC 2637, PPTP): version 1, protocol 880B, payload length, call id, [seq] [ack]. */
export function greV1(s: { callId: number; payload: Bytes; seq?: number; ack?: number; proto?: number }): Uint8Array {
  const fl = 0x2000 | (s.seq !== undefined ? 0x1000 : 0) | (s.ack !== undefined ? 0x0080 : 0) | 1;
  return cat(
    u16(fl), //                                   C=0 R=0 K=1 S s recur A flags version=1
    u16(s.proto ?? ETHERTYPE.PPP), //             protocol type (PPP)
    u16(s.payload.length), //                     key: payload length
    u16(s.callId), //                             key: call id
    s.seq !== undefined ? u32(s.seq) : [], //     sequence number
    s.ack !== undefined ? u32(s.ack) : [], //     acknowledgment number
    s.payload,
  );
}

/** VXLAN (RFC 7348): flags (I), reserved, VNI(24), reserved. */
export function vxlan(vni: number, payload: Bytes): Uint8Array {
  return cat([0x08, 0, 0, 0], [(vni >> 16) & 0xff, (vni >> 8) & 0xff, vni & 0xff, 0], payload);
}

/** Geneve (RFC 8926): ver(2) opt len(6), O C rsvd, protocol, VNI(24), reserved, options. */
export function geneve(s: { proto: number; optLen: number; payload: Bytes; vni?: number }): Uint8Array {
  const options: number[] = [];
  // one TLV option filling optLen words: class(2) type(1) R(3) length(5) (length in words, excl. 4-byte header)
  if (s.optLen > 0) options.push(...u16(0x0102), 0x80, (s.optLen - 1) & 0x1f, ...new Array<number>((s.optLen - 1) * 4).fill(0xee));
  const vni = s.vni ?? 0x123456;
  return cat(
    u8(s.optLen & 0x3f), //                                     version 0, option length (4-byte words)
    u8(0), //                                                   O, C, reserved
    u16(s.proto), //                                            protocol type
    [(vni >> 16) & 0xff, (vni >> 8) & 0xff, vni & 0xff, 0], //  VNI, reserved
    options,
    s.payload,
  );
}

/** L2TPv2 (RFC 2661): T L x x S x O P, version 2, [length], tunnel, session, [Ns Nr], [offset size, pad]. */
export function l2tp(s: {
  payload: Bytes; tunnel?: number; session?: number; control?: boolean; withLength?: boolean;
  ns?: number; nr?: number; offsetPad?: number; version?: number;
}): Uint8Array {
  const T = s.control ? 0x80 : 0;
  const L = s.withLength || s.control ? 0x40 : 0;
  const S = s.ns !== undefined || s.control ? 0x08 : 0;
  const O = s.offsetPad !== undefined ? 0x02 : 0;
  const hlen = 2 + (L ? 2 : 0) + 4 + (S ? 4 : 0) + (O ? 2 + (s.offsetPad ?? 0) : 0);
  return cat(
    u8(T | L | S | O), //                                  flags
    u8(s.version ?? 2), //                                 version
    L ? u16(hlen + s.payload.length) : [], //              length
    u16(s.tunnel ?? 1), //                                 tunnel id
    u16(s.session ?? 2), //                                session id
    S ? [...u16(s.ns ?? 0), ...u16(s.nr ?? 0)] : [], //    Ns, Nr
    O ? [...u16(s.offsetPad ?? 0), ...fill(s.offsetPad ?? 0)] : [], // offset size, offset pad
    s.payload,
  );
}

// ---------------------------------------------------------------------------------------------
// Wireless and other link layers

/** Radiotap: version 0, pad, length (LE), present (LE) = flags|rate|channel|antsignal, fields. */
export function radiotap(payload: Bytes): Uint8Array {
  const fields = [
    0x00, //                    flags (no FCS at the end)
    0x02, //                    rate (500 kb/s units)
    ...u16le(2437), //          channel frequency (MHz)
    ...u16le(0x00a0), //        channel flags (2 GHz, CCK)
    0xc4, //                    antenna signal (dBm)
  ];
  const len = 8 + fields.length;
  return cat(
    u8(0), //                   version
    u8(0), //                   pad
    u16le(len), //              header length
    u32le(0x2e), //             present: flags(1) rate(2) channel(3) antsignal(5)
    fields,
    payload,
  );
}

/** PPI (Per-Packet Information): version 0, flags, length (LE), DLT (LE). */
export function ppi(dlt: number, payload: Bytes): Uint8Array {
  return cat(u8(0), u8(0), u16le(8), u32le(dlt), payload);
}

/** IEEE 802.11 data frame MAC header (+ body). QoS adds a 2-byte QoS control, +4 HT control with Order. */
export function wlanData(s: {
  body: Bytes; qos?: boolean; toDS?: boolean; fromDS?: boolean; protected?: boolean; order?: boolean; nullData?: boolean;
}): Uint8Array {
  const subtype = (s.qos ? 0x08 : 0) | (s.nullData ? 0x04 : 0);
  const fc0 = (subtype << 4) | (2 << 2); // subtype(4) type(2)=data version(2)=0
  const fc1 = (s.toDS ? 0x01 : 0) | (s.fromDS ? 0x02 : 0) | (s.protected ? 0x40 : 0) | (s.order ? 0x80 : 0);
  return cat(
    u8(fc0), u8(fc1), //                                  frame control
    u16le(0x002c), //                                      duration
    MAC_B, //                                              address 1 (receiver)
    MAC_A, //                                              address 2 (transmitter)
    mac('02:00:00:00:00:0c'), //                           address 3
    u16le(0x0010), //                                      sequence control
    s.toDS && s.fromDS ? mac('02:00:00:00:00:0d') : [], // address 4 (WDS)
    s.qos ? u16le(0x0000) : [], //                         QoS control
    s.qos && s.order ? u32le(0) : [], //                   HT control
    s.body,
  );
}

/** FDDI: frame control (0x50 LLC async), destination, source; then LLC. */
export function fddi(llc: Bytes): Uint8Array {
  return cat(u8(0x50), MAC_B, MAC_A, llc);
}

/** LINKTYPE_IPOIB: 40-byte address pseudo-header (as the decoder reads it), type (EtherType), reserved. */
export function ipoib(type: number, payload: Bytes): Uint8Array {
  return cat(fill(40, 0xfe), u16(type), u16(0), payload);
}

/** Linux ARCnet (RFC 1201): source, destination, offset(2), protocol, split flag, sequence(2). */
export function arcnet(proto: number, payload: Bytes): Uint8Array {
  return cat(u8(0x01), u8(0x02), u16(0), u8(proto), u8(0), u16(0x0001), payload);
}

/** One NFLOG TLV: length (LE, incl. 4-byte header), type (LE), value, padded to 4. */
export function nflogTlv(type: number, value: Bytes): Uint8Array {
  const len = 4 + value.length;
  return cat(u16le(len), u16le(type), value, fill((4 - (len % 4)) % 4));
}

export const NFULA = { PACKET_HDR: 1, PREFIX: 10, PAYLOAD: 9 } as const;

/** NFLOG: family, version 0, resource id (BE), then TLVs. */
export function nflog(family: number, tlvs: Bytes[]): Uint8Array {
  return cat(u8(family), u8(0), u16(0), ...tlvs);
}

/**
 * A TCP segment of a conversation between 192.0.2.1:`clientPort` (the client) and 192.0.2.2:80,
 * in an Ethernet frame: `len` bytes of zeros as its payload.
 */
export function segment(fromClient: boolean, clientPort: number, flags: number, seq: number, ack: number, len = 0, window = 1000): Uint8Array {
  return ethernet({
    type: ETHERTYPE.IPV4,
    payload: ipv4({
      src: fromClient ? '192.0.2.1' : '192.0.2.2', dst: fromClient ? '192.0.2.2' : '192.0.2.1', proto: IPPROTO.TCP,
      payload: tcp({ srcPort: fromClient ? clientPort : 80, dstPort: fromClient ? 80 : clientPort, seq: seq >>> 0, ack: ack >>> 0, flags, window, payload: new Uint8Array(len) }),
    }),
  });
}
