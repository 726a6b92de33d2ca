/**
 * CaptureReader on files built byte by byte (test/helpers/capfile.ts): every format variant,
 * timestamps to the nanosecond, every chunk size, every truncation point, and damaged lengths.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CaptureReader, DONE, FRAME, NEED_MORE, MAX_RECORD } from '../../src/capture/reader.js';
import {
  pcapFile, pcapLayout, pcapngFile, pcapngLayout, idb, epb, spb, opb, customBlock, unknownBlock, nrb, isb,
  optText, optU32, optU64, ts64, seq, readAll, BT, PCAP_HEADER_LEN,
  type PcapOptions, type Section, type FrameCopy,
} from '../helpers/capfile.js';

const ETH = 1;
const RAW = 101;
const SLL = 113;
const IPV4 = 228;

/** The usual three records: 5 bytes, 60 of 1514 bytes, 0 bytes. */
function threeRecords(frac: [number, number, number]): PcapOptions['records'] {
  return [
    { sec: 1700000000, frac: frac[0], data: seq(5) },
    { sec: 1700000001, frac: frac[1], data: seq(60, 0x40), origLen: 1514 },
    { sec: 1700000002, frac: frac[2], data: new Uint8Array(0) },
  ];
}

function expectedThree(nsec: [number, number, number], offsets: [number, number, number], linkType = ETH): FrameCopy[] {
  return [
    { number: 1, tsSec: 1700000000, tsNsec: nsec[0], hasTs: true, capLen: 5, origLen: 5, linkType, interfaceId: 0, offset: offsets[0], data: seq(5) },
    { number: 2, tsSec: 1700000001, tsNsec: nsec[1], hasTs: true, capLen: 60, origLen: 1514, linkType, interfaceId: 0, offset: offsets[1], data: seq(60, 0x40) },
    { number: 3, tsSec: 1700000002, tsNsec: nsec[2], hasTs: true, capLen: 0, origLen: 0, linkType, interfaceId: 0, offset: offsets[2], data: new Uint8Array(0) },
  ];
}

function assertClean(r: CaptureReader): void {
  assert.equal(r.error, null);
  assert.equal(r.truncated, false);
  assert.equal(r.truncation, null);
}

// ====================================================================== classic pcap

describe('pcap', () => {
  for (const byteOrder of ['le', 'be'] as const) {
    it(`${byteOrder} microsecond magic: timestamps, lengths, link type, data, frame numbers`, () => {
      const bytes = pcapFile({ byteOrder, records: threeRecords([123456, 999999, 0]) });
      assert.equal(bytes.length, 137);
      const { frames, reader } = readAll(bytes, bytes.length);
      assert.deepEqual(frames, expectedThree([123456000, 999999000, 0], [24, 45, 121]));
      assert.equal(reader.format, 'pcap');
      assert.deepEqual(reader.linkTypes, [ETH]);
      assert.equal(reader.sections, 0);
      assert.equal(reader.fractionOverflows, 0);
      assert.deepEqual(reader.notes, []);
      assertClean(reader);
    });

    it(`${byteOrder} nanosecond magic: fraction taken as nanoseconds`, () => {
      const bytes = pcapFile({ byteOrder, nano: true, records: threeRecords([123456789, 999999999, 1]) });
      const { frames, reader } = readAll(bytes, bytes.length);
      assert.deepEqual(frames, expectedThree([123456789, 999999999, 1], [24, 45, 121]));
      assertClean(reader);
    });

    it(`${byteOrder} Kuznetsov modified format (a1b2cd34): 24-byte record headers`, () => {
      const bytes = pcapFile({ byteOrder, modified: true, records: threeRecords([123456, 999999, 0]) });
      assert.equal(bytes.length, 24 + 3 * 24 + 65);
      const { frames, reader } = readAll(bytes, bytes.length);
      assert.deepEqual(frames, expectedThree([123456000, 999999000, 0], [24, 53, 137]));
      assertClean(reader);
    });
  }

  it('link type from the header (RAW = 101)', () => {
    const bytes = pcapFile({ byteOrder: 'le', linkType: RAW, records: threeRecords([1, 2, 3]) });
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.deepEqual(frames.map((f) => f.linkType), [RAW, RAW, RAW]);
    assert.deepEqual(reader.linkTypes, [RAW]);
  });

  it('FCS bits in the link-type field are not part of the link type', () => {
    // f bit (bit 28) and FCS length 2 (bits 29-31 = 0b010) over LINKTYPE_ETHERNET
    const bytes = pcapFile({ byteOrder: 'be', linkTypeField: 0x50000001, records: threeRecords([1, 2, 3]) });
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.equal(frames.length, 3);
    assert.equal(frames[0].linkType, ETH);
    assert.deepEqual(reader.linkTypes, [ETH]);
    assertClean(reader);
  });

  it('reserved link-type bits are rejected (fatal, offset 20)', () => {
    const bytes = pcapFile({ byteOrder: 'le', linkTypeField: 0x00010001, records: threeRecords([1, 2, 3]) });
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.equal(frames.length, 0);
    assert.ok(reader.error);
    assert.equal(reader.error.fatal, true);
    assert.equal(reader.error.offset, 20);
    assert.equal(reader.error.message, 'pcap file header: link-type field 0x00010001 at offset 20 has reserved bits 0x00010000 set');
  });

  it('version 2.5 is read, with a note', () => {
    const bytes = pcapFile({ byteOrder: 'le', version: [2, 5], records: threeRecords([123456, 999999, 0]) });
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.deepEqual(frames, expectedThree([123456000, 999999000, 0], [24, 45, 121]));
    assert.deepEqual(reader.notes, ['pcap version 2.5 is not the standard 2.4; read as 2.4']);
    assertClean(reader);
  });

  for (const byteOrder of ['le', 'be'] as const) {
    it(`${byteOrder} version 1.0 is rejected: fatal, message names the version`, () => {
      const bytes = pcapFile({ byteOrder, version: [1, 0], records: threeRecords([1, 2, 3]) });
      const { frames, reader } = readAll(bytes, bytes.length);
      assert.equal(frames.length, 0);
      assert.ok(reader.error);
      assert.equal(reader.error.fatal, true);
      assert.equal(reader.error.offset, 4);
      assert.equal(reader.error.message, 'pcap file header: unsupported version 1.0 at offset 4 (expected 2.x)');
    });
  }

  it('microseconds >= 1e6 are carried into the seconds (Wireshark)', () => {
    const bytes = pcapFile({
      byteOrder: 'le',
      records: [
        { sec: 1700000000, frac: 1000000, data: seq(1) }, //      exactly one second
        { sec: 1700000000, frac: 1500000, data: seq(1) }, //      1.5 s
        { sec: 1700000000, frac: 0xffffffff, data: seq(1) }, //  4294.967295 s
        { sec: 1700000000, frac: 999999, data: seq(1) }, //       in range
      ],
    });
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.deepEqual(frames.map((f) => [f.tsSec, f.tsNsec]), [
      [1700000001, 0],
      [1700000001, 500000000],
      [1700004294, 967295000],
      [1700000000, 999999000],
    ]);
    assert.equal(reader.fractionOverflows, 3);
    assertClean(reader);
  });

  it('nanoseconds >= 1e9 are carried into the seconds', () => {
    const bytes = pcapFile({ byteOrder: 'be', nano: true, records: [{ sec: 10, frac: 2000000001, data: seq(1) }] });
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.deepEqual(frames.map((f) => [f.tsSec, f.tsNsec]), [[12, 1]]);
    assert.equal(reader.fractionOverflows, 1);
  });

  it('a header with no records: no frames, no error, not truncated', () => {
    const bytes = pcapFile({ byteOrder: 'le', records: [] });
    const { frames, reader } = readAll(bytes, 24);
    assert.equal(frames.length, 0);
    assert.equal(reader.format, 'pcap');
    assertClean(reader);
  });

  it('a record of exactly 262144 bytes is accepted', () => {
    const big = seq(MAX_RECORD, 9);
    const bytes = pcapFile({ byteOrder: 'le', records: [{ sec: 1, frac: 2, data: big }] });
    const { frames, reader } = readAll(bytes, 65536);
    assert.equal(frames.length, 1);
    assert.equal(frames[0].capLen, 262144);
    assert.deepEqual(frames[0].data, big);
    assertClean(reader);
  });
});

