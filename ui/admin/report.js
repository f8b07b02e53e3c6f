// The migration report: whether whisper may replace the Web Speech API for good (7 days at 100 % with every
// criterion PASS), every reason it may not yet, each criterion measured, and the phase history. Drawn whatever the
// phase, with a note when the rollout is not at 100 % (the criteria are then judged over the last 7 days).

import {duration, fill, h, number, numeric, percent, thead, time, verdictBadge} from './dom.js';

const REPORT = '/api/v1/rollout/report';

let ctx;
let root;
let loading = null;

export function mount(context) {
  ctx = context;
  root = document.getElementById('panel-report');
  fill(root, h('div', {id: 'report', class: 'report'}, h('p', {class: 'muted'}, 'Loading the report…')));
  ctx.onShow('report', load);
  ctx.onRollout((view, previous) => { if (previous && ctx.isVisible('report')) load(); });
}

function load() {
  if (!loading) {
    loading = ctx.api.get(REPORT).then(draw, e => {
      fill(document.getElementById('report'), h('p', {class: 'error'}, `The report cannot be read: ${e.message}`),
        h('div', {class: 'buttons'}, h('button', {type: 'button', class: 'secondary', on: {click: load}}, 'Try again')));
    }).finally(() => { loading = null; });
  }
  return loading;
}

function draw(report) {
  const atFull = Number(report.whisperPercent) === 100;
  fill(document.getElementById('report'),
    h('div', {class: `card report-verdict ${report.ready ? 'report-ready' : 'report-not-ready'}`, id: 'report-ready'},
      h('p', {class: 'report-headline'}, report.ready ? 'Ready: whisper can replace the Web Speech API.'
        : 'Not ready yet.'),
      !atFull ? h('p', {id: 'report-not-full', class: 'report-note'}, `The rollout is ${report.status} at '${report.phase}' `
        + `(${report.whisperPercent} %), not at 100 %: the criteria below are judged over the last 7 days whatever the phase, `
        + 'so read them as a preview.') : null,
      h('p', {class: 'muted'}, `From ${time(report.from)} to ${time(report.to)}`
        + (report.atFullSince ? `; at 100 % since ${time(report.atFullSince)} (${duration(report.secondsAtFull)})` : '')
        + `. Generated ${time(report.generatedAt)}.`),
      report.reasons && report.reasons.length ? h('div', null, h('h3', null, report.ready ? 'Notes' : 'What is missing'),
        h('ul', {class: 'reasons', id: 'report-reasons'}, report.reasons.map(reason => h('li', null, reason)))) : null,
      h('div', {class: 'buttons'}, h('button', {type: 'button', class: 'secondary', on: {click: load}}, 'Refresh'))),
    h('h3', null, 'Success criteria'),
    h('div', {class: 'table-wrap'}, h('table', {id: 'report-criteria'},
      thead('Criterion', 'Verdict', ['Value', '95 % interval', 'Threshold', 'Samples'].map(numeric)),
      h('tbody', null, report.criteria.map(criterionRow)))),
    h('h3', null, 'Phase history'),
    h('div', {class: 'table-wrap'}, h('table', {id: 'report-phases'},
      thead('Phase', 'Entered', 'Left', 'By', 'Forced', 'Reason', 'Exposures', 'Rollbacks', 'Exit'),
      h('tbody', null, report.phases.map(stayRow)))));
}

/** Availability, error rate, slow share and cache hits are proportions; "no rollbacks" is a count. */
function value(criterion, v) {
  if (v === null || v === undefined) return '–';
  return /rollback/.test(criterion.name) ? number(v, 0) : percent(v);
}

function criterionRow(c) {
  const detail = [];
  if (c.detail && c.detail.p95Ms !== undefined && c.detail.p95Ms !== null) detail.push(`P95 ${number(c.detail.p95Ms, 0)} ms`);
  if (c.detail && Array.isArray(c.detail.rollbacks)) {
    for (const r of c.detail.rollbacks) detail.push(`rolled back ${time(r.at)} by ${r.by}${r.reason ? `: ${r.reason}` : ''}`);
  }
  return h('tr', {dataset: {verdict: c.verdict}},
    h('td', null, h('strong', null, c.name), h('div', {class: 'muted'}, c.definition),
      detail.length ? h('ul', {class: 'reasons'}, detail.map(line => h('li', null, line))) : null),
    h('td', null, verdictBadge(c.verdict)),
    h('td', {class: 'num'}, value(c, c.value)),
    h('td', {class: 'num'}, c.lower === null || c.lower === undefined ? '–' : `${value(c, c.lower)} – ${value(c, c.upper)}`),
    h('td', {class: 'num'}, `${c.comparison} ${value(c, c.threshold)}`),
    h('td', {class: 'num'}, `${number(c.samples, 0)} (min. ${number(c.minSamples, 0)})`));
}

function stayRow(stay) {
  const exposures = stay.exposures || {whisper: 0, webspeech: 0};
  const rollbacks = stay.rollbacks || [];
  return h('tr', null,
    h('td', null, `${stay.phase}: ${stay.name} (${stay.whisperPercent} %)`),
    h('td', null, time(stay.enteredAt)),
    h('td', null, stay.leftAt ? time(stay.leftAt) : h('span', {class: 'muted'}, 'now'), h('div', {class: 'muted'}, duration(stay.seconds))),
    h('td', null, stay.enteredBy),
    h('td', null, stay.forced ? h('span', {class: 'badge verdict-INCONCLUSIVE'}, 'forced') : 'no'),
    h('td', null, stay.reason || '–'),
    h('td', {class: 'num'}, `whisper ${number(exposures.whisper, 0)}`, h('br'), `webspeech ${number(exposures.webspeech, 0)}`),
    h('td', null, rollbacks.length ? h('ul', {class: 'reasons'}, rollbacks.map(r => h('li', null,
      `${time(r.at)} by ${r.by}${r.reason ? `: ${r.reason}` : ''}`))) : 'none'),
    h('td', {class: 'report-exit'}, exit(stay.exit)));
}

function exit(e) {
  if (!e) return h('span', {class: 'muted'}, '–');
  return h('div', null,
    h('div', null, `${time(e.at)} by ${e.by}${e.forced ? ' (forced)' : ''}`),
    e.reason ? h('div', {class: 'muted'}, e.reason) : null,
    (e.criteria && e.criteria.length) || (e.unmet && e.unmet.length) ? h('details', null,
      h('summary', null, `${(e.criteria || []).length} criteria${e.unmet && e.unmet.length ? `, ${e.unmet.length} unmet` : ''}`),
      h('ul', {class: 'reasons'}, (e.criteria || []).map(c => h('li', null, verdictBadge(c.verdict), ' ',
        `${c.metric}${c.comparison === 'RELATIVE_TO_WEBSPEECH' ? ' vs webspeech' : ''}: `
        + `${c.value === null || c.value === undefined ? '–' : number(c.value, 4)}`))),
      e.unmet && e.unmet.length ? h('ul', {class: 'reasons'}, e.unmet.map(u => h('li', null, `unmet: ${u}`))) : null) : null);
}
