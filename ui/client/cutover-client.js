// Cutover frontend client: which speech-to-text provider this session uses, whisper transcription with a Web Speech
// fallback, and outcome reporting. An ES module with no dependencies; see README.md "Frontend client".
import { createEventQueue } from './cutover-events.js';
import { withTimeout } from './cutover-http.js';
import { createRecorder } from './cutover-recorder.js';
import { encodeWav, resample } from './cutover-wav.js';
import { recognizeOnce } from './cutover-webspeech.js';

export { createRecorder };

export const WHISPER = 'whisper';
export const WEBSPEECH = 'webspeech';

const ASSIGNMENT_PATH = '/api/v1/assignment';
const EVENTS_PATH = '/api/v1/events';
const OFREP_EVENTS_PATH = '/ofrep/v1/events';
const TRANSCRIBE_PATH = '/transcribe';
const STORAGE_PREFIX = 'cutover:';
const REASONS = new Set(['SPLIT', 'ALLOWLIST', 'DENYLIST', 'ROLLED_BACK', 'DEFAULT']);
const OUTCOMES = new Set(['ok', 'error', 'empty', 'no_speech', 'aborted', 'fallback']);
const MAX_MS = 3600000;
// Whisper answers that a Web Speech retry can still turn into a transcript for the user.
const FALLBACK_STATUSES = new Set([408, 409, 429]);

const DEFAULTS = Object.freeze({
  baseUrl: '',
  transcribeUrl: null,
  transcribeHeaders: {},
  assignmentTimeoutMs: 1500,
  transcribeTimeoutMs: 20000,
  webSpeechTimeoutMs: 15000,
  failedAssignmentRetryMs: 30000,
  flushIntervalMs: 5000,
  eventsTimeoutMs: 10000,
  maxRetryDelayMs: 60000,
  maxBatchEvents: 100,
  maxBatchBytes: 60000,
  maxQueuedEvents: 1000,
  followFlagChanges: true,
  language: undefined,
  browser: undefined,
  storage: undefined,
});

/** "Whisper" or "WebSpeech": how the indicator and the demo name a provider. */
export function providerLabel(provider) {
  return provider === WHISPER ? 'Whisper' : 'WebSpeech';
}

/**
 * A client bound to one Cutover service. Options (all optional): baseUrl (the service's origin, '' = this page's),
 * transcribeUrl (default baseUrl + '/transcribe'; point it at your own backend's proxy), transcribeHeaders,
 * assignmentTimeoutMs (1500), transcribeTimeoutMs (20000), webSpeechTimeoutMs (15000), flushIntervalMs (5000),
 * maxQueuedEvents (1000), followFlagChanges (true), language and browser (sent with every attempt), storage
 * (default sessionStorage).
 */
