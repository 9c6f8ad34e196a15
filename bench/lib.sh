# Shared helpers for the load benchmarks (source it). Every target listens on loopback only.
# free_ports N: the first of N consecutive loopback ports free now, taken from 20000-32000, below
# the kernel's ephemeral range, so that no outgoing connection takes one before the server binds
# it (`tracing-demo all --base-port B` listens on B..B+3). free_port: one such port.
free_ports() {
  python3 - "${1:-1}" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(500):
    start, ok, socks = random.randrange(20000, 32000 - n), True, []
    try:
        for port in range(start, start + n):
            s = socket.socket()
            socks.append(s)
            s.bind(("127.0.0.1", port))
    except OSError:
        ok = False
    for s in socks:
        s.close()
    if ok:
        print(start)
        sys.exit(0)
sys.exit("no free port range found")
PY
}
free_port() { free_ports 1; }

# start_all WORK CMD...: starts `CMD... all` in the background with declines off, its data in
# WORK/data and its log in WORK/all.log, on seven consecutive free ports taken as one range:
# the services on APP_BASE..APP_BASE+3, the embedded store's UI, OTLP/HTTP and OTLP/gRPC on
# APP_BASE+4..+6. CMD is the binary, or a prefix ending with it (env, valgrind). Extra
# arguments for `all` go in the array ALL_ARGS. Sets APP_BASE and APP_PID.
start_all() {
  local work=$1; shift
  APP_BASE=$(free_ports 7)
  rm -rf "$work/data"
  "$@" all --base-port "$APP_BASE" --data-dir "$work/data" --payment-decline-rate 0 \
    --ui-port $((APP_BASE + 4)) --otlp-http-port $((APP_BASE + 5)) --otlp-grpc-port $((APP_BASE + 6)) \
    ${ALL_ARGS[@]+"${ALL_ARGS[@]}"} >"$work/all.log" 2>&1 &
  APP_PID=$!
}

# stop_app: stops the `tracing-demo all` that start_all or start_health_pair started (APP_PID),
# waits for it, and forgets it; nothing when none runs. For the scripts' EXIT traps, as in
#   trap 'stop_app; rm -rf "$WORK"' EXIT
stop_app() {
  [ -n "${APP_PID:-}" ] && { kill "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null; APP_PID=""; }
  return 0
}

# stat_ticks FILE: "UTIME STIME", the clock ticks in user and system mode of a /proc/PID/stat
# or /proc/PID/task/TID/stat file: the 12th and 13th fields after the ")" that ends the name
# (a name may hold spaces and parentheses).
stat_ticks() { sed 's/.*) //' "$1" | awk '{print $12, $13}'; }

wait_for_url() {  # URL [tries]: waits for a 2xx answer, 0.1 s apart
  local tries=${2:-100}
  for _ in $(seq 1 "$tries"); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# wrk_json URL [wrk args...]: runs wrk with bench/wrk_json.lua, prints its JSON line.
wrk_json() {
  local url=$1; shift
  # WRK_SCRIPT: a script of the caller's that sets the request and dofile()s wrk_json.lua
  # (wrk takes one -s only).
  wrk "$@" --latency -s "${WRK_SCRIPT:-$BENCH_DIR/wrk_json.lua}" "$url" | sed -n 's/^WRK_JSON //p'
}

# start_nginx WORKDIR PORT WORKERS BODY: nginx answering 200 BODY (application/json) on every path.
start_nginx() {
  local work=$1 port=$2 workers=$3 body=$4
  cat >"$work/nginx.conf" <<NGINX
worker_processes $workers;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 10000000;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server { listen 127.0.0.1:$port reuseport; location / { default_type application/json; return 200 '$body'; } }
}
NGINX
  nginx -c "$work/nginx.conf" -p "$work"
}

# start_health_pair WORK BIN: the nginx comparison's two servers. `BIN all` without the store and
# with LOG_LEVEL=warning (no access log: nginx runs with access_log off), and nginx (2 workers)
# answering every path with the same body as our /health. Sets APP_PID, BASE (the gateway's
# port) and NGINX_PORT; stop_health_pair WORK stops both (call it from the caller's EXIT trap).
start_health_pair() {
  local work=$1 bin=$2 body
  BASE=$(free_ports 4)
  LOG_LEVEL=warning "$bin" all --base-port "$BASE" --trace-store=off >"$work/all.log" 2>&1 &
  APP_PID=$!
  wait_for_url "http://127.0.0.1:$BASE/health" ||
    { echo "tracing-demo all did not start" >&2; cat "$work/all.log" >&2; return 1; }
  body=$(curl -fsS "http://127.0.0.1:$BASE/health" | tr -d "'\n")
  NGINX_PORT=$(free_port)
  start_nginx "$work" "$NGINX_PORT" 2 "$body"
  wait_for_url "http://127.0.0.1:$NGINX_PORT/"
}
stop_health_pair() {
  local work=$1
  stop_app
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  return 0
}

# json_field JSON FIELD: a number from a flat JSON object.
json_field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
