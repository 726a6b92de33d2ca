/**
 * Reading a student's answers file: YAML or JSON (parsed as YAML 1.2, of which JSON is a subset,
 * so both report lines). One key per question (./questions.ts); keys starting with "_" are
 * comments and ignored; null or a missing key is "no answer". Anything else that does not fit —
 * bad syntax, an unknown key, a value of the wrong type — is an AnswersError naming the line.
 */
import { LineCounter, isMap, isScalar, parseDocument, type Node } from 'yaml';
import { QUESTIONS, type Kind } from './questions.js';

export class AnswersError extends Error {}

/** A throughput answer, converted to bytes per second. */
export interface ThroughputAnswer {
  given: number;
  /** The unit as written, null when the number came without one (taken as bytes/s). */
  unit: string | null;
  bytesPerSecond: number;
}

export type AnswerValue = string | number | boolean | (number | null)[] | ThroughputAnswer;

export interface Answer {
  value: AnswerValue;
  line: number;
}

export type Answers = Map<string, Answer>;

/** Units accepted in a throughput answer: bytes per second per unit. */
const UNITS: [RegExp, number][] = [
  [/^(B|bytes?|Byte|Bytes)\/s(ec)?$|^Bps$/, 1],
  [/^[kK](B|bytes?|Byte|Bytes)\/s(ec)?$|^[kK]Bps$/, 1e3],
  [/^KiB\/s$/, 1024],
  [/^M(B|bytes?|Byte|Bytes)\/s(ec)?$|^MBps$/, 1e6],
  [/^MiB\/s$/, 1048576],
  [/^(b|bits?)\/s(ec)?$|^bps$/, 1 / 8],
  [/^[kK](b|bits?)\/s(ec)?$|^[kK]bps$/, 1e3 / 8],
  [/^M(b|bits?)\/s(ec)?$|^Mbps$/, 1e6 / 8],
  [/^G(b|bits?)\/s(ec)?$|^Gbps$/, 1e9 / 8],
];

export function parseThroughput(s: string): ThroughputAnswer | null {
  const m = /^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([A-Za-z/]*)\s*$/.exec(s);
  if (!m) return null;
  const given = Number(m[1]);
  if (m[2] === '') return { given, unit: null, bytesPerSecond: given };
  for (const [re, f] of UNITS) if (re.test(m[2])) return { given, unit: m[2], bytesPerSecond: given * f };
  return null;
}

const YES = new Set(['yes', 'y', 'true', 'oui', 'ja', 'sí', 'si', '是', '有', '对']);
const NO = new Set(['no', 'n', 'false', 'non', 'nein', '否', '无', '没有', '不']);

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

