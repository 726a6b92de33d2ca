/**
 * An index by hash with open addressing and linear probing, for the kept SYNs (./pending.ts):
 * pairs (hash, slot + 1) in one Int32Array of 2 * entries words (entries a power of two, `mask`
 * = entries - 1), 0 as slot + 1 for an empty entry, kept at most half full by its owner.
 *
 * A look-up reads the entries from the hash's home on, a cache line or two, and touches what a
 * slot holds only when the whole hash matches. With chains through per-slot words, each step
 * was a load that depended on the one before, and a SYN flood's look-ups (of 4-tuples never
 * seen) missed the cache at each one. A removal moves back the entries after it that would
 * otherwise be cut off from their home: no tombstones, so a look-up never walks past entries
 * that are gone. The owner's look-up loop is its own, since what a match means is its own:
 *
 *   for (let i = hash & mask; ; i = (i + 1) & mask) {
 *     const e = index[2 * i + 1];
 *     if (e === 0) return NOT_FOUND;
 *     if (index[2 * i] === hash && matches(e - 1)) return e - 1;
 *   }
 *
 * The connection table (./table.ts) keeps its chains: this index there measured no different
 * (2026-12-04: the flood, with 65 536 connections in the table; concurrent; short1m).
 */

/** An empty index of `entries` entries (a power of two). */
export function newIndex(entries: number): Int32Array {
  return new Int32Array(entries * 2);
}

/** Enters `slot` under `hash` (the index has room). */
export function indexPlace(index: Int32Array, mask: number, hash: number, slot: number): void {
  let i = hash & mask;
  while (index[2 * i + 1] !== 0) i = (i + 1) & mask;
  index[2 * i] = hash;
  index[2 * i + 1] = slot + 1;
}

/**
 * Takes `slot` (entered under `hash`) out, and moves back each entry after it, up to the next
 * empty one, that could not be found from its home across the gap otherwise. Nothing happens
 * when the slot is not there.
 */
export function indexRemove(index: Int32Array, mask: number, hash: number, slot: number): void {
  let i = hash & mask;
  while (index[2 * i + 1] !== slot + 1) {
    if (index[2 * i + 1] === 0) return;
    i = (i + 1) & mask;
  }
  for (let j = (i + 1) & mask; index[2 * j + 1] !== 0; j = (j + 1) & mask) {
    const home = index[2 * j] & mask;
    // the entry at j stays when its home is cyclically in (i, j]
    if (i <= j ? i < home && home <= j : i < home || home <= j) continue;
    index[2 * i] = index[2 * j];
    index[2 * i + 1] = index[2 * j + 1];
    i = j;
  }
  index[2 * i] = 0;
  index[2 * i + 1] = 0;
}

/** The entries an index needs to hold `n` slots at most half full, at least `min` (both powers of two). */
export function indexEntriesFor(n: number, min: number): number {
  let e = min;
  while (n > e >> 1) e *= 2;
  return e;
}
