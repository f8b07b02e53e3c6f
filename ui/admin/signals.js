// The Signals section's charts: error rate, P95, cache hit rate and RTF over a chosen span, whisper against
// webspeech, the 95 % interval as a band, and the rollout's transitions (people's, the guard's, autopilot's) marked on
// the time axis and listed in a table below. Also the latest figures per provider over the same span. Drawn only while
// the section is visible. The fleet's view of the span is read once, with the cohort table, and handed to
// cohorts.js through a DOM event.

import uPlot from '/vendor/uplot/dist/uPlot.esm.js';
import {fill, h, number, numeric, percent, thead, time} from './dom.js';

const REFRESH_MS = 10000;
const HEIGHT = 220;

/** The spans offered, and the step each is drawn at (spans over 48 h come from hourly rollups: step ≥ 1 h). */
export const SPANS = [
  {span: '1h', step: '1m', label: '1 h'},
  {span: '6h', step: '5m', label: '6 h'},
  {span: '24h', step: '15m', label: '24 h'},
  {span: '7d', step: '1h', label: '7 d'},
];
const DEFAULT_SPAN = '1h';
/** Dispatched after each read of the span: detail {view, span, label} or {failure, span, label}. */
export const SIGNALS_EVENT = 'cutover:signals';

const PROVIDERS = [
  {name: 'whisper', colour: '#0969da', band: 'rgba(9, 105, 218, 0.15)'},
  {name: 'webspeech', colour: '#bc4c00', band: 'rgba(188, 76, 0, 0.15)'},
];

// Errors and latency as users see them come from the browser (the only source webspeech has); the cache and the
// real-time factor exist only in the service (whisper/server).
const METRICS = [
  {metric: 'error_rate', title: 'Error rate', source: 'client', proportion: true,
    what: 'failed attempts / attempts, as the browser reported them (fallbacks count against whisper)'},
  {metric: 'p95', title: 'P95 latency', source: 'client', unit: 'ms', what: 'the 95th percentile of attempt latency seen by the browser'},
  {metric: 'cache_hit_rate', title: 'Cache hit rate', source: 'server', proportion: true,
    what: 'cache hits / lookups in the service'},
  {metric: 'rtf', title: 'Real-time factor', source: 'server', what: 'engine time / audio time in the service (lower is faster)'},
];

const MARKED_ACTIONS = new Set(['rollout.advance', 'rollout.pause', 'rollout.resume', 'rollout.rollback',
  'rollout.complete', 'rollout.plan']);
const AUTOMATIC_ACTORS = new Set(['guard', 'autopilot']);
const MARKER_COLOUR = {person: '#57606a', automatic: '#cf222e'};

const state = {span: DEFAULT_SPAN, charts: new Map(), markers: [], timer: null, loading: null, ctx: null};

function currentSpan() {
  return SPANS.find(s => s.span === state.span);
}

export function mount(ctx) {
  state.ctx = ctx;
  const root = document.getElementById('panel-signals');
  if (!root) return;
  fill(root, layout());
  ctx.onShow('signals', () => { refresh(); resizeAll(); });
  state.timer = setInterval(() => { if (ctx.isVisible('signals')) refresh(); }, REFRESH_MS);
  if (typeof ResizeObserver !== 'undefined') {
    new ResizeObserver(() => resizeAll()).observe(root);
  }
}

function layout() {
  const select = h('select', {id: 'span-select', on: {change: event => chooseSpan(event.target.value)}},
    SPANS.map(s => h('option', {value: s.span, selected: s.span === state.span}, `last ${s.label}`)));
  return [
    h('div', {class: 'signals-toolbar inline'},
      h('div', {class: 'field'}, h('label', {attrs: {for: 'span-select'}}, 'Span'), select),
      h('p', {id: 'signals-status', class: 'muted', attrs: {'aria-live': 'polite'}})),
    h('h3', null, 'Latest figures per provider'),
    h('div', {class: 'table-wrap'}, h('table', {id: 'signals-summary'})),
    h('div', {class: 'charts'}, METRICS.map(chartBox)),
    h('h3', {id: 'signals-markers-title'}, 'Rollout changes marked on the charts'),
    h('p', {class: 'muted'}, 'Grey dashed lines: changes by people; red: by the guard or autopilot.'),
    h('div', {class: 'table-wrap'}, h('table', {id: 'signals-markers', attrs: {'aria-labelledby': 'signals-markers-title'}})),
  ];
}

