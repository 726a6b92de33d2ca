/** The ladder diagram, Mermaid and Markdown outputs on real fixtures. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { LadderBytes } from '../src/render/ladder.js';
import { PacketCollector, type PacketRecords } from '../src/render/json.js';
import { Tracker } from '../src/analyze/tracker.js';
import { runCapture } from '../src/pipeline.js';
import type { Connection } from '../src/analyze/connection.js';
import { ByteWriter } from '../src/util/bytes.js';

const fx = (d: string): string => join(REPO_ROOT, 'fixtures', d, 'capture.pcap');

describe('diagrams', () => {
  it('ladder: an arrow per segment, states beside the lines when they change', async () => {
    const r = await runCli(['--diagram', fx('tcp-three-way-close')]);
    const lines = r.stdout.split('\n');
    const row = (frame: number): string => lines.find((l) => new RegExp(`^ +${frame} `).test(l) && l.includes('|')) ?? '';
    assert.match(row(1), /SYN_SENT \|- \[SYN\] seq=0 -+>\| LISTEN\*/);
    assert.match(row(2), /ESTABLISHED \|<-+ \[SYN, ACK\] seq=0 ack=1 -\| SYN_RECEIVED/);
    assert.match(row(9), /TIME_WAIT\* \|<-+ \[FIN, ACK\] seq=19 ack=20 -\| LAST_ACK/);
    assert.match(row(10), /\|- \[ACK\] seq=20 ack=20 -+>\| CLOSED/);
    assert.match(r.stdout, /\* inferred: an observer never sees LISTEN or TIME_WAIT/);
  });

  it('ladder and walkthrough: no line ends in a space (en and zh)', async () => {
    for (const d of ['tcp-three-way-close', 'tcp-loss', 'tcp-reset-server', 'tcp-simultaneous-close']) {
      for (const lang of ['en', 'zh']) {
        const r = await runCli(['--diagram', '--lang', lang, fx(d)]);
        const bad = r.stdout.split('\n').filter((l) => / $/.test(l));
        assert.deepEqual(bad, [], `${d} ${lang}`);
      }
    }
  });

  it('ladder: the arrows fill their column at any width, a label too long for it cut with …; RST red, an analysis flag yellow', async () => {
    const diagrams = async (d: string, width: number, level: 0 | 3): Promise<string[]> => {
      const col = new PacketCollector();
      const conns: Connection[] = [];
      const t = new Tracker({ onPacket: (c, r, f, p) => col.onPacket(c, r, f, p), onFinal: (c) => { col.onFinal(c); conns.push(c); } }, { keepAll: true });
      await runCapture(fx(d), t);
      const lb = new LadderBytes(new Chalk({ level }), false, width, 'en');
      return conns.map((c) => {
        const w = new ByteWriter(64);
        lb.write(w, c, col.byConnection.get(c) as PacketRecords);
        return w.buf.toString('utf8', 0, w.pos);
      });
    };
    for (const [width, arrowW] of [[40, 30], [80, 42], [120, 60], [250, 60]] as const) {
      const text = (await diagrams('tcp-loss', width, 0)).join('');
      // a packet's line: the frame, the client's state, then the arrow between two bars
      const rows = text.split('\n').filter((l) => /^ +\d+ /.test(l));
      assert.ok(rows.length > 10);
      for (const l of rows) {
        assert.equal(l[21], '|', `${width}: ${l}`);
        assert.equal(l[22 + arrowW], '|', `${width}: ${l}`);
        assert.match(l.slice(22, 22 + arrowW), /^(- \[.*\] seq=.* -*>|<-* \[.*\] seq=.* -)$/, `${width}: ${l}`);
      }
      assert.equal(rows.some((l) => l.includes('… -') || l.includes('… >')), width <= 80, `${width}: labels cut only when the arrow is short`);
      if (width > 80) assert.match(text, /\(out_of_order\) /);
    }
    const loss = (await diagrams('tcp-loss', 100, 3)).join('');
    assert.match(loss, /\x1b\[33m[^\x1b]*\(out_of_order\) -*>\x1b\[39m\|/);
    assert.match(loss, /\x1b\[36m +ESTABLISHED\x1b\[39m \|<-+ \[SYN, ACK\]/);
    const reset = (await diagrams('tcp-reset-server', 100, 3)).join('');
    assert.match(reset, /\x1b\[31m<-* \[RST, ACK\] seq=\d+ ack=\d+ -\x1b\[39m\|/);
  });

  it('ladder: a long data phase is elided with a count', async () => {
    const r = await runCli(['--diagram', fx('tcp-loss')]);
    assert.match(r.stdout, /⋮ \d+ more data packets ⋮/);
  });

  it('mermaid: a sequenceDiagram per connection, RST as a cross, no ; or # in messages', async () => {
    const r = await runCli(['--format', 'mermaid', fx('tcp-reset-server')]);
    assert.match(r.stdout, /^%% connection 0: three-way handshake, reset teardown, Zeek RSTR\nsequenceDiagram\n {4}participant C as client 192\.0\.2\.1:\d+\n {4}participant S as server 192\.0\.2\.2:\d+/);
    assert.match(r.stdout, / {4}S-xC: \d+: \[RST, ACK\]/);
    for (const l of r.stdout.split('\n').slice(2)) assert.doesNotMatch(l, /[;#]/);
    const reuse = await runCli(['--format', 'mermaid', fx('tcp-port-reuse')]);
    assert.equal((reuse.stdout.match(/^sequenceDiagram$/gm) ?? []).length, 3);
  });

  it('markdown: summary table and a lowercase mermaid fence per connection, data elided', async () => {
    const r = await runCli(['--format', 'markdown', fx('tcp-loss')]);
    assert.match(r.stdout, /^## tcpflow-explain: `.*tcp-loss\/capture\.pcap`/);
    assert.match(r.stdout, /\| 0 \| `192\.0\.2\.1:40015` \| `192\.0\.2\.2:5015` \| three-way \| four-way \| SF `ShADaTFdf` \| 72 \|/);
    assert.match(r.stdout, /\n```mermaid\n%% connection 0: [^\n]*\nsequenceDiagram\n/);
    assert.doesNotMatch(r.stdout, /```Mermaid/);
    assert.match(r.stdout, /Note over C,S: … 58 more data packets …/);
    assert.match(r.stdout, /- 2 segment\(s\) came after a gap/);
  });
});
