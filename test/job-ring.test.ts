/**
 * The ring through which a -j worker sends the output of the capture whose turn it is (JobSink
 * in src/cli/worker.ts) and the main thread takes it (JobStream in src/cli/jobs.ts), made small
 * here so that pieces cross its end and writes wait for room, with acknowledgements that come
 * late: what arrives is what was written, in order, after what went to the job's file first.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { PassThrough } from 'node:stream';
import { JobSink } from '../src/cli/worker.js';
import { JobStream, type JobOutput, type JobSwitched, type JobAck } from '../src/cli/jobs.js';
import { Output } from '../src/util/output.js';
import { tempDir } from './helpers/tmp.js';

/** Deterministic bytes. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    b[i] = x >>> 24;
  }
  return b;
}

describe('-j: a job\'s output through its ring', () => {
  it('pieces across the ring\'s end and writes that wait for room arrive whole and in order, after the file\'s bytes', async () => {
    const dir = tempDir('job-ring-');
    const { port1, port2 } = new MessageChannel();
    const RING = 100;
    const sink = new JobSink(join(dir, 'out-0'), 0, port1, RING);
    const received: Buffer[] = [];
    const stdout = new PassThrough();
    stdout.on('data', (d: Buffer) => received.push(Buffer.from(d)));
    const out = new Output(stdout);
    let acks = 0;
    let begun = 0;
    // the main thread's side: acknowledgements sent back a little later, as the event loop turns
    const stream = new JobStream(out, (n) => {
      acks++;
      setTimeout(() => port2.postMessage({ kind: 'ack', job: 0, bytes: n } satisfies JobAck), acks % 3);
    }, () => begun++);
    // the job's answer comes after what it sent (one port, in order), as JobResult does
    let answered: () => void = () => undefined;
    const answer = new Promise<void>((res) => (answered = res));
    port2.on('message', (m: JobSwitched | JobOutput | { kind: 'done' }) => {
      if (m.kind === 'switched') stream.switchedAt(m.at, m.ring);
      else if (m.kind === 'out') stream.sent(m.bytes);
      else answered();
    });
    port1.on('message', (m: JobAck) => sink.acked(m.bytes));
    // (after their listeners, which hold them: a hang then ends the test's process once `alive`
    // is over, as a failure, instead of holding it)
    port1.unref();
    port2.unref();
    const alive = setTimeout(() => undefined, 15_000);
    const write = (b: Buffer): Promise<void> => new Promise((res, rej) => sink.write(b, (e) => (e ? rej(e) : res())));

    // before its turn: to the file
    const before = bytes(250, 1);
    await write(before);
    sink.stream();
    await stream.switched;
    assert.equal(stream.at, 250);
    // sent while the main thread is still writing the file out: queued, then written
    const chunks = [1, 99, 100, 101, 37, 250, 3, 1000, 64, 36].map((n, i) => bytes(n, 100 + i));
    const sent = Promise.all(chunks.slice(0, 4).map(write));
    await new Promise((res) => setTimeout(res, 20));
    stream.goLive();
    await sent;
    for (const c of chunks.slice(4)) await write(c);
    await new Promise<void>((res) => sink.end(() => res()));
    port1.postMessage({ kind: 'done' });
    await answer;
    await stream.written;
    await out.flush();
    stream.close();
    clearTimeout(alive);

    assert.deepEqual(readFileSync(join(dir, 'out-0')), before);
    const all = Buffer.concat(chunks);
    assert.equal(Buffer.concat(received).length, all.length);
    assert.ok(Buffer.concat(received).equals(all), 'the bytes sent, in order');
    assert.equal(begun, 1);
    // pieces of at most the ring each, never across its end: more pieces than chunks
    assert.ok(acks >= 1691 / RING, `${acks} pieces acknowledged`);
  });
});
