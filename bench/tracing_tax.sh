#!/usr/bin/env bash
# What tracing adds to a request, by part and by function: profiles `tracing-demo all` under
# the same wrk load traced and untraced (OTEL_SDK_DISABLED=true: the no-op provider), with
# bench/time_profile.sh and CALL_GRAPH=dwarf, and prints each part's and each symbol's samples
# per 1000 requests in both runs and the difference, largest first. Samples are cpu-clock ticks
# at 1999 Hz: 1 sample per 1000 requests = 0.5 us of CPU per request. The two runs alternate
# ROUNDS times (default 3) and are summed: on a shared machine one pair can differ by 40% in
# work tracing does not touch (SQLite, the sockets), which the untouched parts show.
#   bash bench/tracing_tax.sh PATH SECONDS BIN
#   bash bench/tracing_tax.sh /demo/full-flow/1 6 build/release/bin/tracing-demo
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 3 ] || { echo "usage: $0 PATH SECONDS BIN" >&2; exit 2; }
URL_PATH=$1; SECONDS_=$2; BIN=$3
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
for round in $(seq 1 "${ROUNDS:-3}"); do
  for run in traced untraced; do
    env_=""; [ "$run" = untraced ] && env_=OTEL_SDK_DISABLED=true
    echo "round $round: profiling $run ($SECONDS_ s)..." >&2
    APP_ENV=$env_ CALL_GRAPH=dwarf PROFILE_OUT="$WORK/$run.$round" \
      bash bench/time_profile.sh "$URL_PATH" "$SECONDS_" "$BIN" >"$WORK/$run.$round.txt"
    perf report -i "$WORK/$run.$round/perf.data" --no-children --sort dso,sym -g none -n 2>/dev/null |
      grep -v '^#' >"$WORK/$run.$round.symbols" || true
    rm -rf "${WORK:?}/$run.$round"
  done
done
python3 - "$WORK" <<'PY'
import glob, json, re, sys
work = sys.argv[1]
def load(run):
    requests, total, parts, symbols = 0, 0, {}, {}
    for txt in sorted(glob.glob(f"{work}/{run}.*.txt")):
        text = open(txt).read()
        requests += json.loads(text.splitlines()[0])["requests"]
        samples = int(re.search(r"\((\d+) samples\)", text).group(1))
        total += samples
        for m in re.finditer(r"^\s*([\d.]+)%\s+(.+)$", text.split("== parts of the work")[1], re.M):
            parts[m.group(2)] = parts.get(m.group(2), 0) + float(m.group(1)) * samples / 100.0
        for line in open(txt[:-4] + ".symbols"):
            m = re.match(r"\s*[\d.]+%\s+(\d+)\s+\S+\s+\[.\]\s+(.*)$", line)
            if m:
                name = m.group(2).strip()[:100]
                symbols[name] = symbols.get(name, 0) + int(m.group(1))
    scale = 1000.0 / requests
    return requests, total * scale, {k: v * scale for k, v in parts.items()}, {k: v * scale for k, v in symbols.items()}
tr, tt, tp, ts = load("traced")
ur, ut, up, us = load("untraced")
print(f"requests: traced {tr}, untraced {ur}")
print(f"samples per 1000 requests: traced {tt:.1f}, untraced {ut:.1f}, added {tt - ut:.1f} ({100 * (tt - ut) / ut:.0f}% of untraced)")
def table(title, a, b, limit):
    print(f"== {title}: samples per 1000 requests (added, traced, untraced)")
    rows = sorted(((a.get(k, 0) - b.get(k, 0), k) for k in set(a) | set(b)), reverse=True)
    for d, k in rows[:limit]:
        print(f"{d:8.1f} {a.get(k, 0):8.1f} {b.get(k, 0):8.1f}  {k}")
table("parts of the work", tp, up, 30)
table("symbols", ts, us, 40)
PY
