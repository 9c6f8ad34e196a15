#!/usr/bin/env bash
# Where GET /health's CPU goes at full load, ours against nginx's (http_vs_nginx.sh's
# configuration): for each server, wrk -t2 -c32 for DURATION seconds while the server's user and
# system CPU time (/proc/PID/stat, summed over its threads or workers) and, when perf can count
# them, its system calls (recvfrom, those failing, sendmsg, writev, epoll_wait) are read;
# everything divided by the requests served. ROUNDS rounds, ours then nginx in each. Prints one
# line per run; writes nothing. (For an A/B of two builds at a fixed rate: cpu_per_request.sh.)
#   BIN=build/release/bin/tracing-demo ROUNDS=3 DURATION=5 bash bench/syscalls_vs_nginx.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=bench; source bench/lib.sh
BIN=${BIN:-build/release/bin/tracing-demo}
ROUNDS=${ROUNDS:-1}
DURATION=${DURATION:-5}
WORK=$(mktemp -d); APP_PID=""
trap 'stop_health_pair "$WORK"; rm -rf "$WORK"' EXIT
start_health_pair "$WORK" "$BIN"
NGINX_PIDS=$(pgrep -f "nginx: worker" -P "$(cat "$WORK/nginx.pid")" | paste -sd, -)

SYSCALLS=(syscalls:sys_enter_recvfrom syscalls:sys_exit_recvfrom syscalls:sys_enter_sendmsg
          syscalls:sys_enter_writev syscalls:sys_enter_epoll_wait)
can_count() { perf stat -e syscalls:sys_enter_recvfrom -p "$APP_PID" -o /dev/null -- sleep 0.1 >/dev/null 2>&1; }
perf_ok=false; command -v perf >/dev/null && can_count && perf_ok=true

# cpu_ticks PIDS: user and system clock ticks summed over the processes (comma-separated).
cpu_ticks() {
  local u=0 s=0 pid a b
  for pid in ${1//,/ }; do
    read -r a b < <(stat_ticks "/proc/$pid/stat")
    u=$((u + a)); s=$((s + b))
  done
  echo "$u $s"
}

measure() {  # NAME URL PIDS
  local name=$1 url=$2 pids=$3 u0 s0 u1 s1 out perf_pid="" filter=()
  if $perf_ok; then
    for e in "${SYSCALLS[@]}"; do
      filter+=(-e "$e")
      [ "$e" = syscalls:sys_exit_recvfrom ] && filter+=(--filter "ret < 0")
    done
    perf stat -x, "${filter[@]}" -p "$pids" -o "$WORK/perf.txt" &
    perf_pid=$!
    sleep 0.2
  fi
  read -r u0 s0 < <(cpu_ticks "$pids")
  out=$(wrk -t2 -c32 -d"${DURATION}s" "$url")
  read -r u1 s1 < <(cpu_ticks "$pids")
  [ -n "$perf_pid" ] && { kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; }
  local requests
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  python3 - "$name" "$requests" "$DURATION" $((u1 - u0)) $((s1 - s0)) "$(getconf CLK_TCK)" "$WORK/perf.txt" "$perf_ok" <<'PY'
import sys
name, n, duration, user, system, hz, perf_file, perf_ok = sys.argv[1:]
n, user, system, hz = int(n), int(user), int(system), int(hz)
line = "%-6s %8.0f req/s  user %.2f us/req  system %.2f us/req" % (
    name, n / float(duration), user / hz * 1e6 / n, system / hz * 1e6 / n)
if perf_ok == "true":
    counts = {}
    for row in open(perf_file):
        parts = row.strip().split(",")
        if len(parts) > 2 and parts[0].replace(".", "").isdigit():
            counts[parts[2]] = float(parts[0])
    per = lambda e: counts.get(e, 0.0) / n
    # (perf counts a little before and after wrk's run: per-request values are slightly high)
    line += "  recvfrom %.2f (EAGAIN %.2f)  sendmsg %.2f  writev %.2f  epoll_wait %.2f" % (
        per("syscalls:sys_enter_recvfrom"), per("syscalls:sys_exit_recvfrom"),
        per("syscalls:sys_enter_sendmsg"), per("syscalls:sys_enter_writev"),
        per("syscalls:sys_enter_epoll_wait"))
print(line)
PY
}

for _ in $(seq "$ROUNDS"); do
  measure ours "http://127.0.0.1:$BASE/health" "$APP_PID"
  measure nginx "http://127.0.0.1:$NGINX_PORT/health" "$NGINX_PIDS"
done
