// The plan editor: the stored plan as a form (soaks, percentages, thresholds, windows, minimum samples, actions,
// autopilot), the simulator's figures for the edited plan beside it before saving, and a save that asks for a reason
// and explains a conflict (someone saved first) with a way to re-apply the edits on the fresh plan.
//
// Thresholds of proportions (error rate, slow share, fallback rate, cache hit rate) are edited as percentages —
// for a comparison with webspeech as percentage points — and sent as the 0–1 fractions the API takes; every other
// threshold is the API's own number with its unit beside it.

import {fill, h, percent, thead, time} from './dom.js';

const PLAN = '/api/v1/rollout/plan';
const DEBOUNCE_MS = 600;
const BUSY_RETRY_MS = 5000;
const PROPORTIONS = new Set(['error_rate', 'slow_share', 'fallback_rate', 'cache_hit_rate']);
const DURATION = /^\s*\d+\s*(ms|s|m|h|d)?\s*$/i;
const ACTIONS = ['ROLLBACK', 'PAUSE', 'NOTIFY'];
const UNITS = {rtf: '× real time', srm: 'p-value', exposures: 'sessions', attempts: 'attempts', whisper_ready: 'guard runs'};

let ctx;
const state = {
  base: null,          // {plan, planVersion} as last read from the server
  draft: null,         // the plan being edited
  invalid: new Map(),  // path → problem, for fields that are not a number or a duration
  phase: null,         // the phase index simulated
  traffic: null,       // null: the fleet's measured traffic; else {whisper, webspeech} attempts a minute
  measured: false,     // whether the fleet was seen to have measured traffic (then it is not asked again)
  loading: null,
  sim: {timer: null, running: false, again: false, pending: false, generation: 0},
  conflict: null,      // {fresh, lines, overlapping}
};
const el = {};

export function mount(context) {
  ctx = context;
  const root = document.getElementById('panel-plan');
  fill(root, layout());
  ctx.onShow('plan', () => {
    if (!state.base) load();
    else if (state.sim.pending) simulateSoon(0);
  });
  ctx.onRollout((view, previous) => {
    if (!state.base || !previous || view.planVersion === state.base.planVersion) return;
    if (!isDirty()) load();
    else showStale(view.planVersion);
  });
  ctx.onPoll(() => {
    updateWritable();
    if (!state.base && !state.loading && ctx.isVisible('plan') && !ctx.readOnly()) load(); // back after an outage
  });
}

// ---- layout --------------------------------------------------------------------------------------------------

function layout() {
  el.status = h('p', {id: 'plan-status', class: 'muted', attrs: {'aria-live': 'polite'}});
  el.stale = h('div', {id: 'plan-stale', class: 'plan-note', attrs: {role: 'status'}, hidden: true});
  el.conflict = h('div', {id: 'plan-conflict', class: 'conflict', attrs: {role: 'alert'}, hidden: true});
  el.problems = h('div', {id: 'plan-problems', class: 'plan-problems', attrs: {role: 'alert'}, hidden: true});
  el.form = h('form', {id: 'plan-form', class: 'plan-form', attrs: {novalidate: true, 'aria-label': 'Rollout plan'},
    on: {submit: event => { event.preventDefault(); save(); }, input: edited, change: edited}});
  el.save = h('button', {id: 'plan-save', type: 'button', class: 'needs-write', on: {click: save}}, 'Save plan…');
  el.revert = h('button', {id: 'plan-revert', type: 'button', class: 'secondary', on: {click: revert}}, 'Discard edits');
  el.dirty = h('span', {id: 'plan-dirty', class: 'muted'});
  el.readOnly = h('p', {class: 'muted plan-read-only', hidden: true},
    'Read-only: the plan cannot be saved while the rollout cannot be read.');
  const editor = h('div', {class: 'plan-editor'}, el.status, el.stale, el.conflict, el.problems, el.form,
    h('div', {class: 'buttons plan-actions'}, el.save, el.revert, el.dirty), el.readOnly);
  return h('div', {class: 'plan-layout'}, editor, simulationPanel());
}

