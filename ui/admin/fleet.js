// The fleet: every instance that ever sent a heartbeat, live or stale, its model and load, and whether whisper is
// ready fleet-wide. Read on every poll of the shell (2 s); while PostgreSQL is down the last table stays, marked stale.

import {fill, h, numeric, thead, time} from './dom.js';

const state = {ctx: null, loading: null, last: null, readAt: null};

export function mount(ctx) {
  state.ctx = ctx;
  const root = document.getElementById('panel-fleet');
  if (!root) return;
  fill(root, h('div', {class: 'card fleet'},
    h('h3', {id: 'fleet-title'}, 'Fleet'),
    h('p', {id: 'fleet-ready', class: 'fleet-ready'}),
    h('p', {id: 'fleet-note', class: 'muted', attrs: {'aria-live': 'polite'}}),
    h('div', {class: 'table-wrap'}, h('table', {id: 'fleet', attrs: {'aria-labelledby': 'fleet-title'}}))));
  ctx.onPoll(refresh);
  refresh();
}

function refresh() {
  if (!state.loading) {
    state.loading = load()
      .catch(e => state.ctx.notify(`The fleet table failed to draw: ${e.message}`, 'error'))
      .finally(() => { state.loading = null; });
  }
  return state.loading;
}

async function load() {
  const ctx = state.ctx;
  const note = document.getElementById('fleet-note');
  if (ctx.readOnly()) {
    stale(note, 'PostgreSQL is unreachable');
    return;
  }
  let fleet;
  try {
    fleet = await ctx.api.get('/api/v1/instances');
  } catch (e) {
    if (!(e instanceof ctx.ApiFailure)) throw e;
    stale(note, e.unavailable ? 'the heartbeats cannot be read' : e.message);
    return;
  }
  state.last = fleet;
  state.readAt = new Date().toISOString();
  note.textContent = '';
  document.getElementById('fleet').classList.remove('stale');
  draw(fleet);
}

function stale(note, why) {
  note.textContent = state.last
    ? `Stale: ${why}. This is the fleet as read at ${time(state.readAt)}.`
    : `The fleet cannot be shown: ${why}.`;
  document.getElementById('fleet').classList.toggle('stale', Boolean(state.last));
}

function draw(fleet) {
  const ready = document.getElementById('fleet-ready');
  const live = fleet.instances.filter(i => i.live).length;
  fill(ready,
    h('span', {class: `badge ${fleet.whisperReady ? 'fleet-yes' : 'fleet-no'}`, dataset: {whisperReady: String(fleet.whisperReady)}},
      fleet.whisperReady ? 'whisper ready' : 'whisper NOT ready'),
    ` ${live} of ${fleet.instances.length} instance${fleet.instances.length === 1 ? '' : 's'} live`
      + (fleet.whisperReady ? ' (a live instance has the model loaded).' : ': no live instance has the model loaded.'));
  // Live first, then the most recently seen.
  const rows = [...fleet.instances].sort((a, b) => (b.live - a.live) || Date.parse(b.lastSeen) - Date.parse(a.lastSeen));
  fill(document.getElementById('fleet'),
    thead('Instance', 'Version', 'State', 'Model', numeric('Busy workers'), numeric('Queue'), 'Last seen', 'Started'),
    h('tbody', null, rows.length ? rows.map(row)
      : h('tr', null, h('td', {attrs: {colspan: 8}, class: 'muted'}, 'No instance has sent a heartbeat yet.'))));
}

function row(i) {
  return h('tr', {dataset: {instance: i.id, live: String(i.live)}},
    h('th', {attrs: {scope: 'row'}}, h('code', null, i.id)),
    h('td', null, i.version),
    h('td', null, h('span', {class: `badge ${i.live ? 'fleet-live' : 'fleet-stale'}`}, i.live ? 'live' : 'stale')),
    h('td', null, i.modelLoaded ? 'loaded' : h('span', {class: 'fleet-no-model'}, 'not loaded')),
    h('td', {class: 'num'}, String(i.busyWorkers)),
    h('td', {class: 'num'}, String(i.queueDepth)),
    h('td', null, time(i.lastSeen)),
    h('td', null, time(i.startedAt)));
}
