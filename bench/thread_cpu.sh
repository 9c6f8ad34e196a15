#!/usr/bin/env bash
# Where a request's CPU goes by thread, and how often threads are switched out: starts `BIN all`
# (traced, embedded store on), loads PATH with wrk -t2 -c32 for SECONDS, and prints for each
# thread name (threads of one name summed, their count after "x") the user+system CPU
# microseconds per request and the voluntary (the thread waited) and involuntary (preempted)
# context switches per request, read from /proc/PID/task/*/{stat,status} before and after.
# BIN may be a command ending with the binary, as in cpu_per_request.sh:
#   bash bench/thread_cpu.sh /demo/full-flow/1 6 build/release/bin/tracing-demo
#   bash bench/thread_cpu.sh /demo/full-flow/1 6 env OTEL_SDK_DISABLED=true build/release/bin/tracing-demo
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=bench; source bench/lib.sh
[ $# -ge 3 ] || { echo "usage: $0 PATH SECONDS BIN..." >&2; exit 2; }
URL_PATH=$1; SECONDS_=$2; shift 2
WORK=$(mktemp -d); APP_PID=""
trap 'stop_app; rm -rf "$WORK"' EXIT
start_all "$WORK" "$@"
wait_for_url "http://127.0.0.1:$APP_BASE/health" || { echo "tracing-demo all did not start" >&2; cat "$WORK/all.log" >&2; exit 1; }
curl -fsS -o /dev/null "http://127.0.0.1:$APP_BASE$URL_PATH" || true
# One line per thread: id, name (spaces as _), CPU ticks (user + system), voluntary and
# involuntary switches. A thread that ends between the two snapshots is left out (its CPU in
# between is not counted).
snapshot() {
  for task in /proc/"$APP_PID"/task/*; do
    printf '%s %s %s %s\n' "${task##*/}" "$(tr ' ' _ <"$task/comm")" \
      "$(stat_ticks "$task/stat" | awk '{print $1 + $2}')" \
      "$(awk '/^voluntary_ctxt_switches/{v=$2} /^nonvoluntary_ctxt_switches/{n=$2} END{print v, n}' "$task/status")"
  done 2>/dev/null
}
snapshot >"$WORK/before"
if [ "$URL_PATH" = /orders ]; then export WRK_SCRIPT=bench/post_order.lua; fi
result=$(wrk_json "http://127.0.0.1:$APP_BASE$URL_PATH" -t2 -c32 -d"${SECONDS_}s")
snapshot >"$WORK/after"
[ -n "$result" ] || { echo "wrk gave no result (is wrk installed? make setup)" >&2; exit 1; }
python3 - "$result" "$WORK/before" "$WORK/after" "$(getconf CLK_TCK)" <<'PY'
import collections, json, sys
wrk, tick = json.loads(sys.argv[1]), int(sys.argv[4])
def load(path):  # thread id -> (name, cpu, voluntary, involuntary)
    threads = {}
    for line in open(path):
        fields = line.split()
        if len(fields) == 5:
            threads[fields[0]] = (fields[1], int(fields[2]), int(fields[3]), int(fields[4]))
    return threads
before, after = load(sys.argv[2]), load(sys.argv[3])
# Per thread, then summed by name: a thread started during the run counts from zero.
by_name, count = collections.defaultdict(lambda: [0, 0, 0]), collections.Counter()
for tid, (name, cpu, vol, invol) in after.items():
    _, cpu0, vol0, invol0 = before.get(tid, (name, 0, 0, 0))
    row = by_name[name]
    row[0] += cpu - cpu0; row[1] += vol - vol0; row[2] += invol - invol0
    count[name] += 1
requests = max(wrk["requests"], 1)
print(f"{wrk['requests']} requests, {wrk['rps']:.0f} req/s, p99 {wrk['p99_us'] / 1000:.1f} ms")
print(f"{'thread':18s} {'count':>5s} {'CPU us/req':>11s} {'vol/req':>8s} {'invol/req':>9s}")
total = [0.0, 0.0, 0.0]
for name in sorted(by_name):
    d = by_name[name]
    row = [d[0] * 1e6 / tick / requests, d[1] / requests, d[2] / requests]
    total = [t + r for t, r in zip(total, row)]
    if row[0] == 0 and row[1] == 0 and row[2] == 0: continue
    print(f"{name:18s} {'x' + str(count[name]):>5s} {row[0]:11.1f} {row[1]:8.2f} {row[2]:9.2f}")
print(f"{'all':18s} {'':>5s} {total[0]:11.1f} {total[1]:8.2f} {total[2]:9.2f}")
PY
