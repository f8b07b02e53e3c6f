#!/usr/bin/env bash
# health_check.sh — is Cutover up, and is every instance still heartbeating? For cron: quiet when all is well, one
# line (which cron mails) and a non-zero exit when not.
#
#   */5 * * * * CUTOVER_URL=http://127.0.0.1:8080 ADMIN_TOKEN_FILE=/opt/cutover/data/admin-token /opt/cutover/scripts/health_check.sh
#
# What it checks:
#   1. GET $CUTOVER_URL/health. A failed check is: no answer (refused, timed out, DNS), an HTTP status other than 200,
#      or a body whose "status" is DOWN (DEGRADED is an answer, not a failure: the parts say what is degraded). Failed
#      checks are counted in a state file; the HEALTH_FAILURES_BEFORE_ALERT-th failure in a row prints
#        health_check: DOWN 3 checks running: connection refused (http://127.0.0.1:8080/health)
#      and exits 1, and so does every later run while it lasts (the count says how long). One good check resets it:
#      a single lost probe (a restart, a network blip) never mails anyone.
#   2. With an admin token: GET $CUTOVER_URL/api/v1/instances. An instance whose heartbeat stopped more than
#      INSTANCE_STALE_AFTER before the freshest heartbeat in the fleet is reported at once (not after 3 runs):
#        health_check: STALE instance(s): web-1-3fa2c1 silent 6m10s (http://127.0.0.1:8080/api/v1/instances)
#      unless a newer instance has replaced it (one started after, or up to INSTANCE_STALE_AFTER before, it went
#      quiet: a restart or a rolling deploy) or it has been silent for more than INSTANCE_FORGET_AFTER (instances are
#      listed forever; a scale-down is mailed until then). Time is measured against the freshest heartbeat, not this
#      host's clock, so clock skew between this host and the service cannot fake a stale instance. Not being able to
#      read the list counts as a failed check, like step 1.
#
# Environment (defaults in brackets):
#   CUTOVER_URL                   the service's base URL [http://127.0.0.1:8080]
#   ADMIN_TOKEN                   the service's ADMIN_TOKEN (name:secret,... — the first pair's secret is used) or a
#                                 bare secret; without it (and without ADMIN_TOKEN_FILE) step 2 is skipped
#   ADMIN_TOKEN_FILE              a file holding that token instead, e.g. DATA_DIR/admin-token (keeps it out of crontab)
#   HEALTH_FAILURES_BEFORE_ALERT  failed checks in a row before the first alert [3]
#   HEALTH_STATE_FILE             where the count of failed checks is kept
#                                 [${XDG_STATE_HOME:-$HOME/.local/state}/cutover/health_check-<url>.count]
#   HEALTH_TIMEOUT                the longest one request may take [10s]
#   INSTANCE_STALE_AFTER          heartbeat age that makes an instance stale [2m] (it heartbeats every 5 s)
#   INSTANCE_FORGET_AFTER         heartbeat age after which a stopped instance is no longer reported [30m]
# Durations are written like the service's: 500ms, 15s, 2m, 1h, 7d or plain seconds.
#
# Exit: 0 healthy (no output); 1 alert (one line: DOWN or STALE); 2 usage or configuration error (one line: a bad
# variable, curl or jq missing, the admin token refused).
set -euo pipefail

readonly NAME=health_check

# shellcheck source=cron_checks.bash
source "$(dirname "${BASH_SOURCE[0]}")/cron_checks.bash" || { echo "$NAME: cron_checks.bash must sit beside this script" >&2; exit 2; }

BASE_URL=$(base_url)
FAILURES_BEFORE_ALERT=${HEALTH_FAILURES_BEFORE_ALERT:-3}
[[ $FAILURES_BEFORE_ALERT =~ ^[1-9][0-9]{0,5}$ ]] || config_error "HEALTH_FAILURES_BEFORE_ALERT='$FAILURES_BEFORE_ALERT' is not a whole number from 1"
TIMEOUT_S=$(timeout_seconds HEALTH_TIMEOUT "${HEALTH_TIMEOUT:-10s}")
STALE_MS=$(duration_ms INSTANCE_STALE_AFTER "${INSTANCE_STALE_AFTER:-2m}")
FORGET_MS=$(duration_ms INSTANCE_FORGET_AFTER "${INSTANCE_FORGET_AFTER:-30m}")
((FORGET_MS > STALE_MS)) || config_error "INSTANCE_FORGET_AFTER must be longer than INSTANCE_STALE_AFTER"
SECRET=$(admin_secret)

