/**
 * Runs the CLI in-process with captured stdout/stderr. It runs the bundle (dist/bundle/main.cjs,
 * scripts/bundle.ts), loaded as bin/tcpflow-explain.js loads it (bin/load-bundle.js), not the tsc
 * output in dist/src: the CLI tests exercise what users run, -j workers included. The other
 * tests import dist/src.
 */
import { PassThrough, Readable } from 'node:stream';
import type * as Cli from '../../src/cli/main.js';

/** bin/load-bundle.js, which has no types of its own. */
export interface BundleLoader {
  BUNDLE: string;
  CODE_CACHE: string;
  loadBundle(o?: { useCache?: boolean }): { exports: typeof Cli; cache: 'accepted' | 'rejected' | 'none' };
}

/** dist/test/helpers/cli.js -> bin/load-bundle.js */
export const LOADER = new URL('../../../bin/load-bundle.js', import.meta.url);
const { main } = ((await import(LOADER.href)) as BundleLoader).loadBundle().exports;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `terminal`: standard error is a terminal of that many columns (the progress line is drawn). */
export async function runCli(args: string[], stdin: Readable = Readable.from([]), terminal?: { columns: number }): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  if (terminal) Object.assign(err, { isTTY: true, columns: terminal.columns });
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (d: Buffer) => o.push(d));
  err.on('data', (d: Buffer) => e.push(d));
  const code = await main(args, { stdout: out, stderr: err, stdin });
  out.end();
  err.end();
  return { code, stdout: Buffer.concat(o).toString('utf8'), stderr: Buffer.concat(e).toString('utf8') };
}

/** A stack trace line as Node prints it. */
export const STACK_LINE = /^\s+at .+[(:]\d+/m;