function simulationPanel() {
  el.simPhase = h('select', {id: 'simulation-phase', on: {change: () => {
    state.phase = Number(el.simPhase.value);
    const details = document.getElementById(`plan-phase-${state.phase}`);
    if (details) details.open = true;
    simulateSoon(0);
  }}});
  el.trafficMode = h('select', {id: 'simulation-traffic-mode', on: {change: () => {
    state.traffic = el.trafficMode.value === 'given' ? readTraffic() : null;
    el.trafficFields.hidden = state.traffic === null;
    simulateSoon(0);
  }}}, h('option', {value: 'measured'}, 'measured (the fleet, last 24 h)'), h('option', {value: 'given'}, 'typed below'));
  el.whisperTraffic = h('input', {id: 'simulation-whisper-traffic', type: 'number', min: '0', step: 'any', value: '20',
    on: {input: trafficEdited}});
  el.webspeechTraffic = h('input', {id: 'simulation-webspeech-traffic', type: 'number', min: '0', step: 'any',
    value: '180', on: {input: trafficEdited}});
  el.trafficNote = h('p', {id: 'simulation-traffic-note', class: 'muted', hidden: true});
  el.trafficFields = h('div', {class: 'inline', hidden: true},
    field('Whisper attempts / min', el.whisperTraffic), field('Webspeech attempts / min', el.webspeechTraffic));
  el.simRun = h('button', {id: 'simulation-run', type: 'button', class: 'secondary', on: {click: () => simulateSoon(0)}},
    'Simulate');
  el.simState = h('p', {id: 'simulation-state', class: 'muted', attrs: {'aria-live': 'polite'}});
  el.summary = h('p', {id: 'simulation-summary', class: 'simulation-summary', attrs: {'aria-live': 'polite'}});
  el.figures = h('div', {id: 'simulation-figures', class: 'simulation-figures'});
  el.simProblems = h('div', {id: 'simulation-problems', class: 'plan-problems', hidden: true});
  return h('aside', {id: 'plan-simulation', class: 'card plan-simulation', attrs: {'aria-labelledby': 'simulation-title'}},
    h('h3', {id: 'simulation-title'}, 'Before you save: what this plan would do'),
    h('p', {class: 'muted'}, 'The guard simulator runs the edited plan\'s alert rules for one phase: 1,000 runs of 48 hours, '
      + 'a healthy whisper (0.5 % errors) and a broken one (5 %).'),
    h('div', {class: 'inline'}, field('Phase', el.simPhase), field('Traffic', el.trafficMode)),
    el.trafficNote, el.trafficFields,
    h('div', {class: 'buttons'}, el.simRun),
    el.simState, el.simProblems, el.summary, el.figures);
}

function field(label, control, hint) {
  const id = control.id || undefined;
  return h('div', {class: 'field'}, h('label', {attrs: {for: id}}, label), control,
    hint ? h('span', {class: 'muted'}, hint) : null);
}

// ---- loading and drawing -------------------------------------------------------------------------------------

async function load() {
  if (state.loading) return state.loading;
  state.loading = (async () => {
    el.status.textContent = 'Reading the plan…';
    try {
      if (!ctx.rollout) await ctx.refresh(); // the current phase is what is simulated first
      const answer = await ctx.api.get(PLAN);
      setBase(answer, clone(answer.plan));
      el.status.textContent = '';
      simulateSoon(0);
    } catch (e) {
      el.status.textContent = `The plan cannot be read: ${e.message}`;
    } finally {
      state.loading = null;
    }
  })();
  return state.loading;
}

function setBase(answer, draft) {
  state.base = {plan: answer.plan, planVersion: answer.planVersion};
  state.draft = draft;
  state.invalid.clear();
  if (state.phase === null || state.phase >= draft.phases.length) {
    const current = ctx.rollout && ctx.rollout.phase ? ctx.rollout.phase.index : 0;
    state.phase = Math.min(current, draft.phases.length - 1);
  }
  el.stale.hidden = true;
  showProblems(el.problems, []);
  drawForm();
  drawPhaseChoice();
  updateWritable();
}

