/**
 * A buffered text sink over a writable stream. Renderers write strings; the sink batches them
 * into large writes and waits for 'drain' so memory stays bounded. A closed pipe (EPIPE, as in
 * `tcpflow-explain x.pcap | head`) ends output quietly instead of raising.
 */
import type { Writable } from 'node:stream';

const FLUSH_AT = 64 * 1024;

export class Output {
  private parts: string[] = [];
  private size = 0;
  closed = false;

  constructor(private readonly stream: Writable) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else throw e;
    });
  }

  write(s: string): void {
    if (this.closed) return;
    this.parts.push(s);
    this.size += s.length;
  }

  /** True when enough is buffered that the caller should await flush(). */
  get full(): boolean {
    return this.size >= FLUSH_AT;
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0 || this.closed) {
      this.parts.length = 0;
      this.size = 0;
      return;
    }
    const text = this.parts.join('');
    this.parts.length = 0;
    this.size = 0;
    if (!this.stream.write(text)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
        this.stream.on('error', done);
      });
    }
  }
}
