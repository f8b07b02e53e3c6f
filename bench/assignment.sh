#!/usr/bin/env bash
# Benchmark of GET /api/v1/assignment: builds and starts the jar, drives it with wrk (32 connections, 20 s, a new
# sessionId per request) and prints requests/s, p50 and p99. Target on a 2-core machine: >= 20,000 req/s, p99 < 5 ms.
#
# Environment: PORT (default 18080), DATABASE_URL (default: the app's embedded PostgreSQL in a temporary DATA_DIR),
# DURATION (default 20s), CONNECTIONS (default 32), THREADS (wrk threads; default 1, one event loop is plenty for 32
# connections and leaves the other core to the app), SKIP_BUILD=1 to reuse target/cutover.jar, JAVA_OPTS, and any
# setting of the app itself, e.g. HTTP_THREADS=8 (Jetty's maximum threads; unset keeps Javalin's default of 250).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-18080}"
DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
BASE="http://127.0.0.1:${PORT}"

# shellcheck source=bench/lib.sh
source bench/lib.sh
ensure_wrk
build_jar
start_app
echo "Health: $(curl -sS "${BASE}/health")"
echo "Sample: $(curl -sS "${BASE}/api/v1/assignment?sessionId=bench-sample")"

# A short warm-up lets the JIT compile the hot path before measuring.
wrk -t "${THREADS}" -c "${CONNECTIONS}" -d 5s -s bench/assignment.lua "${BASE}" >/dev/null

cpu_ticks() { awk '{print $14 + $15}' "/proc/${app_pid}/stat"; }
ticks_before="$(cpu_ticks)"
result="$(wrk -t "${THREADS}" -c "${CONNECTIONS}" -d "${DURATION}" --latency -s bench/assignment.lua "${BASE}")"
ticks_after="$(cpu_ticks)"
echo "${result}"

rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"${result}")"
p50="$(awk '$1 == "50%" {print $2}' <<<"${result}")"
p99="$(awk '$1 == "99%" {print $2}' <<<"${result}")"
errors="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"${result}")"
requests="$(awk '/requests in/ {print $1}' <<<"${result}")"
# CPU time the app spent per request: comparable between runs even when other processes compete for the cores.
cpu_us="$(awk -v t="$((ticks_after - ticks_before))" -v hz="$(getconf CLK_TCK)" -v n="${requests}" \
  'BEGIN { printf "%.1f", t / hz * 1e6 / n }')"
echo
echo "Load average during the run: $(cut -d' ' -f1-3 /proc/loadavg); app CPU per request: ${cpu_us} us"
echo "RESULT assignment: ${rps} req/s, p50 ${p50}, p99 ${p99}, non-2xx ${errors:-0} (${CONNECTIONS} connections," \
  "${DURATION}, $(nproc) cores, HTTP_THREADS ${HTTP_THREADS:-default})"
