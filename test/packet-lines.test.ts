/**
 * `--format packets`' lines, written as bytes (render/packets.ts): every part of a line in its
 * edge cases, each against the text tcpdump-like lines have always had (optionsText and the
 * padding of String.padStart, which the CLI tests check on real captures).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Frame } from '../src/capture/frame.js';
import {
  Packet, TCP_ACK, TCP_AE, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG, ENC_VLAN, ENC_GRE,
} from '../src/decode/packet.js';
import { Output } from '../src/util/output.js';
import { PacketLines, optionsText } from '../src/render/packets.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pcapFile } from './helpers/capfile.js';
import { ethernet, ipv4, tcp, udp, IPPROTO } from './helpers/wire.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/tmp.js';

function packet(): Packet {
  const p = new Packet();
  p.status = 0;
  p.ipVersion = 4;
  p.src[0] = 0xc0000201;
  p.dst[0] = 0xc0000202 | 0;
  p.srcPort = 40000;
  p.dstPort = 80;
  p.flags = TCP_ACK;
  p.seq32 = 0xfffffffe | 0;
  p.ack32 = 5;
  p.window = 502;
  return p;
}

function frame(n: number, sec: number, nsec: number, hasTs = true): Frame {
  const f = new Frame();
  f.number = n;
  f.tsSec = sec;
  f.tsNsec = nsec;
  f.hasTs = hasTs;
  return f;
}

/** The lines PacketLines writes for these packets (frame, packet, the tracker's time). */
async function lines(items: [Frame, Packet, number][]): Promise<string[]> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
  const out = new Output(stream);
  const pl = new PacketLines(out);
  for (const [f, p, time] of items) pl.line(f, p, { time });
  await out.flush();
  stream.end();
  return Buffer.concat(chunks).toString().split('\n').slice(0, -1);
}

