/**
 * Settling the shapes of the objects the hot path uses, before any of it is optimised.
 *
 * V8 describes an object's fields in its hidden class (its "map"): what kind of value each has
 * held so far (small integers only, or doubles, or anything) and whether it has been stored to
 * only once ("const"). Optimised code is compiled against those descriptions. When a field
 * changes kind (the first fractional initial RTT after thousands of whole ones) the map is
 * replaced for every object of that shape, and each optimised function that had seen the old
 * one is thrown away ("wrong map") and runs in the interpreter until compiled again; when a
 * "const" field is first stored to, the functions that took its value as a constant are thrown
 * away the same way ("code dependencies").
 *
 * On short1m, `check` compiled `handle()` three times (92 ms of the compiler's thread), because
 * the first connection reused from the pool stored to its fields again, and because a counter
 * of the tracker became a double: 13 such throw-aways in one run (`--trace-deopt`); 5% of the
 * run once they were gone (docs/performance.md, "2026-12-04 (evening)").
 * What such a field will become is known in advance, so it becomes that before the first packet.
 */

/**
 * Gives each field of `keys` in `o` the representation of a double, keeping its value: a field
 * that will hold fractions (seconds) or numbers beyond 2^31 (raw sequence numbers), changed
 * now instead of in the middle of a capture. (V8 never changes a field back from double.)
 */
export function settleDoubles<T extends object>(o: T, keys: readonly (keyof T)[]): void {
  const r = o as Record<keyof T, unknown>;
  for (const k of keys) {
    const v = r[k];
    if (typeof v !== 'number') throw new Error(`settleDoubles: ${String(k)} is not a number`);
    r[k] = 0.5;
    r[k] = v;
  }
}

/**
 * Makes each field of `keys` in `o` "mutable", keeping its value: a field stored to only once is
 * "const", and optimised code that read it may depend on that (a counter still 0, an array not
 * yet replaced); the first store after that, however late in a capture (the first
 * continuation, eviction or idle release), throws that code away. V8 marks a field mutable at
 * any second store, of the same value too.
 */
export function settleMutable<T extends object>(o: T, keys: readonly string[]): void {
  const r = o as unknown as Record<string, unknown>;
  for (const k of keys) {
    if (!(k in r)) throw new Error(`settleMutable: no field ${k}`);
    r[k] = r[k];
  }
}

/**
 * Gives `list`, empty, the elements kind of an array that holds objects like `sample`: an empty
 * array literal's kind changes at its first push of an object, and a function optimised while
 * it was still empty (a pool's pop() before anything was pooled) is thrown away ("wrong map")
 * at its next call. V8 never changes an array's kind back.
 */
export function settleElements<T>(list: T[], sample: T): void {
  if (list.length !== 0) throw new Error('settleElements: the array is not empty');
  list.push(sample);
  list.pop();
}
