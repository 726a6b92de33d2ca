/**
 * Connection tracking and Wireshark's TCP sequence analysis, one packet at a time.
 *
 * Emulates tshark 4.0.17 in a single pass (the version and mode the corpus references were
 * made with; docs/differences.md lists where and why we differ):
 * - Streams (tcp.stream): one per 4-tuple, numbered in order of first packet. A new stream
 *   starts on an existing 4-tuple only when a pure SYN arrives whose sequence number differs
 *   from that direction's base (a new ISN) — flagged `reused_ports`. A SYN with the same ISN
 *   stays in the stream (a retransmission), even after FIN or RST, as in 4.0 (later Wireshark
 *   releases also split on FIN/RST). A SYN-ACK with a new ISN re-bases that direction and is
 *   flagged `reused_ports` without a new stream (4.0 behaviour).
 * - Relative numbers: a direction's base is its ISN when its first packet is a SYN, else
 *   seq − 1; a packet with ACK sets the other direction's base to ack − 1 if it has none.
 * - Analysis flags: the decision order of tcp_analyze_sequence_number() (4.0), see the steps
 *   below; window scale from the SYNs (unknown without them, as Wireshark).
 * - tcp.completeness and the initial RTT (SYN → first ACK).
 *
 * The tracker never sees bytes: it reads the decoded Packet. It allocates only when a
 * connection is created; observers receive a reused PacketResult.
 */
import type { Frame } from '../capture/frame.js';
import { Packet, TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST } from '../decode/packet.js';
import type { PacketSink } from '../pipeline.js';
import { ConnectionTable } from '../flow/table.js';
import { Connection, Flow, WSCALE_NONE, WSCALE_UNKNOWN } from './connection.js';
import { noteRoles } from './roles.js';
import { updateStory, analysisNote, type StoryResult } from './story.js';
import { updateZeek } from './zeek.js';
import { seqAdd, seqGe, seqGt, seqLt, seqLe, seqSub } from '../model/seq.js';
import {
  A_RETRANSMISSION, A_LOST_PACKET, A_ACK_LOST_PACKET, A_KEEP_ALIVE, A_DUPLICATE_ACK, A_ZERO_WINDOW,
  A_ZERO_WINDOW_PROBE, A_ZERO_WINDOW_PROBE_ACK, A_KEEP_ALIVE_ACK, A_OUT_OF_ORDER, A_FAST_RETRANSMISSION,
  A_WINDOW_UPDATE, A_WINDOW_FULL, A_REUSED_PORTS, A_SPURIOUS_RETRANSMISSION, ANALYSIS_ORDER,
  C_SYN, C_SYNACK, C_ACK, C_DATA, C_FIN, C_RST,
} from './flags.js';

const CTL = TCP_SYN | TCP_FIN | TCP_RST;
/** Wireshark: a fast retransmission comes within 20 ms of the last duplicate ACK. */
const FAST_RETRANSMISSION_WINDOW = 0.02;
/** Wireshark: out-of-order threshold when the initial RTT is unknown. */
const DEFAULT_OOO_THRESHOLD = 0.003;
/**
 * Wireshark 4.0 stores -1 in the unsigned duplicate-ACK counter after an "ACKed unseen
 * segment" report; as an unsigned number it also passes the ">= 2 duplicate ACKs" test of
 * the fast-retransmission rule, so a retransmission right after it is "fast". Kept as is.
 */
const DUPACK_REPORTED = 0xffffffff;
/** Wireshark caps the window-scale shift at 14 (RFC 7323 §2.3). */
const MAX_WSCALE = 14;

/** What the analysis says about one packet; reused for every packet. */
export class PacketResult implements StoryResult {
  /** Phase (story.ts PH_*), both sides' states after the packet (ST_*), the note (N_*) and its numbers. */
  phase = 0;
  stateA = 0;
  stateB = 0;
  note = 0;
  n1 = 0;
  n2 = 0;
  n3 = 0;
  frame = 0;
  /** Seconds since the first frame of the capture. */
  time = 0;
  /** True when the packet was sent by flow a (the connection's first sender). */
  fromA = true;
  /** Relative sequence and acknowledgement numbers (Wireshark's tcp.seq / tcp.ack). */
  seq = 0;
  ack = 0;
  /** Scaled window (tcp.window_size), the raw field when the scale is unknown or unused. */
  window = 0;
  /** Analysis flag bits (flags.ts). */
  analysis = 0;
  /** Wireshark's tcp.analysis.duplicate_ack_num when duplicate_ack is set. */
  dupAckNum = 0;
  /** The packet started a new connection. */
  opened = false;
}

