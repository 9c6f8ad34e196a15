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
  # The kernel's prices on this day's machine, to read the load figures by.
  echo "== bench/machine_costs.sh"
  bash bench/machine_costs.sh >bench/results/machine_costs.json || { echo "machine_costs.sh failed"; status=1; }
  for script in bench/http_vs_nginx.sh bench/services_throughput.sh bench/loadtester_vs_wrk.sh bench/cost_curve.sh bench/backend_outage.sh; do
    [ -f "$script" ] || continue
    echo "== $script"
    bash "$script" >/dev/null || { echo "$script failed"; status=1; }
  done
  # User-space instructions per request (callgrind): the figure that repeats on a busy machine.
  if command -v valgrind >/dev/null; then
    echo "== bench/instructions_per_request.sh"
    lines=$(mktemp)
    for case in "/users/1|" "/users/1|OTEL_SDK_DISABLED=true" "/health|"; do
      APP_ENV=${case#*|} JSON_LINES=$lines bash bench/instructions_per_request.sh "${case%%|*}" 2000 \
        build/release/bin/tracing-demo >/dev/null || { echo "instructions_per_request.sh failed"; status=1; }
    done
    python3 -c 'import json,sys; print(json.dumps({"benchmark": "user-space instructions per request (callgrind), tracing-demo all, embedded store on", "results": [json.loads(l) for l in open(sys.argv[1]) if l.strip()]}, indent=2))' \
      "$lines" >bench/results/instructions_per_request.json
    rm -f "$lines"
  fi
fi
python3 bench/summary.py bench/results
exit $status
