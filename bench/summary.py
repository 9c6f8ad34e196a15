#!/usr/bin/env python3
"""Prints one table of every benchmark result in bench/results/ (Google Benchmark JSON and the
load scripts' JSON)."""
import json
import pathlib
import sys

results = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results")
rows = []
for path in sorted(results.glob("*.json")):
    data = json.loads(path.read_text())
    if "benchmarks" in data:  # Google Benchmark
        for b in data["benchmarks"]:
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            extra = ", ".join(f"{k}={v:,.0f}" for k, v in b.items()
                              if k.endswith(("per_second", "/s")) or k in ("spans/s", "items_per_second"))
            rows.append((path.stem, b["name"], f'{b["real_time"]:,.1f} {b["time_unit"]}', extra))
    elif any("instructions_per_request" in r for r in data.get("results", [])):
        for r in data["results"]:
            case = r["endpoint"] + (f' ({r["environment"]})' if r.get("environment") else "")
            rows.append((path.stem, case, f'{r["instructions_per_request"]:,} instr', ""))
    else:
        summary = {k: v for k, v in data.items()
                   if k.endswith(("ratio", "_ns")) or k == "tracing_overhead"}
        rows.append((path.stem, data.get("benchmark", ""), "", json.dumps(summary)[:160]))
width = [max(len(str(r[i])) for r in rows) if rows else 0 for i in range(3)]
for r in rows:
    print(f"{r[0]:<{width[0]}}  {r[1]:<{width[1]}}  {r[2]:>{width[2]}}  {r[3]}")
