/** Developer survey: our frame/TCP counts vs the corpus manifest, one line per difference. */
import { corpusEntries } from '../test/helpers/corpus.js';
import { runCapture } from '../src/pipeline.js';

const sink = { packet: () => undefined };
let same = 0;
let diff = 0;
for (const e of corpusEntries()) {
  let s;
  try {
    s = await runCapture(e.abs, sink);
  } catch (x) {
    console.log(`THROW ${e.path}: ${(x as Error).message}`);
    diff++;
    continue;
  }
  const okP = e.packets === null ? s.packets === 0 || s.unreadable : s.packets === e.packets;
  const okT = s.tcpPackets === e.tcpPackets;
  if (okP && okT) same++;
  else {
    diff++;
    console.log(`${e.category}\t${e.path}\tframes ${s.packets}/${e.packets}\ttcp ${s.tcpPackets}/${e.tcpPackets}\t${JSON.stringify(s.skipped)}\t${s.error?.message ?? ''}`);
  }
}
console.log(`same ${same} diff ${diff}`);
