/**
 * Fuzz worker thread: runs the whole CLI in-process (reader → decoder → tracker → every
 * renderer) on one input at a time, fed as standard input, and reports what is wrong with the
 * outcome. The parent owns the clock: a worker that does not answer in time is terminated.
 */
import { parentPort, threadId } from 'node:worker_threads';
import { PassThrough, Readable } from 'node:stream';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { setFlagsFromString, getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { main } from '../../src/cli/main.js';

export interface WorkerRequest {
  index: number;
  bytes: Uint8Array;
  chunks: number[];
  /** Memory in use after the input above which the worker collects garbage and measures again, bytes. */
  residentBound?: number;
  /** Misbehave on purpose (the harness's own tests): hang, throw outside main(), or eat memory. */
  selfTest?: SelfTest;
}

export type SelfTest = 'hang' | 'throw' | 'oom' | 'retain';

export interface WorkerReply {
  index: number;
  /** What is wrong, one line each; empty when the input passed. */
  problems: string[];
  /** Exit code of each run, in RUNS order. */
  codes: number[];
  /** Heap and external memory in use after the input (after a full GC when available), bytes. */
  heapUsed: number;
}

/** Where this worker's `check --junit` run writes its report (removed once read). */
const JUNIT_FILE = join(tmpdir(), `tfx-fuzz-junit-${process.pid}-${threadId}.xml`);
/** Where the input is written for the runs that read a file (`file`), removed after. */
const INPUT_FILE = join(tmpdir(), `tfx-fuzz-input-${process.pid}-${threadId}.pcap`);

/** One CLI invocation per output; `chunked` feeds the input in the request's chunk sizes. */
export const RUNS: { name: string; args: string[]; chunked?: boolean; file?: boolean }[] = [
  { name: 'json', args: ['--format', 'json', '--packets'] },
  { name: 'json (chunked)', args: ['--format', 'json', '--packets'], chunked: true },
  { name: 'text', args: ['--format', 'text', '--verbose', '--diagram'] },
  { name: 'text zh', args: ['--format', 'text', '--lang', 'zh', '--absolute'] },
  { name: 'ndjson', args: ['--format', 'ndjson', '--packets'] },
  { name: 'summary', args: ['--format', 'summary'] },
  { name: 'mermaid', args: ['--format', 'mermaid'] },
  { name: 'markdown', args: ['--format', 'markdown', '--lang', 'zh'] },
  { name: 'packets', args: ['--format', 'packets'] },
  // the first FUZZ_LIMIT frames (-c): nothing past them is read; a capture of fewer frames gives
  // the document of the run without the limit, one of exactly as many its connections and counts
  { name: 'json -c', args: ['--format', 'json', '--packets', '-c', '5'], chunked: true },
  { name: 'check', args: ['check', '--json', '--markdown', '-', '-e', 'handshake=three-way', '-e', 'retransmission<=0', '-e', 'connections>=0'] },
  // (each test case and each line of the verbose text report written as bytes when judged: the
  // file must be XML, one case a result, and the text report must list every result, as many)
  { name: 'check junit', args: ['check', '--verbose', '--junit', JUNIT_FILE, '-e', 'handshake=three-way', '-e', 'teardown=graceful', '-e', 'irtt<=1ms', '-e', 'zeek=SF', '-e', 'connections>=0'] },
  // the lab's key of the main connection, and of connection 1 (a selection: the others are
  // released once closed, a line each kept): its connections must be the document's
  { name: 'lab', args: ['lab', '--json'] },
  { name: 'lab selected', args: ['lab', '--json', '-s', '1'] },
  // from a file, which can be read again: closed connections behind the one with the most
  // payload are released, and a stream found in parts is read again alone; the key and the
  // messages must be those from standard input, where none that may be the lab's is released
  { name: 'lab file', args: ['lab', '--json'], file: true },
];

/** The `json -c` run's limit. */
const FUZZ_LIMIT = 5;

/** A stack trace line as Node prints it (test/helpers/cli.ts). */
const STACK_LINE = /^\s+at .+[(:]\d+/m;
/** Where a message about unreadable or damaged input says the damage is (as test/corpus/corpus.test.ts). */
const NAMES_WHERE = /(offset|frame|record) \d+|magic 0x[0-9a-f]{8}|\(\d+ bytes\)|only \d+ bytes|\d+ of \d+ bytes/;

const require = createRequire(import.meta.url);
const Ajv = require('ajv') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
const schema = JSON.parse(readFileSync(new URL('../../../schema/tcpflow-explain.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
const labSchema = JSON.parse(readFileSync(new URL('../../../schema/lab.schema.json', import.meta.url), 'utf8')) as object;
const validateLab = new Ajv({ allErrors: true, strict: true }).compile(labSchema);
/** The lab's exit 2 when the capture holds no connection it can answer for. */
const LAB_NONE = /: no TCP connection in the capture$|: no connection matches the selection \(the capture has (\d+): ids 0 to (\d+)\)$/m;
const { XMLValidator } = require('fast-xml-parser') as { XMLValidator: { validate(xml: string): true | { err: { msg: string; line: number } } } };

let gc: (() => void) | null = null;
try {
  setFlagsFromString('--expose-gc');
  gc = runInNewContext('gc') as () => void;
} catch {
  gc = null;
}

async function run(args: string[], bytes: Uint8Array, chunks: number[] | null, file = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const parts: Buffer[] = [];
  if (chunks === null) parts.push(Buffer.from(bytes));
  else {
    let o = 0;
    for (const c of chunks) {
      parts.push(Buffer.from(bytes.subarray(o, o + c)));
      o += c;
    }
  }
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (d: Buffer) => o.push(d));
  err.on('data', (d: Buffer) => e.push(d));
  if (file) writeFileSync(INPUT_FILE, bytes);
  let code: number;
  try {
    code = await main([...args, file ? INPUT_FILE : '-'], { stdout: out, stderr: err, stdin: Readable.from(parts) });
  } finally {
    if (file) rmSync(INPUT_FILE, { force: true });
  }
  out.end();
  err.end();
  const stdout = Buffer.concat(o).toString('utf8');
  const stderr = Buffer.concat(e).toString('utf8');
  // (the output and the messages name the input: as from standard input, to be compared)
  return file
    ? { code, stdout: stdout.split(INPUT_FILE).join('-'), stderr: stderr.split(INPUT_FILE).join('-') }
    : { code, stdout, stderr };
}

/** The first line in which `a` and `b` differ, each side (shortened). */
function firstDifference(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}: ${(x[i] ?? '(none)').slice(0, 150)} / ${(y[i] ?? '(none)').slice(0, 150)}`;
  }
  return 'the same lines';
}

function firstLine(s: string): string {
  const l = s.trim().split('\n')[0] ?? '';
  return l.length > 300 ? `${l.slice(0, 300)}…` : l;
}

/** Runs every output on one input; returns the problems found. */
export async function check(req: WorkerRequest, residentBound = 0): Promise<WorkerReply> {
  const problems: string[] = [];
  const codes: number[] = [];
  let jsonOut: { code: number; stdout: string } | null = null;
  let labOut: { code: number; stdout: string; stderr: string } | null = null;
  for (const r of RUNS) {
    let res: { code: number; stdout: string; stderr: string };
    try {
      res = await run(r.args, req.bytes, r.chunked ? req.chunks : null, r.file === true);
    } catch (e) {
      problems.push(`${r.name}: main() threw: ${(e as Error)?.stack ?? String(e)}`);
      codes.push(-1);
      continue;
    }
    codes.push(res.code);
    const p = (s: string): void => { problems.push(`${r.name}: ${s}`); };
    if (res.code !== 0 && res.code !== 1 && res.code !== 2) p(`exit code ${res.code}: ${firstLine(res.stderr)}`);
    if (STACK_LINE.test(res.stderr) || STACK_LINE.test(res.stdout)) p(`stack trace in the output: ${firstLine(res.stderr)}`);
    if (res.code === 2) {
      if (res.stderr.trim() === '') p('exit 2 without a message');
      else if (!NAMES_WHERE.test(res.stderr) && !(r.name.startsWith('lab') && LAB_NONE.test(res.stderr))) p(`exit 2, the message names no offset, frame or reason: ${firstLine(res.stderr)}`);
    }
    if (r.name === 'json' || r.name === 'json (chunked)') {
      if (res.stdout !== '') {
        try {
          const doc = JSON.parse(res.stdout) as { capture?: { packets?: unknown } };
          if (!validate(doc)) p(`document does not match the schema: ${JSON.stringify(validate.errors).slice(0, 400)}`);
          if (typeof doc.capture?.packets !== 'number') p('capture.packets is not a number');
        } catch (e) {
          p(`stdout is not JSON: ${(e as Error).message}`);
        }
      } else if (res.code === 0) {
        p('exit 0 and no document');
      }
      if (r.name === 'json') jsonOut = res;
      else if (jsonOut !== null && (jsonOut.code !== res.code || jsonOut.stdout !== res.stdout)) {
        p(`fed in ${req.chunks.length} chunks, the result differs from one chunk (exit ${res.code} vs ${jsonOut.code})`);
      }
    } else if (r.name === 'json -c') {
      if (res.stdout !== '') {
        try {
          const doc = JSON.parse(res.stdout) as { capture: { packets: number; frameLimit: number | null } };
          if (!validate(doc)) p(`document does not match the schema: ${JSON.stringify(validate.errors).slice(0, 400)}`);
          if (doc.capture.packets > FUZZ_LIMIT) p(`${doc.capture.packets} frames read past -c ${FUZZ_LIMIT}`);
          type Doc = { capture: Record<string, unknown> & { packets: number; error: unknown; truncated: boolean }; connections: unknown };
          const full = jsonOut !== null && jsonOut.stdout !== '' ? (JSON.parse(jsonOut.stdout) as Doc) : null;
          if (full !== null && full.capture.packets < FUZZ_LIMIT) {
            // the limit never reached: the document without it, but for frameLimit
            doc.capture.frameLimit = null;
            const a = JSON.stringify(doc, null, 1);
            const b = JSON.stringify(full, null, 1);
            if (a !== b || res.code !== jsonOut?.code) p(`ending within -c ${FUZZ_LIMIT}, not the document without it (exit ${res.code} vs ${jsonOut?.code}): ${firstDifference(a, b)}`);
          } else if (full !== null && full.capture.packets === FUZZ_LIMIT && full.capture.error === null && !full.capture.truncated) {
            // the limit reached at the last frame: its connections and counts (what follows the
            // last frame, an interface or a section with no frame, is not read: the link types,
            // the reader's notes and stoppedAtLimit may differ)
            const pick = (d: Doc): string => JSON.stringify([d.connections, ...['packets', 'tcpPackets', 'bytes', 'skipped', 'malformed', 'truncated', 'error'].map((k) => d.capture[k])], null, 1);
            const a = pick(doc as unknown as Doc);
            const b = pick(full);
            if (a !== b || res.code !== jsonOut?.code) p(`ending at -c ${FUZZ_LIMIT}'s last frame, not the connections without it (exit ${res.code} vs ${jsonOut?.code}): ${firstDifference(a, b)}`);
          }
        } catch (e) {
          p(`stdout is not JSON: ${(e as Error).message}`);
        }
      } else if (res.code === 0) {
        p('exit 0 and no document');
      }
    } else if (r.name === 'ndjson') {
      const lines = res.stdout.split('\n').filter((l) => l !== '');
      for (const l of lines) {
        try {
          JSON.parse(l);
        } catch {
          p(`a line is not JSON: ${l.slice(0, 100)}`);
          break;
        }
      }
      if (res.code === 0 && (lines.length === 0 || !lines[lines.length - 1].startsWith('{"type":"capture"'))) p('exit 0 without the final capture record');
    } else if (r.name === 'lab' || r.name === 'lab selected') {
      labProblems(r.name === 'lab' ? null : 1, res, jsonOut, p);
      if (r.name === 'lab') labOut = res;
    } else if (r.name === 'lab file') {
      labProblems(null, res, jsonOut, p);
      if (labOut !== null && (labOut.code !== res.code || labOut.stdout !== res.stdout || labOut.stderr !== res.stderr)) {
        p(`from a file, not as from standard input: exit ${res.code} vs ${labOut.code}; ${firstDifference(res.stdout + res.stderr, labOut.stdout + labOut.stderr)}`);
      }
    } else if (r.name === 'check junit') {
      let xml = '';
      try {
        xml = readFileSync(JUNIT_FILE, 'utf8');
        rmSync(JUNIT_FILE);
      } catch {
        p('no JUnit report written');
      }
      if (xml !== '') {
        const bad = xmlProblem(xml);
        if (bad !== null) p(`the JUnit report is not XML: ${bad}`);
        const tests = /<testsuites [^>]*tests="(\d+)" failures="(\d+)"/.exec(xml);
        const cases = xml.match(/<testcase /g)?.length ?? 0;
        const failures = xml.match(/<failure /g)?.length ?? 0;
        if (tests === null || Number(tests[1]) !== cases || Number(tests[2]) !== failures) p(`the JUnit report's counts (${tests?.slice(1).join(', ')}) are not its ${cases} cases and ${failures} failures`);
        const listed = verboseCounts(res.stdout);
        if (listed === null) p(`the verbose text report has no final line: ${res.stdout.slice(-200)}`);
        else if (listed.passes + listed.failures !== listed.all || listed.failures !== listed.failed || listed.all !== cases || listed.failed !== failures) {
          p(`the verbose text report lists ${listed.passes} passes and ${listed.failures} failures, says ${listed.failed} of ${listed.all} failed; the JUnit report has ${cases} cases, ${failures} failing`);
        }
      }
    }
  }
  return { index: req.index, problems, codes, heapUsed: heapInUse(residentBound) };
}

