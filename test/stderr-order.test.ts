/**
 * Standard error's lines come after the standard output written before them, also when standard
 * output is a pipe whose writes are still in flight (POSIX pipes are written asynchronously): with
 * both on one pipe (`2>&1 | less`, a CI log) a warning written at the end of a capture used to
 * land among its last bytes, in the middle of a line. The streams here stand for one pipe: a
 * chunk of standard output reaches the log only when its write completes, some milliseconds
 * later, and a line of standard error at once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { LOADER, runCli, type BundleLoader } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/corpus.js';
import { CliContext } from '../src/cli/context.js';

const { main } = ((await import(LOADER.href)) as BundleLoader).loadBundle().exports;

/** What one pipe gets from both streams, in the order it gets it. */
interface Pipe {
  log: { from: 'out' | 'err'; text: string }[];
  stdout: Writable;
  stderr: Writable;
}

function pipe(): Pipe {
  const log: Pipe['log'] = [];
  const stdout = new Writable({
    // write() says yes to everything, as a pipe with room in Node's buffer does: nothing waits for 'drain'
    highWaterMark: 1 << 30,
    write(chunk: Buffer, _enc, cb) {
      setTimeout(() => {
        if (chunk.length > 0) log.push({ from: 'out', text: chunk.toString('utf8') });
        cb();
      }, 3);
    },
  });
  const stderr = new Writable({
    write(chunk: Buffer, _enc, cb) {
      log.push({ from: 'err', text: chunk.toString('utf8') });
      cb();
    },
  });
  return { log, stdout, stderr };
}

async function run(args: string[]): Promise<{ code: number; log: Pipe['log']; errorsAtReturn: number }> {
  const p = pipe();
  const code = await main(args, { stdout: p.stdout as never, stderr: p.stderr, stdin: Readable.from([]) });
  // (the process may end as soon as main() returns and nothing is left to write: bin/)
  const errorsAtReturn = p.log.filter((e) => e.from === 'err').length;
  // the writes still in flight complete, as the process waits for them before it ends
  await new Promise<void>((resolve) => p.stdout.end(resolve));
  return { code, log: p.log, errorsAtReturn };
}

const MANY = join(REPO_ROOT, 'fixtures', 'regress', 'many-connections.pcap.gz');
const FOUR_WAY = join(REPO_ROOT, 'fixtures', 'tcp-four-way', 'capture.pcap');

describe('standard error after the standard output before it', () => {
  it("a capture's warning comes after its last byte of output, whole", async () => {
    const args = ['--max-connections', '1', MANY];
    const alone = await runCli(args);
    assert.match(alone.stderr, /finalised early because more than 1 were open/);
    const r = await run(args);
    assert.equal(r.code, alone.code);
    const last = r.log[r.log.length - 1];
    assert.equal(last.from, 'err');
    assert.equal(last.text, alone.stderr);
    assert.equal(r.log.filter((e) => e.from === 'err').length, 1);
    assert.equal(r.log.filter((e) => e.from === 'out').map((e) => e.text).join(''), alone.stdout);
  });

  it('with several captures, each one\'s warning between its output and the next one\'s, in parallel (-j 2) and one at a time', async () => {
    for (const jobs of ['2', '1']) {
      const args = ['-j', jobs, '--max-connections', '1', MANY, FOUR_WAY];
      const first = await runCli(['--max-connections', '1', MANY]);
      const second = await runCli([FOUR_WAY]);
      const r = await run(args);
      const merged = r.log.map((e) => e.text).join('');
      // the first capture's text, its warning, a blank line, the second capture's text
      assert.equal(merged, `${first.stdout}${first.stderr}\n${second.stdout}`, `-j ${jobs}`);
    }
  });

  it('an error after some output (an unreadable second capture) comes after that output; the exit code is 2', async () => {
    const r = await run([FOUR_WAY, join(REPO_ROOT, 'no-such.pcap')]);
    assert.equal(r.code, 2);
    const last = r.log[r.log.length - 1];
    assert.equal(last.from, 'err');
    assert.match(last.text, /no-such\.pcap/);
    assert.ok(r.log.slice(0, -1).every((e) => e.from === 'out'));
    // written before main() returned, not left waiting
    assert.equal(r.errorsAtReturn, 1);
  });

  it('lines keep their order when standard output is destroyed (a reader gone) while some wait, and all are written by messagesWritten()', async () => {
    const p = pipe();
    const ctx = new CliContext({ stdout: p.stdout as never, stderr: p.stderr, stdin: Readable.from([]) });
    p.stdout.write(Buffer.from('output\n'));
    ctx.warn('first');
    ctx.warn('second');
    p.stdout.destroy();
    ctx.warn('third');
    const a = ctx.messagesWritten();
    const b = ctx.messagesWritten();
    await Promise.all([a, b]);
    assert.deepEqual(p.log.filter((e) => e.from === 'err').map((e) => e.text.replace(/^.*warning: /, '').trim()), ['first', 'second', 'third']);
  });
});
