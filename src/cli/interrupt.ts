/**
 * Temporary directories that an interrupted run removes: `-j` keeps each capture's output, and
 * `check -j` each capture's results, in files there until they are written out in command-line
 * order, and the run removes the directory when it is done. Interrupted (Ctrl-C, `kill`, the
 * terminal closed) it would otherwise leave them behind, as large as the outputs. On SIGINT,
 * SIGTERM or SIGHUP the directories are removed, then the signal is raised again with no handler
 * of ours left, so the process ends as it would have without them (killed by that signal).
 * (The spool's temporary file needs none of this: it leaves its directory as soon as it is made.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpoolError } from '../util/spool.js';
import { ioReason } from '../util/output.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const dirs = new Set<string>();
let listening = 0;

function onSignal(signal: NodeJS.Signals): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  listening = 0;
  process.kill(process.pid, signal);
}

/**
 * A new directory in the system's temporary directory, removed if the process is interrupted
 * before `done()` (which the caller calls once it has removed the directory itself). The
 * signals are taken before the directory is made: one that comes while it is being made is
 * handled once it exists, and removes it. When it cannot be made, a SpoolError says so (exit 2,
 * as for the spool's file), with `why`: what waits there.
 */
export function interruptibleTempDir(prefix: string, why: string): { dir: string; done: () => void } {
  if (listening++ === 0) for (const s of SIGNALS) process.on(s, onSignal);
  let finished = false;
  const done = (): void => {
    if (finished) return;
    finished = true;
    dirs.delete(dir);
    if (--listening === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
  let dir = '';
  try {
    dir = mkdtempSync(join(tmpdir(), prefix));
  } catch (e) {
    done();
    throw new SpoolError(`cannot make a temporary directory in ${tmpdir()}: ${ioReason(e)}. ${why}; set TMPDIR to a directory with room, or run one capture at a time (-j 1)`);
  }
  dirs.add(dir);
  return { dir, done };
}
