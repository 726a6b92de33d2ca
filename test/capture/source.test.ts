/**
 * Byte sources (files, stdin, gzip) through the whole pipeline: runCapture with a sink that
 * records what it was given.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, createReadStream, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCapture, type PacketSink } from '../../src/pipeline.js';
import { GZIP_SLICE, openSource, regularFile, SourceError, STREAM_READ } from '../../src/capture/source.js';
import type { Frame } from '../../src/capture/frame.js';
import type { Packet } from '../../src/decode/packet.js';
import { pcapFile, pcapngFile, idb, epb, ts64, seq } from '../helpers/capfile.js';

/** Ethernet / IPv4 / TCP, 192.0.2.1:40000+i → 198.51.100.2:80, seq 1000+i, `payload` bytes. */
function tcpFrame(i: number, payload: number): Uint8Array {
  const sport = 40000 + i;
  const seqNo = 1000 + i;
  const ipLen = 20 + 20 + payload;
  return Uint8Array.from([
    // Ethernet
    0x02, 0, 0, 0, 0, 0x02, //           destination MAC
    0x02, 0, 0, 0, 0, 0x01, //           source MAC
    0x08, 0x00, //                       EtherType IPv4
    // IPv4
    0x45, 0x00, //                       version 4, IHL 5; DSCP/ECN
    ipLen >> 8, ipLen & 0xff, //         total length
    0x00, i, //                          identification
    0x40, 0x00, //                       DF, fragment offset 0
    64, 6, //                            TTL, protocol TCP
    0x00, 0x00, //                       header checksum (not checked)
    192, 0, 2, 1, //                     source
    198, 51, 100, 2, //                  destination
    // TCP
    sport >> 8, sport & 0xff, //         source port
    0x00, 80, //                         destination port
    0, 0, seqNo >> 8, seqNo & 0xff, //   sequence number
    0, 0, 0, 0, //                       acknowledgement number
    0x50, 0x18, //                       data offset 5; PSH ACK
    0xff, 0xff, //                       window
    0x00, 0x00, //                       checksum
    0x00, 0x00, //                       urgent pointer
    ...seq(payload, i),
  ]);
}

const PAYLOAD = 10; // frames of 64 bytes, records of 80: record k (from 0) at 24 + 80 k

function tcpPcap(): Uint8Array {
  return pcapFile({
    byteOrder: 'le',
    records: Array.from({ length: 10 }, (_, i) => ({ sec: 1700000000 + i, frac: i * 1000, data: tcpFrame(i, PAYLOAD) })),
  });
}

function tcpPcapng(): Uint8Array {
  return pcapngFile([{
    byteOrder: 'be',
    blocks: [
      idb({ linkType: 1, snaplen: 65535, tsresol: 9 }),
      ...Array.from({ length: 10 }, (_, i) => epb({ iface: 0, ...ts64(1700000000000000000n + BigInt(i) * 1000001n), data: tcpFrame(i, PAYLOAD) })),
    ],
  }]);
}

/** What the sink saw: frame number, timestamp, source port, raw sequence number, payload length. */
type Seen = [number, number, number, number, number, number];

class RecordingSink implements PacketSink {
  readonly seen: Seen[] = [];
  packet(f: Frame, p: Packet): void {
    this.seen.push([f.number, f.tsSec, f.tsNsec, p.srcPort, p.seq32 >>> 0, p.payloadLen]);
  }
}

const EXPECTED_PCAP: Seen[] = Array.from({ length: 10 }, (_, i) => [i + 1, 1700000000 + i, i * 1000000, 40000 + i, 1000 + i, PAYLOAD]);
const EXPECTED_PCAPNG: Seen[] = Array.from({ length: 10 }, (_, i) => [i + 1, 1700000000, i * 1000001, 40000 + i, 1000 + i, PAYLOAD]);

