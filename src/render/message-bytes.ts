/**
 * Messages with numbers written straight to bytes. A packet note is a sentence with the
 * packet's numbers in it (an ISN, a seq, a length), one for nearly every packet record of
 * `--packets` and of the walkthrough. Made as a string, it took about 0.7 us a note (the
 * template, the numbers' strings, the rope flattened by the check for characters to escape, the
 * copy): 1 s of the 5 s of the concurrent capture's `--json --packets`. A message that is a
 * Template (i18n/messages.ts) is instead copied as its constant pieces, the roles already in
 * them, with the numbers written between them as String() writes them, and so is a Choice of
 * Templates by its numbers, the Template it chooses (the notes of a close's repeats: 6 500 of
 * real4's 49 000 steps, made as strings until 2026-12-07); any other message (one that chooses
 * between sentences otherwise) is made as a string and written as before. The walkthrough
 * writes its messages with numbers the same way (the data section's counts, the packets and
 * bytes of the header). test/message-bytes.test.ts checks the bytes against the string for every
 * message of both tables, as the client's and the server's.
 */
import { Chunk, utf8, type ByteWriter } from '../util/bytes.js';
import { choiceOf, message, roleName, template, NumberSlot, type Lang, type Template } from '../i18n/messages.js';
import { NOTE_KEYS } from '../analyze/story.js';

/**
 * A message as bytes for one role: pieces[0], numbers[0], pieces[1], ..., the last piece; a
 * number with a word has the piece after it twice, the word's singular before it in `one[i]`
 * and its plural in pieces[i + 1]. A Choice's (i18n/messages.ts): `select` and its variants so
 * compiled, and no pieces of its own.
 */
interface Compiled {
  readonly pieces: readonly Chunk[];
  readonly one: readonly (Chunk | null)[];
  readonly numbers: readonly NumberSlot[];
  readonly select: ((n1: number, n2: number, n3: number) => number) | null;
  readonly variants: readonly Compiled[];
}

/** What a role's entry holds before it is first written. */
const UNMADE = 0;
/** A message that is not a Template: made as a string. */
const AS_STRING = 1;

/** A number as String(v) writes it (and a template literal). */
function numberText(w: ByteWriter, v: number): void {
  // num() is String(v) for every finite number (-0 included: both write 0)
  if (v === v && v !== Infinity && v !== -Infinity) w.num(v);
  else w.text(String(v));
}

/** Microseconds as seconds with six decimals, as (v / 1e6).toFixed(6) writes them. */
function secondsText(w: ByteWriter, v: number): void {
  // below 4e15 us, v / 1e6 is below 2^32 and within 2.4e-7 of the decimal: toFixed(6) writes it
  if (!(v >= 0 && v < 4e15 && Math.floor(v) === v)) {
    w.text((v / 1e6).toFixed(6));
    return;
  }
  const whole = Math.floor(v / 1e6);
  let frac = v - whole * 1e6;
  w.uint(whole);
  w.byte(0x2e);
  for (let d = 100000; d >= 1; d /= 10) {
    const digit = Math.floor(frac / d);
    w.byte(0x30 + digit);
    frac -= digit * d;
  }
}

/**
 * One message of one language, as a JSON string (quoted and escaped: a record's `note`) or as
 * plain text (the walkthrough's), compiled for a role the first time it is written for it.
 */
export class MessageBytes {
  private client: Compiled | typeof UNMADE | typeof AS_STRING = UNMADE;
  private server: Compiled | typeof UNMADE | typeof AS_STRING = UNMADE;

  constructor(private readonly lang: Lang, readonly key: string, private readonly json: boolean) {}

  /** Whether it is written from its pieces (not made as a string), as write() compiles it: for the tests. */
  get compiled(): boolean {
    if (this.client === UNMADE) this.client = this.compile('client');
    return this.client !== AS_STRING;
  }

