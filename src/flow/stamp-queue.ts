/**
 * A queue of (slot, stamp) entries in the order of their stamps, where an entry is live while
 * its slot's current stamp (the owner's `slotStamp`, -1 for a free slot) is still the one it was
 * queued with: a slot queued again, or freed, leaves its earlier entries stale, and they are
 * skipped at the head and dropped when the queue is full. The tracker's least-recently-active
 * queue (a connection's table slot, stamped at each packet) and the kept SYNs' (flow/pending.ts)
 * are such queues. Only the queue's end is written, and entries are checked against the stamps,
 * never against what the slots hold.
 */
export class StampQueue {
  slots: Int32Array;
  stamps: Float64Array;
  start = 0;
  end = 0;

  constructor(size: number) {
    this.slots = new Int32Array(size);
    this.stamps = new Float64Array(size);
  }

  /** Appends (slot, stamp); `slotStamp` tells which entries are live if the queue must be compacted. */
  push(slot: number, stamp: number, slotStamp: Float64Array): void {
    if (this.end === this.slots.length) this.compact(slotStamp);
    this.slots[this.end] = slot;
    this.stamps[this.end] = stamp;
    this.end++;
  }

  /** The slot of the first live entry (stale ones before it are dropped), -1 when none is live. */
  first(slotStamp: Float64Array): number {
    const slots = this.slots;
    const stamps = this.stamps;
    while (this.start < this.end) {
      const slot = slots[this.start];
      if (slotStamp[slot] === stamps[this.start]) return slot;
      this.start++;
    }
    return -1;
  }

  /**
   * The queue is full: its live entries are moved to its start, and it is doubled when they
   * fill more than half of it (so a compaction comes after at least as many entries as there
   * are live ones, and the queue holds at most about four entries per live slot).
   */
  private compact(slotStamp: Float64Array): void {
    const slots = this.slots;
    const stamps = this.stamps;
    let n = 0;
    for (let i = this.start; i < this.end; i++) {
      if (slotStamp[slots[i]] !== stamps[i]) continue;
      slots[n] = slots[i];
      stamps[n] = stamps[i];
      n++;
    }
    this.start = 0;
    this.end = n;
    if (n * 2 > slots.length) {
      const s2 = new Int32Array(slots.length * 2);
      s2.set(slots.subarray(0, n));
      const t2 = new Float64Array(slots.length * 2);
      t2.set(stamps.subarray(0, n));
      this.slots = s2;
      this.stamps = t2;
    }
  }
}
