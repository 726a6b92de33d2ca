import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisStates, ANALYSIS_STATES, NOT_KEPT, RESTORED, RESTORED_AFRESH, USED_WORDS, ENTRY_WORDS } from '../src/flow/analysis-states.js';
import { ZEEK_WORDS, zeekWordsOf } from '../src/analyze/zeek.js';
import {
  newConnection, F_FIRST_ACK, F_BASE_SET, F_FIN_SENT, F_FIN_ACKED, F_SYN_SEEN, F_SYN_TIMESTAMPS, F_SYN_SACK_PERMITTED, type Connection, type Flow,
} from '../src/analyze/connection.js';
import {
  S_SYN_FROM_A, S_FIRST_DATA_NOTED_A, S_FIRST_DATA_NOTED_B, S_FIN1_FROM_A, S_RST_FROM_A, S_RST_AFTER_FIN, S_LAST_DATA_FROM_A, type Story,
} from '../src/analyze/story.js';

/** Every analysis field of a flow, distinct per `k`, uint32 halves and large seconds included. */
function fill(f: Flow, k: number): void {
  f.nextseq = (0x80000000 + k) | 0;
  f.nextseqSec = 4_000_000_000 + k;
  f.nextseqNsec = 999_999_000 + k;
  f.maxseqtobeacked = -7 - k;
  f.lastack = 12345 + k;
  f.lastackSec = 1_700_000_000 + k;
  f.lastackNsec = 500 + k;
  f.window = k === 1 ? -1 : 65535 - k;
  f.dupacknum = k === 1 ? -1 : 3 + k;
  f.lastSegmentFlags = 0x4000 | k;
  f.bits = (k === 1 ? F_FIRST_ACK : 0) | F_BASE_SET;
}

function analysisOf(f: Flow): unknown[] {
  return [f.nextseq, f.nextseqSec, f.nextseqNsec, f.maxseqtobeacked, f.lastack, f.lastackSec, f.lastackNsec, f.window, f.dupacknum, f.lastSegmentFlags, f.bits & F_FIRST_ACK];
}

function released(id: number): Connection {
  const c = newConnection();
  c.id = id;
  fill(c.a, 1);
  fill(c.b, 2);
  c.irttNs = 2_500_000 + id;
  c.irtt = 0.0025;
  c.synSec = 4_100_000_000;
  c.synNsec = 123_456_789;
  return c;
}

function closingOf(f: Flow): unknown[] {
  return [f.bits & ~(F_FIRST_ACK | F_BASE_SET), f.finEnd, f.synMss, f.synWscale];
}

/**
 * Gives every field of the story and Zeek's view a value of its own (Zeek's payload bytes beyond
 * 2^32), the flows' closing fields and SYN options, and the connection's completeness and ends.
 */
function storied(c: Connection): void {
  let k = 100;
  const story = c.story as unknown as Record<string, number>;
  for (const key of Object.keys(story)) story[key] = k++;
  c.story.stateA = 6;
  c.story.stateB = 8;
  c.story.bits = S_SYN_FROM_A | S_FIRST_DATA_NOTED_B | S_RST_AFTER_FIN | S_LAST_DATA_FROM_A;
  c.story.synAckIsn = -5;
  c.story.fin2End = 0x7fffffff;
  // frames from 2^31 up (Wireshark numbers frames as uint32): they came back negative before
  c.story.lastDataFrame = 3_000_000_000;
  c.story.synFrame = 2 ** 32 - 1;
  // Zeek's record: started, the originator b; the history's words; each side's words, a
  // sequence number from 2^31 up among them
  const z = c.zeekWords;
  z[c.zeekAt] = 3;
  z[c.zeekAt + 1] = 0x3fffffff;
  z[c.zeekAt + 2] = 12345;
  z[c.zeekAt + 3] = 18;
  for (let i = 4; i < ZEEK_WORDS; i++) z[c.zeekAt + i] = k++;
  z[c.zeekAt + 4 + 6] = -k;
  c.zeekHistMore = 'dAdAfR';
  c.a.bits |= F_FIN_SENT | F_SYN_SEEN | F_SYN_TIMESTAMPS;
  c.b.bits |= F_FIN_ACKED | F_SYN_SACK_PERMITTED;
  c.a.finEnd = -9;
  c.b.finEnd = 77;
  c.a.synMss = 1460;
  c.b.synMss = -1;
  c.a.synWscale = 7;
  c.b.synWscale = 14;
  c.completeness = 31;
  c.completenessFirstPass = 29;
  c.sawRst = true;
  c.closed = true;
}