function drawPhaseChoice() {
  const current = ctx.rollout && ctx.rollout.phase ? ctx.rollout.phase.index : null;
  fill(el.simPhase, state.draft.phases.map((phase, i) => h('option', {value: String(i), selected: i === state.phase},
    `${i}: ${phase.name} (${phase.whisperPercent} %)${i === current ? ' — current' : ''}`)));
}

function drawForm() {
  const plan = state.draft;
  const current = ctx.rollout && ctx.rollout.phase ? ctx.rollout.phase.index : null;
  fill(el.form,
    h('p', {class: 'muted'}, `Plan version ${state.base.planVersion}. Proportions are in percent (a comparison `
      + 'with webspeech in percentage points); durations as 30s, 5m, 24h or 7d.'),
    h('div', {class: 'buttons'},
      h('button', {type: 'button', class: 'secondary', on: {click: () => openPhases(true)}}, 'Expand all phases'),
      h('button', {type: 'button', class: 'secondary', on: {click: () => openPhases(false)}}, 'Collapse all')),
    h('div', {class: 'field plan-autopilot'},
      h('label', null, input({type: 'checkbox', id: 'plan-autopilot', path: 'autopilot', checked: plan.autopilot}),
        ' Autopilot: the guard advances by itself once the soak has elapsed and every criterion has been PASS for an hour '
        + '(never from a manual phase)')),
    plan.phases.map((phase, i) => drawPhase(phase, i, i === current)));
}

function drawPhase(phase, i, current) {
  const at = `phases[${i}]`;
  const title = `Phase ${i}: ${phase.name}`;
  return h('details', {class: 'plan-phase-wrap', id: `plan-phase-${i}`, open: current || i === state.phase,
    dataset: {phase: String(i)}},
  h('summary', null, h('span', {class: 'plan-phase-title'}, title), ` — ${phase.whisperPercent} %, soak ${phase.minimumSoak}`,
    current ? h('span', {class: 'badge plan-current'}, 'current') : null),
  h('fieldset', {class: 'card plan-phase'},
    h('legend', {class: 'visually-hidden'}, title),
    h('div', {class: 'plan-phase-fields'},
      labelled('Name', input({type: 'text', path: `${at}.name`, value: phase.name, required: true})),
      labelled('Whisper %', input({type: 'number', path: `${at}.whisperPercent`, value: phase.whisperPercent, min: 0,
        max: 100, step: '0.01'})),
      labelled('Minimum soak', input({type: 'text', path: `${at}.minimumSoak`, value: phase.minimumSoak, size: 6})),
      h('div', {class: 'field'}, h('label', null, input({type: 'checkbox', path: `${at}.manual`, checked: phase.manual}),
        ' Manual (only an engineer advances)'))),
    checksTable('Success criteria (all PASS to advance)', phase.criteria, `${at}.criteria`, false),
    checksTable('Alert rules (what the guard acts on)', phase.rules, `${at}.rules`, true)));
}

function openPhases(open) {
  el.form.querySelectorAll('details.plan-phase-wrap').forEach(details => { details.open = open; });
}

function checksTable(title, checks, at, rules) {
  if (!checks || checks.length === 0) return h('p', {class: 'muted'}, `${title}: none.`);
  const head = ['What', 'Threshold', 'Window', 'Min. samples'].concat(rules ? ['Action'] : []);
  return h('div', null, h('h4', null, title), h('div', {class: 'table-wrap'}, h('table', {class: 'plan-checks'},
    thead(head),
    h('tbody', null, checks.map((check, j) => {
      const path = `${at}[${j}]`;
      const what = checkName(check);
      return h('tr', {dataset: {path}},
        h('td', null, what),
        h('td', null, h('span', {class: 'plan-threshold'},
          input({type: 'number', path: `${path}.threshold`, value: thresholdShown(check), step: 'any',
            label: `${what}: threshold`, class: 'plan-number'}),
          h('span', {class: 'muted'}, thresholdUnit(check)))),
        h('td', null, input({type: 'text', path: `${path}.window`, value: check.window, size: 5, label: `${what}: window`})),
        h('td', null, input({type: 'number', path: `${path}.minSamples`, value: check.minSamples, min: 0, step: 1,
          label: `${what}: minimum samples`, class: 'plan-number'})),
        rules ? h('td', null, h('select', {dataset: {path: `${path}.action`}, attrs: {'aria-label': `${what}: action`}},
          ACTIONS.map(action => h('option', {value: action, selected: check.action === action}, action)))) : null);
    })))));
}

