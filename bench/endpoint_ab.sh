#!/usr/bin/env bash
# One endpoint, one binary, one wrk run: for A/B comparisons of two builds (or of one build
# under two environments), alternating runs so drift hits both alike.
#   bash bench/endpoint_ab.sh BIN PATH [NAME=VALUE ...]
# starts `BIN all` on free ports (embedded store off, declines off; TRACED=1 turns the store on
# and traces into it), warms up with one request, runs `wrk -t2 -c32 -d${DURATION:-5}s` on PATH
# and prints its p99 and req/s. NAME=VALUE pairs go to the services' environment, e.g.
#   bash bench/endpoint_ab.sh /tmp/old-tracing-demo /demo/full-flow/1
#   bash bench/endpoint_ab.sh build/release/bin/tracing-demo /users/1 MALLOC_MMAP_THRESHOLD_=131072
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=bench; source bench/lib.sh
[ $# -ge 2 ] || { echo "usage: $0 BIN PATH [NAME=VALUE ...]" >&2; exit 2; }
BIN=$1; URL_PATH=$2; shift 2
WORK=$(mktemp -d); APP_PID=""
trap 'stop_app; rm -rf "$WORK"' EXIT
ALL_ARGS=()
[ "${TRACED:-0}" = 1 ] || ALL_ARGS=(--trace-store=off)
start_all "$WORK" env "$@" "$BIN"
BASE=$APP_BASE
wait_for_url "http://127.0.0.1:$BASE/health" || { echo "tracing-demo all did not start" >&2; cat "$WORK/all.log" >&2; exit 1; }
curl -fsS -o /dev/null "http://127.0.0.1:$BASE$URL_PATH" || true
wrk -t2 -c32 -d"${DURATION:-5}s" --latency "http://127.0.0.1:$BASE$URL_PATH" | grep -E "Requests/sec|^ +99%"
