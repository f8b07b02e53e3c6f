// The outcome queue of the Cutover client: events batched for POST /api/v1/events, each batch with a batchId that
// it keeps on every retry (so a batch the service did receive is counted once), kept in sessionStorage and bounded,
// sent on a timer, when full, and by navigator.sendBeacon when the page is hidden or left.
import { timedFetch } from './cutover-http.js';

/**
 * A queue posting to `url`. Options: flushIntervalMs, maxRetryDelayMs, maxBatchEvents, maxBatchBytes,
 * maxQueuedEvents, eventsTimeoutMs, and store ({get(key), set(key, value)}, or null: memory only).
 */
export function createEventQueue(url, options, store) {
  const KEY = 'cutover:events:' + url; // one queue per service, taken over by the next page load of the tab
  const queue = loadQueue();
  let dropped = 0;
  let flushTimer = null;
  let flushing = null;
  let failures = 0;
  let retryAt = 0;
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

  function enqueue(event) {
    queue.open.push(event);
    const total = pendingCount();
    if (total > options.maxQueuedEvents) {
      trim(total - options.maxQueuedEvents);
    }
    saveQueue();
    if (queue.open.length >= options.maxBatchEvents || jsonBytes(queue.open) >= options.maxBatchBytes) {
      scheduleFlush(0);
    } else {
      scheduleFlush(options.flushIntervalMs);
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
      while (queue.open.length > 0 && events.length < options.maxBatchEvents) {
        events.push(queue.open[0]);
        if (events.length > 1 && jsonBytes(events) > options.maxBatchBytes) {
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
        const response = await timedFetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(batch),
          keepalive: true,
        }, options.eventsTimeoutMs);
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
        const backoff = Math.min(options.maxRetryDelayMs, options.flushIntervalMs * 2 ** Math.min(10, failures - 1));
        retryAt = Date.now() + Math.max(backoff, retryAfter * 1000);
        scheduleFlush(0);
        return false;
      }
    }
    failures = 0;
    retryAt = 0;
    if (queue.open.length > 0) {
      scheduleFlush(options.flushIntervalMs);
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
      if (!navigator.sendBeacon(url, body)) {
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
      const saved = JSON.parse((store && store.get(KEY)) || 'null');
      if (saved && Array.isArray(saved.open) && Array.isArray(saved.batches)) {
        return saved;
      }
    } catch (e) {
      // a damaged entry is dropped
    }
    return { open: [], batches: [] };
  }

  function saveQueue() {
    if (store) {
      store.set(KEY, JSON.stringify(queue));
    }
  }

  /** Hands what waits to sendBeacon and stops the timer and the page listeners. */
  function close() {
    if (closed) {
      return;
    }
    flushWithBeacon();
    closed = true;
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

  return { enqueue, flush, pending: pendingCount, dropped: () => dropped, close };
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
