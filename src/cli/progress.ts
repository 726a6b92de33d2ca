/**
 * A progress line on standard error for inputs that take more than a second: bytes read of the
 * total (when the size is known: a file, gzip-compressed or not, not a pipe), packets per second,
 * and the time left. Drawn only when standard error is a terminal (never in pipes or CI logs),
 * redrawn at most ten times a second, and erased when the input is done.
 */

export interface ProgressState {
  /** Bytes of the input consumed so far (a gzip file: its compressed bytes; gzip on a pipe: the inflated bytes). */
  bytes: number;
  /** Size of the input, null when unknown (standard input). */
  total: number | null;
  packets: number;
  /** Seconds since the input was opened. */
  elapsed: number;
}

/** The progress line for a terminal `width` columns wide (no newline). */
export function renderProgress(name: string, s: ProgressState, width: number): string {
  const rate = s.elapsed > 0 ? s.packets / s.elapsed : 0;
  const mb = (n: number): string => (n / 1e6).toFixed(1);
  const pps = rate >= 1e6 ? `${(rate / 1e6).toFixed(2)} M` : `${(rate / 1e3).toFixed(0)} k`;
  let tail: string;
  let frac = -1;
  if (s.total !== null && s.total > 0) {
    frac = Math.min(1, s.bytes / s.total);
    const eta = frac > 0 ? (s.elapsed / frac) * (1 - frac) : 0;
    const total = mb(s.total);
    const left = formatSeconds(eta);
    tail = ` ${(frac * 100).toFixed(0).padStart(3)}% ${mb(s.bytes).padStart(total.length)}/${total} MB  ${pps} pkt/s  ETA ${left}`;
    // the bar is sized for the widest rate ("12.34 M") and time left ("59m59s"), which come
    // last, so that it neither moves nor changes width as they do
    return barLine(name, frac, tail, width, tail.length + Math.max(0, 7 - pps.length) + Math.max(0, 6 - left.length));
  }
  tail = ` ${mb(s.bytes)} MB  ${s.packets} packets  ${pps} pkt/s`;
  return barLine(name, frac, tail, width, tail.length);
}

/**
 * `name [####....]tail` fitted to `width`: the bar when frac >= 0 and there is room, else none.
 * The name and the bar are laid out for a tail of `reserve` characters.
 */
function barLine(name: string, frac: number, tail: string, width: number, reserve: number): string {
  const room = width - reserve - 1;
  if (frac >= 0 && room >= 24) {
    const barWidth = Math.min(30, room - Math.min(name.length, room - 12) - 3);
    const full = Math.round(frac * barWidth);
    return `${fit(name, room - barWidth - 3)} [${'#'.repeat(full)}${'.'.repeat(barWidth - full)}]${tail}`.slice(0, width - 1);
  }
  return `${fit(name, Math.max(0, room))}${tail}`.slice(0, width - 1);
}

/**
 * The line while the connections still open at the end of input are finalised (and, for most
 * formats, their records written): a SYN flood's million can take seconds after the last byte.
 */
export function renderFinishing(name: string, done: number, total: number, elapsed: number, width: number): string {
  return renderCounted(name, 'finalising', done, total, 'open', elapsed, width);
}

/**
 * The line while the records waiting in spools are written out (the walkthrough of 10 million
 * packets is 3 GB, several seconds after the last byte is read): connections written of all.
 */
export function renderWriting(name: string, done: number, total: number, elapsed: number, width: number): string {
  return renderCounted(name, 'writing', done, total, 'connections', elapsed, width);
}

/** `name [###...]  25% <doing> <done>/<total> <what>  ETA 3s`, the bar in place whatever the numbers' widths. */
function renderCounted(name: string, doing: string, done: number, total: number, what: string, elapsed: number, width: number): string {
  const all = String(total);
  return renderDoing(name, `${doing} ${String(done).padStart(all.length)}/${all} ${what}`, done, total, elapsed, width);
}

/**
 * `name [###...]  25% <doing>  ETA 3s`: `done` of `total` (any unit) done, the bar in place
 * whatever the time left's width. A report of check read back from its spools is counted in
 * their bytes, which the line does not show (with references, fewer than the report's).
 */
export function renderDoing(name: string, doing: string, done: number, total: number, elapsed: number, width: number): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const eta = frac > 0 ? (elapsed / frac) * (1 - frac) : 0;
  const left = formatSeconds(eta);
  const tail = ` ${(frac * 100).toFixed(0).padStart(3)}% ${doing}  ETA ${left}`;
  return barLine(name, frac, tail, width, tail.length + Math.max(0, 6 - left.length));
}

