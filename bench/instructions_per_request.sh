#!/usr/bin/env bash
# User-space instructions of `tracing-demo all` per request, counted by valgrind's callgrind: the
# same build gives the same count within a fraction of a percent however busy the machine is,
# so two builds can be compared on a shared 2-core VM where timings move by 50% between runs.
# It does not count kernel time (loopback TCP) nor cache misses: use it to compare user-space
# code, and wrk to confirm. For each BIN: starts `BIN all` under callgrind (traced, embedded
# store on, spans exported over OTLP as in production), warms up, zeroes the counters, sends
# REQUESTS requests (`tracing-demo load-test`, 4 users, untraced), waits for the last spans to
# be exported and stored, and prints instructions per request. CALLGRIND_OUT=DIR keeps each
# profile (callgrind_annotate --inclusive=yes FILE shows where the instructions went);
# APP_ENV="NAME=VALUE ..." sets the services' environment (APP_ENV=OTEL_SDK_DISABLED=true: untraced);
# ALL_FLAGS="..." adds flags to `all` (http_vs_nginx.sh's configuration:
# ALL_FLAGS=--trace-store=off APP_ENV=LOG_LEVEL=warning);
# JSON_LINES=FILE appends one JSON object per result to FILE (make bench gathers them).
# Compare counts made with the same REQUESTS: per-batch costs (export, ingest) spread over the
# requests, so 400 requests of a traced GET /users/1 count 240k each where 2000 count 215k.
#   bash bench/instructions_per_request.sh PATH REQUESTS BIN [BIN ...]
#   bash bench/instructions_per_request.sh /users/1 2000 /tmp/old-tracing-demo build/release/bin/tracing-demo
set -euo pipefail
# shellcheck disable=SC2206
ALL_ARGS=(${ALL_FLAGS:-})
cd "$(dirname "$0")/.."
BENCH_DIR=bench; source bench/lib.sh
[ $# -ge 3 ] || { echo "usage: $0 PATH REQUESTS BIN [BIN ...]" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is missing (apt-get install valgrind)" >&2; exit 1; }
URL_PATH=$1; REQUESTS=$2; shift 2
[ "$REQUESTS" -ge 4 ] || { echo "REQUESTS must be at least 4" >&2; exit 2; }
WORK=$(mktemp -d); APP_PID=""
trap 'stop_app; rm -rf "$WORK"' EXIT
for bin in "$@"; do
  rm -f "$WORK"/callgrind.*
  # shellcheck disable=SC2086
  start_all "$WORK" env ${APP_ENV:-} valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.%p" "$bin"
  base=$APP_BASE
  # Under valgrind the process starts ~50x slower.
  wait_for_url "http://127.0.0.1:$base/health" 1200 || { echo "tracing-demo all did not start" >&2; cat "$WORK/all.log" >&2; exit 1; }
  load() {
    OTEL_SDK_DISABLED=true "$bin" load-test --target "http://127.0.0.1:$base" --endpoint "$URL_PATH" \
      --users 4 --requests "$1" --timeout 60 --max-error-rate 0 >"$WORK/load.txt" 2>&1 ||
      { echo "load-test failed against $bin:" >&2; cat "$WORK/load.txt" >&2; exit 1; }
  }
  load 25  # warm up: connections, caches, pools
  sleep 2
  callgrind_control -z "$APP_PID" >/dev/null 2>&1
  load $((REQUESTS / 4))
  sleep 3  # the batch processor exports; the store decodes and stores
  callgrind_control -d "$APP_PID" >/dev/null 2>&1
  sleep 1
  profile=$(ls -t "$WORK"/callgrind.*.* | head -1)
  [ -n "${CALLGRIND_OUT:-}" ] && { mkdir -p "$CALLGRIND_OUT"; cp "$profile" "$CALLGRIND_OUT/$(basename "$bin").$(basename "$profile")"; }
  stop_app
  per_request=$(awk -v n=$((REQUESTS / 4 * 4)) '/^summary:/ {printf "%.0f", $2 / n}' "$profile")
  echo "$bin $per_request instructions/request"
  if [ -n "${JSON_LINES:-}" ]; then
    printf '{"endpoint":"%s","environment":"%s","requests":%d,"binary":"%s","instructions_per_request":%s}\n' \
      "$URL_PATH" "${APP_ENV:-}" $((REQUESTS / 4 * 4)) "$bin" "$per_request" >>"$JSON_LINES"
  fi
done
