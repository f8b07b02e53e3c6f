#!/usr/bin/env bash
# Benchmark of the guard: (1) the simulator's figures for a phase of the default plan (PHASE, default canary at 10 %)
# at RATES whisper attempts a minute (default 5,20,200; webspeech carries the rest of the split, 9x at 10 %): the
# false-rollback rate with whisper healthy at 0.5 % (webspeech 0.5 %), and the minutes to rollback, median and 95th
# percentile, with whisper at 5 % and at 100 % errors; RUNS runs (default 1000) of HOURS (default 48) each, a guard
# run every 15 s, seed SEED (default 1). dev.cutover.bench.GuardBench, run from the test classpath: the same
# Simulator as POST /api/v1/rollout/plan/simulate and GuardSimulationTest, no database needed.
# (2) the guard's evaluation time with 4 instances' signals (see guard_evaluation below), on the local PostgreSQL
# (PGHOST:PGPORT, default 127.0.0.1:5432, user postgres, trust auth; a fresh database, dropped at exit).
#
# Environment: PHASE, RATES, RUNS, HOURS, SEED, EVAL_HOURS (hours of seeded windows, default 48), EVAL_SECONDS
# (default 60), PORT (default 18083), PARTS (default simulator,evaluation), SKIP_BUILD=1, JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."

PHASE="${PHASE:-canary}"
RATES="${RATES:-5,20,200}"
RUNS="${RUNS:-1000}"
HOURS="${HOURS:-48}"
SEED="${SEED:-1}"
EVAL_HOURS="${EVAL_HOURS:-48}"
EVAL_SECONDS="${EVAL_SECONDS:-60}"
PORT="${PORT:-18083}"
BASE="http://127.0.0.1:${PORT}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PARTS="${PARTS:-simulator,evaluation}"
part() { [[ ",${PARTS}," == *",$1,"* ]]; }

# shellcheck source=bench/lib.sh
source bench/lib.sh
command -v java >/dev/null || { echo "guard.sh: java is required" >&2; exit 2; }
build_test_classpath
echo "$(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# (2) The guard's evaluation time with 4 instances' signals: signal_windows seeded with 4 instances x EVAL_HOURS of
# 10-second windows x 6 cohorts ending now (dev.cutover.bench.FleetViewBench, real compressed HdrHistograms, and
# their hourly rollups), one app on the local PostgreSQL with GUARD_INTERVAL=1s at canary under the default plan with
# every rule's action turned into NOTIFY (so no run stops the measurement by rolling back; the work of a run is the
# same), and the guard's own timer (cutover_guard_run_seconds in /metrics) read after EVAL_SECONDS.
guard_evaluation() {
  db="cutover_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -h "${PGHOST}" -p "${PGPORT}" -U postgres "$@"; }
  eval "lib_$(declare -f stop_app)"
  stop_app() {
    lib_stop_app
    pg -d postgres -c "DROP DATABASE IF EXISTS ${db} WITH (FORCE)" >/dev/null 2>&1 || true
  }
  build_jar
  pg -d postgres -c "CREATE DATABASE ${db}"
  export DATABASE_URL="postgresql://postgres@${PGHOST}:${PGPORT}/${db}"
  export ADMIN_TOKEN="bench:secret" GUARD_INTERVAL=1s INSTANCE_ID=bench-guard
  start_app
  java -cp "${TEST_CLASSPATH}" dev.cutover.bench.FleetViewBench --instances 4 --hours "${EVAL_HOURS}"
  local auth="Authorization: Bearer secret" version plan
  for _ in 1 2; do
    version="$(curl -fsS -H "${auth}" "${BASE}/api/v1/rollout" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')"
    curl -fsS -o /dev/null -H "${auth}" -H 'Content-Type: application/json' -X POST "${BASE}/api/v1/rollout/advance" \
      -d "{\"expectedVersion\": ${version}, \"reason\": \"benchmark\", \"force\": true}"
  done
  plan="$(curl -fsS -H "${auth}" "${BASE}/api/v1/rollout/plan" | python3 -c '
import json, sys
body = json.load(sys.stdin)
for phase in body["plan"]["phases"]:
    for rule in phase["rules"]:
        rule["action"] = "NOTIFY"
print(json.dumps({"expectedVersion": body["planVersion"], "reason": "benchmark: notify only", "plan": body["plan"]}))')"
  curl -fsS -o /dev/null -H "${auth}" -H 'Content-Type: application/json' -X PUT "${BASE}/api/v1/rollout/plan" -d "${plan}"
  local rows
  rows="$(pg -d "${db}" -c "SELECT count(*) FROM signal_windows WHERE window_start >= now() - interval '10 minutes'")"
  echo "Guard at canary, every 1 s, for ${EVAL_SECONDS} s; the 10-minute horizon holds ${rows} window rows of 4 instances"
  sleep "${EVAL_SECONDS}"
  curl -fsS "${BASE}/metrics" | python3 -c '
import re, sys
values = {}
for line in sys.stdin:
    m = re.match(r"cutover_guard_run_seconds(_count|_sum|_max|)(\{[^}]*\})? ([0-9.eE+-]+)", line)
    if m:
        q = re.search(r"quantile=\"([0-9.]+)\"", m.group(2) or "")
        values[(m.group(1), q.group(1) if q else None)] = float(m.group(3))
n = values.get(("_count", None), 0)
if not n:
    sys.exit("no guard runs measured")
mean = values[("_sum", None)] / n * 1000
print("RESULT guard evaluation, 4 instances: %d runs, mean %.1f ms, p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (
    n, mean, values.get(("", "0.5"), 0) * 1000, values.get(("", "0.99"), 0) * 1000, values.get(("_max", None), 0) * 1000))'
  local evaluations
  evaluations="$(pg -d "${db}" -c "SELECT count(*) FROM rollout_evaluations")"
  echo "Evaluations recorded: ${evaluations}; rollout status: $(curl -fsS -H "${auth}" "${BASE}/api/v1/rollout" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
  stop_app
}

# ---- 1. the simulator's figures -----------------------------------------------------------------------------------
# shellcheck disable=SC2086
out=""
if part simulator; then
  out="$(java ${JAVA_OPTS:-} -cp "${TEST_CLASSPATH}" dev.cutover.bench.GuardBench --phase "${PHASE}" --rates "${RATES}" \
    --runs "${RUNS}" --hours "${HOURS}" --seed "${SEED}")"
  echo "${out}"
fi

# ---- 2. the guard's evaluation time with 4 instances' signals ----------------------------------------------------
if part evaluation; then
  for tool in psql curl python3; do
    command -v "${tool}" >/dev/null || { echo "guard.sh: ${tool} is required for the evaluation part" >&2; exit 2; }
  done
  echo
  evaluation="$(guard_evaluation | tee /dev/stderr)"
  out="${out}"$'\n'"${evaluation}"
fi

echo
grep '^RESULT' <<<"${out}"
