/**
 * Property tests (fast-check, fixed seed so every run checks the same cases; a failure prints
 * the shrunk counterexample):
 * - reader: any bytes, and any bytes behind a valid pcap or pcapng header, end in DONE without
 *   throwing, with every frame inside its buffer; any chunking of any input (valid captures,
 *   damaged ones, cut ones) gives the same frames and the same ending as one chunk; a capture
 *   cut anywhere gives a prefix of the whole capture's frames.
 * - decoders: any bytes of every supported link type, and valid frames with bytes overwritten
 *   and cut, decode without throwing to one of the three statuses; a decoded TCP packet's
 *   offsets and lengths lie within the captured bytes (payload ≤ what was captured), and the
 *   result does not depend on any byte outside the frame.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { CaptureReader, DONE, FRAME, MAX_RECORD, NEED_MORE } from '../src/capture/reader.js';
import { Decoder } from '../src/decode/decoder.js';
import { DECODED_TCP, MALFORMED, SKIPPED, SKIP_NAMES, LAYER_NAMES } from '../src/decode/packet.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { cat, fill } from './helpers/wire.js';
import { snapshot, ipPackets, WRAPPERS, SUPPORTED, checkDecoded } from './helpers/frames.js';
import { pcapFile, pcapngFile, idb } from './helpers/capfile.js';

const SEED = 0x7cf10e;
const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns, endOnFailure: true });

// ------------------------------------------------------------------ reader

interface FrameView {
  number: number; tsSec: number; tsNsec: number; hasTs: boolean; capLen: number; origLen: number;
  linkType: number; interfaceId: number; offset: number; data: string;
}

interface ReadResult {
  frames: FrameView[];
  end: { format: string | null; error: string | null; errorOffset: number; fatal: boolean; truncated: boolean; truncation: string | null; linkTypes: number[]; notes: string[] };
}

/**
 * Reads `bytes` fed as `chunks` (sizes; null: one chunk). `eager`: pull records after every
 * chunk (else feed everything first). Checks every frame lies inside its buffer, and that
 * NEED_MORE never comes after endInput() and the loop ends (no hang).
 */
function read(bytes: Uint8Array, chunks: number[] | null, eager: boolean): ReadResult {
  const r = new CaptureReader();
  const f = r.frame;
  const frames: FrameView[] = [];
  let done = false;
  const pull = (ended: boolean): void => {
    for (let guard = 0; ; guard++) {
      assert.ok(guard <= bytes.length + 2, 'reader loops without consuming input');
      const s = r.next();
      if (s === DONE) { done = true; return; }
      if (s === NEED_MORE) {
        assert.ok(!ended, 'NEED_MORE after endInput()');
        return;
      }
      assert.equal(s, FRAME);
      assert.equal(f.number, frames.length + 1, 'frame numbers count from 1');
      assert.ok(f.capLen >= 0 && f.capLen <= MAX_RECORD, `capLen ${f.capLen}`);
      assert.ok(f.dataOffset >= 0 && f.dataOffset + f.capLen <= f.buf.length, `frame ${f.number}: data ${f.dataOffset}+${f.capLen} outside a buffer of ${f.buf.length}`);
      assert.ok(f.offset >= 0 && f.offset < bytes.length, `frame ${f.number}: offset ${f.offset}`);
      assert.ok(Number.isFinite(f.tsSec) && f.tsNsec >= 0 && f.tsNsec < 1e9, `frame ${f.number}: time ${f.tsSec}.${f.tsNsec}`);
      frames.push({
        number: f.number, tsSec: f.tsSec, tsNsec: f.tsNsec, hasTs: f.hasTs, capLen: f.capLen, origLen: f.origLen,
        linkType: f.linkType, interfaceId: f.interfaceId, offset: f.offset,
        data: Buffer.from(f.buf.subarray(f.dataOffset, f.dataOffset + f.capLen)).toString('hex'),
      });
    }
  };
  let o = 0;
  for (const size of chunks ?? [bytes.length]) {
    if (done) break;
    const n = Math.min(size, bytes.length - o);
    if (n <= 0) break;
    r.feed(bytes.subarray(o, o + n));
    o += n;
    if (eager) pull(false);
  }
  if (!done && o < bytes.length) r.feed(bytes.subarray(o));
  r.endInput();
  if (!done) pull(true);
  assert.ok(done, 'no DONE after endInput()');
  const e = r.error;
  if (e) assert.ok(e.offset >= 0 && e.offset <= bytes.length, `error offset ${e.offset} outside the input`);
  return {
    frames,
    end: {
      format: r.format, error: e?.message ?? null, errorOffset: e?.offset ?? -1, fatal: e?.fatal ?? false,
      truncated: r.truncated, truncation: r.truncation, linkTypes: [...r.linkTypes], notes: [...r.notes],
    },
  };
}