export interface PacketObserver {
  /** Called after each TCP packet has been analysed; all three objects are reused. */
  onPacket(c: Connection, r: PacketResult, f: Frame, p: Packet): void;
  /** Called when a connection leaves the table (replaced by a new stream on its 4-tuple). */
  onReplaced?(c: Connection): void;
  /** Called when a connection is finalised: released after closing, or at the end of input. */
  onFinal?(c: Connection): void;
}

export interface TrackerOptions {
  /**
   * Keep every connection in `connections` (needed for a document of all connections). When
   * false, a connection is forgotten once finalised and memory is bounded by the open ones.
   */
  keepAll?: boolean;
  /**
   * Release a closed connection (both FINs acknowledged, or a RST) after this many seconds of
   * capture time without packets; null never releases before the end of input. A packet of the
   * same 4-tuple after the release opens a new connection (Wireshark, which never forgets,
   * would keep it in the old stream), so the default keeps Wireshark's numbering.
   */
  lingerSeconds?: number | null;
}

export class Tracker implements PacketSink {
  readonly table = new ConnectionTable();
  /** Every connection in id order, when kept (keepAll); else only the open ones are in the table. */
  readonly connections: Connection[] = [];
  readonly result = new PacketResult();
  private nextId = 0;
  private t0Sec = 0;
  private t0Nsec = 0;
  private haveT0 = false;

  private readonly keepAll: boolean;
  private readonly linger: number | null;
  /** Closed connections waiting out the linger, in order of closing. */
  private releaseQueue: Connection[] = [];
  private releaseHead = 0;

  constructor(private readonly observer: PacketObserver | null = null, opts: TrackerOptions = {}) {
    this.keepAll = opts.keepAll ?? true;
    this.linger = opts.lingerSeconds ?? null;
  }

  /** Finalises every connection still open (end of input). */
  finish(): void {
    for (const c of [...this.table.all()].sort((x, y) => x.id - y.id)) this.finalise(c);
  }

  private finalise(c: Connection): void {
    this.table.remove(c);
    if (this.observer?.onFinal) this.observer.onFinal(c);
  }

  /** Releases closed connections whose linger has passed. */
  private releaseDue(t: number): void {
    const q = this.releaseQueue;
    const linger = this.linger as number;
    while (this.releaseHead < q.length) {
      const c = q[this.releaseHead];
      if (c.lastTime + linger > t) break;
      this.releaseHead++;
      c.queuedForRelease = false;
      if (c.slot >= 0) this.finalise(c);
    }
    if (this.releaseHead > 1024 && this.releaseHead * 2 > q.length) {
      this.releaseQueue = q.slice(this.releaseHead);
      this.releaseHead = 0;
    }
  }

