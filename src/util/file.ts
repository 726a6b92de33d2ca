/**
 * Writes that finish: writeSync may write fewer bytes than asked (a signal, a pipe, a device),
 * so every synchronous writer of the project loops through this.
 */
import { writeSync } from 'node:fs';

/** Writes `len` bytes of `b` from `start` to `fd`, at `position` (the current one when null). */
export function writeAll(fd: number, b: Uint8Array, start: number, len: number, position: number | null = null): void {
  for (let done = 0; done < len;) done += writeSync(fd, b, start + done, len - done, position === null ? null : position + done);
}
