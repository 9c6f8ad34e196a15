// The search page: form, duration scatter plot, sortable (virtualised) result list, and the
// per-operation latency breakdown of the results.
import { api } from './api.js';
import { summarize, latencyBreakdown } from './model.js';
import { h, svg, clear, formatDuration, formatTime, relativeTime, serviceColor } from './util.js';

const LOOKBACKS = [['5m', 'Last 5 minutes'], ['15m', 'Last 15 minutes'], ['1h', 'Last hour'], ['2h', 'Last 2 hours'],
  ['6h', 'Last 6 hours'], ['12h', 'Last 12 hours'], ['24h', 'Last 24 hours'], ['48h', 'Last 2 days'], ['168h', 'Last 7 days']];
const ROW_HEIGHT = 64;

// "k=v k2="v w"" (logfmt, as Jaeger's UI takes tags) -> {k: 'v', k2: 'v w'}; null when malformed.
export function parseLogfmt(text) {
  const tags = {};
  const re = /\s*([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/y;
  let pos = 0;
  text = text.trim();
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) return null;
    tags[m[1]] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    pos = re.lastIndex;
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  }
  return tags;
}

function durationToUs(text) {
  const m = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m|h)$/.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * { us: 1, 'µs': 1, ms: 1e3, s: 1e6, m: 6e7, h: 3.6e9 }[m[2]];
}

export async function renderSearch(main, url) {
  const params = url.searchParams;
  const services = await api.services().catch(() => []);
  const service = h('select', { id: 'service', name: 'service', required: true },
    h('option', { value: '' }, services.length ? 'Choose a service' : 'No services yet'),
    services.map((s) => h('option', { value: s, selected: s === params.get('service') }, s)));
  const operation = h('select', { id: 'operation', name: 'operation' }, h('option', { value: '' }, 'All operations'));
  const tags = h('input', { id: 'tags', name: 'tags', placeholder: 'http.status_code=500 error=true', value: params.get('tagsText') || '' });
  const lookback = h('select', { id: 'lookback', name: 'lookback' },
    LOOKBACKS.map(([v, label]) => h('option', { value: v, selected: v === (params.get('lookback') || '1h') }, label)));
  const minDuration = h('input', { id: 'minDuration', name: 'minDuration', placeholder: 'e.g. 100ms', value: params.get('minDuration') || '' });
  const maxDuration = h('input', { id: 'maxDuration', name: 'maxDuration', placeholder: 'e.g. 1.2s', value: params.get('maxDuration') || '' });
  const limit = h('input', { id: 'limit', name: 'limit', type: 'number', min: 1, max: 1500, value: params.get('limit') || '20' });
  const formError = h('div', { class: 'form-error', role: 'alert' });

  async function loadOperations() {
    clear(operation).append(h('option', { value: '' }, 'All operations'));
    if (!service.value) return;
    for (const op of await api.operations(service.value).catch(() => [])) {
      operation.append(h('option', { value: op, selected: op === params.get('operation') }, op));
    }
  }
  service.addEventListener('change', () => { params.delete('operation'); loadOperations(); });
  await loadOperations();

  const form = h('form', { class: 'search-form', id: 'search-form' },
    h('label', {}, 'Service', service),
    h('label', {}, 'Operation', operation),
    h('label', {}, 'Tags', tags),
    h('label', {}, 'Lookback', lookback),
    h('label', {}, 'Min duration', minDuration),
    h('label', {}, 'Max duration', maxDuration),
    h('label', {}, 'Limit', limit),
    h('button', { type: 'submit', id: 'find' }, 'Find traces'),
    formError);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const tagMap = tags.value.trim() ? parseLogfmt(tags.value) : {};
    if (tagMap === null) { formError.textContent = 'Tags must look like key=value key2="value with spaces"'; return; }
    for (const [input, name] of [[minDuration, 'min'], [maxDuration, 'max']]) {
      if (input.value.trim() && durationToUs(input.value) === null) { formError.textContent = `Invalid ${name} duration (use e.g. 100ms, 1.5s)`; return; }
    }
    const next = new URLSearchParams();
    next.set('service', service.value);
    if (operation.value) next.set('operation', operation.value);
    if (tags.value.trim()) next.set('tagsText', tags.value.trim());
    next.set('lookback', lookback.value);
    if (minDuration.value.trim()) next.set('minDuration', minDuration.value.trim());
    if (maxDuration.value.trim()) next.set('maxDuration', maxDuration.value.trim());
    next.set('limit', limit.value || '20');
    window.tracestoreNavigate(`/search?${next}`);
  });

  const results = h('section', { class: 'results', id: 'results' });
  main.append(h('div', { class: 'search-page' }, h('aside', { class: 'sidebar' }, form), results));
  if (params.get('service')) await runSearch(results, params);
  else results.append(h('p', { class: 'hint' }, 'Choose a service and press "Find traces".'));
}