/** The story as flow b sees it (written here apart from story.ts's own turning). */
function turnedStory(s: Story): Record<string, number> {
  const t: Record<string, number> = { ...s };
  t.stateA = s.stateB;
  t.stateB = s.stateA;
  let b = s.bits & ~(S_FIRST_DATA_NOTED_A | S_FIRST_DATA_NOTED_B | S_SYN_FROM_A | S_FIN1_FROM_A | S_RST_FROM_A | S_LAST_DATA_FROM_A);
  if (s.bits & S_FIRST_DATA_NOTED_A) b |= S_FIRST_DATA_NOTED_B;
  if (s.bits & S_FIRST_DATA_NOTED_B) b |= S_FIRST_DATA_NOTED_A;
  for (const [bit, frame] of [[S_SYN_FROM_A, s.synFrame], [S_FIN1_FROM_A, s.fin1Frame], [S_RST_FROM_A, s.rstFrame], [S_LAST_DATA_FROM_A, s.lastDataFrame]] as const) {
    const set = (s.bits & bit) !== 0;
    if (frame !== 0 ? !set : set) b |= bit;
  }
  t.bits = b;
  return t;
}

describe('analysis states: a continuation goes on from its stream\'s analysis state', () => {
  it('an entry has room for every field', () => {
    assert.ok(USED_WORDS <= ENTRY_WORDS, `${USED_WORDS} words used of ${ENTRY_WORDS}`);
  });

  it('every field comes back, to the flow of the packet\'s sender, whichever end sorts first', () => {
    for (const aLower of [true, false]) {
      const s = new AnalysisStates();
      const c = released(7);
      storied(c);
      const i = s.save(c, aLower);
      // a later packet sent by a (lo when aLower): F is a's flow
      for (const fromA of [true, false]) {
        const n = newConnection();
        const F = n.a;
        const R = n.b;
        assert.equal(s.restore(i, 7, n, F, R, fromA === aLower), RESTORED);
        const at = `aLower ${aLower} fromA ${fromA}`;
        assert.deepEqual(analysisOf(F), analysisOf(fromA ? c.a : c.b), at);
        assert.deepEqual(analysisOf(R), analysisOf(fromA ? c.b : c.a), at);
        assert.deepEqual(closingOf(F), closingOf(fromA ? c.a : c.b), at);
        assert.deepEqual(closingOf(R), closingOf(fromA ? c.b : c.a), at);
        assert.deepEqual([n.irttNs, n.irtt, n.synSec, n.synNsec], [c.irttNs, c.irtt, c.synSec, c.synNsec]);
        assert.deepEqual([n.completeness, n.completenessFirstPass, n.sawRst, n.closed], [c.completeness, c.completenessFirstPass, c.sawRst, c.closed]);
        // the story and Zeek's view, seen from the continuation's flow a
        assert.deepEqual({ ...n.story }, fromA ? { ...c.story } : turnedStory(c.story), at);
        // (the sides' words turned round, and the originator, b, is the continuation's a when it
        // is b's packet; the words are zeekWordsOf()'s, side a first)
        const zc = zeekWordsOf(c);
        const zn = zeekWordsOf(n);
        assert.deepEqual(zn.slice(4, 16), fromA ? zc.slice(4, 16) : zc.slice(16, 28), at);
        assert.deepEqual(zn.slice(16, 28), fromA ? zc.slice(16, 28) : zc.slice(4, 16), at);
        assert.deepEqual(zn.slice(0, 4), [fromA ? 1 : 3, 0x3fffffff, 12345, 18], at);
        assert.equal(n.zeekHistMore, 'dAdAfR', at);
      }
    }
  });

  it("Zeek's history letters beyond the packed ones come back with their entry only: an entry overwritten a lap later has none of its predecessor's", () => {
    const s = new AnalysisStates(256);
    const long = released(1);
    long.zeekHistMore = 'dAdAfR';
    const i = s.save(long, true);
    for (let id = 2; id <= 256; id++) s.save(released(id), true);
    const n = newConnection();
    assert.equal(s.restore(i, 1, n, n.a, n.b, true), RESTORED);
    assert.equal(n.zeekHistMore, 'dAdAfR');
    // the 257th connection takes entry i, with no letters beyond the packed ones
    assert.equal(s.save(released(257), true), i);
    const m = newConnection();
    m.zeekHistMore = 'x';
    assert.equal(s.restore(i, 257, m, m.a, m.b, true), RESTORED);
    assert.equal(m.zeekHistMore, '');
    assert.equal(s.restore(i, 1, n, n.a, n.b, true), NOT_KEPT);
  });

  it('the story turned round: which side sent the SYN, the first FIN, the RST and the last data, only once they were seen', () => {
    const s = new AnalysisStates();
    const c = released(3);
    // nothing seen yet: a new story's bits (set, meaning nothing) stay as they are
    const i = s.save(c, true);
    const n = newConnection();
    assert.equal(s.restore(i, 3, n, n.a, n.b, false), RESTORED);
    assert.equal(n.story.bits, c.story.bits);
    // a SYN from a, data noted from a only, the first FIN from b: turned, from b, from b, from a
    c.story.synFrame = 1;
    c.story.fin1Frame = 9;
    c.story.bits = S_SYN_FROM_A | S_FIRST_DATA_NOTED_A | S_RST_FROM_A | S_LAST_DATA_FROM_A;
    const j = s.save(c, true);
    assert.equal(s.restore(j, 3, n, n.a, n.b, false), RESTORED);
    assert.equal(n.story.bits, S_FIRST_DATA_NOTED_B | S_FIN1_FROM_A | S_RST_FROM_A | S_LAST_DATA_FROM_A);
  });

  it('a ring: every entry is found, staged or copied to the ring, until overwritten a lap later; then nothing is changed', () => {
    const s = new AnalysisStates(4096);
    assert.equal(s.allocated, 4096);
    // nothing to start with, grown as the stages are copied
    assert.equal(s.grown, 0);
    const idx: number[] = [];
    for (let id = 0; id < 4096; id++) idx.push(s.save(released(id), true));
    assert.deepEqual(idx, [...Array(4096).keys()]);
    assert.equal(s.grown, 4096);
    // copied to the ring in stages (the first ones), or still staged (the last 256)
    const n = newConnection();
    for (const id of [0, 255, 256, 1023, 3839, 3840, 4095]) {
      assert.equal(s.restore(idx[id]!, id, n, n.a, n.b, true), RESTORED, `id ${id}`);
      assert.equal(n.irttNs, 2_500_000 + id);
      assert.equal(n.a.nextseq, (0x80000000 + 1) | 0);
    }
    // the 4097th overwrites the first: staged, not yet in the ring
    const j = s.save(released(5000), true);
    assert.equal(j, idx[0]);
    const fresh = newConnection();
    assert.equal(s.restore(idx[0]!, 0, fresh, fresh.a, fresh.b, true), NOT_KEPT);
    assert.deepEqual([fresh.a.nextseq, fresh.a.window, fresh.irttNs], [0, -1, 0]);
    assert.equal(s.restore(j, 5000, fresh, fresh.a, fresh.b, true), RESTORED);
    // the next ones are still in the ring, from the lap before
    assert.equal(s.restore(idx[1]!, 1, fresh, fresh.a, fresh.b, true), RESTORED);
    assert.equal(s.restore(idx[4095]!, 4095, fresh, fresh.a, fresh.b, true), RESTORED);
    // 255 more: the stage is full, and the 256th copies it over the first lap's
    for (let id = 1; id <= 256; id++) s.save(released(5000 + id), true);
    assert.equal(s.restore(idx[1]!, 1, fresh, fresh.a, fresh.b, true), NOT_KEPT);
    assert.equal(s.restore(idx[255]!, 255, fresh, fresh.a, fresh.b, true), NOT_KEPT);
    assert.equal(s.restore(idx[256]!, 256, fresh, fresh.a, fresh.b, true), NOT_KEPT);
    assert.equal(s.restore(idx[257]!, 257, fresh, fresh.a, fresh.b, true), RESTORED);
    assert.equal(s.restore(j, 5000, fresh, fresh.a, fresh.b, true), RESTORED);
    // no entry (a tombstone put without one) and an index out of range
    assert.equal(s.restore(-1, 0, fresh, fresh.a, fresh.b, true), NOT_KEPT);
    assert.equal(s.restore(4096, 0, fresh, fresh.a, fresh.b, true), NOT_KEPT);
    assert.equal(ANALYSIS_STATES, 32768);
  });

  it('laps at the first lap\'s size until the first continuation, then at its capacity, keeping what the first lap kept', () => {
    const s = new AnalysisStates(2048, 512);
    assert.deepEqual([s.allocated, s.lapping], [2048, 512]);
    // 600 releases and no continuation: the 513th goes where the first went
    const idx: number[] = [];
    for (let id = 0; id < 600; id++) idx.push(s.save(released(id), true));
    assert.equal(idx[511], 511);
    assert.equal(idx[512], 0);
    assert.equal(idx[599], 87);
    // the ring has grown to the first lap, no further
    assert.equal(s.grown, 512);
    // (the stage of the 513th to the 768th is not copied yet: the first lap's 256 to 511 are
    // in the ring, the 0 to 255 until the stage is)
    const n = newConnection();
    // the first continuation: its entry overwritten, so nothing; the ring grows all the same
    assert.equal(s.restore(idx[50]!, 50, n, n.a, n.b, true), NOT_KEPT);
    assert.equal(s.lapping, 2048);
    // the first lap's entries not overwritten are still found
    assert.equal(s.restore(idx[300]!, 300, n, n.a, n.b, true), RESTORED);
    assert.equal(n.irttNs, 2_500_000 + 300);
    // the next ones go on from there, past the first lap's end, over its oldest entries only
    const more: number[] = [];
    for (let id = 600; id < 2000; id++) more.push(s.save(released(id), true));
    assert.equal(more[0], 88);
    assert.equal(more[424], 512);
    assert.equal(more[1399], 1487);
    assert.equal(s.restore(idx[599]!, 599, n, n.a, n.b, true), RESTORED);
    assert.equal(s.restore(idx[300]!, 300, n, n.a, n.b, true), NOT_KEPT);
    assert.equal(s.restore(more[1000]!, 1600, n, n.a, n.b, true), RESTORED);
    assert.equal(s.grown, 2048);
    // then it laps at its capacity
    for (let id = 2000; id < 2560; id++) s.save(released(id), true);
    assert.equal(s.grown, 2048);
    assert.equal(s.save(released(2560), true), (88 + 1960) % 2048);
    // a ring no bigger than its first lap, and a first lap that is not a multiple of the stage
    assert.equal(new AnalysisStates(4096).lapping, 4096);
    assert.equal(new AnalysisStates(4096, 300).lapping, 512);
    assert.equal(new AnalysisStates().lapping, 8192);
  });

  it('the ring grows as it fills, from its first stage to its capacity, every entry copied with it; a capture that releases nothing takes none', () => {
    const s = new AnalysisStates();
    assert.deepEqual([s.allocated, s.grown], [ANALYSIS_STATES, 0]);
    // an index of no entry, before any save: nothing
    const none = newConnection();
    assert.equal(s.restore(5, 5, none, none.a, none.b, true), NOT_KEPT);
    const n = newConnection();
    const idx: number[] = [];
    // 1 000 saves: three stages copied (256, 512, 768: the ring doubled twice), the rest staged
    for (let id = 0; id < 1000; id++) {
      idx.push(s.save(released(id), id % 2 === 0));
      // the 256th is still staged; the 257th copies the first stage to the ring
      if (id === 255) assert.equal(s.grown, 0);
      if (id === 256) assert.equal(s.grown, 256);
    }
    assert.equal(s.grown, 1024);
    for (let id = 0; id < 1000; id += 37) {
      const m = newConnection();
      assert.equal(s.restore(idx[id]!, id, m, m.a, m.b, true), RESTORED, `id ${id}`);
      assert.equal(m.irttNs, 2_500_000 + id);
      assert.deepEqual(analysisOf(id % 2 === 0 ? m.a : m.b), analysisOf(released(id).a));
    }
    // a continuation makes the whole capacity the lap; the ring grows on to it as the stages come
    for (let id = 1000; id < 40_000; id++) idx.push(s.save(released(id), true));
    assert.equal(s.grown, ANALYSIS_STATES);
    assert.equal(s.restore(idx[39_999]!, 39_999, n, n.a, n.b, true), RESTORED);
    assert.equal(s.restore(idx[30_000]!, 30_000, n, n.a, n.b, true), RESTORED);
    assert.equal(s.restore(idx[1000]!, 1000, n, n.a, n.b, true), NOT_KEPT);
  });

  it('a continuation whose analysis started afresh passes that on: its state is restored, said to be afresh', () => {
    const s = new AnalysisStates();
    const c = released(9);
    c.continuedAfresh = true;
    const i = s.save(c, true);
    const n = newConnection();
    assert.equal(s.restore(i, 9, n, n.a, n.b, true), RESTORED_AFRESH);
    assert.deepEqual(analysisOf(n.a), analysisOf(c.a));
    // the flag bit is not part of the SYN's nanoseconds
    assert.deepEqual([n.synSec, n.synNsec], [c.synSec, c.synNsec]);
  });

  it('a ring smaller than a stage, or not a multiple of it', () => {
    const small = new AnalysisStates(16);
    assert.equal(small.allocated, 16);
    for (let id = 0; id < 16; id++) assert.equal(small.save(released(id), false), id);
    assert.equal(small.save(released(16), false), 0);
    const n = newConnection();
    assert.equal(small.restore(15, 15, n, n.a, n.b, false), RESTORED);
    assert.equal(small.restore(0, 0, n, n.a, n.b, false), NOT_KEPT);
    assert.equal(new AnalysisStates(3000).allocated, 3072);
  });
});
