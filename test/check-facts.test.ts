/**
 * What `check` reads of a connection (CheckFacts, filled straight from the connection) against
 * the contract's record of it (connectionJson): every field the expectations compare or show,
 * - on every connection of every fixture capture and of the corpus (a continuation included);
 * - on generated connections with any values in the fields a record reads.
 * Then the judging on facts: what each expectation compares (`actual`) and whether it holds,
 * for generated connections and expectations of every key, against the values read from the
 * record as SPEC.md names them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CheckFacts, Judge, fillFacts, frames } from '../src/check/evaluate.js';
import { connectionJson } from '../src/render/json.js';
import { ANALYSIS_NAMES } from '../src/analyze/flags.js';
import { STATE_NAMES } from '../src/analyze/story.js';
import type { Connection } from '../src/analyze/connection.js';
import { Tracker } from '../src/analyze/tracker.js';
import { runCapture } from '../src/pipeline.js';
import { LINGER_SECONDS } from '../src/cli/explain.js';
import { parseExpectation, HANDSHAKE_KINDS, TEARDOWN_KINDS, ZEEK_STATES } from '../src/check/expectations.js';
import { fixtureCaptures } from './helpers/release.js';
import { corpusAvailable, corpusEntries } from './helpers/corpus.js';
import { connection } from './helpers/arbitraries.js';

const params = (numRuns: number): fc.Parameters<unknown> => ({ seed: 0x3c4ec5, numRuns, endOnFailure: true });

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The facts as the record says them (the JSON's names; frames null when none). */
function factsOfRecord(j: any): Record<string, unknown> {
  const counts = ANALYSIS_NAMES.map((n) => j.analysis[n] ?? 0);
  return {
    firstFrame: j.firstFrame, lastFrame: j.lastFrame,
    handshake: j.handshake.kind, syn: j.handshake.frames.syn, synAck: j.handshake.frames.synAck, hsAck: j.handshake.frames.ack,
    synRetransmissions: j.handshake.synRetransmissions, rtt: j.handshake.rtt,
    teardown: j.teardown.kind, initiator: j.teardown.initiator, rstAfterFin: j.teardown.rstAfterFin,
    fin: j.teardown.frames.fin, finAck: j.teardown.frames.finAck, secondFin: j.teardown.frames.secondFin,
    lastAck: j.teardown.frames.lastAck, rst: j.teardown.frames.rst,
    clientState: j.finalState.client, serverState: j.finalState.server,
    clientInferred: j.finalState.inferred.includes('client'), serverInferred: j.finalState.inferred.includes('server'),
    zeekState: j.zeek.state, zeekHistory: j.zeek.history,
    analysis: counts,
  };
}

/** The facts filled from the connection, as a plain object. */
function factsOf(c: Connection): Record<string, unknown> {
  const f = new CheckFacts();
  fillFacts(f, c);
  return { ...f, analysis: ANALYSIS_NAMES.map((_, i) => f.count(i)) };
}

function sameFacts(c: Connection, what: string): void {
  // the record in JSON and back: what a reader of the document has
  assert.deepEqual(factsOf(c), factsOfRecord(JSON.parse(JSON.stringify(connectionJson(c, null)))), what);
}

/** Compares every connection of `file`, released as the CLI releases them (so continuations occur). */
async function checkFile(file: string): Promise<{ connections: number; continuations: number }> {
  let connections = 0;
  let continuations = 0;
  const t = new Tracker({
    onPacket: () => {},
    onFinal: (c) => {
      sameFacts(c, `${file} #${c.id}${c.continued ? ' (continued)' : ''}`);
      connections++;
      if (c.continued) continuations++;
    },
  }, { keepAll: false, lingerSeconds: LINGER_SECONDS });
  await runCapture(file, t);
  return { connections, continuations };
}