function suggestion(key: string): string {
  let best = '';
  let bestD = Infinity;
  for (const q of QUESTIONS) {
    const dist = levenshtein(key.toLowerCase(), q.key);
    if (dist < bestD) [best, bestD] = [q.key, dist];
  }
  return bestD <= Math.max(3, Math.floor(best.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

const NUMBER = /^\s*[-+]?([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*$/;

function toNumber(v: unknown, integer: boolean): number | null {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && NUMBER.test(v)) n = Number(v.trim());
  else return null;
  if (!Number.isFinite(n)) return null;
  if (integer && (!Number.isInteger(n) || n < 0)) return null;
  return n;
}

function toList(v: unknown, integer: boolean): (number | null)[] | null {
  let items: unknown[];
  if (Array.isArray(v)) items = v;
  else if (typeof v === 'string') items = v.split(/[\s,;]+/).filter((x) => x.length > 0);
  else if (typeof v === 'number') items = [v];
  else return null;
  const out: (number | null)[] = [];
  for (const x of items) {
    if (x === null) {
      out.push(null);
      continue;
    }
    const n = toNumber(x, integer);
    if (n === null) return null;
    out.push(n);
  }
  return out;
}

function toBool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (YES.has(s)) return true;
    if (NO.has(s)) return false;
  }
  return null;
}

const EXPECTED: Record<Kind, string> = {
  ip: 'an IP address (text)',
  int: 'a whole number',
  seq: 'a whole number (a sequence number)',
  bool: 'true or false',
  count: 'a whole number (or true/false)',
  seqList: 'a list of whole numbers, e.g. [1, 2, 3]',
  intList: 'a list of whole numbers, e.g. [1, 2, 3]',
  frameList: 'a list of frame numbers, e.g. [1, 2, 3] ([] for none)',
  timeList: 'a list of times in seconds, e.g. [0.1, 0.2]',
  rttList: 'a list of seconds, e.g. [0.02, 0.03], or one number',
  throughput: 'a number of bytes/s, or a value with a unit such as "12.5 KB/s" or "100 kbit/s"',
  role: 'one of client, server, both, none',
};

/** Converts one value to its kind; null when it does not fit. */
export function convert(kind: Kind, v: unknown): AnswerValue | null {
  switch (kind) {
    case 'ip':
      return typeof v === 'string' ? v.trim() : null;
    case 'role':
      return typeof v === 'string' ? v.trim() : null;
    case 'int':
    case 'seq':
      return toNumber(v, true);
    case 'bool':
      return toBool(v);
    case 'count':
      return typeof v === 'boolean' || typeof v === 'string' && toBool(v) !== null ? toBool(v) : toNumber(v, true);
    case 'seqList':
    case 'intList':
    case 'frameList':
      // "none" in English or Chinese (wu, meiyou); escaped, so that the bundle stays ASCII (scripts/bundle.ts)
      if (typeof v === 'string' && /^\s*(none|\u65e0|\u6ca1\u6709|-)?\s*$/i.test(v)) return [];
      return toList(v, true);
    case 'timeList':
      return toList(v, false);
    case 'rttList':
      // one number is the last estimate (EstimatedRTT), not a list of one
      if (typeof v === 'number' || (typeof v === 'string' && NUMBER.test(v))) return toNumber(v, false);
      return toList(v, false);
    case 'throughput':
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return { given: v, unit: null, bytesPerSecond: v };
      return typeof v === 'string' ? parseThroughput(v) : null;
  }
}

/**
 * Where strict JSON syntax first fails, or -1 (YAML would accept `"a": ,` or a trailing comma,
 * so a .json file is checked by this small recursive-descent reader first).
 */
export function jsonErrorAt(text: string): { pos: number; what: string } | null {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const fail = (what: string): never => {
    throw { pos: i, what };
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a "quoted" key');
        string();
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail('expected "," or "}"');
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail('expected "," or "]"');
      }
    } else if (c === '"') string();
    else {
      const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) fail('expected a value');
      i += (m as RegExpExecArray)[0].length;
    }
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text[i] === '\n') fail('unterminated string');
      i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
  };
  try {
    value();
    ws();
    if (i < text.length) fail('unexpected text after the end');
    return null;
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'pos' in e) return e as { pos: number; what: string };
    throw e;
  }
}

/** Parses and checks an answers file. `name` is used in messages ("answers.yaml:12: …"). */
export function parseAnswers(text: string, name: string): Answers {
  const lc = new LineCounter();
  if (/\.json$/i.test(name) || /^\s*\{/.test(text)) {
    const bad = jsonErrorAt(text);
    if (bad !== null) throw new AnswersError(`${name}:${text.slice(0, bad.pos).split('\n').length}: not valid YAML or JSON: ${bad.what}`);
  }
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos ? e.linePos[0].line : lc.linePos(e.pos[0]).line;
    throw new AnswersError(`${name}:${line}: not valid YAML or JSON: ${e.message.split('\n')[0]}`);
  }
  const answers: Answers = new Map();
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return answers;
  if (!isMap(root)) throw new AnswersError(`${name}: expected a mapping of question keys to answers (key: value lines), found ${isScalar(root) ? 'a single value' : 'a list'}`);
  const lineOf = (n: Node | null | undefined): number => (n && n.range ? lc.linePos(n.range[0]).line : 0);
  for (const pair of root.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? String(keyNode.value) : null;
    const line = lineOf(keyNode);
    if (key === null) throw new AnswersError(`${name}:${line}: a key must be a plain name`);
    if (key.startsWith('_')) continue;
    const q = QUESTIONS.find((x) => x.key === key);
    if (q === undefined) throw new AnswersError(`${name}:${line}: unknown key "${key}"${suggestion(key)}; the keys are those of "tcpflow-explain lab --template"`);
    const valueNode = pair.value as Node | null;
    const raw: unknown = valueNode === null ? null : valueNode.toJSON();
    if (raw === null || raw === undefined || raw === '') continue;
    const v = convert(q.kind, raw);
    if (v === null) throw new AnswersError(`${name}:${line}: "${key}" must be ${EXPECTED[q.kind]}, not ${JSON.stringify(raw)}`);
    answers.set(key, { value: v, line });
  }
  return answers;
}
