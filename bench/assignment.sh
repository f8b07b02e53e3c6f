#!/usr/bin/env bash
# Benchmark of GET /api/v1/assignment against nginx answering the same JSON from memory, in the same run, alternated
# A B A B so that the shared machine's drift hits both: wrk (32 connections, a new sessionId per request) against the
# app, then against nginx, ROUNDS times. Prints req/s and p99 of every series, the means and the ratio
# app / nginx (target >= 0.8 on a 2-core machine with wrk sharing the cores).
#
# Environment: PORT (default 18080), NGINX_PORT (default 18081), DATABASE_URL (default: the app's embedded PostgreSQL
# in a temporary DATA_DIR), DURATION per series (default 15s), ROUNDS (default 2), CONNECTIONS (default 32), THREADS
# (wrk threads; default 1), SKIP_BUILD=1 to reuse target/cutover.jar, JAVA_OPTS, and any setting of the app itself,
# e.g. HTTP_THREADS=8 (Jetty's maximum threads; unset keeps 250). nginx-light is installed from Debian if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-18080}"
NGINX_PORT="${NGINX_PORT:-18081}"
DURATION="${DURATION:-15s}"
ROUNDS="${ROUNDS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
BASE="http://127.0.0.1:${PORT}"
NGINX_BASE="http://127.0.0.1:${NGINX_PORT}"

# shellcheck source=bench/lib.sh
source bench/lib.sh
ensure_wrk
if ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
  echo "Installing nginx-light (Debian package)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
build_jar
start_app
sample="$(curl -sS "${BASE}/api/v1/assignment?sessionId=bench-sample")"
echo "Sample: ${sample}"

# nginx with its defaults for a small host (a worker per core, keep-alive), answering the app's own JSON.
nginx_dir="$(mktemp -d -t cutover-nginx-XXXXXX)"
escaped="${sample//\\/\\\\}"
escaped="${escaped//\'/\\\'}"
cat >"${nginx_dir}/nginx.conf" <<CONF
worker_processes auto;
pid ${nginx_dir}/nginx.pid;
error_log ${nginx_dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:${NGINX_PORT};
    location / {
      default_type application/json;
      add_header Cache-Control no-store;
      return 200 '${escaped}';
    }
  }
}
CONF
"${NGINX}" -c "${nginx_dir}/nginx.conf" -p "${nginx_dir}"
stop_all() {
  "${NGINX}" -c "${nginx_dir}/nginx.conf" -p "${nginx_dir}" -s stop 2>/dev/null || true
  stop_app
}
trap stop_all EXIT
curl -fsS "${NGINX_BASE}/api/v1/assignment?sessionId=x" >/dev/null

# Warm-up: the JIT compiles the app's hot path; nginx gets the same so both start from a steady state.
wrk -t "${THREADS}" -c "${CONNECTIONS}" -d 5s -s bench/assignment.lua "${BASE}" >/dev/null
wrk -t "${THREADS}" -c "${CONNECTIONS}" -d 2s -s bench/assignment.lua "${NGINX_BASE}" >/dev/null

# Runs one series; prints "rps p99_ms non2xx".
series() {
  local out rps p99 errors
  out="$(wrk -t "${THREADS}" -c "${CONNECTIONS}" -d "${DURATION}" --latency -s bench/assignment.lua "$1")"
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"${out}")"
  p99="$(awk '$1 == "99%" { v=$2; if (v ~ /us$/) { sub(/us$/,"",v); v=v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v=v*1000 } printf "%.2f", v }' <<<"${out}")"
  errors="$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"${out}")"
  echo "${rps} ${p99} ${errors:-0}"
}

app_rps=(); nginx_rps=(); app_p99=(); nginx_p99=()
for round in $(seq 1 "${ROUNDS}"); do
  read -r rps p99 errors <<<"$(series "${BASE}")"
  echo "round ${round} A assignment: ${rps} req/s, p99 ${p99} ms, non-2xx ${errors}"
  app_rps+=("${rps}"); app_p99+=("${p99}")
  read -r rps p99 errors <<<"$(series "${NGINX_BASE}")"
  echo "round ${round} B nginx:      ${rps} req/s, p99 ${p99} ms, non-2xx ${errors}"
  nginx_rps+=("${rps}"); nginx_p99+=("${p99}")
done

mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.0f", s / NR }'; }
worst() { printf '%s\n' "$@" | sort -g | tail -1; }
a="$(mean "${app_rps[@]}")"; b="$(mean "${nginx_rps[@]}")"
echo
echo "Load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores, ${CONNECTIONS} connections, ${DURATION} x ${ROUNDS} per side," \
  "HTTP_THREADS ${HTTP_THREADS:-default}"
echo "RESULT assignment: ${a} req/s, p99 ≤ $(worst "${app_p99[@]}") ms"
echo "RESULT nginx:      ${b} req/s, p99 ≤ $(worst "${nginx_p99[@]}") ms"
echo "RESULT ratio assignment/nginx: $(awk -v a="${a}" -v b="${b}" 'BEGIN { printf "%.2f", a / b }')"
