#!/usr/bin/env bash
# Prints, as one JSON line, what this machine charges for a system call, a failed non-blocking
# read, a loopback TCP send and receive, and a page fault (bench/machine_costs.c says why).
#   bash bench/machine_costs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
cc -O2 -o "$WORK/machine_costs" bench/machine_costs.c
"$WORK/machine_costs"
