// The cohort table: browser × language, attempts and error rate for whisper and for webspeech side by side (what the
// browser reported, the one source both providers have), worst first. Same span and same read as the charts
// (signals.js).

import {fill, h, numeric, percent, thead} from './dom.js';
import {SIGNALS_EVENT} from './signals.js';

export function mount(ctx) {
  const root = document.getElementById('panel-cohorts');
  if (!root) return;
  fill(root,
    h('h3', {id: 'cohorts-title'}, 'Cohorts: browser × language'),
    h('p', {id: 'cohorts-status', class: 'muted', attrs: {'aria-live': 'polite'}}),
    h('div', {class: 'table-wrap'}, h('table', {id: 'cohorts', attrs: {'aria-labelledby': 'cohorts-title'}})));
  // signals.js reads the span's view with its cohorts (by=cohort) whenever it refreshes, and hands it over.
  document.addEventListener(SIGNALS_EVENT, event => show(event.detail));
}

function show({view, failure, label}) {
  const status = document.getElementById('cohorts-status');
  if (failure) {
    status.textContent = failure.unavailable
      ? 'The cohorts cannot be read right now (PostgreSQL unreachable): the table below is the last one read.'
      : `The cohorts could not be read: ${failure.message}`;
    return;
  }
  status.textContent = '';
  draw(cohortsOf(view.cohorts || []), label);
}

/** One row per cohort with both providers' client figures, worst first. */
export function cohortsOf(rows) {
  const byCohort = new Map();
  for (const row of rows) {
    if (row.source !== 'client' || !row.cohort) continue;
    if (!byCohort.has(row.cohort)) {
      const [browser, language] = row.cohort.split('/');
      byCohort.set(row.cohort, {cohort: row.cohort, browser, language, whisper: null, webspeech: null});
    }
    byCohort.get(row.cohort)[row.provider] = row;
  }
  const cohorts = [...byCohort.values()].filter(c => (c.whisper?.attempts || 0) + (c.webspeech?.attempts || 0) > 0);
  for (const c of cohorts) {
    c.gap = c.whisper?.attempts && c.webspeech?.attempts ? c.whisper.errorRate - c.webspeech.errorRate : null;
  }
  // Whisper's error rate first (a cohort without whisper attempts last), then the gap, then the busier cohort.
  const whisperRate = c => (c.whisper?.attempts ? c.whisper.errorRate : -1);
  cohorts.sort((a, b) => whisperRate(b) - whisperRate(a) || (b.gap ?? -2) - (a.gap ?? -2)
    || total(b) - total(a) || a.cohort.localeCompare(b.cohort));
  return cohorts;
}

function total(c) {
  return (c.whisper?.attempts || 0) + (c.webspeech?.attempts || 0);
}

function draw(cohorts, label) {
  const table = document.getElementById('cohorts');
  fill(table,
    h('caption', {class: 'muted'}, `Last ${label}, as the browser reported. Worst first: by whisper's error rate, `
      + 'then by the whisper − webspeech gap. Interval: 95 % Wilson.'),
    thead('Browser', 'Language', ['Whisper attempts', 'Whisper error rate', 'Webspeech attempts',
      'Webspeech error rate', 'Gap (points)'].map(numeric)),
    h('tbody', null, cohorts.length ? cohorts.map(row)
      : h('tr', null, h('td', {attrs: {colspan: 7}, class: 'muted'}, 'No attempts in this span.'))));
}

function row(c) {
  return h('tr', {dataset: {cohort: c.cohort}},
    h('th', {attrs: {scope: 'row'}}, c.browser), h('td', null, c.language),
    h('td', {class: 'num', dataset: {field: 'whisper-attempts'}}, String(c.whisper?.attempts || 0)),
    rate(c.whisper, 'whisper-error-rate'),
    h('td', {class: 'num', dataset: {field: 'webspeech-attempts'}}, String(c.webspeech?.attempts || 0)),
    rate(c.webspeech, 'webspeech-error-rate'),
    h('td', {class: `num${c.gap > 0 ? ' gap-worse' : ''}`, dataset: {field: 'gap'}},
      c.gap === null ? '–' : `${c.gap > 0 ? '+' : ''}${(c.gap * 100).toFixed(2)}`));
}

function rate(p, field) {
  if (!p || !p.attempts) return h('td', {class: 'num muted', dataset: {field}}, '–');
  const i = p.errorRateInterval;
  return h('td', {class: 'num', dataset: {field}}, percent(p.errorRate),
    i ? h('span', {class: 'interval muted'}, ` (${percent(i.lower, 1)} – ${percent(i.upper, 1)})`) : null);
}
