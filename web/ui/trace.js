// The trace page: summary, minimap, waterfall with a collapsible span tree, the critical path,
// error navigation, span details, JSON download, and "compare with a typical trace".
import { api } from './api.js';
import { buildTrace, criticalPath, summarize } from './model.js';
import { h, svg, clear, formatDuration, formatTime, serviceColor, download } from './util.js';

export async function renderTrace(main, traceId) {
  let raw;
  try {
    raw = await api.trace(traceId);
  } catch (error) {
    main.append(h('p', { class: 'error-text', role: 'alert', id: 'trace-error' },
      error.status === 404 ? `Trace ${traceId} not found.` : `Could not load trace: ${error.message}`));
    return;
  }
  const model = buildTrace(raw);
  const critical = criticalPath(model);
  const collapsed = new Set();
  const expandedDetails = new Set();
  const errorSpans = model.spans.filter((s) => s.error);
  let errorCursor = -1;
  // Huge traces: rows are drawn in pages so the DOM stays small (revealing a span raises it).
  const ROW_PAGE = 1000;
  let rowLimit = ROW_PAGE;

  const waterfall = h('div', { class: 'waterfall', id: 'waterfall' });
  const scale = (t) => ((t - model.start) / Math.max(1, model.duration)) * 100;

  function visibleSpans() {
    const out = [];
    const hidden = new Set();
    for (const s of model.spans) {
      if (s.parent && (hidden.has(s.parent.spanID) || collapsed.has(s.parent.spanID))) {
        hidden.add(s.spanID);
        continue;
      }
      out.push(s);
    }
    return out;
  }

  function drawRows() {
    clear(waterfall);
    waterfall.append(h('div', { class: 'wf-header' },
      h('div', { class: 'wf-label' }, 'Service & operation'),
      h('div', { class: 'wf-ticks' }, [0, 0.25, 0.5, 0.75, 1].map((f) => {
        const tick = h('span', { class: 'tick' }, formatDuration(model.duration * f));
        tick.style.left = `${f * 100}%`;
        return tick;
      }))));
    const visible = visibleSpans();
    for (const s of visible.slice(0, rowLimit)) {
      waterfall.append(spanRow(s));
      if (expandedDetails.has(s.spanID)) waterfall.append(spanDetails(s));
    }
    if (visible.length > rowLimit) {
      waterfall.append(h('button', { class: 'more-rows', id: 'more-rows', onclick: () => { rowLimit += ROW_PAGE; drawRows(); } },
        `Show ${Math.min(ROW_PAGE, visible.length - rowLimit)} more of ${visible.length - rowLimit} hidden spans`));
    }
  }

  function spanRow(s) {
    const toggle = s.children.length
      ? h('button', { class: 'toggle', 'aria-label': collapsed.has(s.spanID) ? 'Expand children' : 'Collapse children', 'aria-expanded': String(!collapsed.has(s.spanID)),
        onclick: (e) => { e.stopPropagation(); collapsed.has(s.spanID) ? collapsed.delete(s.spanID) : collapsed.add(s.spanID); drawRows(); } },
        collapsed.has(s.spanID) ? '▸' : '▾')
      : h('span', { class: 'toggle-spacer' });
    const dot = h('span', { class: 'service-dot' });
    dot.style.background = serviceColor(s.service);
    const label = h('div', { class: 'wf-label' },
      toggle, dot,
      h('span', { class: 'svc' }, s.service),
      h('span', { class: 'op' }, s.operationName),
      s.error ? h('span', { class: 'error-icon', title: 'error' }, '!') : null);
    label.style.paddingLeft = `${s.depth * 14 + 4}px`;
    const bar = h('div', { class: `wf-bar${s.error ? ' error' : ''}` });
    bar.style.left = `${scale(s.startTime)}%`;
    bar.style.width = `${Math.max(0.2, (s.duration / Math.max(1, model.duration)) * 100)}%`;
    bar.style.background = s.error ? '' : serviceColor(s.service);
    const track = h('div', { class: 'wf-track' }, bar);
    for (const [from, to] of critical.segments.get(s.spanID) || []) {
      const seg = h('div', { class: 'critical-segment', title: 'critical path' });
      seg.style.left = `${scale(from)}%`;
      seg.style.width = `${Math.max(0.1, ((to - from) / Math.max(1, model.duration)) * 100)}%`;
      track.append(seg);
    }
    const dur = h('span', { class: 'wf-duration' }, formatDuration(s.duration));
    dur.style.left = `${Math.min(92, scale(s.startTime + s.duration) + 0.5)}%`;
    track.append(dur);
    return h('div', {
      class: `wf-row${s.error ? ' error' : ''}${critical.onPath.has(s.spanID) ? ' critical' : ''}${expandedDetails.has(s.spanID) ? ' selected' : ''}`,
      id: `span-${s.spanID}`, dataset: { spanId: s.spanID }, tabindex: 0, role: 'button', 'aria-expanded': String(expandedDetails.has(s.spanID)),
      onclick: () => { expandedDetails.has(s.spanID) ? expandedDetails.delete(s.spanID) : expandedDetails.add(s.spanID); drawRows(); },
      onkeydown: (e) => { if (e.key === 'Enter') e.currentTarget.click(); },
    }, label, track);
  }

  function spanDetails(s) {
    const kv = (list) => h('table', { class: 'kv' }, h('tbody', {}, (list || []).map((t) =>
      h('tr', {}, h('td', { class: 'k' }, t.key), h('td', { class: `v type-${t.type}` }, typeof t.value === 'string' ? t.value : JSON.stringify(t.value))))));
    return h('div', { class: 'span-details', id: `details-${s.spanID}` },
      h('div', { class: 'detail-head' },
        h('strong', {}, s.operationName), ' ',
        h('span', { class: 'muted' }, `${s.service} · span ${s.spanID} · start ${formatDuration(s.startTime - model.start)} · ${formatDuration(s.duration)}`)),
      h('details', { open: true }, h('summary', {}, `Tags (${s.tags.length})`), kv(s.tags)),
      h('details', { open: s.logs.length > 0 }, h('summary', {}, `Events / logs (${s.logs.length})`),
        s.logs.map((log) => h('div', { class: 'log' }, h('div', { class: 'muted' }, `+${formatDuration(log.timestamp - model.start)}`), kv(log.fields)))),
      h('details', {}, h('summary', {}, `Process: ${s.service}`), kv(s.process?.tags)),
      h('details', { open: s.references.length > 0 }, h('summary', {}, `References (${s.references.length})`),
        h('ul', {}, s.references.map((r) => h('li', {}, `${r.refType} `,
          model.byId.has(r.spanID) && r.traceID === model.traceID
            ? h('a', { href: `#span-${r.spanID}`, onclick: (e) => { e.preventDefault(); reveal(model.byId.get(r.spanID)); } }, r.spanID)
            : h('a', { href: `/trace/${r.traceID}`, 'data-nav': true }, `${r.traceID}/${r.spanID}`))))),
      (s.warnings || []).length ? h('div', { class: 'warnings' }, s.warnings.map((w) => h('div', {}, w))) : null);
  }

  // Expands the ancestors of `s`, opens its details and scrolls to it.
  function reveal(s) {
    for (let p = s.parent; p; p = p.parent) collapsed.delete(p.spanID);
    expandedDetails.add(s.spanID);
    const index = visibleSpans().indexOf(s);
    if (index >= rowLimit) rowLimit = (Math.floor(index / ROW_PAGE) + 1) * ROW_PAGE;
    drawRows();
    document.getElementById(`span-${s.spanID}`)?.scrollIntoView({ block: 'center' });
  }

  const errorButton = h('button', { id: 'next-error', class: errorSpans.length ? 'danger' : '', disabled: !errorSpans.length,
    onclick: () => { errorCursor = (errorCursor + 1) % errorSpans.length; reveal(errorSpans[errorCursor]); } },
  errorSpans.length ? `Next error (${errorSpans.length})` : 'No errors');
  const comparePanel = h('div', { class: 'compare hidden', id: 'compare' });

  main.append(
    h('div', { class: 'trace-header' },
      h('h1', { id: 'trace-title' }, model.root ? `${model.root.service}: ${model.root.operationName}` : 'Trace (missing root span)'),
      h('div', { class: 'trace-meta' },
        h('span', {}, 'Trace ', h('code', { id: 'trace-id' }, model.traceID)),
        h('span', {}, `Start ${formatTime(model.start)}`),
        h('span', {}, `Duration ${formatDuration(model.duration)}`),
        h('span', {}, `Services ${model.services.size}`),
        h('span', {}, `Depth ${model.depth}`),
        h('span', {}, `Spans ${model.spans.length}`),
        h('span', { class: model.errors ? 'error-text' : '' }, `Errors ${model.errors}`)),
      h('div', { class: 'trace-actions' },
        errorButton,
        h('button', { onclick: () => { collapsed.clear(); drawRows(); } }, 'Expand all'),
        h('button', { onclick: () => { for (const s of model.spans) if (s.children.length && s.parent) collapsed.add(s.spanID); drawRows(); } }, 'Collapse all'),
        h('button', { id: 'download-json', onclick: () => download(`trace-${model.traceID}.json`, JSON.stringify({ data: [raw] }, null, 2)) }, 'Download JSON'),
        h('button', { id: 'compare-button', disabled: !model.root, onclick: () => compareWithTypical(model, comparePanel) }, 'Compare with a typical trace'),
        h('span', { class: 'legend' }, h('span', { class: 'legend-critical' }), 'critical path')),
      model.warnings.length ? h('div', { class: 'warnings' }, model.warnings.map((w) => h('div', {}, w))) : null),
    minimap(model, reveal),
    comparePanel,
    waterfall);
  drawRows();
}