let dir = '';
const file = (name: string): string => join(dir, name);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tcpflow-explain-source-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('files and gzip', () => {
  it('a plain pcap file', async () => {
    const bytes = tcpPcap();
    writeFileSync(file('plain.pcap'), bytes);
    const sink = new RecordingSink();
    const s = await runCapture(file('plain.pcap'), sink);
    assert.deepEqual(sink.seen, EXPECTED_PCAP);
    assert.equal(s.format, 'pcap');
    assert.equal(s.gzip, false);
    assert.equal(s.packets, 10);
    assert.equal(s.tcpPackets, 10);
    assert.equal(s.bytes, 640);
    assert.equal(s.truncated, false);
    assert.equal(s.error, null);
    assert.equal(s.unreadable, false);
    assert.deepEqual(s.warnings, []);
    assert.deepEqual(s.linkTypes, ['EN10MB']);
  });

  it('the same pcap gzipped gives the same frames (detected by magic, not by name)', async () => {
    const gz = gzipSync(tcpPcap());
    writeFileSync(file('capture.gz'), gz);
    writeFileSync(file('no-extension'), gz);
    for (const name of ['capture.gz', 'no-extension']) {
      const sink = new RecordingSink();
      const s = await runCapture(file(name), sink);
      assert.deepEqual(sink.seen, EXPECTED_PCAP, name);
      assert.equal(s.gzip, true);
      assert.equal(s.format, 'pcap');
      assert.equal(s.packets, 10);
      assert.equal(s.truncated, false);
      assert.equal(s.error, null);
      assert.deepEqual(s.warnings, []);
    }
  });

  it('a gzipped pcapng', async () => {
    writeFileSync(file('capture.pcapng'), tcpPcapng());
    writeFileSync(file('capture.pcapng.gz'), gzipSync(tcpPcapng()));
    for (const name of ['capture.pcapng', 'capture.pcapng.gz']) {
      const sink = new RecordingSink();
      const s = await runCapture(file(name), sink);
      assert.deepEqual(sink.seen, EXPECTED_PCAPNG, name);
      assert.equal(s.format, 'pcapng');
      assert.equal(s.gzip, name.endsWith('.gz'));
      assert.equal(s.truncated, false);
    }
  });

  it('a file larger than one read chunk (1 MiB) and than one gunzip chunk: records straddle real chunks', async () => {
    const n = 20000; // 24 + 20000 * 80 = 1600024 bytes
    const bytes = pcapFile({
      byteOrder: 'be',
      records: Array.from({ length: n }, (_, i) => ({ sec: 1700000000 + i, frac: 999999 - (i % 1000000), data: tcpFrame(i % 256, PAYLOAD) })),
    });
    assert.equal(bytes.length, 1600024);
    writeFileSync(file('large.pcap'), bytes);
    writeFileSync(file('large.pcap.gz'), gzipSync(bytes));
    for (const name of ['large.pcap', 'large.pcap.gz']) {
      const sink = new RecordingSink();
      const s = await runCapture(file(name), sink);
      assert.equal(sink.seen.length, n, name);
      assert.deepEqual(sink.seen[13107], [13108, 1700013107, 986892000, 40000 + (13107 % 256), 1000 + (13107 % 256), PAYLOAD], name);
      assert.deepEqual(sink.seen[n - 1], [20000, 1700019999, 980000000, 40000 + 31, 1000 + 31, PAYLOAD], name);
      assert.equal(s.bytes, n * 64);
      assert.equal(s.truncated, false);
      assert.deepEqual(s.warnings, []);
    }
  });

  it('a stored (uncompressed) gzip file, its compressed stream many reads long, gives the plain file\'s frames', async () => {
    const n = 20000;
    const bytes = pcapFile({
      byteOrder: 'le',
      records: Array.from({ length: n }, (_, i) => ({ sec: 1700000000 + i, frac: i % 1000000, data: tcpFrame(i % 256, PAYLOAD) })),
    });
    writeFileSync(file('stored.pcap'), bytes);
    // level 0: 1.6 MB of compressed stream, 25 reads of STREAM_READ
    const gz = gzipSync(bytes, { level: 0 });
    assert.ok(gz.length > 20 * STREAM_READ);
    writeFileSync(file('stored.pcap.gz'), gz);
    const plain = new RecordingSink();
    await runCapture(file('stored.pcap'), plain);
    const sink = new RecordingSink();
    const s = await runCapture(file('stored.pcap.gz'), sink);
    assert.equal(sink.seen.length, n);
    assert.deepEqual(sink.seen, plain.seen);
    assert.deepEqual(s.warnings, []);
  });

  it('two concatenated gzip members read as one stream', async () => {
    const pcap = tcpPcap();
    const gz = Buffer.concat([gzipSync(pcap.subarray(0, 200)), gzipSync(pcap.subarray(200))]);
    writeFileSync(file('members.pcap.gz'), gz);
    const sink = new RecordingSink();
    const s = await runCapture(file('members.pcap.gz'), sink);
    assert.deepEqual(sink.seen, EXPECTED_PCAP);
    assert.equal(s.truncated, false);
  });

  it('openSource: name and size of a file', () => {
    const bytes = tcpPcap();
    writeFileSync(file('sized.pcap'), bytes);
    const src = openSource(file('sized.pcap'));
    assert.equal(src.name, file('sized.pcap'));
    assert.equal(src.size, 824);
    assert.equal(src.gzip, false);
  });

  it('a truncated gzip stream: frames before the cut are counted, and the warning names gzip', async () => {
    // level 0: stored deflate block, so the gzip bytes are 10 (gzip header) + 5 (block header) + the pcap
    const pcap = tcpPcap();
    const gz = gzipSync(pcap, { level: 0 });
    assert.deepEqual(gz.subarray(15, 15 + pcap.length), Buffer.from(pcap));
    // cut 30 bytes into record 5 (at 24 + 4 * 80 = 344)
    writeFileSync(file('cut.pcap.gz'), gz.subarray(0, 15 + 344 + 30));
    const sink = new RecordingSink();
    const s = await runCapture(file('cut.pcap.gz'), sink);
    assert.deepEqual(sink.seen, EXPECTED_PCAP.slice(0, 4));
    assert.equal(s.packets, 4);
    assert.equal(s.gzip, true);
    assert.equal(s.truncated, true);
    assert.equal(s.error, null);
    assert.deepEqual(s.warnings, [
      'capture cut short at byte 374: record 5 (64 data bytes) at offset 344 needs 80 bytes, only 30 present',
      'gzip: unexpected end of file (input ends there)',
    ]);
  });

  it('a gzip stream cut on a record boundary, and one missing only its trailer', async () => {
    const pcap = tcpPcap();
    const gz = gzipSync(pcap, { level: 0 });
    writeFileSync(file('boundary.pcap.gz'), gz.subarray(0, 15 + 344));
    let sink = new RecordingSink();
    let s = await runCapture(file('boundary.pcap.gz'), sink);
    assert.equal(s.packets, 4);
    assert.equal(s.truncated, true);
    assert.deepEqual(s.warnings, ['gzip: unexpected end of file (input ends there)']);

    // all the data, without CRC32 and ISIZE
    writeFileSync(file('notrailer.pcap.gz'), gz.subarray(0, gz.length - 8));
    sink = new RecordingSink();
    s = await runCapture(file('notrailer.pcap.gz'), sink);
    assert.deepEqual(sink.seen, EXPECTED_PCAP);
    assert.equal(s.truncated, true);
    assert.deepEqual(s.warnings, ['gzip: unexpected end of file (input ends there)']);
  });

  it('a missing file: SourceError "cannot open … no such file"', async () => {
    const missing = file('does-not-exist.pcap');
    await assert.rejects(runCapture(missing, new RecordingSink()), (e: unknown) => {
      assert.ok(e instanceof SourceError);
      assert.equal(e.message, `cannot open ${missing}: no such file`);
      return true;
    });
    assert.throws(() => openSource(missing), SourceError);
  });

  it('a directory: SourceError', async () => {
    await assert.rejects(runCapture(dir, new RecordingSink()), (e: unknown) => {
      assert.ok(e instanceof SourceError);
      assert.equal(e.message, `cannot read ${dir}: it is a directory`);
      return true;
    });
  });

  it('an empty file: unreadable', async () => {
    writeFileSync(file('empty.pcap'), new Uint8Array(0));
    const s = await runCapture(file('empty.pcap'), new RecordingSink());
    assert.equal(s.unreadable, true);
    assert.equal(s.packets, 0);
    assert.deepEqual(s.error, { offset: 0, message: 'empty input: not a pcap or pcapng file (0 bytes)' });
  });
});

