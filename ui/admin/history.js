// History: the audit log (every write: who, what, why, before and after) and the guard's verdict history, newest
// first, each paged with its cursor ("Load more") and filterable. The audit's action select is the server's filter
// (action=prefix, over the whole log); its text filter narrows the pages loaded (load more to search further back).
// The evaluations are filtered by the server (outcome, span).

import {fill, h, thead, time, verdictBadge} from './dom.js';

const AUDIT = '/api/v1/audit';
const EVALUATIONS = '/api/v1/rollout/evaluations';
const PAGE = 50;
const OUTCOMES = ['all', 'ok', 'notify', 'pause', 'rollback', 'advance', 'refused'];
const SPANS = ['1h', '6h', '24h', '7d'];
const ACTIONS = [['', 'all'], ['rollout.', 'rollout.* (every rollout change)'], ['rollout.advance', 'rollout.advance'],
  ['rollout.pause', 'rollout.pause'], ['rollout.resume', 'rollout.resume'], ['rollout.rollback', 'rollout.rollback'],
  ['rollout.complete', 'rollout.complete'], ['rollout.plan', 'rollout.plan'], ['override.', 'override.* (allow / deny)'],
  ['override.add', 'override.add'], ['override.remove', 'override.remove']];

let ctx;
const audit = {events: [], next: null, action: '', loaded: false, generation: 0};
const runs = {evaluations: [], next: null, loading: false, generation: 0};
const el = {};

export function mount(context) {
  ctx = context;
  fill(document.getElementById('panel-audit'), auditPanel());
  fill(document.getElementById('panel-evaluations'), evaluationsPanel());
  ctx.onShow('history', () => {
    loadAudit(true);
    loadEvaluations(true);
  });
  // Something changed (an action, the guard, another engineer): the newest rows are worth reading again.
  ctx.onRollout((view, previous) => {
    if (previous && ctx.isVisible('history')) {
      loadAudit(true);
      loadEvaluations(true);
    }
  });
  let polls = 0;
  ctx.onPoll(() => {
    if (ctx.isVisible('history') && ++polls % 3 === 0) { // the guard runs every 15 s; overrides change the audit too
      loadAudit(true);
      if (!runs.next || runs.evaluations.length <= PAGE) loadEvaluations(true);
    }
  });
}

// ---- the audit log -------------------------------------------------------------------------------------------

function auditPanel() {
  el.filter = h('input', {id: 'audit-filter', type: 'search', autocomplete: 'off', placeholder: 'actor, action, target or reason',
    on: {input: drawAudit}});
  el.action = h('select', {id: 'audit-action', on: {change: () => loadAudit(true)}},
    ACTIONS.map(([value, label]) => h('option', {value}, label)));
  el.auditBody = h('tbody');
  el.auditCount = h('p', {id: 'audit-count', class: 'muted', attrs: {'aria-live': 'polite'}});
  el.auditMore = h('button', {id: 'audit-more', type: 'button', class: 'secondary', hidden: true, on: {click: () => loadAudit(false)}},
    'Load more');
  el.auditStatus = h('p', {class: 'muted'});
  return h('div', {class: 'card'},
    h('h3', null, 'Audit log'),
    h('div', {class: 'inline'},
      h('div', {class: 'field'}, h('label', {attrs: {for: 'audit-filter'}}, 'Filter'), el.filter),
      h('div', {class: 'field'}, h('label', {attrs: {for: 'audit-action'}}, 'Action'), el.action)),
    el.auditCount,
    h('div', {class: 'table-wrap'}, h('table', {id: 'audit'},
      thead('Time', 'Actor', 'Action', 'Target', 'Reason', 'Before / after'),
      el.auditBody)),
    h('div', {class: 'buttons'}, el.auditMore), el.auditStatus);
}

async function loadAudit(fresh) {
  const generation = fresh ? ++audit.generation : audit.generation;
  const action = el.action.value;
  const params = new URLSearchParams({limit: String(PAGE)});
  if (action) params.set('action', action);
  if (!fresh && audit.next) params.set('before', String(audit.next));
  try {
    const page = await ctx.api.get(`${AUDIT}?${params}`);
    if (generation !== audit.generation) return; // the action filter changed (or a fresher read started) meanwhile
    if (fresh && audit.action === action && audit.events.length > page.events.length) {
      // Keep what was paged in further back when the newest page joins it: only the newest rows are read again.
      const seen = new Set(page.events.map(e => e.id));
      const joins = audit.events.some(e => seen.has(e.id));
      const oldest = page.events.length ? page.events[page.events.length - 1].id : Infinity;
      audit.events = page.events.concat(joins ? audit.events.filter(e => e.id < oldest) : []);
      if (!joins) audit.next = page.nextBefore;
    } else {
      audit.events = fresh ? page.events : audit.events.concat(page.events);
      audit.next = page.nextBefore;
    }
    audit.action = action;
    audit.loaded = true;
    el.auditStatus.textContent = '';
  } catch (e) {
    if (generation !== audit.generation) return;
    el.auditStatus.textContent = `The audit log cannot be read: ${e.message}`;
  }
  drawAudit();
}

function drawAudit() {
  const words = el.filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown = audit.events.filter(event => {
    const text = `${event.actor} ${event.action} ${event.target} ${event.reason || ''}`.toLowerCase();
    return words.every(word => text.includes(word));
  });
  const open = new Set([...el.auditBody.querySelectorAll('details[open]')].map(d => d.closest('tr').dataset.id));
  const rowsBefore = [...el.auditBody.querySelectorAll('tr[data-id]')].map(tr => tr.dataset.id).join();
  if (shown.length && rowsBefore === shown.map(e => String(e.id)).join()) {
    updateAuditCount(words, shown);
    return; // nothing new: keep the focus and what is open
  }
  fill(el.auditBody, shown.length ? shown.map(event => auditRow(event, open.has(String(event.id))))
    : h('tr', null, h('td', {colSpan: 6, class: 'muted'}, audit.loaded ? 'No entries match.' : 'Loading…')));
  updateAuditCount(words, shown);
}