/**
 * What is wrong with a lab run (`stream`: the one selected, or null): its key must match the lab
 * schema, and its connection and `otherConnections` must be the document's connections (their
 * ids once each, continuations being parts of their streams), in order but for the lab's; with a
 * selection, the selected one, or exit 2 saying none matches when the document has no such id.
 */
function labProblems(stream: number | null, res: { code: number; stdout: string; stderr: string }, json: { code: number; stdout: string } | null, p: (s: string) => void): void {
  let ids: number[] | null = null;
  if (json !== null && json.stdout !== '') {
    try {
      const doc = JSON.parse(json.stdout) as { connections: { id: number }[] };
      ids = [...new Set(doc.connections.map((c) => c.id))].sort((a, b) => a - b);
    } catch {
      ids = null;
    }
  }
  if (res.stdout === '') {
    if (res.code === 0) p('exit 0 and no key');
    const none = LAB_NONE.exec(res.stderr);
    if (ids !== null && none !== null) {
      if (none[1] === undefined ? ids.length !== 0 : Number(none[1]) !== ids.length || Number(none[2]) !== ids.length - 1) p(`says ${firstLine(none[0])}, the document has ${ids.length} connection(s)`);
      if (stream !== null && ids.includes(stream)) p(`says no connection matches -s ${stream}, the document has it`);
    }
    return;
  }
  let key: { connection: number; otherConnections: number[] };
  try {
    key = JSON.parse(res.stdout) as typeof key;
  } catch (e) {
    p(`stdout is not JSON: ${(e as Error).message}`);
    return;
  }
  if (!validateLab(key)) p(`key does not match the lab schema: ${JSON.stringify(validateLab.errors).slice(0, 400)}`);
  if (stream !== null && key.connection !== stream) p(`-s ${stream} gave the key of connection ${key.connection}`);
  if (ids !== null) {
    const want = ids.filter((id) => id !== key.connection);
    if (!ids.includes(key.connection) || JSON.stringify(key.otherConnections) !== JSON.stringify(want)) {
      p(`connection ${key.connection} and otherConnections ${JSON.stringify(key.otherConnections).slice(0, 200)} are not the document's ${JSON.stringify(ids).slice(0, 200)}`);
    }
  }
}

