#!/usr/bin/env bash
# make demo: start the four services and the embedded trace store, run the demo scenarios and a
# short load test, print a summary and the URLs, then keep running until Ctrl-C.
# DEMO_ONCE=1 stops after the summary (exit 0) for scripts and CI.
# BASE_PORT (8000), UI_PORT (16686), OTLP_PORT (4318) and GRPC_PORT (4317) move the ports.
set -euo pipefail
BIN=${1:-build/release/bin/tracing-demo}
BASE_PORT=${BASE_PORT:-8000}
UI_PORT=${UI_PORT:-16686}
OTLP_PORT=${OTLP_PORT:-4318}
GRPC_PORT=${GRPC_PORT:-4317}
LOG_DIR=${LOG_DIR:-build/logs}
GATEWAY="http://localhost:${BASE_PORT}"
UI="http://localhost:${UI_PORT}"
mkdir -p "$LOG_DIR"

for port in "$BASE_PORT" $((BASE_PORT + 1)) $((BASE_PORT + 2)) $((BASE_PORT + 3)) "$UI_PORT" "$OTLP_PORT" "$GRPC_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: port $port is already in use (another 'make demo' or 'make run'?)." >&2
    echo "demo: stop it, or move the ports: BASE_PORT=9000 UI_PORT=17686 OTLP_PORT=5318 GRPC_PORT=5317 make demo" >&2
    exit 1
  fi
done

echo "demo: starting tracing-demo all (logs: $LOG_DIR/app.log)"
"$BIN" all --base-port "$BASE_PORT" --ui-port "$UI_PORT" --otlp-http-port "$OTLP_PORT" \
  --otlp-grpc-port "$GRPC_PORT" --slow-query-rate 0.05 --slow-query-delay-ms 120 2>"$LOG_DIR/app.log" &
APP_PID=$!
stop() { kill -TERM "$APP_PID" 2>/dev/null && wait "$APP_PID" 2>/dev/null || true; }
trap stop EXIT
trap 'echo; echo "demo: stopping"; exit 0' INT TERM

for _ in $(seq 1 100); do
  "$BIN" health --target "$GATEWAY" >/dev/null 2>&1 && break
  kill -0 "$APP_PID" 2>/dev/null || { echo "demo: tracing-demo exited; see $LOG_DIR/app.log" >&2; tail -20 "$LOG_DIR/app.log" >&2; exit 1; }
  sleep 0.2
done
"$BIN" health --target "$GATEWAY"

# The traffic tools trace their own requests too: send those spans to the same store.
export OTEL_EXPORTER_OTLP_ENDPOINT="${OTEL_EXPORTER_OTLP_ENDPOINT:-http://localhost:${OTLP_PORT}}"
echo
echo "== Demo scenarios: each leaves one instructive trace"
"$BIN" traffic --mode demo --target "$GATEWAY" --ui "$UI"

echo
echo "== A short load test (20 users x 50 requests, 2 s ramp-up)"
mkdir -p build/reports
"$BIN" load-test --target "$GATEWAY" --users 20 --requests 50 --ramp-up 2 \
  --mix "GET /users/1=4,GET /demo/full-flow/1=1,GET /health=1" \
  --json build/reports/demo-load-test.json --html build/reports/demo-load-test.html

cat <<MSG

== tracing-demo is running
  Trace UI (search, timeline, service map)  $UI
  Jaeger query API                          $UI/api/services
  Gateway                                    $GATEWAY   (API docs: $GATEWAY/docs)
  Metrics                                    $GATEWAY/metrics
  Load-test report                           build/reports/demo-load-test.html
  Logs                                       $LOG_DIR/app.log   (make logs-app)
MSG

if [ "${DEMO_ONCE:-0}" = 1 ]; then
  echo "demo: DEMO_ONCE=1, stopping"
  exit 0
fi
echo "Press Ctrl-C to stop."
wait "$APP_PID"
