/**
 * The JSON text layout of the documents: indented by two, with each per-packet record (the
 * items of a `packets` array) on a line of its own, so a capture's packets stay readable and
 * diffable and the file stays small. `prettyJson(v, indent)` is the text of `v` placed at
 * `indent` (its first line unindented), so a document can be written piece by piece: a
 * connection record rendered alone at the connections' indent is byte-identical to the same
 * record inside the whole document. Re-indenting a rendered value by k spaces is adding k spaces
 * after every newline (JSON strings never hold a raw newline).
 */

const INDENTS: string[] = [''];

function indentOf(depth: number): string {
  while (INDENTS.length <= depth) INDENTS.push(INDENTS[INDENTS.length - 1] + '  ');
  return INDENTS[depth];
}

export function prettyJson(v: unknown, indent: string): string {
  return value(v, indent.length >> 1);
}

function value(v: unknown, depth: number): string {
  if (v === null) return 'null';
  const t = typeof v;
  if (t === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (t === 'string') return JSON.stringify(v);
  if (t === 'boolean') return v ? 'true' : 'false';
  if (t !== 'object') return JSON.stringify(v) ?? 'null';
  const inner = indentOf(depth + 1);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    let s = '[\n' + inner + value(v[0], depth + 1);
    for (let i = 1; i < v.length; i++) s += ',\n' + inner + value(v[i], depth + 1);
    return s + '\n' + indentOf(depth) + ']';
  }
  const o = v as Record<string, unknown>;
  let s = '';
  let n = 0;
  for (const k in o) {
    const x = o[k];
    if (x === undefined) continue;
    s += (n++ === 0 ? '{\n' : ',\n') + inner + JSON.stringify(k) + ': ';
    if (k === 'packets' && Array.isArray(x)) s += packetLines(x, depth + 1);
    else s += value(x, depth + 1);
  }
  return n === 0 ? '{}' : s + '\n' + indentOf(depth) + '}';
}

/** A `packets` array: one compact record per line. */
function packetLines(x: unknown[], depth: number): string {
  if (x.length === 0) return '[]';
  const pre = indentOf(depth + 1);
  let s = '[\n' + pre + JSON.stringify(x[0]);
  for (let i = 1; i < x.length; i++) s += ',\n' + pre + JSON.stringify(x[i]);
  return s + '\n' + indentOf(depth) + ']';
}

/**
 * The same text as prettyJson for a record whose only `packets` array, if any, is its last
 * property (a connection record), laid out by the engine's JSON.stringify, several times faster
 * than walking the object here. The record is stringified nested in `depth` one-key wrappers,
 * so the engine indents it as it stands in the document; the wrappers are then cut off.
 */
export function recordJson(o: Record<string, unknown>, indent: string): string {
  const depth = indent.length >> 1;
  const packets = o.packets;
  if (Array.isArray(packets)) o.packets = undefined;
  let w: unknown = o;
  for (let d = 0; d < depth; d++) w = { x: w };
  const all = JSON.stringify(w, null, 2);
  // the wrappers: depth lines `{\n<indent>"x": ` before, `\n<indent>}` lines after
  let pre = 0;
  let post = 0;
  for (let d = 0; d < depth; d++) {
    pre += 2 + 2 * (d + 1) + 5;
    post += 1 + 2 * d + 1;
  }
  let text = all.slice(pre, all.length - post);
  if (Array.isArray(packets)) {
    o.packets = packets;
    const head = text === '{}' ? '{\n' + indentOf(depth + 1) : text.slice(0, text.length - 2 - indent.length) + ',\n' + indentOf(depth + 1);
    text = head + '"packets": ' + packetLines(packets, depth + 1) + '\n' + indent + '}';
  }
  return text;
}
