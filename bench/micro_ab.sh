#!/usr/bin/env bash
# A/B of Google Benchmark binaries on one noisy machine: runs FILTER in each binary in turn,
# ROUNDS times (default 5; each run --benchmark_min_time=0.5), and prints every binary's times
# (ns, real time) sorted, so medians can be compared within minutes of each other.
#   bash bench/micro_ab.sh 'Root/real_time/threads:1$' /tmp/telemetry_bench.old build/release/bench/telemetry_bench
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 FILTER BINARY [BINARY ...]" >&2; exit 2; }
filter=$1; shift
rounds=${ROUNDS:-5}
for _ in $(seq 1 "$rounds"); do
  for binary in "$@"; do
    "$binary" --benchmark_filter="$filter" --benchmark_min_time=0.5 2>/dev/null |
      awk -v b="$binary" '/^BM_/ {print b, $2}'
  done
done | sort -k1,1 -k2,2n | awk '{times[$1] = times[$1] " " $2} END {for (b in times) print b ":" times[b]}'
