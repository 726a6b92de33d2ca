#!/usr/bin/env python3
"""concurrency.py CAPTURE - the largest number of TCP connections open at one instant, from
tshark's tcp.stream numbering.  A connection opens at its first SYN and ends
  strict: at its first RST, or when a FIN has been seen from both sides;
  loose:  at its last packet.
Also counts streams, SYN-started streams, and ends by kind."""
import subprocess, sys
from collections import Counter

cap = sys.argv[1]
p = subprocess.run(["tshark", "-n", "-r", cap, "-Y", "tcp", "-T", "fields", "-E", "separator=\t",
                    "-e", "frame.time_relative", "-e", "tcp.stream", "-e", "tcp.flags", "-e", "tcp.srcport"],
                   capture_output=True, text=True, check=True)
syn, strict_end, last, fins, ends = {}, {}, {}, {}, Counter()
for line in p.stdout.splitlines():
    t, s, fl, sport = line.split("\t")
    t, s, fl = float(t), int(s), int(fl, 16)
    last[s] = t
    if fl & 0x02 and s not in syn:
        syn[s] = t
    if s in strict_end:
        continue
    if fl & 0x04:
        strict_end[s] = t; ends["rst"] += 1
    elif fl & 0x01:
        fins.setdefault(s, set()).add(sport)
        if len(fins[s]) == 2:
            strict_end[s] = t; ends["fin both ways"] += 1


def peak(ends_of):
    ev = []
    for s, t0 in syn.items():
        ev.append((t0, 1)); ev.append((ends_of.get(s, last[s]), -1))
    ev.sort(key=lambda e: (e[0], e[1]))   # an end at the same instant counts first
    cur = best = 0; at = 0.0
    for t, d in ev:
        cur += d
        if cur > best:
            best, at = cur, t
    return best, at


print(f"{cap}: {len(last)} tcp streams, {len(syn)} with a SYN; ends (strict): {dict(ends)}, never ended: {len(syn) - sum(1 for s in syn if s in strict_end)}")
b, at = peak(strict_end)
print(f"  max concurrent (SYN .. first RST / FIN both ways, else last packet): {b} at t={at:.3f} s")
b, at = peak({})
print(f"  max concurrent (SYN .. last packet): {b} at t={at:.3f} s")
