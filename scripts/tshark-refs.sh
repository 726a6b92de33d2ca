#!/usr/bin/env bash
# tshark-refs.sh - write tshark reference output next to every capture fixture.
#
# For every *.pcap, *.pcapng and *.pcap.gz under fixtures/ (any depth) that
# tshark can read, writes next to it:
#   <file>.tshark.tsv   two-pass (-2) TCP field dump (header line, tab separated)
#   <file>.tshark1.tsv  the same fields, single pass (no -2)
#   <file>.conv.txt     tshark -q -z conv,tcp
# and records the tshark version (first line of `tshark --version`) in
# fixtures/TSHARK_VERSION (never inside the TSV files).
#
# Runs with a throw-away WIRESHARK_CONFIG_DIR (no user preferences/profiles),
# LC_ALL=C and TZ=UTC so the output is reproducible.
#
# Usage: scripts/tshark-refs.sh [fixtures-dir]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FIXTURES=${1:-$ROOT/fixtures}
command -v tshark >/dev/null || { echo "tshark not found" >&2; exit 1; }
[[ -d $FIXTURES ]] || { echo "no fixtures dir: $FIXTURES" >&2; exit 1; }

export LC_ALL=C TZ=UTC
WIRESHARK_CONFIG_DIR=$(mktemp -d /tmp/tshark-refs-cfg.XXXXXX)
export WIRESHARK_CONFIG_DIR
ERR=$(mktemp /tmp/tshark-refs-err.XXXXXX)
trap 'rm -rf "$WIRESHARK_CONFIG_DIR" "$ERR"' EXIT

tshark --version 2>/dev/null | head -1 >"$FIXTURES/TSHARK_VERSION"

FIELDS=(
  frame.number frame.time_epoch _ws.col.Source tcp.srcport _ws.col.Destination
  tcp.dstport tcp.stream tcp.flags tcp.seq tcp.seq_raw tcp.ack tcp.ack_raw
  tcp.len tcp.window_size tcp.window_size_scalefactor
  tcp.analysis.retransmission tcp.analysis.fast_retransmission
  tcp.analysis.spurious_retransmission tcp.analysis.out_of_order
  tcp.analysis.lost_segment tcp.analysis.ack_lost_segment
  tcp.analysis.duplicate_ack tcp.analysis.zero_window
  tcp.analysis.zero_window_probe tcp.analysis.zero_window_probe_ack
  tcp.analysis.keep_alive tcp.analysis.keep_alive_ack
  tcp.analysis.window_update tcp.analysis.window_full
  tcp.analysis.reused_ports tcp.completeness tcp.analysis.initial_rtt
  frame.len tcp.hdr_len tcp.analysis.duplicate_ack_num
  tcp.options.sack.dsack_le tcp.options.sack.dsack_re
)
EARGS=()
for f in "${FIELDS[@]}"; do EARGS+=(-e "$f"); done

dump() {  # file out [extra tshark args...]
  local file=$1 out=$2; shift 2
  tshark -n "$@" -o tcp.relative_sequence_numbers:TRUE -o tcp.analyze_sequence_numbers:TRUE \
    -r "$file" -Y tcp -T fields -E header=y -E separator=/t -E occurrence=f \
    "${EARGS[@]}" >"$out.tmp" 2>"$ERR" || true
  mv "$out.tmp" "$out"
}

n=0; skipped=0
while IFS= read -r -d '' file; do
  # Skip anything tshark cannot open at all (not a capture, unknown format...).
  if ! tshark -n -r "$file" -c 1 -T fields -e frame.number >/dev/null 2>"$ERR"; then
    if ! tshark -n -r "$file" -T fields -e frame.number 2>/dev/null | grep -q .; then
      echo "skip (tshark cannot read): ${file#$ROOT/}: $(grep -v "Running as user" "$ERR" | head -1)" >&2
      skipped=$((skipped + 1)); continue
    fi
    echo "warning: ${file#$ROOT/}: $(grep -v "Running as user" "$ERR" | head -1)" >&2
  fi
  dump "$file" "$file.tshark.tsv" -2
  dump "$file" "$file.tshark1.tsv"
  tshark -n -q -r "$file" -z conv,tcp >"$file.conv.txt" 2>"$ERR" || true
  echo "ok: ${file#$ROOT/} ($(($(wc -l <"$file.tshark.tsv") - 1)) tcp packets)"
  n=$((n + 1))
done < <(find "$FIXTURES" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.pcap.gz' \) -print0 | sort -z)

echo "$n capture(s) processed, $skipped skipped; $(cat "$FIXTURES/TSHARK_VERSION")"
