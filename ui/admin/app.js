// The admin UI's shell: sign-in, the sections, the live rollout state every panel reads, the confirmation dialog
// and the read-only mode while PostgreSQL is down. Panels are modules with mount(ctx) that draw into their own
// container and subscribe to what they need.

import {api, ApiFailure, onUnauthorized, setToken, token} from './api.js';
import {byId, fill, h, time} from './dom.js';

const PANELS = ['./status.js', './actions.js', './fleet.js', './signals.js', './cohorts.js', './plan.js', './lists.js',
  './history.js', './report.js'];
const POLL_MS = 2000;
const VIEWS = ['overview', 'signals', 'plan', 'lists', 'history', 'report'];

const LAST_ROLLOUT_KEY = 'cutover.lastRollout';
const state = {rollout: null, flag: null, readOnly: false, started: false, timer: null, events: null};
const rolloutListeners = [];
const pollListeners = [];
const showListeners = new Map();

/** What every panel gets. */
const ctx = {
  api,
  ApiFailure,
  /** The last GET /api/v1/rollout answer (null before the first, or when PostgreSQL was down from the start). */
  get rollout() { return state.rollout; },
  /** While read-only: the flag as this instance serves it from memory ({percentage, status, version}), if known. */
  get flag() { return state.flag; },
  /** True while the rollout cannot be read (PostgreSQL or the service unreachable): no actions. */
  readOnly: () => state.readOnly,
  /** fn(view, previous) on the first view and whenever the rollout's version, plan version or status changes. */
  onRollout(fn) { rolloutListeners.push(fn); if (state.rollout) fn(state.rollout, null); },
  /** fn(view|null) after every poll (every 2 s), whether or not anything changed. */
  onPoll(fn) { pollListeners.push(fn); },
  /** fn() whenever the section becomes visible (and now, if it is). */
  onShow(view, fn) {
    if (!showListeners.has(view)) showListeners.set(view, []);
    showListeners.get(view).push(fn);
    if (state.started && currentView() === view) fn();
  },
  isVisible: view => currentView() === view,
  /** Reads the rollout now (after an action), tells the panels, and returns it. */
  refresh: () => poll(),
  notify,
  confirm,
  describeChanges,
};

function currentView() {
  const name = location.hash.replace(/^#/, '');
  return VIEWS.includes(name) ? name : 'overview';
}

// ---- sign-in -------------------------------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  const input = byId('token');
  const error = byId('signin-error');
  error.hidden = true;
  const secret = input.value.trim();
  if (!secret) return;
  byId('signin-submit').disabled = true;
  try {
    await api.get('/api/v1/rollout', {token: secret});
    accept(secret);
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 401) {
      showSignInError('That admin token is not valid. Check ADMIN_TOKEN (or data/admin-token) and try again.');
    } else if (e instanceof ApiFailure && e.status === 503) {
      accept(secret); // the token was accepted (it is checked before the database); the rollout is just unreadable
    } else {
      showSignInError(`Could not sign in: ${e.message}`);
    }
  } finally {
    byId('signin-submit').disabled = false;
  }
}

function showSignInError(text) {
  const error = byId('signin-error');
  error.textContent = text;
  error.hidden = false;
  byId('token').focus();
}

function accept(secret) {
  setToken(secret);
  byId('token').value = '';
  start();
}

function signOut(message) {
  setToken(null);
  sessionStorage.removeItem(LAST_ROLLOUT_KEY);
  state.rollout = null;
  stop();
  byId('console').hidden = true;
  byId('sign-out').hidden = true;
  byId('status-badge').hidden = true;
  fill(byId('top-phase'));
  setBanner(null);
  byId('signin').hidden = false;
  if (message) showSignInError(message);
  else byId('token').focus();
}

// ---- the live state ------------------------------------------------------------------------------------------

async function start() {
  byId('signin').hidden = true;
  byId('console').hidden = false;
  byId('sign-out').hidden = false;
  if (!state.mounted) {
    state.mounted = true;
    for (const path of PANELS) {
      const module = await import(path);
      module.mount(ctx);
    }
  }
  state.started = true;
  if (!state.rollout) state.rollout = lastRead(); // shown (read-only) if the rollout cannot be read now
  showView();
  await poll();
  state.timer = setInterval(poll, POLL_MS);
  follow();
}

