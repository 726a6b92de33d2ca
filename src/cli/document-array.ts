/**
 * The JSON output of several captures (`tcpflow-explain --json a.pcap b.pcap`): one array of
 * their documents, written by the one-at-a-time run (./explain.ts) and by the main thread of a
 * -j run (./jobs.ts) alike.
 */
import type { Output } from '../util/output.js';

/**
 * Several captures' JSON documents as one array (also of one document, or none, when the
 * others cannot be read): each document is written as soon as its capture is read, the
 * separator before it with its first byte, two spaces deeper (writeRecord's `nested`).
 */
export class DocumentArray {
  private count = 0;

  constructor(private readonly out: Output) {}

  /** Before a document's first byte. */
  next(): void {
    this.out.write(this.count++ === 0 ? '[\n  ' : ',\n  ');
  }

  /** After the last document: the array's end and the final newline. */
  end(): void {
    this.out.write(this.count === 0 ? '[]\n' : '\n]\n');
  }
}