function chartBox(m) {
  return h('div', {class: 'chart card', dataset: {metric: m.metric, points: '0'}},
    h('h3', null, `${m.title} `, h('span', {class: 'muted'}, `(${m.source})`)),
    h('p', {class: 'muted chart-what'}, m.what),
    h('div', {class: 'chart-plot'}),
    h('p', {class: 'chart-note muted'}));
}

function chooseSpan(span) {
  if (!SPANS.some(s => s.span === span)) return;
  state.span = span;
  refresh();
}

function refresh() {
  if (!state.loading) {
    state.loading = load()
      .catch(e => state.ctx.notify(`The signals failed to draw: ${e.message}`, 'error'))
      .finally(() => { state.loading = null; });
  }
  return state.loading;
}

async function load() {
  const ctx = state.ctx;
  const {span, step} = currentSpan();
  const status = document.getElementById('signals-status');
  try {
    const [summary, audit, ...series] = await Promise.all([
      ctx.api.get(`/api/v1/signals?window=${span}&by=cohort`),
      ctx.api.get('/api/v1/audit?limit=200').catch(() => null),
      ...METRICS.flatMap(m => PROVIDERS.map(p => ctx.api.get(
        `/api/v1/signals/series?metric=${m.metric}&provider=${p.name}&source=${m.source}&span=${span}&step=${step}`))),
    ]);
    if (span !== state.span) return; // the span changed while this was loading
    document.dispatchEvent(new CustomEvent(SIGNALS_EVENT, {detail: {view: summary, ...currentSpan()}}));
    drawSummary(summary);
    if (audit) state.markers = markersOf(audit.events || []);
    METRICS.forEach((m, i) => drawChart(m, series[i * 2], series[i * 2 + 1]));
    drawMarkerTable(summary);
    status.textContent = `Fleet-wide, ${time(summary.from)} – ${time(summary.to)}, in steps of ${step}.`;
  } catch (e) {
    if (!(e instanceof ctx.ApiFailure)) throw e;
    if (span === state.span) document.dispatchEvent(new CustomEvent(SIGNALS_EVENT, {detail: {failure: e, ...currentSpan()}}));
    status.textContent = ctx.readOnly() || e.unavailable
      ? 'Signals cannot be read right now (PostgreSQL unreachable): the figures below are the last ones read.'
      : `Signals could not be read: ${e.message}`;
  }
}

// ---- latest figures ------------------------------------------------------------------------------------------

function drawSummary(view) {
  const table = document.getElementById('signals-summary');
  const rows = view.providers.filter(p => p.attempts > 0 || p.cacheLookups > 0 || p.exposures > 0);
  fill(table,
    h('caption', {class: 'muted'}, `Over the last ${currentSpan().label}; error-rate interval: 95 % Wilson.`),
    thead('Provider', 'Source',
      ['Attempts', 'Error rate', '95 % interval', 'P95', 'Cache hit rate', 'RTF', 'Fallbacks'].map(numeric)),
    h('tbody', null, rows.length ? rows.map(summaryRow)
      : h('tr', null, h('td', {attrs: {colspan: 9}, class: 'muted'}, 'No attempts in this span.'))));
}

function summaryRow(p) {
  const interval = p.errorRateInterval;
  return h('tr', {dataset: {provider: p.provider, source: p.source}},
    h('th', {attrs: {scope: 'row'}}, p.provider), h('td', null, p.source),
    h('td', {class: 'num', dataset: {field: 'attempts'}}, String(p.attempts)),
    h('td', {class: 'num', dataset: {field: 'errorRate'}}, p.attempts ? percent(p.errorRate) : '–'),
    h('td', {class: 'num'}, p.attempts && interval ? `${percent(interval.lower)} – ${percent(interval.upper)}` : '–'),
    h('td', {class: 'num'}, p.attempts ? `${p.latencyMs.p95} ms` : '–'),
    h('td', {class: 'num'}, p.cacheLookups ? percent(p.cacheHitRate, 1) : '–'),
    h('td', {class: 'num'}, p.rtf && p.rtf.mean ? number(p.rtf.mean, 3) : '–'),
    h('td', {class: 'num'}, String(p.fallbacks)));
}