export function createCutoverClient(options = {}) {
  const config = { ...DEFAULTS, ...options };
  const base = String(config.baseUrl || '').replace(/\/+$/, '');
  const transcribeUrl = config.transcribeUrl || base + TRANSCRIBE_PATH;
  const storage = config.storage !== undefined ? config.storage : sessionStorageOrNull();

  const assignments = new Map(); // key -> entry {provider, reason, version, fallback, at}
  const inflight = new Map(); // key -> Promise<entry>
  const sequence = new Map(); // key -> number of the latest request
  const sessions = new Map(); // key -> {sessionId, userId}
  const exposed = new Set();
  const listeners = new Set();
  const store = storage ? storeOf(storage) : null;
  const events = createEventQueue(base + EVENTS_PATH, config, store);
  let source = null;
  let sourceRetry = null;
  let streamLost = false;
  let closed = false;

  // --- assignment ---

  async function getProvider({ sessionId, userId } = {}) {
    if (!validId(sessionId)) {
      return view(fallbackEntry('invalid_session'));
    }
    const session = { sessionId, userId: validId(userId) ? userId : undefined };
    const key = keyOf(session);
    sessions.set(key, session);
    follow();
    const cached = assignments.get(key) || readAssignment(key);
    if (cached && (!cached.fallback || Date.now() - cached.at < config.failedAssignmentRetryMs)) {
      assignments.set(key, cached);
      return view(cached);
    }
    return view(await fetchAssignment(session));
  }

  // A forced ask (the flag changed) never joins a request that may have left before the change; the latest wins.
  function fetchAssignment(session, force = false) {
    const key = keyOf(session);
    if (inflight.has(key) && !force) {
      return inflight.get(key);
    }
    const number = (sequence.get(key) || 0) + 1;
    sequence.set(key, number);
    const request = askAssignment(session).then((answer) => {
      if (sequence.get(key) === number) {
        inflight.delete(key);
      }
      return sequence.get(key) === number ? apply(session, answer) : assignments.get(key) || answer;
    });
    inflight.set(key, request);
    return request;
  }

  async function askAssignment({ sessionId, userId }) {
    const query = new URLSearchParams({ sessionId });
    if (userId) {
      query.set('userId', userId);
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), config.assignmentTimeoutMs); // the body included
    try {
      const response = await fetch(base + ASSIGNMENT_PATH + '?' + query,
          { cache: 'no-store', signal: controller.signal });
      if (!response.ok) {
        return fallbackEntry('http_' + response.status);
      }
      const body = await response.json();
      if (!body || (body.provider !== WHISPER && body.provider !== WEBSPEECH)) {
        return fallbackEntry('bad_answer');
      }
      return {
        provider: body.provider,
        reason: REASONS.has(body.reason) ? body.reason : 'DEFAULT',
        version: Number.isFinite(body.version) ? body.version : -1,
        fallback: false,
        at: Date.now(),
      };
    } catch (e) {
      return fallbackEntry(e && e.name === 'AbortError' ? 'timeout' : (e instanceof SyntaxError ? 'bad_answer' : 'network'));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stores an answer (a failed re-fetch keeps the last real assignment), tells listeners, reports the exposure. */
  function apply(session, entry) {
    const key = keyOf(session);
    const previous = assignments.get(key);
    if (entry.fallback && previous && !previous.fallback) {
      return previous;
    }
    if (!entry.fallback && previous && !previous.fallback && entry.version >= 0 && entry.version < previous.version) {
      return previous; // an instance that has not yet loaded the change we already know of
    }
    assignments.set(key, entry);
    if (!entry.fallback) {
      writeStorage(STORAGE_PREFIX + 'assignment:' + key, JSON.stringify(entry));
    }
    reportExposure(session.sessionId, entry);
    if (!previous || previous.provider !== entry.provider) {
      const change = { ...session, ...view(entry), previous: previous ? previous.provider : null };
      listeners.forEach((listener) => {
        try {
          listener(change);
        } catch (e) {
          console.warn('cutover: a provider listener failed', e);
        }
      });
    }
    return entry;
  }

  function readAssignment(key) {
    const text = readStorage(STORAGE_PREFIX + 'assignment:' + key);
    if (!text) {
      return null;
    }
    try {
      const entry = JSON.parse(text);
      return entry && (entry.provider === WHISPER || entry.provider === WEBSPEECH) ? entry : null;
    } catch (e) {
      return null;
    }
  }

  function reportExposure(sessionId, entry) {
    const mark = STORAGE_PREFIX + 'exposed:' + JSON.stringify([sessionId, entry.provider]);
    if (exposed.has(mark) || readStorage(mark)) {
      return;
    }
    exposed.add(mark);
    writeStorage(mark, '1');
    events.enqueue({ type: 'exposure', sessionId, provider: entry.provider, reason: entry.reason });
  }

  function onProviderChange(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Re-asks every session this client knows, e.g. when the flag changed. */
  function refresh() {
    return Promise.all([...sessions.values()].map((session) => fetchAssignment(session, true)));
  }

  // The OFREP event stream says when the flag changed: re-ask at once, so the next recording uses the new provider.
  function follow() {
    if (closed || source || !config.followFlagChanges || typeof EventSource === 'undefined') {
      return;
    }
    source = new EventSource(base + OFREP_EVENTS_PATH);
    source.onmessage = (event) => {
      let data = null;
      try {
        data = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (data && data.type === 'refetchEvaluation') {
        refresh();
      }
    };
    source.onopen = () => {
      if (streamLost) {
        streamLost = false;
        refresh(); // changes may have been missed while away; the service is back, so send what waits too
        events.flush();
      }
    };
    source.onerror = () => {
      streamLost = true;
      // EventSource reconnects by itself after a network error, but gives up for good after an HTTP error answer.
      if (source && source.readyState === EventSource.CLOSED && !closed) {
        source = null;
        sourceRetry = setTimeout(() => {
          sourceRetry = null;
          follow();
        }, 5000);
      }
    };
  }

  // --- transcription ---

  /**
   * Sends recorded audio to whisper (a Blob: audio/wav, audio/webm…, or {samples, sampleRate} to be encoded as
   * 16 kHz mono WAV). On 408/409/429/5xx, a timeout or a network error it reports a fallback and, unless
   * {fallback: false}, listens with the Web Speech API instead. Every failure of the service or the network
   * resolves to a result; only audio of the wrong type is a TypeError.
   */
  async function transcribe(audio, { sessionId, userId, language, audioMs, fallback = true, signal } = {}) {
    const blob = toBlob(audio);
    const seconds = audioMs !== undefined ? audioMs : await durationOf(audio, blob);
    const headers = { ...config.transcribeHeaders };
    if (validId(sessionId)) {
      headers['X-Session-Id'] = sessionId;
    }
    if (validId(userId)) {
      headers['X-User-Id'] = userId;
    }
    const form = new FormData();
    form.append('audio', blob, fileNameOf(blob));
    const started = now();
    let fallbackCode = null;
    let result = null;
    try {
      // The timeout covers the answer's body too: a service that sends headers and stalls is a timeout.
      const { response, body } = await withTimeout(config.transcribeTimeoutMs, signal, async (abort) => {
        const answer = await fetch(transcribeUrl, { method: 'POST', headers, body: form, signal: abort });
        const json = await answer.json().catch((e) => {
          if (e && e.name === 'AbortError') {
            throw e;
          }
          return null;
        });
        return { response: answer, body: json };
      });
      const latencyMs = now() - started;
      if (response.ok && body && typeof body.text === 'string') {
        const text = body.text.trim();
        const ms = seconds || Math.round((body.durationSec || 0) * 1000);
        result = { provider: WHISPER, text, outcome: text ? 'ok' : 'empty', latencyMs, audioMs: ms, response: body };
      } else if (response.ok) {
        fallbackCode = 'bad_answer'; // e.g. a proxy's HTML page: no transcript, so Web Speech gets its chance
      } else if (response.status >= 500 || FALLBACK_STATUSES.has(response.status)) {
        fallbackCode = (body && typeof body.error === 'string' && body.error) || 'http_' + response.status;
        if (response.status === 409 && body && body.provider === WEBSPEECH && validId(sessionId)) {
          const reason = REASONS.has(body.reason) ? body.reason : 'DEFAULT';
          const session = { sessionId, userId: validId(userId) ? userId : undefined };
          const known = assignments.get(keyOf(session));
          // The service says this session is no longer on whisper: the next recording uses Web Speech at once.
          apply(session, { provider: WEBSPEECH, reason, version: known && !known.fallback ? known.version : -1,
            fallback: false, at: Date.now() });
        }
      } else {
        const errorCode = (body && typeof body.error === 'string' && body.error) || 'http_' + response.status;
        result = { provider: WHISPER, text: '', outcome: 'error', errorCode, latencyMs, audioMs: seconds || 0,
          response: body };
      }
    } catch (e) {
      fallbackCode = e && e.name === 'AbortError' && !(signal && signal.aborted) ? 'timeout' : 'network';
      if (signal && signal.aborted) {
        result = { provider: WHISPER, text: '', outcome: 'aborted', errorCode: 'aborted', latencyMs: now() - started,
          audioMs: seconds || 0 };
        fallbackCode = null;
      }
    }
    if (result) {
      reportAttempt(sessionId, result, language);
      return result;
    }
    const failed = { provider: WHISPER, outcome: 'fallback', errorCode: fallbackCode, latencyMs: now() - started,
      audioMs: seconds || 0 };
    reportAttempt(sessionId, failed, language);
    if (!fallback) {
      return { ...failed, text: '' };
    }
    const spoken = await listen({ sessionId, language });
    return { ...spoken, fallbackFrom: WHISPER, fallbackReason: fallbackCode };
  }

  /** One utterance through the browser's Web Speech API (see cutover-webspeech.js), reported as a webspeech attempt. */
  async function listen({ sessionId, language, timeoutMs = config.webSpeechTimeoutMs } = {}) {
    const lang = language || config.language || (typeof navigator !== 'undefined' ? navigator.language : undefined);
    const result = { provider: WEBSPEECH, ...(await recognizeOnce({ lang, timeoutMs })) };
    reportAttempt(sessionId, result, lang);
    return result;
  }

  // --- outcome reporting ---

  function reportAttempt(sessionId, result, language) {
    if (!validId(sessionId)) {
      return;
    }
    reportOutcome({ sessionId, provider: result.provider, outcome: result.outcome, latencyMs: result.latencyMs,
      audioMs: result.audioMs, errorCode: result.errorCode, language });
  }

  /**
   * Queues one attempt ({sessionId, provider, outcome, latencyMs, audioMs, errorCode?, browser?, language?}) for the
   * next batch to POST /api/v1/events. Throws a TypeError for an event the service would refuse.
   */
  function reportOutcome(event) {
    const attempt = {
      type: 'attempt',
      sessionId: event.sessionId,
      provider: event.provider,
      outcome: event.outcome,
      latencyMs: clampMs(event.latencyMs),
      audioMs: clampMs(event.audioMs),
    };
    if (!validId(attempt.sessionId)) {
      throw new TypeError('reportOutcome: sessionId is 1 to 256 characters');
    }
    if (attempt.provider !== WHISPER && attempt.provider !== WEBSPEECH) {
      throw new TypeError('reportOutcome: provider is "whisper" or "webspeech"');
    }
    if (!OUTCOMES.has(attempt.outcome) || (attempt.outcome === 'fallback' && attempt.provider !== WHISPER)) {
      throw new TypeError('reportOutcome: outcome is ok|error|empty|no_speech|aborted|fallback (fallback: whisper)');
    }
    if (event.errorCode && attempt.outcome !== 'ok') {
      attempt.errorCode = String(event.errorCode).replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 64);
    }
    const browser = event.browser || config.browser;
    const language = event.language || config.language;
    if (browser) {
      attempt.browser = String(browser).slice(0, 64);
    }
    if (language) {
      attempt.language = String(language).slice(0, 64);
    }
    events.enqueue(attempt);
  }

  // --- the dev-mode indicator ---

  /**
   * A small badge that reads "Whisper" or "WebSpeech" for the session and follows changes (text only). Pass
   * {unstyled: true} to style the class "cutover-provider-badge" yourself.
   */
  function createIndicator({ sessionId, userId, unstyled = false } = {}) {
    const badge = document.createElement('span');
    badge.className = 'cutover-provider-badge';
    badge.setAttribute('role', 'status');
    badge.title = 'Speech-to-text provider of this session (Cutover)';
    const show = (provider) => {
      badge.textContent = providerLabel(provider);
      badge.dataset.provider = provider;
      badge.hidden = false;
      if (!unstyled) {
        badge.style.cssText = '';
        badge.style.font = '600 12px/1.6 system-ui, sans-serif';
        badge.style.padding = '0 8px';
        badge.style.borderRadius = '9px';
        badge.style.color = '#fff';
        badge.style.background = provider === WHISPER ? '#2f6f4f' : '#44546a';
      }
    };
    badge.hidden = true; // until the assignment is known (at most assignmentTimeoutMs)
    getProvider({ sessionId, userId }).then((answer) => show(answer.provider));
    onProviderChange((change) => {
      if (change.sessionId === sessionId && (change.userId || undefined) === (validId(userId) ? userId : undefined)) {
        show(change.provider);
      }
    });
    return badge;
  }

  /** Stops following the flag and hands the waiting events to sendBeacon (the client is done, e.g. unmounted). */
  function close() {
    if (closed) {
      return;
    }
    closed = true;
    events.close();
    if (source) {
      source.close();
      source = null;
    }
    clearTimeout(sourceRetry);
  }

  function readStorage(key) {
    return store ? store.get(key) : null;
  }

  function writeStorage(key, value) {
    if (store) {
      store.set(key, value);
    }
  }

  return {
    getProvider,
    onProviderChange,
    refresh,
    transcribe,
    listen,
    reportOutcome,
    flush: events.flush,
    createIndicator,
    pendingEvents: events.pending,
    droppedEvents: events.dropped,
    close,
  };
}

// --- a default client, for pages that need only one ---

let defaultClient = null;

/** Replaces the default client that the functions below use (call before them to set baseUrl etc.). */
export function configure(options = {}) {
  if (defaultClient) {
    defaultClient.close();
  }
  defaultClient = createCutoverClient(options);
  return defaultClient;
}

function client() {
  if (defaultClient === null) {
    defaultClient = createCutoverClient();
  }
  return defaultClient;
}

export const getProvider = (query) => client().getProvider(query);
export const transcribe = (audio, options) => client().transcribe(audio, options);
export const listen = (options) => client().listen(options);
export const reportOutcome = (event) => client().reportOutcome(event);
export const onProviderChange = (listener) => client().onProviderChange(listener);
export const createIndicator = (options) => client().createIndicator(options);
export const flush = () => client().flush();

// --- module helpers ---

function view(entry) {
  return { provider: entry.provider, reason: entry.reason, version: entry.version, fallback: entry.fallback };
}

function fallbackEntry(error) {
  return { provider: WEBSPEECH, reason: 'DEFAULT', version: -1, fallback: true, error, at: Date.now() };
}

function keyOf({ sessionId, userId }) {
  return JSON.stringify([sessionId, userId || null]);
}

function validId(id) {
  return typeof id === 'string' && id.length > 0 && id.length <= 256;
}

function clampMs(value) {
  const ms = Math.round(Number(value));
  return Number.isFinite(ms) ? Math.min(MAX_MS, Math.max(0, ms)) : 0;
}

function now() {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** get/set on a Storage that never throw (storage full, or disabled by the browser's settings). */
function storeOf(storage) {
  return {
    get(key) {
      try {
        return storage.getItem(key);
      } catch (e) {
        return null;
      }
    },
    set(key, value) {
      try {
        storage.setItem(key, value);
      } catch (e) {
        // full or forbidden: memory still holds it
      }
    },
  };
}

function sessionStorageOrNull() {
  try {
    return typeof sessionStorage !== 'undefined' ? sessionStorage : null;
  } catch (e) {
    return null; // storage disabled: memory only
  }
}

function toBlob(audio) {
  if (audio instanceof Blob) {
    return audio;
  }
  if (audio && audio.samples && audio.sampleRate) {
    return encodeWav(resample(audio.samples, audio.sampleRate, 16000), 16000);
  }
  throw new TypeError('transcribe: audio is a Blob or {samples: Float32Array, sampleRate}');
}

async function durationOf(audio, blob) {
  if (audio && audio.samples && audio.sampleRate) {
    return Math.round(audio.samples.length * 1000 / audio.sampleRate);
  }
  if (blob.type === 'audio/wav' && blob.size > 44) {
    const header = new DataView(await blob.slice(0, 44).arrayBuffer());
    const byteRate = header.getUint32(28, true);
    return byteRate > 0 ? Math.round((blob.size - 44) * 1000 / byteRate) : 0;
  }
  return 0; // the service's durationSec is used when it answers
}

function fileNameOf(blob) {
  const type = blob.type || '';
  if (type.includes('wav')) {
    return 'audio.wav';
  }
  if (type.includes('webm')) {
    return 'audio.webm';
  }
  if (type.includes('ogg')) {
    return 'audio.ogg';
  }
  if (type.includes('mp4')) {
    return 'audio.m4a';
  }
  return 'audio';
}
