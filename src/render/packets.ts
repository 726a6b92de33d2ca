/**
 * `--format packets`: one tcpdump-like line per TCP packet, e.g.
 *   3  0.000290  192.0.2.1.40000 > 192.0.2.2.8080: Flags [.], seq 1123, ack 2233, win 502, length 0
 * Frame number as Wireshark numbers it, seconds since the first frame, raw (absolute) sequence
 * numbers like `tcpdump -S`, payload length from the IP header. Flags use tcpdump's letters.
 */
import type { Frame } from '../capture/frame.js';
import type { PacketSink } from '../pipeline.js';
import {
  Packet, TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG, TCP_ECE, TCP_CWR, TCP_AE,
  ENC_VLAN, ENC_MPLS, ENC_PPPOE, ENC_GRE, ENC_VXLAN, ENC_GENEVE, ENC_IP_IN_IP,
} from '../decode/packet.js';
import { addressToString } from '../util/addr.js';
import { writeIpv4Word } from './endpoint.js';
import type { Output } from '../util/output.js';
import { ascii, scaledFixed, type ByteWriter } from '../util/bytes.js';

export function optionsText(p: Packet): string {
  const parts: string[] = [];
  if (p.mss >= 0) parts.push(`mss ${p.mss}`);
  if (p.sackPermitted) parts.push('sackOK');
  if (p.hasTimestamps) parts.push(`TS val ${p.tsVal} ecr ${p.tsEcr}`);
  if (p.wscale >= 0) parts.push(`wscale ${p.wscale}`);
  rareOptions(p, parts);
  return parts.join(',');
}

/** After the common options: SACK blocks, unknown kinds, a malformed list (optionsText's order). */
function rareOptions(p: Packet, parts: string[]): void {
  if (p.sackCount > 0) {
    const blocks: string[] = [];
    for (let i = 0; i < p.sackCount; i++) blocks.push(`{${p.sack[i * 2]}:${p.sack[i * 2 + 1]}}`);
    parts.push(`sack ${p.sackCount} ${blocks.join('')}`);
  }
  for (let i = 0; i < p.unknownCount; i++) parts.push(`opt-${p.unknownKinds[i]}`);
  if (p.optionsMalformed) parts.push('bad-opt');
}

export function encapText(encap: number, vlan: number): string {
  const parts: string[] = [];
  if (encap & ENC_VLAN) parts.push(`vlan ${vlan}`);
  if (encap & ENC_MPLS) parts.push('mpls');
  if (encap & ENC_PPPOE) parts.push('pppoe');
  if (encap & ENC_GRE) parts.push('gre');
  if (encap & ENC_VXLAN) parts.push('vxlan');
  if (encap & ENC_GENEVE) parts.push('geneve');
  if (encap & ENC_IP_IN_IP) parts.push('ip-in-ip');
  return parts.join(' ');
}

const IP4 = ascii('  IP ');
const IP6 = ascii('  IP6 ');
const TO = ascii(' > ');
const FLAGS = ascii(': Flags [');
const SEQ = ascii('], seq ');
const ACK = ascii(', ack ');
const WIN = ascii(', win ');
const OPTIONS = ascii(', options [');
const LENGTH = ascii(', length ');
const NONE = ascii('none');
const MSS = ascii('mss ');
const SACK_OK = ascii('sackOK');
const TS_VAL = ascii('TS val ');
const ECR = ascii(' ecr ');
const WSCALE = ascii('wscale ');
/** tcpdump's flag letters, in its order (F S R P . U E W, and e for AE), each with its bit. */
const FLAG_BITS = [TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG, TCP_ECE, TCP_CWR, TCP_AE];
const FLAG_LETTERS = [0x46, 0x53, 0x52, 0x50, 0x2e, 0x55, 0x45, 0x57, 0x65];
const SPACE = 0x20;
const DOT = 0x2e;
const COMMA = 0x2c;
const CLOSE = 0x5d;
const NEWLINE = 0x0a;
/** Columns of the frame number and of the time (String.padStart's widths). */
const FRAME_WIDTH = 6;
const TIME_WIDTH = 12;

/**
 * Writes the lines as bytes straight into the output, as NDJSON's writer does: made as a string
 * of a dozen pieces, with its options' list joined, a line cost about 1.7 us a packet in
 * allocation, collection and encoding (docs/performance.md, "2026-12-04"). The text is the same:
 * the time rounded as toFixed(6) rounds (seconds()), an IPv6 address through addressToString,
 * and the rare parts (SACK blocks, unknown options, truncation, encapsulation) through strings
 * as before.
 */
export class PacketLines implements PacketSink {
  private t0 = -1;

