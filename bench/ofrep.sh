#!/usr/bin/env bash
# Benchmark of OFREP: (1) POST /ofrep/v1/evaluate/flags with wrk (32 connections, a new targetingKey per request),
# printing requests/s, p50 and p99; (2) event-stream fan-out: STREAMS open streams (official `eventsource` client, via
# src/test/node/ofrep-client/fanout.mjs), one admin PATCH, and how long until every stream heard refetchEvaluation.
# Targets on a 2-core machine: bulk >= 10,000 req/s with p99 < 10 ms; 2,000 streams all notified within 1 s.
#
# Environment: PORT (default 18081), DATABASE_URL (default: embedded PostgreSQL in a temporary DATA_DIR),
# DURATION (default 20s), CONNECTIONS (default 32), THREADS (default 2), STREAMS (default 2000),
# SKIP_BUILD=1 to reuse target/cutover.jar. Needs wrk (installed from Debian if missing), node and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-18081}"
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
STREAMS="${STREAMS:-2000}"
BASE="http://127.0.0.1:${PORT}"
TOKEN="bench-admin-$$"

# shellcheck source=bench/lib.sh
source bench/lib.sh
ensure_wrk
if [[ ! -d src/test/node/ofrep-client/node_modules ]]; then
  (cd src/test/node/ofrep-client && npm ci --no-audit --no-fund)
fi
build_jar
export ADMIN_TOKEN="${TOKEN}"
start_app

version="$(curl -fsS -H "Authorization: Bearer ${TOKEN}" "${BASE}/api/v1/flags/transcription-provider" | sed -E 's/.*"version":([0-9]+).*/\1/')"
curl -fsS -X PATCH -H "Authorization: Bearer ${TOKEN}" -H 'Content-Type: application/json' \
  -d "{\"percentage\":10,\"status\":\"ACTIVE\",\"expectedVersion\":${version}}" "${BASE}/api/v1/flags/transcription-provider" >/dev/null
sleep 0.5
echo "Sample: $(curl -sS -X POST -H 'Content-Type: application/json' -d '{"context":{"targetingKey":"bench-sample"}}' "${BASE}/ofrep/v1/evaluate/flags")"

wrk -t "${THREADS}" -c "${CONNECTIONS}" -d 5s -s bench/ofrep.lua "${BASE}" >/dev/null
result="$(wrk -t "${THREADS}" -c "${CONNECTIONS}" -d "${DURATION}" --latency -s bench/ofrep.lua "${BASE}")"
echo "${result}"
rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"${result}")"
p50="$(awk '$1 == "50%" {print $2}' <<<"${result}")"
p99="$(awk '$1 == "99%" {print $2}' <<<"${result}")"
errors="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"${result}")"

fanout="$(cd src/test/node/ofrep-client && node fanout.mjs "${BASE}" "${STREAMS}" "${TOKEN}")"
echo
echo "RESULT ofrep bulk: ${rps} req/s, p50 ${p50}, p99 ${p99}, non-2xx ${errors:-0} (${CONNECTIONS} connections, ${DURATION}, $(nproc) cores)"
echo "RESULT ofrep event fan-out: ${fanout}"
