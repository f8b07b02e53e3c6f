// The demo page: one record button that uses the provider this session is assigned. Everything the server sends
// is shown with textContent.
import { createCutoverClient, createRecorder, providerLabel, WHISPER } from '/client/cutover-client.js';

const params = new URLSearchParams(location.search);
const sessionId = params.get('session') || storedSession();
const userId = params.get('user') || undefined;
const language = params.get('lang') || navigator.language || 'en-US';

// ?flush=ms: how long events wait before they are sent (the tests make it long to see sendBeacon at work).
const flushIntervalMs = Math.max(100, Number(params.get('flush')) || 1000);
const client = createCutoverClient({ flushIntervalMs, language });
const recorder = createRecorder();
const $ = (id) => document.getElementById(id);
const button = $('record');
let busy = false;
let ticker = null;

// For tests and curious developers: the page's client, session and recorder.
window.cutoverDemo = { client, sessionId, userId, recorder };

$('session-id').textContent = sessionId;
$('new-session').href = '/demo/?session=demo-' + randomId();
$('provider-slot').append(client.createIndicator({ sessionId, userId }));
setInterval(() => {
  $('pending').textContent = String(client.pendingEvents());
}, 250);

client.getProvider({ sessionId, userId }).then((assignment) => {
  button.disabled = false;
  status(assignment.fallback
    ? 'The service did not answer: using Web Speech.'
    : 'Ready: this session uses ' + providerLabel(assignment.provider) + '.');
});
client.onProviderChange((change) => {
  if (change.sessionId === sessionId && !busy) {
    status('The provider changed: the next recording uses ' + providerLabel(change.provider) + '.');
  }
});

button.addEventListener('click', () => {
  if (recorder.recording()) {
    stopAndTranscribe();
  } else if (!busy) {
    start();
  }
});

async function start() {
  busy = true;
  button.disabled = true;
  const assignment = await client.getProvider({ sessionId, userId });
  $('recorded').textContent = '';
  if (assignment.provider !== WHISPER) {
    status('Listening with Web Speech…');
    const result = await client.listen({ sessionId, language });
    show(result);
    return;
  }
  try {
    await recorder.start();
  } catch (e) {
    status('The microphone could not be opened (' + (e && e.name ? e.name : 'error') + '); trying Web Speech.');
    show(await client.listen({ sessionId, language }));
    return;
  }
  button.textContent = 'Stop';
  button.classList.add('recording');
  button.disabled = false;
  button.dataset.state = 'recording';
  status('Recording for whisper… press Stop when done.');
  ticker = setInterval(showRecorded, 100);
}

async function stopAndTranscribe() {
  clearInterval(ticker);
  showRecorded();
  button.disabled = true;
  button.classList.remove('recording');
  button.textContent = 'Record';
  button.dataset.state = 'transcribing';
  status('Transcribing…');
  const take = await recorder.stop();
  const result = await client.transcribe(take.blob, { sessionId, userId, language, audioMs: take.audioMs });
  show(result);
}

function show(result) {
  const label = providerLabel(result.provider);
  $('result-provider').textContent = result.fallbackFrom
    ? label + ' (fell back from ' + providerLabel(result.fallbackFrom) + ': ' + result.fallbackReason + ')'
    : label;
  $('result-provider').dataset.provider = result.provider;
  $('result-latency').textContent = Math.round(result.latencyMs) + ' ms';
  $('result-outcome').textContent = result.outcome + (result.errorCode ? ' (' + result.errorCode + ')' : '');
  $('transcript').textContent = result.text || '—';
  const item = document.createElement('li');
  item.textContent = label + ' · ' + result.outcome + ' · ' + Math.round(result.latencyMs) + ' ms'
    + (result.text ? ' · ' + result.text : '');
  $('history').prepend(item);
  status(result.outcome === 'ok' ? 'Done.' : 'No transcript (' + result.outcome + ').');
  busy = false;
  button.disabled = false;
  button.dataset.state = 'done';
  button.focus();
}

function showRecorded() {
  const ms = recorder.recordedMs();
  $('recorded').textContent = ms > 0 ? (ms / 1000).toFixed(1) + ' s recorded' : '';
  $('recorded').dataset.ms = String(ms);
}

function status(text) {
  $('status').textContent = text;
}

function storedSession() {
  const key = 'cutover-demo:session';
  let id = null;
  try {
    id = sessionStorage.getItem(key);
  } catch (e) {
    // storage disabled
  }
  if (!id) {
    id = 'demo-' + randomId();
    try {
      sessionStorage.setItem(key, id);
    } catch (e) {
      // memory only
    }
  }
  return id;
}

function randomId() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
}
