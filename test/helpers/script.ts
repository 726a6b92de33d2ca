/**
 * Scripted conversations: TCP packets as lines of a dialogue, without bytes. Each step is
 * [who, flags, seq, ack, len?, options?] with raw sequence numbers; the client is 10.0.0.1:40000,
 * the server 10.0.0.2:80 (or the ports given). Steps are 1 ms apart unless `dt` says otherwise.
 * Returns the tracker and, per packet, what the story said about it.
 */
import { Frame } from '../../src/capture/frame.js';
import { Packet, DECODED_TCP, TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST, TCP_PSH, TCP_ECE, TCP_CWR } from '../../src/decode/packet.js';
import { Tracker } from '../../src/analyze/tracker.js';
import { STATE_NAMES, PHASE_NAMES, NOTE_KEYS } from '../../src/analyze/story.js';

export type Who = 'c' | 's';
export interface Step {
  who: Who;
  flags: string; // letters: S A F R P, E (ECE) C (CWR)
  seq: number;
  ack?: number;
  len?: number;
  dt?: number;
  win?: number;
  mss?: number;
  wscale?: number;
  /** TCP Fast Open's option as the decoder gives it: the cookie's length, 0 for a request. */
  tfo?: number;
  /** A D-SACK block the decoder found (decode/tcp.ts, tested in test/decode/tcp.test.ts): raw left and right edges. */
  dsack?: [number, number];
}

export interface Seen {
  frame: number;
  phase: string;
  client: string;
  server: string;
  note: string;
  /** The note's numbers. */
  n: [number, number, number];
}

const CLIENT = (10 << 24) | 1;
const SERVER = (10 << 24) | 2;

export function converse(steps: Step[], ports: [number, number] = [40000, 80]): { tracker: Tracker; seen: Seen[] } {
  const seen: Seen[] = [];
  const tracker = new Tracker({
    onPacket(c, r) {
      const cli = c.clientIsA ? r.stateA : r.stateB;
      const srv = c.clientIsA ? r.stateB : r.stateA;
      seen.push({ frame: r.frame, phase: PHASE_NAMES[r.phase], client: STATE_NAMES[cli], server: STATE_NAMES[srv], note: NOTE_KEYS[r.note], n: [r.n1, r.n2, r.n3] });
    },
  });
  const f = new Frame();
  const p = new Packet();
  let t = 1_700_000_000;
  let n = 0;
  for (const st of steps) {
    t += st.dt ?? 0.001;
    n++;
    f.number = n;
    f.tsSec = Math.floor(t);
    f.tsNsec = Math.round((t - Math.floor(t)) * 1e9);
    p.reset();
    p.status = DECODED_TCP;
    p.ipVersion = 4;
    const fromClient = st.who === 'c';
    p.src[0] = fromClient ? CLIENT : SERVER;
    p.dst[0] = fromClient ? SERVER : CLIENT;
    p.src[1] = p.src[2] = p.src[3] = p.dst[1] = p.dst[2] = p.dst[3] = 0;
    p.srcPort = fromClient ? ports[0] : ports[1];
    p.dstPort = fromClient ? ports[1] : ports[0];
    let flags = 0;
    for (const ch of st.flags) {
      flags |= ch === 'S' ? TCP_SYN : ch === 'A' ? TCP_ACK : ch === 'F' ? TCP_FIN : ch === 'R' ? TCP_RST : ch === 'P' ? TCP_PSH : ch === 'E' ? TCP_ECE : ch === 'C' ? TCP_CWR : 0;
    }
    p.flags = flags;
    p.seq32 = st.seq | 0;
    p.ack32 = (st.ack ?? 0) | 0;
    p.payloadLen = st.len ?? 0;
    p.window = st.win ?? 1000;
    if (st.mss !== undefined) p.mss = st.mss;
    if (st.wscale !== undefined) p.wscale = st.wscale;
    if (st.tfo !== undefined) p.tfo = st.tfo;
    if (st.dsack !== undefined) {
      p.dsack = true;
      p.dsackLeft = st.dsack[0] | 0;
      p.dsackRight = st.dsack[1] | 0;
    }
    tracker.packet(f, p);
  }
  if (tracker.finish) tracker.finish();
  return { tracker, seen };
}
