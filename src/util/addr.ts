/** Address text: IPv4 dotted quad; IPv6 in RFC 5952 canonical form (lower case, longest zero run compressed). */

export function ipv4ToString(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

/** words: four big-endian 32-bit words. */
export function ipv6ToString(words: ArrayLike<number>): string {
  const g: number[] = [];
  for (let i = 0; i < 4; i++) {
    g.push((words[i] >>> 16) & 0xffff, words[i] & 0xffff);
  }
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${ipv4ToString(words[3] >>> 0)}`;
  }
  // longest run of zero groups (length >= 2), first one on a tie (RFC 5952 §4.2)
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

export function addressToString(version: number, words: ArrayLike<number>): string {
  return version === 4 ? ipv4ToString(words[0] >>> 0) : ipv6ToString(words);
}
