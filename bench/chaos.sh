#!/usr/bin/env bash
# Load and fault harness (not a test). On this machine: two instances of target/cutover.jar (INSTANCE_ID a and b)
# sharing a PostgreSQL and a Redis, with CHAOS_SECONDS (default 90) of assignment, client-event and transcription
# (cached and uncached) traffic spread over both by a load balancer with health checks (dev.cutover.bench.ChaosLoad,
# run from the test classpath); in the middle:
#   t=REDIS_AT (20 s)  redis-server killed (kill -9) for REDIS_FOR (10 s), then started again on the same port and dir;
#   t=KILL_AT  (40 s)  instance b killed (kill -9) for KILL_FOR (15 s), then started again;
#   t=PG_AT    (65 s)  PostgreSQL stopped (pg_ctl stop -m fast) for PG_FOR (10 s), then started again.
# Then both instances are stopped with SIGTERM (each flushes its open signal window) and dev.cutover.bench.ChaosReport
# prints requests served, errors by endpoint x instance x status, the rollout's state changes, and what was lost
# (client events counted in PostgreSQL against events accepted), with PASS/FAIL for each target:
#   no 5xx on assignment; no accepted event lost except b's open window at the kill -9 (estimated and printed);
#   transcription errors only on b while it is down; no rollback or pause during the run.
# Exits 1 when a target fails.
#
# The PostgreSQL and the Redis are this harness's OWN, not the machine's shared servers on 5432 and 6379 (others use
# those; stopping them is not acceptable): a cluster made by initdb in a temporary directory (trust auth, run as the
# postgres user when this script runs as root, since PostgreSQL refuses root) and a redis-server (append-only file, as
# docker-compose.yml runs it), each on a free port of 127.0.0.1, removed at exit.
#
# The rollout is forced to its "50" phase first (admin API, advance with force), so half the sessions get whisper and
# the guard judges live traffic (GUARD_INTERVAL, default 5s here). The model is the generated one of
# bench/transcribe.sh (TestModelGenerator, real tiny.en dimensions; CHAOS_MODEL_DIMS=small for a much cheaper one).
#
# Usage: bench/chaos.sh
# Environment: CHAOS_SECONDS=90 REDIS_AT=20 REDIS_FOR=10 KILL_AT=40 KILL_FOR=15 PG_AT=65 PG_FOR=10 (seconds; the
#   *_AT defaults scale with CHAOS_SECONDS)
#   ASSIGN_RATE=40 EVENT_RATE=5 CACHED_RATE=2 UNCACHED_RATE=0.5 (per second) GUARD_INTERVAL=5s
#   CHAOS_MODEL_DIMS=tiny WHISPER_THREADS=1 SKIP_BUILD=1 (reuse target/cutover.jar) CHAOS_WORK=target/chaos
#   JAVA_OPTS (for both instances; default -Xmx512m)
# Needs: java 17, mvn, curl, python3, initdb/pg_ctl (/usr/lib/postgresql/*/bin), redis-server, psql.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=bench/lib.sh
source bench/lib.sh

CHAOS_SECONDS="${CHAOS_SECONDS:-90}"
# Fault times default to the same fractions of the run as 20, 40 and 65 s are of 90 s; faults run one after another.
REDIS_AT="${REDIS_AT:-$(( CHAOS_SECONDS * 2 / 9 ))}"; REDIS_FOR="${REDIS_FOR:-10}"
KILL_AT="${KILL_AT:-$(( CHAOS_SECONDS * 4 / 9 ))}"; KILL_FOR="${KILL_FOR:-15}"
PG_AT="${PG_AT:-$(( CHAOS_SECONDS * 13 / 18 ))}"; PG_FOR="${PG_FOR:-10}"
ASSIGN_RATE="${ASSIGN_RATE:-40}"; EVENT_RATE="${EVENT_RATE:-5}"
CACHED_RATE="${CACHED_RATE:-2}"; UNCACHED_RATE="${UNCACHED_RATE:-0.5}"
MODEL_DIMS="${CHAOS_MODEL_DIMS:-tiny}"
RUN="$(date +%Y%m%d-%H%M%S)"
WORK="${CHAOS_WORK:-${ROOT}/target/chaos}/${RUN}"
MODEL="${ROOT}/target/chaos/ggml-chaos-${MODEL_DIMS}.bin"
API_KEY="chaos-key"
ADMIN="chaos:secret"
AUTH="Authorization: Bearer secret"

for tool in java mvn curl python3 psql redis-server; do
  command -v "${tool}" >/dev/null || { echo "chaos.sh: ${tool} is required" >&2; exit 2; }