  constructor(private readonly out: Output) {}

  /** `rel`: seconds since the capture's first frame, when known (the tracker's clock). */
  packet(f: Frame, p: Packet, rel = -1): void {
    const out = this.out;
    if (out.closed) return;
    const t = f.time();
    if (this.t0 < 0 && f.hasTs) this.t0 = t;
    if (rel < 0) rel = f.hasTs ? t - this.t0 : 0;
    const w = out.writer;
    padded(w, f.number, FRAME_WIDTH);
    w.byte(SPACE);
    w.byte(SPACE);
    seconds(w, rel);
    w.raw(p.ipVersion === 6 ? IP6 : IP4);
    address(w, p.ipVersion, p.src);
    w.byte(DOT);
    w.uint(p.srcPort);
    w.raw(TO);
    address(w, p.ipVersion, p.dst);
    w.byte(DOT);
    w.uint(p.dstPort);
    w.raw(FLAGS);
    const flags = p.flags;
    let letters = 0;
    for (let i = 0; i < FLAG_BITS.length; i++) {
      if (flags & FLAG_BITS[i]) {
        w.byte(FLAG_LETTERS[i]);
        letters++;
      }
    }
    if (letters === 0) w.raw(NONE);
    w.raw(SEQ);
    w.u32(p.seq32 | 0);
    if (flags & TCP_ACK) {
      w.raw(ACK);
      w.u32(p.ack32 | 0);
    }
    w.raw(WIN);
    w.uint(p.window);
    options(w, p);
    w.raw(LENGTH);
    w.uint(p.payloadLen);
    if (p.truncated) w.text(` [truncated: ${p.capturedPayload} of ${p.payloadLen} payload bytes captured]`);
    if (p.encap) w.text(` (${encapText(p.encap, p.vlan)})`);
    w.byte(NEWLINE);
  }
}

/** `, options [...]` as optionsText writes the list, or nothing when it is empty. */
function options(w: ByteWriter, p: Packet): void {
  let n = 0;
  if (p.mss >= 0) {
    n = open(w, n);
    w.raw(MSS);
    w.uint(p.mss);
  }
  if (p.sackPermitted) {
    n = open(w, n);
    w.raw(SACK_OK);
  }
  if (p.hasTimestamps) {
    n = open(w, n);
    w.raw(TS_VAL);
    w.uint(p.tsVal);
    w.raw(ECR);
    w.uint(p.tsEcr);
  }
  if (p.wscale >= 0) {
    n = open(w, n);
    w.raw(WSCALE);
    w.uint(p.wscale);
  }
  if (p.sackCount > 0 || p.unknownCount > 0 || p.optionsMalformed) {
    const rare: string[] = [];
    rareOptions(p, rare);
    n = open(w, n);
    w.text(rare.join(','));
  }
  if (n > 0) w.byte(CLOSE);
}

/** Before an option: the list's opening, or a comma. */
function open(w: ByteWriter, n: number): number {
  if (n === 0) w.raw(OPTIONS);
  else w.byte(COMMA);
  return n + 1;
}

/**
 * `t.toFixed(6).padStart(TIME_WIDTH)` (see scaledFixed for the rounding).
 */
export function seconds(w: ByteWriter, t: number): void {
  const n = scaledFixed(t, 1e6);
  if (n >= 0) {
    const whole = Math.floor(n / 1e6);
    const frac = n - whole * 1e6;
    // the whole seconds in the columns before the point and six digits
    padded(w, whole, TIME_WIDTH - 7);
    w.byte(DOT);
    // six digits, leading zeros included (int32 divisions)
    const f = frac | 0;
    w.byte(0x30 + ((f / 100000) | 0));
    w.byte(0x30 + (((f / 10000) | 0) % 10));
    w.byte(0x30 + (((f / 1000) | 0) % 10));
    w.byte(0x30 + (((f / 100) | 0) % 10));
    w.byte(0x30 + (((f / 10) | 0) % 10));
    w.byte(0x30 + (f % 10));
    return;
  }
  const text = t.toFixed(6);
  for (let i = text.length; i < TIME_WIDTH; i++) w.byte(SPACE);
  w.text(text);
}

/** A non-negative integer right-aligned in `width` columns (String(n).padStart(width)). */
function padded(w: ByteWriter, n: number, width: number): void {
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  for (let i = digits; i < width; i++) w.byte(SPACE);
  w.uint(n);
}

/** addressToString's text: IPv4 digit by digit, IPv6 through it. */
function address(w: ByteWriter, version: number, words: ArrayLike<number>): void {
  if (version !== 4) {
    w.text(addressToString(version, words));
    return;
  }
  writeIpv4Word(w, words[0]);
}
