#!/usr/bin/env bash
# The machine's limit: GET /health on our gateway vs nginx (2 workers, `return 200` with the same
# body), measured in the same run with wrk -t2 -c32. Target: >= 0.8 of nginx's throughput, p99
# no worse than 1.5x. Writes bench/results/http_vs_nginx.json.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=bench; source bench/lib.sh
BIN=${BIN:-build/release/bin/tracing-demo}
DURATION=${DURATION:-5}
WORK=$(mktemp -d); APP_PID=""
trap 'stop_health_pair "$WORK"; rm -rf "$WORK"' EXIT
start_health_pair "$WORK" "$BIN"

ours=$(wrk_json "http://127.0.0.1:$BASE/health" -t2 -c32 -d"${DURATION}s")
nginx=$(wrk_json "http://127.0.0.1:$NGINX_PORT/health" -t2 -c32 -d"${DURATION}s")
python3 - "$ours" "$nginx" <<'PY' | tee bench/results/http_vs_nginx.json
import json, sys
ours, nginx = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({
  "benchmark": "GET /health, wrk -t2 -c32, gateway vs nginx (2 workers); access logs off on both",
  "gateway": ours, "nginx": nginx,
  "throughput_ratio": round(ours["rps"] / nginx["rps"], 3),
  "p99_ratio": round(ours["p99_us"] / max(nginx["p99_us"], 1), 3),
  "targets": {"throughput_ratio_min": 0.8, "p99_ratio_max": 1.5},
}, indent=2))
PY
