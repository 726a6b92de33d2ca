/**
 * Packet notes written straight to bytes. A note is a sentence with the packet's numbers in it
 * (an ISN, a seq, a length), one for nearly every packet record of `--packets` and of the
 * walkthrough. Made as a string, it took about 0.7 us a note (the template, the numbers' strings,
 * the rope flattened by the check for characters to escape, the copy): 1 s of the 5 s of the
 * concurrent capture's `--json --packets`. A note that is a Template (i18n/messages.ts) is
 * instead copied as its constant pieces, the roles already in them, with the numbers written
 * between them as String() writes them; any other note (one that chooses between sentences) is
 * made as a string and written as before. test/note-bytes.test.ts checks the bytes against the
 * string for every note, role and language.
 */
import { Chunk, utf8, type ByteWriter } from '../util/bytes.js';
import { message, roleName, template, NumberSlot, type Lang } from '../i18n/messages.js';
import { NOTE_KEYS } from '../analyze/story.js';

/** A note as bytes for one role: pieces[0], a number, pieces[1], ..., a number, the last piece. */
interface Compiled {
  readonly pieces: readonly Chunk[];
  /** Each number's index among n1, n2, n3 and the constant added to it. */
  readonly index: readonly number[];
  readonly add: readonly number[];
}

/** What a note's entry holds before it is first written. */
const UNMADE = 0;
/** A note that is not a Template: made as a string. */
const AS_STRING = 1;

/** A number as String(v) writes it (and a template literal). */
function numberText(w: ByteWriter, v: number): void {
  // num() is String(v) for every finite number (-0 included: both write 0)
  if (v === v && v !== Infinity && v !== -Infinity) w.num(v);
  else w.text(String(v));
}

/**
 * The notes of one language, as JSON strings (quoted and escaped: a record's `note`) or as
 * plain text (the walkthrough's), each made into bytes when first written.
 */
export class NoteBytes {
  /** By note index * 2, + 1 for the server's. */
  private readonly made: (Compiled | typeof UNMADE | typeof AS_STRING)[] = new Array<Compiled | 0 | 1>(NOTE_KEYS.length * 2).fill(UNMADE);

  constructor(private readonly lang: Lang, private readonly json: boolean) {}

  /** Note `note` (a NOTE_KEYS index) of a packet from `from`, with its numbers. */
  write(w: ByteWriter, note: number, from: 'client' | 'server', n1: number, n2: number, n3: number): void {
    const slot = note * 2 + (from === 'client' ? 0 : 1);
    let c = this.made[slot]!;
    if (c === UNMADE) {
      c = this.compile(NOTE_KEYS[note]!, from);
      this.made[slot] = c;
    }
    if (c === AS_STRING) {
      const s = message(this.lang, NOTE_KEYS[note]!, from, n1, n2, n3);
      if (this.json) w.str(s);
      else w.text(s);
      return;
    }
    const pieces = c.pieces;
    w.raw(pieces[0]!);
    for (let i = 0; i < c.index.length; i++) {
      const k = c.index[i];
      numberText(w, (k === 1 ? n1 : k === 2 ? n2 : n3) + c.add[i]!);
      w.raw(pieces[i + 1]!);
    }
  }

  /** Whether note `key` is written from its pieces (not made as a string): for the tests. */
  compiled(key: string): boolean {
    return template(this.lang, key) !== null;
  }

  private compile(key: string, from: 'client' | 'server'): Compiled | typeof AS_STRING {
    const tp = template(this.lang, key);
    if (tp === null) return AS_STRING;
    const to = from === 'client' ? 'server' : 'client';
    // the roles go into the text around them; the numbers stay slots
    const texts: string[] = [];
    const index: number[] = [];
    const add: number[] = [];
    let text = tp.pieces[0]!;
    for (let i = 0; i < tp.slots.length; i++) {
      const x = tp.slots[i]!;
      if (x instanceof NumberSlot) {
        texts.push(text);
        index.push(x.index);
        add.push(x.add);
        text = '';
      } else {
        text += roleName(this.lang, x.to ? to : from);
      }
      text += tp.pieces[i + 1]!;
    }
    texts.push(text);
    // JSON escapes a string character by character, and the numbers between the pieces are
    // digits and signs: the pieces escaped one by one are the note escaped
    const last = texts.length - 1;
    const pieces = texts.map((s, i) => {
      if (!this.json) return utf8(s);
      const q = JSON.stringify(s);
      return utf8((i === 0 ? '"' : '') + q.slice(1, -1) + (i === last ? '"' : ''));
    });
    return { pieces, index, add };
  }
}