// ---- charts --------------------------------------------------------------------------------------------------

/** Columns for uPlot: x, whisper, webspeech, then (proportions) each provider's lower and upper bound. */
function columns(m, whisper, webspeech) {
  const x = whisper.points.map(p => Date.parse(p.at) / 1000);
  const value = p => (p.samples > 0 ? p.value : null);
  const data = [x, whisper.points.map(value), webspeech.points.map(value)];
  if (m.proportion) {
    for (const s of [whisper, webspeech]) {
      data.push(s.points.map(p => (p.samples > 0 ? p.lower : null)));
      data.push(s.points.map(p => (p.samples > 0 ? p.upper : null)));
    }
  }
  return data;
}

function drawChart(m, whisper, webspeech) {
  const box = document.querySelector(`.chart[data-metric="${m.metric}"]`);
  const plot = box.querySelector('.chart-plot');
  const data = columns(m, whisper, webspeech);
  const counts = [whisper, webspeech].map(s => s.points.filter(p => p.samples > 0).length);
  box.dataset.points = String(counts[0] + counts[1]);
  box.dataset.whisperPoints = String(counts[0]);
  box.dataset.webspeechPoints = String(counts[1]);
  box.dataset.step = String(whisper.step);
  const missing = PROVIDERS.filter((p, i) => counts[i] === 0).map(p => p.name);
  fill(box.querySelector('.chart-note'), missing.length
    ? `No ${m.source} data for ${missing.join(' or ')} in this span${m.source === 'server' && missing.includes('webspeech')
      ? ' (webspeech runs in the browser: the service sees none of it)' : ''}.`
    : `Both providers, ${m.source} source${m.proportion ? '; shaded: the 95 % interval' : ''}.`);
  const stepSeconds = whisper.step;
  const range = [data[0][0], data[0][data[0].length - 1] + stepSeconds];
  const existing = state.charts.get(m.metric);
  if (existing && existing.columns === data.length && existing.stepSeconds === stepSeconds) {
    existing.range = range; // the x scale keeps the whole span even when the data is sparse
    existing.plot.setData(data);
    return;
  }
  if (existing) existing.plot.destroy();
  const entry = {columns: data.length, stepSeconds, range};
  entry.plot = new uPlot(options(m, entry, plot), data, plot);
  state.charts.set(m.metric, entry);
}

function options(m, entry, plot) {
  const format = m.proportion ? v => (v === null || v === undefined ? '–' : percent(v, 2))
    : m.unit === 'ms' ? v => (v === null || v === undefined ? '–' : `${Math.round(v)} ms`)
      : v => (v === null || v === undefined ? '–' : number(v, 3));
  const series = [{}];
  PROVIDERS.forEach(p => series.push({label: p.name, stroke: p.colour, width: 2, spanGaps: false,
    points: {show: true, size: 4}, value: (u, v) => format(v)}));
  const bands = [];
  if (m.proportion) {
    PROVIDERS.forEach((p, i) => {
      series.push({label: `${p.name} lower`, stroke: p.band, width: 1, points: {show: false}, value: (u, v) => format(v)});
      series.push({label: `${p.name} upper`, stroke: p.band, width: 1, points: {show: false}, value: (u, v) => format(v)});
      bands.push({series: [4 + i * 2, 3 + i * 2], fill: p.band});
    });
  }
  return {
    width: widthOf(plot),
    height: HEIGHT,
    series,
    bands,
    scales: {
      x: {time: true, range: () => entry.range},
      y: {range: (u, min, max) => yRange(m, min, max)},
    },
    axes: [
      {},
      {values: (u, splits) => splits.map(format), size: 80},
    ],
    legend: {live: true},
    cursor: {drag: {x: false, y: false}},
    hooks: {draw: [u => drawMarkers(u)]},
  };
}

