/**
 * `--format packets`: one tcpdump-like line per TCP packet, e.g.
 *   3  0.000290  192.0.2.1.40000 > 192.0.2.2.8080: Flags [.], seq 1123, ack 2233, win 502, length 0
 * Frame number as Wireshark numbers it, seconds since the first frame, raw (absolute) sequence
 * numbers like `tcpdump -S`, payload length from the IP header. Flags use tcpdump's letters.
 */
import type { Frame } from '../capture/frame.js';
import {
  Packet, TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG, TCP_ECE, TCP_CWR, TCP_AE,
  ENC_VLAN, ENC_MPLS, ENC_PPPOE, ENC_GRE, ENC_VXLAN, ENC_GENEVE, ENC_IP_IN_IP,
} from '../decode/packet.js';
import { addressToString } from '../util/addr.js';
import { writeIpv4Word } from './endpoint.js';
import type { Output } from '../util/output.js';
import { ascii, type ByteWriter } from '../util/bytes.js';

export function optionsText(p: Packet): string {
  const parts: string[] = [];
  if (p.mss >= 0) parts.push(`mss ${p.mss}`);
  if (p.sackPermitted) parts.push('sackOK');
  if (p.hasTimestamps) parts.push(`TS val ${p.tsVal} ecr ${p.tsEcr}`);
  if (p.wscale >= 0) parts.push(`wscale ${p.wscale}`);
  rareOptions(p, parts);
  return parts.join(',');
}

/** After the common options: SACK blocks, Fast Open, unknown kinds, a malformed list (optionsText's order). */
function rareOptions(p: Packet, parts: string[]): void {
  if (p.sackCount > 0) {
    const blocks: string[] = [];
    for (let i = 0; i < p.sackCount; i++) blocks.push(`{${p.sack[i * 2]}:${p.sack[i * 2 + 1]}}`);
    parts.push(`sack ${p.sackCount} ${blocks.join('')}`);
  }
  // tcpdump's words for a request; the cookie's length rather than its bytes, which are not kept
  if (p.tfo >= 0) parts.push(p.tfo === 0 ? 'tfo cookiereq' : `tfo cookie ${p.tfo} bytes`);
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
const TRUNCATED = ascii(' [truncated: ');
const OF = ascii(' of ');
const BYTES_CAPTURED = ascii(' payload bytes captured]');
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
 * the time rounded as toFixed(6) rounds (secondsOf()), an IPv6 address through addressToString,
 * and the rare parts (SACK blocks, unknown options, encapsulation) through strings as before.
 * The note of a payload cut by the snapshot length, on most lines of such a capture, is bytes
 * too (2026-12-06).
 */
export class PacketLines {
  constructor(private readonly out: Output) {}

  /**
   * A line for a packet, its time read from `clock.time`: the tracker's result, seconds since the
   * capture's first frame (negative for a frame stamped before it). The time is read here, not
   * handed over: a double handed to a call that V8 does not inline is a heap number, and the
   * observer that calls this was one a packet (15 MB a million lines).
   */
  line(f: Frame, p: Packet, clock: Clock): void {
    const out = this.out;
    if (out.closed) return;
    const w = out.writer;
    padded(w, f.number, FRAME_WIDTH);
    w.byte(SPACE);
    w.byte(SPACE);
    secondsOf(w, clock);
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
    if (p.truncated) {
      // ` [truncated: ${captured} of ${payloadLen} payload bytes captured]`, as bytes: a capture
      // cut by its snapshot length has it on nearly every data segment (bulk's: two thirds of
      // its lines), and made as a string it was 130 MB of garbage a million lines
      w.raw(TRUNCATED);
      w.uint(p.capturedPayload);
      w.raw(OF);
      w.uint(p.payloadLen);
      w.raw(BYTES_CAPTURED);
    }
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
  if (p.sackCount > 0 || p.tfo >= 0 || p.unknownCount > 0 || p.optionsMalformed) {
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

/** Something with a time in seconds: the tracker's result. */
export interface Clock {
  readonly time: number;
}

/**
 * `clock.time.toFixed(6).padStart(TIME_WIDTH)`. The rounding is scaledFixed(t, 1e6)'s
 * (util/bytes.ts), its expression written out here so that the time is handed to no call (a heap
 * number where the call is not inlined).
 */
export function secondsOf(w: ByteWriter, clock: Clock): void {
  const t = clock.time;
  const y = t * 1e6;
  const n = t >= 0 && y < 1e15 && Math.abs(y - Math.floor(y) - 0.5) > y * 3.6e-15 ? Math.floor(y + 0.5) : -1;
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
  // as an int32 (writeIpv4Word shifts it with >>>): a uint32 from 2^31 on (128.0.0.0 and up)
  // handed to a call that is not inlined would be boxed, one heap number an address
  writeIpv4Word(w, words[0] | 0);
}
