/**
 * Connection selection for every output: `-s/--stream` (ids, comma list), `--port` (either
 * endpoint), `--host` (either endpoint; IPv6 compared in canonical RFC 5952 form).
 */
import { isIP } from 'node:net';
import { flowAddress, type Connection } from '../analyze/connection.js';
import { ipv6ToString } from '../util/addr.js';
import { EXIT_USAGE, type CliContext } from './context.js';

export interface Selection {
  streams: Set<number> | null;
  ports: Set<number> | null;
  hosts: Set<string> | null;
}

export class SelectionError extends Error {}

function list(v: string | undefined): string[] | null {
  if (v === undefined) return null;
  return v.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
}

/**
 * The address as connections show theirs (util/addr.ts), so that any spelling of it matches: an
 * IPv6 address in any form (upper case, uncompressed, a dotted quad at the end) becomes RFC 5952
 * text, an IPv4-mapped one with its dotted quad. A zone index (fe80::1%eth0) names an interface
 * of the capturing host and is not in the packets: it is left out. Anything else is an error,
 * not a selection that can never match (names are not looked up).
 */
function canonicalHost(h: string): string {
  const bare = h.includes(':') ? h.replace(/%[^%]*$/, '') : h;
  const v = isIP(bare);
  if (v === 4) return bare;
  if (v !== 6) throw new SelectionError(`host "${h}" is not an IP address (an IPv4 dotted quad or an IPv6 address; names are not looked up)`);
  // the URL parser writes every IPv6 form as hex groups, with "::" for the longest zero run
  const hex = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const cut = hex.indexOf('::');
  const left = (cut < 0 ? hex : hex.slice(0, cut)).split(':').filter((g) => g !== '');
  const right = cut < 0 ? [] : hex.slice(cut + 2).split(':').filter((g) => g !== '');
  const groups = [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right].map((g) => parseInt(g, 16));
  const words = [0, 1, 2, 3].map((i) => ((groups[2 * i]! << 16) | groups[2 * i + 1]!) >>> 0);
  return ipv6ToString(words);
}

export function parseSelection(o: { stream?: string; port?: string; host?: string }): Selection {
  const s = list(o.stream);
  const p = list(o.port);
  const h = list(o.host);
  // an empty value (--host '') would select nothing, whatever the capture: an error instead
  const given = (xs: string[], what: string): string[] => {
    if (xs.length === 0) throw new SelectionError(`no ${what} given (an empty value)`);
    return xs;
  };
  const nums = (xs: string[], what: string, max: number): Set<number> =>
    new Set(given(xs, what).map((x) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n < 0 || n > max) throw new SelectionError(`${what} "${x}" is not a number from 0 to ${max}`);
      return n;
    }));
  return {
    streams: s ? nums(s, 'stream id', Number.MAX_SAFE_INTEGER) : null,
    ports: p ? nums(p, 'port', 65535) : null,
    hosts: h ? new Set(given(h, 'host').map(canonicalHost)) : null,
  };
}

export function selected(c: Connection, sel: Selection): boolean {
  if (sel.streams && !sel.streams.has(c.id)) return false;
  if (sel.ports && !sel.ports.has(c.a.port) && !sel.ports.has(c.b.port)) return false;
  if (sel.hosts) {
    const a = flowAddress(c.ipVersion, c.a);
    const b = flowAddress(c.ipVersion, c.b);
    if (!sel.hosts.has(a) && !sel.hosts.has(b)) return false;
  }
  return true;
}

/** parseSelection, reporting a bad value as a usage error (exit 2); null then. */
export function selectionFrom(ctx: CliContext, o: { stream?: string; port?: string; host?: string }): Selection | null {
  try {
    return parseSelection(o);
  } catch (e) {
    if (e instanceof SelectionError) {
      ctx.err(e.message);
      ctx.fail(EXIT_USAGE);
      return null;
    }
    throw e;
  }
}
