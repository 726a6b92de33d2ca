/**
 * Deterministic synthetic captures for benchmarks: many short TCP connections over
 * Ethernet/IPv4, each a three-way handshake, a request, a response, their ACKs and a
 * FIN/ACK close (10 packets), with timestamps options, written as classic pcap (µs, LE).
 * Same arguments, same bytes.
 */
import { openSync, writeSync, closeSync } from 'node:fs';

const ETH = 14;
const IP = 20;
const TCP = 32; // 20 + NOP NOP TS(10)
const REC = 16;

export interface SynthOptions {
  connections: number;
  /** Payload bytes of the request and of the response. */
  requestLen?: number;
  responseLen?: number;
}

/** Writes the capture and returns the number of packets. */
export function writeSyntheticPcap(path: string, opt: SynthOptions): number {
  const reqLen = opt.requestLen ?? 120;
  const respLen = opt.responseLen ?? 480;
  const fd = openSync(path, 'w');
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  writeSync(fd, header);
  const chunk = Buffer.alloc(8 << 20);
  let pos = 0;
  let packets = 0;
  let usec = 0;
  let sec = 1_700_000_000;
  const flush = (): void => {
    writeSync(fd, chunk, 0, pos);
    pos = 0;
  };
  // xorshift32 for ISNs: deterministic
  let rnd = 0x9e3779b9;
  const next = (): number => {
    rnd ^= rnd << 13;
    rnd >>>= 0;
    rnd ^= rnd >>> 17;
    rnd ^= rnd << 5;
    rnd >>>= 0;
    return rnd;
  };
  const put = (cli: boolean, conn: number, flags: number, seq: number, ack: number, len: number): void => {
    if (pos + REC + ETH + IP + TCP + len > chunk.length) flush();
    usec += 7;
    if (usec >= 1_000_000) {
      usec -= 1_000_000;
      sec++;
    }
    const total = IP + TCP + len;
    const b = chunk;
    let o = pos;
    b.writeUInt32LE(sec, o);
    b.writeUInt32LE(usec, o + 4);
    b.writeUInt32LE(ETH + total, o + 8);
    b.writeUInt32LE(ETH + total, o + 12);
    o += REC;
    // Ethernet: dst, src, type IPv4
    b.fill(cli ? 0x02 : 0x04, o, o + 6);
    b.fill(cli ? 0x04 : 0x02, o + 6, o + 12);
    b.writeUInt16BE(0x0800, o + 12);
    o += ETH;
    // IPv4: 10.0.0.0/8-free documentation-style addresses 198.18.x.y (benchmark range, RFC 2544)
    const client = (198 << 24) | (18 << 16) | ((conn >>> 8) & 0xff) << 8 | (conn & 0xff);
    const server = (198 << 24) | (19 << 16) | 1;
    b[o] = 0x45;
    b[o + 1] = 0;
    b.writeUInt16BE(total, o + 2);
    b.writeUInt16BE(packets & 0xffff, o + 4);
    b.writeUInt16BE(0x4000, o + 6);
    b[o + 8] = 64;
    b[o + 9] = 6;
    b.writeUInt16BE(0, o + 10);
    b.writeUInt32BE((cli ? client : server) >>> 0, o + 12);
    b.writeUInt32BE((cli ? server : client) >>> 0, o + 16);
    o += IP;
    const cport = 10000 + ((conn >>> 16) & 0x3fff) * 4 + (conn & 3);
    b.writeUInt16BE(cli ? cport : 80, o);
    b.writeUInt16BE(cli ? 80 : cport, o + 2);
    b.writeUInt32BE(seq >>> 0, o + 4);
    b.writeUInt32BE(ack >>> 0, o + 8);
    b[o + 12] = (TCP / 4) << 4;
    b[o + 13] = flags;
    b.writeUInt16BE(502, o + 14);
    b.writeUInt32BE(0, o + 16);
    b[o + 20] = 1;
    b[o + 21] = 1;
    b[o + 22] = 8;
    b[o + 23] = 10;
    b.writeUInt32BE(packets >>> 0, o + 24);
    b.writeUInt32BE(0, o + 28);
    o += TCP;
    b.fill(0x61, o, o + len);
    pos = o + len;
    packets++;
  };
  const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;
  for (let c = 0; c < opt.connections; c++) {
    const ci = next();
    const si = next();
    put(true, c, SYN, ci, 0, 0);
    put(false, c, SYN | ACK, si, ci + 1, 0);
    put(true, c, ACK, ci + 1, si + 1, 0);
    put(true, c, PSH | ACK, ci + 1, si + 1, reqLen);
    put(false, c, ACK, si + 1, ci + 1 + reqLen, 0);
    put(false, c, PSH | ACK, si + 1, ci + 1 + reqLen, respLen);
    put(true, c, ACK, ci + 1 + reqLen, si + 1 + respLen, 0);
    put(true, c, FIN | ACK, ci + 1 + reqLen, si + 1 + respLen, 0);
    put(false, c, FIN | ACK, si + 1 + respLen, ci + 2 + reqLen, 0);
    put(true, c, ACK, ci + 2 + reqLen, si + 2 + respLen, 0);
  }
  flush();
  closeSync(fd);
  return packets;
}