describe('--format packets: a line as bytes', () => {
  it('pads the frame number and the time as padStart did, and writes raw numbers from 2^31 up', async () => {
    const p = packet();
    const got = await lines([
      [frame(1, 100, 0), p, 0],
      [frame(999999, 100, 123456789), p, 0.123456789],
      [frame(1234567, 200, 0), p, 12345.5],
      [frame(7, 0, 0, false), p, 0],
    ]);
    assert.deepEqual(got, [
      '     1      0.000000  IP 192.0.2.1.40000 > 192.0.2.2.80: Flags [.], seq 4294967294, ack 5, win 502, length 0',
      '999999      0.123457  IP 192.0.2.1.40000 > 192.0.2.2.80: Flags [.], seq 4294967294, ack 5, win 502, length 0',
      '1234567  12345.500000  IP 192.0.2.1.40000 > 192.0.2.2.80: Flags [.], seq 4294967294, ack 5, win 502, length 0',
      '     7      0.000000  IP 192.0.2.1.40000 > 192.0.2.2.80: Flags [.], seq 4294967294, ack 5, win 502, length 0',
    ]);
  });

  it("every flag in tcpdump's order, none, and no ack without ACK", async () => {
    const all = packet();
    all.flags = TCP_FIN | TCP_SYN | TCP_RST | TCP_PSH | TCP_ACK | TCP_URG | TCP_ECE | TCP_CWR | TCP_AE;
    const none = packet();
    none.flags = 0;
    const syn = packet();
    syn.flags = TCP_SYN;
    syn.seq32 = 7;
    const got = await lines([[frame(1, 1, 0), all, 0], [frame(2, 1, 0), none, 0], [frame(3, 1, 0), syn, 0]]);
    assert.match(got[0], /Flags \[FSRP\.UEWe\], seq 4294967294, ack 5, win/);
    assert.match(got[1], /Flags \[none\], seq 4294967294, win 502, length 0$/);
    assert.match(got[2], /Flags \[S\], seq 7, win 502, length 0$/);
  });

  it('options as optionsText lists them, rare ones after the common ones; IPv6; truncation and encapsulation', async () => {
    const p = packet();
    p.mss = 1460;
    p.sackPermitted = true;
    p.hasTimestamps = true;
    p.tsVal = 4294967295;
    p.tsEcr = 0;
    p.wscale = 14;
    p.sackCount = 2;
    p.sack[0] = 4294967290;
    p.sack[1] = 4294967295;
    p.sack[2] = 1;
    p.sack[3] = 2;
    p.unknownCount = 1;
    p.unknownKinds[0] = 254;
    p.optionsMalformed = true;
    const ts = packet();
    ts.hasTimestamps = true;
    ts.tsVal = 3;
    ts.tsEcr = 4;
    const rare = packet();
    rare.tfo = 8;
    rare.unknownCount = 2;
    rare.unknownKinds[0] = 30;
    rare.unknownKinds[1] = 34;
    const v6 = packet();
    v6.ipVersion = 6;
    v6.src.set([0x20010db8, 0, 0, 1]);
    v6.dst.set([0x20010db8, 0, 0, 2]);
    v6.payloadLen = 1000;
    v6.truncated = true;
    v6.capturedPayload = 60;
    v6.encap = ENC_VLAN | ENC_GRE;
    v6.vlan = 10;
    const got = await lines([[frame(1, 1, 0), p, 0], [frame(2, 1, 0), ts, 0], [frame(3, 1, 0), rare, 0], [frame(4, 1, 0), v6, 0]]);
    assert.equal(optionsText(p), 'mss 1460,sackOK,TS val 4294967295 ecr 0,wscale 14,sack 2 {4294967290:4294967295}{1:2},opt-254,bad-opt');
    assert.match(got[0], /, win 502, options \[mss 1460,sackOK,TS val 4294967295 ecr 0,wscale 14,sack 2 \{4294967290:4294967295\}\{1:2\},opt-254,bad-opt\], length 0$/);
    assert.match(got[1], /, win 502, options \[TS val 3 ecr 4\], length 0$/);
    assert.match(got[2], /, win 502, options \[tfo cookie 8 bytes,opt-30,opt-34\], length 0$/);
    assert.equal(got[3], '     4      0.000000  IP6 2001:db8::1.40000 > 2001:db8::2.80: Flags [.], seq 4294967294, ack 5, win 502, length 1000 [truncated: 60 of 1000 payload bytes captured] (vlan 10 gre)');
  });

  it('writes nothing once the output is closed', async () => {
    const stream = new PassThrough();
    const out = new Output(stream);
    out.closed = true;
    new PacketLines(out).line(frame(1, 1, 0), packet(), { time: 0 });
    assert.equal(out.writer.pos, 0);
  });
});

describe('--format packets: the time as toFixed(6) writes it', () => {
  it('times in nanoseconds, ties of half a microsecond, large, tiny and negative ones, and random doubles', async () => {
    const { ByteWriter } = await import('../src/util/bytes.js');
    const { secondsOf } = await import('../src/render/packets.js');
    const w = new ByteWriter(64);
    const check = (t: number): void => {
      w.pos = 0;
      secondsOf(w, { time: t });
      assert.equal(w.buf.toString('latin1', 0, w.pos), t.toFixed(6).padStart(12), `t = ${t}`);
    };
    const fixed = [0, -0, 1e-9, 5e-7, 4.999999e-7, 1.5e-6, 2.5e-6, 0.0000125, 0.1234565, 0.9999995, 1, 59.9999995, 86399.9999995,
      1e6, 123456.1234565, 999999.9999995, 1e9 + 0.5, 2 ** 31, 1e15 / 1e6, 2e9, -1e-9, -0.5, -123.4567895, 1e21, NaN];
    for (const t of fixed) check(t);
    // every tie of half a microsecond, and the nanoseconds around it, over a range of whole seconds
    for (const whole of [0, 1, 7, 59, 3600, 86399, 1_000_000, 4_000_000]) {
      for (let us = 0; us < 2000; us++) {
        for (const ns of [499, 500, 501]) check(whole + (us * 1000 + ns) / 1e9);
      }
    }
    // times made as the tracker makes them (seconds and nanoseconds since the first frame)
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 200_000; i++) {
      const sec = Math.floor(rnd() * 10 ** Math.floor(rnd() * 8));
      const ns = Math.floor(rnd() * 1e9);
      check(sec + ns / 1e9);
      check(rnd() * 10 ** Math.floor(rnd() * 12));
    }
  });
});