/**
 * The results `check --verbose`'s text report lists (a pass's line, a failure's first line) and
 * what its final line says (how many failed of how many); null without a final line.
 */
function verboseCounts(text: string): { passes: number; failures: number; failed: number; all: number } | null {
  const passes = text.match(/^ {2}\u2714 /gm)?.length ?? 0;
  const failures = text.match(/^ {2}\u2718 (?!\u2026)/gm)?.length ?? 0;
  const failed = /^FAILED: (\d+) of (\d+) expectation/m.exec(text);
  if (failed !== null) return { passes, failures, failed: Number(failed[1]), all: Number(failed[2]) };
  const passed = /^PASSED: all (\d+) expectation/m.exec(text);
  return passed === null ? null : { passes, failures, failed: 0, all: Number(passed[1]) };
}

/**
 * What makes `xml` not well-formed XML 1.0, or null. fast-xml-parser's validator checks the
 * elements and quotes but lets a `<` or `&` through in an attribute's value or in text, which a
 * JUnit consumer's parser refuses: those are looked for too.
 */
function xmlProblem(xml: string): string | null {
  const v = XMLValidator.validate(xml);
  if (v !== true) return `${v.err.msg} (line ${v.err.line})`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(xml)) return 'a character XML 1.0 forbids';
  if (/&(?!(amp|lt|gt|quot|apos);)/.test(xml)) return 'an & that starts no entity';
  if (/="[^"]*</.test(xml)) return 'a < in an attribute\'s value';
  if (/<(?![A-Za-z/?])/.test(xml)) return 'a < in text';
  return null;
}

