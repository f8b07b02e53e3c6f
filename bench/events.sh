#!/usr/bin/env bash
# Benchmark of the signals: (1) ingestion, POST /api/v1/events with wrk (CONNECTIONS connections, DURATION, batches of
# 20 attempt events with unique sessionIds, bench/events.lua) into one instance on the local PostgreSQL: events/s
# (202 answers x 20 / seconds), p50/p99, non-2xx, then, once the last 10-second window is flushed, the events counted
# in signal_windows against the events sent (lost = acknowledged - counted); (2) the fleet view, GET /api/v1/signals
# ?window=5m|1h|48h (curl, FLEET_RUNS runs each after FLEET_WARMUP unmeasured calls: median and max) with
# signal_windows holding 4 instances x 48 h of 10-second windows x 6 cohorts with real compressed HdrHistograms, and
# signal_rollups their hourly rollups (dev.cutover.bench.FleetViewBench, run from the test classpath); each view's
# attempts are checked against the table's.
# Targets on a 2-core machine with wrk sharing the cores: >= 50,000 events/s, p99 < 20 ms, 0 lost; 5m view < 50 ms.
#
# A fresh database per run (cutover_bench_<random>) on PGHOST:PGPORT (default 127.0.0.1:5432, user postgres, trust
# auth), dropped at exit. The app runs with EVENTS_RATE_LIMIT=0 (all load comes from 127.0.0.1) and
# ADMIN_TOKEN=bench:secret.
#
# Environment: PORT (default 18082), DURATION (default 30s), WARMUP (default 5s), CONNECTIONS (default 32), THREADS
# (wrk threads, default 1), FLEET_RUNS (default 10), FLEET_WARMUP (default 3), FLEET_TIMEOUT (seconds per fleet
# call, default 60), PARTS (default ingest,fleet), PROFILE=1 to record the measured run and the 5m and 1h views with
# JFR and print their hottest frames (and the measured run's GC pauses and allocation sites), SKIP_BUILD=1 to reuse
# target/cutover.jar, JAVA_OPTS, and any setting of the app itself (e.g. HTTP_THREADS=8). Prints the load average and
# other busy processes: on a shared host their CPU is taken from the app and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-18082}"
DURATION="${DURATION:-30s}"
WARMUP="${WARMUP:-5s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
FLEET_RUNS="${FLEET_RUNS:-10}"
FLEET_TIMEOUT="${FLEET_TIMEOUT:-60}"
FLEET_WARMUP="${FLEET_WARMUP:-3}"
PARTS="${PARTS:-ingest,fleet}"
PROFILE="${PROFILE:-0}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
BASE="http://127.0.0.1:${PORT}"
EVENTS_PER_BATCH=20
DB="cutover_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
AUTH="Authorization: Bearer secret"
part() { [[ ",${PARTS}," == *",$1,"* ]]; }

# shellcheck source=bench/lib.sh
source bench/lib.sh
ensure_wrk
for tool in psql curl java python3; do
  command -v "${tool}" >/dev/null || { echo "events.sh: ${tool} is required" >&2; exit 2; }
done

pg() { psql -X -q -t -A -v ON_ERROR_STOP=1 -h "${PGHOST}" -p "${PGPORT}" -U postgres "$@"; }
# lib.sh's start_app traps EXIT with stop_app: stop_app is wrapped so that the database goes with the app.
eval "lib_$(declare -f stop_app)"
db_created=0
stop_app() {
  lib_stop_app
  if [[ "${db_created}" == "1" ]]; then
    pg -d postgres -c "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)" || echo "Could not drop database ${DB}" >&2
    db_created=0
  fi
}
trap stop_app EXIT

build_jar
if part fleet; then
  build_test_classpath
fi
pg -d postgres -c "CREATE DATABASE ${DB}"
db_created=1
export DATABASE_URL="postgresql://postgres@${PGHOST}:${PGPORT}/${DB}"
export EVENTS_RATE_LIMIT=0
export ADMIN_TOKEN="bench:secret"
export INSTANCE_ID="${INSTANCE_ID:-bench-events}"
start_app
echo "Database ${DB}; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"

counted() { pg -d "${DB}" -c "SELECT coalesce(sum(attempts), 0) FROM signal_windows"; }
now_ms() { date +%s%3N; }