  packet(f: Frame, p: Packet): void {
    if (!this.haveT0) {
      this.haveT0 = true;
      this.t0Sec = f.tsSec;
      this.t0Nsec = f.tsNsec;
    }
    const t = f.hasTs ? f.tsSec - this.t0Sec + (f.tsNsec - this.t0Nsec) / 1e9 : 0;
    const r = this.result;
    r.frame = f.number;
    r.time = t;
    r.analysis = 0;
    r.dupAckNum = 0;
    r.opened = false;

    if (this.linger !== null && this.releaseHead < this.releaseQueue.length) this.releaseDue(t);
    const flags = p.flags;
    const hash = ConnectionTable.hashOf(p);
    let c = this.table.find(p, hash);
    let F: Flow;
    let R: Flow;
    if (c === null) {
      c = this.open(p, hash, f, t);
      F = c.a;
      R = c.b;
    } else {
      // a connection to itself (same address and port both ways) counts every packet as a's
      const fromA = c.a.port === p.srcPort && sameAddr(c.a, p.src) && c.b.port === p.dstPort && sameAddr(c.b, p.dst);
      F = fromA ? c.a : c.b;
      R = fromA ? c.b : c.a;
      // Port reuse (4.0): a pure SYN with a new ISN on a direction that already has a base.
      if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && F.baseSet && p.seq !== F.baseSeq) {
        this.table.remove(c);
        if (this.observer?.onReplaced) this.observer.onReplaced(c);
        if (this.observer?.onFinal) this.observer.onFinal(c);
        c = this.open(p, hash, f, t);
        F = c.a;
        R = c.b;
        r.analysis |= A_REUSED_PORTS;
      } else if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK) && F.baseSet && p.seq !== F.baseSeq) {
        // 4.0: a SYN-ACK with a new ISN re-bases its direction in the same stream.
        F.baseSeq = p.seq;
        r.analysis |= A_REUSED_PORTS;
      }
    }
    r.fromA = F === c.a;
    noteRoles(c, r.fromA, (flags & TCP_SYN) !== 0, (flags & TCP_ACK) !== 0);

    // --- completeness. The value reported is the one Wireshark shows for the connection once
    // the whole capture has been read (tshark -2, and current releases): a pure SYN counts only
    // when it opened the connection; every packet, the first included, adds its other bits.
    c.completenessBeforeLast = c.completeness;
    if (r.opened && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      c.completeness |= C_SYN;
      if (p.payloadLen > 0) c.completeness |= C_DATA;
      c.completenessFirstPass = c.completeness;
    }
    if (!r.opened) {
      // tshark 4.0's single pass skips the opening packet's other bits
      let b = 0;
      if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) b |= C_SYNACK;
      if ((flags & (TCP_SYN | TCP_ACK)) === TCP_ACK) b |= p.payloadLen > 0 ? C_DATA : C_ACK;
      if ((flags & (TCP_FIN | TCP_ACK)) === (TCP_FIN | TCP_ACK)) b |= C_FIN;
      if (flags & TCP_RST) b |= C_RST;
      c.completenessFirstPass |= b;
    }
    if ((flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) c.completeness |= C_SYNACK;
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_ACK) c.completeness |= p.payloadLen > 0 ? C_DATA : C_ACK;
    if ((flags & (TCP_FIN | TCP_ACK)) === (TCP_FIN | TCP_ACK)) c.completeness |= C_FIN;
    if (flags & TCP_RST) c.completeness |= C_RST;

    // The window shown is scaled with the shift known before this packet's own options.
    r.window = !(flags & TCP_SYN) && F.winScale >= 0 ? p.window * (1 << F.winScale) : p.window;

    if (p.shortSegment) {
      // Header longer than the segment: Wireshark assigns the stream but analyses nothing.
      r.seq = p.seq;
      r.ack = p.ack;
      r.analysis = 0;
    } else {
      this.analyze(c, F, R, p, t);
      r.seq = seqSub(p.seq, F.baseSeq);
      r.ack = flags & TCP_ACK ? seqSub(p.ack, R.baseSeq) : p.ack;
    }

    // After the analysis, as in dissect_tcp(): SYN bookkeeping, the initial RTT, first-ACK state.
    if (flags & TCP_SYN) {
      if (p.wscale >= 0) F.winScale = p.wscale > MAX_WSCALE ? MAX_WSCALE : p.wscale;
      if (!(flags & TCP_ACK)) c.tsMruSyn = t;
      F.isFirstAck = true;
      this.noteSyn(F, p);
    }
    // initial RTT: the first pure ACK after the most recent pure SYN (a zero result counts as unset)
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_ACK && c.tsMruSyn >= 0 && c.irtt <= 0) c.irtt = t - c.tsMruSyn;
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_ACK) F.isFirstAck = false;
    if (flags & TCP_SYN) {
      // verify_tcp_window_scaling(): no option on a SYN disables scaling both ways
      if (F.winScale === WSCALE_UNKNOWN) {
        F.winScale = WSCALE_NONE;
        R.winScale = WSCALE_NONE;
      } else if ((flags & TCP_ACK) && R.winScale === WSCALE_NONE) {
        F.winScale = WSCALE_NONE;
      }
    }

    // --- the story (handshake, teardown, states, notes) and Zeek's view
    updateStory(c.story, r, p, f.number, r.fromA, r.seq, r.ack, R.baseSeq);
    analysisNote(r, r.analysis, r.seq, r.ack, p.payloadLen, r.dupAckNum, r.window);
    updateZeek(c.zeek, p, r.fromA);
    if (r.fromA) {
      if (p.payloadLen > c.maxPayloadA) c.maxPayloadA = p.payloadLen;
    } else if (p.payloadLen > c.maxPayloadB) c.maxPayloadB = p.payloadLen;
    if (p.truncated) c.truncatedPackets++;

    // --- counts
    F.packets++;
    F.payloadBytes += p.payloadLen;
    if (flags & TCP_FIN) {
      F.finSent = true;
      F.finEnd = seqAdd(p.seq, p.payloadLen + 1 + (flags & TCP_SYN ? 1 : 0));
    }
    if (flags & TCP_RST) c.sawRst = true;
    if (flags & TCP_ACK && R.finSent && seqGe(p.ack, R.finEnd)) R.finAcked = true;
    if (!c.closed && (c.sawRst || (c.a.finAcked && c.b.finAcked))) c.closed = true;
    c.packets++;
    c.lastFrame = f.number;
    c.lastTime = t;
    const bits = r.analysis;
    if (bits !== 0) {
      for (let i = 0; i < ANALYSIS_ORDER.length; i++) if (bits & ANALYSIS_ORDER[i][0]) c.analysis[i]++;
    }
    if (this.observer !== null) this.observer.onPacket(c, r, f, p);
    if (c.closed && this.linger !== null && !c.queuedForRelease) {
      c.queuedForRelease = true;
      this.releaseQueue.push(c);
    }
  }

  /** Creates a connection for the packet's 4-tuple; its sender becomes flow a. */
  private open(p: Packet, hash: number, f: Frame, t: number): Connection {
    const c = new Connection();
    c.id = this.nextId++;
    c.ipVersion = p.ipVersion;
    const sa = c.a.addr;
    const da = c.b.addr;
    sa[0] = p.src[0]; sa[1] = p.src[1]; sa[2] = p.src[2]; sa[3] = p.src[3];
    da[0] = p.dst[0]; da[1] = p.dst[1]; da[2] = p.dst[2]; da[3] = p.dst[3];
    c.a.port = p.srcPort;
    c.b.port = p.dstPort;
    c.firstFrame = f.number;
    c.firstTime = t;
    this.table.insert(c, hash);
    if (this.keepAll) this.connections.push(c);
    this.result.opened = true;
    return c;
  }

  private noteSyn(F: Flow, p: Packet): void {
    if (F.synSeen) return;
    F.synSeen = true;
    F.synMss = p.mss;
    F.synWscale = p.wscale;
    F.synSackPermitted = p.sackPermitted;
    F.synTimestamps = p.hasTimestamps;
  }

  /**
   * tcp_analyze_sequence_number() of Wireshark 4.0, step by step. F is the sender's flow,
   * R the other. Sets result.analysis bits; updates F's state at the end.
   */
  private analyze(c: Connection, F: Flow, R: Flow, p: Packet, t: number): void {
    const r = this.result;
    const seq = p.seq;
    const ack = p.ack;
    const len = p.payloadLen;
    const flags = p.flags;
    const win = p.window;
    let ta = r.analysis;

    // Relative bases: the ISN for a SYN, else seq − 1; an ACK gives the other side ack − 1.
    if (!F.baseSet) {
      F.baseSeq = flags & TCP_SYN ? seq : seqAdd(seq, -1);
      F.baseSet = true;
    }
    if (flags & TCP_ACK && !R.baseSet) {
      R.baseSeq = seqAdd(ack, -1);
      R.baseSet = true;
    }

    checks: {
      // Zero-window probe: one byte at the next expected sequence number while the peer's window is 0.
      if (len === 1 && seq === F.nextseq && R.window === 0) {
        ta |= A_ZERO_WINDOW_PROBE;
        break checks;
      }
      // Zero window (not on SYN/FIN/RST).
      if (win === 0 && (flags & CTL) === 0) ta |= A_ZERO_WINDOW;
      // Previous segment not captured: a gap in this direction's sequence space.
      if (F.nextseq !== 0 && seqGt(seq, F.nextseq) && (flags & TCP_RST) === 0) ta |= A_LOST_PACKET;
      // Keep-alive: 0 or 1 byte at nextseq − 1.
      if ((len === 0 || len === 1) && seq === seqAdd(F.nextseq, -1) && (flags & CTL) === 0) ta |= A_KEEP_ALIVE;
      // Window update: only the window changed.
      if (len === 0 && win !== 0 && win !== F.window && seq === F.nextseq && ack === F.lastack && (flags & CTL) === 0) {
        ta |= A_WINDOW_UPDATE;
      }
      // Window full: the segment ends exactly at the receiver's advertised right edge.
      if (len > 0 && R.winScale !== WSCALE_UNKNOWN && R.window >= 0 && (flags & CTL) === 0) {
        const shift = R.isFirstAck || R.winScale === WSCALE_NONE ? 0 : R.winScale;
        if (seqAdd(seq, len) === seqAdd(R.lastack, R.window * (1 << shift))) ta |= A_WINDOW_FULL;
      }
      // Keep-alive ACK: a pure ACK repeating itself right after the peer's keep-alive.
      if (len === 0 && win !== 0 && win === F.window && seq === F.nextseq && ack === F.lastack &&
          (R.lastSegmentFlags & A_KEEP_ALIVE) !== 0 && (flags & CTL) === 0) {
        ta |= A_KEEP_ALIVE_ACK;
        break checks;
      }
      // Zero-window-probe ACK.
      if (len === 0 && win === 0 && win === F.window && seq === F.nextseq && ack === F.lastack &&
          (R.lastSegmentFlags & A_ZERO_WINDOW_PROBE) !== 0 && (flags & CTL) === 0) {
        ta |= A_ZERO_WINDOW_PROBE_ACK;
        break checks;
      }
      // Duplicate ACK: same ack, same non-zero window, no data, at nextseq.
      if (len === 0 && win !== 0 && win === F.window && seq === F.nextseq && ack === F.lastack && (flags & CTL) === 0) {
        F.dupacknum = F.dupacknum === DUPACK_REPORTED ? 1 : F.dupacknum + 1;
        ta |= A_DUPLICATE_ACK;
        r.dupAckNum = F.dupacknum;
      }
    }

    // finished_fwd: a changed ack resets the duplicate-ACK count
    if (ack !== F.lastack) F.dupacknum = 0;

    // ACKed unseen segment: the ack covers bytes of the other direction never seen.
    if (R.maxseqtobeacked !== 0 && seqGt(ack, R.maxseqtobeacked) && (flags & TCP_ACK) !== 0) {
      ta |= A_ACK_LOST_PACKET;
      // move the boundary so the same hole is reported once
      R.maxseqtobeacked = R.nextseq;
      R.dupacknum = DUPACK_REPORTED;
    }

    // Retransmission family: data, SYN or FIN that does not advance the sequence.
    if ((len > 0 || (flags & (TCP_SYN | TCP_FIN)) !== 0) && (ta & A_KEEP_ALIVE) === 0) {
      let notAdvanced = F.nextseq !== 0 && seqLt(seq, F.nextseq);
      // New data right after a one-byte probe is not a retransmission.
      if (len > 1 && seqAdd(F.nextseq, -1) === seq) notAdvanced = false;
      family: {
        // Spurious: everything in it was already acknowledged by the receiver.
        if (len > 0 && R.lastack !== 0 && seqLe(seqAdd(seq, len), R.lastack)) {
          ta |= A_SPURIOUS_RETRANSMISSION | A_RETRANSMISSION;
          break family;
        }
        // Fast retransmission: at the ack of >= 2 duplicate ACKs, within 20 ms of the last one.
        if (notAdvanced && R.dupacknum >= 2 && R.lastack === seq && t - R.lastackTime < FAST_RETRANSMISSION_WINDOW) {
          ta |= A_FAST_RETRANSMISSION | A_RETRANSMISSION;
          break family;
        }
        // Out-of-order: soon (within the initial RTT, or 3 ms) after the highest segment.
        const threshold = c.irtt > 0 ? c.irtt : DEFAULT_OOO_THRESHOLD;
        const end = seqAdd(seq, len + ((flags & (TCP_SYN | TCP_FIN)) !== 0 ? 1 : 0));
        if (notAdvanced && t - F.nextseqTime < threshold && F.nextseq !== end) {
          ta |= A_OUT_OF_ORDER;
          break family;
        }
        if (notAdvanced) ta |= A_RETRANSMISSION;
      }
    }

    // Update this direction's state.
    const nextseq = seqAdd(seq, len + ((flags & (TCP_SYN | TCP_FIN)) !== 0 ? 1 : 0));
    if ((ta & A_ZERO_WINDOW_PROBE) === 0) {
      if (F.nextseq === 0 || seqGt(nextseq, F.nextseq)) {
        F.nextseq = nextseq;
        F.nextseqTime = t;
      }
      if (F.maxseqtobeacked === 0 || seq === F.maxseqtobeacked) F.maxseqtobeacked = F.nextseq;
    }
    F.window = win;
    F.lastack = ack;
    F.lastackTime = t;
    F.lastSegmentFlags = ta;
    r.analysis = ta;
  }
}

function sameAddr(f: Flow, w: ArrayLike<number>): boolean {
  const a = f.addr;
  return a[0] === w[0] && a[1] === w[1] && a[2] === w[2] && a[3] === w[3];
}