function labelled(text, control) {
  return h('label', {class: 'field'}, h('span', null, text), control);
}

function input({type, path, value, checked, label, ...rest}) {
  const props = {type, dataset: {path}, attrs: {'aria-label': label}};
  if (type === 'checkbox') props.checked = Boolean(checked);
  else props.value = value === null || value === undefined ? '' : String(value);
  for (const [key, v] of Object.entries(rest)) {
    if (key === 'class') props.class = v;
    else props.attrs[key] = v;
  }
  return h('input', props);
}

/** "error_rate (whisper/client) above" / "slow_share over 5000 ms … relative to webspeech". */
function checkName(check) {
  const metric = check.metric + (check.latencyMs ? ` over ${check.latencyMs} ms` : '');
  const relative = check.comparison === 'RELATIVE_TO_WEBSPEECH' ? ' vs webspeech' : '';
  return `${metric} (${check.provider}/${check.source}${relative}) ${String(check.direction).toLowerCase()}`;
}

function isProportion(check) {
  return PROPORTIONS.has(check.metric);
}

function thresholdShown(check) {
  return isProportion(check) ? round(check.threshold * 100) : check.threshold;
}

function thresholdUnit(check) {
  if (isProportion(check)) return check.comparison === 'RELATIVE_TO_WEBSPEECH' ? 'pts' : '%';
  return UNITS[check.metric] || '';
}

function round(value) {
  return Number(Number(value).toPrecision(12));
}

// ---- editing -------------------------------------------------------------------------------------------------

function edited(event) {
  const target = event.target;
  const path = target && target.dataset ? target.dataset.path : null;
  if (!path || !state.draft) return;
  const {parent, key, check} = locate(path);
  const problem = assign(parent, key, check, target);
  if (problem) state.invalid.set(path, `${path}: ${problem}`);
  else state.invalid.delete(path);
  target.classList.toggle('invalid', Boolean(problem));
  target.setAttribute('aria-invalid', problem ? 'true' : 'false');
  if (key === 'name' || key === 'whisperPercent') drawPhaseChoice();
  if (key === 'name' && parent.name) {
    const title = `Phase ${path.match(/\d+/)[0]}: ${parent.name}`;
    const details = target.closest('details');
    details.querySelector('.plan-phase-title').textContent = title;
    details.querySelector('legend').textContent = title;
  }
  markDirty();
  simulateSoon(DEBOUNCE_MS);
}

/** The object holding the field at path ("phases[2].rules[0].threshold"), its key, and the check it belongs to. */
function locate(path) {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  const key = parts.pop();
  let parent = state.draft;
  for (const part of parts) parent = parent[/^\d+$/.test(part) ? Number(part) : part];
  return {parent, key, check: parts.length === 4 ? parent : null};
}

/** Writes the control's value into the draft; returns a problem when it cannot be read. */
function assign(parent, key, check, control) {
  if (control.type === 'checkbox') {
    parent[key] = control.checked;
    return null;
  }
  const text = control.value.trim();
  switch (key) {
    case 'name':
      parent.name = text;
      return text ? null : 'a name is required';
    case 'minimumSoak':
    case 'window':
      parent[key] = text;
      return DURATION.test(text) ? null : 'write a duration such as 30s, 5m, 24h or 7d';
    case 'action':
      parent.action = control.value;
      return null;
    case 'whisperPercent':
    case 'minSamples':
    case 'threshold': {
      const value = text === '' ? NaN : Number(text);
      if (!Number.isFinite(value)) return 'must be a number';
      if (key === 'threshold' && check && isProportion(check)) parent.threshold = round(value / 100);
      else parent[key] = value;
      if (key === 'minSamples' && !Number.isInteger(value)) return 'must be a whole number';
      return null;
    }
    default:
      parent[key] = text;
      return null;
  }
}

