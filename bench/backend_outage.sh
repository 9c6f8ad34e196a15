#!/usr/bin/env bash
# Tracing backend down or slow (issue: reliability, point 1), measured: `tracing-demo all`
# (embedded store off) exporting to
#   normal     a live `tracing-demo traces`,
#   blackhole  a port that accepts connections and never answers,
#   refused    a port nobody listens on,
# with wrk on GET /users/1 in each case, the normal case run first and last (drift check).
# Reports throughput, p50/p99, failed requests and the service's RSS per case, and p99 of each
# outage relative to normal (target: within 10%). Writes bench/results/backend_outage.json.
#
#   bash bench/backend_outage.sh        (DURATION=5 CONNECTIONS=16)
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=bench; source bench/lib.sh
BIN=${BIN:-build/release/bin/tracing-demo}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-16}
[ -x "$BIN" ] || { echo "$BIN is missing: build it first (make build)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
WORK=$(mktemp -d); PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

# The backends.
store_http=$(free_port); store_ui=$(free_port)
"$BIN" traces --otlp-http-port "$store_http" --ui-port "$store_ui" --no-grpc --no-jaeger-thrift >"$WORK/store.log" 2>&1 &
PIDS+=($!)
blackhole=$(free_port)
python3 - "$blackhole" >"$WORK/blackhole.log" 2>&1 <<'PY' &
import socket, sys, time
server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1]))); server.listen(128)
held = []
while True:
    connection, _ = server.accept()
    held.append(connection)  # accepted, read never, answered never
PY
PIDS+=($!)
refused=$(free_port)
wait_for_url "http://127.0.0.1:$store_ui/api/services" 100 || { echo "the trace store did not start" >&2; exit 1; }

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

run_case() {  # NAME ENDPOINT: prints one JSON line
  local name=$1 endpoint=$2 base; base=$(free_ports 4)
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=$endpoint OTEL_EXPORTER_OTLP_TIMEOUT=2000 \
    "$BIN" all --base-port "$base" --trace-store=off --data-dir "$WORK/data-$name" >"$WORK/$name.log" 2>&1 &
  local pid=$!
  wait_for_url "http://127.0.0.1:$base/health" 100 || { echo "all did not start" >&2; cat "$WORK/$name.log" >&2; exit 1; }
  local url="http://127.0.0.1:$base/users/1"
  wrk -t2 -c"$CONNECTIONS" -d1s "$url" >/dev/null  # warm up
  local before; before=$(rss_kib "$pid")
  local line; line=$(wrk_json "$url" -t2 -c"$CONNECTIONS" -d"${DURATION}s")
  local after; after=$(rss_kib "$pid")
  echo "{\"case\":\"$name\",\"rss_kib_before\":$before,\"rss_kib_after\":$after,\"wrk\":$line}"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

{
  run_case normal "http://127.0.0.1:$store_http/v1/traces"
  run_case blackhole "http://127.0.0.1:$blackhole/v1/traces"
  run_case refused "http://127.0.0.1:$refused/v1/traces"
  run_case normal_again "http://127.0.0.1:$store_http/v1/traces"
} >"$WORK/lines.jsonl"

python3 - "$WORK/lines.jsonl" <<'PY' | tee bench/results/backend_outage.json
import json, sys
rows = {r["case"]: r for r in (json.loads(l) for l in open(sys.argv[1]) if l.strip())}
normal_p99 = (rows["normal"]["wrk"]["p99_us"] + rows["normal_again"]["wrk"]["p99_us"]) / 2
normal_rps = (rows["normal"]["wrk"]["rps"] + rows["normal_again"]["wrk"]["rps"]) / 2
out = {"benchmark": "tracing backend down or slow: GET /users/1, wrk -t2, exporter to a live store / a black hole / a refused port",
       "cases": list(rows.values()),
       "p99_ratio_to_normal": {c: round(rows[c]["wrk"]["p99_us"] / normal_p99, 3) for c in ("blackhole", "refused")},
       "throughput_ratio_to_normal": {c: round(rows[c]["wrk"]["rps"] / normal_rps, 3) for c in ("blackhole", "refused")},
       "failed_requests": {c: rows[c]["wrk"]["errors"] for c in rows},
       "target": {"p99_ratio_max": 1.10, "failed_requests": 0}}
print(json.dumps(out, indent=2))
PY