# Waits until the window holding $1 (epoch ms, when the load stopped) is closed (its end + 1 s grace) and flushed:
# the sum in PostgreSQL has reached $2 and not moved for a second, or 30 s after $1. Prints the sum.
wait_flushed() {
  local close=$(( $1 / 10000 * 10000 + 11000 + 300 )) deadline=$(( $1 + 30000 )) count prev=-1 now
  while :; do
    now="$(now_ms)"
    count="$(counted)"
    if (( now >= close && count == prev && count >= $2 )) || (( now >= deadline )); then
      break
    fi
    prev="${count}"
    sleep 1
  done
  echo "${count}"
}

# wrk's latency line value (e.g. 812.00us, 3.41ms, 1.02s) in ms.
to_ms() {
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) }
    else if (v ~ /m$/) { sub(/m$/, "", v); v = v * 60000 } else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }
    printf "%.2f", v }'
}

# Prints the hottest frames of a JFR recording's execution samples: top of stack, and inclusive (dev.cutover frames,
# and any frame) with each sample counted once per frame.
jfr_summary() {
  jfr print --events jdk.ExecutionSample --stack-depth 64 "$1" | python3 -c '
import collections, re, sys
samples, stack, threads = [], None, collections.Counter()
for line in sys.stdin:
    s = line.strip()
    if s.startswith("sampledThread"):
        threads[re.sub(r"[-#]?\d+", "N", s.split("\"")[1])] += 1
    elif s.startswith("stackTrace = ["):
        stack = []
    elif stack is not None and s == "]":
        samples.append(stack); stack = None
    elif stack is not None and s and s != "...":
        stack.append(re.sub(r"\s+line:.*$", "", s))
n = len(samples) or 1
def show(title, counter, k=15):
    print(title)
    for frame, c in counter.most_common(k):
        print(f"  {100 * c / n:5.1f}%  {frame}")
print(f"JFR: {len(samples)} execution samples")
show("threads:", threads, 8)
show("top frames (self):", collections.Counter(s[0] for s in samples if s))
show("dev.cutover frames (inclusive):", collections.Counter(f for s in samples for f in set(s) if f.startswith("dev.cutover")), 12)
show("frames (inclusive, any):", collections.Counter(f for s in samples for f in set(s)), 25)
'
}

# GC pauses of a JFR recording (count, total, median, max) and its top allocation sites (sampled weight, the first
# frame outside java.*/jdk.*/kotlin.*).
jfr_gc_alloc() {
  jfr print --events jdk.GarbageCollection "$1" | awk '/longestPause/ { v = $3; if ($4 == "us") v /= 1000;
    else if ($4 == "s") v *= 1000; print v }' | sort -g | awk '{ p[NR] = $1; s += $1 } END { if (NR)
    printf "GC pauses: %d, %.0f ms in all, median %.1f ms, max %.1f ms\n", NR, s, p[int((NR + 1) / 2)], p[NR] }'
  jfr print --events jdk.ObjectAllocationSample --stack-depth 16 "$1" | python3 -c '
import collections, re, sys
units = {"bytes": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9}
sites, weight, cls, frames = collections.Counter(), 0, "", None
for line in sys.stdin:
    s = line.strip()
    m = re.match(r"weight = ([\d.]+) (\w+)", s)
    if m:
        weight = float(m.group(1)) * units.get(m.group(2), 1)
    elif s.startswith("objectClass = "):
        cls = s.split()[2]
    elif s.startswith("stackTrace = ["):
        frames = []
    elif frames is not None and s == "]":
        site = next((f for f in frames if not f.startswith(("java.", "jdk.", "kotlin."))), "?")
        sites[cls + " <- " + site] += weight
        frames = None
    elif frames is not None and s and s != "...":
        frames.append(re.sub(r"\(.*$", "", s))
total = sum(sites.values()) or 1
print(f"allocations (sampled weight {total / 1e9:.1f} GB):")
for site, w in sites.most_common(8):
    print(f"  {100 * w / total:5.1f}%  {site}")
'
}

