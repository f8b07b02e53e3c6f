// Building the page from data. Everything here makes text nodes: a value that someone typed (an id, a note, a
// reason) is never parsed as HTML (the page's Content-Security-Policy forbids inline script besides).

/**
 * h('tr', {class: 'x', id: 'y', dataset: {k: 'v'}, attrs: {'aria-label': '…'}, on: {click: fn}}, 'text', child, …)
 * Children may be strings, numbers, nodes, arrays of those, or null/undefined/false (skipped).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key === 'attrs') for (const [a, v] of Object.entries(value)) { if (v !== undefined && v !== null && v !== false) el.setAttribute(a, v === true ? '' : String(v)); }
      else if (key === 'on') for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
      else if (key === 'text') el.textContent = String(value);
      else el[key] = value;
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces every child of el with the given ones. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A column heading of numbers (right-aligned), for {@link thead}. */
export function numeric(text) {
  return {text, numeric: true};
}

/** A table's head row: each column a string, or numeric('…'); arrays of them are flattened. */
export function thead(...columns) {
  return h('thead', null, h('tr', null, columns.flat().map(column => typeof column === 'string'
    ? h('th', {attrs: {scope: 'col'}}, column)
    : h('th', {class: 'num', attrs: {scope: 'col'}}, column.text))));
}

export function byId(id) {
  return document.getElementById(id);
}

/** 0.0123 → "1.23 %" (proportions), with the given decimals. */
export function percent(proportion, decimals = 2) {
  if (proportion === null || proportion === undefined || Number.isNaN(proportion)) return '–';
  return `${(proportion * 100).toFixed(decimals)} %`;
}

/** A plain number with at most `decimals` decimals, no trailing zeros. */
export function number(value, decimals = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return String(Number(Number(value).toFixed(decimals)));
}

/** 93784 → "1 d 2 h", 3720 → "1 h 2 min", 75 → "1 min 15 s". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (d > 0) return hr ? `${d} d ${hr} h` : `${d} d`;
  if (hr > 0) return m ? `${hr} h ${m} min` : `${hr} h`;
  if (m > 0) return sec ? `${m} min ${sec} s` : `${m} min`;
  return `${sec} s`;
}

/** An ISO instant in the viewer's local time, to the second. */
export function time(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, {year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'});
}

/** A verdict as a coloured badge: PASS, FAIL, INCONCLUSIVE, NO_DATA. */
export function verdictBadge(verdict) {
  return h('span', {class: `badge verdict verdict-${verdict}`, dataset: {verdict}}, verdict);
}

/** How a criterion or rule reads: "error_rate (whisper/client) below 1 %", "slow_share over 2000 ms …". */
export function describeCheck(check) {
  const metric = check.metric + (check.latencyMs ? ` over ${check.latencyMs} ms` : '');
  const relative = check.comparison === 'RELATIVE_TO_WEBSPEECH' ? ', relative to webspeech' : '';
  return `${metric} (${check.provider}/${check.source}${relative}) ${check.direction.toLowerCase()} ${formatThreshold(check)}`;
}

/** Thresholds of proportions read as percentages; counts, RTF, p-values as numbers. */
export function formatThreshold(check) {
  return formatValue(check.metric, check.threshold, check.comparison === 'RELATIVE_TO_WEBSPEECH');
}

const PROPORTIONS = new Set(['error_rate', 'slow_share', 'fallback_rate', 'cache_hit_rate']);

export function formatValue(metric, value, points = false) {
  if (value === null || value === undefined) return '–';
  if (PROPORTIONS.has(metric)) return points ? `${(value * 100).toFixed(2)} pts` : percent(value);
  return number(value, 4);
}