if [[ -n ${HEALTH_STATE_FILE:-} ]]; then
  STATE_FILE=$HEALTH_STATE_FILE
else
  STATE_DIR=${XDG_STATE_HOME:-${HOME:-/tmp}/.local/state}/cutover
  STATE_FILE=$STATE_DIR/health_check-$(printf '%s' "$BASE_URL" | tr -c 'A-Za-z0-9.-' '_').count
fi
mkdir -p "$(dirname "$STATE_FILE")" 2>/dev/null || config_error "cannot create the directory of $STATE_FILE (HEALTH_STATE_FILE)"

previous_failures() {
  local n=0
  [[ -r $STATE_FILE ]] && n=$(head -c 20 "$STATE_FILE" | tr -dc '0-9')
  echo $((10#${n:-0}))
}

write_failures() {
  printf '%s\n' "$1" >"$STATE_FILE.tmp.$$" && mv -f "$STATE_FILE.tmp.$$" "$STATE_FILE" \
    || config_error "cannot write $STATE_FILE (HEALTH_STATE_FILE)"
}

# Counts a failed check; alerts (exit 1) from the FAILURES_BEFORE_ALERT-th in a row, else stays quiet (exit 0).
failed_check() {
  local reason=$1 url=$2 count
  count=$(($(previous_failures) + 1))
  write_failures "$count"
  if ((count >= FAILURES_BEFORE_ALERT)); then
    say "DOWN $count checks running: $reason ($url)"
    exit 1
  fi
  exit 0
}

HEALTH_URL=$BASE_URL/health
fetch "$HEALTH_URL" || failed_check "$REASON" "$HEALTH_URL"
status=$(printf '%s' "$BODY" | jq -r 'if type == "object" and (.status | type) == "string" then .status | gsub("[[:cntrl:]]"; "") else empty end' 2>/dev/null || true)
if [[ $STATUS != 200 || -z $status || $status == DOWN ]]; then
  # The parts that are DOWN say why (e.g. "flags DOWN"); control characters from the body are stripped by say().
  down=$(printf '%s' "$BODY" | jq -r '[to_entries[] | select((.value | type) == "object" and .value.status == "DOWN") | .key[0:40]] | join(", ")' 2>/dev/null || true)
  reason="HTTP $STATUS"
  [[ -n $status ]] && reason="$reason, status ${status:0:20}"
  [[ -z $status && $STATUS == 200 ]] && reason="$reason, not a health report"
  [[ -n $down ]] && reason="$reason ($down DOWN)"
  failed_check "$reason" "$HEALTH_URL"
fi

if [[ -n $SECRET ]]; then
  INSTANCES_URL=$BASE_URL/api/v1/instances
  fetch "$INSTANCES_URL" "$SECRET" || failed_check "$REASON" "$INSTANCES_URL"
  case $STATUS in
    200) ;;
    401 | 403) config_error "the admin token was refused (HTTP $STATUS) by $INSTANCES_URL: check ADMIN_TOKEN or ADMIN_TOKEN_FILE" ;;
    *) failed_check "HTTP $STATUS" "$INSTANCES_URL" ;;
  esac
  stale=$(printf '%s' "$BODY" | jq -r --argjson stale "$STALE_MS" --argjson forget "$FORGET_MS" '
    def millis: capture("^(?<s>[^.Z]+)(?<f>\\.[0-9]+)?Z$")
      | ((.s + "Z" | fromdateiso8601) * 1000) + (("0" + (.f // ".0") | tonumber) * 1000 | floor);
    def age: (. / 1000 | floor) as $s
      | if $s >= 3600 then "\($s / 3600 | floor)h\($s % 3600 / 60 | floor)m"
        elif $s >= 60 then "\($s / 60 | floor)m\($s % 60)s" else "\($s)s" end;
    [.instances[] | {id: (.id | tostring | gsub("[[:cntrl:]]"; "") | .[0:80]),
                     started: (.startedAt | millis), seen: (.lastSeen | millis)}] as $all
    | ($all | map(.seen) | max // 0) as $now
    | [$all[] | select($now - .seen > $stale and $now - .seen <= $forget)
        | . as $quiet
        | select([$all[] | select($now - .seen <= $stale and .started > $quiet.seen - $stale)] | length == 0)
        | "\(.id) silent \($now - .seen | age)"]
    | join(", ")' 2>/dev/null) || failed_check "not an instance list" "$INSTANCES_URL"
  if [[ -n $stale ]]; then
    write_failures 0
    say "STALE instance(s): $stale ($INSTANCES_URL)"
    exit 1
  fi
fi

write_failures 0
exit 0
