/**
 * Messages written as bytes (src/render/message-bytes.ts) against the message made as a string
 * (message()), byte for byte: every packet note and every message of the tables with numbers,
 * as the client's and as the server's, in both languages, as a JSON string and as text, with
 * numbers at the edges (0, 1, the int32 and uint32 limits, beyond them, negative) and any
 * numbers.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MessageBytes, NoteBytes } from '../src/render/message-bytes.js';
import { choiceOf, message, template, TABLES, type Lang } from '../src/i18n/messages.js';
import { NOTE_KEYS } from '../src/analyze/story.js';
import { ByteWriter } from '../src/util/bytes.js';

const LANGS: Lang[] = ['en', 'zh'];
const ROLES = ['client', 'server'] as const;
// 4e15 us: where the seconds of {n2/1e6} go the engine's way; a fraction; beyond 1e21, an exponent
const EDGES = [0, 1, 2, 9, 10, 99, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 3, 4e15 - 1, 4e15, 2.5, 1e21, -1, -(2 ** 31)];

function written(notes: NoteBytes, note: number, from: 'client' | 'server', n1: number, n2: number, n3: number): string {
  // a small buffer: the pieces grow it
  const w = new ByteWriter(8);
  w.byte(0x3c);
  notes.write(w, note, from, n1, n2, n3);
  w.byte(0x3e);
  return w.buf.subarray(0, w.pos).toString('utf8');
}

function same(lang: Lang, json: NoteBytes, text: NoteBytes, note: number, from: 'client' | 'server', n1: number, n2: number, n3: number): void {
  const s = message(lang, NOTE_KEYS[note]!, from, n1, n2, n3);
  const what = `${lang} ${NOTE_KEYS[note]} ${from} ${n1} ${n2} ${n3}`;
  assert.equal(written(json, note, from, n1, n2, n3), `<${JSON.stringify(s)}>`, what);
  assert.equal(written(text, note, from, n1, n2, n3), `<${s}>`, what);
}

function writtenMessage(m: MessageBytes, from: 'client' | 'server', n1: number, n2: number, n3: number): string {
  const w = new ByteWriter(8);
  m.write(w, from, n1, n2, n3);
  return w.buf.subarray(0, w.pos).toString('utf8');
}

describe('messages written as bytes', () => {
  it('every message of the tables, the Templates and the others: the string, byte for byte', () => {
    let templates = 0;
    for (const lang of LANGS) {
      for (const key of Object.keys(TABLES[lang])) {
        const json = new MessageBytes(lang, key, true);
        const text = new MessageBytes(lang, key, false);
        if (json.compiled) templates++;
        for (const from of ROLES) {
          for (const a of EDGES) {
            for (const [n1, n2, n3] of [[a, 1, 1], [1, a, 0], [0, 2, a], [a, a, a]] as const) {
              const s = message(lang, key, from, n1, n2, n3);
              assert.equal(writtenMessage(json, from, n1, n2, n3), JSON.stringify(s), `${lang} ${key} ${from} ${n1} ${n2} ${n3}`);
              assert.equal(writtenMessage(text, from, n1, n2, n3), s, `${lang} ${key} ${from} ${n1} ${n2} ${n3}`);
            }
          }
        }
      }
    }
    assert.ok(templates >= 2 * 44, `${templates} templates`);
  });

  it('a number with a word: singular for 1, plural otherwise, in the string and in the bytes', () => {
    const m = new MessageBytes('en', 'wSegments', false);
    assert.equal(writtenMessage(m, 'client', 1, 1, 0), 'client → server: 1 segment with data, 1 byte');
    assert.equal(writtenMessage(m, 'server', 2, 0, 0), 'server → client: 2 segments with data, 0 bytes');
    assert.equal(message('en', 'wSegments', 'server', 1, 120), 'server → client: 1 segment with data, 120 bytes');
    assert.equal(writtenMessage(new MessageBytes('en', 'wBytes', true), 'client', 1, 480, 0), '"client sent 1 byte, server 480 bytes"');
    // microseconds as seconds, with six decimals
    const p = new MessageBytes('en', 'wPackets', false);
    assert.equal(writtenMessage(p, 'client', 1, 63, 0), '1 packet in 0.000063 s');
    assert.equal(writtenMessage(p, 'client', 10, 12_000_001, 0), '10 packets in 12.000001 s');
    assert.equal(writtenMessage(new MessageBytes('zh', 'wPackets', false), 'client', 10, 100_000, 0), '10 个报文，历时 0.100000 秒');
  });
});

describe('packet notes written as bytes', () => {
  it('every note, role and language, with numbers at the edges: the string, byte for byte', () => {
    let checked = 0;
    for (const lang of LANGS) {
      const json = new NoteBytes(lang, true);
      const text = new NoteBytes(lang, false);
      for (let note = 1; note < NOTE_KEYS.length; note++) {
        for (const from of ROLES) {
          for (const a of EDGES) {
            same(lang, json, text, note, from, a, 1, 1);
            same(lang, json, text, note, from, 5, a, 0);
            same(lang, json, text, note, from, 0, 7, a);
            checked += 3;
          }
        }
      }
    }
    assert.equal(checked, 2 * (NOTE_KEYS.length - 1) * 2 * EDGES.length * 3);
  });

  it('any numbers: the string, byte for byte', () => {
    const u = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.constantFrom(...EDGES));
    const notes = { en: [new NoteBytes('en', true), new NoteBytes('en', false)], zh: [new NoteBytes('zh', true), new NoteBytes('zh', false)] };
    fc.assert(fc.property(fc.constantFrom(...LANGS), fc.integer({ min: 1, max: NOTE_KEYS.length - 1 }), fc.constantFrom(...ROLES), u, u, u,
      (lang, note, from, n1, n2, n3) => same(lang, notes[lang][0]!, notes[lang][1]!, note, from, n1, n2, n3)),
    { seed: 0x5eed, numRuns: 3000 });
  });

  it('every note is copied from its pieces, not made as a string (a Choice from the pieces of the Template it chooses)', () => {
    for (const lang of LANGS) {
      const notes = new NoteBytes(lang, true);
      for (const key of NOTE_KEYS) if (key !== '') assert.ok(notes.compiled(key), `${lang} ${key}`);
      // a note that chooses between sentences by its numbers is a Choice of Templates
      assert.equal(template(lang, 'finRetransmitted'), null);
      assert.equal(choiceOf(lang, 'lastAckAgain')?.variants.length, 4);
    }
  });

  it('a Choice writes the variant its numbers choose (the notes of the repeats after a close)', () => {
    const en = new NoteBytes('en', false);
    const note = (key: string, from: 'client' | 'server', n1: number, n2: number, n3: number): string => written(en, NOTE_KEYS.indexOf(key as (typeof NOTE_KEYS)[number]), from, n1, n2, n3);
    assert.equal(note('finRetransmitted', 'client', 7, 0, 0), '<FIN sent again, though frame 7 had acknowledged it: that ACK was lost after the point of capture (or is late), so the client sent its FIN once more>');
    assert.equal(note('finRetransmitted', 'server', 0, 0, 0), '<FIN sent again: it had not been acknowledged>');
    const dup = ' (the same numbers as its previous ACK, hence Wireshark\'s duplicate_ack; nothing is missing)';
    const again = "ack 301 again: the server's FIN came again (frame 12), so the client acknowledges it again — in TIME_WAIT a side answers every copy of the peer's FIN (its last ACK may have been lost) and starts its 2·MSL wait over";
    const repeated = "ack 301 again, the last ACK repeated with nothing new to acknowledge: a copy, or the answer to a copy of the server's FIN that the capture missed";
    assert.equal(note('lastAckAgain', 'client', 301, 12, 0), `<${again}>`);
    assert.equal(note('lastAckAgain', 'client', 301, 12, 1), `<${again}${dup}>`);
    assert.equal(note('lastAckAgain', 'client', 301, 0, 0), `<${repeated}>`);
    assert.equal(note('lastAckAgain', 'client', 301, 0, 1), `<${repeated}${dup}>`);
    assert.equal(note('oldAck', 'server', 5, 9, 1), `<ack 5 is below the ack 9 the server sent in the close: an old acknowledgement, late or duplicated on the way; it changes nothing${dup}>`);
    assert.equal(written(new NoteBytes('zh', true), NOTE_KEYS.indexOf('ackAfterClose'), 'server', 44, 0, 1),
      `<"关闭之后的 ACK（确认号 44）没有新内容：服务器早已确认了客户端的 FIN；这是迟到或重复的副本，不改变任何状态（与它上一个 ACK 的编号相同，所以 Wireshark 标为 duplicate_ack；并没有报文段丢失）">`);
  });

  it('a template computes its numbers: ack = FIN seq + 1', () => {
    assert.equal(message('en', 'finAcked', 'server', 20), 'ack 20 = FIN seq 19 + 1: the server acknowledges the FIN and is in CLOSE_WAIT; the client moves to FIN_WAIT_2');
    assert.equal(message('zh', 'firstData', 'client', 1, 18, 19), '客户端发送的第一段数据：字节 1 到 18（共 18 字节）；服务器将以确认号 19 = 1 + 18 确认');
    assert.equal(written(new NoteBytes('zh', false), NOTE_KEYS.indexOf('firstData'), 'client', 1, 18, 19), '<客户端发送的第一段数据：字节 1 到 18（共 18 字节）；服务器将以确认号 19 = 1 + 18 确认>');
  });
});
