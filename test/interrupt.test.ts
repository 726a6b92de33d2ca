/**
 * An interrupted parallel run (`-j`, `check -j`) leaves nothing in the temporary directory: its
 * outputs and results wait in files there until they are written out, and SIGINT, SIGTERM or
 * SIGHUP removes them before the process ends by that signal (src/cli/interrupt.ts). The run
 * is held in its parallel phase by a capture that is a named pipe nobody writes to. A temporary
 * directory that cannot be made is said plainly (exit 2), not as an internal error.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { REPO_ROOT } from './helpers/corpus.js';
import { tempDir } from './helpers/tmp.js';

const BIN = join(REPO_ROOT, 'bin', 'tcpflow-explain.js');
const fixture = (name: string): string => join(REPO_ROOT, 'fixtures', name, 'capture.pcap');
const NO_FIFO = process.platform === 'win32' ? 'no named pipes (mkfifo) on Windows' : false;

/** Runs the CLI with its own TMPDIR; once `prefix*` appears there, sends `signal`; resolves with how it ended and what TMPDIR holds then. */
async function interrupted(args: string[], prefix: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null; left: string[]; seen: string[] }> {
  const tmp = tempDir('tcpflow-interrupt-');
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'ignore', 'pipe'] });
  const ended = new Promise<{ code: number | null; signal: string | null }>((res) => child.on('exit', (code, sig) => res({ code, signal: sig })));
  let seen: string[] = [];
  for (let waited = 0; waited < 30_000; waited += 20) {
    seen = readdirSync(tmp).filter((f) => f.startsWith(prefix));
    if (seen.length > 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill(signal);
  const end = await ended;
  return { ...end, left: readdirSync(tmp), seen };
}

describe('the parallel run\'s temporary directory', () => {
  it('when it cannot be made: a message naming TMPDIR and what to do, exit 2', () => {
    const missing = join(tempDir('tcpflow-notmp-'), 'missing');
    const captures = [fixture('tcp-loss'), fixture('http-ipv4')];
    for (const [args, prefix, why] of [
      [['-j', '2', '--json'], 'tcpflow-explain-jobs-', "With -j each capture's output waits there until its turn"],
      [['check', '-j', '2', '--expect', 'handshake=three-way'], 'tcpflow-explain-check-', "With -j each capture's results wait there until the report"],
    ] as const) {
      const r = spawnSync(process.execPath, [BIN, ...args, ...captures], { encoding: 'utf8', env: { ...process.env, TMPDIR: missing } });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `tcpflow-explain: cannot make a temporary directory in ${missing}: ENOENT: no such file or directory, mkdtemp '${join(missing, prefix)}XXXXXX'. ${why}; set TMPDIR to a directory with room, or run one capture at a time (-j 1)\n`);
    }
  });
});

describe('an interrupted parallel run', { skip: NO_FIFO }, () => {
  const dir = tempDir('tcpflow-fifo-');
  const fifo = join(dir, 'never-written.pcap');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const captures = [fixture('tcp-loss'), fifo, fixture('http-ipv4')];

  for (const [args, prefix] of [
    [['-j', '2', '--json'], 'tcpflow-explain-jobs-'],
    [['-j', '2'], 'tcpflow-explain-jobs-'],
    [['check', '-j', '2', '--expect', 'handshake=three-way'], 'tcpflow-explain-check-'],
  ] as const) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      it(`${args.join(' ')}: ${signal} removes its temporary files, and the process ends by ${signal}`, async () => {
        const r = await interrupted([...args, ...captures], prefix, signal);
        assert.equal(r.seen.length, 1, 'the parallel run made its directory');
        assert.deepEqual(r.left, []);
        assert.deepEqual([r.code, r.signal], [null, signal]);
      });
    }
  }
});