function isDirty() {
  return Boolean(state.base && state.draft) && JSON.stringify(state.base.plan) !== JSON.stringify(state.draft);
}

function markDirty() {
  const changes = isDirty() ? diffPlans(state.base.plan, state.draft).length : 0;
  el.dirty.textContent = changes ? `${changes} unsaved change${changes === 1 ? '' : 's'}` : 'No unsaved changes';
  updateWritable();
}

function updateWritable() {
  const readOnly = ctx.readOnly();
  el.readOnly.hidden = !readOnly;
  el.save.disabled = readOnly || !state.base || !isDirty();
  el.revert.disabled = !isDirty();
}

function revert() {
  if (!state.base) return;
  state.conflict = null;
  el.conflict.hidden = true;
  setBase(state.base, clone(state.base.plan));
  markDirty();
  simulateSoon(0);
}

function showStale(version) {
  fill(el.stale, h('p', null, `Someone saved the plan (now version ${version}) after you loaded version `
    + `${state.base.planVersion}. Saving will show what they changed and let you re-apply your edits on theirs.`));
  el.stale.hidden = false;
}

// ---- simulation ----------------------------------------------------------------------------------------------

function trafficEdited() {
  if (el.trafficMode.value !== 'given') return;
  state.traffic = readTraffic();
  simulateSoon(DEBOUNCE_MS);
}

function readTraffic() {
  return {whisper: Number(el.whisperTraffic.value), webspeech: Number(el.webspeechTraffic.value)};
}

/** Simulates the draft after delay ms, or when the plan is next shown: the simulator costs seconds of a core. */
function simulateSoon(delay) {
  clearTimeout(state.sim.timer);
  if (!state.draft) return;
  state.sim.pending = !ctx.isVisible('plan');
  if (state.sim.pending) return;
  state.sim.generation++;
  el.summary.classList.add('stale');
  el.simState.textContent = delay ? 'Edited: simulating shortly…' : 'Simulating…';
  state.sim.timer = setTimeout(simulate, delay);
}

async function simulate() {
  if (state.sim.running) {
    state.sim.again = true; // one at a time: the simulator refuses a third, and only the latest edits matter
    return;
  }
  if (state.invalid.size) {
    el.simState.textContent = 'Not simulated: fix the fields marked in the plan first.';
    showProblems(el.simProblems, [...state.invalid.values()]);
    return;
  }
  if (!state.traffic && !(await trafficMeasured())) {
    askForTraffic();
    return;
  }
  const generation = state.sim.generation;
  const body = {plan: clone(state.draft), phase: state.phase};
  if (state.traffic) body.traffic = {whisperAttemptsPerMinute: state.traffic.whisper, webspeechAttemptsPerMinute: state.traffic.webspeech};
  state.sim.running = true;
  el.simRun.disabled = true;
  el.simState.textContent = 'Simulating…';
  try {
    const answer = await ctx.api.post(`${PLAN}/simulate`, body);
    if (generation === state.sim.generation) showSimulation(answer);
  } catch (e) {
    if (generation === state.sim.generation) simulationFailed(e);
  } finally {
    state.sim.running = false;
    el.simRun.disabled = false;
    if (state.sim.again) {
      state.sim.again = false;
      simulate();
    }
  }
}

/**
 * Whether the fleet measured client attempts over the last 24 h (the simulator's default traffic); asked first, so
 * that a fleet without traffic gets the traffic fields rather than a refused simulation.
 */
async function trafficMeasured() {
  if (state.measured) return true; // 24 h of traffic does not vanish between two edits; the simulator says if it did
  try {
    const view = await ctx.api.get('/api/v1/signals?window=24h');
    state.measured = view.providers.some(p => p.source === 'client' && p.attempts > 0);
    return state.measured;
  } catch (e) {
    return true; // let the simulator answer for itself
  }
}

function askForTraffic() {
  el.trafficMode.value = 'given';
  el.trafficFields.hidden = false;
  el.trafficNote.textContent = 'No client attempts were measured over the last 24 h: type the traffic to simulate.';
  el.trafficNote.hidden = false;
  state.traffic = readTraffic();
  simulateSoon(0);
}

