/**
 * The walkthrough (`--format text`, the default) as a student reads it, in English and
 * Chinese; colours in a real terminal (a pseudo-terminal made by script(1)) and never when piped.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT, CORPUS_DIR, corpusAvailable, corpusEntries } from './helpers/corpus.js';
import { rmSync, statSync, writeFileSync } from 'node:fs';
import { ethernet, ETHERTYPE, ipv4, IPPROTO, tcp } from './helpers/wire.js';
import { pcapFile } from './helpers/capfile.js';
import { tempDir } from './helpers/tmp.js';
import { TCP_ACK, TCP_FIN, TCP_SYN } from '../src/decode/packet.js';
import { NOTE_KEYS } from '../src/analyze/story.js';

const size = (p: string): number => statSync(p).size;

const THREE_WAY_CLOSE = join(REPO_ROOT, 'fixtures', 'tcp-three-way-close', 'capture.pcap');
const BIN = join(REPO_ROOT, 'bin', 'tcpflow-explain.js');

/** The client's ISN and the server's, in the synthetic captures below. */
const C = 1000;
const S = 5000;
/** A segment of 192.0.2.1:40000 (the client) and 192.0.2.2:80, in an Ethernet frame. */
const frame = (fromClient: boolean, flags: number, seq: number, ack: number): Uint8Array => ethernet({
  type: ETHERTYPE.IPV4,
  payload: ipv4({
    src: fromClient ? '192.0.2.1' : '192.0.2.2', dst: fromClient ? '192.0.2.2' : '192.0.2.1', proto: IPPROTO.TCP,
    payload: tcp({ srcPort: fromClient ? 40000 : 80, dstPort: fromClient ? 80 : 40000, seq, ack, flags, window: 1000 }),
  }),
});
const ESC = /\x1b\[/;

describe('raw numbers from 2^31 up (kept as int32s in the packet records)', () => {
  it('the walkthrough, the Mermaid diagram and the JSON show them unsigned, as tshark\'s tcp.seq_raw', async () => {
    // both ISNs of this capture are above 2^31 (2960676158 and 3456128624)
    const file = join(REPO_ROOT, 'fixtures', 'tcp-four-way', 'capture.pcap');
    const doc = JSON.parse((await runCli(['--json', '--packets', file])).stdout) as {
      connections: { packets: { frame: number; flags: string[]; seq: number; ack: number; rawSeq: number; rawAck: number }[] }[];
    };
    const packets = doc.connections[0]!.packets;
    assert.equal(packets[0]!.rawSeq, 2960676158);
    assert.ok(packets.every((p) => p.rawSeq >= 2 ** 31 && (!p.flags.includes('ACK') || p.rawAck >= 2 ** 31)));
    const text = (await runCli(['--absolute', '--verbose', '--no-color', file])).stdout;
    const diagram = (await runCli(['--absolute', '--format', 'mermaid', file])).stdout;
    for (const p of packets) {
      const ack = p.flags.includes('ACK') ? `  ack ${p.rawAck} (relative ${p.ack})` : '';
      assert.match(text, new RegExp(`frame ${p.frame} .*  seq ${p.rawSeq} \\(relative ${p.seq}\\)${ack.replace(/[()]/g, '\\$&')}`), `frame ${p.frame}`);
      assert.match(diagram, new RegExp(`: ${p.frame}: \\[[A-Z, ]+\\] seq=${p.rawSeq}${p.flags.includes('ACK') ? ` ack=${p.rawAck}` : ''}`), `frame ${p.frame}`);
    }
    assert.doesNotMatch(text + diagram, /(seq|ack)[ =]-\d/);
  });
});

describe('walkthrough', () => {
  it('tells the handshake as 1/3, 2/3, 3/3 with states and arithmetic, and the three-segment close', async () => {
    const r = await runCli([THREE_WAY_CLOSE]);
    assert.equal(r.code, 0);
    const text = r.stdout;
    assert.doesNotMatch(text, ESC);
    assert.match(text, /Connection #0 {2}192\.0\.2\.1:40002 → 192\.0\.2\.2:5002/);
    assert.match(text, /handshake: three-way · teardown: three segments: the second FIN rode on the ACK \(client closed first\) · Zeek SF ShADadFf/);
    assert.match(text, /1\/3 frame 1 {2}client → server {2}\[SYN\] {2}seq 0 \(raw 491528598\)/);
    assert.match(text, /2\/3 frame 2 {2}server → client {2}\[SYN, ACK\] {2}seq 0 \(raw 196038913\) {2}ack 1 \(raw 491528599\)/);
    assert.match(text, /ack 1 = client ISN 491528598 \+ 1, because the SYN consumes one sequence number/);
    assert.match(text, /3\/3 frame 3/);
    assert.match(text, /agreed: MSS client→server 1460, server→client 1460, window scale client 10 \(×1024\), server 10 \(×1024\), SACK, timestamps/);
    assert.match(text, /Teardown: three segments: the second FIN rode on the ACK\n {4}1 {2}frame 8 {2}client → server {2}\[FIN, ACK\]/);
    assert.match(text, /client TIME_WAIT \(inferred\) · server CLOSED\n.*the last ACK/);
    assert.match(text, /Final states: client TIME_WAIT \(inferred\) · server CLOSED/);
  });

  it('a half-close: the ACK of the FIN that carries data is the second of the four teardown steps', async () => {
    const r = await runCli([join(REPO_ROOT, 'fixtures', 'tcp-half-close', 'capture.pcap')]);
    const td = r.stdout.slice(r.stdout.indexOf('Teardown: four segments'));
    const steps = [...td.matchAll(/^ +(\d+) {2}frame (\d+) {2}(\w+) → \w+ {2}\[([A-Z, ]+)\]/gm)].map((m) => [m[1], m[2], m[3], m[4]]);
    assert.deepEqual(steps, [
      ['1', '6', 'client', 'FIN, ACK'],
      ['2', '7', 'server', 'PSH, ACK'],
      ['3', '23', 'server', 'FIN, ACK'],
      ['4', '24', 'client', 'ACK'],
    ]);
    assert.match(td, /ack 17 = FIN seq 16 \+ 1: the server acknowledges the client's FIN \(CLOSE_WAIT; the client moves to FIN_WAIT_2\) and sends 1000 bytes with it: a half-close/);
    // listed once: not also among the data phase's examples
    assert.equal(r.stdout.match(/ frame 7 /g)?.length, 1);
    const zh = await runCli(['--lang', 'zh', join(REPO_ROOT, 'fixtures', 'tcp-half-close', 'capture.pcap')]);
    assert.match(zh.stdout, /确认号 17 = FIN 序号 16 \+ 1：服务器确认了客户端的 FIN（进入 CLOSE_WAIT；客户端进入 FIN_WAIT_2），并在同一报文段中发送了 1000 字节：半关闭/);
  });

  it('a third handshake segment that carries a FIN is step 3/3 of the handshake and a step of the teardown', { skip: !corpusAvailable() && 'no ../shared/corpus' }, async () => {
    const r = await runCli(['--no-color', join(CORPUS_DIR, 'captures', 'zeek', 'tcp', 'fin_retransmission.pcap')]);
    assert.match(r.stdout, /3\/3 frame 4 {2}client → server {2}\[FIN, ACK\]/);
    assert.match(r.stdout, / {4}2 {2}frame 4 {2}client → server {2}\[FIN, ACK\].*\n {8}client FIN_WAIT_1 · server CLOSE_WAIT/);
  });

  it('a capture that starts with the FIN: "handshake not captured" says what that means, the FIN is told once', { skip: !corpusAvailable() && 'no ../shared/corpus' }, async () => {
    const r = await runCli(['--no-color', join(CORPUS_DIR, 'captures', 'chrissanders-packets', 'tcp_teardown.pcapng')]);
    assert.match(r.stdout, /Handshake not captured\n {3}the capture began after the handshake: ISN and window scale are unknown/);
    assert.equal(r.stdout.match(/FIN from the server at seq 1:/g)?.length, 1);
  });

  it('a duplicate ACK is explained as one, not as the acknowledgement of the first data', { skip: !corpusAvailable() && 'no ../shared/corpus' }, async () => {
    const r = await runCli(['--no-color', join(CORPUS_DIR, 'captures', 'chrissanders-packets', 'tcp_dupack.pcapng')]);
    assert.match(r.stdout, /frame 3 .*duplicate_ack\n.*\n {8}duplicate ACK #1: the client still expects byte 1/);
    assert.doesNotMatch(r.stdout, /has received every byte before 1,/);
  });

  it('a side that sent no MSS option: the agreed line gives the default the peer assumes (RFC 9293: 536 for IPv4)', { skip: !corpusAvailable() && 'no ../shared/corpus' }, async () => {
    const r = await runCli(['--no-color', join(CORPUS_DIR, 'captures', 'tcpdump', 'tfo-5c1fa7f9ae91.pcap')]);
    assert.match(r.stdout, /agreed: MSS client→server 1500, server→client 536 \(the default: no MSS option\),/);
    assert.doesNotMatch(r.stdout, /MSS [^\n]*\?/);
  });

  it('every teardown step has a note, every teardown frame is a step (corpus TCP captures under 5 MB)', { skip: !corpusAvailable() && 'no ../shared/corpus' }, async () => {
    let checked = 0;
    for (const e of corpusEntries().filter((x) => x.category === 'tcp' && size(x.abs) < 5 << 20)) {
      const j = await runCli(['--json', e.abs]);
      if (j.code !== 0) continue;
      const doc = JSON.parse(j.stdout) as { connections: { id: number; teardown: { frames: Record<string, number | null> } }[] };
      const t = (await runCli(['--no-color', e.abs])).stdout;
      for (const c of doc.connections) {
        const block = t.split(/\n(?=Connection #)/).find((b) => b.startsWith(`Connection #${c.id} `)) ?? '';
        const i = block.indexOf('\n  Teardown');
        if (i < 0 || /more packet\(s\)/.test(block.slice(i))) continue;
        const lines = block.slice(i, block.indexOf('\n  Final states', i)).split('\n');
        const steps = new Set<number>();
        lines.forEach((l, k) => {
          const m = /^ +\d+ {2}frame (\d+) /.exec(l);
          if (!m) return;
          steps.add(Number(m[1]));
          assert.match(lines[k + 2] ?? '', /^ {8}\S/, `${e.path} #${c.id}: teardown step frame ${m[1]} has no note`);
        });
        for (const [k, v] of Object.entries(c.teardown.frames)) {
          if (v !== null) assert.ok(steps.has(v), `${e.path} #${c.id}: teardown.frames.${k} = ${v} is not a step`);
        }
        checked++;
      }
    }
    assert.ok(checked > 100, `${checked} connections checked`);
  });

  it('a teardown of more than 12 steps: the first 8, a count and the last 4; with --verbose every one', async () => {
    // the client's FIN and 15 retransmissions of it, then the server's FIN and the last ACK: 18
    // steps, frames 4 to 21; the close itself must not hide behind the retransmissions
    // the handshake, `fins` FINs from the client, the server's FIN and the last ACK
    const capture = (fins: number): Uint8Array => {
      const frames = [frame(true, TCP_SYN, C, 0), frame(false, TCP_SYN | TCP_ACK, S, C + 1), frame(true, TCP_ACK, C + 1, S + 1)];
      for (let i = 0; i < fins; i++) frames.push(frame(true, TCP_FIN | TCP_ACK, C + 1, S + 1));
      frames.push(frame(false, TCP_FIN | TCP_ACK, S + 1, C + 2), frame(true, TCP_ACK, C + 2, S + 2));
      return pcapFile({ byteOrder: 'le', records: frames.map((data, i) => ({ sec: 1700000000, frac: i * 1000, data })) });
    };
    const dir = tempDir('tcpflow-teardown-');
    try {
      const file = join(dir, 'fin-retransmitted.pcap');
      writeFileSync(file, capture(16));
      // the teardown's steps as [number, frame], and its lines saying how many are not listed
      const teardown = (text: string): { steps: number[][]; more: string[] } => {
        const td = text.slice(text.indexOf('  Teardown'), text.indexOf('  Final states'));
        return {
          steps: [...td.matchAll(/^ +(\d+) {2}frame (\d+) /gm)].map((m) => [Number(m[1]), Number(m[2])]),
          more: [...td.matchAll(/^ +… .*$/gm)].map((m) => m[0].trim()),
        };
      };
      const plain = await runCli([file]);
      assert.equal(plain.code, 0, plain.stderr);
      const t = teardown(plain.stdout);
      assert.deepEqual(t.steps, [[1, 4], [2, 5], [3, 6], [4, 7], [5, 8], [6, 9], [7, 10], [8, 11], [15, 18], [16, 19], [17, 20], [18, 21]]);
      assert.deepEqual(t.more, ['… 6 more packet(s) (use --verbose to list every packet)']);
      // the count comes between the first eight and the last four
      assert.match(plain.stdout, / 8 {2}frame 11 [^\n]*\n(?: {8}[^\n]*\n)*? {3}… 6 more packet\(s\)[^\n]*\n {3}15 {2}frame 18 /);
      const verbose = teardown((await runCli(['--verbose', file])).stdout);
      assert.deepEqual(verbose.steps, Array.from({ length: 18 }, (_, i) => [i + 1, i + 4]));
      assert.deepEqual(verbose.more, []);
      // 13 steps: the one beyond twelve is listed rather than counted
      const file13 = join(dir, 'fin-retransmitted-13.pcap');
      writeFileSync(file13, capture(11));
      const t13 = teardown((await runCli([file13])).stdout);
      assert.deepEqual(t13.steps, Array.from({ length: 13 }, (_, i) => [i + 1, i + 4]));
      assert.deepEqual(t13.more, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('after the close: a FIN sent again, its answer, an old ACK and an ACK with nothing new, each explained', async () => {
    const frames = [
      frame(true, TCP_SYN, C, 0), frame(false, TCP_SYN | TCP_ACK, S, C + 1), frame(true, TCP_ACK, C + 1, S + 1),
      // a four-segment close: FIN, ACK, FIN, the last ACK (frames 4 to 7)
      frame(true, TCP_FIN | TCP_ACK, C + 1, S + 1), frame(false, TCP_ACK, S + 1, C + 2),
      frame(false, TCP_FIN | TCP_ACK, S + 1, C + 2), frame(true, TCP_ACK, C + 2, S + 2),
      // 8: the server's FIN again; 9: the client's answer (the numbers of its last ACK: duplicate_ack);
      // 10: an ACK from the server below the one it sent in the close; 11: one with nothing new
      frame(false, TCP_FIN | TCP_ACK, S + 1, C + 2), frame(true, TCP_ACK, C + 2, S + 2),
      frame(false, TCP_ACK, S + 2, C + 1), frame(false, TCP_ACK, S + 2, C + 2),
    ];
    const dir = tempDir('tcpflow-after-close-');
    try {
      const file = join(dir, 'after-close.pcap');
      writeFileSync(file, pcapFile({ byteOrder: 'le', records: frames.map((data, i) => ({ sec: 1700000000, frac: i * 1000, data })) }));
      const r = await runCli(['--no-color', file]);
      assert.equal(r.code, 0, r.stderr);
      // each step: its frame, the states after it and its note
      const steps = new Map([...r.stdout.matchAll(/^ +\d+ {2}frame (\d+) ([^\n]*)\n {8}([^\n]*)\n {8}([^\n]*)$/gm)].map((m) => [Number(m[1]), { line: m[2], states: m[3], note: m[4] }]));
      assert.deepEqual([...steps.keys()], [4, 5, 6, 7, 8, 9, 10, 11]);
      assert.match(steps.get(8)!.line, /server → client {2}\[FIN, ACK\] .* {2}retransmission$/);
      assert.equal(steps.get(8)!.states, 'client TIME_WAIT (inferred) · server LAST_ACK');
      assert.equal(steps.get(8)!.note, 'FIN sent again, though frame 7 had acknowledged it: that ACK was lost after the point of capture (or is late), so the server sent its FIN once more');
      assert.match(steps.get(9)!.line, / {2}duplicate_ack$/);
      assert.equal(steps.get(9)!.states, 'client TIME_WAIT (inferred) · server CLOSED');
      assert.equal(
        steps.get(9)!.note,
        "ack 2 again: the server's FIN came again (frame 8), so the client acknowledges it again — in TIME_WAIT a side answers every copy of the peer's FIN (its last ACK may have been lost) and starts its 2·MSL wait over (the same numbers as its previous ACK, hence Wireshark's duplicate_ack; nothing is missing)",
      );
      assert.equal(steps.get(10)!.note, 'ack 1 is below the ack 2 the server sent in the close: an old acknowledgement, late or duplicated on the way; it changes nothing');
      assert.equal(steps.get(11)!.note, "an ACK with nothing new (ack 2) after the close: the server had already acknowledged the client's FIN; a late or repeated copy, which changes nothing");
      assert.match(r.stdout, /Final states: client TIME_WAIT \(inferred\) · server CLOSED/);
      const zh = await runCli(['--no-color', '--lang', 'zh', file]);
      assert.match(zh.stdout, /再次发送 FIN，尽管帧 7 已经确认了它/);
      assert.match(zh.stdout, /再次确认 2：服务器的 FIN 又到了一次（帧 8），所以客户端再确认一次.*（与它上一个 ACK 的编号相同，所以 Wireshark 标为 duplicate_ack；并没有报文段丢失）/);
      assert.match(zh.stdout, /确认号 1 小于服务器在关闭时发出的确认号 2/);
      assert.match(zh.stdout, /关闭之后的 ACK（确认号 2）没有新内容：服务器早已确认了客户端的 FIN/);
      // the JSON's packet records carry the same notes and states
      const doc = JSON.parse((await runCli(['--json', '--packets', file])).stdout) as {
        connections: { finalState: { client: string; server: string; inferred: string[] }; packets: { frame: number; note?: string; states: { client: string; server: string } }[] }[];
      };
      const c = doc.connections[0];
      assert.deepEqual(c.finalState, { client: 'TIME_WAIT', server: 'CLOSED', inferred: ['client'] });
      assert.equal(c.packets.find((p) => p.frame === 8)?.states.server, 'LAST_ACK');
      assert.equal(c.packets.find((p) => p.frame === 9)?.states.server, 'CLOSED');
      assert.equal(c.packets.find((p) => p.frame === 10)?.note, steps.get(10)!.note);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--absolute puts raw numbers first', async () => {
    const r = await runCli(['--absolute', THREE_WAY_CLOSE]);
    assert.match(r.stdout, /1\/3 frame 1 {2}client → server {2}\[SYN\] {2}seq 491528598 \(relative 0\)/);
  });

  it('--lang zh uses the textbook terms', async () => {
    const r = await runCli(['--lang', 'zh', THREE_WAY_CLOSE]);
    const text = r.stdout;
    assert.match(text, /连接 #0/);
    assert.match(text, /握手：三次握手 · 挥手：三个报文段：第二个 FIN 捎带在 ACK 上（客户端先关闭）/);
    assert.match(text, /1\/3 帧 1 {2}客户端 → 服务器 {2}\[SYN\] {2}序号 0（原始 491528598）/);
    assert.match(text, /捎带确认/);
    assert.match(text, /TIME_WAIT，等待 2MSL/);
    assert.match(text, /最终状态：客户端 TIME_WAIT（推断） · 服务器 CLOSED/);
    assert.match(text, /协商结果：MSS 客户端→服务器 1460，服务器→客户端 1460，窗口扩大因子 客户端 10（×1024），服务器 10（×1024），SACK，时间戳/);
  });

  it('diagnostics close a mid-stream capture; --verbose lists every data packet', async () => {
    const mid = join(REPO_ROOT, 'fixtures', 'tcp-midstream', 'capture.pcap');
    const r = await runCli([mid]);
    assert.match(r.stdout, /Handshake not captured\n {3}the capture began after the handshake/);
    assert.match(r.stdout, /Capture quality\n {3}! the capture started after the connection was opened/);
    assert.match(r.stdout, /more packet\(s\) \(use --verbose/);
    const v = await runCli(['--verbose', mid]);
    assert.doesNotMatch(v.stdout, /use --verbose/);
    assert.ok(v.stdout.split('\n').filter((l) => / frame \d+ /.test(l)).length === 54);
  });

  // (until 2026-12-08 it listed the first six with a note: on a loss, duplicate ACK #1 and #2 and
  // not the fast retransmission; on a stalled reader, windows full and not the zero window)
  it('without --verbose the data phase lists the first packet of each kind of note, up to eight', async () => {
    // (the kinds listed are bits of two words: records.ts noteListed())
    assert.ok(NOTE_KEYS.length <= 64, `${NOTE_KEYS.length} note kinds`);
    const data = (out: string): string[] => out.slice(out.indexOf('  Data'), out.indexOf('  Teardown')).split('\n')
      .filter((l) => l.startsWith('    ·  frame ')).map((l) => l.replace(/^ {4}· {2}frame (\d+) .*/, '$1'));
    const loss = await runCli([join(REPO_ROOT, 'fixtures', 'tcp-loss', 'capture.pcap')]);
    // first data, its ACK, the gap, a window update, the first duplicate ACK, the fast
    // retransmission (frame 26), the segment out of order (the server's data is in the teardown)
    assert.deepEqual(data(loss.stdout), ['4', '5', '12', '13', '15', '26', '66']);
    assert.equal((loss.stdout.match(/duplicate ACK #/g) ?? []).length, 1);
    const stalls = await runCli(['-s', '0', join(REPO_ROOT, 'fixtures', 'tcp-flow-stalls', 'capture.pcap')]);
    // one window full, the duplicate ACK, the zero window and the probe of it
    assert.deepEqual(data(stalls.stdout), ['4', '6', '7', '23', '26', '27']);
    const v = await runCli(['--verbose', '-s', '0', join(REPO_ROOT, 'fixtures', 'tcp-flow-stalls', 'capture.pcap')]);
    assert.equal(data(v.stdout).length, 25);
  });

  // (until 2026-12-07 a capture ending after one FIN, as real traffic's last seconds do, said "no FIN or RST")
  it('a capture that ends before the close says whether one side\'s FIN was seen', async () => {
    const fourWay = join(REPO_ROOT, 'fixtures', 'tcp-four-way', 'capture.pcap');
    const diag = async (count: number, lang: string): Promise<string[]> => {
      const r = await runCli(['-c', String(count), '--json', '--lang', lang, fourWay]);
      return (JSON.parse(r.stdout) as { connections: { diagnostics: { key: string; message: string }[] }[] }).connections[0].diagnostics.map((d) => `${d.key}: ${d.message}`);
    };
    assert.deepEqual(await diag(7, 'en'), ['diagEndedBeforeClose: the capture ended before the connection closed (no FIN or RST)']);
    assert.deepEqual(await diag(8, 'en'), ["diagEndedBeforeClose: the capture ended before the connection closed (one side's FIN, and neither the other side's FIN nor a RST)"]);
    assert.deepEqual(await diag(8, 'zh'), ['diagEndedBeforeClose: 抓包在连接关闭之前就结束了（只有一方发送了 FIN，另一方既没有发送 FIN，也没有 RST）']);
    assert.deepEqual(await diag(10, 'en'), []);
    const text = (await runCli(['-c', '8', fourWay])).stdout;
    assert.match(text, /Capture quality\n {3}! the capture ended before the connection closed \(one side's FIN, and neither the other side's FIN nor a RST\)/);
  });

  it('colours in a terminal, none when piped or with NO_COLOR', () => {
    const { FORCE_COLOR: _force, NO_COLOR: _no, ...env } = process.env;
    const tty = spawnSync('script', ['-qec', `node ${BIN} ${THREE_WAY_CLOSE}`, '/dev/null'], { encoding: 'utf8', env });
    assert.equal(tty.status, 0, tty.stderr);
    assert.match(tty.stdout, ESC, 'colour expected on a terminal');
    const piped = spawnSync('node', [BIN, THREE_WAY_CLOSE], { encoding: 'utf8', env });
    assert.doesNotMatch(piped.stdout, ESC);
    const noColor = spawnSync('script', ['-qec', `node ${BIN} ${THREE_WAY_CLOSE}`, '/dev/null'], { encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
    assert.doesNotMatch(noColor.stdout, ESC);
    const flag = spawnSync('script', ['-qec', `node ${BIN} --no-color ${THREE_WAY_CLOSE}`, '/dev/null'], { encoding: 'utf8', env });
    assert.doesNotMatch(flag.stdout, ESC);
  });
});
