/**
 * Developer tool: per-frame agreement with tshark over the corpus and the fixtures.
 *   node dist/scripts/diff-tshark.js            # everything, summary + worst files
 *   node dist/scripts/diff-tshark.js FILE...    # selected corpus paths or fixture captures, with details
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpusEntries, CORPUS_DIR, REPO_ROOT } from '../test/helpers/corpus.js';
import { compareWithTshark, type FlagTally } from '../test/helpers/tshark-ref.js';

function targets(): [string, string][] {
  const out: [string, string][] = [];
  for (const e of corpusEntries()) {
    const ref = join(CORPUS_DIR, 'refs', e.path.replace(/^captures\//, '') + '.tsv');
    if (existsSync(ref)) out.push([e.abs, ref]);
  }
  const fx = join(REPO_ROOT, 'fixtures');
  for (const d of readdirSync(fx, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    for (const f of readdirSync(join(fx, d.name))) {
      const ref = join(fx, d.name, `${f}.tshark.tsv`);
      if (existsSync(ref)) out.push([join(fx, d.name, f), ref]);
    }
  }
  return out;
}

const USAGE = 'usage: node dist/scripts/diff-tshark.js [FILE...]\n' +
  '  no FILE: every corpus capture and fixture with a tshark reference, a summary and the worst files\n' +
  '  FILE: a capture with FILE.tshark.tsv beside it (scripts/tshark-refs.sh), or a corpus path\n' +
  '        (captures/...) with its reference in the corpus\'s refs/, with every mismatch\n';
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const list = args.length > 0
  ? args.map((a): [string, string] => {
      if (existsSync(`${a}.tshark.tsv`)) return [a, `${a}.tshark.tsv`];
      return [join(CORPUS_DIR, a), join(CORPUS_DIR, 'refs', a.replace(/^captures\//, '') + '.tsv')];
    })
  : targets();
// a capture or reference that is not there: said so, not a stack trace from the first read
for (const [cap, ref] of list) {
  for (const f of [cap, ref]) {
    if (!existsSync(f)) {
      process.stderr.write(`diff-tshark: ${f}: not found\n${USAGE}`);
      process.exit(2);
    }
  }
}
let frames = 0, equal = 0, missing = 0;
const tally = new Map<string, FlagTally>();
const worst: [number, string, string[]][] = [];
for (const [cap, ref] of list) {
  const c = await compareWithTshark(cap, ref, args.length > 0 ? 200 : 5);
  frames += c.frames;
  equal += c.numbersEqual;
  missing += c.missing;
  for (const [k, v] of c.flags) {
    const t = tally.get(k) ?? { tp: 0, fp: 0, fn: 0 };
    t.tp += v.tp; t.fp += v.fp; t.fn += v.fn;
    tally.set(k, t);
  }
  const bad = c.frames - c.missing - c.numbersEqual;
  let flagErr = 0;
  for (const v of c.flags.values()) flagErr += v.fp + v.fn;
  if (bad + flagErr > 0) worst.push([bad * 10 + flagErr, cap.replace(CORPUS_DIR + '/', '').replace(REPO_ROOT + '/', ''), c.mismatches]);
}
worst.sort((a, b) => b[0] - a[0]);
for (const [, name, mm] of worst.slice(0, args.length > 0 ? 100 : 25)) {
  console.log(`${name}`);
  for (const m of mm) console.log(`    ${m}`);
}
console.log(`\nframes ${frames}, decoded ${frames - missing}, stream/seq/ack/len equal ${equal} (${((100 * equal) / (frames - missing)).toFixed(2)}%)`);
let TP = 0, FP = 0, FN = 0;
for (const [k, t] of tally) {
  TP += t.tp; FP += t.fp; FN += t.fn;
  if (t.tp + t.fp + t.fn > 0) console.log(`  ${k.padEnd(24)} tp ${String(t.tp).padStart(5)} fp ${String(t.fp).padStart(4)} fn ${String(t.fn).padStart(4)}`);
}
console.log(TP + FP + FN === 0 ? 'flags: none, in tshark or here' : `flags: precision ${TP + FP === 0 ? '-' : ((100 * TP) / (TP + FP)).toFixed(2) + '%'} recall ${TP + FN === 0 ? '-' : ((100 * TP) / (TP + FN)).toFixed(2) + '%'}`);