function fit(s: string, n: number): string {
  if (s.length <= n) return s;
  if (n <= 1) return '';
  return '…' + s.slice(s.length - n + 1);
}

export function formatSeconds(s: number): string {
  const t = Math.max(0, Math.round(s));
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

/** Draws the line on a terminal stream; does nothing at all on anything else. */
export class ProgressBar {
  private readonly start = Date.now();
  private last = 0;
  private drawn = false;
  /** When finalising began (0: not yet). */
  private finishStart = 0;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    /** What the line is about (a file name; for -j, how many captures are done). */
    public name: string,
    private readonly enabled: boolean,
  ) {}

  /** True when the stream is a terminal and progress was asked for. */
  static wanted(stream: { isTTY?: boolean }, asked: boolean): boolean {
    return asked && stream.isTTY === true;
  }

  update(bytes: number, total: number | null, packets: number): void {
    const now = Date.now();
    if (this.due(now)) this.draw(renderProgress(this.name, { bytes, total, packets, elapsed: (now - this.start) / 1000 }, this.width));
  }

  /** Progress of finalising the connections still open once the input is read. */
  finishing(done: number, total: number): void {
    const now = Date.now();
    if (this.finishStart === 0) this.finishStart = now;
    if (this.due(now)) this.draw(renderFinishing(this.name, done, total, (now - this.finishStart) / 1000, this.width));
  }

  /** Progress of writing out the spooled records (drawn when that takes more than a second: the bar is made when it starts). */
  writing(done: number, total: number): void {
    const now = Date.now();
    if (this.due(now)) this.draw(renderWriting(this.name, done, total, (now - this.start) / 1000, this.width));
  }

  /** Progress of something else done after the input is read: `doing` (a report written), `done` of `total`. */
  doing(doing: string, done: number, total: number): void {
    const now = Date.now();
    if (this.due(now)) this.draw(renderDoing(this.name, doing, done, total, (now - this.start) / 1000, this.width));
  }

  /** Only inputs that take more than a second; at most ten redraws a second. */
  private due(now: number): boolean {
    if (!this.enabled || now - this.start < 1000 || now - this.last < 100) return false;
    this.last = now;
    return true;
  }

  private get width(): number {
    return this.stream.columns || 80;
  }

  private draw(line: string): void {
    this.stream.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** A capture's progress as a -j worker reports it to the main thread. */
export interface JobProgress {
  kind: 'progress';
  bytes: number;
  total: number | null;
  packets: number;
}

/**
 * The progress line of several captures analysed at once (-j): the bytes read of all of them
 * over their sizes, the packets of all per second, and how many captures are done (a gzip file
 * counts its compressed bytes read). A capture whose size is not known in advance (standard
 * input) counts as read once it is done.
 */
export class JobsProgress {
  private readonly bar: ProgressBar;
  private readonly read: number[];
  private readonly packets: number[];
  private readonly counted: boolean[];
  private done = 0;
  private ended = false;

  /** `sizes`: each capture's size in bytes (0 when it cannot be known). */
  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, private readonly sizes: number[]) {
    this.bar = new ProgressBar(stream, '', true);
    this.read = sizes.map(() => 0);
    this.packets = sizes.map(() => 0);
    this.counted = sizes.map(() => true);
  }

  /** A report from capture i's worker. */
  update(i: number, p: JobProgress): void {
    if (p.total === null || p.total !== this.sizes[i]) this.counted[i] = false;
    if (this.counted[i]) this.read[i] = Math.min(p.bytes, this.sizes[i]);
    this.packets[i] = p.packets;
    this.draw();
  }

  /** Capture i is done (analysed, or failed). */
  finished(i: number): void {
    this.read[i] = this.sizes[i];
    this.done++;
    this.draw();
  }

  /** Erases the line (before output or messages; the next report draws it again). */
  clear(): void {
    this.bar.done();
  }

  /** Erases the line for good: what comes after the run (a stopped worker's answer) draws nothing. */
  end(): void {
    this.ended = true;
    this.bar.done();
  }

  private draw(): void {
    if (this.ended) return;
    let bytes = 0;
    let total = 0;
    let packets = 0;
    for (let i = 0; i < this.sizes.length; i++) {
      bytes += this.read[i];
      total += this.sizes[i];
      packets += this.packets[i];
    }
    this.bar.name = `${this.done}/${this.sizes.length} captures`;
    this.bar.update(bytes, total > 0 ? total : null, packets);
  }
}
