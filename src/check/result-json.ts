/**
 * One result of `check` as the JSON report lays it out (report.ts), written straight as bytes:
 * by the report for the results it holds as objects, and by the evaluator (evaluate.ts) when the
 * JSON report is the only one that needs the per-connection results, which it then spools as
 * these bytes rather than as objects to read back.
 */
import { ascii, ByteWriter, Chunk, COPY_FROM_MAX } from '../util/bytes.js';
import type { CheckResult } from './evaluate.js';

/**
 * The indentation of a result in the JSON report (inside `captures[i].results`): the evaluator
 * writes spooled results at it before the report is laid out, and writeJsonReport checks that
 * its layout puts them there.
 */
export const RESULT_INDENT = '        ';
/** What comes between two results of a list in the JSON report (before the next one's indent). */
export const RESULT_SEPARATOR = ',\n';

/**
 * Writes results as the JSON report lays them out at `indent` (recordJson(resultJson(r), indent)),
 * straight into a ByteWriter: a report of millions of results spent most of its time building
 * and encoding their text. test/check.test.ts compares the bytes with the generic layout on
 * every result of the fixtures and the corpus.
 */
export class ResultWriter {
  private readonly open: Chunk;
  private readonly connection: Chunk;
  private readonly endpoints: Chunk;
  private readonly expectation: Chunk;
  private readonly key: Chunk;
  private readonly passed: Chunk;
  private readonly detail: Chunk;
  private readonly frames: Chunk;
  /** The passed flag's value and the actual value's key: one chunk for true, one for false. */
  private readonly trueActual: Chunk;
  private readonly falseActual: Chunk;
  /** An empty frames list and the result's closing brace. */
  private readonly noFrames: Chunk;
  private readonly frame: Chunk;
  private readonly framesEnd: Chunk;
  private readonly close: Chunk;
  /**
   * A connection's results share its endpoints' text, encoded once (a new Buffer of
   * JSON.stringify's string per connection was 0.65 s of the SYN flood's check --json: a million
   * connections, five results each).
   */
  private readonly endpointsJson = new EncodedString();

  /** A line break and the indent of a result's keys. */
  private readonly i2: string;

  constructor(indent: string) {
    const i2 = `\n${indent}  `;
    this.i2 = i2;
    this.open = ascii(`{${i2}"group": `);
    this.connection = ascii(`,${i2}"connection": `);
    this.endpoints = ascii(`,${i2}"endpoints": `);
    this.expectation = ascii(`,${i2}"expectation": `);
    this.key = ascii(`,${i2}"key": `);
    this.passed = ascii(`,${i2}"passed": `);
    this.detail = ascii(`,${i2}"detail": `);
    this.frames = ascii(`,${i2}"frames": [`);
    this.frame = ascii(`${i2}  `);
    this.framesEnd = ascii(`${i2}]`);
    this.close = ascii(`\n${indent}}`);
    this.trueActual = ascii(`true,${i2}"actual": `);
    this.falseActual = ascii(`false,${i2}"actual": `);
    this.noFrames = ascii(`,${i2}"frames": []\n${indent}}`);
  }

  write(w: ByteWriter, r: CheckResult): void {
    this.fields(w, r.group, r.connection, r.endpoints, r.expectation, r.key, r.passed, r.actual, r.detail, r.frames);
  }

  /** The same, from the result's fields (no object made). */
  fields(
    w: ByteWriter, group: string, connection: number | null, ends: string | null, expectation: string, key: string,
    passed: boolean, v: string | number | null, detail: string, fr: readonly number[],
  ): void {
    w.raw(this.open);
    if (group) w.str(group);
    else w.null();
    w.raw(this.connection);
    if (connection === null) w.null();
    else w.num(connection);
    this.ends(w, ends);
    w.raw(this.expectation);
    w.str(expectation);
    w.raw(this.key);
    w.str(key);
    w.raw(this.passed);
    this.rest(w, passed, v, detail, fr);
  }

  /**
   * The text of a result that depends only on its rule group and expectation, for fieldsWith():
   * from the opening brace to the connection's value, and from the expectation to the passed
   * flag's value.
   */
  constants(group: string, expectation: string, key: string): ResultConstants {
    const i2 = this.i2;
    return {
      head: new Chunk(`{${i2}"group": ${group ? JSON.stringify(group) : 'null'},${i2}"connection": `),
      expectationKey: new Chunk(`,${i2}"expectation": ${JSON.stringify(expectation)},${i2}"key": ${JSON.stringify(key)},${i2}"passed": `),
      detail: new EncodedString(),
      middle: new ResultMiddle(),
    };
  }