function simulationFailed(e) {
  showProblems(el.simProblems, []);
  if (e.code === 'no_measured_traffic') {
    askForTraffic();
    return;
  }
  if (e.code === 'simulator_busy') {
    el.simState.textContent = 'The simulator is busy (other simulations are running); retrying in a few seconds…';
    clearTimeout(state.sim.timer);
    state.sim.timer = setTimeout(simulate, BUSY_RETRY_MS);
    return;
  }
  if (e.code === 'invalid_plan') {
    el.simState.textContent = 'Not simulated: the edited plan is invalid.';
    showProblems(el.simProblems, e.body.problems || []);
    markFields(e.body.problems || []);
    return;
  }
  el.simState.textContent = `Not simulated: ${e.message}`;
}

function showSimulation(answer) {
  showProblems(el.simProblems, []);
  el.summary.classList.remove('stale');
  el.summary.textContent = answer.summary;
  const given = answer.given.result;
  const broken = answer.broken.result;
  const brokenRate = percent(answer.broken.errorRates.whisper, 1);
  const caught = broken.medianMinutesToRollback === null
    ? `never catch a ${brokenRate} error rate within ${answer.hours} h`
    : `catch a ${brokenRate} error rate in ${minutes(broken.medianMinutesToRollback)} (median), `
      + `${minutes(broken.p95MinutesToRollback)} at the 95th percentile`;
  const traffic = answer.traffic;
  const notSimulated = given.notSimulated || [];
  el.simState.textContent = `Phase ${answer.phase.index} '${answer.phase.name}' at ${answer.phase.whisperPercent} %, `
    + `${answer.runs} runs of ${answer.hours} h, seed ${answer.seed}.`;
  fill(el.figures,
    h('ul', {class: 'simulation-list'},
      h('li', {id: 'simulation-false-rollbacks'}, 'With your traffic this plan would wrongly roll back ',
        h('strong', null, percent(given.falseRollbackRate, 1)), ' of healthy rollouts'),
      h('li', {id: 'simulation-time-to-catch'}, 'and ', h('strong', null, caught),
        broken.medianMinutesToRollback === null ? '' : ` (${percent(broken.rollbackRate, 0)} of runs rolled back)`),
      h('li', null, `Traffic: ${number1(traffic.whisperAttemptsPerMinute)} whisper and `
        + `${number1(traffic.webspeechAttemptsPerMinute)} webspeech attempts a minute (${traffic.source}).`),
      given.paused || given.notified ? h('li', null, `Healthy runs paused: ${given.paused}, notified: ${given.notified}.`) : null),
    notSimulated.length ? h('details', null, h('summary', null, `${notSimulated.length} rule(s) not simulated`),
      h('ul', null, notSimulated.map(line => h('li', null, line)))) : null);
}

function minutes(value) {
  return value === null || value === undefined ? '–' : `${number1(value)} min`;
}

function number1(value) {
  return String(Math.round(value * 10) / 10);
}

// ---- saving --------------------------------------------------------------------------------------------------

async function save() {
  if (!state.base || ctx.readOnly()) return;
  if (state.invalid.size) {
    showProblems(el.problems, [...state.invalid.values()]);
    return;
  }
  const changes = diffPlans(state.base.plan, state.draft);
  const reason = await ctx.confirm({
    title: `Save the plan (version ${state.base.planVersion})`,
    body: [changes.length ? 'These changes take effect at once: the guard judges the current phase by them from its next run.'
      : 'Nothing differs from the stored plan.'],
    list: changes,
    confirmLabel: 'Save plan',
  });
  if (reason === null) return;
  el.save.disabled = true;
  try {
    const saved = await ctx.api.put(PLAN, {expectedVersion: state.base.planVersion, plan: state.draft, reason});
    state.conflict = null;
    el.conflict.hidden = true;
    setBase(saved, clone(saved.plan));
    markDirty();
    el.status.textContent = '';
    ctx.notify(`Plan saved (version ${saved.planVersion}).`, 'success');
    ctx.refresh();
  } catch (e) {
    if (e.code === 'version_conflict') await conflicted();
    else if (e.code === 'invalid_plan') {
      showProblems(el.problems, e.body.problems || [e.message]);
      markFields(e.body.problems || []);
    } else {
      ctx.notify(`The plan was not saved: ${e.message}`, 'error');
    }
  } finally {
    updateWritable();
  }
}

