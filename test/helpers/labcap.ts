/**
 * A synthetic lab capture: a client uploads a file with an HTTP POST over one TCP connection,
 * built byte by byte (Ethernet/IPv4/TCP in a classic pcap), with everything a lab question asks
 * about under the test's control: ISNs, window scale, segment sizes, the RTT, delayed ACKs,
 * slow-start flights, a retransmission, and who closes. The builder also returns what it did,
 * so tests compute the expected answers from the plan, not from the tool.
 */
import { writeFileSync } from 'node:fs';
import { pcapFile, type PcapRecord } from './capfile.js';
import { ethernet, ipv4, tcp, udp, opt, IPPROTO } from './wire.js';

const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;
const PSH = 0x08;
export const EPOCH = 1_700_000_000;

export interface UploadSpec {
  client?: [string, number];
  server?: [string, number];
  clientIsn?: number;
  serverIsn?: number;
  /** Window-scale shifts offered in the SYN and SYN-ACK; null: no option. */
  wscale?: [number, number] | null;
  /** Payload bytes of each data segment (the last may be shorter: `lastLen`). */
  mss?: number;
  segments?: number;
  lastLen?: number;
  /** Seconds between a segment and its ACK. */
  rtt?: number;
  /** The server acknowledges every `ackEvery` segments (2 = delayed ACK). */
  ackEvery?: number;
  /** Segments per flight: doubled each round (slow start) from this. */
  initialFlight?: number;
  /** The client's raw window field, and the server's (raw field values, grows by 8 per ACK). */
  clientWindow?: number;
  serverWindow?: number;
  /** Index of a data segment sent twice (the copy right after its flight). */
  retransmit?: number | null;
  /** Who sends the first FIN; null: no teardown. */
  closer?: 'client' | 'server' | null;
  /** A UDP frame this many seconds before the SYN starts the capture (0: none). */
  prelude?: number;
  /** Each successive ACK takes this much longer than the RTT (varying SampleRTTs). */
  rttStep?: number;
  /**
   * Bytes the SYN carries (TCP Fast Open data the server does not take: its SYN-ACK acknowledges
   * the SYN alone, and the upload goes as without them).
   */
  synPayload?: number[];
}

export interface DataSeg {
  frame: number;
  time: number;
  relSeq: number;
  len: number;
  frameLen: number;
  ackFrame: number;
  ackTime: number;
}

export interface UploadPlan {
  bytes: Uint8Array;
  spec: Required<UploadSpec>;
  data: DataSeg[];
  /** The server's ACK frames with their relative ack and raw window field. */
  acks: { frame: number; time: number; ack: number; rawWindow: number }[];
  frames: { syn: number; synAck: number; ack: number; fins: number[] };
  /** Raw window field of every non-SYN server packet. */
  serverWindows: number[];
  /** Frame of every packet sent by the client, with its time. */
  clientTimes: { frame: number; time: number }[];
  postHeaderLen: number;
}

