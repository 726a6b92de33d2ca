/**
 * Address text (util/addr.ts): IPv6 in RFC 5952's canonical form. ipv6ToString is written with
 * plain loops (it is compiled while real IPv6 traffic is analysed); it is checked against the
 * RFC's examples, against Node's own URL parser (WHATWG's serialiser compresses the same way,
 * lower case, the longest run of two zero groups or more, the first on a tie) on addresses
 * made of few distinct groups (so that zero runs of every length and place occur), and for
 * IPv4-mapped addresses, which RFC 5952 (section 5) writes with a dotted quad and WHATWG does not.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ipv4ToString, ipv6ToString } from '../src/util/addr.js';
import { flowAddress, newFlow } from '../src/analyze/connection.js';

/** Eight 16-bit groups as four big-endian words. */
function words(g: readonly number[]): number[] {
  return [0, 1, 2, 3].map((i) => ((g[2 * i]! << 16) | g[2 * i + 1]!) >>> 0);
}

describe('ipv6ToString', () => {
  it("writes RFC 5952's examples canonically", () => {
    const cases: [number[], string][] = [
      [[0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
      [[0x2001, 0xdb8, 0, 0, 0, 0, 2, 1], '2001:db8::2:1'],
      [[0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], '2001:db8:0:1:1:1:1:1'],
      [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1'],
      [[0x2001, 0, 0, 1, 0, 0, 0, 1], '2001:0:0:1::1'],
      [[0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 0xaaaa], '2001:db8:aaaa:bbbb:cccc:dddd:eeee:aaaa'],
      [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
      [[0, 0, 0, 0, 0, 0, 0, 1], '::1'],
      [[1, 0, 0, 0, 0, 0, 0, 0], '1::'],
      [[0xfe80, 0, 0, 0, 0x1c2, 0xabff, 0xfe00, 0x1], 'fe80::1c2:abff:fe00:1'],
      [[0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0280], '::ffff:192.0.2.128'],
      [[0, 0, 0, 0, 0, 0xfffe, 0xc000, 0x0280], '::fffe:c000:280'],
    ];
    for (const [g, text] of cases) assert.equal(ipv6ToString(words(g)), text, g.join(','));
  });

  it('writes what Node\'s URL parser writes, for any address (IPv4-mapped ones with their dotted quad)', () => {
    const group = fc.constantFrom(0, 0, 0, 1, 0xffff, 0xdb8, 0x2001);
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), fc.boolean(), (g, signed) => {
        const w = words(g);
        // the tracker's words are int32s (`| 0`), a decoder's uint32s: both are accepted
        const given = signed ? w.map((x) => x | 0) : w;
        const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
        const expected = mapped
          ? `::ffff:${ipv4ToString(w[3]!)}`
          : new URL(`http://[${g.map((x) => x.toString(16)).join(':')}]/`).hostname.slice(1, -1);
        assert.equal(ipv6ToString(given), expected);
      }),
      { seed: 5952, numRuns: 5000 },
    );
  });
});

describe('flowAddress', () => {
  it("gives each flow its own address's text, through its memo of the last two IPv6 addresses", () => {
    // sequences over a pool of three addresses (one of them "::", whose words are the memo's
    // empty slots') so that the memo hits, misses, and replaces both of its slots in every order
    const pool: number[][] = [
      [0, 0, 0, 0, 0, 0, 0, 0],
      [0xfd77, 0, 0, 0, 0, 0, 0, 1],
      [0xfd77, 0, 0, 0, 0, 0, 0, 2],
      [0x2001, 0xdb8, 0x8000, 0, 0, 0, 0xffff, 0xffff],
    ];
    fc.assert(
      fc.property(fc.array(fc.nat(pool.length - 1), { minLength: 1, maxLength: 12 }), (picks) => {
        for (const i of picks) {
          const f = newFlow();
          const w = words(pool[i]!);
          f.addr0 = w[0]! | 0;
          f.addr1 = w[1]! | 0;
          f.addr2 = w[2]! | 0;
          f.addr3 = w[3]! | 0;
          assert.equal(flowAddress(6, f), ipv6ToString(w), pool[i]!.join(','));
        }
      }),
      { seed: 2460, numRuns: 500 },
    );
    const f = newFlow();
    f.addr0 = 0xc0000280 | 0;
    assert.equal(flowAddress(4, f), '192.0.2.128');
  });
});
