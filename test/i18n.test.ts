/** The English and Chinese string tables have the same keys, and every key the model uses exists. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixedMessages, TABLES, message } from '../src/i18n/messages.js';
import { NOTE_KEYS } from '../src/analyze/story.js';
import { runCli } from './helpers/cli.js';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/corpus.js';

describe('string tables', () => {
  it('en and zh have the same keys', () => {
    assert.deepEqual(Object.keys(TABLES.zh).sort(), Object.keys(TABLES.en).sort());
  });

  it('FixedMessages gives what message() gives without numbers, for each language and role, asked twice', () => {
    for (const lang of ['en', 'zh'] as const) {
      const fixed = new FixedMessages(lang);
      for (let pass = 0; pass < 2; pass++) {
        for (const key of Object.keys(TABLES[lang])) {
          for (const from of ['client', 'server'] as const) assert.equal(fixed.get(key, from), message(lang, key, from), `${lang} ${key} ${from}`);
        }
      }
    }
    assert.throws(() => new FixedMessages('en').get('no such key'), /no message "no such key"/);
  });

  it('every note key has a message in both languages, with the numbers in it', () => {
    for (const key of NOTE_KEYS.slice(1)) {
      for (const lang of ['en', 'zh'] as const) {
        const text = message(lang, key, 'client', 1234, 5678, 91011);
        assert.ok(text.length > 10, `${lang} ${key}`);
      }
    }
    assert.match(message('en', 'synAck', 'server', 1, 939629259, 42), /ack 1 = client ISN 939629259 \+ 1/);
    assert.match(message('zh', 'finPiggybacked', 'server', 20, 19), /捎带确认/);
  });

  it('English counts in the walkthrough header agree with their number', () => {
    assert.equal(message('en', 'wPackets', 'client', 1, 0), '1 packet in 0.000000 s');
    assert.equal(message('en', 'wPackets', 'client', 2, 1500), '2 packets in 0.001500 s');
    assert.equal(message('en', 'wBytes', 'client', 1, 0), 'client sent 1 byte, server 0 bytes');
    assert.equal(message('en', 'wSegments', 'server', 1, 16), 'server → client: 1 segment with data, 16 bytes');
    assert.equal(message('en', 'wSegments', 'client', 0, 0), 'client → server: 0 segments with data, 0 bytes');
    assert.equal(message('en', 'mermaidGap', 'client', 1), '… 1 more data packet …');
    assert.equal(message('en', 'ladderGap', 'client', 2), '⋮ 2 more data packets ⋮');
    assert.equal(message('zh', 'mermaidGap', 'client', 18), '…… 另有 18 个数据报文 ……');
  });

  it('--lang zh gives Chinese notes with the textbook terms', async () => {
    const r = await runCli(['--json', '--packets', '--lang', 'zh', join(REPO_ROOT, 'fixtures', 'tcp-three-way-close', 'capture.pcap')]);
    const doc = JSON.parse(r.stdout) as { connections: { packets: { note?: string }[] }[] };
    const notes = doc.connections[0].packets.map((p) => p.note ?? '');
    assert.match(notes[0], /客户端发送 SYN/);
    assert.match(notes[8], /捎带确认.*三个报文段/);
    assert.match(notes[9], /TIME_WAIT.*2MSL/);
  });
});
