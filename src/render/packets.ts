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
import type { Output } from '../util/output.js';

/** tcpdump's flag letters, in its order: F S R P . U E W, plus e for AE. */
export function tcpdumpFlags(flags: number): string {
  let s = '';
  if (flags & TCP_FIN) s += 'F';
  if (flags & TCP_SYN) s += 'S';
  if (flags & TCP_RST) s += 'R';
  if (flags & TCP_PSH) s += 'P';
  if (flags & TCP_ACK) s += '.';
  if (flags & TCP_URG) s += 'U';
  if (flags & TCP_ECE) s += 'E';
  if (flags & TCP_CWR) s += 'W';
  if (flags & TCP_AE) s += 'e';
  return s === '' ? 'none' : s;
}

export function optionsText(p: Packet): string {
  const parts: string[] = [];
  if (p.mss >= 0) parts.push(`mss ${p.mss}`);
  if (p.sackPermitted) parts.push('sackOK');
  if (p.hasTimestamps) parts.push(`TS val ${p.tsVal} ecr ${p.tsEcr}`);
  if (p.wscale >= 0) parts.push(`wscale ${p.wscale}`);
  if (p.sackCount > 0) {
    const blocks: string[] = [];
    for (let i = 0; i < p.sackCount; i++) blocks.push(`{${p.sack[i * 2]}:${p.sack[i * 2 + 1]}}`);
    parts.push(`sack ${p.sackCount} ${blocks.join('')}`);
  }
  for (let i = 0; i < p.unknownCount; i++) parts.push(`opt-${p.unknownKinds[i]}`);
  if (p.optionsMalformed) parts.push('bad-opt');
  return parts.join(',');
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

export class PacketLines implements PacketSink {
  private t0 = -1;

  constructor(private readonly out: Output) {}

  /** `rel`: seconds since the capture's first frame, when known (the tracker's clock). */
  packet(f: Frame, p: Packet, rel = -1): void {
    const t = f.time();
    if (this.t0 < 0 && f.hasTs) this.t0 = t;
    if (rel < 0) rel = f.hasTs ? t - this.t0 : 0;
    const src = addressToString(p.ipVersion, p.src);
    const dst = addressToString(p.ipVersion, p.dst);
    let line = `${String(f.number).padStart(6)}  ${rel.toFixed(6).padStart(12)}  ${p.ipVersion === 6 ? 'IP6' : 'IP'} ${src}.${p.srcPort} > ${dst}.${p.dstPort}: Flags [${tcpdumpFlags(p.flags)}], seq ${p.seq32 >>> 0}`;
    if (p.flags & TCP_ACK) line += `, ack ${p.ack32 >>> 0}`;
    line += `, win ${p.window}`;
    const opts = optionsText(p);
    if (opts) line += `, options [${opts}]`;
    line += `, length ${p.payloadLen}`;
    if (p.truncated) line += ` [truncated: ${p.capturedPayload} of ${p.payloadLen} payload bytes captured]`;
    if (p.encap) line += ` (${encapText(p.encap, p.vlan)})`;
    this.out.write(line + '\n');
  }
}