async function conflicted() {
  let fresh;
  try {
    fresh = await ctx.api.get(PLAN);
  } catch (e) {
    ctx.notify(`Someone saved the plan first, and it cannot be read again: ${e.message}`, 'error');
    return;
  }
  const theirs = diffPlans(state.base.plan, fresh.plan);
  const mine = changedPaths(state.base.plan, state.draft);
  const overlapping = [...changedPaths(state.base.plan, fresh.plan)].filter(path => mine.has(path));
  const history = await savesSince(state.base.planVersion);
  state.conflict = {fresh};
  fill(el.conflict,
    h('h3', null, `Not saved: someone saved the plan first (version ${state.base.planVersion} → ${fresh.planVersion})`),
    h('p', null, theirs.length ? 'What they changed:' : 'They saved the same plan again (nothing differs).'),
    theirs.length ? h('ul', {class: 'plan-conflict-changes'}, theirs.map(line => h('li', null, line))) : null,
    history.length ? h('ul', {class: 'plan-conflict-history'}, history.map(line => h('li', null, line))) : null,
    overlapping.length ? h('p', null, `You both changed ${overlapping.join(', ')}: re-applying keeps your values.`) : null,
    h('div', {class: 'buttons'},
      h('button', {id: 'plan-reapply', type: 'button', on: {click: reapply}}, 'Re-apply my edits on the fresh plan'),
      h('button', {id: 'plan-reload', type: 'button', class: 'secondary', on: {click: () => {
        el.conflict.hidden = true;
        state.conflict = null;
        setBase(fresh, clone(fresh.plan));
        markDirty();
        simulateSoon(0);
      }}}, 'Discard my edits and load theirs')));
  el.conflict.hidden = false;
  el.conflict.scrollIntoView({block: 'nearest'});
  document.getElementById('plan-reapply').focus();
}

/** Who saved the plan after the version I loaded, and why (the audit log's rollout.plan rows). */
async function savesSince(version) {
  try {
    const page = await ctx.api.get('/api/v1/audit?limit=50');
    return page.events
      .filter(e => e.action === 'rollout.plan' && e.after && e.after.planVersion > version)
      .map(e => `Version ${e.after.planVersion} saved by ${e.actor} at ${time(e.at)}${e.reason ? `: “${e.reason}”` : ''}`);
  } catch (e) {
    return []; // what changed is still listed above
  }
}

/** My edits (base → draft) written over the fresh plan; phases matched by their name in the plan I loaded. */
function reapply() {
  const fresh = state.conflict.fresh;
  const rebased = clone(fresh.plan);
  const base = state.base.plan;
  if (base.autopilot !== state.draft.autopilot) rebased.autopilot = state.draft.autopilot;
  base.phases.forEach((before, i) => {
    const after = state.draft.phases[i];
    const target = rebased.phases.find(p => p.name === before.name);
    if (!after || !target) return;
    for (const key of ['name', 'whisperPercent', 'minimumSoak', 'manual']) {
      if (before[key] !== after[key]) target[key] = after[key];
    }
    for (const list of ['criteria', 'rules']) {
      (before[list] || []).forEach((check, j) => {
        const mine = after[list][j];
        const theirs = target[list] && target[list][j];
        if (!mine || !theirs || theirs.metric !== check.metric) return;
        for (const key of ['threshold', 'window', 'minSamples', 'action']) {
          if (check[key] !== mine[key]) theirs[key] = mine[key];
        }
      });
    }
  });
  state.conflict = null;
  el.conflict.hidden = true;
  setBase(fresh, rebased);
  markDirty();
  el.status.textContent = `Your edits are re-applied on plan version ${fresh.planVersion}: check them and save again.`;
  simulateSoon(0);
  el.save.focus();
}

// ---- differences ---------------------------------------------------------------------------------------------