  /**
   * A per-connection result whose group and expectation are `k` (the same bytes as fields()),
   * its endpoints already JSON (the bytes of `ends` from 0 to its pos: evaluate.ts's
   * writeEndpointsJson), its detail too when `detail` holds any (Judge.detailJson's), else
   * `text`, encoded through the expectation's cache.
   */
  fieldsWith(w: ByteWriter, k: ResultConstants, connection: number, ends: ByteWriter, passed: boolean, v: string | number | null, detail: ByteWriter, text: string, fr: readonly number[]): void {
    w.raw(k.head);
    w.num(connection);
    w.raw(this.endpoints);
    w.copyFrom(ends, 0, ends.pos);
    // (a JSON string is never empty: its quotes)
    if (detail.pos > 0) {
      this.upToDetail(w, k, passed, v);
      w.copyFrom(detail, 0, detail.pos);
    } else {
      this.middle(w, k, passed, v, text);
    }
    this.framesList(w, fr);
  }

  /**
   * From the expectation's key to the detail's text, through the expectation's memo: the same
   * as the last connection's when its passed flag, actual value and detail are (a SYN flood's
   * five results are, for every connection; most passes are), then copied at once.
   */
  private middle(w: ByteWriter, k: ResultConstants, passed: boolean, v: string | number | null, text: string): void {
    const m = k.middle;
    const b = m.bytes;
    // (nothing kept yet: an empty view; the text kept is never empty)
    // (written as `w` writes: with references or not, kept with the rest)
    if (m.view.length === 0 || passed !== m.passed || v !== m.v || text !== m.text || w.refs !== m.refs) {
      b.pos = 0;
      b.refs = w.refs;
      m.refs = w.refs;
      this.upToDetail(b, k, passed, v);
      k.detail.write(b, text);
      m.passed = passed;
      m.v = v;
      m.text = text;
      // a view of exactly the text, which bytes() copies whole (set(), with no view to make)
      m.view = b.buf.subarray(0, b.pos);
    }
    // a short text four bytes at a time through the two writers' views (bytes(), which copies
    // up to SHORT_COPY bytes one at a time, was 370 ms of two profiles of the flood's check --json)
    const n = m.view.length;
    if (n <= COPY_FROM_MAX) w.copyFrom(b, 0, n);
    else w.bytes(m.view, 0, n);
  }

  /** From the expectation's key to the detail's key: the expectation, its key, the passed flag and the actual value. */
  private upToDetail(w: ByteWriter, k: ResultConstants, passed: boolean, v: string | number | null): void {
    w.raw(k.expectationKey);
    w.raw(passed ? this.trueActual : this.falseActual);
    this.value(w, v);
    w.raw(this.detail);
  }

  /** `"endpoints": ...` with the comma before it. */
  private ends(w: ByteWriter, ends: string | null): void {
    w.raw(this.endpoints);
    if (ends === null) w.null();
    else this.endpointsJson.write(w, ends);
  }

  /** The passed flag's value and what follows it, to the closing brace. */
  private rest(w: ByteWriter, passed: boolean, v: string | number | null, detail: string, fr: readonly number[]): void {
    w.raw(passed ? this.trueActual : this.falseActual);
    this.value(w, v);
    w.raw(this.detail);
    w.str(detail);
    this.framesList(w, fr);
  }

  /** The actual value (after its key). */
  private value(w: ByteWriter, v: string | number | null): void {
    if (typeof v === 'string') w.str(v);
    else if (typeof v === 'number') w.num(v);
    else w.null();
  }

  /** `"frames": [...]` with the comma before it, and the result's closing brace. */
  private framesList(w: ByteWriter, fr: readonly number[]): void {
    if (fr.length === 0) {
      w.raw(this.noFrames);
      return;
    }
    w.raw(this.frames);
    for (let k = 0; k < fr.length; k++) {
      if (k > 0) w.byte(COMMA);
      w.raw(this.frame);
      w.num(fr[k]!);
    }
    w.raw(this.framesEnd);
    w.raw(this.close);
  }
}

/** A result's text that depends only on its rule group and expectation (ResultWriter.constants). */
export interface ResultConstants {
  head: Chunk;
  expectationKey: Chunk;
  /**
   * This expectation's details: consecutive connections mostly have the same (a SYN flood's five
   * details are the same for every connection), so one is checked and encoded once, not for each
   * of five million results.
   */
  detail: EncodedString;
  /** The last text from the expectation's key to the detail (ResultWriter.middle), and what it was made of. */
  middle: ResultMiddle;
}

/** A result's text from its expectation's key to its detail, kept with what it was made of. */
class ResultMiddle {
  passed = false;
  v: string | number | null = null;
  text = '';
  /** The text has its constant parts as references (ByteWriter.refs). */
  refs = false;
  readonly bytes = new ByteWriter(512);
  /** The text: bytes' buffer up to its pos (made again when it changes); empty until the first. */
  view: Uint8Array = new Uint8Array(0);
}

/** A JSON string written through a one-entry cache: encoded once while it stays the same. */
class EncodedString {
  private last: string | null = null;
  private readonly bytes = new ByteWriter(256);

  write(w: ByteWriter, s: string): void {
    const b = this.bytes;
    if (s !== this.last) {
      this.last = s;
      b.pos = 0;
      b.str(s);
    }
    w.copyFrom(b, 0, b.pos);
  }
}

const COMMA = 0x2c;
