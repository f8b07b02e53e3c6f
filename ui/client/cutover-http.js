// Fetch with a deadline, shared by the Cutover client's modules.

export function timedFetch(url, init, timeoutMs) {
  return withTimeout(timeoutMs, init.signal, (signal) => fetch(url, { ...init, signal }));
}

/** Runs work(signal), aborting the signal after timeoutMs or when outer aborts. */
export async function withTimeout(timeoutMs, outer, work) {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (outer) {
    if (outer.aborted) {
      controller.abort();
    }
    outer.addEventListener('abort', abort);
  }
  const timer = setTimeout(abort, timeoutMs);
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
    if (outer) {
      outer.removeEventListener('abort', abort);
    }
  }
}