/** Every field that differs, as "phases[2].rules[0].threshold". */
function changedPaths(a, b) {
  const out = new Set();
  walk(a, b, '', out);
  return out;
}

function walk(a, b, path, out) {
  if (a === b) return;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const next = Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      walk(a[key], b[key], next, out);
    }
    return;
  }
  out.add(path);
}

/** Readable lines: "canary: alert rule error_rate (whisper/client) above: threshold 1 % → 2 %". */
function diffPlans(a, b) {
  const lines = [];
  if (a.autopilot !== b.autopilot) lines.push(`Autopilot: ${onOff(a.autopilot)} → ${onOff(b.autopilot)}`);
  const count = Math.max(a.phases.length, b.phases.length);
  for (let i = 0; i < count; i++) {
    const before = a.phases[i];
    const after = b.phases[i];
    if (!before) { lines.push(`Phase ${i} '${after.name}' added (${after.whisperPercent} %)`); continue; }
    if (!after) { lines.push(`Phase ${i} '${before.name}' removed`); continue; }
    const name = `Phase '${before.name}'`;
    if (before.name !== after.name) lines.push(`${name}: renamed to '${after.name}'`);
    if (String(before.whisperPercent) !== String(after.whisperPercent)) lines.push(`${name}: whisper ${before.whisperPercent} % → ${after.whisperPercent} %`);
    if (before.minimumSoak !== after.minimumSoak) lines.push(`${name}: minimum soak ${before.minimumSoak} → ${after.minimumSoak}`);
    if (before.manual !== after.manual) lines.push(`${name}: manual ${onOff(before.manual)} → ${onOff(after.manual)}`);
    for (const [list, label] of [['criteria', 'criterion'], ['rules', 'alert rule']]) {
      const xs = before[list] || [];
      const ys = after[list] || [];
      for (let j = 0; j < Math.max(xs.length, ys.length); j++) {
        const x = xs[j];
        const y = ys[j];
        if (!x) { lines.push(`${name}: ${label} ${checkName(y)} added`); continue; }
        if (!y) { lines.push(`${name}: ${label} ${checkName(x)} removed`); continue; }
        const what = `${name}: ${label} ${checkName(x)}`;
        if (x.threshold !== y.threshold) lines.push(`${what}: threshold ${thresholdText(x)} → ${thresholdText(y)}`);
        if (x.window !== y.window) lines.push(`${what}: window ${x.window} → ${y.window}`);
        if (x.minSamples !== y.minSamples) lines.push(`${what}: minimum samples ${x.minSamples} → ${y.minSamples}`);
        if (x.action !== y.action) lines.push(`${what}: action ${x.action} → ${y.action}`);
        if (x.metric !== y.metric || x.comparison !== y.comparison || x.direction !== y.direction
            || x.latencyMs !== y.latencyMs || x.provider !== y.provider || x.source !== y.source) {
          lines.push(`${what}: now ${checkName(y)}`);
        }
      }
    }
  }
  return lines;
}

function thresholdText(check) {
  return `${thresholdShown(check)} ${thresholdUnit(check)}`.trim();
}

function onOff(value) {
  return value ? 'on' : 'off';
}

// ---- problems ------------------------------------------------------------------------------------------------

function showProblems(container, problems) {
  if (!problems.length) {
    container.hidden = true;
    fill(container);
    return;
  }
  fill(container, h('p', null, `${problems.length} problem${problems.length === 1 ? '' : 's'} to fix:`),
    h('ul', null, problems.map(line => h('li', null, h('code', null, line)))));
  container.hidden = false;
}

/** Marks the fields named by the server's problems ("phases[2].rules[0].threshold: …"). */
function markFields(problems) {
  el.form.querySelectorAll('.invalid').forEach(control => {
    if (!state.invalid.has(control.dataset.path)) control.classList.remove('invalid');
  });
  for (const problem of problems) {
    const path = problem.split(':')[0];
    for (const control of el.form.querySelectorAll('[data-path]')) {
      if (control.dataset.path === path) {
        const details = control.closest('details');
        if (details) details.open = true;
        control.classList.add('invalid');
        control.setAttribute('aria-invalid', 'true');
      }
    }
  }
}

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}