/** The fixtures' captures (gunzipped), small ones first: valid inputs to chunk and damage. */
function fixtureCaptures(): Uint8Array[] {
  const fx = join(REPO_ROOT, 'fixtures');
  const out: Uint8Array[] = [];
  for (const d of readdirSync(fx, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name === 'regress') continue;
    for (const f of readdirSync(join(fx, d.name)).sort()) {
      if (!/\.(pcap|pcapng)(\.gz)?$/.test(f)) continue;
      const b = readFileSync(join(fx, d.name, f));
      out.push(new Uint8Array(f.endsWith('.gz') ? gunzipSync(b) : b));
    }
  }
  return out.sort((a, b) => a.length - b.length);
}

const CAPTURES = fixtureCaptures();

/** A capture of the fixtures, maybe with some bytes overwritten and maybe cut. */
const captureInput = fc
  .record({
    i: fc.nat({ max: CAPTURES.length - 1 }),
    edits: fc.array(fc.record({ at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ i, edits, cut }) => {
    const b = CAPTURES[i].slice();
    for (const e of edits) b[e.at % b.length] = e.v;
    return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
  });

/** Chunk sizes: tiny, medium and large mixed. */
const chunking = fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 5000 })), { minLength: 1, maxLength: 400, size: 'max' });

/** A valid pcap header (any byte order and magic) or pcapng SHB + IDB, followed by arbitrary bytes. */
const headedBytes = fc
  .record({
    kind: fc.constantFrom('pcap-le', 'pcap-be', 'pcap-ns', 'pcapng-le', 'pcapng-be'),
    linkType: fc.constantFrom(...SUPPORTED),
    tail: fc.uint8Array({ maxLength: 600, size: 'max' }),
  })
  .map(({ kind, linkType, tail }) => {
    if (kind.startsWith('pcapng')) {
      const order = kind === 'pcapng-le' ? 'le' : 'be';
      return cat(pcapngFile([{ byteOrder: order, blocks: [idb({ linkType, snaplen: 262144 })] }]), tail);
    }
    return cat(pcapFile({ byteOrder: kind === 'pcap-be' ? 'be' : 'le', nano: kind === 'pcap-ns', linkType, records: [] }), tail);
  });

describe('reader properties', () => {
  it('any bytes: no throw, ends in DONE, every frame inside its buffer', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000, size: 'max' }), (b) => {
      const r = read(b, null, true);
      if (r.frames.length === 0 && r.end.error !== null) assert.equal(r.end.fatal, true);
    }), params(400));
  });

  it('any bytes behind a valid pcap or pcapng header: the same, and nothing fatal once a frame was read', () => {
    fc.assert(fc.property(headedBytes, (b) => {
      const r = read(b, null, true);
      assert.notEqual(r.end.format, null);
      if (r.frames.length > 0 && r.end.error !== null) assert.equal(r.end.fatal, false);
    }), params(600));
  });

  it('any chunking of any capture (valid, damaged, cut) gives the frames and the ending of one chunk', () => {
    fc.assert(fc.property(captureInput, chunking, fc.boolean(), (b, chunks, eager) => {
      const whole = read(b, null, true);
      const parts = read(b, chunks, eager);
      assert.deepEqual(parts, whole);
    }), params(300));
  });

  it('any chunking of bytes behind a valid header gives the result of one chunk', () => {
    fc.assert(fc.property(headedBytes, chunking, fc.boolean(), (b, chunks, eager) => {
      assert.deepEqual(read(b, chunks, eager), read(b, null, true));
    }), params(300));
  });

  it('a capture cut anywhere gives a prefix of the whole capture\'s frames (frames before the cut are kept)', () => {
    fc.assert(fc.property(fc.nat({ max: CAPTURES.length - 1 }), fc.double({ min: 0, max: 1, noNaN: true }), (i, at) => {
      const b = CAPTURES[i];
      const full = read(b, null, true);
      const cut = Math.floor(at * b.length);
      const part = read(b.subarray(0, cut), null, true);
      assert.equal(full.end.error, null);
      assert.ok(part.frames.length <= full.frames.length);
      assert.deepEqual(part.frames, full.frames.slice(0, part.frames.length));
      // all frames wholly before the cut are read; a cut inside a record is reported as truncation
      const wholly = full.frames.filter((_f, k) => (full.frames[k + 1]?.offset ?? b.length) <= cut).length;
      if (part.end.error === null) assert.ok(part.frames.length >= wholly - 1, `${part.frames.length} frames of ${wholly} before the cut at ${cut}`);
    }), params(300));
  });
});