# ---- 1. ingestion -------------------------------------------------------------------------------------------------
if part ingest; then
  sample="$(curl -sS -X POST -H 'Content-Type: application/json' "${BASE}/api/v1/events" -d '{"events":[{"type":"attempt",
    "sessionId":"bench-sample","provider":"whisper","outcome":"ok","latencyMs":840,"audioMs":3000}]}')"
  echo "Sample: ${sample}"
  echo "Warm-up: ${WARMUP}, then waiting for its windows to be flushed..."
  warm="$(wrk -t "${THREADS}" -c "${CONNECTIONS}" -d "${WARMUP}" -s bench/events.lua "${BASE}")"
  warm_end="$(now_ms)"
  warm_requests="$(awk '/requests in/ {print $1}' <<<"${warm}")"
  baseline="$(wait_flushed "${warm_end}" $(( (warm_requests + 1) * EVENTS_PER_BATCH )))"
  echo "Counted before the measured run: ${baseline} events (warm-up: ${warm_requests} batches + the sample)"

  if [[ "${PROFILE}" == "1" ]]; then
    jfr_file="$(dirname "${log}")/events.jfr"
    jcmd "${app_pid}" JFR.start name=events settings=profile filename="${jfr_file}" >/dev/null
  fi
  echo "Measured run: wrk -t ${THREADS} -c ${CONNECTIONS} -d ${DURATION} --latency -s bench/events.lua"
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  out="$(wrk -t "${THREADS}" -c "${CONNECTIONS}" -d "${DURATION}" --latency -s bench/events.lua "${BASE}")"
  run_end="$(now_ms)"
  # Other busy processes on the machine (a shared host: their CPU time is taken from the app and wrk).
  others="$(ps -eo pcpu=,pid=,comm= --sort=-pcpu | awk -v app="${app_pid}" '$2 != app && $3 != "wrk" && $1 >= 20 {
    printf "%s%s (pid %s) %s%%", sep, $3, $2, $1; sep = ", " }')"
  echo "Load average before the run ${load_before}, after $(cut -d' ' -f1-3 /proc/loadavg);" \
    "other processes at >= 20 % CPU (ps, over their lifetime): ${others:-none}"
  if [[ "${PROFILE}" == "1" ]]; then
    jcmd "${app_pid}" JFR.stop name=events >/dev/null
  fi
  echo "${out}"
  requests="$(awk '/requests in/ {print $1}' <<<"${out}")"
  seconds="$(awk '/requests in/ { v = $4; sub(/,$/, "", v); if (v ~ /ms$/) { sub(/ms$/, "", v); v = v / 1000 }
    else if (v ~ /m$/) { sub(/m$/, "", v); v = v * 60 } else { sub(/s$/, "", v) } print v }' <<<"${out}")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"${out}")"; non2xx="${non2xx:-0}"
  socket="$(awk '/Socket errors:/ {print}' <<<"${out}" | sed 's/^ *//')"
  issued="$(awk '/^issued / {print $2}' <<<"${out}")"
  p50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"${out}")")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"${out}")")"
  acked=$(( (requests - non2xx) * EVENTS_PER_BATCH ))
  rate="$(awk -v n="${acked}" -v s="${seconds}" 'BEGIN { printf "%.0f", n / s }')"

  echo "Waiting for the last window to be flushed (it closes 11 s after the run's last window starts)..."
  final="$(wait_flushed "${run_end}" "${acked}")"
  flushed_after="$(awk -v a="$(now_ms)" -v b="${run_end}" 'BEGIN { printf "%.1f", (a - b) / 1000 }')"
  got=$(( final - baseline ))
  lost=$(( acked > got ? acked - got : 0 ))
  in_flight=$(( got > acked ? got - acked : 0 ))
  health="$(curl -sS "${BASE}/health" | tr -d '\n' | cut -c1-400)"
  echo "Health after the run: ${health}"
  if [[ "${PROFILE}" == "1" ]]; then
    jfr_summary "${jfr_file}"
    jfr_gc_alloc "${jfr_file}"
    echo "JFR recording: ${jfr_file}"
  fi
  ingest_results="RESULT events ingest: ${rate} events/s ($(( requests - non2xx )) batches x ${EVENTS_PER_BATCH} answered"
  ingest_results+=" 202 in ${seconds} s), p50 ${p50} ms, p99 ${p99} ms, non-2xx ${non2xx}${socket:+, ${socket}}"
  ingest_results+=" (${CONNECTIONS} connections, ${THREADS} wrk thread(s), $(nproc) cores)"
  ingest_results+=$'\n'"RESULT events counted: sent ${acked} (202 x ${EVENTS_PER_BATCH}), counted in PostgreSQL ${got},"
  ingest_results+=" lost ${lost} (counted - sent = ${in_flight}: batches in flight when wrk stopped; wrk issued"
  ingest_results+=" $(( ${issued:-0} * EVENTS_PER_BATCH )) events in all; flushed ${flushed_after} s after the run)"
  echo
  echo "${ingest_results}"
