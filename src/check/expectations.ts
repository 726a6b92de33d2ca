/**
 * `check` expectations: `--expect <key><op><value>`, and what the rules file (./rules.ts) builds.
 *
 * Keys and operators are SPEC.md's: `=` (a value or a comma list of allowed values), `!=`,
 * `<=`, `>=`; keys handshake, teardown (`graceful` = four-way,three-way,simultaneous),
 * initiator, zeek, client-state, server-state, irtt (seconds; `ms`/`us` suffixes accepted),
 * connections (the number selected) and every Wireshark analysis name (a count per
 * connection). Everything is validated before any capture is read, with a message that names
 * the expectation (and, in a rules file, the key path and line).
 */
import { ANALYSIS_NAMES } from '../analyze/flags.js';
import { HANDSHAKE_KINDS, STATE_NAMES, TEARDOWN_KINDS } from '../analyze/story.js';

export type Op = '=' | '!=' | '<=' | '>=';
export const OPS: readonly Op[] = ['<=', '>=', '!=', '='];

export { HANDSHAKE_KINDS, TEARDOWN_KINDS };
export const GRACEFUL = ['four-way', 'three-way', 'simultaneous'] as const;
export const INITIATORS = ['client', 'server', 'none'] as const;
export const ZEEK_STATES = ['S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR', 'OTH'] as const;
const TCP_STATES: readonly string[] = STATE_NAMES;

type KeyKind = 'enum' | 'count' | 'seconds';
interface KeyInfo {
  kind: KeyKind;
  values?: readonly string[];
  /** Aliases of an enum key, expanded when parsed (teardown's `graceful`). */
  aliases?: Record<string, readonly string[]>;
  /** What the key means, for --help and messages. */
  about: string;
}

export const KEYS: ReadonlyMap<string, KeyInfo> = new Map<string, KeyInfo>([
  ['handshake', { kind: 'enum', values: HANDSHAKE_KINDS, about: 'handshake.kind of each connection' }],
  ['teardown', { kind: 'enum', values: TEARDOWN_KINDS, aliases: { graceful: GRACEFUL }, about: 'teardown.kind of each connection (graceful = four-way,three-way,simultaneous)' }],
  ['initiator', { kind: 'enum', values: INITIATORS, about: 'who sent the first FIN (or the RST): client, server, none' }],
  ['zeek', { kind: 'enum', values: ZEEK_STATES, about: "Zeek's conn_state" }],
  ['client-state', { kind: 'enum', values: TCP_STATES, about: "the client's RFC 9293 state after the last packet" }],
  ['server-state', { kind: 'enum', values: TCP_STATES, about: "the server's RFC 9293 state after the last packet" }],
  ['irtt', { kind: 'seconds', about: "the handshake's initial RTT (SYN to final ACK), seconds" }],
  ['connections', { kind: 'count', about: 'the number of connections selected' }],
  ...ANALYSIS_NAMES.map((n): [string, KeyInfo] => [n, { kind: 'count', about: `number of packets Wireshark flags tcp.analysis.${n}` }]),
]);

export interface Expectation {
  key: string;
  op: Op;
  /** Allowed/forbidden values for enum keys (aliases expanded), numbers for the others. */
  values: string[];
  numbers: number[];
  /** As the user wrote it, normalised (`teardown=graceful`, `irtt<=0.05`). */
  text: string;
}

export interface SelectionSpec {
  stream?: string;
  port?: string;
  host?: string;
}

export interface RuleGroup {
  /** Shown in reports; "" for the command line's and the rules file's top-level expectations. */
  name: string;
  select: SelectionSpec;
  expect: Expectation[];
}

export interface Rules {
  groups: RuleGroup[];
  allowTruncated: boolean;
  allowRstAfterFin: boolean;
  /** From a rules file (idleTimeout, maxConnections, count): the bounds, unless the command line gives them. */
  idleTimeout?: number;
  maxConnections?: number;
  /** The most frames read of each capture (-c). */
  count?: number;
}

export class ExpectationError extends Error {}

