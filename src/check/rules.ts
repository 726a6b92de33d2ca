/**
 * The `check --rules` file (YAML 1.2, which includes JSON): its groups of expectations
 * (./expectations.ts), validated with messages that name the key path and line. A module of
 * its own so that the YAML parser is loaded only when a rules file is given.
 */
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node as YamlNode } from 'yaml';
import { parseSelection, SelectionError } from '../cli/select.js';
import { ExpectationError, KEYS, makeExpectation, parseExpectation, suggest, type Expectation, type Op, type RuleGroup, type Rules, type SelectionSpec } from './expectations.js';

const TOP_KEYS = ['expect', 'select', 'rules', 'allowTruncated', 'allowRstAfterFin', 'idleTimeout', 'maxConnections', 'count'];
const GROUP_KEYS = ['name', 'select', 'expect'];
const SELECT_KEYS = ['stream', 'port', 'host'];

type Path = (string | number)[];

class RulesReader {
  constructor(
    private readonly file: string,
    private readonly doc: ReturnType<typeof parseDocument>,
    private readonly lines: LineCounter,
  ) {}

  where(path: Path): string {
    const shown = path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${p}` : p), '');
    const node = path.length > 0 ? this.doc.getIn(path, true) as YamlNode | undefined : this.doc.contents as YamlNode | null;
    const at = node && node.range ? `:${this.lines.linePos(node.range[0]).line}` : '';
    return `${this.file}${at}${shown ? ` (${shown})` : ''}`;
  }

  fail(path: Path, msg: string): never {
    throw new ExpectationError(`${this.where(path)}: ${msg}`);
  }

  object(v: unknown, path: Path, known: string[]): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, `must be a mapping with keys ${known.join(', ')}, got ${describe(v)}`);
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!known.includes(k)) this.fail([...path, k], `unknown key "${k}"${suggest(k, known)}; known keys here: ${known.join(', ')}`);
    }
    return o;
  }

  bool(v: unknown, path: Path): boolean {
    if (v === undefined) return false;
    if (typeof v !== 'boolean') this.fail(path, `must be true or false, got ${describe(v)}`);
    return v;
  }

  /** A positive number (an integer when `integer`), or undefined when absent. */
  positive(v: unknown, path: Path, integer: boolean): number | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
      this.fail(path, `must be a positive ${integer ? 'integer' : 'number'}, got ${describe(v)}`);
    }
    return v;
  }

  select(v: unknown, path: Path): SelectionSpec {
    if (v === undefined) return {};
    const o = this.object(v, path, SELECT_KEYS);
    const out: SelectionSpec = {};
    for (const k of SELECT_KEYS) {
      const x = o[k];
      if (x === undefined) continue;
      const items = Array.isArray(x) ? x : [x];
      if (items.length === 0) this.fail([...path, k], 'is an empty list');
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        if (typeof it !== 'string' && typeof it !== 'number') this.fail(Array.isArray(x) ? [...path, k, i] : [...path, k], `must be ${k === 'host' ? 'an address' : 'a number'} or a list of them, got ${describe(it)}`);
      }
      const joined = items.map(String).join(',');
      // the values are checked here, where the file and line can be named
      try {
        parseSelection({ [k]: joined });
      } catch (e) {
        if (e instanceof SelectionError) this.fail([...path, k], e.message);
        throw e;
      }
      (out as Record<string, string>)[k] = joined;
    }
    return out;
  }

  expectations(v: unknown, path: Path): Expectation[] {
    if (v === undefined) return [];
    const out: Expectation[] = [];
    const wrap = (p: Path, f: () => Expectation): void => {
      try {
        out.push(f());
      } catch (e) {
        if (e instanceof ExpectationError) this.fail(p, e.message);
        throw e;
      }
    };
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        if (typeof item !== 'string') this.fail([...path, i], `must be a string like "retransmission<=0", got ${describe(item)}`);
        wrap([...path, i], () => parseExpectation(item, 'expectation'));
      });
      return out;
    }
    if (v === null || typeof v !== 'object') this.fail(path, `must be a list of "key<op>value" strings or a mapping key: value, got ${describe(v)}`);
    for (const [key, val] of Object.entries(v as Record<string, unknown>)) {
      const p = [...path, key];
      const k = key.toLowerCase();
      if (!KEYS.has(k)) this.fail(p, `unknown key "${key}"${suggest(key, KEYS.keys())}; known keys: ${[...KEYS.keys()].join(', ')}`);
      if (typeof val === 'number' || typeof val === 'boolean') {
        if (typeof val === 'boolean') this.fail(p, `must be a value, a list of values or a string with an operator (">=1"), got ${describe(val)}`);
        wrap(p, () => makeExpectation(k, '=', [String(val)], 'value'));
      } else if (typeof val === 'string') {
        const m = /^\s*(<=|>=|!=|=)\s*(.*)$/.exec(val);
        wrap(p, () => (m ? makeExpectation(k, m[1] as Op, m[2]!.split(','), 'value') : makeExpectation(k, '=', val.split(','), 'value')));
      } else if (Array.isArray(val)) {
        val.forEach((x, i) => {
          if (typeof x !== 'string' && typeof x !== 'number') this.fail([...p, i], `must be a value, got ${describe(x)}`);
        });
        wrap(p, () => makeExpectation(k, '=', val.map(String), 'value'));
      } else {
        this.fail(p, `must be a value, a list of values or a string with an operator (">=1"), got ${describe(val)}`);
      }
    }
    return out;
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Parses a rules file's text (YAML 1.2, which includes JSON). */
export function parseRules(text: string, file: string): Rules {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lines.linePos(e.pos[0]);
    throw new ExpectationError(`${file}:${pos.line}:${pos.col}: not valid YAML/JSON: ${e.message.split('\n')[0]}`);
  }
  if (!isMap(doc.contents) && !(doc.contents === null)) {
    const what = isSeq(doc.contents) ? 'a list' : isScalar(doc.contents) ? 'a single value' : 'not a mapping';
    throw new ExpectationError(`${file}: the rules file must be a mapping (keys ${TOP_KEYS.join(', ')}), but it is ${what}`);
  }
  const r = new RulesReader(file, doc, lines);
  const top = r.object(doc.toJS() ?? {}, [], TOP_KEYS);
  const groups: RuleGroup[] = [];
  const topExpect = r.expectations(top.expect, ['expect']);
  const topSelect = r.select(top.select, ['select']);
  if (topExpect.length > 0) groups.push({ name: '', select: topSelect, expect: topExpect });
  else if (top.select !== undefined) r.fail(['select'], 'a top-level select needs a top-level expect list to apply to');
  if (top.rules !== undefined) {
    const list: unknown = top.rules;
    if (!Array.isArray(list)) r.fail(['rules'], `must be a list of {name, select, expect}, got ${describe(list)}`);
    const names = new Set<string>();
    (list as unknown[]).forEach((g, i) => {
      const o = r.object(g, ['rules', i], GROUP_KEYS);
      if (o.name !== undefined && typeof o.name !== 'string') r.fail(['rules', i, 'name'], `must be a string, got ${describe(o.name)}`);
      const name = (o.name as string | undefined) ?? `rule ${i + 1}`;
      if (names.has(name)) r.fail(['rules', i, 'name'], `"${name}" is used twice; rule names must be unique (they name the JUnit test cases)`);
      names.add(name);
      const expect = r.expectations(o.expect, ['rules', i, 'expect']);
      if (expect.length === 0) r.fail(['rules', i], 'has no expectations (expect)');
      groups.push({ name, select: r.select(o.select, ['rules', i, 'select']), expect });
    });
  }
  if (groups.length === 0) throw new ExpectationError(`${file}: no expectations (give "expect" or "rules")`);
  const rules: Rules = { groups, allowTruncated: r.bool(top.allowTruncated, ['allowTruncated']), allowRstAfterFin: r.bool(top.allowRstAfterFin, ['allowRstAfterFin']) };
  const idle = r.positive(top.idleTimeout, ['idleTimeout'], false);
  const max = r.positive(top.maxConnections, ['maxConnections'], true);
  const count = r.positive(top.count, ['count'], true);
  if (idle !== undefined) rules.idleTimeout = idle;
  if (max !== undefined) rules.maxConnections = max;
  if (count !== undefined) rules.count = count;
  return rules;
}
