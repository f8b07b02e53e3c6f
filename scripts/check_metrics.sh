#!/usr/bin/env bash
# check_metrics.sh — are whisper's fleet-wide numbers within bounds? For cron: quiet when they are (or when there is
# too little traffic to say), one line (which cron mails) and a non-zero exit when not.
#
#   */15 * * * * CUTOVER_URL=http://127.0.0.1:8080 ADMIN_TOKEN_FILE=/opt/cutover/data/admin-token /opt/cutover/scripts/check_metrics.sh
#
# It reads GET $CUTOVER_URL/api/v1/signals?window=$METRICS_WINDOW (admin token): every instance's signals merged, for
# provider whisper and source $METRICS_SOURCE (server: what the service saw of its own requests; client: what the
# browsers reported, fallbacks included), and fails on any of
#   - P95 latency over P95_MAX_MS,
#   - error rate (service failures / attempts: busy, no model, engine error; the caller's mistakes are not failures)
#     over ERROR_RATE_MAX,
#   - cache hit rate (hits / lookups) under CACHE_HIT_MIN,
# each judged only with at least MIN_SAMPLES attempts (lookups for the cache): under that it says nothing. Every
# failing condition goes on one line, measured value against threshold:
#   check_metrics: whisper/server over 15m: P95 2410ms > 2000ms (130 attempts); error rate 3.1% (4/130) > 1%; cache hit rate 12% (6/50) < 20% (http://127.0.0.1:8080)
#
# Environment (defaults in brackets):
#   CUTOVER_URL       the service's base URL [http://127.0.0.1:8080]
#   ADMIN_TOKEN       the service's ADMIN_TOKEN (name:secret,... — the first pair's secret is used) or a bare secret
#   ADMIN_TOKEN_FILE  a file holding that token instead, e.g. DATA_DIR/admin-token (one of the two is required)
#   METRICS_WINDOW    the span judged, 10s to 90d [15m, the cron interval: each run judges traffic no other run saw]
#   METRICS_SOURCE    server or client [server]
#   P95_MAX_MS        the highest acceptable P95 latency, whole milliseconds [2000, the rollout's "P95 < 2 s"]
#   ERROR_RATE_MAX    the highest acceptable error rate, a fraction [0.01, the rollout's "error rate < 1 %"]
#   CACHE_HIT_MIN     the lowest acceptable cache hit rate, a fraction; 0 turns the check off [0.2: under the
#                     migration criterion of 30 % with a margin, so that a fleet meeting it is not mailed for the noise
#                     of 50 lookups, while a cache that was lost (Redis flushed or unreachable: near 0 %) is caught]
#   MIN_SAMPLES       attempts (lookups for the cache) needed before a number is judged [50]
#   METRICS_TIMEOUT   the longest the request may take [30s]
# Durations are written like the service's: 500ms, 15s, 2m, 1h, 7d or plain seconds.
#
# Exit: 0 within bounds or too few samples (no output); 1 a threshold crossed (one line); 2 usage or configuration
# error (one line: a bad variable, no admin token or a refused one, curl or jq missing); 3 the service could not be
# read (one line: no answer or an HTTP error) — health_check.sh is the alarm for that, so cron may ignore 3.
set -euo pipefail

readonly NAME=check_metrics

# shellcheck source=cron_checks.bash
source "$(dirname "${BASH_SOURCE[0]}")/cron_checks.bash" || { echo "$NAME: cron_checks.bash must sit beside this script" >&2; exit 2; }

# A number in [0, 1] written as a decimal fraction; exits 2 otherwise.
fraction() {
  [[ $2 =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || config_error "$1='$2' is not a fraction from 0 to 1 (e.g. 0.01 for 1 %)"
  printf '%s' "$2"
}

BASE_URL=$(base_url)
TIMEOUT_S=$(timeout_seconds METRICS_TIMEOUT "${METRICS_TIMEOUT:-30s}")
WINDOW=${METRICS_WINDOW:-15m}
duration_ms METRICS_WINDOW "$WINDOW" >/dev/null
SOURCE=${METRICS_SOURCE:-server}
[[ $SOURCE == server || $SOURCE == client ]] || config_error "METRICS_SOURCE='$SOURCE' is server or client"
P95_MAX=${P95_MAX_MS:-2000}
[[ $P95_MAX =~ ^[0-9]{1,9}$ ]] || config_error "P95_MAX_MS='$P95_MAX' is not a whole number of milliseconds"
ERROR_MAX=$(fraction ERROR_RATE_MAX "${ERROR_RATE_MAX:-0.01}")
CACHE_MIN=$(fraction CACHE_HIT_MIN "${CACHE_HIT_MIN:-0.2}")
SAMPLES=${MIN_SAMPLES:-50}
[[ $SAMPLES =~ ^[1-9][0-9]{0,8}$ ]] || config_error "MIN_SAMPLES='$SAMPLES' is not a whole number from 1"
SECRET=$(admin_secret)
[[ -n $SECRET ]] || config_error "set ADMIN_TOKEN or ADMIN_TOKEN_FILE: the signals need the admin token"

SIGNALS_URL="$BASE_URL/api/v1/signals?window=$WINDOW"
if ! fetch "$SIGNALS_URL" "$SECRET"; then
  say "cannot read the signals: $REASON ($SIGNALS_URL)"
  exit 3
fi
case $STATUS in
  200) ;;
  401 | 403) config_error "the admin token was refused (HTTP $STATUS) by $SIGNALS_URL: check ADMIN_TOKEN or ADMIN_TOKEN_FILE" ;;
  400) config_error "the service refused the query (HTTP 400) $SIGNALS_URL: check METRICS_WINDOW" ;;
  *) say "cannot read the signals: HTTP $STATUS ($SIGNALS_URL)"; exit 3 ;;
esac

failing=$(printf '%s' "$BODY" | jq -r --arg source "$SOURCE" --argjson p95Max "$P95_MAX" \
  --argjson errorMax "$ERROR_MAX" --argjson cacheMin "$CACHE_MIN" --argjson samples "$SAMPLES" '
  def percent: (. * 1000 | round) / 10 | tostring + "%";
  [.providers[] | select(.provider == "whisper" and .source == $source)][0] // error("no whisper/\($source) signals")
  | [ (select(.attempts >= $samples and .latencyMs.p95 > $p95Max)
        | "P95 \(.latencyMs.p95)ms > \($p95Max)ms (\(.attempts) attempts)"),
      (select(.attempts >= $samples and .errorRate > $errorMax)
        | "error rate \(.errorRate | percent) (\(.failures)/\(.attempts)) > \($errorMax | percent)"),
      (select($cacheMin > 0 and .cacheLookups >= $samples and .cacheHitRate < $cacheMin)
        | "cache hit rate \(.cacheHitRate | percent) (\(.cacheHits)/\(.cacheLookups)) < \($cacheMin | percent)") ]
  | join("; ")' 2>/dev/null) || { say "cannot read the signals: not the signals view ($SIGNALS_URL)"; exit 3; }

if [[ -n $failing ]]; then
  say "whisper/$SOURCE over $WINDOW: $failing ($BASE_URL)"
  exit 1
fi
exit 0