/** Heap plus memory outside it held by this isolate (ArrayBuffers: the reader's buffers). */
function heapNow(): number {
  const h = getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { external_memory?: number };
  return h.used_heap_size + (h.external_memory ?? 0);
}

/**
 * Memory in use; above `bound`, measured again after a full GC (a GC per input would cost more
 * than the input), and after up to two more while still above it: the memory of ArrayBuffers a
 * collection found dead is counted until their stores are freed, which may come after it (seed
 * 61 failed once at 137 MB after an input of 2 KB, 31.6 MB when run alone).
 */
function heapInUse(bound: number): number {
  let m = heapNow();
  for (let i = 0; i < 3 && m > bound && gc !== null; i++) {
    gc();
    m = heapNow();
  }
  return m;
}

const retained: number[][] = [];

if (parentPort) {
  const port = parentPort;
  port.on('message', (req: WorkerRequest) => {
    if (req.selfTest === 'hang') for (;;);
    if (req.selfTest === 'throw') throw new Error('self-test: uncaught');
    if (req.selfTest === 'oom') {
      const hog: number[][] = [];
      for (;;) hog.push(new Array<number>(1 << 20).fill(1));
    }
    if (req.selfTest === 'retain') retained.push(new Array<number>(8 << 20).fill(0.5));
    void check(req, req.residentBound ?? 0).then((reply) => port.postMessage(reply));
  });
}