done
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[[ -x "${PG_BIN}/initdb" ]] || { echo "chaos.sh: initdb not found under /usr/lib/postgresql/*/bin" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
fault() { echo "$(now_ms) $*" >>"${WORK}/faults.log"; echo "  [$(date +%T)] ${*:2}"; }

mkdir -p "${WORK}"
# PostgreSQL's files live outside the repository (the postgres user must reach them); removed at exit.
PG_DIR="$(mktemp -d -t cutover-chaos-pg-XXXXXX)"
PG_PORT="$(free_port)"; REDIS_PORT="$(free_port)"
PORT_A="$(free_port)"; PORT_B="$(free_port)"
REDIS_DIR="${WORK}/redis"
declare -A PORTS=([a]="${PORT_A}" [b]="${PORT_B}") PIDS=() STARTS=([a]=0 [b]=0)
REDIS_PID=""; LOAD_PID=""

as_postgres() {
  if [[ "$(id -u)" == "0" ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
pg_ctl_() { as_postgres "${PG_BIN}/pg_ctl" -D "${PG_DIR}/data" "$@"; }

cleanup() {
  set +e
  [[ -n "${LOAD_PID}" ]] && kill "${LOAD_PID}" 2>/dev/null
  for name in "${!PIDS[@]}"; do
    kill "${PIDS[$name]}" 2>/dev/null && wait "${PIDS[$name]}" 2>/dev/null
  done
  [[ -n "${REDIS_PID}" ]] && kill "${REDIS_PID}" 2>/dev/null && wait "${REDIS_PID}" 2>/dev/null
  [[ -f "${PG_DIR}/data/postmaster.pid" ]] && pg_ctl_ -m immediate -w stop >/dev/null 2>&1
  rm -rf "${PG_DIR}"
}
trap cleanup EXIT

# ---- build -----------------------------------------------------------------------------------------------------------
build_jar
build_test_classpath
mkdir -p "$(dirname "${MODEL}")"
[[ -f "${MODEL}" ]] || java -cp "${TEST_CLASSPATH}" dev.cutover.transcription.whisper.TestModelGenerator "${MODEL}" \
  --dims "${MODEL_DIMS}" >/dev/null

# ---- the harness's own PostgreSQL and Redis ---------------------------------------------------------------------------
echo "== own PostgreSQL (${PG_BIN}, port ${PG_PORT}, ${PG_DIR}) and own Redis (port ${REDIS_PORT}, ${REDIS_DIR});" \
  "the machine's shared servers are not touched"
[[ "$(id -u)" != "0" ]] || chown postgres "${PG_DIR}"
as_postgres "${PG_BIN}/initdb" -D "${PG_DIR}/data" -A trust -U postgres -E UTF8 --no-sync >"${WORK}/initdb.log"
PG_OPTS="-p ${PG_PORT} -k ${PG_DIR} -c listen_addresses=127.0.0.1 -c max_connections=100"
pg_start() { pg_ctl_ -o "${PG_OPTS}" -l "${PG_DIR}/postgres.log" -w start >/dev/null; }
pg_start
export DATABASE_URL="postgresql://postgres@127.0.0.1:${PG_PORT}/postgres"

mkdir -p "${REDIS_DIR}"
redis_start() {
  redis-server --port "${REDIS_PORT}" --bind 127.0.0.1 --dir "${REDIS_DIR}" --appendonly yes --save "" \
    --maxmemory 256mb --maxmemory-policy allkeys-lru >>"${REDIS_DIR}/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/${REDIS_PORT}") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "chaos.sh: redis-server did not listen on ${REDIS_PORT}" >&2; exit 1
}
redis_start
export REDIS_URL="redis://127.0.0.1:${REDIS_PORT}"

# ---- two instances ----------------------------------------------------------------------------------------------------
start_instance() { # name
  local name="$1" n
  STARTS[$name]=$(( STARTS[$name] + 1 )); n="${STARTS[$name]}"
  mkdir -p "${WORK}/data-${name}"
  PORT="${PORTS[$name]}" INSTANCE_ID="${name}" DATA_DIR="${WORK}/data-${name}" WHISPER_MODEL="${MODEL}" \
    WHISPER_API_KEY="${API_KEY}" ADMIN_TOKEN="${ADMIN}" WHISPER_WORKERS=1 WHISPER_THREADS="${WHISPER_THREADS:-1}" \
    GUARD_INTERVAL="${GUARD_INTERVAL:-5s}" java ${JAVA_OPTS:--Xmx512m} -jar target/cutover.jar \
    >"${WORK}/app-${name}-${n}.log" 2>&1 &
  PIDS[$name]=$!
}
await_healthy() { # name
  local name="$1"
  for _ in $(seq 1 240); do
    curl -fsS "http://127.0.0.1:${PORTS[$name]}/health" 2>/dev/null | grep -q '"loaded":true' && return 0
    kill -0 "${PIDS[$name]}" 2>/dev/null || { echo "chaos.sh: instance ${name} exited:" >&2;
      tail -n 30 "${WORK}/app-${name}-${STARTS[$name]}.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "chaos.sh: instance ${name} did not become healthy; see ${WORK}" >&2; exit 1
}
echo "== instances a (port ${PORT_A}) and b (port ${PORT_B}); logs in ${WORK}"
start_instance a; await_healthy a   # a runs the migrations first
start_instance b; await_healthy b

# ---- rollout at 50 % ----------------------------------------------------------------------------------------------------
BASE_A="http://127.0.0.1:${PORT_A}"
rollout_field() { curl -fsS -H "${AUTH}" "${BASE_A}/api/v1/rollout" | python3 -c "import json,sys; v=json.load(sys.stdin); print($1)"; }
for _ in $(seq 1 8); do
  [[ "$(rollout_field 'v["phase"]["name"]')" == "50" ]] && break
  curl -fsS -o /dev/null -H "${AUTH}" -H 'Content-Type: application/json' -X POST "${BASE_A}/api/v1/rollout/advance" \
    -d "{\"expectedVersion\": $(rollout_field 'v["version"]'), \"reason\": \"chaos run: whisper at 50 %\", \"force\": true}"
done
echo "rollout: $(rollout_field '"%s, phase %s at %s %% whisper, guard every %s s" % (v["status"], v["phase"]["name"], v["phase"]["whisperPercent"], v["guard"]["intervalSeconds"])')"
sleep 1

# ---- load and faults ----------------------------------------------------------------------------------------------------
echo "== ${CHAOS_SECONDS} s of load (assignment ${ASSIGN_RATE}/s, event batches ${EVENT_RATE}/s, transcriptions" \
  "${CACHED_RATE}/s cached + ${UNCACHED_RATE}/s uncached) with faults; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
: >"${WORK}/faults.log"
T0="$(now_ms)"
fault load.start "load starts"
java -cp "${TEST_CLASSPATH}" dev.cutover.bench.ChaosLoad --instances "a=${BASE_A},b=http://127.0.0.1:${PORT_B}" \
  --api-key "${API_KEY}" --out "${WORK}" --seconds "${CHAOS_SECONDS}" --assign-rate "${ASSIGN_RATE}" \
  --event-rate "${EVENT_RATE}" --cached-rate "${CACHED_RATE}" --uncached-rate "${UNCACHED_RATE}" &
LOAD_PID=$!

until_t() { # seconds from T0
  local wait_ms=$(( T0 + $1 * 1000 - $(now_ms) ))
  (( wait_ms <= 0 )) || sleep "$(awk -v ms="${wait_ms}" 'BEGIN { printf "%.3f", ms / 1000 }')"
}
until_t "${REDIS_AT}"
kill -9 "${REDIS_PID}"; wait "${REDIS_PID}" 2>/dev/null || true
fault redis.kill "redis-server killed (kill -9)"
until_t $(( REDIS_AT + REDIS_FOR ))
redis_start
fault redis.start "redis-server started again (same port, same dir)"
until_t "${KILL_AT}"
kill -9 "${PIDS[b]}"; wait "${PIDS[b]}" 2>/dev/null || true
fault b.kill "instance b killed (kill -9)"
until_t $(( KILL_AT + KILL_FOR ))
start_instance b
fault b.start "instance b started again"
until_t "${PG_AT}"
pg_ctl_ -m fast -w stop >/dev/null
fault pg.stop "PostgreSQL stopped (pg_ctl stop -m fast)"
until_t $(( PG_AT + PG_FOR ))
pg_start
fault pg.start "PostgreSQL started again"
wait "${LOAD_PID}"; LOAD_PID=""
fault load.end "load ends"

# ---- graceful stop (each instance flushes its open window), then the report ---------------------------------------------
for name in a b; do
  curl -sS -H "${AUTH}" "http://127.0.0.1:${PORTS[$name]}/health" | python3 -c "import json, sys
h = json.load(sys.stdin)
print('health of $name at the end: %s; ' % h['status'] + ', '.join('%s %s' % (k, v['status']) for k, v in h.items()
      if isinstance(v, dict) and 'status' in v) + '; signals: %s' % {k: v for k, v in h.get('signals', {}).items()
      if k != 'status'})" || echo "health of ${name} at the end: no answer"
done
for name in a b; do
  kill -TERM "${PIDS[$name]}"
done
for name in a b; do
  wait "${PIDS[$name]}" 2>/dev/null || true
  unset "PIDS[$name]"
done
fault stopped "both instances stopped (SIGTERM, open windows flushed)"
echo "== report (run files in ${WORK})"
status=0
java -cp "${TEST_CLASSPATH}" dev.cutover.bench.ChaosReport --out "${WORK}" --killed b | tee "${WORK}/report.txt" || status=$?
grep -h "WARN\|ERROR" "${WORK}"/app-*.log | cut -c1-240 | sort | uniq -c | sort -rn | head -n 15 >"${WORK}/app-warnings.txt" || true
if [[ -s "${WORK}/app-warnings.txt" ]]; then
  echo "== the instances' warnings and errors (count, first 240 characters; logs in ${WORK})"
  cat "${WORK}/app-warnings.txt"
fi
exit "${status}"