// ====================================================================== pcapng

const T_US = ts64(1700000000123456n); // µs: 1700000000.123456

describe('pcapng', () => {
  for (const byteOrder of ['le', 'be'] as const) {
    it(`${byteOrder} section: EPBs with timestamps, lengths, offsets`, () => {
      const bytes = pcapngFile([{
        byteOrder,
        blocks: [
          idb({ linkType: ETH, snaplen: 65535 }), //                                       at 28, 20 bytes
          epb({ iface: 0, ...T_US, data: seq(5) }), //                                     at 48, 40 bytes
          epb({ iface: 0, ...ts64(1700000001999999n), data: seq(60, 0x40), origLen: 1514 }), // at 88, 92 bytes
          epb({ iface: 0, ...ts64(1700000002000000n), data: new Uint8Array(0) }), //       at 180, 32 bytes
        ],
      }]);
      assert.equal(bytes.length, 212);
      const { frames, reader } = readAll(bytes, bytes.length);
      assert.deepEqual(frames, expectedThree([123456000, 999999000, 0], [48, 88, 180]));
      assert.equal(reader.format, 'pcapng');
      assert.equal(reader.sections, 1);
      assert.deepEqual(reader.linkTypes, [ETH]);
      assert.equal(reader.skippedBlocks.size, 0);
      assertClean(reader);
    });
  }

  it('two sections of different byte orders; interface ids restart per section', () => {
    const bytes = pcapngFile([
      {
        byteOrder: 'le',
        blocks: [
          idb({ linkType: ETH, snaplen: 65535 }), //               28
          idb({ linkType: RAW, snaplen: 65535 }), //               48
          epb({ iface: 1, ...T_US, data: seq(4) }), //             68 (36 bytes)
          epb({ iface: 0, ...T_US, data: seq(3) }), //             104 (36 bytes)
        ],
      },
      {
        byteOrder: 'be', //                                        SHB at 140
        blocks: [
          idb({ linkType: SLL, snaplen: 262144 }), //              168
          epb({ iface: 0, ...ts64(1700000005000001n), data: seq(7, 7) }), // 188
        ],
      },
    ]);
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.deepEqual(frames.map((f) => [f.number, f.interfaceId, f.linkType, f.offset, f.tsSec, f.tsNsec, f.capLen]), [
      [1, 1, RAW, 68, 1700000000, 123456000, 4],
      [2, 0, ETH, 104, 1700000000, 123456000, 3],
      [3, 0, SLL, 188, 1700000005, 1000, 7],
    ]);
    assert.deepEqual(frames[2].data, seq(7, 7));
    assert.equal(reader.sections, 2);
    assert.deepEqual(reader.linkTypes, [ETH, RAW, SLL]);
    assertClean(reader);
  });

  it('an interface of an earlier section is not defined in the next one', () => {
    const bytes = pcapngFile([
      { byteOrder: 'le', blocks: [idb({ linkType: ETH, snaplen: 0 }), idb({ linkType: RAW, snaplen: 0 }), epb({ iface: 1, ...T_US, data: seq(4) })] },
      { byteOrder: 'be', blocks: [idb({ linkType: SLL, snaplen: 0 }), epb({ iface: 1, ...T_US, data: seq(4) })] },
    ]);
    // SHB 0, IDB 28, IDB 48, EPB 68..104, SHB 104, IDB 132, EPB 152
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.equal(frames.length, 1);
    assert.ok(reader.error);
    assert.equal(reader.error.offset, 152);
    assert.equal(reader.error.fatal, false);
    assert.equal(reader.error.message, 'pcapng packet block at offset 152: interface 1 is not defined (section has 1)');
  });

  it('several interfaces with different link types', () => {
    const bytes = pcapngFile([{
      byteOrder: 'le',
      blocks: [
        idb({ linkType: ETH, snaplen: 65535 }),
        idb({ linkType: RAW, snaplen: 65535 }),
        idb({ linkType: IPV4, snaplen: 65535 }),
        epb({ iface: 2, ...T_US, data: seq(20) }),
        epb({ iface: 0, ...T_US, data: seq(14) }),
        epb({ iface: 1, ...T_US, data: seq(20) }),
        epb({ iface: 2, ...T_US, data: seq(21) }),
      ],
    }]);
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.deepEqual(frames.map((f) => [f.interfaceId, f.linkType, f.capLen]), [[2, IPV4, 20], [0, ETH, 14], [1, RAW, 20], [2, IPV4, 21]]);
    assert.deepEqual(reader.linkTypes, [ETH, RAW, IPV4]);
    assertClean(reader);
  });

  it('if_tsresol: decimal 6, 9, 3 and power-of-two 2^-10, 2^-30', () => {
    const bytes = pcapngFile([{
      byteOrder: 'le',
      blocks: [
        idb({ linkType: ETH, snaplen: 0, tsresol: 6 }),
        idb({ linkType: ETH, snaplen: 0, tsresol: 9 }),
        idb({ linkType: ETH, snaplen: 0, tsresol: 3 }),
        idb({ linkType: ETH, snaplen: 0, tsresol: 0x80 | 10 }),
        idb({ linkType: ETH, snaplen: 0, tsresol: 0x80 | 30 }),
        epb({ iface: 0, ...ts64(1700000000123456n), data: seq(1) }),
        epb({ iface: 1, ...ts64(1700000000123456789n), data: seq(1) }), // high word 395812094 > 2^21
        epb({ iface: 2, ...ts64(1700000000123n), data: seq(1) }),
        epb({ iface: 3, ...ts64(1700000000n * 1024n + 1023n), data: seq(1) }), // 1023/1024 s
        epb({ iface: 3, ...ts64(1700000000n * 1024n + 1n), data: seq(1) }), //    1/1024 s
        epb({ iface: 4, ...ts64(1700000000n * 1073741824n + 123456789n), data: seq(1) }), // high word 425000000
      ],
    }]);
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.deepEqual(frames.map((f) => [f.tsSec, f.tsNsec]), [
      [1700000000, 123456000],
      [1700000000, 123456789],
      [1700000000, 123000000],
      [1700000000, 999023437], // floor(1023e9 / 1024) = floor(999023437.5)
      [1700000000, 976562], //    floor(1e9 / 1024) = floor(976562.5)
      [1700000000, 114978094], // floor(123456789e9 / 2^30)
    ]);
    assertClean(reader);
  });

  it('any 64-bit timestamp at any resolution: the seconds and nanoseconds of exact integer arithmetic', () => {
    // resolutions 10^0..10^9 and 2^-0..2^-40; values from small to 2^64 - 1, low words of 2^31 and more
    const resol = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 40 }).map((k) => 0x80 | k));
    const value = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 53n) - 1n }),
      fc.constantFrom(0n, (1n << 31n), (1n << 32n) - 1n, (1n << 53n) - 1n, 1n << 53n, 1700000000999999n, (1n << 64n) - 1n));
    fc.assert(fc.property(resol, fc.array(value, { minLength: 1, maxLength: 20 }), (r, vs) => {
      const bytes = pcapngFile([{ byteOrder: 'le', blocks: [idb({ linkType: ETH, snaplen: 0, tsresol: r }), ...vs.map((v) => epb({ iface: 0, ...ts64(v), data: seq(1) }))] }]);
      const units = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
      const { frames } = readAll(bytes, bytes.length);
      assert.deepEqual(frames.map((f) => [f.tsSec, f.tsNsec]), vs.map((v) => [Number(v / units), Number(((v % units) * 1000000000n) / units)]));
    }), { numRuns: 300, seed: 8 });
  });

  it('timestamps close together, as a capture has them, on two interfaces: each second cached per interface, exact at every boundary', () => {
    // the reader keeps each interface's current second (no division for the next timestamp of
    // the same second): steps forward and back across second boundaries, packets alternating
    // between two interfaces of different resolutions and offsets
    const resol = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 40 }).map((k) => 0x80 | k));
    const units = (r: number): bigint => (r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r));
    const start = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 52n) }), fc.constantFrom(0n, 1700000000000000n, 1700000000999999n, (1n << 53n) - 3n));
    const step = fc.record({ iface: fc.integer({ min: 0, max: 1 }), delta: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -2000000, max: 2000000 })) });
    fc.assert(fc.property(resol, resol, start, start, fc.integer({ min: -5, max: 5 }), fc.array(step, { minLength: 1, maxLength: 60 }), (r0, r1, s0, s1, off, steps) => {
      const at = [s0, s1];
      const vs: [number, bigint][] = [];
      for (const s of steps) {
        // a delta of a few units, or of up to 2 000 000 (a second or more at 10^-6)
        let v = at[s.iface]! + BigInt(s.delta);
        if (v < 0n) v = 0n;
        at[s.iface] = v;
        vs.push([s.iface, v]);
      }
      const bytes = pcapngFile([{ byteOrder: 'le', blocks: [idb({ linkType: ETH, snaplen: 0, tsresol: r0 }), idb({ linkType: ETH, snaplen: 0, tsresol: r1, tsoffset: off }), ...vs.map(([i, v]) => epb({ iface: i, ...ts64(v), data: seq(1) }))] }]);
      const { frames } = readAll(bytes, bytes.length);
      const u = [units(r0), units(r1)];
      assert.deepEqual(frames.map((f) => [f.tsSec, f.tsNsec]), vs.map(([i, v]) => [Number(v / u[i]!) + (i === 1 ? off : 0), Number(((v % u[i]!) * 1000000000n) / u[i]!)]));
    }), { numRuns: 400, seed: 12 });
  });

  it('if_tsoffset adds whole seconds (positive and negative)', () => {
    const bytes = pcapngFile([{
      byteOrder: 'be',
      blocks: [
        idb({ linkType: ETH, snaplen: 0, tsoffset: 1000000000 }),
        idb({ linkType: ETH, snaplen: 0, tsoffset: -3600, tsresol: 9 }),
        epb({ iface: 0, ...ts64(700000000500000n), data: seq(1) }),
        epb({ iface: 1, ...ts64(1700003600000000001n), data: seq(1) }),
      ],
    }]);
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.deepEqual(frames.map((f) => [f.tsSec, f.tsNsec]), [[1700000000, 500000000], [1700000000, 1]]);
    assertClean(reader);
  });

  for (const byteOrder of ['le', 'be'] as const) {
    it(`${byteOrder} nanosecond timestamps of a 2024 date are exact`, () => {
      // 2024-03-15T12:34:56Z = 1710506096; 1710506096987654321 ns has high word 398258235
      const bytes = pcapngFile([{
        byteOrder,
        blocks: [
          idb({ linkType: ETH, snaplen: 0, tsresol: 9 }),
          epb({ iface: 0, tsHigh: 398258235, tsLow: 2299971761, data: seq(1) }),
          epb({ iface: 0, ...ts64(1710506096000000000n), data: seq(1) }),
          epb({ iface: 0, ...ts64(1710506096999999999n), data: seq(1) }),
          epb({ iface: 0, ...ts64(1710506097000000001n), data: seq(1) }),
        ],
      }]);
      const { frames, reader } = readAll(bytes, bytes.length);
      assert.deepEqual(frames.map((f) => [f.tsSec, f.tsNsec]), [
        [1710506096, 987654321],
        [1710506096, 0],
        [1710506096, 999999999],
        [1710506097, 1],
      ]);
      assertClean(reader);
    });
  }

  it('Simple Packet Blocks: no timestamp, capLen = min(origLen, body), limited by the snaplen of interface 0', () => {
    const bytes = pcapngFile([
      {
        byteOrder: 'le',
        blocks: [
          idb({ linkType: RAW, snaplen: 0 }),
          idb({ linkType: ETH, snaplen: 0 }),
          spb({ data: seq(8) }), //                        capLen 8
          spb({ data: seq(5) }), //                        body 8 (padded), origLen 5 → 5
          spb({ data: seq(12), origLen: 1514 }), //         body 12 < origLen → 12
        ],
      },
      {
        byteOrder: 'be',
        blocks: [
          idb({ linkType: ETH, snaplen: 40 }),
          spb({ data: seq(40), origLen: 100 }), //          40
          spb({ data: seq(48), origLen: 100 }), //          body 48, snaplen 40 → 40
        ],
      },
    ]);
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.deepEqual(frames.map((f) => [f.number, f.hasTs, f.tsSec, f.tsNsec, f.capLen, f.origLen, f.linkType, f.interfaceId]), [
      [1, false, 0, 0, 8, 8, RAW, 0],
      [2, false, 0, 0, 5, 5, RAW, 0],
      [3, false, 0, 0, 12, 1514, RAW, 0],
      [4, false, 0, 0, 40, 100, ETH, 0],
      [5, false, 0, 0, 40, 100, ETH, 0],
    ]);
    assert.deepEqual(frames[1].data, seq(5));
    assert.deepEqual(frames[4].data, seq(40));
    assertClean(reader);
  });

  for (const byteOrder of ['le', 'be'] as const) {
    it(`${byteOrder} obsolete Packet Block: 16-bit interface id next to the drops count`, () => {
      const bytes = pcapngFile([{
        byteOrder,
        blocks: [
          idb({ linkType: ETH, snaplen: 0 }),
          idb({ linkType: RAW, snaplen: 0 }),
          opb({ iface: 1, drops: 7, ...T_US, data: seq(9), origLen: 90 }),
        ],
      }]);
      const { frames, reader } = readAll(bytes, bytes.length);
      assert.deepEqual(frames, [{
        number: 1, tsSec: 1700000000, tsNsec: 123456000, hasTs: true, capLen: 9, origLen: 90,
        linkType: RAW, interfaceId: 1, offset: 68, data: seq(9),
      }]);
      assertClean(reader);
    });
  }

  it('unknown, custom, name-resolution and statistics blocks are skipped and counted, not frames', () => {
    const bytes = pcapngFile([{
      byteOrder: 'le',
      blocks: [
        idb({ linkType: ETH, snaplen: 0 }),
        customBlock(32473, seq(5)),
        epb({ iface: 0, ...T_US, data: seq(3) }),
        unknownBlock(0x12345678, seq(8)),
        nrb(),
        isb(0, T_US.tsHigh, T_US.tsLow),
        customBlock(32473, seq(3), false),
        epb({ iface: 0, ...T_US, data: seq(4, 4) }),
      ],
    }]);
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.deepEqual(frames.map((f) => [f.number, f.capLen]), [[1, 3], [2, 4]]);
    assert.deepEqual(frames[1].data, seq(4, 4));
    assert.deepEqual(reader.skippedBlocks, new Map([
      [BT.CUSTOM, 1], [0x12345678, 1], [BT.NRB, 1], [BT.ISB, 1], [BT.CUSTOM_NOCOPY, 1],
    ]));
    assertClean(reader);
  });

  it('options: SHB and IDB options are walked, EPB options after the data are ignored', () => {
    const bytes = pcapngFile([{
      byteOrder: 'be',
      shbOptions: [optText(2, 'x86_64'), optText(3, 'Linux 6.1'), optText(4, 'capfile.ts')],
      blocks: [
        // if_name and if_description before if_tsresol
        idb({ linkType: ETH, snaplen: 0, options: [optText(2, 'eth0'), optText(3, 'a longer description')], tsresol: 9 }),
        epb({
          iface: 0, ...ts64(1700000000000000005n), data: seq(7),
          options: [optText(1, 'a comment of odd length'), optU32(2, 1), optU64(4, 123n)],
        }),
        epb({ iface: 0, ...ts64(1700000000000000006n), data: seq(2, 2) }),
      ],
    }]);
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.deepEqual(frames.map((f) => [f.tsSec, f.tsNsec, f.capLen]), [[1700000000, 5, 7], [1700000000, 6, 2]]);
    assert.deepEqual(frames[0].data, seq(7));
    assert.deepEqual(frames[1].data, seq(2, 2));
    assertClean(reader);
  });

  it('SHB version 1.2 is accepted', () => {
    const bytes = pcapngFile([{ byteOrder: 'le', version: [1, 2], blocks: [idb({ linkType: ETH, snaplen: 0 }), epb({ iface: 0, ...T_US, data: seq(1) })] }]);
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.equal(frames.length, 1);
    assertClean(reader);
  });

  it('a section with no blocks: no frames, no error', () => {
    const bytes = pcapngFile([{ byteOrder: 'be', blocks: [] }]);
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.equal(frames.length, 0);
    assert.equal(reader.sections, 1);
    assertClean(reader);
  });
});

