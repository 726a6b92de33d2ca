/**
 * Deterministic synthetic captures for benchmarks, classic pcap (µs, LE) over Ethernet/IPv4
 * with the timestamps option. Same arguments, same bytes.
 * - writeSyntheticPcap: many short TCP connections, each a three-way handshake, a request, a
 *   response, their ACKs and a FIN/ACK close (10 packets).
 * - writeBulkPcap: one long bulk transfer (server → client, 1448-byte segments, an ACK every
 *   second segment) with losses (the segment is missing, the receiver sends duplicate ACKs, the
 *   sender retransmits) and reordering (two segments swapped).
 * - writeSynFloodPcap: one pure SYN per connection, never answered.
 * - writeAckFloodPcap: one packet per connection, none a SYN (an ACK flood).
 * - writeAnsweredSynFloodPcap: a SYN flood with the victim's SYN-ACKs.
 * - writeReusePcap: many connections over hours of capture time on a few 4-tuples, interleaved,
 *   so that closed connections are released and their 4-tuples opened again (scripts/diff-scale.ts).
 * - pcapToPcapng: the same packets as pcapng (what Wireshark and dumpcap write), for the bench's
 *   ng-* modes.
 */
import { openSync, writeSync, closeSync, readSync } from 'node:fs';
import { writeAll } from '../src/util/file.js';

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

/**
 * Connection `c` whole, its ISNs `ci` and `si`: handshake, request, ACK, response, ACK, and the
 * client's FIN, the server's FIN and the last ACK.
 */