export function buildUpload(s: UploadSpec = {}): UploadPlan {
  const spec: Required<UploadSpec> = {
    client: s.client ?? ['10.1.0.2', 51000],
    server: s.server ?? ['10.2.0.80', 80],
    clientIsn: s.clientIsn ?? 1000000,
    serverIsn: s.serverIsn ?? 3000000,
    wscale: s.wscale === undefined ? [6, 7] : s.wscale,
    mss: s.mss ?? 1000,
    segments: s.segments ?? 12,
    lastLen: s.lastLen ?? 300,
    rtt: s.rtt ?? 0.05,
    ackEvery: s.ackEvery ?? 2,
    initialFlight: s.initialFlight ?? 2,
    clientWindow: s.clientWindow ?? 2000,
    serverWindow: s.serverWindow ?? 400,
    retransmit: s.retransmit ?? null,
    closer: s.closer === undefined ? 'client' : s.closer,
    prelude: s.prelude ?? 0,
    rttStep: s.rttStep ?? 0,
    synPayload: s.synPayload ?? [],
  };
  const [cip, cport] = spec.client;
  const [sip, sport] = spec.server;
  const records: PcapRecord[] = [];
  const plan: UploadPlan = { bytes: new Uint8Array(0), spec, data: [], acks: [], frames: { syn: 0, synAck: 0, ack: 0, fins: [] }, serverWindows: [], clientTimes: [], postHeaderLen: 0 };
  let frame = 0;
  if (spec.prelude > 0) {
    records.push({ sec: EPOCH, frac: 0, data: ethernet({ type: 0x0800, payload: ipv4({ src: cip, dst: '10.0.0.53', proto: IPPROTO.UDP, payload: udp({ srcPort: 5353, dstPort: 53, payload: [1, 2, 3, 4] }) }) }) });
    frame++;
  }
  const put = (t: number, fromClient: boolean, seq: number, ack: number, flags: number, window: number, payload: Uint8Array, options: number[] = []): number => {
    const seg = tcp({ srcPort: fromClient ? cport : sport, dstPort: fromClient ? sport : cport, seq: seq >>> 0, ack: ack >>> 0, flags, window, options, payload });
    const data = ethernet({ type: 0x0800, payload: ipv4({ src: fromClient ? cip : sip, dst: fromClient ? sip : cip, proto: IPPROTO.TCP, payload: seg }) });
    const us = Math.round((t + spec.prelude) * 1e6);
    records.push({ sec: EPOCH + Math.floor(us / 1e6), frac: us % 1e6, data });
    frame++;
    if (fromClient) plan.clientTimes.push({ frame, time: us / 1e6 });
    else if (!(flags & SYN)) plan.serverWindows.push(window);
    return frame;
  };
  const sizes = Array.from({ length: spec.segments }, (_, i) => (i === spec.segments - 1 ? spec.lastLen : spec.mss));
  const total = sizes.reduce((a, b) => a + b, 0);
  // the POST header fills the start of the first segment; Content-Length makes it end with the last byte
  const head = (n: number): string => `POST /upload HTTP/1.1\r\nHost: lab.example\r\nContent-Length: ${n}\r\n\r\n`;
  let header = head(total);
  header = head(total - header.length);
  plan.postHeaderLen = header.length;
  const body = new Uint8Array(total).fill(0x61);
  if (total > header.length) body.set(Buffer.from(header, 'latin1'), 0);

  const cIsn = spec.clientIsn;
  const sIsn = spec.serverIsn;
  const ws = spec.wscale;
  const synOpts = (shift: number | null): number[] => [...opt.mss(1460), ...opt.sackPerm(), ...(shift === null ? [] : [...opt.nop(), ...opt.wscale(shift)])];
  let t = 0;
  plan.frames.syn = put(t, true, cIsn, 0, SYN, 64240, new Uint8Array(spec.synPayload), synOpts(ws ? ws[0] : null));
  t += spec.rtt;
  plan.frames.synAck = put(t, false, sIsn, cIsn + 1, SYN | ACK, 65160, new Uint8Array(0), synOpts(ws ? ws[1] : null));
  t += 0.0001;
  plan.frames.ack = put(t, true, cIsn + 1, sIsn + 1, ACK, spec.clientWindow, new Uint8Array(0));

  let next = 0;
  let off = 0;
  let flight = spec.initialFlight;
  let serverWin = spec.serverWindow;
  let acked = 0;
  t += 0.001;
  while (next < spec.segments) {
    const inFlight: number[] = [];
    for (let k = 0; k < flight && next < spec.segments; k++, next++) {
      const len = sizes[next];
      const f = put(t, true, cIsn + 1 + off, sIsn + 1, ACK | (next === spec.segments - 1 ? PSH : 0), spec.clientWindow, body.subarray(off, off + len));
      plan.data.push({ frame: f, time: Math.round(t * 1e6) / 1e6, relSeq: 1 + off, len, frameLen: 54 + len, ackFrame: 0, ackTime: 0 });
      inFlight.push(plan.data.length - 1);
      off += len;
      t += 0.0002;
    }
    if (spec.retransmit !== null && inFlight.includes(spec.retransmit)) {
      const d = plan.data[spec.retransmit];
      put(t, true, cIsn + d.relSeq, sIsn + 1, ACK, spec.clientWindow, body.subarray(d.relSeq - 1, d.relSeq - 1 + d.len));
      t += 0.0002;
    }
    // ACKs one RTT after each acknowledged segment: every ackEvery-th segment, and the flight's last
    let at = plan.data[inFlight[0]].time + spec.rtt;
    inFlight.forEach((idx, k) => {
      if ((k + 1) % spec.ackEvery !== 0 && k !== inFlight.length - 1) return;
      const d = plan.data[idx];
      at = Math.max(at, d.time + spec.rtt + plan.acks.length * spec.rttStep);
      const ackRel = d.relSeq + d.len;
      const f = put(at, false, sIsn + 1, cIsn + ackRel, ACK, serverWin, new Uint8Array(0));
      plan.acks.push({ frame: f, time: Math.round(at * 1e6) / 1e6, ack: ackRel, rawWindow: serverWin });
      for (let j = acked; j <= idx; j++) {
        plan.data[j].ackFrame = f;
        plan.data[j].ackTime = Math.round(at * 1e6) / 1e6;
      }
      acked = idx + 1;
      serverWin += 8;
      at += 0.0001;
    });
    t = at + 0.0001;
    flight *= 2;
  }
  const cEnd = cIsn + 1 + total;
  if (spec.closer === 'client') {
    plan.frames.fins.push(put(t, true, cEnd, sIsn + 1, FIN | ACK, spec.clientWindow, new Uint8Array(0)));
    t += spec.rtt;
    plan.frames.fins.push(put(t, false, sIsn + 1, cEnd + 1, ACK, serverWin, new Uint8Array(0)));
    t += 0.001;
    plan.frames.fins.push(put(t, false, sIsn + 1, cEnd + 1, FIN | ACK, serverWin, new Uint8Array(0)));
    t += spec.rtt;
    plan.frames.fins.push(put(t, true, cEnd + 1, sIsn + 2, ACK, spec.clientWindow, new Uint8Array(0)));
  } else if (spec.closer === 'server') {
    plan.frames.fins.push(put(t, false, sIsn + 1, cEnd, FIN | ACK, serverWin, new Uint8Array(0)));
    t += spec.rtt;
    plan.frames.fins.push(put(t, true, cEnd, sIsn + 2, ACK, spec.clientWindow, new Uint8Array(0)));
    t += 0.001;
    plan.frames.fins.push(put(t, true, cEnd, sIsn + 2, FIN | ACK, spec.clientWindow, new Uint8Array(0)));
    t += spec.rtt;
    plan.frames.fins.push(put(t, false, sIsn + 2, cEnd + 1, ACK, serverWin, new Uint8Array(0)));
  }
  plan.bytes = pcapFile({ byteOrder: 'le', records });
  return plan;
}

export function writeUpload(path: string, s: UploadSpec = {}): UploadPlan {
  const plan = buildUpload(s);
  writeFileSync(path, plan.bytes);
  return plan;
}
