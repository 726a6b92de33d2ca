/** Runs the CLI in-process with captured stdout/stderr. */
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], stdin: Readable = Readable.from([])): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
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
