#!/usr/bin/env bash
# The cost curve (issue: performance, point 5), so growth is visible at a glance:
#   - GET /demo/full-flow/1 on `tracing-demo all` (traced, 100% sampled, embedded store) driven
#     by wrk at 1, 8, 32, 128 and 512 connections: throughput and p99;
#   - trace search latency (p50, p99) over 10k, 100k and 1M stored spans (tracestore_bench).
# Writes bench/results/cost_curve.json and bench/results/cost_curve.svg, prints a table.
#
#   bash bench/cost_curve.sh        (DURATION=5 CONNECTIONS="1 8 32 128 512")
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=bench; source bench/lib.sh
BIN=${BIN:-build/release/bin/tracing-demo}
BENCH_BIN=${BENCH_BIN:-build/release/bench/tracestore_bench}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-1 8 32 128 512}
for tool in "$BIN" "$BENCH_BIN"; do
  [ -x "$tool" ] || { echo "$tool is missing: build it first (make build)" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
WORK=$(mktemp -d); APP_PID=""
trap 'stop_app; rm -rf "$WORK"' EXIT

# 1. Trace search over growing stores (the stores are built once, in memory).
echo "cost curve: trace search at 10k, 100k, 1M stored spans"
"$BENCH_BIN" --benchmark_filter='BM_SearchCurve' --benchmark_min_time=0.3 \
  --benchmark_out="$WORK/search.json" --benchmark_out_format=json >/dev/null

# 2. Full flow at growing concurrency, one server for every step (warmed up first).
base=$(free_ports 4)
"$BIN" all --base-port "$base" --data-dir "$WORK/data" --payment-decline-rate 0 >"$WORK/all.log" 2>&1 &
APP_PID=$!
url="http://127.0.0.1:$base/demo/full-flow/1"
wait_for_url "http://127.0.0.1:$base/health" 100 || { echo "all did not start" >&2; cat "$WORK/all.log" >&2; exit 1; }
wrk -t2 -c32 -d2s "$url" >/dev/null
: >"$WORK/flow.jsonl"
for c in $CONNECTIONS; do
  threads=$(( c < 2 ? 1 : 2 ))
  line=$(wrk_json "$url" -t"$threads" -c"$c" -d"${DURATION}s" --timeout 10s)
  echo "{\"connections\":$c,\"wrk\":$line}" >>"$WORK/flow.jsonl"
  echo "cost curve: full flow, $c connections: $(json_field "$line" rps) req/s, p99 $(json_field "$line" p99_us) us"
done
stop_app

python3 bench/cost_curve.py "$WORK/flow.jsonl" "$WORK/search.json" bench/results/cost_curve.json bench/results/cost_curve.svg
