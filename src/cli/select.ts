/**
 * Connection selection for every output: `-s/--stream` (ids, comma list), `--port` (either
 * endpoint), `--host` (either endpoint; IPv6 compared in canonical RFC 5952 form).
 */
import { isIPv6 } from 'node:net';
import type { Connection } from '../analyze/connection.js';
import { addressToString } from '../util/addr.js';
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

function canonicalHost(h: string): string {
  if (isIPv6(h)) return new URL(`http://[${h}]/`).hostname.replace(/^\[|\]$/g, '');
  return h;
}

export function parseSelection(o: { stream?: string; port?: string; host?: string }): Selection {
  const s = list(o.stream);
  const p = list(o.port);
  const h = list(o.host);
  const nums = (xs: string[], what: string, max: number): Set<number> =>
    new Set(xs.map((x) => {
      const n = Number(x);
      if (!Number.isInteger(n) || n < 0 || n > max) throw new SelectionError(`${what} "${x}" is not a number from 0 to ${max}`);
      return n;
    }));
  return {
    streams: s ? nums(s, 'stream id', Number.MAX_SAFE_INTEGER) : null,
    ports: p ? nums(p, 'port', 65535) : null,
    hosts: h ? new Set(h.map(canonicalHost)) : null,
  };
}

export function selected(c: Connection, sel: Selection): boolean {
  if (sel.streams && !sel.streams.has(c.id)) return false;
  if (sel.ports && !sel.ports.has(c.a.port) && !sel.ports.has(c.b.port)) return false;
  if (sel.hosts) {
    const a = addressToString(c.ipVersion, c.a.addr);
    const b = addressToString(c.ipVersion, c.b.addr);
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
