// Cutover frontend client: which speech-to-text provider this session uses, whisper transcription with a Web Speech
// fallback, and outcome reporting. An ES module with no dependencies; see README.md "Frontend client".
import { encodeWav, resample } from './cutover-wav.js';

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
  const queue = loadQueue();
  let dropped = 0;
  let flushTimer = null;
  let flushing = null;
  let failures = 0;
  let retryAt = 0;
  let source = null;
  let sourceRetry = null;
  let streamLost = false;
  let closed = false;

  const onHidden = () => {
    if (document.visibilityState === 'hidden') {
      flushWithBeacon();
    }
  };
  const onPageHide = () => flushWithBeacon();
  const onOnline = () => flush();
  if (typeof document !== 'undefined') {
    document.addEventListener('visibilitychange', onHidden);
  }
  if (typeof window !== 'undefined') {
    window.addEventListener('pagehide', onPageHide);
    window.addEventListener('online', onOnline);
  }
  if (pendingCount() > 0) {
    scheduleFlush(0);
  }

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

  function fetchAssignment(session) {
    const key = keyOf(session);
    if (inflight.has(key)) {
      return inflight.get(key);
    }
    const number = (sequence.get(key) || 0) + 1;
    sequence.set(key, number);
    const request = askAssignment(session).then((answer) => {
      inflight.delete(key);
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
    try {
      const response = await timedFetch(base + ASSIGNMENT_PATH + '?' + query, { cache: 'no-store' },
          config.assignmentTimeoutMs);
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
    enqueue({ type: 'exposure', sessionId, provider: entry.provider, reason: entry.reason });
  }

  function onProviderChange(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Re-asks every session this client knows, e.g. when the flag changed. */
  function refresh() {
    return Promise.all([...sessions.values()].map((session) => fetchAssignment(session)));
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
        flush();
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
   * {fallback: false}, listens with the Web Speech API instead. Resolves to a result, never rejects.
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
      const response = await timedFetch(transcribeUrl, { method: 'POST', headers, body: form, signal },
          config.transcribeTimeoutMs);
      const latencyMs = now() - started;
      const body = await response.json().catch(() => null);
      if (response.ok && body && typeof body.text === 'string') {
        const text = body.text.trim();
        const ms = seconds || Math.round((body.durationSec || 0) * 1000);
        result = { provider: WHISPER, text, outcome: text ? 'ok' : 'empty', latencyMs, audioMs: ms, response: body };
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

  /**
   * One utterance through the browser's Web Speech API, reported as a webspeech attempt. Settles on the first
   * final result, on error (headless Chromium errors and may never fire "end"), or after webSpeechTimeoutMs.
   */
  function listen({ sessionId, language, timeoutMs = config.webSpeechTimeoutMs } = {}) {
    const lang = language || config.language || (typeof navigator !== 'undefined' ? navigator.language : undefined);
    const Recognition = typeof window !== 'undefined' && (window.SpeechRecognition || window.webkitSpeechRecognition);
    const started = now();
    return new Promise((resolve) => {
      let recognition = null;
      let timer = null;
      let audioStart = null;
      let audioEnd = null;
      let done = false;
      const finish = (outcome, text, errorCode) => {
        if (done) {
          return;
        }
        done = true;
        clearTimeout(timer);
        if (recognition) {
          recognition.onresult = recognition.onerror = recognition.onend = recognition.onnomatch = null;
          try {
            recognition.abort();
          } catch (e) {
            // already stopped
          }
        }
        const end = now();
        const result = { provider: WEBSPEECH, text: text || '', outcome,
          latencyMs: end - (audioEnd !== null ? audioEnd : started),
          audioMs: audioStart !== null ? (audioEnd !== null ? audioEnd : end) - audioStart : 0 };
        if (errorCode) {
          result.errorCode = errorCode;
        }
        reportAttempt(sessionId, result, lang);
        resolve(result);
      };
      if (!Recognition) {
        finish('error', '', 'not_supported');
        return;
      }
      try {
        recognition = new Recognition();
        if (lang) {
          recognition.lang = lang;
        }
        recognition.continuous = false;
        recognition.interimResults = false;
        recognition.maxAlternatives = 1;
        recognition.onaudiostart = () => {
          audioStart = now();
        };
        recognition.onaudioend = () => {
          audioEnd = now();
        };
        recognition.onresult = (event) => {
          const texts = [];
          for (let i = event.resultIndex; i < event.results.length; i++) {
            if (event.results[i].isFinal) {
              texts.push(event.results[i][0].transcript);
            }
          }
          if (texts.length > 0) {
            const text = texts.join(' ').trim();
            finish(text ? 'ok' : 'empty', text);
          }
        };
        recognition.onnomatch = () => finish('no_speech', '', 'no-match');
        recognition.onerror = (event) => {
          const code = event && event.error ? String(event.error) : 'error';
          finish(code === 'no-speech' ? 'no_speech' : code === 'aborted' ? 'aborted' : 'error', '', code);
        };
        recognition.onend = () => finish('empty', '');
        timer = setTimeout(() => finish('error', '', 'timeout'), timeoutMs);
        recognition.start();
      } catch (e) {
        finish('error', '', 'start_failed');
      }
    });
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
    enqueue(attempt);
  }

  function enqueue(event) {
    queue.open.push(event);
    const total = pendingCount();
    if (total > config.maxQueuedEvents) {
      trim(total - config.maxQueuedEvents);
    }
    saveQueue();
    if (queue.open.length >= config.maxBatchEvents || jsonBytes(queue.open) >= config.maxBatchBytes) {
      scheduleFlush(0);
    } else {
      scheduleFlush(config.flushIntervalMs);
    }
  }

  /** Drops the oldest events beyond the bound (the service has been away for long). */
  function trim(excess) {
    while (excess > 0 && queue.batches.length > 0) {
      excess -= queue.batches[0].events.length;
      dropped += queue.batches.shift().events.length;
    }
    if (excess > 0) {
      queue.open.splice(0, excess);
      dropped += excess;
    }
  }

  // Open events become batches with an id once; a batch keeps its id on every retry, so it is counted once.
  function seal() {
    while (queue.open.length > 0) {
      const events = [];
      while (queue.open.length > 0 && events.length < config.maxBatchEvents) {
        events.push(queue.open[0]);
        if (events.length > 1 && jsonBytes(events) > config.maxBatchBytes) {
          events.pop();
          break;
        }
        queue.open.shift();
      }
      queue.batches.push({ batchId: newBatchId(), events });
    }
    saveQueue();
  }

  function scheduleFlush(delay) {
    if (closed) {
      return;
    }
    const at = Math.max(Date.now() + delay, retryAt);
    if (flushTimer !== null && flushTimer.at <= at) {
      return;
    }
    if (flushTimer !== null) {
      clearTimeout(flushTimer.id);
    }
    flushTimer = { at, id: setTimeout(() => {
      flushTimer = null;
      flush();
    }, Math.max(0, at - Date.now())) };
  }

  /** Sends every waiting batch now, in order; resolves to true when none is left waiting. */
  function flush() {
    if (flushing) {
      return flushing;
    }
    flushing = sendAll().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  async function sendAll() {
    seal();
    while (queue.batches.length > 0) {
      const batch = queue.batches[0];
      let status = 0;
      let retryAfter = 0;
      try {
        // A service that accepts and never answers must not hold the queue: give up, retry with the same batchId.
        const response = await timedFetch(base + EVENTS_PATH, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(batch),
          keepalive: true,
        }, config.eventsTimeoutMs);
        status = response.status;
        retryAfter = Number(response.headers.get('Retry-After')) || 0;
      } catch (e) {
        status = 0;
      }
      if (status >= 200 && status < 300) {
        remove(batch);
      } else if (status === 400 || status === 413 || status === 415) {
        console.warn('cutover: the service refused an event batch (' + status + '); it is dropped');
        remove(batch);
      } else {
        failures += 1;
        const backoff = Math.min(config.maxRetryDelayMs, config.flushIntervalMs * 2 ** Math.min(10, failures - 1));
        retryAt = Date.now() + Math.max(backoff, retryAfter * 1000);
        scheduleFlush(0);
        return false;
      }
    }
    failures = 0;
    retryAt = 0;
    if (queue.open.length > 0) {
      scheduleFlush(config.flushIntervalMs);
    }
    return true;
  }

  function remove(batch) {
    const index = queue.batches.indexOf(batch);
    if (index >= 0) {
      queue.batches.splice(index, 1);
    }
    saveQueue();
  }

  // The page is going away: hand every batch to the browser, which delivers beacons after the page is gone.
  function flushWithBeacon() {
    if (typeof navigator === 'undefined' || typeof navigator.sendBeacon !== 'function') {
      return;
    }
    seal();
    for (const batch of [...queue.batches]) {
      const body = new Blob([JSON.stringify(batch)], { type: 'text/plain;charset=UTF-8' });
      if (!navigator.sendBeacon(base + EVENTS_PATH, body)) {
        break;
      }
      remove(batch);
    }
  }

  function pendingCount() {
    return queue.open.length + queue.batches.reduce((n, b) => n + b.events.length, 0);
  }

  function loadQueue() {
    try {
      const saved = JSON.parse(readStorage(STORAGE_PREFIX + 'events') || 'null');
      if (saved && Array.isArray(saved.open) && Array.isArray(saved.batches)) {
        return saved;
      }
    } catch (e) {
      // a damaged entry is dropped
    }
    return { open: [], batches: [] };
  }

  function saveQueue() {
    writeStorage(STORAGE_PREFIX + 'events', JSON.stringify(queue));
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
    flushWithBeacon();
    closed = true;
    if (source) {
      source.close();
      source = null;
    }
    clearTimeout(sourceRetry);
    if (flushTimer !== null) {
      clearTimeout(flushTimer.id);
      flushTimer = null;
    }
    if (typeof document !== 'undefined') {
      document.removeEventListener('visibilitychange', onHidden);
    }
    if (typeof window !== 'undefined') {
      window.removeEventListener('pagehide', onPageHide);
      window.removeEventListener('online', onOnline);
    }
  }

  // --- helpers bound to this client ---

  function readStorage(key) {
    try {
      return storage ? storage.getItem(key) : null;
    } catch (e) {
      return null;
    }
  }

  function writeStorage(key, value) {
    try {
      if (storage) {
        storage.setItem(key, value);
      }
    } catch (e) {
      // full or forbidden: memory still holds it
    }
  }

  return {
    getProvider,
    onProviderChange,
    refresh,
    transcribe,
    listen,
    reportOutcome,
    flush,
    createIndicator,
    pendingEvents: pendingCount,
    droppedEvents: () => dropped,
    close,
  };
}

/**
 * A microphone recorder that makes 16 kHz mono WAV: start() opens the microphone, stop() resolves to
 * {blob, audioMs}. The AudioContext (and its worklet) is made on the first start(), which must follow a user
 * gesture, and reused after.
 */
export function createRecorder({ workletUrl = new URL('./cutover-recorder-worklet.js', import.meta.url).href } = {}) {
  const RATE = 16000;
  let context = null;
  let worklet = false;
  let take = null;

  async function contextReady() {
    if (context === null) {
      try {
        context = new AudioContext({ sampleRate: RATE });
      } catch (e) {
        context = new AudioContext();
      }
      try {
        await context.audioWorklet.addModule(workletUrl);
        worklet = true;
      } catch (e) {
        worklet = false; // e.g. the module is on another origin: the ScriptProcessor fallback records too
      }
    }
    if (context.state !== 'running') {
      await context.resume();
    }
    return context;
  }

  async function start() {
    if (take) {
      throw new Error('already recording');
    }
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false,
      noiseSuppression: false, autoGainControl: false } });
    let ctx;
    let input;
    try {
      ctx = await contextReady();
      input = ctx.createMediaStreamSource(stream);
    } catch (e) {
      stream.getTracks().forEach((track) => track.stop());
      throw e;
    }
    const chunks = [];
    let samples = 0;
    const push = (chunk) => {
      chunks.push(chunk);
      samples += chunk.length;
    };
    let node;
    if (worklet) {
      node = new AudioWorkletNode(ctx, 'cutover-recorder', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1,
        channelCountMode: 'explicit' });
      node.port.onmessage = (event) => push(event.data);
    } else {
      node = ctx.createScriptProcessor(4096, 1, 1);
      node.onaudioprocess = (event) => push(new Float32Array(event.inputBuffer.getChannelData(0)));
    }
    input.connect(node);
    node.connect(ctx.destination); // the node outputs silence; connected so that it is pulled
    take = { stream, input, node, chunks, rate: ctx.sampleRate, samples: () => samples };
  }

  function release() {
    const current = take;
    take = null;
    current.input.disconnect();
    current.node.disconnect();
    if (current.node.port) {
      current.node.port.onmessage = null;
    }
    current.stream.getTracks().forEach((track) => track.stop());
    return current;
  }

  async function stop() {
    if (!take) {
      throw new Error('not recording');
    }
    const current = release();
    const all = new Float32Array(current.samples());
    let offset = 0;
    for (const chunk of current.chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    const mono = resample(all, current.rate, RATE);
    return { blob: encodeWav(mono, RATE), audioMs: Math.round(mono.length * 1000 / RATE) };
  }

  return {
    start,
    stop,
    cancel: () => {
      if (take) {
        release();
      }
    },
    recording: () => take !== null,
    recordedMs: () => (take ? Math.round(take.samples() * 1000 / take.rate) : 0),
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

function jsonBytes(value) {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

function newBatchId() {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return 'b-' + crypto.randomUUID();
  }
  return 'b-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 12);
}

function sessionStorageOrNull() {
  try {
    return typeof sessionStorage !== 'undefined' ? sessionStorage : null;
  } catch (e) {
    return null; // storage disabled: memory only
  }
}

async function timedFetch(url, init, timeoutMs) {
  const controller = new AbortController();
  const outer = init.signal;
  const abort = () => controller.abort();
  if (outer) {
    if (outer.aborted) {
      controller.abort();
    }
    outer.addEventListener('abort', abort);
  }
  const timer = setTimeout(abort, timeoutMs);
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } finally {
    clearTimeout(timer);
    if (outer) {
      outer.removeEventListener('abort', abort);
    }
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