// ====================================================================== chunk sizes

/** ~10 records: 0-length, odd lengths, origLen > capLen. */
const VARIED = [0, 1, 2, 3, 5, 17, 60, 61, 100, 1];

function variedPcap(): Uint8Array {
  return pcapFile({
    byteOrder: 'be',
    nano: true,
    records: VARIED.map((n, i) => ({ sec: 1700000000 + i, frac: i * 111111111, data: seq(n, i * 16), origLen: n + i })),
  });
}

function variedPcapngSections(): Section[] {
  return [
    {
      byteOrder: 'le',
      shbOptions: [optText(4, 'odd')],
      blocks: [
        idb({ linkType: ETH, snaplen: 0 }),
        idb({ linkType: RAW, snaplen: 0, tsresol: 9 }),
        epb({ iface: 0, ...ts64(1700000000000000n), data: seq(0) }),
        epb({ iface: 1, ...ts64(1700000001000000001n), data: seq(1, 1) }),
        customBlock(32473, seq(7)),
        epb({ iface: 0, ...ts64(1700000002000002n), data: seq(2, 2), origLen: 1000 }),
        opb({ iface: 1, ...ts64(1700000003000000003n), data: seq(3, 3) }),
        epb({ iface: 1, ...ts64(1700000004000000004n), data: seq(5, 5), options: [optText(1, 'hi')] }),
        spb({ data: seq(17, 17) }),
      ],
    },
    {
      byteOrder: 'be',
      blocks: [
        idb({ linkType: SLL, snaplen: 0, tsresol: 0x80 | 10 }),
        nrb(),
        epb({ iface: 0, ...ts64(1700000006n * 1024n + 512n), data: seq(60, 60) }),
        epb({ iface: 0, ...ts64(1700000007n * 1024n), data: seq(61, 61), options: [optU32(2, 3)] }),
        isb(0),
        epb({ iface: 0, ...ts64(1700000008n * 1024n + 1n), data: seq(100, 100) }),
        epb({ iface: 0, ...ts64(1700000009n * 1024n), data: seq(1, 9) }),
      ],
    },
  ];
}