function distance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/** " (did you mean "x"?)" when one known word is close. */
export function suggest(word: string, known: Iterable<string>): string {
  let best = '';
  let bestD = Infinity;
  for (const k of known) {
    const dd = distance(word.toLowerCase(), k.toLowerCase());
    if (dd < bestD) {
      bestD = dd;
      best = k;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

/**
 * Units of a time, by their lower case. Micro is written with either sign: the micro sign
 * (U+00B5) and the Greek small mu (U+03BC) look the same and keyboards give both. (A
 * case-insensitive pattern matched the second and then found no unit for it: the value was NaN,
 * and `irtt!=…` held whatever the RTT.)
 */
const UNIT: Record<string, number> = { s: 1, ms: 1e-3, us: 1e-6, '\u00b5s': 1e-6, '\u03bcs': 1e-6 };

function parseSeconds(v: string, ctx: string): number {
  const m = /^([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([^\s0-9.+-]*)$/.exec(v.trim());
  const unit = m ? UNIT[m[2] === '' ? 's' : m[2].toLowerCase()] : undefined;
  const seconds = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!Number.isFinite(seconds)) throw new ExpectationError(`${ctx}: "${v}" is not a time (seconds, or with a unit: s, ms, us or \u00b5s, as in 50ms or 200us)`);
  return seconds;
}

function parseCount(v: string, ctx: string): number {
  const t = v.trim();
  if (!/^[0-9]+$/.test(t)) throw new ExpectationError(`${ctx}: "${v}" is not a whole number`);
  return Number(t);
}

/** Builds one expectation from its parts; `ctx` prefixes error messages. */
export function makeExpectation(key: string, op: Op, rawValues: string[], ctx: string): Expectation {
  const info = KEYS.get(key);
  if (!info) throw new ExpectationError(`${ctx}: unknown key "${key}"${suggest(key, KEYS.keys())}; known keys: ${[...KEYS.keys()].join(', ')}`);
  const vals = rawValues.map((v) => v.trim()).filter((v) => v.length > 0);
  if (vals.length === 0) throw new ExpectationError(`${ctx}: no value after "${key}${op}"`);
  if (info.kind === 'enum') {
    if (op === '<=' || op === '>=') throw new ExpectationError(`${ctx}: "${key}" takes = or != (a value or a comma list), not ${op}`);
    const out: string[] = [];
    for (const v of vals) {
      const alias = info.aliases?.[v];
      if (alias) {
        out.push(...alias);
        continue;
      }
      const match = info.values!.find((x) => x.toLowerCase() === v.toLowerCase());
      const known = [...info.values!, ...Object.keys(info.aliases ?? {})];
      if (!match) throw new ExpectationError(`${ctx}: "${v}" is not a value of ${key}${suggest(v, known)}; allowed: ${known.join(', ')}`);
      out.push(match);
    }
    return { key, op, values: [...new Set(out)], numbers: [], text: `${key}${op}${vals.join(',')}` };
  }
  if ((op === '<=' || op === '>=') && vals.length > 1) throw new ExpectationError(`${ctx}: ${op} takes one number, not a list`);
  const numbers = vals.map((v) => (info.kind === 'seconds' ? parseSeconds(v, ctx) : parseCount(v, ctx)));
  return { key, op, values: [], numbers, text: `${key}${op}${vals.join(',')}` };
}

/** Parses `key<op>value` (the form of --expect and of the rules file's list items). */
export function parseExpectation(text: string, ctx = `--expect ${text}`): Expectation {
  // `==` first: the pattern below would read it as `=` and a value beginning with "="
  const bad = /^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*(==|<(?!=)|>(?!=)|:)/.exec(text);
  if (bad) throw new ExpectationError(`${ctx}: operator "${bad[2]}" is not one of = != <= >=${bad[2] === '==' ? ' (equality is a single =)' : ''}`);
  const m = /^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*(<=|>=|!=|=)\s*(.*)$/.exec(text);
  if (!m) {
    throw new ExpectationError(`${ctx}: expected <key><op><value> with op one of = != <= >= (e.g. retransmission<=0)`);
  }
  return makeExpectation(m[1]!.toLowerCase(), m[2] as Op, m[3]!.split(','), ctx);
}
