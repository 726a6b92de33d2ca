/**
 * check's JSON report writes each result straight as bytes (report.ts ResultWriter); they must
 * be the generic layout (recordJson of resultJson) for every result: a capture's results under several
 * rule sets (floats, counts, lists, repeated expectations, group names to escape).
 */
import assert from 'node:assert/strict';
import { runCapture } from '../../src/pipeline.js';
import { Tracker } from '../../src/analyze/tracker.js';
import { CaptureEvaluator } from '../../src/check/evaluate.js';
import { parseExpectation, type Rules } from '../../src/check/expectations.js';
import { resultJson } from '../../src/check/report.js';
import { ResultWriter } from '../../src/check/result-json.js';
import { ByteWriter } from '../../src/util/bytes.js';
import { recordJson } from '../../src/render/pretty.js';
import { parseSelection } from '../../src/cli/select.js';

const ex = (xs: string[]) => xs.map((e) => parseExpectation(e));
const RULES: Rules = {
  groups: [
    { name: '', select: {}, expect: ex(['handshake=three-way', 'teardown=graceful', 'irtt<=5ms', 'retransmission<=0', 'duplicate_ack<=0', 'connections>=1']) },
    { name: 'web "x" <y> 三次握手', select: {}, expect: ex(['zeek=SF,S1', 'client-state=TIME_WAIT', 'initiator=client', 'out_of_order<=0', 'zeek=SF,S1']) },
  ],
  allowTruncated: false,
  allowRstAfterFin: false,
};

/** Compares every result of `file`; returns how many. */
export async function checkResults(file: string): Promise<number> {
  const ev = new CaptureEvaluator(RULES, parseSelection({}));
  const check = ev.finish(file, await runCapture(file, new Tracker(ev, { keepAll: false, lingerSeconds: 60 })));
  let n = 0;
  const writers = ['', '      '].map((indent) => ({ indent, rw: new ResultWriter(indent) }));
  for (const r of check.results) {
    for (const { indent, rw } of writers) {
      // from an offset in a small buffer, so that it grows
      const w = new ByteWriter(16);
      w.text('x'.repeat(n % 7));
      rw.write(w, r);
      const want = recordJson(resultJson(r), indent);
      const got = w.buf.subarray(n % 7, w.pos);
      assert.equal(got.toString(), want, `${file}: ${JSON.stringify(r)}`);
      assert.ok(got.equals(Buffer.from(want)), `${file}: bytes of ${JSON.stringify(r)}`);
    }
    n++;
  }
  ev.close();
  return n;
}
