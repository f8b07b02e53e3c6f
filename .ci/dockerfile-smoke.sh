#!/usr/bin/env bash
# No Docker engine runs on CI: this executes what the Dockerfile would, by hand, on this machine.
#   build stage:   every `RUN mvn …` line, in order
#   runtime stage: the image's layout under a temp dir standing for /app, its ENV, its ENTRYPOINT run as an
#                  unprivileged user (nobody) against the local PostgreSQL (a fresh database) and Redis, as
#                  docker-compose.yml would wire them, then its HEALTHCHECK command until it passes (start period
#                  60 s), and the `cutover` command it puts on PATH.
# Not run here: the apt-get layer (the base image is Ubuntu's; this checks the same libraries and tools are found),
# image layering, VOLUME and EXPOSE. Exits non-zero on the first failure, with the app's log.
set -euo pipefail
cd "$(dirname "$0")/.."

dockerfile="Dockerfile"
runtime_from="$(grep -n '^FROM ' "$dockerfile" | tail -1 | cut -d: -f1)"

echo "== build stage: RUN mvn lines of ${dockerfile}"
while IFS= read -r line; do
  cmd="${line#RUN }"
  echo "+ ${cmd}"
  bash -c "${cmd}"
done < <(head -n "$((runtime_from - 1))" "$dockerfile" | grep '^RUN mvn ')
test -f target/cutover.jar

echo "== runtime stage: what its apt-get layer provides"
command -v ffmpeg >/dev/null || { echo "ffmpeg missing (the image installs it)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl missing (the health check uses it)" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq missing (the cron checks in /app/scripts use it)" >&2; exit 1; }
ldconfig -p | grep -q 'libgomp.so.1' || { echo "libgomp.so.1 missing (whisper.cpp needs it)" >&2; exit 1; }

root="$(mktemp -d -t cutover-image-XXXXXX)"
db="cutover_image_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
app_pid=""
cleanup() {
  if [[ -n "${app_pid}" ]] && kill -0 "${app_pid}" 2>/dev/null; then
    kill "${app_pid}"; wait "${app_pid}" 2>/dev/null || true
  fi
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS ${db} WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "${root}"
}
trap cleanup EXIT
chmod 755 "${root}"
app="${root}/app"
mkdir -p "${app}/models" "${app}/data"
# The runtime stage's COPY lines, /app standing for ${app}.
cp target/cutover.jar "${app}/cutover.jar"
cp -r migrations "${app}/migrations"
cp models/download-model.sh models/README.md "${app}/models/"
cp -r scripts "${app}/scripts"
# The image's user is unprivileged: as root, run as nobody (who owns only data/ and models/); otherwise as ourselves.
as_user=()
if [[ "$(id -u)" == 0 ]]; then
  chown -R nobody "${app}/data" "${app}/models"
  as_user=(runuser -u nobody --)
fi
chmod -R a+rX "${app}"

# ENV lines (with their continuations), /app rewritten; then what docker-compose.yml sets.
env_lines="$(awk -v from="${runtime_from}" 'NR > from && /^ENV / { on = 1 } on { print; if ($0 !~ /\\$/) on = 0 }' "$dockerfile" \
  | sed -e 's/^ENV //' -e 's/\\$//' -e "s#/app#${app}#g")"
declare -a image_env=()
while read -r assignment; do
  [[ -n "${assignment}" ]] && image_env+=("$(eval "printf '%s' ${assignment}")")
done < <(echo "${env_lines}" | grep -oE '[A-Z_]+=("[^"]*"|[^ ]+)')
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE ${db}" >/dev/null
compose_env=(PORT="${port}" DATABASE_URL="postgresql://postgres@127.0.0.1:5432/${db}" REDIS_URL="redis://127.0.0.1:6379/0"
  ADMIN_TOKEN="ops:image-smoke-secret" WHISPER_API_KEY="image-smoke-key")

entrypoint="$(grep '^ENTRYPOINT ' "$dockerfile" | sed 's/^ENTRYPOINT //')"
mapfile -t command < <(python3 -c 'import json,sys; print("\n".join(json.loads(sys.argv[1])))' "${entrypoint}" \
  | sed "s#/app#${app}#g")
echo "== ENTRYPOINT as nobody: ${command[*]}"
log="${root}/app.log"
(cd "${app}" && exec "${as_user[@]}" env -i PATH="${PATH}" HOME="${app}" "${image_env[@]}" "${compose_env[@]}" \
  "${command[@]}") >"${log}" 2>&1 &
app_pid=$!

healthcheck="$(grep '^HEALTHCHECK ' "$dockerfile" | sed -e 's/.* CMD //' -e "s/8080/${port}/g")"
echo "== HEALTHCHECK: ${healthcheck}"
healthy=0
for _ in $(seq 1 120); do
  if bash -c "${healthcheck}" >/dev/null 2>&1; then healthy=1; break; fi
  kill -0 "${app_pid}" 2>/dev/null || break
  sleep 0.5
done
if [[ "${healthy}" != 1 ]]; then
  echo "the image's health check never passed; app log:" >&2
  tail -n 60 "${log}" >&2
  exit 1
fi
grep -q "Whisper model not loaded" "${log}" && echo "   (no model mounted: /health says so and the instance still serves, as designed)"
curl -fsS "http://127.0.0.1:${port}/health" | python3 -c 'import json,sys; h=json.load(sys.stdin); print("   /health:", h["status"])'

echo "== the image's cutover command: cutover status"
CUTOVER_JAR="${app}/cutover.jar" CUTOVER_URL="http://127.0.0.1:${port}" ADMIN_TOKEN="image-smoke-secret" \
  "${app}/scripts/cutover" status
echo "Dockerfile smoke: build, start as nobody, health check and command line all passed"
