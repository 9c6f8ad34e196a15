#!/usr/bin/env bash
# End-to-end throughput and tracing overhead, wrk -t2 -c32 on loopback, one run:
#   - GET /users/1, GET /demo/full-flow/1, POST /orders against `tracing-demo all` with tracing
#     on (100% sampled, batch processor, OTLP/HTTP to the embedded store in the same process)
#   - the same GETs with tracing off (OTEL_SDK_DISABLED=true: a no-op provider)
# Targets: traced >= 0.95 of untraced throughput, p99 <= 1.10x; /users/1 >= 40k req/s,
# full flow >= 10k req/s, POST /orders >= 20k req/s. Writes bench/results/services_throughput.json.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=bench; source bench/lib.sh
BIN=${BIN:-build/release/bin/tracing-demo}
DURATION=${DURATION:-5}
WORK=$(mktemp -d); APP_PID=""
trap 'stop_app; rm -rf "$WORK"' EXIT

run_case() {  # NAME TRACING(on|off): starts all, runs wrk on each endpoint, prints JSON lines
  local name=$1 tracing=$2 base; base=$(free_ports 4)
  local env=(); [ "$tracing" = off ] && env=(OTEL_SDK_DISABLED=true)
  env "${env[@]}" "$BIN" all --base-port "$base" --data-dir "$WORK/data-$name" \
    --payment-decline-rate 0 >"$WORK/$name.log" 2>&1 &
  APP_PID=$!
  wait_for_url "http://127.0.0.1:$base/health" 100 || { echo "all did not start" >&2; cat "$WORK/$name.log" >&2; exit 1; }
  local url="http://127.0.0.1:$base"
  curl -fsS -o /dev/null "$url/users/1"; curl -fsS -o /dev/null "$url/demo/full-flow/1"  # warm up
  echo "{\"case\":\"$name\",\"endpoint\":\"GET /users/1\",\"wrk\":$(wrk_json "$url/users/1" -t2 -c32 -d"${DURATION}s")}"
  echo "{\"case\":\"$name\",\"endpoint\":\"GET /demo/full-flow/1\",\"wrk\":$(wrk_json "$url/demo/full-flow/1" -t2 -c32 -d"${DURATION}s")}"
  [ "$tracing" = on ] && echo "{\"case\":\"$name\",\"endpoint\":\"POST /orders\",\"wrk\":$(WRK_SCRIPT=bench/post_order.lua wrk_json "$url/orders" -t2 -c32 -d"${DURATION}s")}"
  stop_app
}

{ run_case traced on; run_case untraced off; } >"$WORK/lines.jsonl"
python3 - "$WORK/lines.jsonl" <<'PY' | tee bench/results/services_throughput.json
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {(r["case"], r["endpoint"]): r["wrk"] for r in rows}
overhead = {}
for ep in ("GET /users/1", "GET /demo/full-flow/1"):
    t, u = by[("traced", ep)], by[("untraced", ep)]
    overhead[ep] = {"throughput_ratio": round(t["rps"] / u["rps"], 3),
                    "p99_ratio": round(t["p99_us"] / max(u["p99_us"], 1), 3)}
print(json.dumps({"benchmark": "services end to end, wrk -t2 -c32, traced vs untraced",
                  "results": rows, "tracing_overhead": overhead,
                  "targets": {"throughput_ratio_min": 0.95, "p99_ratio_max": 1.10,
                              "GET /users/1 rps": 40000, "GET /demo/full-flow/1 rps": 10000,
                              "POST /orders rps": 20000}}, indent=2))
PY