describe('every chunk size gives the same frames', () => {
  it('pcap: 10 records', () => {
    const bytes = variedPcap();
    const whole = readAll(bytes, bytes.length);
    assert.equal(whole.frames.length, 10);
    assert.deepEqual(whole.frames.map((f) => f.capLen), VARIED);
    assert.deepEqual(whole.frames.map((f) => f.number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(whole.frames[9], {
      number: 10, tsSec: 1700000009, tsNsec: 999999999, hasTs: true, capLen: 1, origLen: 10,
      linkType: ETH, interfaceId: 0, offset: bytes.length - 17, data: Uint8Array.of(144),
    });
    assertClean(whole.reader);
    for (let cs = 1; cs <= bytes.length; cs++) {
      const r = readAll(bytes, cs);
      assert.deepEqual(r.frames, whole.frames, `chunk size ${cs}`);
      assertClean(r.reader);
    }
  });

  it('pcapng: 10 records in two sections with skipped blocks', () => {
    const bytes = pcapngFile(variedPcapngSections());
    const whole = readAll(bytes, bytes.length);
    assert.deepEqual(whole.frames.map((f) => [f.number, f.capLen, f.interfaceId, f.linkType, f.tsSec, f.tsNsec]), [
      [1, 0, 0, ETH, 1700000000, 0],
      [2, 1, 1, RAW, 1700000001, 1],
      [3, 2, 0, ETH, 1700000002, 2000],
      [4, 3, 1, RAW, 1700000003, 3],
      [5, 5, 1, RAW, 1700000004, 4],
      [6, 17, 0, ETH, 0, 0],
      [7, 60, 0, SLL, 1700000006, 500000000],
      [8, 61, 0, SLL, 1700000007, 0],
      [9, 100, 0, SLL, 1700000008, 976562],
      [10, 1, 0, SLL, 1700000009, 0],
    ]);
    assert.deepEqual(whole.frames[7].data, seq(61, 61));
    assertClean(whole.reader);
    for (let cs = 1; cs <= bytes.length; cs++) {
      const r = readAll(bytes, cs);
      assert.deepEqual(r.frames, whole.frames, `chunk size ${cs}`);
      assertClean(r.reader);
      assert.equal(r.reader.sections, 2);
    }
  });

  it('irregular chunk sizes, and chunks fed before any next()', () => {
    for (const bytes of [variedPcap(), pcapngFile(variedPcapngSections())]) {
      const whole = readAll(bytes, bytes.length).frames;
      // irregular sizes 1, 2, 3, 5, 8, 13, ... wrapping
      const sizes = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 7, 4, 1, 1, 150];
      const r = new CaptureReader();
      const got: number[][] = [];
      let o = 0;
      for (let i = 0; o < bytes.length; i++) {
        const n = sizes[i % sizes.length];
        r.feed(bytes.subarray(o, o + n));
        o += n;
        // several feeds in a row without next() every third chunk
        if (i % 3 !== 2) continue;
        while (r.next() === FRAME) got.push([r.frame.number, ...r.frame.buf.subarray(r.frame.dataOffset, r.frame.dataOffset + r.frame.capLen)]);
      }
      r.endInput();
      while (r.next() === FRAME) got.push([r.frame.number, ...r.frame.buf.subarray(r.frame.dataOffset, r.frame.dataOffset + r.frame.capLen)]);
      assert.deepEqual(got, whole.map((f) => [f.number, ...f.data]));
      assertClean(r);

      // everything fed byte by byte before the first next()
      const r2 = new CaptureReader();
      for (let i = 0; i < bytes.length; i++) r2.feed(bytes.subarray(i, i + 1));
      r2.endInput();
      const got2: number[] = [];
      while (r2.next() === FRAME) got2.push(r2.frame.number);
      assert.deepEqual(got2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      assertClean(r2);
    }
  });

  it('once a chunk is fed, the chunk before it may be overwritten (the file reader reuses two buffers)', () => {
    // pipeline.ts reads the next chunk into the buffer of the one before while this one is
    // decoded: the bytes of a record straddling the two must have been copied by feed()
    for (const bytes of [variedPcap(), pcapngFile(variedPcapngSections())]) {
      const whole = readAll(bytes, bytes.length).frames.map((f) => [f.number, ...f.data]);
      for (let cs = 1; cs <= bytes.length; cs++) {
        const bufs = [new Uint8Array(cs), new Uint8Array(cs)];
        const r = new CaptureReader();
        const got: number[][] = [];
        let k = 0;
        for (let o = 0; o < bytes.length; o += cs) {
          const n = Math.min(cs, bytes.length - o);
          bufs[k].set(bytes.subarray(o, o + n));
          r.feed(bufs[k].subarray(0, n));
          k ^= 1;
          bufs[k].fill(0xee); // the read of the next chunk lands here while this one is decoded
          while (r.next() === FRAME) got.push([r.frame.number, ...r.frame.buf.subarray(r.frame.dataOffset, r.frame.dataOffset + r.frame.capLen)]);
        }
        r.endInput();
        while (r.next() === FRAME) got.push([r.frame.number, ...r.frame.buf.subarray(r.frame.dataOffset, r.frame.dataOffset + r.frame.capLen)]);
        assert.deepEqual(got, whole, `chunk size ${cs}`);
        assertClean(r);
      }
    }
  });

  it('NEED_MORE until a record is complete, FRAME as soon as it is', () => {
    const bytes = pcapFile({ byteOrder: 'le', records: [{ sec: 1, frac: 2, data: seq(10) }] });
    const r = new CaptureReader();
    assert.equal(r.next(), NEED_MORE);
    for (let i = 0; i < bytes.length - 1; i++) {
      r.feed(bytes.subarray(i, i + 1));
      assert.equal(r.next(), NEED_MORE, `after ${i + 1} bytes`);
    }
    r.feed(bytes.subarray(bytes.length - 1));
    assert.equal(r.next(), FRAME);
    assert.equal(r.next(), NEED_MORE);
    r.endInput();
    assert.equal(r.next(), DONE);
    assert.equal(r.next(), DONE);
    assertClean(r);
  });
});

// ====================================================================== truncation

describe('truncation at every byte', () => {
  it('pcap: complete records before the cut, truncated unless the cut is on a record boundary', () => {
    const { bytes, recordOffsets, recordEnds } = pcapLayout({
      byteOrder: 'le',
      records: VARIED.map((n, i) => ({ sec: 1700000000 + i, frac: i, data: seq(n, i) })),
    });
    const whole = readAll(bytes, bytes.length).frames;
    const boundaries = [PCAP_HEADER_LEN, ...recordEnds];
    for (let cut = PCAP_HEADER_LEN; cut <= bytes.length; cut++) {
      for (const cs of [cut, 7]) {
        const { frames, reader } = readAll(bytes.subarray(0, cut), cs);
        const msg = `cut at ${cut}, chunk size ${cs}`;
        const complete = recordEnds.filter((e) => e <= cut).length;
        assert.deepEqual(frames, whole.slice(0, complete), msg);
        assert.equal(reader.error, null, msg);
        if (boundaries.includes(cut)) {
          assert.equal(reader.truncated, false, msg);
          assert.equal(reader.truncation, null, msg);
        } else {
          assert.equal(reader.truncated, true, msg);
          const start = complete === 0 ? PCAP_HEADER_LEN : recordEnds[complete - 1];
          assert.equal(start, complete < recordOffsets.length ? recordOffsets[complete] : -1, msg);
          assert.ok(reader.truncation?.startsWith(`capture cut short at byte ${cut}: `), `${msg}: ${reader.truncation}`);
          assert.ok(reader.truncation?.includes(`at offset ${start} needs `), `${msg}: ${reader.truncation}`);
        }
      }
    }
  });

  it('pcap: the message says what was missing', () => {
    const bytes = pcapFile({ byteOrder: 'le', records: [{ sec: 1, frac: 0, data: seq(10) }, { sec: 2, frac: 0, data: seq(30) }] });
    // record 2 starts at 50; cut 5 bytes into its data (50 + 16 + 5 = 71)
    let r = readAll(bytes.subarray(0, 71), 71).reader;
    assert.equal(r.truncation, 'capture cut short at byte 71: record 2 (30 data bytes) at offset 50 needs 46 bytes, only 21 present');
    // cut inside its header
    r = readAll(bytes.subarray(0, 53), 53).reader;
    assert.equal(r.truncation, 'capture cut short at byte 53: record header at offset 50 needs 16 bytes, only 3 present');
  });

  it('pcapng: complete blocks before the cut, truncated unless the cut is on a block boundary', () => {
    const { bytes, blocks } = pcapngLayout(variedPcapngSections());
    const whole = readAll(bytes, bytes.length).frames;
    const blockEnd = new Map(blocks.map((b) => [b.offset, b.offset + b.length]));
    const ends = blocks.map((b) => b.offset + b.length);
    for (let cut = blocks[0].length; cut <= bytes.length; cut++) {
      for (const cs of [cut, 5]) {
        const { frames, reader } = readAll(bytes.subarray(0, cut), cs);
        const msg = `cut at ${cut}, chunk size ${cs}`;
        assert.deepEqual(frames, whole.filter((f) => (blockEnd.get(f.offset) ?? Infinity) <= cut), msg);
        assert.equal(reader.error, null, msg);
        if (ends.includes(cut)) {
          assert.equal(reader.truncated, false, msg);
          assert.equal(reader.truncation, null, msg);
        } else {
          assert.equal(reader.truncated, true, msg);
          const start = Math.max(...ends.filter((e) => e < cut));
          assert.ok(reader.truncation?.startsWith(`capture cut short at byte ${cut}: `), `${msg}: ${reader.truncation}`);
          assert.ok(reader.truncation?.includes(`at offset ${start} needs `), `${msg}: ${reader.truncation}`);
        }
      }
    }
  });
});

// ====================================================================== a frame limit (-c)

describe('a frame limit', () => {
  it('pcap: the first `limit` frames at every chunk size; stopped at the limit exactly when bytes follow them', () => {
    const { bytes, recordEnds } = pcapLayout({
      byteOrder: 'be',
      nano: true,
      records: VARIED.map((n, i) => ({ sec: 1700000000 + i, frac: i * 111111111, data: seq(n, i * 16), origLen: n + i })),
    });
    const whole = readAll(bytes, bytes.length).frames;
    for (let limit = 1; limit <= whole.length + 1; limit++) {
      for (const cs of [1, 7, recordEnds[Math.min(limit, whole.length) - 1], bytes.length]) {
        const { frames, reader } = readAll(bytes, cs, limit);
        const msg = `limit ${limit}, chunk size ${cs}`;
        assert.deepEqual(frames, whole.slice(0, limit), msg);
        assertClean(reader);
        assert.equal(reader.stoppedAtLimit, limit < whole.length, msg);
      }
    }
  });

  it('pcapng: stopped at the limit when a packet block or a section follows, past blocks that hold no frame', () => {
    // with statistics and name resolution after the last packet, as dumpcap ends its files
    const sections = variedPcapngSections();
    sections[1].blocks.push(isb(0), nrb());
    const { bytes, blocks } = pcapngLayout(sections);
    const whole = readAll(bytes, bytes.length).frames;
    // whether a packet block or a section header comes after frame `limit`'s block
    const moreAfter = (limit: number): boolean => {
      const i = blocks.findIndex((b) => b.offset === whole[limit - 1].offset);
      assert.ok(i >= 0, `frame ${limit}'s block`);
      return blocks.slice(i + 1).some((b) => b.type === BT.EPB || b.type === BT.SPB || b.type === BT.OPB || b.type === BT.SHB);
    };
    // the layout has blocks of no frame after the last packet block, as dumpcap's statistics
    assert.equal(moreAfter(whole.length), false);
    assert.equal(blocks.at(-1)?.type, BT.NRB);
    for (let limit = 1; limit <= whole.length; limit++) {
      for (const cs of [1, 13, bytes.length]) {
        const { frames, reader } = readAll(bytes, cs, limit);
        const msg = `limit ${limit}, chunk size ${cs}`;
        assert.deepEqual(frames, whole.slice(0, limit), msg);
        assertClean(reader);
        assert.equal(reader.stoppedAtLimit, moreAfter(limit), msg);
      }
    }
    // the second section's interface, past the limit, is not read
    assert.deepEqual(readAll(bytes, bytes.length, 6).reader.linkTypes, [ETH, RAW]);
    assert.deepEqual(readAll(bytes, bytes.length, 7).reader.linkTypes, [ETH, RAW, SLL]);
  });

  it('nothing past the limit is read: neither a damaged record nor a cut one is reported', () => {
    const damaged = pcapWithBadRecord(MAX_RECORD + 1);
    const all = readAll(damaged, damaged.length);
    assert.equal(all.frames.length, 3);
    assert.notEqual(all.reader.error, null);
    for (const cs of [1, damaged.length]) {
      const { frames, reader } = readAll(damaged, cs, 3);
      assert.equal(frames.length, 3);
      assertClean(reader);
      assert.equal(reader.stoppedAtLimit, true);
    }
    const { bytes, recordEnds } = pcapLayout({ byteOrder: 'le', records: VARIED.map((n, i) => ({ sec: 1700000000 + i, frac: i, data: seq(n) })) });
    const cut = bytes.subarray(0, recordEnds[4] + 3);
    assert.equal(readAll(cut, cut.length).reader.truncated, true);
    const { frames, reader } = readAll(cut, 5, 5);
    assert.equal(frames.length, 5);
    assertClean(reader);
    assert.equal(reader.stoppedAtLimit, true);
  });
});

// ====================================================================== damaged lengths

/** Three good records, then one claiming `capLen`, then a good one that must not be read. */
function pcapWithBadRecord(capLen: number, before = 3): Uint8Array {
  const good = (i: number) => ({ sec: 1700000000 + i, frac: i, data: seq(10, i) });
  const records = [...Array.from({ length: before }, (_, i) => good(i)), { sec: 1, frac: 0, data: seq(10), capLen }, good(9)];
  return pcapFile({ byteOrder: 'le', records });
}

describe('impossible lengths', () => {
  it('pcap: caplen > 262144 stops reading with the offset and the value; earlier frames kept', () => {
    const bytes = pcapWithBadRecord(262145);
    // records of 26 bytes from 24: the bad one is at 24 + 3 * 26 = 102
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.deepEqual(frames.map((f) => f.number), [1, 2, 3]);
    assert.deepEqual(frames[2].data, seq(10, 2));
    assert.ok(reader.error);
    assert.equal(reader.error.fatal, false);
    assert.equal(reader.error.offset, 110); // the incl_len field
    assert.equal(reader.error.message, 'pcap record 4 at offset 102: captured length 262145 exceeds the 262144-byte limit (snaplen 262144); reading stopped');
    assert.equal(reader.truncated, false);
  });

  it('pcap: an impossible caplen in the first record is fatal', () => {
    const { frames, reader } = readAll(pcapWithBadRecord(0x7ffffff0, 0), 1000);
    assert.equal(frames.length, 0);
    assert.ok(reader.error);
    assert.equal(reader.error.offset, 32);
    assert.ok(reader.error.message.includes('at offset 24'), reader.error.message);
    assert.ok(reader.error.message.includes('2147483632'), reader.error.message);
    assert.equal(reader.error.fatal, true);
  });

  it('pcap: a huge caplen does not make the reader wait for its data', () => {
    const bytes = pcapWithBadRecord(0x7ffffff0, 1);
    const r = new CaptureReader();
    r.feed(bytes.subarray(0, 24 + 26 + 16)); // header, one record, the bad record's header
    assert.equal(r.next(), FRAME);
    assert.equal(r.next(), DONE); // not NEED_MORE, without endInput()
    assert.ok(r.error);
    assert.equal(r.error.offset, 58);
    assert.ok(r.error.message.includes('2147483632'));
  });

  /** SHB (0..28), IDB (28..48), one good EPB (48..84), then the blocks given. */
  function ngAfterOneFrame(blocks: Section['blocks'], byteOrder: 'le' | 'be' = 'le'): Uint8Array {
    return pcapngFile([{ byteOrder, blocks: [idb({ linkType: ETH, snaplen: 0 }), epb({ iface: 0, ...T_US, data: seq(4) }), ...blocks] }]);
  }

  function expectStop(bytes: Uint8Array, offset: number, message: string): void {
    for (const cs of [bytes.length, 1, 3]) {
      const { frames, reader } = readAll(bytes, cs);
      assert.deepEqual(frames.map((f) => f.number), [1], `chunk size ${cs}`);
      assert.ok(reader.error, `chunk size ${cs}`);
      assert.equal(reader.error.offset, offset);
      assert.equal(reader.error.message, message);
      assert.equal(reader.error.fatal, false);
      assert.equal(reader.truncated, false);
    }
  }

  const more = epb({ iface: 0, ...T_US, data: seq(4) });

  it('pcapng: block total length not a multiple of 4', () => {
    expectStop(
      ngAfterOneFrame([epb({ iface: 0, ...T_US, data: seq(4), totalLength: 38 }), more]),
      84,
      'pcapng block type 0x00000006 at offset 84: impossible total length 38 (must be a multiple of 4, at least 12); reading stopped',
    );
  });

  it('pcapng: block total length below 12', () => {
    expectStop(
      ngAfterOneFrame([unknownBlock(0x101, new Uint8Array(0), { totalLength: 8 }), more], 'be'),
      84,
      'pcapng block type 0x00000101 at offset 84: impossible total length 8 (must be a multiple of 4, at least 12); reading stopped',
    );
  });

  it('pcapng: trailing length mismatch', () => {
    expectStop(
      ngAfterOneFrame([epb({ iface: 0, ...T_US, data: seq(4), trailingLength: 40 }), more]),
      84,
      'pcapng block type 0x00000006 at offset 84: trailing length 40 does not match leading length 36; reading stopped',
    );
  });

  it('pcapng: EPB captured length larger than its block', () => {
    expectStop(
      ngAfterOneFrame([epb({ iface: 0, ...T_US, data: seq(4), capLen: 5 }), more]),
      84,
      'pcapng packet block at offset 84: captured length 5 does not fit in a block of 36 bytes; reading stopped',
    );
  });

  it('pcapng: EPB on an undefined interface', () => {
    expectStop(
      ngAfterOneFrame([epb({ iface: 1, ...T_US, data: seq(4) }), more], 'be'),
      84,
      'pcapng packet block at offset 84: interface 1 is not defined (section has 1)',
    );
  });

  it('pcapng: IDB shorter than 20 bytes', () => {
    expectStop(
      ngAfterOneFrame([unknownBlock(BT.IDB, Uint8Array.of(1, 0, 0, 0)), more]),
      84,
      'pcapng interface block at offset 84: length 16 is shorter than 20',
    );
  });

  it('pcapng: EPB shorter than 32 bytes', () => {
    expectStop(
      ngAfterOneFrame([unknownBlock(BT.EPB, new Uint8Array(12)), more], 'be'),
      84,
      'pcapng packet block at offset 84: length 24 is shorter than 32',
    );
  });

  it('pcapng: packet before any interface', () => {
    const bytes = pcapngFile([{ byteOrder: 'le', blocks: [spb({ data: seq(4) })] }]);
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.equal(frames.length, 0);
    assert.ok(reader.error);
    assert.equal(reader.error.offset, 28);
    assert.equal(reader.error.message, 'pcapng simple packet block at offset 28: no interface is defined');
    assert.equal(reader.error.fatal, true); // nothing was read
  });

  it('pcapng: IDB option running past the block', () => {
    expectStop(
      ngAfterOneFrame([idb({ linkType: ETH, snaplen: 0, options: [{ ...optText(2, 'eth0'), length: 200 }] }), more]),
      100,
      'pcapng interface block at offset 84: option 2 at offset 100 runs past the end of the block',
    );
  });

  for (const version of [[1, 1], [2, 0]] as [number, number][]) {
    it(`pcapng: SHB version ${version.join('.')} is rejected (fatal in the first section)`, () => {
      const bytes = pcapngFile([{ byteOrder: 'le', version, blocks: [idb({ linkType: ETH, snaplen: 0 }), epb({ iface: 0, ...T_US, data: seq(4) })] }]);
      const { frames, reader } = readAll(bytes, bytes.length);
      assert.equal(frames.length, 0);
      assert.ok(reader.error);
      assert.equal(reader.error.fatal, true);
      assert.equal(reader.error.offset, 12);
      assert.equal(reader.error.message, `pcapng section header at offset 0: unsupported version ${version.join('.')} (expected 1.0)`);
    });

    it(`pcapng: SHB version ${version.join('.')} in a second section stops reading (not fatal)`, () => {
      const bytes = pcapngFile([
        { byteOrder: 'le', blocks: [idb({ linkType: ETH, snaplen: 0 }), epb({ iface: 0, ...T_US, data: seq(4) })] },
        { byteOrder: 'be', version, blocks: [idb({ linkType: ETH, snaplen: 0 }), epb({ iface: 0, ...T_US, data: seq(4) })] },
      ]);
      const { frames, reader } = readAll(bytes, 10);
      assert.equal(frames.length, 1);
      assert.ok(reader.error);
      assert.equal(reader.error.fatal, false);
      assert.equal(reader.error.offset, 96);
      assert.equal(reader.error.message, `pcapng section header at offset 84: unsupported version ${version.join('.')} (expected 1.0)`);
    });
  }

  it('pcapng: SHB option running past the block (raw option bytes)', () => {
    // shb_comment claiming 100 bytes with 4 present, then opt_endofopt
    const opts = Uint8Array.of(1, 0, 100, 0, 0x61, 0x62, 0x63, 0x64, 0, 0, 0, 0);
    const bytes = pcapngFile([{ byteOrder: 'le', shbOptions: opts, blocks: [idb({ linkType: ETH, snaplen: 0 })] }]);
    const { frames, reader } = readAll(bytes, bytes.length);
    assert.equal(frames.length, 0);
    assert.ok(reader.error);
    assert.equal(reader.error.fatal, true);
    assert.equal(reader.error.offset, 24);
    assert.equal(reader.error.message, 'pcapng section header at offset 0: option at offset 24 runs past the end of the block');
  });

  it('pcapng: bad byte-order magic in the first section is fatal', () => {
    const bytes = pcapngFile([{ byteOrder: 'le', blocks: [] }]);
    bytes.set([0x11, 0x22, 0x33, 0x44], 8);
    const { reader } = readAll(bytes, bytes.length);
    assert.ok(reader.error);
    assert.equal(reader.error.fatal, true);
    assert.equal(reader.error.offset, 8);
    assert.equal(reader.error.message, 'pcapng section header at offset 0: bad byte-order magic 0x11223344 (expected 0x1a2b3c4d)');
  });

  describe('a block claiming 0x7ffffff0 bytes stops the reader at once (no buffering)', () => {
    const cases: [string, Section['blocks'][number], string][] = [
      ['EPB', epb({ iface: 0, ...T_US, data: seq(4), totalLength: 0x7ffffff0 }), 'pcapng block type 0x00000006 at offset 84: total length 2147483632 exceeds the 327744-byte limit; reading stopped'],
      ['unknown block', unknownBlock(0x0bad0bad, seq(4), { totalLength: 0x7ffffff0 }), 'pcapng block type 0x0bad0bad at offset 84: total length 2147483632 exceeds the 16777216-byte limit; reading stopped'],
      ['IDB', idb({ linkType: ETH, snaplen: 0, totalLength: 0x7ffffff0 }), 'pcapng block type 0x00000001 at offset 84: total length 2147483632 exceeds the 16777216-byte limit; reading stopped'],
    ];
    for (const [name, block, message] of cases) {
      it(name, () => {
        const bytes = ngAfterOneFrame([block]);
        const r = new CaptureReader();
        r.feed(bytes.subarray(0, 84 + 8 + 4)); // the good blocks, the header, 4 bytes of body
        assert.equal(r.next(), FRAME);
        assert.equal(r.next(), DONE); // without endInput(): it must not wait
        assert.ok(r.error);
        assert.equal(r.error.offset, 84);
        assert.equal(r.error.message, message);
        assert.equal(r.error.fatal, false);
      });
    }

    it('a second SHB', () => {
      const bytes = pcapngFile([
        { byteOrder: 'le', blocks: [idb({ linkType: ETH, snaplen: 0 }), epb({ iface: 0, ...T_US, data: seq(4) })] },
        { byteOrder: 'be', totalLength: 0x7ffffff0, blocks: [] },
      ]);
      const r = new CaptureReader();
      r.feed(bytes.subarray(0, 84 + 12)); // type, length, byte-order magic
      assert.equal(r.next(), FRAME);
      assert.equal(r.next(), DONE);
      assert.ok(r.error);
      assert.equal(r.error.offset, 84);
      assert.equal(r.error.message, 'pcapng section header at offset 84: impossible total length 2147483632');
    });

    it('the first SHB', () => {
      const bytes = pcapngFile([{ byteOrder: 'le', totalLength: 0x7ffffff0, blocks: [] }]);
      const r = new CaptureReader();
      r.feed(bytes.subarray(0, 16));
      assert.equal(r.next(), DONE);
      assert.ok(r.error);
      assert.equal(r.error.fatal, true);
      assert.equal(r.error.offset, 0);
    });
  });
});

// ====================================================================== not a capture

describe('not a capture', () => {
  it('text: fatal, names the magic', () => {
    const bytes = new TextEncoder().encode('hello world, this is not a capture file at all\n');
    for (const cs of [bytes.length, 1]) {
      const { frames, reader } = readAll(bytes, cs);
      assert.equal(frames.length, 0);
      assert.ok(reader.error);
      assert.equal(reader.error.fatal, true);
      assert.equal(reader.error.offset, 0);
      assert.ok(reader.error.message.startsWith('not a pcap or pcapng file (magic 0x'), reader.error.message);
      assert.equal(reader.error.message, 'not a pcap or pcapng file (magic 0x68656c6c)');
      assert.equal(reader.format, null);
    }
  });

  it('pseudo-random bytes: fatal, names the magic', () => {
    const bytes = new Uint8Array(256);
    let x = 12345;
    for (let i = 0; i < bytes.length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      bytes[i] = x >>> 16;
    }
    const magic = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const { reader } = readAll(bytes, 17);
    assert.ok(reader.error);
    assert.equal(reader.error.fatal, true);
    assert.equal(reader.error.message, `not a pcap or pcapng file (magic 0x${magic})`);
  });

  it('empty input: fatal', () => {
    const r = new CaptureReader();
    r.endInput();
    assert.equal(r.next(), DONE);
    assert.ok(r.error);
    assert.equal(r.error.fatal, true);
    assert.equal(r.error.offset, 0);
    assert.equal(r.error.message, 'empty input: not a pcap or pcapng file (0 bytes)');
    assert.equal(r.truncated, false);
  });

  it('3 bytes: fatal', () => {
    for (const cs of [3, 1]) {
      const { frames, reader } = readAll(Uint8Array.of(0xd4, 0xc3, 0xb2), cs);
      assert.equal(frames.length, 0);
      assert.ok(reader.error);
      assert.equal(reader.error.fatal, true);
      assert.equal(reader.error.message, 'not a pcap or pcapng file (only 3 bytes)');
    }
  });

  it('a pcapng file cut inside its first Section Header Block is unreadable, like a cut pcap header', () => {
    // A cut pcap header is a fatal error ("pcap file header cut short"); a cut first SHB should be
    // too (tshark: not a capture file), not a readable pcapng with 0 frames that is "truncated".
    const bytes = pcapngFile([{ byteOrder: 'le', blocks: [idb({ linkType: ETH, snaplen: 0 })] }]);
    for (let cut = 4; cut < 28; cut++) {
      const { frames, reader } = readAll(bytes.subarray(0, cut), cut);
      assert.equal(frames.length, 0);
      assert.equal(reader.sections, 0);
      assert.ok(reader.error, `cut at ${cut}: no error (truncated=${reader.truncated}, ${reader.truncation})`);
      assert.equal(reader.error.fatal, true, `cut at ${cut}`);
      assert.equal(reader.error.offset, 0, `cut at ${cut}`);
    }
  });

  it('a pcap header cut short: fatal', () => {
    const bytes = pcapFile({ byteOrder: 'le', records: [] }).subarray(0, 10);
    const { reader } = readAll(bytes, 4);
    assert.ok(reader.error);
    assert.equal(reader.error.fatal, true);
    assert.equal(reader.error.message, 'pcap file header cut short: 10 of 24 bytes');
  });
});