async function runSearch(results, params) {
  const query = new URLSearchParams();
  query.set('service', params.get('service'));
  if (params.get('operation')) query.set('operation', params.get('operation'));
  const tagsText = params.get('tagsText');
  if (tagsText) {
    const parsed = parseLogfmt(tagsText);
    if (parsed) query.set('tags', JSON.stringify(parsed));
  }
  const lookback = params.get('lookback') || '1h';
  query.set('lookback', lookback);
  const nowUs = Date.now() * 1000;
  const lookbackUs = durationToUs(lookback) || 3.6e9;
  query.set('start', String(Math.floor(nowUs - lookbackUs)));
  query.set('end', String(nowUs));
  for (const name of ['minDuration', 'maxDuration', 'limit']) if (params.get(name)) query.set(name, params.get(name));
  results.append(h('p', { class: 'hint' }, 'Searching…'));
  let traces;
  try {
    traces = await api.search(query);
  } catch (error) {
    clear(results).append(h('p', { class: 'error-text', role: 'alert' }, `Search failed: ${error.message}`));
    return;
  }
  const summaries = traces.map(summarize);
  clear(results);
  if (!summaries.length) {
    results.append(h('p', { class: 'hint', id: 'no-results' }, 'No traces found.'));
    return;
  }
  const sort = h('select', { id: 'sort' },
    h('option', { value: 'recent' }, 'Most recent'), h('option', { value: 'longest' }, 'Longest first'),
    h('option', { value: 'shortest' }, 'Shortest first'), h('option', { value: 'spans' }, 'Most spans'),
    h('option', { value: 'errors' }, 'Most errors'));
  const list = h('div', { class: 'result-list', id: 'result-list' });
  const tabs = h('div', { class: 'tabs' });
  const listTab = h('button', { class: 'tab active', id: 'tab-list' }, `${summaries.length} traces`);
  const breakdownTab = h('button', { class: 'tab', id: 'tab-breakdown' }, 'Latency breakdown');
  tabs.append(listTab, breakdownTab);
  const breakdown = h('div', { class: 'breakdown hidden', id: 'breakdown' });
  listTab.addEventListener('click', () => { list.classList.remove('hidden'); breakdown.classList.add('hidden'); listTab.classList.add('active'); breakdownTab.classList.remove('active'); });
  breakdownTab.addEventListener('click', () => { breakdown.classList.remove('hidden'); list.classList.add('hidden'); breakdownTab.classList.add('active'); listTab.classList.remove('active'); });
  results.append(scatterPlot(summaries), h('div', { class: 'results-bar' }, tabs, h('label', {}, 'Sort ', sort)), list, breakdown);
  renderBreakdown(breakdown, summaries);
  const sorters = {
    recent: (a, b) => b.start - a.start,
    longest: (a, b) => b.duration - a.duration,
    shortest: (a, b) => a.duration - b.duration,
    spans: (a, b) => b.spanCount - a.spanCount,
    errors: (a, b) => b.errors - a.errors || b.start - a.start,
  };
  const maxDuration = Math.max(...summaries.map((s) => s.duration), 1);
  const draw = () => virtualList(list, [...summaries].sort(sorters[sort.value]), (s) => resultRow(s, maxDuration));
  sort.addEventListener('change', draw);
  draw();
}

function resultRow(s, maxDuration) {
  const bar = h('div', { class: 'duration-bar' });
  bar.style.width = `${Math.max(1, (s.duration / maxDuration) * 100)}%`;
  return h('a', { class: `result-row${s.errors ? ' has-error' : ''}`, href: `/trace/${s.traceID}`, 'data-nav': true, dataset: { traceId: s.traceID } },
    h('div', { class: 'result-title' },
      h('span', { class: 'root-name' }, s.rootName),
      h('span', { class: 'trace-id' }, s.traceID.slice(0, 7)),
      h('span', { class: 'result-duration' }, formatDuration(s.duration))),
    h('div', { class: 'result-meta' },
      h('span', { class: 'span-count' }, `${s.spanCount} spans`),
      s.errors ? h('span', { class: 'error-badge' }, `${s.errors} error${s.errors > 1 ? 's' : ''}`) : null,
      s.services.map(([name, count]) => {
        const chip = h('span', { class: 'service-chip' }, `${name} (${count})`);
        chip.style.borderColor = serviceColor(name);
        return chip;
      }),
      h('span', { class: 'start-time', title: formatTime(s.start) }, `${formatTime(s.start)} · ${relativeTime(s.start)}`)),
    bar);
}

