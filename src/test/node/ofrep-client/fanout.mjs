// Fan-out benchmark for the OFREP event stream (run by bench/ofrep.sh): opens N streams, waits until each has its
// first event, sends one admin PATCH, and reports how long each stream took to hear refetchEvaluation.
// Usage: node fanout.mjs <baseUrl> <streams> <adminToken>
import { EventSource } from 'eventsource';

const [baseUrl, streamsArg, token] = process.argv.slice(2);
const streams = Number(streamsArg);
const flagUrl = `${baseUrl}/api/v1/flags/transcription-provider`;
const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };

let patchedAt = 0;
const delays = [];
let ready = 0;
let failed = 0;
const sources = [];

const allReady = new Promise((resolve) => {
  for (let i = 0; i < streams; i++) {
    const source = new EventSource(`${baseUrl}/ofrep/v1/events`);
    let seen = 0;
    source.addEventListener('message', () => {
      seen++;
      if (seen === 1 && ++ready === streams) resolve();
      if (seen === 2) delays.push(performance.now() - patchedAt);
    });
    source.addEventListener('error', () => {
      if (source.readyState === 2) failed++;
    });
    sources.push(source);
  }
});

const openedAt = performance.now();
await Promise.race([allReady, new Promise((r) => setTimeout(r, 60_000))]);
const openMs = performance.now() - openedAt;

const flag = await (await fetch(flagUrl, { headers: auth })).json();
const nextStatus = flag.status === 'ROLLED_BACK' ? 'ACTIVE' : 'ROLLED_BACK';
patchedAt = performance.now();
const patch = await fetch(flagUrl, {
  method: 'PATCH',
  headers: auth,
  body: JSON.stringify({ status: nextStatus, expectedVersion: flag.version, reason: 'fan-out benchmark' }),
});
await new Promise((resolve) => {
  const started = performance.now();
  const timer = setInterval(() => {
    if (delays.length >= ready || performance.now() - started > 10_000) {
      clearInterval(timer);
      resolve();
    }
  }, 5);
});
sources.forEach((s) => s.close());

delays.sort((a, b) => a - b);
const at = (q) => (delays.length ? delays[Math.min(delays.length - 1, Math.floor(q * delays.length))].toFixed(0) : 'n/a');
console.log(JSON.stringify({
  streams, connected: ready, refused: failed, openSeconds: (openMs / 1000).toFixed(1), patchStatus: patch.status,
  heard: delays.length, minms: delays.length ? delays[0].toFixed(0) : 'n/a', p50ms: at(0.5), p99ms: at(0.99), maxms: delays.length ? delays[delays.length - 1].toFixed(0) : 'n/a',
}));
process.exit(0);
