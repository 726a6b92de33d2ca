/** Address text: IPv4 dotted quad; IPv6 in RFC 5952 canonical form (lower case, longest zero run compressed). */

export function ipv4ToString(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/**
 * words: four big-endian 32-bit words. Written with plain loops over the eight groups, no arrays
 * or callbacks: it is called for every IPv6 connection a report names, and V8 compiled the
 * version with map/slice/join (27 ms of its compiler's time, twice, on a capture of 126 000
 * IPv6 packets) while the analysis waited for the compiler.
 */
export function ipv6ToString(words: ArrayLike<number>): string {
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad
  if (words[0] === 0 && words[1] === 0 && words[2] >>> 0 === 0xffff) {
    return `::ffff:${ipv4ToString(words[3] >>> 0)}`;
  }
  // longest run of zero groups (length >= 2), first one on a tie (RFC 5952 §4.2)
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && group(words, i) === 0) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart >= 0 && i - runStart > bestLen) {
      bestStart = runStart;
      bestLen = i - runStart;
    }
    runStart = -1;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && i !== bestStart + bestLen) out += ':';
    out += group(words, i).toString(16);
  }
  return out;
}

/** Group i (0..7) of an IPv6 address given as four big-endian words. */
function group(words: ArrayLike<number>, i: number): number {
  const w = words[i >> 1]!;
  return (i & 1) === 0 ? (w >>> 16) & 0xffff : w & 0xffff;
}

export function addressToString(version: number, words: ArrayLike<number>): string {
  return version === 4 ? ipv4ToString(words[0] >>> 0) : ipv6ToString(words);
}