function putShortConnection(w: PcapWriter, c: number, ci: number, si: number, reqLen: number, respLen: number): void {
  const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;
    const put = w.put;
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

/** Writes the capture and returns the number of packets. */
export function writeSyntheticPcap(path: string, opt: SynthOptions): number {
  const reqLen = opt.requestLen ?? 120;
  const respLen = opt.responseLen ?? 480;
  const w = pcapWriter(path);
  for (let c = 0; c < opt.connections; c++) {
    const ci = w.next();
    const si = w.next();
    putShortConnection(w, c, ci, si, reqLen, respLen);
  }
  return w.close();
}

/**
 * writeSyntheticPcap's connections, `active` of them open at once with their packets interleaved
 * (the next packet is of a connection drawn at random among the open ones; a closed one is
 * replaced by the next): what a busy server's capture looks like, where consecutive packets are
 * of different connections.
 */
export function writeInterleavedPcap(path: string, opt: SynthOptions & { active: number; burst?: number; roundRobin?: boolean }): number {
  // with burst > 1, the connection drawn sends 1 to burst packets in a row (a real capture's
  // locality: data segments and their ACKs come in runs); 1 draws anew for every packet.
  // roundRobin: the open connections take turns instead of being drawn (a server answering its
  // clients in turn); they end in turn, each replaced in its place by the next one made
  const burst = Math.max(1, Math.floor(opt.burst ?? 1));
  const reqLen = opt.requestLen ?? 120;
  const respLen = opt.responseLen ?? 480;
  const w = pcapWriter(path);
  const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;
  // [from the client, flags, seq from the client's ISN (else the server's), ack from the other's, payload]
  const steps: [boolean, number, number, number, number][] = [
    [true, SYN, 0, -1, 0],
    [false, SYN | ACK, 0, 1, 0],
    [true, ACK, 1, 1, 0],
    [true, PSH | ACK, 1, 1, reqLen],
    [false, ACK, 1, 1 + reqLen, 0],
    [false, PSH | ACK, 1, 1 + reqLen, respLen],
    [true, ACK, 1 + reqLen, 1 + respLen, 0],
    [true, FIN | ACK, 1 + reqLen, 1 + respLen, 0],
    [false, FIN | ACK, 1 + respLen, 2 + reqLen, 0],
    [true, ACK, 2 + reqLen, 2 + respLen, 0],
  ];
  const active = Math.max(1, Math.min(opt.active, opt.connections));
  const conn = new Int32Array(active);
  const step = new Int32Array(active);
  const cIsn = new Uint32Array(active);
  const sIsn = new Uint32Array(active);
  let opened = 0;
  let open = 0;
  const start = (k: number): void => {
    conn[k] = opened++;
    step[k] = 0;
    cIsn[k] = w.next();
    sIsn[k] = w.next();
  };
  for (; open < active; open++) start(open);
  // xorshift32 for the draw (the writer's own drives the ISNs)
  let rnd = 0x2545f491;
  const draw = (): number => {
    rnd ^= rnd << 13;
    rnd >>>= 0;
    rnd ^= rnd >>> 17;
    rnd ^= rnd << 5;
    rnd >>>= 0;
    return rnd;
  };
  let turn = 0;
  while (open > 0) {
    const k = opt.roundRobin ? turn++ % open : draw() % open;
    let run = burst > 1 ? 1 + (draw() % burst) : 1;
    for (; run > 0 && step[k]! < steps.length; run--) {
      const [cli, flags, seq, ack, len] = steps[step[k]!]!;
      const mine = cli ? cIsn[k]! : sIsn[k]!;
      const theirs = cli ? sIsn[k]! : cIsn[k]!;
      w.put(cli, conn[k]!, flags, mine + seq, ack < 0 ? 0 : theirs + ack, len);
      step[k]!++;
    }
    if (step[k]! < steps.length) continue;
    if (opened < opt.connections) start(k);
    else {
      // the last open one takes this place
      open--;
      conn[k] = conn[open]!;
      step[k] = step[open]!;
      cIsn[k] = cIsn[open]!;
      sIsn[k] = sIsn[open]!;
    }
  }
  return w.close();
}

/**
 * writeSyntheticPcap's connections one after the other, then, `lateUsec` microseconds after the
 * last, a straggler of the first: the server's FIN sent again (its last ACK lost beyond the
 * capture point) and the client's ACK of it from TIME_WAIT, as a busy server's capture has them
 * one retransmission timeout after the close, when hundreds of connections closed in between.
 */
export function writeLateFinPcap(path: string, opt: { connections: number; lateUsec: number }): number {
  const reqLen = 120;
  const respLen = 480;
  const w = pcapWriter(path);
  const ACK = 0x10, FIN = 0x01;
  let ci0 = 0;
  let si0 = 0;
  for (let c = 0; c < opt.connections; c++) {
    const ci = w.next();
    const si = w.next();
    if (c === 0) {
      ci0 = ci;
      si0 = si;
    }
    putShortConnection(w, c, ci, si, reqLen, respLen);
  }
  w.pause(opt.lateUsec);
  w.put(false, 0, FIN | ACK, si0 + 1 + respLen, ci0 + 2 + reqLen, 0);
  w.put(true, 0, ACK, ci0 + 2 + reqLen, si0 + 2 + respLen, 0);
  return w.close();
}

/** One pure SYN per connection (a SYN flood): every connection stays open until the end. */
export function writeSynFloodPcap(path: string, connections: number): number {
  const w = pcapWriter(path);
  for (let c = 0; c < connections; c++) w.put(true, c, 0x02, w.next(), 0, 0);
  return w.close();
}

/**
 * `connections` connections that open and never close: each a three-way handshake and a request
 * of `requestLen` bytes from the client, one after the other, all open at the end (4 packets a
 * connection). A capture of a server holding many long-lived connections (the synflood's
 * counterpart past the handshake): each is a whole connection in the tracker until the end of
 * input, so its time and peak RSS measure what an open connection costs.
 */
export function writeEstablishedPcap(path: string, connections: number, requestLen = 120): number {
  const SYN = 0x02, ACK = 0x10, PSH = 0x08;
  const w = pcapWriter(path);
  for (let c = 0; c < connections; c++) {
    const ci = w.next();
    const si = w.next();
    w.put(true, c, SYN, ci, 0, 0);
    w.put(false, c, SYN | ACK, si, ci + 1, 0);
    w.put(true, c, ACK, ci + 1, si + 1, 0);
    w.put(true, c, PSH | ACK, ci + 1, si + 1, requestLen);
  }
  return w.close();
}

/**
 * One packet on each of `connections` 4-tuples, none of them a SYN: an ACK flood (as an ACK
 * scan, a flood of spoofed ACKs or a capture's first packets of connections it joined midway
 * look). `mixed`: the packets cycle through six kinds, an ACK from the client, 100 bytes of data
 * from the server, a SYN-ACK, a FIN-ACK, a RST-ACK and an ACK carrying a SACK block (the last
 * two made into connections at once even where lone packets are kept; TrackerOptions.deferAnyFirst).
 */
export function writeAckFloodPcap(path: string, connections: number, mixed = false): number {
  const ACK = 0x10, PSH = 0x08, SYN = 0x02, FIN = 0x01, RST = 0x04;
  // NOP NOP SACK with one block
  const sack = new Uint8Array([1, 1, 5, 10, 0, 0, 0x10, 0, 0, 0, 0x20, 0]);
  const w = pcapWriter(path);
  for (let c = 0; c < connections; c++) {
    const seq = w.next();
    const ack = w.next();
    if (!mixed) {
      w.put(true, c, ACK, seq, ack, 0);
      continue;
    }
    const kind = c % 6;
    if (kind === 0) w.put(true, c, ACK, seq, ack, 0);
    else if (kind === 1) w.put(false, c, PSH | ACK, seq, ack, 100);
    else if (kind === 2) w.put(false, c, SYN | ACK, seq, ack, 0);
    else if (kind === 3) w.put(true, c, FIN | ACK, seq, ack, 0);
    else if (kind === 4) w.put(false, c, RST | ACK, seq, ack, 0);
    else w.put(true, c, ACK, seq, ack, 0, sack);
  }
  return w.close();
}

/**
 * A SYN flood as its victim's capture has it: a SYN from each of `connections` clients, the
 * server's SYN-ACK `gap` SYNs later, never acknowledged. Some differ, by the connection's
 * number: every 17th is never answered, every 19th is refused (RST-ACK), every 31st's SYN-ACK
 * comes twice, and every 29th answered gets the handshake's ACK `gap` SYNs after its SYN-ACK.
 */
export function writeAnsweredSynFloodPcap(path: string, connections: number, gap = 0): number {
  const SYN = 0x02, ACK = 0x10, RST = 0x04;
  const w = pcapWriter(path);
  const isn = new Uint32Array(connections);
  const answer = (c: number): void => {
    if (c % 17 === 0) return;
    if (c % 19 === 0) {
      w.put(false, c, RST | ACK, 0, isn[c] + 1, 0);
      return;
    }
    const si = (isn[c] ^ 0x5bd1e995) >>> 0;
    w.put(false, c, SYN | ACK, si, isn[c] + 1, 0);
    if (c % 31 === 0) w.put(false, c, SYN | ACK, si, isn[c] + 1, 0);
  };
  const third = (c: number): void => {
    if (c % 29 === 0 && c % 17 !== 0 && c % 19 !== 0) w.put(true, c, ACK, isn[c] + 1, ((isn[c] ^ 0x5bd1e995) >>> 0) + 1, 0);
  };
  for (let c = 0; c < connections + 2 * gap; c++) {
    if (c < connections) {
      isn[c] = w.next();
      w.put(true, c, SYN, isn[c], 0, 0);
    }
    if (c - gap >= 0 && c - gap < connections) answer(c - gap);
    if (c - 2 * gap >= 0 && c - 2 * gap < connections) third(c - 2 * gap);
  }
  return w.close();
}

/**
 * SYNs and SYN-ACKs sent again, as when nobody answers: each of `connections` clients sends a
 * SYN at its turn; `gap` turns later what follows comes (step k at turn c + k x gap). An even
 * client's SYN goes unanswered and is sent twice more (steps 1 and 3: a client's retries); an
 * odd client's is answered by a SYN-ACK (step 1) that the server sends twice more (steps 2 and
 * 4: a victim's SYN-ACK retries, the client's address spoofed). Some differ, by the client's
 * number: every 10th (even) is answered at step 2 after its retry and acknowledged at step 4;
 * every 14th's retry has other options (not the same packet); every 7th (odd) sends its SYN again
 * at step 3, between the SYN-ACK's retries; every 9th (odd) sends a SYN with a new ISN at step 3
 * (the port used again).
 */
export function writeRetriedSynFloodPcap(path: string, connections: number, gap = 0): number {
  const SYN = 0x02, ACK = 0x10;
  const mss = new Uint8Array([2, 4, 5, 0xb4]);
  const w = pcapWriter(path);
  const isn = new Uint32Array(connections);
  const server = (c: number): number => (isn[c] ^ 0x5bd1e995) >>> 0;
  const step = (c: number, k: number): void => {
    if (c % 2 === 0) {
      if (c % 10 === 0) {
        if (k === 1) w.put(true, c, SYN, isn[c], 0, 0);
        else if (k === 2) w.put(false, c, SYN | ACK, server(c), isn[c] + 1, 0);
        else if (k === 4) w.put(true, c, ACK, isn[c] + 1, server(c) + 1, 0);
        return;
      }
      if (k === 1) w.put(true, c, SYN, isn[c], 0, 0, c % 14 === 0 ? mss : undefined);
      else if (k === 3) w.put(true, c, SYN, isn[c], 0, 0);
      return;
    }
    if (k === 1 || k === 2 || k === 4) w.put(false, c, SYN | ACK, server(c), isn[c] + 1, 0);
    else if (k === 3 && c % 9 === 0) w.put(true, c, SYN, isn[c] ^ 0x1000, 0, 0);
    else if (k === 3 && c % 7 === 0) w.put(true, c, SYN, isn[c], 0, 0);
  };
  for (let t = 0; t < connections + 4 * gap; t++) {
    if (t < connections) {
      isn[t] = w.next();
      w.put(true, t, SYN, isn[t], 0, 0);
    }
    for (let k = 1; k <= 4; k++) {
      const c = t - k * gap;
      if (c >= 0 && c < connections) step(c, k);
    }
  }
  return w.close();
}

/**
 * Backscatter sent again: the SYN-ACKs of servers answering spoofed SYNs, as a darknet captures
 * them (no SYN), each server sending its SYN-ACK again `gap` and `3 x gap` turns later (its
 * retries; turns as in writeRetriedSynFloodPcap). Some differ, by the connection's number:
 * every 5th's first retry has other options (not the same packet); every 7th is reset by its
 * server at `2 x gap` (a RST-ACK, which makes the connection); every 11th sends 100 bytes of data
 * instead of its SYN-ACK, the same segment again (a retransmission seen midway).
 */
export function writeBackscatterPcap(path: string, connections: number, gap = 0): number {
  const SYN = 0x02, ACK = 0x10, RST = 0x04, PSH = 0x08;
  const w = pcapWriter(path);
  const isn = new Uint32Array(connections);
  const send = (c: number, k: number): void => {
    if (c % 11 === 0) {
      if (k !== 2) w.put(false, c, PSH | ACK, isn[c], 77, 100);
      return;
    }
    if (k === 2) {
      if (c % 7 === 0) w.put(false, c, RST | ACK, isn[c] + 1, 77, 0);
      return;
    }
    // (other options: an MSS, no timestamps)
    w.put(false, c, SYN | ACK, isn[c], 77, 0, k === 1 && c % 5 === 0 ? new Uint8Array([2, 4, 5, 0xb4]) : undefined);
  };
  for (let t = 0; t < connections + 3 * gap; t++) {
    if (t < connections) {
      isn[t] = w.next();
      send(t, 0);
    }
    for (let k = 1; k <= 3; k++) {
      const c = t - k * gap;
      if (c >= 0 && c < connections) send(c, k);
    }
  }
  return w.close();
}

/**
 * One bulk connection of about `packets` packets: handshake, then the server sends 1448-byte
 * segments and the client ACKs every second one. Every `lossEvery`-th segment is lost: the
 * client's next ACKs are duplicates and the server retransmits the hole after three of them
 * (a fast retransmission). Every `reorderEvery`-th pair of segments arrives swapped.
 * `snaplen` cuts the records as `tcpdump -s` does (lengths stay those on the wire).
 */
export function writeBulkPcap(path: string, packets: number, opt: { segment?: number; lossEvery?: number; reorderEvery?: number; snaplen?: number } = {}): number {
  const seg = opt.segment ?? 1448;
  const lossEvery = opt.lossEvery ?? 997;
  const reorderEvery = opt.reorderEvery ?? 1009;
  const SYN = 0x02, ACK = 0x10, FIN = 0x01;
  const w = pcapWriter(path, opt.snaplen ?? 262144);
  const put = w.put;
  const ci = w.next();
  const si = w.next();
  put(true, 0, SYN, ci, 0, 0);
  put(false, 0, SYN | ACK, si, ci + 1, 0);
  put(true, 0, ACK, ci + 1, si + 1, 0);
  put(true, 0, 0x08 | ACK, ci + 1, si + 1, 100);
  const cseq = ci + 101;
  let next = si + 1; // next new byte the server sends
  let acked = si + 1; // the client's cumulative ack
  let unacked = 0; // segments received since the client's last ACK
  let n = 0;
  while (w.count < packets - 3) {
    n++;
    if (n % lossEvery === 0) {
      // lost: the client sees the next three segments and answers each with a duplicate ACK
      const hole = next;
      next += seg;
      for (let k = 0; k < 3; k++) {
        put(false, 0, ACK, next, cseq, seg);
        next += seg;
        put(true, 0, ACK, cseq, acked, 0);
      }
      put(false, 0, ACK, hole, cseq, seg);
      acked = next;
      unacked = 0;
      put(true, 0, ACK, cseq, acked, 0);
      continue;
    }
    if (n % reorderEvery === 0) {
      // two segments swapped on the way
      put(false, 0, ACK, next + seg, cseq, seg);
      put(false, 0, ACK, next, cseq, seg);
      next += 2 * seg;
      acked = next;
      unacked = 0;
      put(true, 0, ACK, cseq, acked, 0);
      continue;
    }
    put(false, 0, ACK, next, cseq, seg);
    next += seg;
    if (++unacked === 2) {
      acked = next;
      unacked = 0;
      put(true, 0, ACK, cseq, acked, 0);
    }
  }
  put(false, 0, FIN | ACK, next, cseq, 0);
  put(true, 0, FIN | ACK, cseq, next + 1, 0);
  put(false, 0, ACK, next + 1, cseq + 1, 0);
  return w.close();
}

/**
 * How many of writeOptionsPcap's packets carry options other than NOP NOP timestamps (the
 * decoder's own path), so go through the options' parser: each connection's SYN and SYN-ACK, and
 * the 6 ACKs with SACK blocks of each round.
 */
export function optionsPcapParsed(connections: number, rounds = 1): number {
  return connections * (2 + 6 * rounds);
}

/**
 * Connections whose every packet carries the TCP options a Linux host sends, with timestamps of
 * 2^31 and more (a real host's clock starts at random): each SYN and SYN-ACK MSS, SACK permitted,
 * timestamps and a window scale; then the request, a response of eight segments of which three
 * are lost, the client's duplicate ACKs with one to three SACK blocks (NOP NOP timestamps NOP NOP
 * SACK: 40 bytes of options with three), the retransmissions, `rounds` times over; and a FIN/ACK
 * close. 8 + 16 x `rounds` packets a connection, 6 of each round's with SACK blocks. For checking
 * the options' parser on the per-packet path (the other captures here take its NOP-NOP-timestamps
 * path only).
 */
export function writeOptionsPcap(path: string, connections: number, rounds = 1): number {
  const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;
  const seg = 1000;
  const w = pcapWriter(path);
  const ts = (o: Uint8Array, at: number, val: number, ecr: number): void => {
    o[at] = 8;
    o[at + 1] = 10;
    const v = new DataView(o.buffer, o.byteOffset);
    v.setUint32(at + 2, val >>> 0);
    v.setUint32(at + 6, ecr >>> 0);
  };
  // MSS 1460, SACK permitted, timestamps, NOP, window scale 7 (Linux's order)
  const synOptions = (val: number, ecr: number): Uint8Array => {
    const o = new Uint8Array(20);
    o.set([2, 4, 0x05, 0xb4, 4, 2]);
    ts(o, 6, val, ecr);
    o.set([1, 3, 3, 7], 16);
    return o;
  };
  const tsOptions = (val: number, ecr: number): Uint8Array => {
    const o = new Uint8Array(12);
    o.set([1, 1]);
    ts(o, 2, val, ecr);
    return o;
  };
  const sackOptions = (val: number, ecr: number, blocks: [number, number][]): Uint8Array => {
    const o = new Uint8Array(12 + 4 + 8 * blocks.length);
    o.set(tsOptions(val, ecr));
    o.set([1, 1, 5, 2 + 8 * blocks.length], 12);
    const v = new DataView(o.buffer);
    blocks.forEach(([l, r], i) => {
      v.setUint32(16 + i * 8, l >>> 0);
      v.setUint32(20 + i * 8, r >>> 0);
    });
    return o;
  };
  for (let c = 0; c < connections; c++) {
    const ci = w.next();
    const si = w.next();
    // each host's timestamp clock, from 2^31 up
    let tc = (0x80000000 + (w.next() >>> 1)) >>> 0;
    let tsrv = (0x80000000 + (w.next() >>> 1)) >>> 0;
    w.put(true, c, SYN, ci, 0, 0, synOptions(tc, 0));
    w.put(false, c, SYN | ACK, si, ci + 1, 0, synOptions(tsrv, tc));
    w.put(true, c, ACK, ci + 1, si + 1, 0, tsOptions(++tc, tsrv));
    w.put(true, c, PSH | ACK, ci + 1, si + 1, 100, tsOptions(tc, tsrv));
    const cseq = ci + 101;
    const base = si + 1;
    w.put(false, c, ACK, base, cseq, 0, tsOptions(++tsrv, tc));
    // `rounds` windows of segments 0..7, of which 1, 3 and 5 are lost: the client's duplicate
    // ACKs carry one, two, three and three SACK blocks (the latest first, as Linux sends them),
    // and its ACKs of the retransmissions two and one
    let end = base;
    for (let r = 0; r < rounds; r++) {
      const from = end;
      const at = (k: number): number => from + k * seg;
      w.put(false, c, ACK, at(0), cseq, seg, tsOptions(++tsrv, tc));
      w.put(true, c, ACK, cseq, at(1), 0, tsOptions(++tc, tsrv));
      const sacked: [number, number][][] = [
        [[at(2), at(3)]],
        [[at(4), at(5)], [at(2), at(3)]],
        [[at(6), at(7)], [at(4), at(5)], [at(2), at(3)]],
        [[at(6), at(8)], [at(4), at(5)], [at(2), at(3)]],
      ];
      [2, 4, 6, 7].forEach((k, i) => {
        w.put(false, c, ACK, at(k), cseq, seg, tsOptions(++tsrv, tc));
        w.put(true, c, ACK, cseq, at(1), 0, sackOptions(++tc, tsrv, sacked[i]));
      });
      w.put(false, c, ACK, at(1), cseq, seg, tsOptions(++tsrv, tc));
      w.put(true, c, ACK, cseq, at(3), 0, sackOptions(++tc, tsrv, [[at(6), at(8)], [at(4), at(5)]]));
      w.put(false, c, ACK, at(3), cseq, seg, tsOptions(++tsrv, tc));
      w.put(true, c, ACK, cseq, at(5), 0, sackOptions(++tc, tsrv, [[at(6), at(8)]]));
      w.put(false, c, ACK, at(5), cseq, seg, tsOptions(++tsrv, tc));
      w.put(true, c, ACK, cseq, at(8), 0, tsOptions(++tc, tsrv));
      end = at(8);
    }
    w.put(false, c, FIN | ACK, end, cseq, 0, tsOptions(++tsrv, tc));
    w.put(true, c, FIN | ACK, cseq, end + 1, 0, tsOptions(++tc, tsrv));
    w.put(false, c, ACK, end + 1, cseq + 1, 0, tsOptions(++tsrv, tc));
  }
  return w.close();
}

/**
 * Connections as they are opened on 4-tuples used again and again, for checking the release of
 * closed connections against Wireshark, which never forgets a 4-tuple. What a connection does:
 * - `graceful`: handshake, request, response, FIN/ACK close (10 packets, as writeSyntheticPcap);
 * - `reset`: handshake, request, RST from the server;
 * - `refused`: SYN answered by RST/ACK;
 * - `open`: handshake and a request, never closed (the 4-tuple's next SYN finds it in the table);
 * - `reverse`: as graceful, opened by the other end of the 4-tuple (198.19.0.1:80 sends the SYN);
 * - `sameIsn`: a SYN with the ISN of the 4-tuple's previous SYN (Wireshark: not a new stream);
 * - `midstream`: data and ACKs without a handshake (Wireshark adds them to the 4-tuple's stream).
 * The last two are joined by Wireshark to a stream we may have released: `split` in `kinds`
 * turns them on. Between packets the clock moves 7 us; every `pauseEvery` packets it jumps by
 * up to `maxPause` seconds, so that closed connections outlive the CLI's linger.
 */
export interface ReuseOptions {
  connections: number;
  /** 4-tuples to draw from (client 198.18.x.y:port, server 198.19.0.1:80, as writeSyntheticPcap). */
  tuples: number;
  /** Connections interleaved at once. */
  active?: number;
  pauseEvery?: number;
  maxPause?: number;
  /** Also sameIsn and midstream connections (which may be split from Wireshark's streams). */
  split?: boolean;
  seed?: number;
}

type Step = [cli: boolean, flags: number, seq: number, ack: number, len: number];

export function writeReusePcap(path: string, opt: ReuseOptions): number {
  const w = pcapWriter(path);
  const SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01, RST = 0x04;
  let rnd = (opt.seed ?? 1) >>> 0 || 1;
  const random = (n: number): number => {
    rnd ^= rnd << 13;
    rnd >>>= 0;
    rnd ^= rnd >>> 17;
    rnd ^= rnd << 5;
    rnd >>>= 0;
    return rnd % n;
  };
  const pauseEvery = opt.pauseEvery ?? 2000;
  const maxPause = opt.maxPause ?? 120;
  const activeMax = opt.active ?? 32;
  /** The ISN of each 4-tuple's last SYN from the client end (for sameIsn). */
  const lastIsn = new Map<number, number>();
  const busy = new Set<number>();
  const active: { tuple: number; steps: Step[]; at: number }[] = [];
  let opened = 0;
  const script = (tuple: number): Step[] => {
    const kinds = opt.split ? 7 : 5;
    const kind = random(100) < 70 ? 0 : 1 + random(kinds - 1);
    let ci = w.next();
    const si = w.next();
    if (kind === 5) ci = lastIsn.get(tuple) ?? ci;
    if (kind !== 4 && kind !== 6) lastIsn.set(tuple, ci);
    const req = 100 + random(400);
    const resp = 200 + random(1000);
    const hs = (c: boolean, a: number, b: number): Step[] => [[c, SYN, a, 0, 0], [!c, SYN | ACK, b, a + 1, 0], [c, ACK, a + 1, b + 1, 0]];
    const graceful = (c: boolean, a: number, b: number): Step[] => [
      ...hs(c, a, b),
      [c, PSH | ACK, a + 1, b + 1, req], [!c, ACK, b + 1, a + 1 + req, 0],
      [!c, PSH | ACK, b + 1, a + 1 + req, resp], [c, ACK, a + 1 + req, b + 1 + resp, 0],
      [c, FIN | ACK, a + 1 + req, b + 1 + resp, 0], [!c, FIN | ACK, b + 1 + resp, a + 2 + req, 0],
      [c, ACK, a + 2 + req, b + 2 + resp, 0],
    ];
    switch (kind) {
      case 1: return [...hs(true, ci, si), [true, PSH | ACK, ci + 1, si + 1, req], [false, RST | ACK, si + 1, ci + 1 + req, 0]];
      case 2: return [[true, SYN, ci, 0, 0], [false, RST | ACK, 0, ci + 1, 0]];
      case 3: return [...hs(true, ci, si), [true, PSH | ACK, ci + 1, si + 1, req], [false, ACK, si + 1, ci + 1 + req, 0]];
      case 4: return graceful(false, si, ci);
      case 6: return [[true, PSH | ACK, ci, si, req], [false, ACK, si, ci + req, 0], [false, PSH | ACK, si, ci + req, resp], [true, ACK, ci + req, si + resp, 0]];
      default: return graceful(true, ci, si);
    }
  };
  while (opened < opt.connections || active.length > 0) {
    while (active.length < activeMax && opened < opt.connections) {
      let tuple = random(opt.tuples);
      while (busy.has(tuple)) tuple = (tuple + 1) % opt.tuples;
      busy.add(tuple);
      active.push({ tuple, steps: script(tuple), at: 0 });
      opened++;
    }
    const i = random(active.length);
    const a = active[i];
    const [cli, flags, seq, ack, len] = a.steps[a.at++];
    w.put(cli, a.tuple, flags, seq, ack, len);
    if (a.at === a.steps.length) {
      busy.delete(a.tuple);
      active[i] = active[active.length - 1];
      active.pop();
    }
    if (w.count % pauseEvery === 0) w.pause(random(maxPause * 1_000_000));
  }
  return w.close();
}

interface PcapWriter {
  /**
   * Writes one packet of connection `conn` (client → server when `cli`); its TCP options are
   * NOP NOP and a timestamp option, or `options` (a multiple of 4 bytes, at most 40) when given.
   */
  put(cli: boolean, conn: number, flags: number, seq: number, ack: number, len: number, options?: Uint8Array): void;
  /** Moves the clock on by `usec` microseconds before the next packet. */
  pause(usec: number): void;
  /** Deterministic pseudo-random 32-bit numbers (ISNs). */
  next(): number;
  count: number;
  close(): number;
}

function pcapWriter(path: string, snaplen = 262144): PcapWriter {
  const fd = openSync(path, 'w');
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(snaplen, 16);
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
  const put = (cli: boolean, conn: number, flags: number, seq: number, ack: number, len: number, options?: Uint8Array): void => {
    const tcp = options === undefined ? TCP : 20 + options.length;
    if (pos + REC + ETH + IP + tcp + len > chunk.length) flush();
    seq >>>= 0;
    ack >>>= 0;
    usec += 7;
    if (usec >= 1_000_000) {
      usec -= 1_000_000;
      sec++;
    }
    const total = IP + tcp + len;
    const b = chunk;
    let o = pos;
    b.writeUInt32LE(sec, o);
    b.writeUInt32LE(usec, o + 4);
    const cap = Math.min(ETH + total, snaplen);
    b.writeUInt32LE(cap, o + 8);
    b.writeUInt32LE(ETH + total, o + 12);
    const recStart = o + REC;
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
    b[o + 12] = (tcp / 4) << 4;
    b[o + 13] = flags;
    b.writeUInt16BE(502, o + 14);
    b.writeUInt32BE(0, o + 16);
    if (options === undefined) {
      b[o + 20] = 1;
      b[o + 21] = 1;
      b[o + 22] = 8;
      b[o + 23] = 10;
      b.writeUInt32BE(packets >>> 0, o + 24);
      b.writeUInt32BE(0, o + 28);
    } else b.set(options, o + 20);
    o += tcp;
    b.fill(0x61, o, o + len);
    pos = recStart + cap;
    packets++;
    w.count = packets;
  };
  const w: PcapWriter = {
    put,
    pause: (us: number): void => {
      usec += us;
      sec += Math.floor(usec / 1_000_000);
      usec %= 1_000_000;
    },
    next,
    count: 0,
    close: () => {
      flush();
      closeSync(fd);
      return packets;
    },
  };
  return w;
}

/**
 * Copies a classic pcap (either byte order, µs or ns) to `dst` as pcapng: a section header, one
 * interface of the pcap's link type and snaplen (if_tsresol 9 for a nanosecond pcap), and an
 * Enhanced Packet Block per record with the record's timestamp, lengths and bytes (as editcap
 * -F pcapng writes it, without its comment and statistics blocks). Returns the packets copied.
 */
export function pcapToPcapng(src: string, dst: string): number {
  const input = openSync(src, 'r');
  const out = openSync(dst, 'w');
  try {
    return copyAsPcapng(src, input, out);
  } finally {
    closeSync(out);
    closeSync(input);
  }
}

/** pcapToPcapng's copy, from descriptor `input` (the pcap `src`) to `out`. */
function copyAsPcapng(src: string, input: number, out: number): number {
  const head = Buffer.alloc(24);
  if (readSync(input, head, 0, 24, 0) !== 24) throw new Error(`${src}: shorter than a pcap header`);
  const magic = head.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && head.readUInt32BE(0) !== 0xa1b2c3d4 && head.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`${src}: not a classic pcap`);
  const nano = (le ? magic : head.readUInt32BE(0)) === 0xa1b23c4d;
  const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const snaplen = u32(head, 16);
  const linkType = u32(head, 20) & 0xffff;
  // section header block (no options): type, length, byte-order magic, version 1.0, section length -1
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0);
  shb.writeUInt32LE(28, 4);
  shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeUInt16LE(0, 14);
  shb.writeInt32LE(-1, 16);
  shb.writeInt32LE(-1, 20);
  shb.writeUInt32LE(28, 24);
  writeAll(out, shb, 0, shb.length);
  // interface description block: if_tsresol (9) = 9 for nanoseconds, then opt_endofopt
  const idbLen = nano ? 32 : 20;
  const idb = Buffer.alloc(idbLen);
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(idbLen, 4);
  idb.writeUInt16LE(linkType, 8);
  idb.writeUInt32LE(snaplen, 12);
  if (nano) {
    idb.writeUInt16LE(9, 16);
    idb.writeUInt16LE(1, 18);
    idb.writeUInt8(9, 20);
  }
  idb.writeUInt32LE(idbLen, idbLen - 4);
  writeAll(out, idb, 0, idb.length);
  const inBuf = Buffer.alloc(8 << 20);
  const outBuf = Buffer.alloc(16 << 20);
  let have = 0;
  let at = 24;
  let o = 0;
  let packets = 0;
  for (;;) {
    const n = readSync(input, inBuf, have, inBuf.length - have, at);
    at += n;
    have += n;
    let p = 0;
    while (p + 16 <= have) {
      const capLen = u32(inBuf, p + 8);
      if (capLen > inBuf.length - 16) throw new Error(`${src}: record of ${capLen} bytes`);
      if (p + 16 + capLen > have) break;
      // µs since 1970 stay below 2^53 (exact as a double); ns do not (BigInt)
      let high: number;
      let low: number;
      if (nano) {
        const ts = BigInt(u32(inBuf, p)) * 1000000000n + BigInt(u32(inBuf, p + 4));
        high = Number(ts >> 32n);
        low = Number(ts & 0xffffffffn);
      } else {
        const ts = u32(inBuf, p) * 1e6 + u32(inBuf, p + 4);
        high = Math.floor(ts / 4294967296);
        low = ts % 4294967296;
      }
      const padded = (capLen + 3) & ~3;
      const len = 32 + padded;
      if (o + len > outBuf.length) {
        writeAll(out, outBuf, 0, o);
        o = 0;
      }
      outBuf.writeUInt32LE(6, o);
      outBuf.writeUInt32LE(len, o + 4);
      outBuf.writeUInt32LE(0, o + 8);
      outBuf.writeUInt32LE(high, o + 12);
      outBuf.writeUInt32LE(low, o + 16);
      outBuf.writeUInt32LE(capLen, o + 20);
      outBuf.writeUInt32LE(u32(inBuf, p + 12), o + 24);
      inBuf.copy(outBuf, o + 28, p + 16, p + 16 + capLen);
      outBuf.fill(0, o + 28 + capLen, o + 28 + padded);
      outBuf.writeUInt32LE(len, o + 28 + padded);
      o += len;
      p += 16 + capLen;
      packets++;
    }
    inBuf.copy(inBuf, 0, p, have);
    have -= p;
    if (n === 0) break;
  }
  if (have !== 0) throw new Error(`${src}: ${have} bytes of a cut-off record at the end`);
  writeAll(out, outBuf, 0, o);
  return packets;
}