describe('gzip: zlib ahead of the reader', () => {
  /** Every chunk of `name`'s source, the reader pausing `delayMs` (a timer) after each. */
  async function inflate(name: string, delayMs: number): Promise<{ bytes: Buffer; error: string | null; chunks: number }> {
    const src = openSource(file(name));
    const parts: Uint8Array[] = [];
    for await (const chunk of src.chunks()) {
      parts.push(Buffer.from(chunk));
      if (delayMs > 0) await sleep(delayMs);
    }
    return { bytes: Buffer.concat(parts), error: src.streamError, chunks: parts.length };
  }

  it('damaged data: a reader slower than zlib gets the same bytes before the damage as a fast one', async () => {
    // a gzip member of stored (level 0) data ending 1000 bytes into the fifth slice, then a
    // member whose first block has the reserved type: zlib fails at the start of that slice
    const target = 4 * GZIP_SLICE + 1000;
    let len = target;
    let member = gzipSync(Buffer.alloc(0));
    for (let i = 0; i < 10 && member.length !== target; i++) {
      member = gzipSync(randomBytes(len), { level: 0 });
      len -= member.length - target;
    }
    const data = gunzipSync(member);
    const bad = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0x07, 0, 0, 0, 0]);
    writeFileSync(file('damaged-big.gz'), Buffer.concat([member, bad, randomBytes(100000)]));
    const fast = await inflate('damaged-big.gz', 0);
    // the slow reader waits on timers, so zlib's callbacks (and its error) run while inflated
    // chunks wait for it
    const slow = await inflate('damaged-big.gz', 30);
    assert.equal(fast.error, 'gzip: invalid block type');
    assert.equal(slow.error, fast.error);
    assert.equal(slow.bytes.length, fast.bytes.length);
    assert.ok(slow.bytes.equals(fast.bytes));
    // the first member's data, but for the output of zlib's call that failed (one chunk at most)
    assert.ok(fast.bytes.equals(data.subarray(0, fast.bytes.length)));
    assert.ok(fast.bytes.length > data.length - GZIP_SLICE, `${fast.bytes.length} of ${data.length} bytes`);
  });

  it('a reader that stops reading: zlib stops too, whatever the compression ratio', async () => {
    // 256 MB of zeros in a quarter of a megabyte (256 gzip members of 1 MB each, so that no
    // buffer of 256 MB is made here, whose collection would hide the growth measured below)
    const member = gzipSync(Buffer.alloc(1 << 20));
    const gz = Buffer.concat(Array.from({ length: 256 }, () => member));
    assert.ok(gz.length < GZIP_SLICE);
    writeFileSync(file('zeros.gz'), gz);
    const src = openSource(file('zeros.gz'));
    const it = src.chunks();
    const before = process.memoryUsage().arrayBuffers;
    const first = await it.next();
    assert.equal(first.done, false);
    await sleep(500);
    const grown = process.memoryUsage().arrayBuffers - before;
    assert.ok(grown < 32 << 20, `${grown} bytes held while the reader waited`);
    let n = (first.value as Uint8Array).length;
    for (let r = await it.next(); !r.done; r = await it.next()) n += r.value.length;
    assert.equal(n, 256 << 20);
    assert.equal(src.streamError, null);
  });

  it('progress of a gzip file: its compressed bytes taken, of its size', async () => {
    // a capture of 6 MB that hardly compresses (frames of random bytes): six slices
    const pcap = pcapFile({ byteOrder: 'le', records: Array.from({ length: 4500 }, (_, i) => ({ sec: 1700000000 + i, frac: 0, data: randomBytes(1400) })) });
    const gz = gzipSync(pcap, { level: 1 });
    assert.ok(gz.length > 5 * GZIP_SLICE);
    writeFileSync(file('progress.gz'), gz);
    const reports: [number, number | null][] = [];
    await runCapture(file('progress.gz'), new RecordingSink(), { progress: (b, t) => reports.push([b, t]) });
    assert.ok(reports.length >= 6, `${reports.length} reports`);
    assert.deepEqual([...new Set(reports.map(([, t]) => t))], [gz.length]);
    for (let i = 1; i < reports.length; i++) assert.ok(reports[i][0] >= reports[i - 1][0]);
    assert.ok(reports[0][0] > 0 && reports[0][0] < gz.length / 2, `first ${reports[0][0]}`);
    const last = reports.at(-1)?.[0] ?? 0;
    assert.ok(last > gz.length - GZIP_SLICE && last <= gz.length, `last ${last} of ${gz.length}`);
  });

  it('a reader that breaks off after 4 MB ends there, without an error or a wait for the rest', async () => {
    const gz = gzipSync(Buffer.alloc(64 << 20, 7));
    writeFileSync(file('sevens.gz'), gz);
    const src = openSource(file('sevens.gz'));
    let n = 0;
    for await (const chunk of src.chunks()) {
      n += chunk.length;
      if (n >= 4 << 20) break;
    }
    assert.ok(n >= 4 << 20 && n < 64 << 20);
  });
});

