/**
 * updateStory() and updateZeek() take a path of their own for the data phase's packets (no SYN,
 * FIN or RST, once the handshake is over: see updateStory()), so that the rare branches of the
 * full functions do not throw away the optimised code every packet runs. Property tests
 * (fast-check, fixed seed): on any sequence of packets of one connection, the story and Zeek's
 * view updated through updateStory()/updateZeek() are the same, after every packet, as those
 * updated through updateStoryFully()/updateZeekFully() alone, and so are the story's notes and
 * states. The sequences start with a handshake half the time, so that many of their packets
 * are the data phase's, and their numbers are near both ISNs, so that FINs get acknowledged,
 * data gets sent again and windows close.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Packet, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../src/decode/packet.js';
import { newStory, updateStory, updateStoryFully, type Story, type StoryResult } from '../src/analyze/story.js';
import { takeZeekRecord, updateZeek, updateZeekFully, zeekChunk, type ZeekHolder } from '../src/analyze/zeek.js';
import { A_DUPLICATE_ACK, A_RETRANSMISSION, A_WINDOW_UPDATE } from '../src/analyze/flags.js';

const SEED = 0xda7a;

interface Step {
  fromA: boolean;
  flags: number;
  /** Offsets from the sender's ISN and from the receiver's. */
  seqOff: number;
  ackOff: number;
  len: number;
  window: number;
  analysis: number;
}

const DATA_FLAGS = [TCP_ACK, TCP_ACK | TCP_PSH, 0];
const CONTROL_FLAGS = [TCP_SYN, TCP_SYN | TCP_ACK, TCP_FIN | TCP_ACK, TCP_FIN, TCP_RST, TCP_RST | TCP_ACK, TCP_FIN | TCP_RST, TCP_SYN | TCP_FIN];

const step: fc.Arbitrary<Step> = fc.record({
  fromA: fc.boolean(),
  // a SYN, FIN or RST about one packet in thirteen: the data phase goes on for a while
  flags: fc.oneof({ arbitrary: fc.constantFrom(...DATA_FLAGS), weight: 12 }, { arbitrary: fc.constantFrom(...CONTROL_FLAGS), weight: 1 }),
  seqOff: fc.oneof(fc.constantFrom(0, 1, 2, 101, 102), fc.integer({ min: -2, max: 400 })),
  ackOff: fc.oneof(fc.constantFrom(0, 1, 2, 101, 102), fc.integer({ min: -2, max: 400 })),
  len: fc.constantFrom(0, 0, 0, 1, 100),
  window: fc.constantFrom(0, 1000, 1000, 1000),
  analysis: fc.constantFrom(0, 0, 0, A_DUPLICATE_ACK, A_RETRANSMISSION, A_WINDOW_UPDATE),
});

const HANDSHAKE: Step[] = [
  { fromA: true, flags: TCP_SYN, seqOff: 0, ackOff: 0, len: 0, window: 1000, analysis: 0 },
  { fromA: false, flags: TCP_SYN | TCP_ACK, seqOff: 0, ackOff: 1, len: 0, window: 1000, analysis: 0 },
  { fromA: true, flags: TCP_ACK, seqOff: 1, ackOff: 1, len: 0, window: 1000, analysis: 0 },
];

const conversation = fc.record({
  isnA: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  isnB: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  ports: fc.constantFrom([50000, 80], [80, 50000], [50000, 50001], [443, 80]),
  handshake: fc.boolean(),
  steps: fc.array(step, { minLength: 1, maxLength: 40 }),
});

function newResult(): StoryResult {
  return { phase: 0, stateA: 0, stateB: 0, note: 0, n1: 0, n2: 0, n3: 0, seq: 0, ack: 0, peerBase: 0, analysis: 0, dupAckNum: 0, window: 0, gapFrom: 0, prevWindow: -1, noteBits: 0 };
}

function newZeek(): ZeekHolder {
  const words = zeekChunk();
  return { zeekWords: words, zeekAt: takeZeekRecord(), zeekHistMore: '' };
}

function zeekWords(z: ZeekHolder): number[] {
  return Array.from(z.zeekWords.subarray(z.zeekAt, z.zeekAt + 32));
}