  write(w: ByteWriter, from: 'client' | 'server', n1: number, n2: number, n3: number): void {
    let c = from === 'client' ? this.client : this.server;
    if (c === UNMADE) {
      c = this.compile(from);
      if (from === 'client') this.client = c;
      else this.server = c;
    }
    if (c === AS_STRING) {
      const s = message(this.lang, this.key, from, n1, n2, n3);
      if (this.json) w.str(s);
      else w.text(s);
      return;
    }
    if (c.select !== null) c = c.variants[c.select(n1, n2, n3)]!;
    const pieces = c.pieces;
    w.raw(pieces[0]!);
    for (let i = 0; i < c.numbers.length; i++) {
      const x = c.numbers[i]!;
      const v = x.value(n1, n2, n3);
      if (x.micros) secondsText(w, v);
      else numberText(w, v);
      const one = c.one[i];
      w.raw(one !== null && v === 1 ? one! : pieces[i + 1]!);
    }
  }

  private compile(from: 'client' | 'server'): Compiled | typeof AS_STRING {
    const tp = template(this.lang, this.key);
    if (tp !== null) return this.compileTemplate(tp, from);
    const ch = choiceOf(this.lang, this.key);
    if (ch === null) return AS_STRING;
    return { pieces: [], one: [], numbers: [], select: ch.select, variants: ch.variants.map((v) => this.compileTemplate(v, from)) };
  }

  private compileTemplate(tp: Template, from: 'client' | 'server'): Compiled {
    const to = from === 'client' ? 'server' : 'client';
    // the text between the numbers, the roles in it
    const between: string[] = [tp.pieces[0]!];
    const numbers: NumberSlot[] = [];
    for (let i = 0; i < tp.slots.length; i++) {
      const x = tp.slots[i]!;
      if (x instanceof NumberSlot) {
        numbers.push(x);
        between.push('');
      } else {
        between[between.length - 1] += roleName(this.lang, x.to ? to : from);
      }
      between[between.length - 1] += tp.pieces[i + 1]!;
    }
    // a number's word goes into the text after it: plural, and singular in `one`
    const texts = between.map((s, i) => (i === 0 || numbers[i - 1]!.other === null ? s : ` ${numbers[i - 1]!.other}${s}`));
    const ones = numbers.map((x, i) => (x.one === null ? null : ` ${x.one}${between[i + 1]}`));
    // JSON escapes a string character by character, and the numbers between the pieces are
    // digits and signs: the pieces escaped one by one are the message escaped
    const last = texts.length - 1;
    const chunk = (s: string, i: number): Chunk => {
      if (!this.json) return utf8(s);
      return utf8((i === 0 ? '"' : '') + JSON.stringify(s).slice(1, -1) + (i === last ? '"' : ''));
    };
    return { pieces: texts.map(chunk), one: ones.map((s, i) => (s === null ? null : chunk(s, i + 1))), numbers, select: null, variants: [] };
  }
}

/** messageBytes()'s, by language and form (en text, en JSON, zh text, zh JSON), then key. */
const MADE: Map<string, MessageBytes>[] = [new Map(), new Map(), new Map(), new Map()];

/**
 * Message `key` of `lang` as bytes, JSON string or text, made when first asked for and kept: for
 * a message asked for by key once a connection (a diagnostic's: a capture cut by its snapshot
 * length has one in every connection, a capture that ended before the close in each of a SYN
 * flood's million), by the JSON records and the walkthrough.
 */
export function messageBytes(lang: Lang, key: string, json: boolean): MessageBytes {
  const made = MADE[(lang === 'zh' ? 2 : 0) + (json ? 1 : 0)]!;
  let m = made.get(key);
  if (m === undefined) {
    m = new MessageBytes(lang, key, json);
    made.set(key, m);
  }
  return m;
}

/** The packet notes of one language (NOTE_KEYS), as JSON strings or as text. */
export class NoteBytes {
  private readonly notes: MessageBytes[];

  constructor(lang: Lang, json: boolean) {
    this.notes = NOTE_KEYS.map((key) => new MessageBytes(lang, key, json));
  }

  /** Note `note` (a NOTE_KEYS index) of a packet from `from`, with its numbers. */
  write(w: ByteWriter, note: number, from: 'client' | 'server', n1: number, n2: number, n3: number): void {
    this.notes[note]!.write(w, from, n1, n2, n3);
  }

  /** Whether note `key` is written from its pieces (not made as a string): for the tests. */
  compiled(key: string): boolean {
    return this.notes[NOTE_KEYS.indexOf(key as (typeof NOTE_KEYS)[number])]!.compiled;
  }
}