describe('stdin', () => {
  /** Splits bytes at the given offsets. */
  function pieces(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    let o = 0;
    for (const c of [...cuts, bytes.length]) {
      out.push(bytes.subarray(o, c));
      o = c;
    }
    return out;
  }

  it('"-" given an fs stream of a regular file: read from the descriptor, its size the progress total; a stream already read from is read as a stream', async () => {
    const bytes = tcpPcap();
    writeFileSync(file('stdin-file.pcap'), bytes);
    const fd = openSync(file('stdin-file.pcap'), 'r');
    try {
      const stream = createReadStream('', { fd, autoClose: false });
      const totals: (number | null)[] = [];
      const sink = new RecordingSink();
      const s = await runCapture('-', sink, { stdin: stream, progress: (_b, t) => totals.push(t) });
      assert.deepEqual(sink.seen, EXPECTED_PCAP);
      assert.equal(s.file, '-');
      assert.deepEqual([...new Set(totals)], [bytes.length]);
      // the stream itself was never read: the descriptor was, to its end
      assert.equal(stream.bytesRead, 0);
      assert.equal(readSync(fd, Buffer.alloc(1), 0, 1, null), 0);
      // (not destroyed: destroy() closes the descriptor, autoClose or not)
    } finally {
      closeSync(fd);
    }
    // a stream that has already given bytes is not bypassed (its position is not the file's)
    const fd2 = openSync(file('stdin-file.pcap'), 'r');
    try {
      const stream = createReadStream('', { fd: fd2, autoClose: false, highWaterMark: 16 });
      const first = await new Promise<Buffer>((ok) => stream.once('readable', () => ok(stream.read(16) as Buffer)));
      stream.unshift(first);
      assert.equal(regularFile(stream), null);
      const sink = new RecordingSink();
      await runCapture('-', sink, { stdin: stream });
      assert.deepEqual(sink.seen, EXPECTED_PCAP);
    } finally {
      closeSync(fd2);
    }
  });

  it('"-" reads the stdin stream given, in whatever chunks it arrives', async () => {
    const bytes = tcpPcap();
    for (const cuts of [[], [1], [1, 2, 3], [23, 24, 25, 100, 101, 500]]) {
      const sink = new RecordingSink();
      const s = await runCapture('-', sink, { stdin: Readable.from(pieces(bytes, cuts)) });
      assert.deepEqual(sink.seen, EXPECTED_PCAP, `cuts ${cuts.join(',')}`);
      assert.equal(s.file, '-');
      assert.equal(s.gzip, false);
      assert.equal(s.truncated, false);
    }
  });

  it('gzip on stdin, first chunk of one byte', async () => {
    const gz = gzipSync(tcpPcapng());
    for (const cuts of [[1], [1, 2], [2, 50]]) {
      const sink = new RecordingSink();
      const s = await runCapture('-', sink, { stdin: Readable.from(pieces(gz, cuts)) });
      assert.deepEqual(sink.seen, EXPECTED_PCAPNG, `cuts ${cuts.join(',')}`);
      assert.equal(s.gzip, true);
      assert.equal(s.format, 'pcapng');
      assert.equal(s.truncated, false);
    }
  });

  it('empty stdin: unreadable', async () => {
    const s = await runCapture('-', new RecordingSink(), { stdin: Readable.from([]) });
    assert.equal(s.unreadable, true);
    assert.equal(s.error?.message, 'empty input: not a pcap or pcapng file (0 bytes)');
  });

  it('a single byte on stdin: unreadable', async () => {
    const s = await runCapture('-', new RecordingSink(), { stdin: Readable.from([Uint8Array.of(0x1f)]) });
    assert.equal(s.unreadable, true);
    assert.equal(s.gzip, false);
    assert.equal(s.error?.message, 'not a pcap or pcapng file (only 1 bytes)');
  });
});
