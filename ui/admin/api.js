// The admin API with the signed-in token. Every answer is JSON; a refusal becomes an ApiFailure carrying the
// status, the machine code and the body (e.g. currentVersion on a conflict, unmet on criteria_not_met).

const TOKEN_KEY = 'cutover.adminToken';
const TIMEOUT_MS = 15000;

export class ApiFailure extends Error {
  constructor(status, body, message) {
    super(message || (body && body.message) || `HTTP ${status}`);
    this.status = status; // 0: no answer (network, timeout)
    this.body = body || {};
    this.code = this.body.error || (status === 0 ? 'unreachable' : `http_${status}`);
  }

  /** The database (or the whole service) cannot be reached: the UI goes read-only. */
  get unavailable() {
    return this.status === 0 || this.status === 503 || this.status === 502 || this.status === 504;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

const unauthorizedListeners = [];

/** Called when the token is refused (401): the UI signs out and says so. */
export function onUnauthorized(listener) {
  unauthorizedListeners.push(listener);
}

export async function request(method, path, body, options = {}) {
  const headers = {Accept: 'application/json'};
  const secret = options.token ?? token();
  if (secret) headers.Authorization = `Bearer ${secret}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? TIMEOUT_MS);
  let response;
  try {
    response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal, cache: 'no-store', credentials: 'omit'});
  } catch (e) {
    throw new ApiFailure(0, null, controller.signal.aborted ? 'The service did not answer in time.' : 'The service cannot be reached.');
  } finally {
    clearTimeout(timer);
  }
  let json = null;
  const text = await response.text();
  if (text) {
    try { json = JSON.parse(text); } catch (e) { json = null; }
  }
  if (!response.ok) {
    const failure = new ApiFailure(response.status, json);
    if (response.status === 401 && !options.token) unauthorizedListeners.forEach(l => l(failure));
    throw failure;
  }
  return json;
}

export const api = {
  get: (path, options) => request('GET', path, undefined, options),
  post: (path, body, options) => request('POST', path, body ?? {}, options),
  put: (path, body, options) => request('PUT', path, body, options),
  patch: (path, body, options) => request('PATCH', path, body, options),
  del: (path, options) => request('DELETE', path, undefined, options),
};

/** A query string from an object, skipping empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
