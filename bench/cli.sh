#!/usr/bin/env bash
# Benchmark of the operator command line: the wall time of a whole `java -jar target/cutover.jar rollback --reason
# bench` process (JVM start, one GET, one POST, exit), RUNS times (default 5), against the jar started here with
# embedded defaults, or against DATABASE_URL when set; before each run a `resume` (not timed) brings the rollout back
# from ROLLED_BACK, so every timed rollback is a real transition. Prints each figure, then the median and the worst.
#
# Environment: RUNS, PORT (default 18084), DATABASE_URL, SKIP_BUILD=1 (reuse target/cutover.jar), JAVA_OPTS (the
# app's, not the command line's: the command line runs as an operator would run it, with no JVM options).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-5}"
PORT="${PORT:-18084}"
BASE="http://127.0.0.1:${PORT}"

# shellcheck source=bench/lib.sh
source bench/lib.sh
command -v java >/dev/null || { echo "cli.sh: java is required" >&2; exit 2; }
build_jar
export ADMIN_TOKEN="bench:secret"
start_app
export CUTOVER_URL="${BASE}"
echo "$(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -n 1)"

millis() { echo $(( $(date +%s%N) / 1000000 )); }
cli() { java -jar target/cutover.jar "$@" >/dev/null; }

cli status # warms the page cache for the jar, as any earlier command would have
figures=()
for run in $(seq 1 "${RUNS}"); do
  # Back from ROLLED_BACK (paused), so the rollback below is a real transition; refused (exit 1) when not needed.
  cli resume --reason "bench: ready for the next rollback" 2>/dev/null || true
  start="$(millis)"
  cli rollback --reason bench
  figures+=( $(( $(millis) - start )) )
  echo "rollback ${run}: ${figures[-1]} ms"
done
sorted="$(printf '%s\n' "${figures[@]}" | sort -n)"
echo "rollback, whole process (java -jar target/cutover.jar rollback --reason bench), ${RUNS} runs:" \
  "median $(sed -n "$(( (RUNS + 1) / 2 ))p" <<<"${sorted}") ms, worst $(tail -n 1 <<<"${sorted}") ms"

# Where the time goes: a process that only starts and prints its version (no HTTP), and the same GET + POST of one
# rollback made by curl (the server's share).
versions=()
curls=()
auth="Authorization: Bearer secret"
for run in $(seq 1 "${RUNS}"); do
  start="$(millis)"
  cli --version
  versions+=( $(( $(millis) - start )) )
  cli resume --reason "bench: ready for the next rollback" 2>/dev/null || true
  start="$(millis)"
  version="$(curl -fsS -H "${auth}" "${BASE}/api/v1/rollout" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')"
  curl -fsS -o /dev/null -H "${auth}" -H 'Content-Type: application/json' -X POST "${BASE}/api/v1/rollout/rollback" \
    -d "{\"expectedVersion\": ${version}, \"reason\": \"bench: curl\"}"
  curls+=( $(( $(millis) - start )) )
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
echo "java -jar target/cutover.jar --version (start-up alone): median $(median "${versions[@]}") ms;" \
  "GET + POST rollback by curl (incl. python3 to read the version): median $(median "${curls[@]}") ms"
