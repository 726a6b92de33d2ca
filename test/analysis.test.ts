/**
 * Differential test of the connection tracker and TCP analysis against tshark 4.0.17:
 * - fixtures (refs beside each capture): every TCP frame's stream id, relative seq, relative
 *   ack (when ACK is set), payload length and analysis flags equal to tshark's single pass, the
 *   scaled window and the initial RTT to its two-pass view (-2).
 * - corpus (single-pass refs, when ../shared/corpus exists): stream/seq/ack/len and every
 *   analysis flag equal on every frame we decode; completeness equal but for the streams listed
 *   here (docs/differences.md explains them).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, CORPUS_DIR, corpusAvailable, corpusEntries } from './helpers/corpus.js';
import { compareWithTshark, readTsv } from './helpers/tshark-ref.js';

/**
 * Streams whose completeness differs on purpose: FTP data connections, whose conversation
 * Wireshark's FTP dissector creates from PASV/PORT before the SYN arrives, so that SYN does not
 * set the SYN bit there. We do not dissect FTP; our SYN bit is set.
 */
const KNOWN_COMPLETENESS_DIFFERENCES = new Set([
  'zeek/ftp/ipv6.pcap stream 1: 31 vs 30',
  'zeek/ftp/ipv6.pcap stream 2: 31 vs 30',
  'zeek/ftp/ipv6.pcap stream 3: 31 vs 30',
]);

function fixtureCaptures(): string[] {
  const fx = join(REPO_ROOT, 'fixtures');
  const out: string[] = [];
  for (const d of readdirSync(fx, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    for (const f of readdirSync(join(fx, d.name))) if (existsSync(join(fx, d.name, `${f}.tshark.tsv`))) out.push(join(fx, d.name, f));
  }
  return out.sort();
}

describe('tshark agreement', () => {
  for (const cap of fixtureCaptures()) {
    const name = cap.slice(REPO_ROOT.length + 1);
    it(`${name}: every frame equals tshark (numbers, window, flags, iRTT)`, async () => {
      // the single pass we emulate (docs/differences.md); the two passes' numbers and flags differ
      // only where -2's second pass sees a stream's final state (fixtures/tcp-continuation)
      const single = `${cap}.tshark1.tsv`;
      const c = await compareWithTshark(cap, existsSync(single) ? single : `${cap}.tshark.tsv`, 50);
      assert.deepEqual(c.mismatches, []);
      assert.equal(c.missing, 0);
      assert.ok(c.frames > 0);
      // scaled window and the initial RTT, per frame, of the single pass too: its window is
      // unscaled where the scale is not known yet (a segment before the SYN-ACK:
      // fixtures/tcp-reuse-stale-peer, whose frame 2 is another connection's), which -2's second
      // pass scales with the SYN-ACK's
      for (const row of readTsv(existsSync(single) ? single : `${cap}.tshark.tsv`)) {
        const o = c.ours.get(Number(row['frame.number']));
        assert.ok(o);
        assert.equal(String(o.window), row['tcp.window_size'], `frame ${row['frame.number']} window`);
        if (row['tcp.analysis.initial_rtt'] !== '') {
          const conn = c.connections[o.stream];
          assert.ok(Math.abs(conn.irtt - Number(row['tcp.analysis.initial_rtt'])) < 1e-6, `stream ${o.stream} iRTT ${conn.irtt} vs ${row['tcp.analysis.initial_rtt']}`);
        }
      }
    });
  }

  it('corpus: numbers and analysis flags equal on every decoded frame', { skip: corpusAvailable() ? false : 'no corpus' }, async () => {
    let frames = 0;
    let decoded = 0;
    let equal = 0;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const unexpected: string[] = [];
    let completenessChecked = 0;
    const completeness: string[] = [];
    for (const e of corpusEntries()) {
      const ref = join(CORPUS_DIR, 'refs', e.path.replace(/^captures\//, '') + '.tsv');
      if (!existsSync(ref)) continue;
      const c = await compareWithTshark(e.abs, ref, 1000);
      frames += c.frames;
      decoded += c.frames - c.missing;
      equal += c.numbersEqual;
      for (const t of c.flags.values()) {
        tp += t.tp;
        fp += t.fp;
        fn += t.fn;
      }
      const short = e.path.replace(/^captures\//, '');
      for (const m of c.mismatches) {
        unexpected.push(`${short} ${m}`);
      }
      // final tcp.completeness per stream (two-pass streams.tsv)
      const streams = ref.replace(/\.tsv$/, '.streams.tsv');
      if (existsSync(streams)) {
        for (const s of readTsv(streams)) {
          const conn = c.connections[Number(s['tcp.stream'])];
          if (!conn && c.missing > 0) continue; // a stream made only of frames we do not decode (docs/differences.md)
          completenessChecked++;
          // tshark -2 shows, on a stream's last packet, the first-pass value plus every bit of
          // the packets before it (its second pass adds to the first-pass total, showing the
          // value before the packet's own update); we report all packets' bits.
          const shown = conn ? conn.completenessFirstPass | conn.completenessBeforeLast : -1;
          if (!conn || String(shown) !== s.final_completeness) {
            completeness.push(`${short} stream ${s['tcp.stream']}: ${shown} vs ${s.final_completeness}`);
          }
        }
      }
    }
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(`tshark agreement: ${frames} TCP frames, ${decoded} decoded, stream/seq/ack/len equal on ${equal}; flags precision ${(100 * precision).toFixed(2)}% recall ${(100 * recall).toFixed(2)}%; completeness equal on ${completenessChecked - completeness.length} of ${completenessChecked} streams`);
    assert.equal(equal, decoded);
    // every analysis flag on every frame, as on the fixtures (until the "ACKed unseen segment"
    // rule was found by probing tshark, 5 frames here differed: fixtures/tcp-acked-unseen)
    assert.deepEqual(unexpected, []);
    assert.equal(precision, 1);
    assert.equal(recall, 1);
    assert.deepEqual(completeness.filter((x) => !KNOWN_COMPLETENESS_DIFFERENCES.has(x)), []);
    assert.equal(completeness.length, KNOWN_COMPLETENESS_DIFFERENCES.size);
  });
});
