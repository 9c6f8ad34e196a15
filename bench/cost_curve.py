#!/usr/bin/env python3
"""Turns the cost-curve measurements into a JSON table and an SVG chart (no plotting library).

    cost_curve.py FLOW_JSONL SEARCH_BENCH_JSON OUT_JSON OUT_SVG

FLOW_JSONL: one line per step, {"connections": N, "wrk": {"rps": ..., "p99_us": ..., ...}}.
SEARCH_BENCH_JSON: Google Benchmark's JSON output of tracestore_bench's BM_SearchCurve.
"""
import html
import json
import math
import re
import sys

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]


def load_flow(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    return [{"connections": r["connections"], "rps": r["wrk"]["rps"],
             "p50_ms": r["wrk"]["p50_us"] / 1000, "p99_ms": r["wrk"]["p99_us"] / 1000,
             "errors": r["wrk"]["errors"]} for r in rows]


def load_search(path):
    rows = []
    for b in json.load(open(path))["benchmarks"]:
        m = re.match(r"BM_SearchCurve/spans:(\d+)/query:(\d+)$", b["name"])
        if not m or b.get("run_type") == "aggregate":
            continue
        rows.append({"spans_stored": int(m.group(1)),
                     "query": "service only" if m.group(2) == "0" else "service+operation+tag+minDuration",
                     "p50_ms": b["p50_ms"], "p99_ms": b["p99_ms"]})
    return rows


def nice_max(value):
    if value <= 0:
        return 1
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def fmt(value):
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def panel(x0, y0, width, height, title, xlabel, ylabel, xs, series):
    """One line chart with a log x axis; series: [(name, [y...])]."""
    out = [f'<g transform="translate({x0},{y0})">',
           f'<text x="{width / 2}" y="-12" text-anchor="middle" font-weight="bold">{html.escape(title)}</text>',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="none" stroke="#999"/>']
    ymax = nice_max(max(max(ys) for _, ys in series))
    lx = [math.log10(x) for x in xs]
    span = (lx[-1] - lx[0]) or 1

    def px(x):
        return (math.log10(x) - lx[0]) / span * (width - 40) + 20

    def py(y):
        return height - y / ymax * (height - 10)

    for i in range(5):
        y = ymax * i / 4
        out.append(f'<line x1="0" x2="{width}" y1="{py(y):.1f}" y2="{py(y):.1f}" stroke="#eee"/>')
        out.append(f'<text x="-6" y="{py(y) + 4:.1f}" text-anchor="end" font-size="11">{fmt(y)}</text>')
    for x in xs:
        out.append(f'<text x="{px(x):.1f}" y="{height + 16}" text-anchor="middle" font-size="11">{fmt(x)}</text>')
    out.append(f'<text x="{width / 2}" y="{height + 34}" text-anchor="middle" font-size="12">{html.escape(xlabel)}</text>')
    out.append(f'<text transform="translate(-44,{height / 2}) rotate(-90)" text-anchor="middle" font-size="12">'
               f'{html.escape(ylabel)}</text>')
    for k, (name, ys) in enumerate(series):
        color = COLORS[k % len(COLORS)]
        points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys))
        out.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y in zip(xs, ys):
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{color}"><title>'
                       f'{html.escape(name)}: {y:.3g} at {fmt(x)}</title></circle>')
        out.append(f'<text x="{width - 8}" y="{16 + 15 * k}" text-anchor="end" font-size="11" fill="{color}">'
                   f'{html.escape(name)}</text>')
    out.append("</g>")
    return out


def main():
    flow_path, search_path, out_json, out_svg = sys.argv[1:5]
    flow = load_flow(flow_path)
    search = load_search(search_path)
    json.dump({"benchmark": "cost curve: GET /demo/full-flow/1 (traced) vs connections; trace search vs stored spans",
               "full_flow": flow, "search": search}, open(out_json, "w"), indent=2)

    conns = [r["connections"] for r in flow]
    sizes = sorted({r["spans_stored"] for r in search})
    queries = sorted({r["query"] for r in search}, key=len)
    search_series = []
    for q in queries:
        by_size = {r["spans_stored"]: r for r in search if r["query"] == q}
        for p in ("p50_ms", "p99_ms"):
            search_series.append((f"{q} {p[:3]}", [by_size[s][p] for s in sizes]))

    w, h = 300, 220
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="1140" height="330" font-family="sans-serif" font-size="12">',
             '<rect width="100%" height="100%" fill="white"/>']
    parts += panel(70, 40, w, h, "Full flow throughput", "connections (wrk)", "requests/s", conns,
                   [("req/s", [r["rps"] for r in flow])])
    parts += panel(440, 40, w, h, "Full flow latency", "connections (wrk)", "ms", conns,
                   [("p99", [r["p99_ms"] for r in flow]), ("p50", [r["p50_ms"] for r in flow])])
    parts += panel(810, 40, w, h, "Trace search latency", "stored spans", "ms", sizes, search_series)
    parts.append("</svg>")
    open(out_svg, "w").write("\n".join(parts) + "\n")

    print(f"{'connections':>12}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for r in flow:
        print(f"{r['connections']:>12}{r['rps']:>10.0f}{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}{r['errors']:>8}")
    print(f"{'stored spans':>12}  {'query':<36}{'p50 ms':>8}{'p99 ms':>8}")
    for r in sorted(search, key=lambda r: (r["query"], r["spans_stored"])):
        print(f"{r['spans_stored']:>12}  {r['query']:<36}{r['p50_ms']:>8.3f}{r['p99_ms']:>8.3f}")
    print(f"written: {out_json}, {out_svg}")


if __name__ == "__main__":
    main()
