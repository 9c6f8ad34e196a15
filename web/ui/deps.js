// The service map: services as nodes in layers (callers left of callees), edges labelled with
// call count, error rate and p95 latency.
import { api } from './api.js';
import { h, svg, clear, formatDuration, serviceColor } from './util.js';

const LOOKBACKS = [['3600000', 'Last hour'], ['21600000', 'Last 6 hours'], ['86400000', 'Last 24 hours'], ['604800000', 'Last 7 days']];

export async function renderDependencies(main, url) {
  const lookback = h('select', { id: 'deps-lookback' },
    LOOKBACKS.map(([v, label]) => h('option', { value: v, selected: v === (url.searchParams.get('lookback') || '86400000') }, label)));
  const box = h('div', { class: 'deps-box', id: 'deps' });
  lookback.addEventListener('change', () => window.tracestoreNavigate(`/dependencies?lookback=${lookback.value}`));
  main.append(h('div', { class: 'deps-page' }, h('div', { class: 'deps-bar' }, h('h1', {}, 'Service map'), h('label', {}, 'Window ', lookback)), box));
  let links;
  try {
    links = await api.dependencies(lookback.value);
  } catch (error) {
    box.append(h('p', { class: 'error-text' }, `Could not load dependencies: ${error.message}`));
    return;
  }
  if (!links.length) {
    box.append(h('p', { class: 'hint' }, 'No calls between services in this window.'));
    return;
  }
  drawGraph(box, links);
  box.append(h('table', { class: 'breakdown-table', id: 'deps-table' },
    h('thead', {}, h('tr', {}, ['Caller', 'Callee', 'Calls', 'Errors', 'Error rate', 'p50', 'p95'].map((c) => h('th', {}, c)))),
    h('tbody', {}, links.map((l) => h('tr', {},
      h('td', {}, l.parent), h('td', {}, l.child), h('td', {}, l.callCount), h('td', {}, l.errorCount),
      h('td', { class: l.errorRate > 0 ? 'error-text' : '' }, `${(l.errorRate * 100).toFixed(1)}%`),
      h('td', {}, formatDuration(l.p50DurationUs)), h('td', {}, formatDuration(l.p95DurationUs)))))));
}

function drawGraph(box, links) {
  const nodes = [...new Set(links.flatMap((l) => [l.parent, l.child]))];
  // Layer = longest path from a root (cycles are cut by a depth cap).
  const layer = new Map(nodes.map((n) => [n, 0]));
  for (let round = 0; round < nodes.length; round++) {
    for (const l of links) {
      if (l.parent !== l.child && layer.get(l.child) < layer.get(l.parent) + 1 && layer.get(l.parent) + 1 < nodes.length) {
        layer.set(l.child, layer.get(l.parent) + 1);
      }
    }
  }
  const columns = new Map();
  for (const n of nodes) {
    const c = layer.get(n);
    if (!columns.has(c)) columns.set(c, []);
    columns.get(c).push(n);
  }
  const colWidth = 420, rowHeight = 110, nodeW = 150, nodeH = 40;
  const width = Math.max(...columns.keys()) * colWidth + nodeW + 80;
  const height = Math.max(...[...columns.values()].map((c) => c.length)) * rowHeight + 40;
  const pos = new Map();
  for (const [c, list] of columns) {
    list.sort();
    list.forEach((n, i) => pos.set(n, { x: 40 + c * colWidth, y: 20 + i * rowHeight + (height - 40 - list.length * rowHeight) / 2 }));
  }
  const graph = svg('svg', { class: 'deps-graph', id: 'deps-graph', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Service dependency graph' },
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }))));
  for (const l of links) {
    const a = pos.get(l.parent), b = pos.get(l.child);
    const x1 = a.x + nodeW, y1 = a.y + nodeH / 2, x2 = b.x, y2 = b.y + nodeH / 2;
    const mx = (x1 + x2) / 2;
    const cls = l.errorRate > 0 ? 'edge edge-error' : 'edge';
    graph.append(svg('path', { d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`, class: cls, 'marker-end': 'url(#arrow)' },
      svg('title', {}, `${l.parent} → ${l.child}`)));
    graph.append(svg('text', { x: x2 - 8, y: y2 - 8, class: 'edge-label', 'text-anchor': 'end' },
      `${l.callCount} calls · ${(l.errorRate * 100).toFixed(1)}% err · p95 ${formatDuration(l.p95DurationUs)}`));
  }
  for (const [n, p] of pos) {
    graph.append(svg('g', { class: 'node' },
      svg('rect', { x: p.x, y: p.y, width: nodeW, height: nodeH, rx: 6, stroke: serviceColor(n) }),
      svg('text', { x: p.x + nodeW / 2, y: p.y + nodeH / 2 + 5, 'text-anchor': 'middle' }, n.length > 20 ? `${n.slice(0, 19)}…` : n)));
  }
  box.append(h('div', { class: 'graph-scroll' }, graph));
}