function stop() {
  clearInterval(state.timer);
  state.timer = null;
  state.started = false;
  if (state.events) state.events.close();
  state.events = null;
}

/** The flag's event stream (public, OFREP): a change anywhere is read at once instead of at the next poll. */
function follow() {
  if (state.events || typeof EventSource === 'undefined') return;
  state.events = new EventSource('/ofrep/v1/events');
  state.events.addEventListener('message', () => poll()); // OFREP sends refetchEvaluation as a plain message
}

let polling = null;

function poll() {
  if (!polling) {
    polling = readRollout().finally(() => { polling = null; });
  }
  return polling;
}

async function readRollout() {
  if (!token()) return null;
  let view = null;
  try {
    view = await api.get('/api/v1/rollout');
    const previous = state.readOnly ? null : state.rollout;
    state.rollout = view;
    remember(view);
    setReadOnly(false);
    if (!previous || previous.version !== view.version || previous.planVersion !== view.planVersion
        || previous.status !== view.status) {
      rolloutListeners.forEach(fn => safely(fn, view, previous));
    }
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 401) return null; // signed out by the listener
    await setReadOnly(true, e);
  }
  pollListeners.forEach(fn => safely(fn, view));
  return view;
}

/** The last view read in this tab, so a page opened while PostgreSQL is down still shows where the rollout was. */
function remember(view) {
  try {
    sessionStorage.setItem(LAST_ROLLOUT_KEY, JSON.stringify(view));
  } catch (e) {
    // storage full or disabled: only a reload during an outage shows less
  }
}

function lastRead() {
  try {
    return JSON.parse(sessionStorage.getItem(LAST_ROLLOUT_KEY) || 'null');
  } catch (e) {
    return null;
  }
}

function safely(fn, ...args) {
  try {
    const result = fn(...args);
    if (result && typeof result.catch === 'function') result.catch(reportPanelError);
  } catch (e) {
    reportPanelError(e);
  }
}

function reportPanelError(e) {
  if (e instanceof ApiFailure) return; // each panel says what it could not read; the banner covers outages
  notify(`Something on this page failed to draw: ${e.message}`, 'error');
}

async function setReadOnly(readOnly, failure) {
  state.readOnly = readOnly;
  document.body.classList.toggle('read-only', readOnly);
  if (!readOnly) {
    state.flag = null;
    setBanner(null);
    return;
  }
  const lines = [];
  lines.push(failure && failure.status === 0
    ? 'The service cannot be reached. Read-only: nothing can be changed until it answers again.'
    : 'PostgreSQL is unreachable. Read-only: the rollout cannot be changed until it is back; assignment keeps serving from memory.');
  try {
    const flag = await api.get('/api/v1/assignment?sessionId=cutover-admin-ui', {timeoutMs: 3000});
    state.flag = {percentage: flag.percentage, status: flag.status, version: flag.version};
    lines.push(`This instance serves whisper to ${flag.percentage} % of sessions (flag version ${flag.version}, ${flag.status}).`);
  } catch (e) {
    // nothing more to say
  }
  if (state.rollout) lines.push(`Below: the rollout as last read (version ${state.rollout.version}, ${time(state.rollout.updatedAt)}).`);
  setBanner(lines);
}

function setBanner(lines) {
  const banner = byId('banner');
  if (!lines) {
    banner.hidden = true;
    fill(banner);
    return;
  }
  fill(banner, lines.map(line => h('p', null, line)));
  banner.hidden = false;
}

// ---- sections ------------------------------------------------------------------------------------------------

