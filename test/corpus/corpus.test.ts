/**
 * The corpus suite (../shared/corpus, see its README): for every capture, frame and TCP-frame
 * counts equal the manifest (capinfos / tshark 4.0.17), except the differences listed below,
 * each with its reason (docs/differences.md). Every `malformed` capture, run through the CLI in
 * every format, ends with exit 0 or 2 and no stack trace; exit 2 names the offset or frame and
 * the reason, and the frames before the damage are those a read of the bytes before it gives.
 * Skipped when the corpus is absent.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusAvailable, corpusEntries, CORPUS_DIR } from '../helpers/corpus.js';
import { runCli, STACK_LINE } from '../helpers/cli.js';
import { CaptureRun, runCapture } from '../../src/pipeline.js';

/** Captures where our frame count differs from the manifest on purpose. */
const FRAME_DIFFERENCES: Record<string, { ours: number; reason: string }> = {
  'captures/suricata-verify/bug-6875-01/fuzz.pcap': {
    ours: 1,
    reason: 'record 2 has a 1.4 GB length; Wireshark re-guesses the pcap variant and reads a different record 2',
  },
};

/** Captures where we decode fewer TCP frames than tshark on purpose. */
const TCP_DIFFERENCES: Record<string, { ours: number; reason: string }> = {
  'captures/tcpdump/tcp_header_heapoverflow.pcap': { ours: 0, reason: 'TCP header cut short by the snapshot length' },
  'captures/pcapplusplus/pcap_examples/tcp-reassembly.pcap': { ours: 65, reason: 'TCP headers sampled inside an sFlow datagram are not connections' },
  'captures/suricata-verify/bug-3616-smtp/input.pcap': { ours: 53, reason: 'TCP headers quoted inside ICMP errors are not segments' },
  'captures/suricata-verify/defrag/bug-6887-defrag-eth-vlan-ipv4-tcp-syn/frag-eth-vlan-ip-tcp-syn.pcap': { ours: 0, reason: 'IP fragments are not reassembled' },
  'captures/suricata-verify/defrag/bug-6887-defrag-eth-vlan-ipv6-tcp/frag-eth-vlan-ipv6-tcp.pcap': { ours: 0, reason: 'IP fragments are not reassembled' },
  'captures/suricata-verify/defrag/bug-6887-defrag-ppp-ipv4-tcp-syn/frag-ppp-ip-tcp-syn.pcap': { ours: 0, reason: 'IP fragments are not reassembled' },
  'captures/suricata-verify/defrag/bug-6887-defrag-ipv4-tcp-syn/frag-ip-tcp-syn.pcap': { ours: 0, reason: 'IP fragments are not reassembled' },
  'captures/zeek/ipv4/fragmented-syn.pcap': { ours: 0, reason: 'IP fragments are not reassembled' },
};

const sink = { packet: (): void => undefined };

/** Where an exit-2 message says the damage is. */
const WHERE = /(offset|frame|record) \d+|magic 0x[0-9a-f]{8}|\(\d+ bytes\)|only \d+ bytes|\d+ of \d+ bytes/;
const OTHER_FORMATS = [['--format', 'text', '--verbose', '--diagram'], ['--format', 'ndjson', '--packets'], ['--format', 'summary'], ['--format', 'mermaid'], ['--format', 'markdown', '--lang', 'zh'], ['--format', 'packets']];

