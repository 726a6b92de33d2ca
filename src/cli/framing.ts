/**
 * The output of several captures (`tcpflow-explain a.pcap b.pcap`), framed the same way by the
 * one-at-a-time run (./explain.ts) and by the main thread of a -j run (./jobs.ts): next() comes
 * right before a capture's first byte (a capture that cannot be read writes none), end() after
 * the last capture.
 */
import type { Output } from '../util/output.js';

export interface CaptureFraming {
  /** Before a capture's first byte. */
  next(): void;
  /** After the last capture. */
  end(): void;
}

/**
 * Several captures' JSON documents as one array (also of one document, or none, when the
 * others cannot be read): each document is written as soon as its capture is read, the
 * separator before it with its first byte, two spaces deeper (writeRecord's `nested`).
 */
export class DocumentArray implements CaptureFraming {
  private count = 0;

  constructor(private readonly out: Output) {}

  next(): void {
    this.out.write(this.count++ === 0 ? '[\n  ' : ',\n  ');
  }

  /** The array's end and the final newline. */
  end(): void {
    this.out.write(this.count === 0 ? '[]\n' : '\n]\n');
  }
}

/**
 * Several captures' text (the walkthrough, the summary table, Mermaid, the Markdown report): a
 * blank line between one capture's output and the next, which otherwise began on the line
 * right after the last one's table or final states (and a Markdown heading right after a table
 * row is not a heading to every renderer). Not for the line formats (ndjson, packets), whose
 * every line is a record.
 */
export class BlankLines implements CaptureFraming {
  private count = 0;

  constructor(private readonly out: Output) {}

  next(): void {
    if (this.count++ > 0) this.out.write('\n');
  }

  end(): void {}
}

/** The framing of several captures' output in `format`, or null when it needs none. */
export function captureFraming(format: string, out: Output): CaptureFraming | null {
  if (format === 'json') return new DocumentArray(out);
  if (format === 'text' || format === 'summary' || format === 'mermaid' || format === 'markdown') return new BlankLines(out);
  return null;
}