/** The packet of `s`, and the result's inputs, as the tracker sets them. */
function packetOf(s: Step, isnA: number, isnB: number, ports: readonly number[], p: Packet, r: StoryResult): void {
  const own = s.fromA ? isnA : isnB;
  const peer = s.fromA ? isnB : isnA;
  p.flags = s.flags;
  p.seq32 = (own + s.seqOff) | 0;
  p.ack32 = (peer + s.ackOff) | 0;
  p.payloadLen = s.len;
  p.window = s.window;
  p.srcPort = s.fromA ? ports[0] : ports[1];
  p.dstPort = s.fromA ? ports[1] : ports[0];
  r.seq = s.seqOff >>> 0;
  r.ack = s.flags & TCP_ACK ? s.ackOff >>> 0 : p.ack32 >>> 0;
  r.peerBase = peer >>> 0;
  r.analysis = s.analysis;
}

describe('the data phase path agrees with the full functions', () => {
  it('updateStory() and updateStoryFully(): the same story, notes and states after every packet', () => {
    let dataPhase = 0;
    let all = 0;
    fc.assert(fc.property(conversation, ({ isnA, isnB, ports, handshake, steps }) => {
      const quick: Story = newStory();
      const full: Story = newStory();
      const rq = newResult();
      const rf = newResult();
      const p = new Packet();
      const seq = handshake ? [...HANDSHAKE, ...steps] : steps;
      for (let i = 0; i < seq.length; i++) {
        const s = seq[i];
        packetOf(s, isnA, isnB, ports, p, rq);
        packetOf(s, isnA, isnB, ports, p, rf);
        // (packets of the data phase after a handshake, counted so that the test is known to reach it)
        all++;
        if ((s.flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0 && quick.fin1Frame === 0 && quick.hsAckFrame !== 0) dataPhase++;
        updateStory(quick, rq, p, i + 1, s.fromA);
        updateStoryFully(full, rf, p, i + 1, s.fromA);
        assert.deepEqual(quick, full, `story after packet ${i + 1}`);
        assert.deepEqual(rq, rf, `result of packet ${i + 1}`);
      }
    }), { seed: SEED, numRuns: 3000 });
    assert.ok(dataPhase > all / 4, `only ${dataPhase} of ${all} packets in the data phase`);
  });

  it('updateZeek() and updateZeekFully(): the same view and history after every packet', () => {
    fc.assert(fc.property(conversation, ({ isnA, isnB, ports, handshake, steps }) => {
      compareZeek(isnA, isnB, ports, handshake ? [...HANDSHAKE, ...steps] : steps);
    }), { seed: SEED, numRuns: 3000 });
  });

  it('updateZeek(): a side still INACTIVE after a packet of its kind is not the data phase', () => {
    // the responder's bare ACKs before any SYN-ACK leave it INACTIVE (Zeek tolerates them);
    // after the originator's FIN its next bare ACK makes it PARTIAL, which only the full path does
    const a = (flags: number, seqOff: number, ackOff: number): Step => ({ fromA: true, flags, seqOff, ackOff, len: 0, window: 1000, analysis: 0 });
    const b = (flags: number, seqOff: number, ackOff: number): Step => ({ fromA: false, flags, seqOff, ackOff, len: 0, window: 1000, analysis: 0 });
    const steps = [a(TCP_SYN, 0, 0), b(TCP_ACK, 0, 1), b(TCP_ACK, 0, 1), a(TCP_FIN | TCP_ACK, 1, 0), b(TCP_ACK, 0, 2)];
    const z = compareZeek(1000, 5000, [50000, 80], steps);
    // side b's state (the record's word 16: SIDE_B + S_STATE) is PARTIAL (3), as the full path has it
    assert.equal(zeekWords(z)[16], 3);
  });
});

/** `steps` through updateZeek() and updateZeekFully(), compared after every packet; the first view. */
function compareZeek(isnA: number, isnB: number, ports: readonly number[], steps: Step[]): ZeekHolder {
  const quick = newZeek();
  const full = newZeek();
  const r = newResult();
  const p = new Packet();
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    packetOf(s, isnA, isnB, ports, p, r);
    updateZeek(quick, p, s.fromA);
    updateZeekFully(full, p, s.fromA);
    assert.deepEqual(zeekWords(quick), zeekWords(full), `view after packet ${i + 1}`);
    assert.equal(quick.zeekHistMore, full.zeekHistMore, `history after packet ${i + 1}`);
  }
  return quick;
}