function showView() {
  const view = currentView();
  document.querySelectorAll('section.view').forEach(section => { section.hidden = section.dataset.view !== view; });
  document.querySelectorAll('nav.tabs a').forEach(link => {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
  if (state.started) (showListeners.get(view) || []).forEach(fn => safely(fn));
}

// ---- messages and confirmations ------------------------------------------------------------------------------

let noticeTimer = null;

/** A short message under the header (kind: info | success | error). */
function notify(text, kind = 'info') {
  const notice = byId('notice');
  notice.textContent = text;
  notice.dataset.kind = kind;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { notice.hidden = true; }, kind === 'error' ? 15000 : 6000);
}

/**
 * Asks before acting. Resolves with the reason typed (reason required unless reason: false), or null if cancelled.
 * options: {title, body: [lines], list: [lines], confirmLabel, danger, reason (default true)}
 */
function confirm(options) {
  const dialog = byId('confirm-dialog');
  const reasonRequired = options.reason !== false;
  byId('confirm-title').textContent = options.title;
  fill(byId('confirm-body'), (options.body || []).map(line => h('p', null, line)));
  const list = byId('confirm-list');
  fill(list, (options.list || []).map(line => h('li', null, line)));
  list.hidden = !(options.list && options.list.length);
  byId('confirm-reason-field').hidden = !reasonRequired;
  const reason = byId('confirm-reason');
  reason.value = options.initialReason || '';
  reason.setAttribute('aria-required', String(reasonRequired)); // checked here, with a message that says why
  const ok = byId('confirm-ok');
  ok.textContent = options.confirmLabel || 'Confirm';
  ok.className = options.danger ? 'danger' : '';
  const error = byId('confirm-error');
  error.hidden = true;
  return new Promise(resolve => {
    const finish = value => {
      byId('confirm-form').removeEventListener('submit', submit);
      byId('confirm-cancel').removeEventListener('click', cancel);
      dialog.removeEventListener('cancel', cancel);
      dialog.close();
      resolve(value);
    };
    const submit = event => {
      event.preventDefault();
      const text = reason.value.trim();
      if (reasonRequired && !text) {
        error.textContent = 'A reason is required: it is kept in the audit log.';
        error.hidden = false;
        reason.focus();
        return;
      }
      finish(reasonRequired ? text : '');
    };
    const cancel = event => {
      if (event) event.preventDefault();
      finish(null);
    };
    byId('confirm-form').addEventListener('submit', submit);
    byId('confirm-cancel').addEventListener('click', cancel);
    dialog.addEventListener('cancel', cancel);
    dialog.showModal();
    (reasonRequired ? reason : ok).focus();
  });
}

/**
 * What changed between the view an engineer acted on and the fresh one, as lines, with the audit entries written
 * since (who did what, and why): shown when the server answers 409 version_conflict.
 */
async function describeChanges(before, after) {
  const lines = [];
  if (before && after) {
    if (before.status !== after.status) lines.push(`Status: ${before.status} → ${after.status}`);
    if (before.phase.index !== after.phase.index) {
      lines.push(`Phase: '${before.phase.name}' (${before.phase.whisperPercent} %) → '${after.phase.name}' (${after.phase.whisperPercent} %)`);
    }
    if (before.planVersion !== after.planVersion) lines.push(`Plan: version ${before.planVersion} → ${after.planVersion}`);
    lines.push(`Rollout version ${before.version} → ${after.version}`);
  }
  try {
    const page = await api.get('/api/v1/audit?limit=20');
    for (const event of page.events) {
      if (event.target !== 'rollout' || !newerThan(event, before)) continue;
      lines.push(`${time(event.at)}: ${event.actor} ran ${event.action.replace(/^rollout\./, '')}${event.reason ? ` — “${event.reason}”` : ''}`);
    }
  } catch (e) {
    // the state lines above are still true
  }
  return lines;
}

/** Whether an audit row of the rollout was written after the view: a later state version or plan version. */
function newerThan(event, view) {
  if (!view) return true;
  const after = event.after || {};
  return (after.version ?? 0) > view.version || (after.planVersion ?? 0) > view.planVersion;
}

// ---- boot ----------------------------------------------------------------------------------------------------

function boot() {
  byId('signin-form').addEventListener('submit', signIn);
  byId('sign-out').addEventListener('click', () => signOut());
  window.addEventListener('hashchange', showView);
  onUnauthorized(() => signOut('The admin token was refused (revoked or changed). Sign in again.'));
  if (token()) start();
  else signOut();
}

boot();