function yRange(m, min, max) {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (m.proportion) return [0, Math.min(1, Math.max(max * 1.1, 0.01))];
  return [0, max > 0 ? max * 1.15 : 1];
}

function widthOf(plot) {
  return Math.max(240, Math.floor(plot.clientWidth || plot.parentElement.clientWidth || 320));
}

function resizeAll() {
  for (const [metric, entry] of state.charts) {
    const plot = document.querySelector(`.chart[data-metric="${metric}"] .chart-plot`);
    if (!plot || !plot.clientWidth) continue; // hidden
    const width = widthOf(plot);
    if (width !== entry.plot.width) entry.plot.setSize({width, height: HEIGHT});
  }
}

// ---- rollout markers -----------------------------------------------------------------------------------------

function markersOf(events) {
  return events.filter(e => e.target === 'rollout' && MARKED_ACTIONS.has(e.action))
    .map(e => ({
      id: e.id,
      at: Date.parse(e.at) / 1000,
      iso: e.at,
      actor: e.actor,
      automatic: AUTOMATIC_ACTORS.has(e.actor),
      action: e.action.replace(/^rollout\./, ''),
      change: describe(e),
      reason: e.reason || '',
    }))
    .sort((a, b) => a.at - b.at);
}

function describe(e) {
  const b = e.before || {}, a = e.after || {};
  if (e.action === 'rollout.plan') return 'plan changed';
  const forced = a.forced ? ' (forced)' : '';
  if (b.phaseName === undefined || a.phaseName === undefined) return `${e.action.replace(/^rollout\./, '')}${forced}`;
  return `'${b.phaseName}' ${b.status} → '${a.phaseName}' ${a.status} (whisper ${a.whisperPercent} %)${forced}`;
}

function inSpan(marker, summary) {
  return marker.at >= Date.parse(summary.from) / 1000 && marker.at <= Date.parse(summary.to) / 1000;
}

function drawMarkers(u) {
  const ctx = u.ctx;
  const {left, top, width, height} = u.bbox;
  const min = u.scales.x.min, max = u.scales.x.max;
  ctx.save();
  ctx.font = `${Math.round(11 * uPlot.pxRatio)}px "DejaVu Sans", sans-serif`;
  ctx.textBaseline = 'top';
  let row = 0;
  for (const marker of state.markers) {
    if (marker.at < min || marker.at > max) continue;
    const x = Math.round(u.valToPos(marker.at, 'x', true));
    ctx.strokeStyle = ctx.fillStyle = marker.automatic ? MARKER_COLOUR.automatic : MARKER_COLOUR.person;
    ctx.lineWidth = (marker.automatic ? 2 : 1.5) * uPlot.pxRatio;
    ctx.setLineDash([4 * uPlot.pxRatio, 3 * uPlot.pxRatio]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    const label = marker.automatic ? `${marker.actor}: ${marker.action}` : marker.action;
    const textWidth = ctx.measureText(label).width;
    const tx = x + 3 * uPlot.pxRatio + textWidth > left + width ? x - 3 * uPlot.pxRatio - textWidth : x + 3 * uPlot.pxRatio;
    ctx.fillText(label, tx, top + 2 * uPlot.pxRatio + (row % 3) * 13 * uPlot.pxRatio);
    row++;
  }
  ctx.restore();
}

function drawMarkerTable(summary) {
  const table = document.getElementById('signals-markers');
  const shown = state.markers.filter(m => inSpan(m, summary)).reverse();
  fill(table,
    thead('When', 'Who', 'Action', 'Change', 'Reason'),
    h('tbody', null, shown.length ? shown.map(m => h('tr', {class: m.automatic ? 'marker-automatic' : 'marker-person',
      dataset: {action: m.action, actor: m.actor}},
    h('td', null, time(m.iso)),
    h('td', null, m.automatic ? h('span', {class: 'badge marker-badge-automatic'}, m.actor) : m.actor),
    h('td', null, m.action), h('td', null, m.change), h('td', null, m.reason)))
      : h('tr', null, h('td', {attrs: {colspan: 5}, class: 'muted'}, `No rollout changes in the last ${currentSpan().label}.`))));
}
