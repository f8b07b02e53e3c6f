// The flag's allowlist (whisper whatever the percentage: developer testing at 0 %) and denylist (always webspeech):
// add an entry with an optional note, remove one after a confirmation. Ids and notes are typed by others: they are
// drawn as text only.

import {fill, h, thead, time} from './dom.js';

const OVERRIDES = '/api/v1/flags/transcription-provider/overrides';
const LISTS = [
  {list: 'allow', id: 'allowlist', title: 'Allowlist', hint: 'always whisper (except while rolled back)'},
  {list: 'deny', id: 'denylist', title: 'Denylist', hint: 'always webspeech'},
];

let ctx;
const el = {};

export function mount(context) {
  ctx = context;
  fill(document.getElementById('panel-lists'), form(), h('p', {id: 'lists-status', class: 'muted', attrs: {'aria-live': 'polite'}}),
    h('div', {class: 'grid lists-grid'}, LISTS.map(table)));
  el.status = document.getElementById('lists-status');
  ctx.onShow('lists', load);
  let polls = 0;
  ctx.onPoll(() => {
    if (!ctx.isVisible('lists')) return;
    el.add.disabled = ctx.readOnly();
    if (++polls % 2 === 0) load(); // another engineer's change shows within about 4 s
  });
}

function form() {
  el.list = h('select', {id: 'override-list'}, h('option', {value: 'allow'}, 'allowlist (whisper)'),
    h('option', {value: 'deny'}, 'denylist (webspeech)'));
  el.subject = h('select', {id: 'override-subject'}, h('option', {value: 'user'}, 'user id'),
    h('option', {value: 'session'}, 'session id'));
  el.id = h('input', {id: 'override-id', type: 'text', required: true, maxLength: 200, spellcheck: false, autocomplete: 'off'});
  el.note = h('input', {id: 'override-note', type: 'text', maxLength: 500, autocomplete: 'off'});
  el.add = h('button', {id: 'override-add', type: 'submit', class: 'needs-write'}, 'Add');
  el.error = h('p', {id: 'override-error', class: 'error', attrs: {role: 'alert'}, hidden: true});
  return h('form', {id: 'override-form', class: 'card', attrs: {'aria-label': 'Add an override'}, on: {submit: add}},
    h('h3', null, 'Add an override'),
    h('div', {class: 'inline'},
      field('List', el.list), field('Subject', el.subject), field('Id', el.id), field('Note (optional)', el.note),
      h('div', {class: 'field'}, el.add)),
    el.error);
}

function field(label, control) {
  return h('div', {class: 'field'}, h('label', {attrs: {for: control.id}}, label), control);
}

function table({id, title, hint}) {
  el[id] = h('tbody');
  el[`${id}-count`] = h('span', {class: 'muted'});
  return h('div', {class: 'card'}, h('h3', null, title, ' ', el[`${id}-count`]), h('p', {class: 'muted'}, hint),
    h('div', {class: 'table-wrap'}, h('table', {id},
      thead('Subject', 'Id', 'Note', 'Added', ''),
      el[id])));
}

let drawn = null;

async function load() {
  try {
    const answer = await ctx.api.get(OVERRIDES);
    const text = JSON.stringify(answer.overrides);
    if (text !== drawn) draw(answer.overrides); // unchanged: keep the focus where it is
    drawn = text;
    el.status.textContent = `Flag version ${answer.version}.`;
  } catch (e) {
    el.status.textContent = `The overrides cannot be read: ${e.message}`;
  }
}

function draw(overrides) {
  for (const {list, id} of LISTS) {
    const rows = overrides.filter(o => o.list === list);
    el[`${id}-count`].textContent = `(${rows.length})`;
    fill(el[id], rows.length ? rows.map(row) : h('tr', null, h('td', {colSpan: 5, class: 'muted'}, 'Empty.')));
  }
}

function row(override) {
  return h('tr', {dataset: {override: String(override.id)}},
    h('td', null, override.subject),
    h('td', null, h('code', null, override.subjectId)),
    h('td', {class: 'override-note'}, override.note || ''),
    h('td', null, `${time(override.createdAt)} by ${override.addedBy}`),
    h('td', null, h('button', {type: 'button', class: 'secondary needs-write', dataset: {remove: String(override.id)},
      attrs: {'aria-label': `Remove ${override.subject} ${override.subjectId}`}, on: {click: () => remove(override)}}, 'Remove')));
}

async function add(event) {
  event.preventDefault();
  el.error.hidden = true;
  const id = el.id.value.trim();
  if (!id) {
    showError('An id is required: the userId or sessionId to override.');
    el.id.focus();
    return;
  }
  el.add.disabled = true;
  try {
    await ctx.api.post(OVERRIDES, {list: el.list.value, subject: el.subject.value, id, note: el.note.value.trim()});
    ctx.notify(`Added ${el.subject.value} '${id}' to the ${el.list.value}list.`, 'success');
    el.id.value = '';
    el.note.value = '';
    await load();
  } catch (e) {
    showError(`Not added: ${e.message}`);
  } finally {
    el.add.disabled = ctx.readOnly();
  }
}

async function remove(override) {
  const reason = await ctx.confirm({
    title: `Remove ${override.subject} '${override.subjectId}' from the ${override.list}list?`,
    body: [override.list === 'allow' ? 'It goes back to the percentage split at its next assignment.'
      : 'It may be assigned whisper again by the percentage split.'],
    list: override.note ? [`Note: ${override.note}`] : [],
    confirmLabel: 'Remove',
    danger: true,
  });
  if (reason === null) return;
  try {
    await ctx.api.del(`${OVERRIDES}/${encodeURIComponent(override.id)}?reason=${encodeURIComponent(reason)}`);
    ctx.notify(`Removed ${override.subject} '${override.subjectId}' from the ${override.list}list.`, 'success');
  } catch (e) {
    ctx.notify(`Not removed: ${e.message}`, 'error');
  }
  await load();
}

function showError(text) {
  el.error.textContent = text;
  el.error.hidden = false;
}
