// Derived views of a Jaeger-model trace: span tree, summary, critical path.
import { percentile } from './util.js';

export function tagValue(span, key) {
  const tag = span.tags.find((t) => t.key === key);
  return tag ? tag.value : undefined;
}

export function isError(span) {
  return span.tags.some((t) => t.key === 'error' && (t.value === true || t.value === 'true'));
}

// Builds {spans (in tree order, with depth/children/parent), roots, start, end, ...} for a trace.
export function buildTrace(trace) {
  const byId = new Map();
  const spans = trace.spans.map((s) => ({
    ...s,
    service: trace.processes[s.processID]?.serviceName ?? '?',
    process: trace.processes[s.processID],
    children: [],
    parent: null,
    depth: 0,
    error: isError(s),
  }));
  for (const s of spans) byId.set(s.spanID, s);
  const roots = [];
  for (const s of spans) {
    const ref = s.references.find((r) => r.refType === 'CHILD_OF' && byId.has(r.spanID));
    if (ref) {
      s.parent = byId.get(ref.spanID);
      s.parent.children.push(s);
    } else {
      roots.push(s);
    }
  }
  const byStart = (a, b) => a.startTime - b.startTime;
  roots.sort(byStart);
  const ordered = [];
  const stack = [...roots].reverse().map((s) => [s, 0]);
  while (stack.length) {
    const [s, depth] = stack.pop();
    s.depth = depth;
    ordered.push(s);
    s.children.sort(byStart);
    for (let i = s.children.length - 1; i >= 0; i--) stack.push([s.children[i], depth + 1]);
  }
  const start = Math.min(...spans.map((s) => s.startTime));
  const end = Math.max(...spans.map((s) => s.startTime + s.duration));
  const services = new Map();
  for (const s of spans) services.set(s.service, (services.get(s.service) || 0) + 1);
  const root = roots[0];
  return {
    traceID: trace.traceID,
    raw: trace,
    spans: ordered,
    byId,
    roots,
    root,
    start,
    end,
    duration: end - start,
    services,
    errors: spans.filter((s) => s.error).length,
    depth: Math.max(0, ...ordered.map((s) => s.depth)) + 1,
    warnings: trace.warnings || [],
  };
}

// The critical path: the chain of work that determined the trace's end. Walks back from each
// span's end through the child that finished last before the current point. Returns a Set of
// span ids on the path, with per-span [from, to] segments in `segments`.
export function criticalPath(model) {
  const onPath = new Set();
  const segments = new Map();
  const visit = (span, until) => {
    onPath.add(span.spanID);
    let cursor = Math.min(until, span.startTime + span.duration);
    const children = [...span.children]
      .filter((c) => c.startTime < cursor)
      .sort((a, b) => (b.startTime + b.duration) - (a.startTime + a.duration));
    const mine = [];
    for (const child of children) {
      const childEnd = Math.min(child.startTime + child.duration, cursor);
      if (childEnd <= span.startTime || child.startTime >= cursor) continue;
      if (childEnd < cursor) mine.push([childEnd, cursor]);
      visit(child, childEnd);
      cursor = Math.max(child.startTime, span.startTime);
    }
    if (cursor > span.startTime) mine.push([span.startTime, cursor]);
    segments.set(span.spanID, mine);
  };
  for (const root of model.roots) visit(root, root.startTime + root.duration);
  return { onPath, segments };
}

// Summary of a search result for the list and the plot.
export function summarize(trace) {
  const m = buildTrace(trace);
  return {
    traceID: m.traceID,
    rootName: m.root ? `${m.root.service}: ${m.root.operationName}` : '(missing root span)',
    rootService: m.root?.service,
    rootOperation: m.root?.operationName,
    spanCount: m.spans.length,
    services: [...m.services.entries()],
    errors: m.errors,
    start: m.start,
    duration: m.duration,
    model: m,
  };
}

// Per-operation latency breakdown over many traces: for each service/operation, the number of
// spans, errors, p50/p95/max duration and self time share. (Not something Jaeger's UI offers.)
export function latencyBreakdown(summaries) {
  const groups = new Map();
  let totalSelf = 0;
  for (const t of summaries) {
    for (const s of t.model.spans) {
      const key = `${s.service}\u0000${s.operationName}`;
      if (!groups.has(key)) groups.set(key, { service: s.service, operation: s.operationName, durations: [], errors: 0, self: 0, traces: new Set() });
      const g = groups.get(key);
      g.durations.push(s.duration);
      g.traces.add(t.traceID);
      if (s.error) g.errors++;
      // self time: the span's duration not covered by its children
      const covered = mergedCoverage(s.children.map((c) => [Math.max(c.startTime, s.startTime), Math.min(c.startTime + c.duration, s.startTime + s.duration)]));
      const self = Math.max(0, s.duration - covered);
      g.self += self;
      totalSelf += self;
    }
  }
  return [...groups.values()].map((g) => {
    g.durations.sort((a, b) => a - b);
    return {
      service: g.service,
      operation: g.operation,
      count: g.durations.length,
      traces: g.traces.size,
      errors: g.errors,
      p50: percentile(g.durations, 0.5),
      p95: percentile(g.durations, 0.95),
      max: g.durations[g.durations.length - 1],
      selfShare: totalSelf ? g.self / totalSelf : 0,
    };
  }).sort((a, b) => b.selfShare - a.selfShare);
}

function mergedCoverage(intervals) {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let [curA, curB] = [null, null];
  for (const [a, b] of sorted) {
    if (curA === null || a > curB) {
      if (curA !== null) total += curB - curA;
      [curA, curB] = [a, b];
    } else {
      curB = Math.max(curB, b);
    }
  }
  if (curA !== null) total += curB - curA;
  return total;
}