function updateAuditCount(words, shown) {
  el.auditCount.textContent = `${words.length ? `${shown.length} of ` : ''}${audit.events.length} entries loaded`
    + (audit.action ? ` with action ${audit.action}${audit.action.endsWith('.') ? '*' : ''}` : '')
    + (audit.next ? ' (load more for older ones)' : '');
  el.auditMore.hidden = !audit.next;
}

function auditRow(event, open) {
  return h('tr', {dataset: {id: String(event.id), action: event.action}},
    h('td', null, time(event.at)),
    h('td', null, event.actor),
    h('td', null, h('code', null, event.action)),
    h('td', null, event.target),
    h('td', {class: 'audit-reason'}, event.reason || h('span', {class: 'muted'}, '–')),
    h('td', null, h('details', {open}, h('summary', null, 'show'),
      h('div', {class: 'audit-json'},
        h('h4', null, 'Before'), h('pre', null, json(event.before)),
        h('h4', null, 'After'), h('pre', null, json(event.after))))));
}

function json(value) {
  return value === null || value === undefined ? '(nothing)' : JSON.stringify(value, null, 2);
}

// ---- the guard's verdict history ----------------------------------------------------------------------------

function evaluationsPanel() {
  el.outcome = h('select', {id: 'evaluations-outcome', on: {change: () => loadEvaluations(true)}},
    OUTCOMES.map(o => h('option', {value: o === 'all' ? '' : o}, o)));
  el.span = h('select', {id: 'evaluations-span', on: {change: () => loadEvaluations(true)}},
    SPANS.map(s => h('option', {value: s, selected: s === '24h'}, s)));
  el.runsBody = h('tbody');
  el.runsCount = h('p', {id: 'evaluations-count', class: 'muted', attrs: {'aria-live': 'polite'}});
  el.runsMore = h('button', {id: 'evaluations-more', type: 'button', class: 'secondary', hidden: true,
    on: {click: () => loadEvaluations(false)}}, 'Load more');
  el.runsStatus = h('p', {class: 'muted'});
  return h('div', {class: 'card'},
    h('h3', null, 'Guard runs'),
    h('p', {class: 'muted'}, 'Every guard run with each alert rule\'s verdict; kept 7 days.'),
    h('div', {class: 'inline'},
      h('div', {class: 'field'}, h('label', {attrs: {for: 'evaluations-outcome'}}, 'Outcome'), el.outcome),
      h('div', {class: 'field'}, h('label', {attrs: {for: 'evaluations-span'}}, 'Span'), el.span)),
    el.runsCount,
    h('div', {class: 'table-wrap'}, h('table', {id: 'evaluations'},
      thead('Time', 'Instance', 'Phase', 'Status', 'Outcome', 'Rules'),
      el.runsBody)),
    h('div', {class: 'buttons'}, el.runsMore), el.runsStatus);
}

async function loadEvaluations(fresh) {
  const generation = fresh ? ++runs.generation : runs.generation;
  const params = new URLSearchParams({span: el.span.value, limit: String(PAGE)});
  if (el.outcome.value) params.set('outcome', el.outcome.value);
  if (!fresh && runs.next) params.set('before', String(runs.next));
  try {
    const page = await ctx.api.get(`${EVALUATIONS}?${params}`);
    if (generation !== runs.generation) return; // the filters changed meanwhile
    runs.evaluations = fresh ? page.evaluations : runs.evaluations.concat(page.evaluations);
    runs.next = page.next;
    el.runsStatus.textContent = '';
  } catch (e) {
    if (generation !== runs.generation) return;
    el.runsStatus.textContent = `The guard's runs cannot be read: ${e.message}`;
  }
  drawEvaluations();
}

function drawEvaluations() {
  fill(el.runsBody, runs.evaluations.length ? runs.evaluations.map(evaluationRow)
    : h('tr', null, h('td', {colSpan: 6, class: 'muted'}, 'No guard runs match.')));
  el.runsCount.textContent = `${runs.evaluations.length} run${runs.evaluations.length === 1 ? '' : 's'} shown`
    + `${el.outcome.value ? ` with outcome ${el.outcome.value}` : ''} over the last ${el.span.value}`;
  el.runsMore.hidden = !runs.next;
}

function evaluationRow(run) {
  return h('tr', {dataset: {id: String(run.id), outcome: run.outcome}},
    h('td', null, time(run.at)),
    h('td', null, run.instanceId),
    h('td', null, `${run.phase}: ${run.phaseName}`),
    h('td', null, h('span', {class: 'badge status', dataset: {status: run.status}}, run.status)),
    h('td', null, h('span', {class: `badge outcome outcome-${run.outcome}`}, run.outcome)),
    h('td', {class: 'evaluation-rules'}, (run.rules || []).length ? run.rules.map(rule => h('span', {class: 'evaluation-rule',
      attrs: {title: ruleTitle(rule)}}, verdictBadge(rule.verdict.verdict), ' ', rule.rule.metric,
      rule.rule.comparison === 'RELATIVE_TO_WEBSPEECH' ? ' (vs webspeech)' : '', rule.acted ? h('strong', null, ' acted') : null))
      : h('span', {class: 'muted'}, 'no rules')));
}

function ruleTitle(rule) {
  const v = rule.verdict;
  return `rules[${rule.index}] ${rule.rule.metric} → ${rule.rule.action}: value ${v.value}, statistic ${v.statistic} of ${v.alarmLevel}, ${v.samples} samples`;
}
