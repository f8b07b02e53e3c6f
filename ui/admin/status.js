// The rollout at a glance: status in colour, phase and whisper share, time in phase against the soak, exposures
// against the phase's minimum, whether the next phase may start (every reason if not), every success criterion and
// alert rule with its verdict, and the sample-ratio check.

import {byId, describeCheck, duration, fill, formatValue, h, number, percent, time, thead, verdictBadge} from './dom.js';

const EXPOSURE_METRICS = new Set(['exposures', 'attempts']);
let srm = null; // the fleet's exposures since the phase began: {whisper, webspeech, expectedWhisperShare, srmPValue}
let srmReadAt = 0;

export function mount(ctx) {
  ctx.onPoll(view => draw(ctx, view || ctx.rollout));
}

async function draw(ctx, view) {
  if (!view) {
    drawFlagOnly(ctx.flag);
    return;
  }
  drawHeader(view);
  drawStatus(view);
  drawChecks(view);
  if (Date.now() - srmReadAt > 10000) {
    srmReadAt = Date.now();
    const window = `${Math.max(10, Math.min(view.secondsInPhase, 90 * 86400))}s`;
    try {
      srm = (await ctx.api.get(`/api/v1/signals?window=${window}`)).exposures;
    } catch (e) {
      srm = null;
    }
    drawChecks(view);
  }
}

/** Nothing of the rollout was ever read in this tab: what this instance serves from memory, if it answers. */
function drawFlagOnly(flag) {
  fill(byId('panel-checks'));
  if (!flag) {
    fill(byId('panel-status'), h('p', {id: 'rollout-unreadable', class: 'muted'}, 'The rollout cannot be read right now.'));
    return;
  }
  const status = flag.status === 'DISABLED' ? 'ROLLED_BACK' : flag.status;
  const badge = byId('status-badge');
  badge.textContent = status.replace('_', ' ');
  badge.dataset.status = status;
  badge.hidden = false;
  byId('top-phase').textContent = `${flag.percentage} % whisper`;
  fill(byId('panel-status'), h('div', {class: 'card status-card', dataset: {status}},
    h('p', {id: 'rollout-unreadable'}, 'The rollout (phase, criteria, rules) cannot be read while PostgreSQL is down. What this instance serves from memory:'),
    h('div', {class: 'grid'},
      stat('Status', h('span', {id: 'status-text', class: 'badge status', dataset: {status}}, status.replace('_', ' '))),
      stat('Whisper', h('span', {id: 'phase-percent'}, `${flag.percentage} % of sessions`)),
      stat('Flag version', String(flag.version)))));
}

function drawHeader(view) {
  const badge = byId('status-badge');
  badge.textContent = view.status.replace('_', ' ');
  badge.dataset.status = view.status;
  badge.hidden = false;
  byId('top-phase').textContent = `${view.phase.name} · ${view.phase.whisperPercent} % whisper`;
}

function drawStatus(view) {
  const soakShare = view.minimumSoakSeconds > 0 ? Math.min(1, view.secondsInPhase / view.minimumSoakSeconds) : 1;
  const exposure = view.criteria.find(c => EXPOSURE_METRICS.has(c.criterion.metric));
  const rolledBack = view.status === 'ROLLED_BACK' && view.rolledBackFrom !== null
    ? `Rolled back from phase ${view.rolledBackFrom} ('${view.plan.phases[view.rolledBackFrom]?.name ?? '?'}'): everyone is on webspeech until an engineer resumes.`
    : null;
  fill(byId('panel-status'),
    h('div', {class: `card status-card`, dataset: {status: view.status}},
      rolledBack && h('p', {id: 'rolled-back-note', class: 'rolled-back'}, rolledBack),
      h('div', {class: 'grid'},
        stat('Status', h('span', {id: 'status-text', class: 'badge status', dataset: {status: view.status}}, view.status.replace('_', ' '))),
        stat('Phase', h('span', {id: 'phase-name'}, `${view.phase.index} · ${view.phase.name}`),
          view.phase.manual ? h('span', {class: 'muted'}, ' (manual)') : null),
        stat('Whisper', h('span', {id: 'phase-percent'}, `${view.phase.whisperPercent} % of sessions`)),
        stat('Time in phase', h('span', {id: 'time-in-phase'},
          `${duration(view.secondsInPhase)} of ${duration(view.minimumSoakSeconds)} soak`),
        h('progress', {attrs: {max: '1', value: String(soakShare), 'aria-label': 'soak elapsed'}})),
        stat('Exposures', h('span', {id: 'exposures'}, exposure
          ? `${number(exposure.verdict.value, 0)} of ${number(exposure.criterion.threshold, 0)} ${exposure.criterion.metric} (${exposure.criterion.provider})`
          : 'no minimum in this phase')),
        stat('Guard', h('span', {id: 'guard-run'}, view.guard.lastRunAt
          ? `last ran ${time(view.guard.lastRunAt)} on ${view.guard.instance ?? '?'}, every ${view.guard.intervalSeconds} s`
          : `not run yet (every ${view.guard.intervalSeconds} s)`)),
        stat('Autopilot', view.plan.autopilot ? 'on' : 'off')),
      h('div', {id: 'next-phase', class: 'next-phase'}, nextPhase(view))));
}