/** Whether `tshark -r` exited non-zero on this capture, per its refs/<path>.err.txt. */
function tsharkFailed(path: string): boolean {
  const f = join(CORPUS_DIR, 'refs', path.replace(/^captures\//, '') + '.err.txt');
  if (!existsSync(f)) return false;
  const text = readFileSync(f, 'utf8');
  const m = /## tshark -r [^\n]*\nexit status: (\d+)/.exec(text);
  return m !== null && m[1] !== '0';
}

describe('corpus', { skip: corpusAvailable() ? false : 'no ../shared/corpus' }, () => {
  const entries = corpusAvailable() ? corpusEntries() : [];

  it('frame and TCP-frame counts equal the manifest for every capture', async () => {
    let frames = 0;
    let tcpRef = 0;
    let tcpOurs = 0;
    const problems: string[] = [];
    for (const e of entries) {
      const s = await runCapture(e.abs, sink);
      tcpRef += e.tcpPackets;
      tcpOurs += s.tcpPackets;
      if (e.packets !== null) {
        frames++;
        const want = FRAME_DIFFERENCES[e.path]?.ours ?? e.packets;
        if (s.packets !== want) problems.push(`${e.path}: ${s.packets} frames, expected ${want}`);
      }
      const wantTcp = TCP_DIFFERENCES[e.path]?.ours ?? e.tcpPackets;
      if (s.tcpPackets !== wantTcp) problems.push(`${e.path}: ${s.tcpPackets} TCP frames, expected ${wantTcp}`);
    }
    const pct = ((100 * tcpOurs) / tcpRef).toFixed(2);
    console.log(`corpus: ${entries.length} captures, frame counts checked on ${frames}; TCP frames decoded ${tcpOurs} of tshark's ${tcpRef} (${pct}%)`);
    assert.deepEqual(problems, []);
    assert.ok(tcpOurs / tcpRef >= 0.99, `TCP frame coverage ${pct}% is below 99%`);
  });

  it('every malformed capture, in every format: exit 0 or 2, no stack trace; exit 2 names the offset or frame and the reason', async () => {
    const bad: string[] = [];
    const codes: Record<string, number> = {};
    let n = 0;
    for (const e of entries.filter((x) => x.category === 'malformed')) {
      n++;
      const r = await runCli(['--format', 'json', e.abs]);
      codes[r.code] = (codes[r.code] ?? 0) + 1;
      if (r.code !== 0 && r.code !== 2) bad.push(`${e.path}: exit ${r.code}`);
      if (STACK_LINE.test(r.stderr) || STACK_LINE.test(r.stdout)) bad.push(`${e.path}: stack trace`);
      // Silence is right only where the file is sound at the layers we read: tshark reads it without error too.
      if (r.stderr.trim() === '' && tsharkFailed(e.path)) bad.push(`${e.path}: exit ${r.code} without a message, but tshark reports damage`);
      if (r.code === 2) {
        const line = r.stderr.split('\n').find((l) => !l.includes('warning:')) ?? '';
        // where: a byte offset, a record or frame number, or (not a capture at all) the magic or the size
        if (!WHERE.test(line)) bad.push(`${e.path}: the message names no offset or frame: ${line}`);
        // why: some words after the file name
        if (line.length < e.abs.length + 40) bad.push(`${e.path}: the message gives no reason: ${line}`);
      }
      if (r.code === 0 || (r.code === 2 && r.stdout.length > 0)) {
        // results read before the damage are kept: the JSON document is complete
        const doc = JSON.parse(r.stdout) as { capture: { packets: number; error: { offset: number } | null } };
        assert.equal(typeof doc.capture.packets, 'number');
        // as many frames as tshark read before it stopped, where it read any
        if (e.packets !== null && doc.capture.packets !== (FRAME_DIFFERENCES[e.path]?.ours ?? e.packets)) {
          bad.push(`${e.path}: ${doc.capture.packets} frames before the damage, tshark read ${e.packets}`);
        }
        if (doc.capture.error !== null) {
          // exactly the frames of the bytes before the damage: a read of that prefix alone gives them, without an error
          const prefix = readFileSync(e.abs).subarray(0, doc.capture.error.offset);
          const run = new CaptureRun(sink);
          run.push(prefix);
          run.finish();
          const ps = run.summary(e.path, null);
          if (ps.error !== null || ps.packets !== doc.capture.packets) {
            bad.push(`${e.path}: the ${doc.capture.error.offset}-byte prefix gives ${ps.packets} frames (error ${ps.error?.message ?? 'none'}), the whole file ${doc.capture.packets}`);
          }
          if (doc.capture.packets === 0) bad.push(`${e.path}: a damaged record after no frame should be unreadable input`);
        }
      }
      for (const args of OTHER_FORMATS) {
        const o = await runCli([...args, e.abs]);
        if (o.code !== r.code) bad.push(`${e.path} ${args.join(' ')}: exit ${o.code}, but ${r.code} with --json`);
        if (STACK_LINE.test(o.stderr) || STACK_LINE.test(o.stdout)) bad.push(`${e.path} ${args.join(' ')}: stack trace`);
      }
    }
    console.log(`malformed corpus: ${n} captures, exit codes ${JSON.stringify(codes)}`);
    assert.ok(n > 50, `only ${n} malformed captures`);
    assert.ok((codes['0'] ?? 0) > 30 && (codes['2'] ?? 0) > 5, JSON.stringify(codes));
    assert.deepEqual(bad, []);
  });

  it('every capture that is not malformed reads without an error', async () => {
    const bad: string[] = [];
    for (const e of entries.filter((x) => x.category !== 'malformed')) {
      const s = await runCapture(e.abs, sink);
      if (s.error) bad.push(`${e.path}: ${s.error.message}`);
    }
    assert.deepEqual(bad, []);
  });
});