// ------------------------------------------------------------------ decoders

const HEAD = 5;

/** Decodes `frame` placed after HEAD bytes and before a tail, all filled with `fillByte`. */
function decodeIn(frame: Uint8Array, linkType: number, wireLen: number, fillByte: number): { status: number; snap: Record<string, unknown>; d: Decoder } {
  const buf = cat(fill(HEAD, fillByte), frame, fill(64, fillByte));
  const d = new Decoder();
  const status = d.decodeBytes(buf, HEAD, frame.length, linkType, wireLen);
  return { status, snap: snapshot(d.packet), d };
}

function checkFrame(frame: Uint8Array, linkType: number, wireLen: number): number {
  const a = decodeIn(frame, linkType, wireLen, 0x00);
  const b = decodeIn(frame, linkType, wireLen, 0xff);
  const where = `link type ${linkType}, wire length ${wireLen}: ${Buffer.from(frame).toString('hex')}`;
  assert.ok(a.status === DECODED_TCP || a.status === SKIPPED || a.status === MALFORMED, `${where}: status ${a.status}`);
  assert.equal(a.d.packet.status, a.status);
  assert.deepEqual(b.snap, a.snap, `${where}: the result depends on bytes outside the frame`);
  const p = a.d.packet;
  if (a.status === SKIPPED) assert.ok(p.skip > 0 && p.skip < SKIP_NAMES.length, `${where}: skip ${p.skip}`);
  if (a.status === MALFORMED) {
    assert.ok(p.layer >= 0 && p.layer < LAYER_NAMES.length && p.reason.length > 0, `${where}: layer ${p.layer} reason "${p.reason}"`);
  }
  if (a.status === DECODED_TCP) checkDecoded(p, HEAD, HEAD + frame.length, where);
  return a.status;
}

/** Valid frames of every supported link type (IP packets with options, extension headers, tunnels). */
const TEMPLATES: { linkType: number; frame: Uint8Array }[] = [];
for (const lt of SUPPORTED) for (const ip of ipPackets()) TEMPLATES.push({ linkType: lt, frame: WRAPPERS[lt](ip) });

describe('decoder properties', () => {
  it('every valid template decodes to TCP (the damaged variants below start from real frames)', () => {
    let tcpCount = 0;
    for (const t of TEMPLATES) if (checkFrame(t.frame, t.linkType, t.frame.length) === DECODED_TCP) tcpCount++;
    // IPv6 packets under LINKTYPE_IPV4 and the reverse are the only ones that do not decode
    assert.ok(tcpCount >= TEMPLATES.length - 10, `${tcpCount} of ${TEMPLATES.length}`);
  });

  it('any bytes, every supported link type: no throw, one of three statuses, nothing read outside the frame', () => {
    fc.assert(fc.property(fc.constantFrom(...SUPPORTED), fc.uint8Array({ maxLength: 300, size: 'max' }), fc.nat({ max: 3000 }), (lt, b, extra) => {
      checkFrame(b, lt, b.length + extra);
    }), params(3000));
  });

  it('valid frames with bytes overwritten and cut: no throw, offsets and lengths within the captured bytes', () => {
    let decoded = 0;
    fc.assert(fc.property(
      fc.nat({ max: TEMPLATES.length - 1 }),
      fc.array(fc.record({ at: fc.nat({ max: 200 }), v: fc.oneof(fc.constantFrom(0, 1, 0x40, 0x45, 0x60, 0x7f, 0x80, 0xff), fc.integer({ min: 0, max: 255 })) }), { maxLength: 6 }),
      fc.option(fc.nat(), { nil: undefined }),
      (i, edits, cut) => {
        const t = TEMPLATES[i];
        const b = t.frame.slice();
        for (const e of edits) b[e.at % b.length] = e.v;
        const frame = cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
        if (checkFrame(frame, t.linkType, t.frame.length) === DECODED_TCP) decoded++;
      },
    ), params(4000));
    // the damage reaches the TCP path, not only the early rejections
    assert.ok(decoded > 1000, `only ${decoded} decoded`);
  });
});