describe('the summary table\'s durations and RTTs as toFixed writes them (fixed)', () => {
  it('every number of digits from 0 to 6: ties, carries, large, tiny, negative and random doubles', async () => {
    const { ByteWriter } = await import('../src/util/bytes.js');
    const { fixed } = await import('../src/util/bytes.js');
    const w = new ByteWriter(64);
    const check = (x: number, digits: number): void => {
      w.pos = 0;
      fixed(w, x, digits);
      assert.equal(w.buf.toString('latin1', 0, w.pos), x.toFixed(digits), `(${x}).toFixed(${digits})`);
    };
    const xs = [0, -0, 1e-9, 5e-7, 0.0005, 0.0015, 0.0025, 0.5, 1.5, 2.5, 0.9995, 0.99995, 9.9999995, 99.5, 0.125, 0.375, 1, 10, 1e6,
      123456.1234565, 2 ** 31, 2 ** 32 + 0.5, 4294967295.9996, 1e9 + 0.5, 1e12 - 0.0005, 1e14, 1e15, 1e21, -1e-9, -0.5, -123.4567895, NaN, Infinity];
    for (const digits of [0, 1, 2, 3, 4, 5, 6]) {
      for (const x of xs) check(x, digits);
      // the ties of each last digit and the numbers just around them
      const unit = 10 ** -digits;
      for (const whole of [0, 1, 59, 86399, 1_000_000]) {
        for (let k = 0; k < 500; k++) {
          const tie = whole + (k + 0.5) * unit;
          for (const d of [-1e-9, 0, 1e-9]) check(tie + d * unit, digits);
        }
      }
    }
    // durations and RTTs as the tools make them: seconds and nanoseconds, and milliseconds of those
    let seed = 4242;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 100_000; i++) {
      const t = Math.floor(rnd() * 10 ** Math.floor(rnd() * 7)) + Math.floor(rnd() * 1e9) / 1e9;
      check(t, 6);
      check(t * 1000, 3);
      check(rnd() * 10 ** Math.floor(rnd() * 16), 1 + Math.floor(rnd() * 6));
    }
  });
});

describe('--format packets: the time is the tracker\'s', () => {
  it('a frame stamped before the capture\'s first frame (a UDP one) shows its negative time, as --json does', async () => {
    // frame 1: UDP at 100 s; frame 2: a SYN half a second earlier; frame 3: its SYN-ACK at 100.25 s
    const ip = (proto: number, payload: Uint8Array, back = false): Uint8Array =>
      ethernet({ type: 0x0800, payload: ipv4({ src: back ? '192.0.2.2' : '192.0.2.1', dst: back ? '192.0.2.1' : '192.0.2.2', proto, payload }) });
    const file = join(tempDir('tcpflow-packet-lines-'), 'backwards.pcap');
    writeFileSync(file, pcapFile({
      byteOrder: 'le',
      records: [
        { sec: 100, frac: 0, data: ip(IPPROTO.UDP, udp({ srcPort: 5353, dstPort: 5353, payload: [1, 2, 3] })) },
        { sec: 99, frac: 500_000, data: ip(IPPROTO.TCP, tcp({ srcPort: 40000, dstPort: 80, seq: 1000, ack: 0, flags: 0x02, window: 1024 })) },
        { sec: 100, frac: 250_000, data: ip(IPPROTO.TCP, tcp({ srcPort: 80, dstPort: 40000, seq: 5000, ack: 1001, flags: 0x12, window: 1024 }), true) },
      ],
    }));
    const r = await runCli(['--format', 'packets', file]);
    assert.equal(r.code, 0, r.stderr);
    const times = r.stdout.trimEnd().split('\n').map((l) => l.trim().split(/ +/).slice(0, 2));
    // (before, a negative time from the tracker was taken for "not given", and the line's own
    // clock, from the first TCP frame, said 0.000000 for frame 2)
    assert.deepEqual(times, [['2', '-0.500000'], ['3', '0.250000']]);
    const doc = JSON.parse((await runCli(['--json', '--packets', file])).stdout) as { connections: { packets: { time: number }[] }[] };
    assert.deepEqual(doc.connections[0]!.packets.map((p) => p.time), [-0.5, 0.25]);
  });
});