/** Every value an expectation of each key can name, and numbers around the ones generated. */
const expectation: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('=', '!='), fc.subarray([...HANDSHAKE_KINDS], { minLength: 1 })).map(([op, v]) => `handshake${op}${v.join(',')}`),
  fc.tuple(fc.constantFrom('=', '!='), fc.oneof(fc.constant(['graceful']), fc.subarray([...TEARDOWN_KINDS], { minLength: 1 }))).map(([op, v]) => `teardown${op}${v.join(',')}`),
  fc.tuple(fc.constantFrom('=', '!='), fc.subarray(['client', 'server', 'none'], { minLength: 1 })).map(([op, v]) => `initiator${op}${v.join(',')}`),
  fc.tuple(fc.constantFrom('=', '!='), fc.subarray([...ZEEK_STATES], { minLength: 1 })).map(([op, v]) => `zeek${op}${v.join(',')}`),
  fc.tuple(fc.constantFrom('client-state', 'server-state'), fc.constantFrom('=', '!='), fc.subarray([...STATE_NAMES], { minLength: 1, maxLength: 3 })).map(([k, op, v]) => `${k}${op}${v.join(',')}`),
  fc.tuple(fc.constantFrom('=', '!=', '<=', '>='), fc.oneof(fc.constantFrom('0', '0.001', '1', '1e-9', '100'), fc.double({ min: 0, max: 10, noNaN: true }).map(String))).map(([op, v]) => `irtt${op}${v}`),
  fc.tuple(fc.constantFrom(...ANALYSIS_NAMES), fc.constantFrom('=', '!=', '<=', '>='), fc.oneof(fc.nat({ max: 100 }), fc.constantFrom(2 ** 31, 2 ** 32 + 1))).map(([k, op, v]) => `${k}${op}${v}`),
);

/** What the expectation compares, read from the record as SPEC.md defines each key. */
function actualOfRecord(j: any, key: string, allowRstAfterFin: boolean): string | number | null {
  switch (key) {
    case 'handshake': return j.handshake.kind;
    case 'teardown':
      if (!j.teardown.rstAfterFin) return j.teardown.kind;
      return allowRstAfterFin ? (j.teardown.kind === 'reset' ? 'half-closed' : j.teardown.kind) : 'reset';
    case 'initiator': return j.teardown.initiator ?? 'none';
    case 'zeek': return j.zeek.state;
    case 'client-state': return j.finalState.client;
    case 'server-state': return j.finalState.server;
    case 'irtt': return j.handshake.rtt;
    default: return j.analysis[key] ?? 0;
  }
}

describe('check: what it reads of a connection is what its record says', () => {
  it('every connection of every fixture capture, continuations included', async () => {
    let n = 0;
    let continued = 0;
    for (const f of fixtureCaptures()) {
      const r = await checkFile(f);
      n += r.connections;
      continued += r.continuations;
    }
    assert.ok(n > 50, `${n} connections`);
    assert.ok(continued > 0, 'a continuation (fixtures/tcp-continuation)');
  });

  it('every connection of the corpus', { skip: !corpusAvailable() && 'no ../shared/corpus' }, async () => {
    let n = 0;
    for (const e of corpusEntries()) if (e.category === 'tcp') n += (await checkFile(e.abs)).connections;
    assert.ok(n > 20, `${n} connections`);
  });

  it('generated connections', () => {
    fc.assert(fc.property(connection, (c) => sameFacts(c, 'generated')), params(3000));
  });

  it('generated connections and expectations: the value compared and the verdict', () => {
    fc.assert(fc.property(connection, expectation, fc.boolean(), (c, text, allow) => {
      const e = parseExpectation(text);
      const judge = new Judge(e);
      const f = new CheckFacts();
      fillFacts(f, c);
      const actual = judge.actual(f, allow);
      const want = actualOfRecord(JSON.parse(JSON.stringify(connectionJson(c, null))), e.key, allow);
      assert.deepEqual(actual, want, text);
      // the verdict, as SPEC.md words it: = a listed value, != none of them, <= / >= a bound,
      // numbers equal within 1e-9 relative; an irtt that is not there satisfies nothing
      let holds: boolean;
      if (want === null) holds = false;
      else if (typeof want === 'string') holds = e.op === '=' ? e.values.includes(want) : !e.values.includes(want);
      else {
        const eq = (x: number): boolean => Math.abs(want - x) <= 1e-9 * Math.max(1, Math.abs(x));
        holds = e.op === '=' ? e.numbers.some(eq) : e.op === '!=' ? !e.numbers.some(eq) : e.op === '<=' ? want <= e.numbers[0]! || eq(e.numbers[0]!) : want >= e.numbers[0]! || eq(e.numbers[0]!);
      }
      assert.equal(judge.holds(actual), holds, `${text}: ${String(actual)}`);
    }), params(5000));
  });

  it('the frames a result shows: each once, in order, none left out', () => {
    const fr = fc.oneof(fc.constant(null), fc.constant(0), fc.nat({ max: 8 }), fc.integer({ min: 1, max: 2 ** 32 }));
    fc.assert(fc.property(fc.array(fr, { minLength: 1, maxLength: 5 }), (xs) => {
      const want = [...new Set(xs.filter((x): x is number => x !== null && x > 0))].sort((a, b) => a - b);
      assert.deepEqual(frames(xs[0]!, xs[1], xs[2], xs[3], xs[4]), want);
    }), params(3000));
  });
});
