#!/usr/bin/env bash
# Where a request's time goes, which instruction counts (instructions_per_request.sh) do not
# show: a load or store that waits for memory costs one instruction and hundreds of cycles.
# Samples `tracing-demo all` (traced, embedded store on) with `perf record` while wrk loads one
# endpoint, then prints the symbols with the largest shares of the process's samples, and with
# CALL_GRAPH=dwarf the share of each part of the work (a sample counts once, in the first
# part whose function is on its stack). This machine's perf has the cpu-clock event only (no
# hardware counters); run as root or with kernel.perf_event_paranoid <= 1.
#   bash bench/time_profile.sh PATH SECONDS BIN
#   CALL_GRAPH=dwarf bash bench/time_profile.sh /demo/full-flow/1 4 build/release/bin/tracing-demo
# PROFILE_OUT=DIR keeps perf.data there (for `perf report -i` / `perf annotate -i`).
# APP_ENV="NAME=VALUE ..." sets the process's environment (APP_ENV=OTEL_SDK_DISABLED=true:
# untraced). bench/tracing_tax.sh compares a traced and an untraced profile.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=bench; source bench/lib.sh
[ $# -eq 3 ] || { echo "usage: $0 PATH SECONDS BIN" >&2; exit 2; }
URL_PATH=$1; SECONDS_=$2; BIN=$3
command -v perf >/dev/null || { echo "perf not found (Debian: linux-perf)" >&2; exit 1; }
WORK=$(mktemp -d); APP_PID=""; OUT=${PROFILE_OUT:-$WORK}; mkdir -p "$OUT"
trap 'stop_app; wait 2>/dev/null; rm -rf "$WORK"' EXIT
start_all "$WORK" env ${APP_ENV:-} "$BIN"
wait_for_url "http://127.0.0.1:$APP_BASE/health" || { echo "tracing-demo all did not start" >&2; cat "$WORK/all.log" >&2; exit 1; }
for _ in 1 2 3; do curl -fsS -o /dev/null "http://127.0.0.1:$APP_BASE$URL_PATH" || true; done
if [ "${CALL_GRAPH:-fp}" = dwarf ]; then graph=(--call-graph dwarf,32768); else graph=(-g); fi
perf record -F 1999 "${graph[@]}" -p "$APP_PID" -o "$OUT/perf.data" -- sleep "$SECONDS_" >/dev/null 2>&1 &
PERF_PID=$!
if [ "$URL_PATH" = /orders ]; then export WRK_SCRIPT=bench/post_order.lua; fi
wrk_json "http://127.0.0.1:$APP_BASE$URL_PATH" -t2 -c32 -d"${SECONDS_}s"
wait "$PERF_PID" || true
echo "== symbols, share of the process's samples"
{ perf report -i "$OUT/perf.data" --no-children --sort dso,sym -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | cut -c1-160 | head -40; } || true
[ "${CALL_GRAPH:-fp}" = dwarf ] || exit 0
echo "== parts of the work, share of the process's samples"
perf script -i "$OUT/perf.data" -F comm,ip,sym,dso 2>/dev/null | python3 -c '
import collections, sys
parts = [  # (part, a thread name prefix or functions on the stack), first match wins
    ("export threads", "thread:span-export"), ("log flush thread", "thread:log-flush"),
    ("SQLite", "sqlite3_"), ("trace store ingest", "OtlpIngest"), ("sendmsg", "sendmsg"),
    ("recv", "__libc_recv"), ("epoll_wait", "epoll_wait"), ("span start", "Tracer::start_span"),
    ("span end", "Span::end"), ("span attributes, events", "set_attribute|add_event"),
    ("access log", "access_log|LogLine"), ("HTTP client", "Client::Impl"),
    ("HTTP server", "Server::Impl|quick_read|RequestHandler")]
counts, total, stack = collections.Counter(), 0, []
def done(stack):
    global total
    if not stack: return
    total += 1
    for name, marker in parts:
        if marker.startswith("thread:"):
            if stack[0].startswith(marker[7:]): counts[name] += 1; return
        elif any(m in f for f in stack[1:] for m in marker.split("|")):
            counts[name] += 1; return
    counts["other"] += 1
for line in sys.stdin:
    if line.strip(): stack.append(line.strip())
    else: done(stack); stack = []
done(stack)
for name, n in counts.most_common(): print("%5.1f%%  %s" % (100.0 * n / total, name))
print("(%d samples)" % total)'
