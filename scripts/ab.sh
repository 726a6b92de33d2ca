#!/bin/bash
# Developer tool: compares two builds of the CLI on the same arguments, run after run.
#   bash scripts/ab.sh N DIR_A DIR_B ARGS...
# DIR_A and DIR_B each hold bin/, package.json and dist/bundle/ of a build (and node_modules,
# a link will do). Each of N rounds runs both, A then B in odd rounds and B then A in even ones,
# so that neither build is always the one run right after the other. Prints, per build, the
# median wall time (min and max), peak RSS, user and system time of its runs (GNU time).
# Output goes to /dev/null; exit codes are not checked.
# Know the noise before reading a difference: two copies of one build, 15 rounds of short1m
# `check` on 2026-12-03, gave medians 0.74 and 0.79 s (a fixed order), then 0.77 and 0.82 s
# (alternating); a CPU profile's samples summed over several runs (scripts/cpu-profile.ts)
# says more about a change of a few percent.
set -u
n=$1; a=$2; b=$3; shift 3
export NODE_EXTRA_CA_CERTS=
log=$(mktemp)
t=$(mktemp)
run() {
  local d=$1
  shift
  /usr/bin/time -f "%e %M %U %S" -o "$t" node "$d/bin/tcpflow-explain.js" "$@" > /dev/null 2> /dev/null
  echo "$d $(tail -1 "$t")" >> "$log"
}
for i in $(seq "$n"); do
  if [ $((i % 2)) -eq 1 ]; then run "$a" "$@"; run "$b" "$@"; else run "$b" "$@"; run "$a" "$@"; fi
done
for d in "$a" "$b"; do
  python3 - "$d" "$log" <<'P'
import sys, statistics as st
d, log = sys.argv[1], sys.argv[2]
rows = [list(map(float, l.split()[1:])) for l in open(log) if l.split()[0] == d]
col = lambda i: [r[i] for r in rows]
print(f"{d}: median {st.median(col(0)):.2f} s (min {min(col(0)):.2f} max {max(col(0)):.2f})  rss {st.median(col(1))/1024:.0f} MB  user {st.median(col(2)):.2f}  sys {st.median(col(3)):.2f}")
P
done
rm -f "$log" "$t"
