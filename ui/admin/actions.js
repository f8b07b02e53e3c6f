// The engineers' transitions: advance, pause, resume, roll back, complete — each behind a confirmation with a
// required reason; force-advance behind a second confirmation listing every check it overrides. A 409 says what
// changed meanwhile and offers to retry on the fresh state.

import {byId, fill, h} from './dom.js';

const ACTIONS = {
  advance: {label: 'Advance', allowed: v => v.status === 'ACTIVE' && !v.phase.last},
  pause: {label: 'Pause', allowed: v => v.status === 'ACTIVE'},
  resume: {label: 'Resume', allowed: v => v.status === 'PAUSED' || v.status === 'ROLLED_BACK'},
  rollback: {label: 'Roll back', allowed: v => v.status === 'ACTIVE' || v.status === 'PAUSED', danger: true},
  complete: {label: 'Complete', allowed: v => v.status === 'ACTIVE' && v.phase.last},
};

let drawn = null; // the key of what the panel shows, so it is redrawn (losing focus) only when that changes

export function mount(ctx) {
  ctx.onPoll(view => draw(ctx, view || ctx.rollout));
}

function draw(ctx, view) {
  const key = view ? `${view.version}:${view.planVersion}:${view.status}:${view.canAdvance}:${ctx.readOnly()}` : 'none';
  if (key === drawn) return;
  drawn = key;
  const panel = byId('panel-actions');
  const focused = document.activeElement && panel.contains(document.activeElement) ? document.activeElement.id : null;
  if (!view) {
    fill(panel);
    return;
  }
  if (ctx.readOnly()) {
    fill(panel, h('p', {id: 'actions-read-only', class: 'muted'},
      'Actions are unavailable while the rollout cannot be read or written.'));
    return;
  }
  const buttons = [];
  for (const [name, action] of Object.entries(ACTIONS)) {
    if (!action.allowed(view)) continue;
    if (name === 'advance' && !view.canAdvance) {
      buttons.push(button('force-advance', 'Force advance…', 'warning', () => forceAdvance(ctx)));
      continue;
    }
    buttons.push(button(name, `${action.label}…`, action.danger ? 'danger' : '', () => transition(ctx, name)));
  }
  fill(panel, h('div', {class: 'card'},
    h('h3', null, 'Actions'),
    buttons.length ? h('div', {class: 'buttons', attrs: {role: 'group', 'aria-label': 'Rollout actions'}}, buttons)
      : h('p', {class: 'muted'}, 'Nothing to do: the rollout is complete.')));
  if (focused && byId(focused)) byId(focused).focus();
}

function button(name, label, className, onClick) {
  return h('button', {id: `action-${name}`, type: 'button', class: `needs-write ${className}`.trim(), on: {click: onClick}}, label);
}

function nextPhaseText(view) {
  const next = view.plan.phases[view.phase.index + 1];
  return next ? `'${next.name}' (${next.whisperPercent} % whisper)` : 'the next phase';
}

function question(name, view) {
  switch (name) {
    case 'advance': return {title: `Advance to ${nextPhaseText(view)}?`,
      body: [`From '${view.phase.name}' (${view.phase.whisperPercent} %). Every readiness check is met.`], confirmLabel: 'Advance'};
    case 'pause': return {title: `Pause the rollout at '${view.phase.name}'?`,
      body: ['Sessions keep their provider; the guard keeps watching; nothing advances until resumed.'], confirmLabel: 'Pause'};
    case 'resume': return view.status === 'ROLLED_BACK'
      ? {title: `Resume from the rollback?`, body: [`The rollout returns to '${view.plan.phases[view.rolledBackFrom]?.name}' PAUSED; resume again to make it ACTIVE.`], confirmLabel: 'Resume'}
      : {title: `Resume '${view.phase.name}'?`, body: ['The guard judges the phase afresh from now.'], confirmLabel: 'Resume'};
    case 'rollback': return {title: 'Roll back to webspeech?',
      body: ['Everyone, the allowlist included, goes to webspeech on every instance within a second, until an engineer resumes.'],
      confirmLabel: 'Roll back', danger: true};
    case 'complete': return {title: 'Complete the rollout?', body: ['Whisper stays at 100 %; the rollout ends.'], confirmLabel: 'Complete'};
    default: return {title: name};
  }
}