// Renders only the rows in view (plus a margin) inside a fixed-height scroll box.
function virtualList(container, items, renderRow) {
  clear(container);
  const spacer = h('div', { class: 'virtual-spacer' });
  spacer.style.height = `${items.length * ROW_HEIGHT}px`;
  const layer = h('div', { class: 'virtual-layer' });
  spacer.append(layer);
  container.append(spacer);
  let drawn = '';
  const paint = () => {
    const first = Math.max(0, Math.floor(container.scrollTop / ROW_HEIGHT) - 5);
    const last = Math.min(items.length, Math.ceil((container.scrollTop + container.clientHeight + 1) / ROW_HEIGHT) + 5);
    const key = `${first}:${last}`;
    if (key === drawn) return;
    drawn = key;
    clear(layer);
    layer.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    for (let i = first; i < last; i++) {
      const row = renderRow(items[i]);
      row.style.height = `${ROW_HEIGHT - 6}px`;
      layer.append(row);
    }
  };
  container.onscroll = paint;
  requestAnimationFrame(paint);
  paint();
}

function scatterPlot(summaries) {
  const width = 800, height = 160, pad = 36;
  const minT = Math.min(...summaries.map((s) => s.start));
  const maxT = Math.max(...summaries.map((s) => s.start));
  const maxD = Math.max(...summaries.map((s) => s.duration), 1);
  const x = (t) => pad + ((t - minT) / Math.max(1, maxT - minT)) * (width - 2 * pad);
  const y = (d) => height - pad / 2 - (d / maxD) * (height - pad);
  const plot = svg('svg', { class: 'scatter', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Trace durations over time', id: 'scatter' },
    svg('line', { x1: pad, y1: height - pad / 2, x2: width - pad / 2, y2: height - pad / 2, class: 'axis' }),
    svg('line', { x1: pad, y1: 4, x2: pad, y2: height - pad / 2, class: 'axis' }),
    svg('text', { x: 2, y: 12, class: 'axis-label' }, formatDuration(maxD)),
    svg('text', { x: 2, y: height - pad / 2, class: 'axis-label' }, '0'));
  for (const s of summaries) {
    const dot = svg('circle', {
      cx: x(s.start), cy: y(s.duration), r: Math.min(12, 3 + Math.sqrt(s.spanCount)),
      class: s.errors ? 'dot dot-error' : 'dot',
      onclick: () => window.tracestoreNavigate(`/trace/${s.traceID}`),
    }, svg('title', {}, `${s.rootName}\n${formatDuration(s.duration)} · ${s.spanCount} spans${s.errors ? ` · ${s.errors} errors` : ''}`));
    plot.append(dot);
  }
  return h('div', { class: 'plot-box' }, plot);
}

function renderBreakdown(container, summaries) {
  const rows = latencyBreakdown(summaries);
  container.append(
    h('p', { class: 'hint' }, 'Where the time goes in these traces: each operation\'s share of self time (time not spent in child spans), with its latency percentiles.'),
    h('table', { class: 'breakdown-table' },
      h('thead', {}, h('tr', {}, ['Service', 'Operation', 'Spans', 'Traces', 'Errors', 'p50', 'p95', 'Max', 'Self-time share'].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows.map((r) => {
        const share = h('div', { class: 'share-bar' });
        share.style.width = `${(r.selfShare * 100).toFixed(1)}%`;
        return h('tr', {},
          h('td', {}, r.service), h('td', {}, r.operation), h('td', {}, r.count), h('td', {}, r.traces),
          h('td', { class: r.errors ? 'error-text' : '' }, r.errors),
          h('td', {}, formatDuration(r.p50)), h('td', {}, formatDuration(r.p95)), h('td', {}, formatDuration(r.max)),
          h('td', { class: 'share-cell' }, share, `${(r.selfShare * 100).toFixed(1)}%`));
      }))));
}
