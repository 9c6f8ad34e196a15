#!/usr/bin/env bash
# make bench: every microbenchmark binary of the release build (Google Benchmark, JSON), then
# the load benchmarks (wrk and our load tester on loopback), then a summary table.
# Results: bench/results/*.json. BENCH_FILTER=regex limits the microbenchmarks;
# BENCH_SKIP_LOAD=1 skips the load benchmarks.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
status=0
for b in build/release/bench/*; do
  [ -x "$b" ] || continue
  name=$(basename "$b")
  echo "== $name"
  "$b" --benchmark_out="bench/results/$name.json" --benchmark_out_format=json \
       --benchmark_min_time="${BENCH_MIN_TIME:-0.5}" ${BENCH_FILTER:+--benchmark_filter="$BENCH_FILTER"} || status=1
done
if [ "${BENCH_SKIP_LOAD:-0}" != 1 ]; then
  for script in bench/http_vs_nginx.sh bench/services_throughput.sh bench/loadtester_vs_wrk.sh bench/cost_curve.sh bench/backend_outage.sh; do
    [ -f "$script" ] || continue
    echo "== $script"
    bash "$script" >/dev/null || { echo "$script failed"; status=1; }
  done
fi
python3 bench/summary.py bench/results
exit $status