async function transition(ctx, name) {
  const view = ctx.rollout;
  const reason = await ctx.confirm(question(name, view));
  if (reason === null) return;
  await send(ctx, name, view, reason, false);
}

async function forceAdvance(ctx) {
  const view = ctx.rollout;
  const first = await ctx.confirm({title: `Force advance to ${nextPhaseText(view)}?`,
    body: ['The next phase may not start yet. Forcing skips its checks; the audit log records the advance as forced.'],
    list: view.reasons, confirmLabel: 'Continue…', reason: false});
  if (first === null) return;
  const reason = await ctx.confirm({title: 'Override these checks?',
    body: [`Forcing '${view.phase.name}' → ${nextPhaseText(view)} overrides every check below:`],
    list: view.reasons.map(r => `Override: ${r}`), confirmLabel: 'Force advance', danger: true});
  if (reason === null) return;
  await send(ctx, 'advance', view, reason, true);
}

async function send(ctx, name, view, reason, force) {
  hideConflict();
  const body = {expectedVersion: view.version, reason};
  if (force) body.force = true;
  try {
    await ctx.api.post(`/api/v1/rollout/${name}`, body);
    ctx.notify(`${force ? 'Forced ' : ''}${ACTIONS[name].label}: done.`, 'success');
    await ctx.refresh();
  } catch (e) {
    if (!(e instanceof ctx.ApiFailure)) throw e;
    await refused(ctx, name, view, reason, force, e);
  }
}

async function refused(ctx, name, before, reason, force, failure) {
  if (failure.status === 409 && failure.code === 'version_conflict') {
    const fresh = await ctx.refresh();
    const lines = await ctx.describeChanges(before, fresh);
    const still = fresh && ACTIONS[name].allowed(fresh) && (name !== 'advance' || force || fresh.canAdvance);
    showConflict(`Someone else changed the rollout before your ${label(name, force)} was saved; it was not applied.`,
      lines, still ? {label: `Retry ${label(name, force)} on the fresh state`, run: () => send(ctx, name, fresh, reason, force)}
        : null, still ? null : `A ${label(name, force)} is no longer possible from ${fresh ? fresh.status : 'here'}.`);
    return;
  }
  if (failure.status === 409 && failure.code === 'criteria_not_met') {
    const fresh = await ctx.refresh();
    showConflict('The next phase may not start:', failure.body.unmet || [],
      fresh ? {label: 'Force advance…', run: () => forceAdvance(ctx)} : null);
    return;
  }
  if (failure.status === 409) {
    await ctx.refresh();
    showConflict(failure.message, [], null);
    return;
  }
  ctx.notify(`${ACTIONS[name].label} failed: ${failure.message}`, 'error');
}

function label(name, force) {
  return force ? 'forced advance' : ACTIONS[name].label.toLowerCase();
}

function showConflict(title, lines, retry, note) {
  const box = byId('conflict');
  fill(box,
    h('p', {class: 'conflict-title'}, title),
    lines.length ? h('ul', {id: 'conflict-changes'}, lines.map(line => h('li', null, line))) : null,
    note ? h('p', null, note) : null,
    h('div', {class: 'buttons'},
      retry ? h('button', {id: 'conflict-retry', type: 'button', on: {click: () => { hideConflict(); retry.run(); }}}, retry.label) : null,
      h('button', {id: 'conflict-dismiss', type: 'button', class: 'secondary', on: {click: hideConflict}}, 'Dismiss')));
  box.hidden = false;
  (byId('conflict-retry') || byId('conflict-dismiss')).focus();
}

function hideConflict() {
  const box = byId('conflict');
  box.hidden = true;
  fill(box);
}
