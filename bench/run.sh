#!/usr/bin/env bash
# Runs every microbenchmark binary of the release build; JSON results go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
for b in build/release/bench/*; do
  [ -x "$b" ] || continue
  name=$(basename "$b")
  echo "== $name"
  "$b" --benchmark_out="bench/results/$name.json" --benchmark_out_format=json
done
