#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets (clang, ASan+UBSan) and runs each for FUZZ_RUNS
# executions (default 10 million), growing its corpus in fuzz/corpus/<target>/ (commit what it
# adds: `make test` replays the corpora). FUZZ_TARGETS="a b" picks targets; FUZZ_JOBS runs
# that many in parallel (default: cores).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${FUZZ_RUNS:-10000000}
JOBS=${FUZZ_JOBS:-$(nproc)}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"
targets=${FUZZ_TARGETS:-$(ls build/fuzz/fuzz | sed 's/_fuzz$//')}
mkdir -p build/fuzz/logs
run_target() {  # TARGET: one libFuzzer run; prints its last line and how long it took
  local t=$1 start
  mkdir -p "fuzz/corpus/$t"
  echo "fuzz: $t, $RUNS runs (log: build/fuzz/logs/$t.log)"
  start=$(date +%s)
  if ! "build/fuzz/fuzz/${t}_fuzz" -runs="$RUNS" -max_len=65536 \
       -artifact_prefix="build/fuzz/logs/$t-" "fuzz/corpus/$t" >"build/fuzz/logs/$t.log" 2>&1; then
    echo "fuzz: $t FOUND A PROBLEM, see build/fuzz/logs/$t.log and build/fuzz/logs/$t-*"
    return 1
  fi
  echo "fuzz: $t: $(grep -E '^Done [0-9]+ runs' "build/fuzz/logs/$t.log" | tail -1) ($(( $(date +%s) - start )) s)"
}
status=0
running=0
for t in $targets; do
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
