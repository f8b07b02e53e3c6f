#!/usr/bin/env bash
# Benchmark of the guard: (1) the simulator's figures for a phase of the default plan (PHASE, default canary at 10 %)
# at RATES whisper attempts a minute (default 5,20,200; webspeech carries the rest of the split, 9x at 10 %): the
# false-rollback rate with whisper healthy at 0.5 % (webspeech 0.5 %), and the minutes to rollback, median and 95th
# percentile, with whisper at 5 % and at 100 % errors; RUNS runs (default 1000) of HOURS (default 48) each, a guard
# run every 15 s, seed SEED (default 1). dev.cutover.bench.GuardBench, run from the test classpath: the same
# Simulator as POST /api/v1/rollout/plan/simulate and GuardSimulationTest, no database needed.
# (2) guard evaluation time with 4 instances' signals: TODO(guard) — the guard is not built yet.
#
# Environment: PHASE, RATES, RUNS, HOURS, SEED, JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."

PHASE="${PHASE:-canary}"
RATES="${RATES:-5,20,200}"
RUNS="${RUNS:-1000}"
HOURS="${HOURS:-48}"
SEED="${SEED:-1}"

# shellcheck source=bench/lib.sh
source bench/lib.sh
command -v java >/dev/null || { echo "guard.sh: java is required" >&2; exit 2; }
build_test_classpath
echo "$(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 1. the simulator's figures -----------------------------------------------------------------------------------
# shellcheck disable=SC2086
out="$(java ${JAVA_OPTS:-} -cp "${TEST_CLASSPATH}" dev.cutover.bench.GuardBench --phase "${PHASE}" --rates "${RATES}" \
  --runs "${RUNS}" --hours "${HOURS}" --seed "${SEED}")"
echo "${out}"

# ---- 2. guard evaluation time with 4 instances' signals: TODO(guard) ---------------------------------------------
# TODO(guard): time one guard evaluation (every rule of the current phase judged on the fleet's merged signals) with
# signal_windows holding 4 instances x 48 h of windows (FleetViewBench fills them, as in bench/events.sh), once the
# guard exists.
echo
echo "guard evaluation time with 4 instances' signals: TODO(guard) (the guard is not built yet)"

echo
grep '^RESULT' <<<"${out}"