function minimap(model, reveal) {
  const height = Math.min(80, Math.max(20, model.spans.length * 3));
  const rowH = height / Math.max(1, model.spans.length);
  const map = svg('svg', { class: 'minimap', id: 'minimap', viewBox: `0 0 1000 ${height}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'Trace overview' });
  model.spans.forEach((s, i) => {
    map.append(svg('rect', {
      x: ((s.startTime - model.start) / Math.max(1, model.duration)) * 1000,
      y: i * rowH, width: Math.max(1, (s.duration / Math.max(1, model.duration)) * 1000), height: Math.max(1, rowH * 0.8),
      fill: s.error ? '#d62728' : serviceColor(s.service),
      onclick: () => reveal(s),
    }));
  });
  return h('div', { class: 'minimap-box' }, map);
}

// Finds recent traces with the same root operation, picks the one with the median duration
// and shows, per service/operation, the time spent here versus there.
async function compareWithTypical(model, panel) {
  panel.classList.remove('hidden');
  clear(panel).append(h('p', { class: 'hint' }, 'Looking for traces of the same operation…'));
  const query = new URLSearchParams({ service: model.root.service, operation: model.root.operationName, lookback: '24h', limit: '200' });
  let others;
  try {
    others = (await api.search(query)).map(summarize).filter((s) => s.traceID !== model.traceID && s.rootOperation === model.root.operationName);
  } catch (error) {
    clear(panel).append(h('p', { class: 'error-text' }, `Search failed: ${error.message}`));
    return;
  }
  if (!others.length) {
    clear(panel).append(h('p', { class: 'hint' }, 'No other trace of this operation in the last 24 hours.'));
    return;
  }
  others.sort((a, b) => a.duration - b.duration);
  const typical = others[Math.floor(others.length / 2)];
  const totals = (m) => {
    const map = new Map();
    for (const s of m.spans) {
      const key = `${s.service}: ${s.operationName}`;
      const e = map.get(key) || { count: 0, total: 0 };
      e.count++;
      e.total += s.duration;
      map.set(key, e);
    }
    return map;
  };
  const mine = totals(model);
  const theirs = totals(typical.model);
  const keys = [...new Set([...mine.keys(), ...theirs.keys()])];
  const rows = keys.map((k) => ({ key: k, a: mine.get(k), b: theirs.get(k) }))
    .map((r) => ({ ...r, delta: (r.a?.total || 0) - (r.b?.total || 0) }))
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  clear(panel).append(
    h('h2', {}, 'Compared with a typical trace'),
    h('p', { class: 'hint' }, `Median of ${others.length} other traces of this operation: `,
      h('a', { href: `/trace/${typical.traceID}`, 'data-nav': true }, typical.traceID.slice(0, 12)),
      ` (${formatDuration(typical.duration)}, ${typical.spanCount} spans) versus this one (${formatDuration(model.duration)}, ${model.spans.length} spans).`),
    h('table', { class: 'breakdown-table' },
      h('thead', {}, h('tr', {}, ['Operation', 'Here', 'Typical', 'Difference'].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {},
        h('td', {}, r.key),
        h('td', {}, r.a ? `${formatDuration(r.a.total)} (${r.a.count}×)` : '—'),
        h('td', {}, r.b ? `${formatDuration(r.b.total)} (${r.b.count}×)` : '—'),
        h('td', { class: r.delta > 0 && r.delta > 0.5 * (r.b?.total || 0) ? 'error-text' : '' }, `${r.delta >= 0 ? '+' : '−'}${formatDuration(Math.abs(r.delta))}`))))));
}