function nextPhase(view) {
  if (view.status === 'COMPLETED') return h('p', {id: 'can-advance', dataset: {can: 'false'}}, 'Completed: whisper serves everyone.');
  if (view.phase.last) {
    return h('p', {id: 'can-advance', dataset: {can: String(view.status === 'ACTIVE')}},
      view.status === 'ACTIVE' ? 'Last phase: the rollout may be completed.' : 'Last phase.');
  }
  const next = view.plan.phases[view.phase.index + 1];
  return [
    h('p', {id: 'can-advance', dataset: {can: String(view.canAdvance)}},
      view.canAdvance ? `The next phase ('${next.name}', ${next.whisperPercent} %) may start.`
        : `The next phase ('${next.name}', ${next.whisperPercent} %) may not start yet:`),
    view.canAdvance ? null : h('ul', {id: 'advance-reasons', class: 'reasons'}, view.reasons.map(r => h('li', null, r))),
  ];
}

function stat(label, ...value) {
  return h('div', {class: 'stat'}, h('span', {class: 'label'}, label), h('span', {class: 'value'}, ...value));
}

function drawChecks(view) {
  fill(byId('panel-checks'),
    h('h3', null, 'Success criteria (to advance)'),
    view.criteria.length ? table('criteria', ['Criterion', 'Value', '95 % interval', 'Threshold', 'Samples', 'Verdict'],
      view.criteria.map(c => criterionRow(c))) : h('p', {class: 'muted'}, 'This phase has no success criteria.'),
    h('h3', null, 'Alert rules (the guard)'),
    view.rules.length ? table('rules', ['Rule', 'Action', 'Value', '95 % interval', 'Statistic', 'Samples', 'Verdict'],
      view.rules.map(r => ruleRow(r))) : h('p', {class: 'muted'}, 'This phase has no alert rules.'),
    h('h3', null, 'Sample ratio'),
    srmBlock(view));
}

function criterionRow({index, criterion, verdict}) {
  const points = criterion.comparison === 'RELATIVE_TO_WEBSPEECH';
  return h('tr', {dataset: {index: String(index), metric: criterion.metric, verdict: verdict.verdict}},
    h('td', null, describeCheck(criterion), h('span', {class: 'muted'}, ` over ${criterion.window}`)),
    h('td', {class: 'num'}, formatValue(criterion.metric, verdict.value, points)),
    h('td', {class: 'num'}, `${formatValue(criterion.metric, verdict.lower, points)} – ${formatValue(criterion.metric, verdict.upper, points)}`),
    h('td', {class: 'num'}, `${criterion.direction.toLowerCase()} ${formatValue(criterion.metric, criterion.threshold, points)}`),
    h('td', {class: 'num'}, `${verdict.samples} / ${criterion.minSamples}`),
    h('td', null, verdictBadge(verdict.verdict)));
}

function ruleRow({index, rule, verdict, acted}) {
  const points = rule.comparison === 'RELATIVE_TO_WEBSPEECH';
  return h('tr', {dataset: {index: String(index), metric: rule.metric, verdict: verdict.verdict}},
    h('td', null, describeCheck(rule), h('span', {class: 'muted'}, ` (${rule.window})`)),
    h('td', null, rule.action, acted ? h('span', {class: 'badge acted'}, ' acted') : null),
    h('td', {class: 'num'}, formatValue(rule.metric, verdict.value, points)),
    h('td', {class: 'num'}, `${formatValue(rule.metric, verdict.lower, points)} – ${formatValue(rule.metric, verdict.upper, points)}`),
    h('td', {class: 'num'}, verdict.statistic === null || verdict.statistic === undefined ? '–'
      : `${number(verdict.statistic, 2)} of ${number(verdict.alarmLevel, 1)}`),
    h('td', {class: 'num'}, `${verdict.samples} / ${rule.minSamples}`),
    h('td', null, verdictBadge(verdict.verdict)));
}

function srmBlock(view) {
  const criterion = view.criteria.find(c => c.criterion.metric === 'srm');
  const parts = [];
  if (srm) {
    const exposed = srm.whisper + srm.webspeech;
    parts.push(h('p', null, exposed
      ? `Exposed sessions in this phase: ${srm.whisper} whisper of ${exposed} (${percent(srm.whisper / exposed, 1)}), expected ${percent(srm.expectedWhisperShare, 1)}; p = ${number(srm.srmPValue, 4)}.`
      : 'No exposures reported in this phase yet.'));
  }
  if (criterion) {
    parts.push(h('p', null, `Sample-ratio check (p above ${number(criterion.criterion.threshold, 4)} with at least ${criterion.criterion.minSamples} sessions): `,
      verdictBadge(criterion.verdict.verdict)));
  } else {
    parts.push(h('p', {class: 'muted'}, 'This phase does not check the sample ratio.'));
  }
  return h('div', {id: 'srm', dataset: {verdict: criterion ? criterion.verdict.verdict : 'NONE'}}, parts);
}

function table(id, headings, rows) {
  return h('div', {class: 'table-wrap'}, h('table', {id},
    thead(headings),
    h('tbody', null, rows)));
}