fi

# ---- 2. fleet view ------------------------------------------------------------------------------------------------
if part fleet; then
  echo
  echo "Filling signal_windows and signal_rollups: 4 instances x 48 h of 10-second windows and their hourly rollups" \
    "(this instance's own rows removed first)..."
  pg -d "${DB}" -c "DELETE FROM signal_windows; DELETE FROM signal_rollups"
  java -cp "${TEST_CLASSPATH}" dev.cutover.bench.FleetViewBench --instances 4 --hours 48
  view_file="$(dirname "${log}")/view.json"

  # Times one view FLEET_RUNS times after FLEET_WARMUP unmeasured calls (the last answer kept in view_file); prints
  # "median max status bytes runs" (ms).
  time_view() {
    local url="${BASE}/api/v1/signals?window=$1" times=() line code="" size=0 runs="${FLEET_RUNS}"
    for _ in $(seq 1 "${FLEET_WARMUP}"); do
      line="$(curl -sS -o "${view_file}" --max-time "${FLEET_TIMEOUT}" -H "${AUTH}" -w '%{http_code} %{size_download} %{time_total}' "${url}" || true)"
      read -r code size _ <<<"${line}"
      if [[ "${code:-000}" != "200" ]]; then
        echo "- - ${code:-000} ${size:-0}"
        return
      fi
    done
    # What the windows in the table hold over the same span (ending with the current window), read beside the view.
    pg -d "${DB}" -c "SELECT coalesce(sum(attempts), 0) FROM signal_windows WHERE window_start >=
      to_timestamp(floor(extract(epoch FROM now()) / 10) * 10 + 10) - interval '$1'" >"${view_file}.stored"
    for _ in $(seq 1 "${runs}"); do
      line="$(curl -sS -o /dev/null --max-time "${FLEET_TIMEOUT}" -H "${AUTH}" -w '%{http_code} %{size_download} %{time_total}' "${url}" || echo "000 0 ${FLEET_TIMEOUT}")"
      read -r code size t <<<"${line}"
      times+=("${t}")
      [[ "${code}" == "200" ]] || break
    done
    printf '%s\n' "${times[@]}" | sort -g | awk -v c="${code}" -v s="${size}" '{ v[NR] = $1 * 1000 }
      END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f %.1f %s %s %d\n", m, v[NR], c, s, NR }'
  }
  results=()
  for window in 5m 1h 48h; do
    if [[ "${PROFILE}" == "1" && "${window}" == "5m" ]]; then
      fleet_jfr="$(dirname "${log}")/fleet.jfr"
      jcmd "${app_pid}" JFR.start name=fleet settings=profile filename="${fleet_jfr}" >/dev/null
    fi
    rm -f "${view_file}" "${view_file}.stored"
    read -r median max code size runs <<<"$(time_view "${window}")"
    if [[ "${code}" == "200" ]]; then
      viewed="$(python3 -c 'import json, sys; print(sum(p["attempts"] for p in json.load(open(sys.argv[1]))["providers"]))' "${view_file}")"
      echo "window=${window}: the view counts ${viewed} attempts; the windows of the span in the table hold" \
        "$(cat "${view_file}.stored")"
    fi
    if [[ "${PROFILE}" == "1" && "${window}" == "1h" ]]; then
      jcmd "${app_pid}" JFR.stop name=fleet >/dev/null
      echo "Fleet views 5m and 1h, profiled:"
      jfr_summary "${fleet_jfr}"
    fi
    results+=("RESULT fleet view window=${window}: median ${median} ms, max ${max} ms over ${runs:-0} runs (HTTP ${code}, ${size} bytes)")
    echo "${results[-1]}"
  done
  echo "App heap after the fleet views: $(jcmd "${app_pid}" GC.heap_info 2>/dev/null | sed -n 2p | sed 's/^ *//')"
  ooms="$(grep -c 'OutOfMemoryError' "${log}" || true)"
  if [[ "${ooms}" != "0" ]]; then
    echo "The app's log holds ${ooms} OutOfMemoryError line(s); threads that died of one:"
    grep 'Exception in thread' "${log}" || echo "  (none: only requests failed)"
  fi
fi

# The figures again, together.
echo
[[ -z "${ingest_results:-}" ]] || echo "${ingest_results}"
[[ "${#results[@]}" -eq 0 ]] || printf '%s\n' "${results[@]}"
