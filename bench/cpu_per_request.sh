#!/usr/bin/env bash
# CPU time of `tracing-demo all` per request at a fixed arrival rate: less sensitive to a noisy
# machine than saturated throughput, for A/B comparisons of builds. For each round and each
# binary: starts `BIN all` (traced, embedded store on), sends `tracing-demo traffic --mode stress`
# at RPS for DURATION seconds (the load generator untraced, in its own process), and prints the
# process's user+system CPU microseconds per request, and each part. RPS=0: as fast as it answers instead
# (`wrk -t2 -c32`, as services_throughput.sh loads it; `POST /orders` with its body), and the
# req/s and wrk's p99 too: the CPU per request under full load, when the cores and caches are contended.
#   bash bench/cpu_per_request.sh PATH RPS DURATION BIN [BIN ...]
#   bash bench/cpu_per_request.sh /users/1 5000 6 /tmp/old-tracing-demo build/release/bin/tracing-demo
#   ROUNDS=6 bash bench/cpu_per_request.sh /demo/full-flow/1 0 8 OLD NEW
# A BIN may be a command that ends with the binary, split on spaces: traced against untraced,
#   bash bench/cpu_per_request.sh /demo/full-flow/1 0 8 BIN "env OTEL_SDK_DISABLED=true BIN"
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=bench; source bench/lib.sh
[ $# -ge 4 ] || { echo "usage: $0 PATH RPS DURATION BIN [BIN ...]" >&2; exit 2; }
URL_PATH=$1; RPS=$2; DURATION=$3; shift 3
TICK=$(getconf CLK_TCK)
WORK=$(mktemp -d); APP_PID=""
trap 'stop_app; rm -rf "$WORK"' EXIT
cpu_ticks() { stat_ticks "/proc/$1/stat" | tr ' ' ,; }  # "user,system"
for _ in $(seq 1 "${ROUNDS:-4}"); do
  for bin in "$@"; do
    start_all "$WORK" $bin  # split: "env NAME=VALUE BIN" runs BIN with NAME set
    base=$APP_BASE
    wait_for_url "http://127.0.0.1:$base/health" || { echo "tracing-demo all did not start" >&2; cat "$WORK/all.log" >&2; exit 1; }
    curl -fsS -o /dev/null "http://127.0.0.1:$base$URL_PATH" || true
    if [ "$RPS" = 0 ]; then
      wrk -t2 -c32 -d2s "http://127.0.0.1:$base$URL_PATH" >/dev/null  # warm-up, uncounted
      before=$(cpu_ticks "$APP_PID")
      script=""; [ "$URL_PATH" = /orders ] && script=bench/post_order.lua
      json=$(WRK_SCRIPT=$script wrk_json "http://127.0.0.1:$base$URL_PATH" -t2 -c32 -d"${DURATION}s")
      after=$(cpu_ticks "$APP_PID")
      requests=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['requests'])" "$json")
      rate=" $(python3 -c "import json,sys; j=json.loads(sys.argv[1]); print('%.0f req/s, p99 %.1f ms' % (j['rps'], j['p99_us'] / 1000))" "$json")"
    else
      before=$(cpu_ticks "$APP_PID")
      OTEL_SDK_DISABLED=true "$bin" traffic --mode stress --target "http://127.0.0.1:$base" \
        --mix "GET $URL_PATH=1" --rps "$RPS" --duration "$DURATION" >/dev/null 2>&1
      sleep 1  # the last batches are exported and ingested
      after=$(cpu_ticks "$APP_PID")
      requests=$((RPS * DURATION)); rate=""
    fi
    stop_app
    python3 -c "
import sys
t, n = float(sys.argv[1]), float(sys.argv[4])
(ua, sa), (ub, sb) = (map(float, v.split(',')) for v in sys.argv[2:4])
us = lambda ticks: ticks / t * 1e6 / n
print(f'{sys.argv[5]} {us(ub - ua + sb - sa):.1f} us/request (user {us(ub - ua):.1f}, system {us(sb - sa):.1f}){sys.argv[6]}')" \
      "$TICK" "$before" "$after" "$requests" "$bin" "$rate"
  done
done
