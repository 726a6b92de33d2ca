/**
 * What is left of a 4-tuple once its connection has been finalised and released before the end
 * of input: the two directions' relative-numbering bases, which is all Wireshark 4.0 looks at
 * when a later packet of that 4-tuple arrives (a pure SYN with a new ISN starts a new stream
 * flagged `reused_ports`; anything else would continue the old stream). Wireshark never forgets a
 * 4-tuple, so neither does this store: 16 bytes per 4-tuple in typed arrays, no objects.
 *
 * The 4-tuple is kept as a 64-bit fingerprint (two independent 32-bit symmetric hashes), so two
 * distinct 4-tuples are confused with probability about n²/2⁶⁵ (n = 4-tuples released; 3·10⁻⁸
 * for a million). Directions are stored in a canonical order (the endpoint with the smaller
 * address words, then port, is "lo"), so either direction of the 4-tuple finds the same entry.
 */
import type { Packet } from '../decode/packet.js';

const INITIAL = 1 << 10;
/** Flag bits. */
const USED = 1;
const LO_SET = 2;
const HI_SET = 4;

export class TombstoneStore {
  private h1 = new Int32Array(INITIAL);
  private h2 = new Int32Array(INITIAL);
  private baseLo = new Uint32Array(INITIAL);
  private baseHi = new Uint32Array(INITIAL);
  private flags = new Uint8Array(INITIAL);
  private mask = INITIAL - 1;
  size = 0;

  /** Result of the last successful {@link find}: the base of the packet's sender and whether it was set. */
  senderBase = 0;
  senderBaseSet = false;

  /**
   * Remembers a released connection's bases. `aAddr/aPort` is the endpoint whose base is
   * `baseA` (set when `setA`); the other endpoint's is `baseB`.
   */
  put(hash: number, hash2: number, aLower: boolean, baseA: number, setA: boolean, baseB: number, setB: boolean): void {
    if ((this.size + 1) * 2 > this.flags.length) this.grow();
    const i = this.slotOf(hash, hash2);
    if ((this.flags[i] & USED) === 0) this.size++;
    this.h1[i] = hash;
    this.h2[i] = hash2;
    const lo = aLower ? baseA : baseB;
    const hi = aLower ? baseB : baseA;
    const loSet = aLower ? setA : setB;
    const hiSet = aLower ? setB : setA;
    this.baseLo[i] = lo;
    this.baseHi[i] = hi;
    this.flags[i] = USED | (loSet ? LO_SET : 0) | (hiSet ? HI_SET : 0);
  }

  /** True when the 4-tuple was released; then senderBase/senderBaseSet describe the packet's direction. */
  find(hash: number, hash2: number, srcLower: boolean): boolean {
    if (this.size === 0) return false;
    const i = this.slotOf(hash, hash2);
    const fl = this.flags[i];
    if ((fl & USED) === 0) return false;
    this.senderBase = srcLower ? this.baseLo[i] : this.baseHi[i];
    this.senderBaseSet = (fl & (srcLower ? LO_SET : HI_SET)) !== 0;
    return true;
  }

  /** Linear probing: the slot holding (hash, hash2), or the empty slot where it would go. */
  private slotOf(hash: number, hash2: number): number {
    const m = this.mask;
    let i = hash & m;
    for (;;) {
      if ((this.flags[i] & USED) === 0 || (this.h1[i] === (hash | 0) && this.h2[i] === (hash2 | 0))) return i;
      i = (i + 1) & m;
    }
  }

  private grow(): void {
    const { h1, h2, baseLo, baseHi, flags } = this;
    const n = flags.length * 2;
    this.h1 = new Int32Array(n);
    this.h2 = new Int32Array(n);
    this.baseLo = new Uint32Array(n);
    this.baseHi = new Uint32Array(n);
    this.flags = new Uint8Array(n);
    this.mask = n - 1;
    for (let j = 0; j < flags.length; j++) {
      if ((flags[j] & USED) === 0) continue;
      const i = this.slotOf(h1[j], h2[j]);
      this.h1[i] = h1[j];
      this.h2[i] = h2[j];
      this.baseLo[i] = baseLo[j];
      this.baseHi[i] = baseHi[j];
      this.flags[i] = flags[j];
    }
  }
}

/** True when the packet's source endpoint sorts before its destination (address words, then port). */
export function srcIsLower(p: Packet): boolean {
  const s = p.src;
  const d = p.dst;
  for (let k = 0; k < 4; k++) if (s[k] !== d[k]) return s[k] < d[k];
  return p.srcPort <= p.dstPort;
}

/** The same order for two stored endpoints (address words and port). */
export function endpointIsLower(a: ArrayLike<number>, aPort: number, b: ArrayLike<number>, bPort: number): boolean {
  for (let k = 0; k < 4; k++) if (a[k] !== b[k]) return a[k] < b[k];
  return aPort <= bPort;
}
