/**
 * The bench's command line (scripts/bench.ts), parsed strictly: an option it does not know, a
 * capture or mode it does not have, or a round count that is not a whole number from 1 is an
 * error, not ignored. Before this, `--help`, a misspelt `--capture short1m` or `--modes jsno` ran
 * the whole default bench (the 10M-packet captures and tshark on them: about fifteen minutes)
 * and a misspelt name in a list was skipped without a word.
 */
import { parseArgs } from 'node:util';

/** A capture or mode the bench has: its name, and whether it runs only when named. */
export interface Named {
  name: string;
  optIn?: boolean;
}

export interface BenchArgs {
  help: boolean;
  /** The captures to run, as named (the defaults when --captures is not given). */
  captures: string[];
  modes: string[];
  repeat: number;
  /** --cache, or null for the default (bench-cache/). */
  cache: string | null;
  keepEnv: boolean;
  /** --compare: the two result files to compare (the new one null: the latest, bench-results/bench.json); null without it. */
  compare: [string, string | null] | null;
}

/** What is wrong with the command line (the bench prints it and its usage, and exits 2). */
export class BenchArgsError extends Error {}

/**
 * The names of a comma list, each one of `known` (`what`: "capture" or "mode", for the
 * message); "default" stands for the ones that run when the option is not given.
 */
function names(list: string, known: readonly Named[], what: string): string[] {
  const out: string[] = [];
  for (const raw of list.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (name === 'default') {
      for (const k of known) if (!k.optIn && !out.includes(k.name)) out.push(k.name);
      continue;
    }
    if (!known.some((k) => k.name === name)) {
      throw new BenchArgsError(`unknown ${what} '${name}' (${what}s: ${known.map((k) => k.name).join(', ')}; "default" for the ones run without --${what}s)`);
    }
    if (!out.includes(name)) out.push(name);
  }
  if (out.length === 0) throw new BenchArgsError(`--${what}s names no ${what}`);
  return out;
}

/** Parses the bench's arguments (process.argv.slice(2)); throws BenchArgsError. */
export function parseBenchArgs(argv: readonly string[], captures: readonly Named[], modes: readonly Named[]): BenchArgs {
  let values: { captures?: string; modes?: string; repeat?: string; cache?: string; 'keep-env'?: boolean; help?: boolean; compare?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        captures: { type: 'string' },
        modes: { type: 'string' },
        repeat: { type: 'string' },
        cache: { type: 'string' },
        'keep-env': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        compare: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    // node:util's messages name the option ("Unknown option '--capture'", "Option '--repeat
    // <value>' argument missing", "Unexpected argument 'x'"); their advice about '--' does not
    // apply here
    throw new BenchArgsError((e as Error).message.replace(/\s*To specify .*$/s, '').replace(/\s*\n\s*/g, ' ').replace(/\.$/, ''));
  }
  const help = values.help === true;
  let compare: [string, string | null] | null = null;
  if (values.compare === true) {
    if (positionals.length < 1 || positionals.length > 2) throw new BenchArgsError('--compare needs one or two result files: OLD.json [NEW.json] (NEW: the latest, bench-results/bench.json)');
    const others = (['captures', 'modes', 'repeat', 'cache', 'keep-env'] as const).filter((k) => values[k] !== undefined);
    if (others.length > 0) throw new BenchArgsError(`--compare runs nothing: --${others[0]} has no meaning with it`);
    compare = [positionals[0], positionals[1] ?? null];
  } else if (positionals.length > 0) {
    throw new BenchArgsError(`Unexpected argument '${positionals[0]}' (result files go with --compare)`);
  }
  const repeatText = values.repeat ?? '1';
  const repeat = Number(repeatText);
  if (!help && compare === null && !(/^\s*\d+\s*$/.test(repeatText) && repeat >= 1)) throw new BenchArgsError(`--repeat needs a whole number from 1, not '${repeatText}'`);
  return {
    help,
    captures: help || compare !== null ? [] : names(values.captures ?? 'default', captures, 'capture'),
    modes: help || compare !== null ? [] : names(values.modes ?? 'default', modes, 'mode'),
    repeat: help || compare !== null ? 1 : repeat,
    cache: values.cache ?? null,
    keepEnv: values['keep-env'] === true,
    compare: help ? null : compare,
  };
}
