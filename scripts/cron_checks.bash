# Sourced by health_check.sh and check_metrics.sh (after they set NAME): their one-line output, configuration
# errors, durations, the admin token and one HTTP GET. Needs bash, curl and jq, nothing else.

say() { printf '%s: %s\n' "$NAME" "$1" | tr -d '\000-\011\013-\037\177'; }
config_error() { say "$1" >&2; exit 2; }

# Milliseconds of a duration written 500ms, 15s, 2m, 1h, 7d or plain seconds; exits 2 when it is none of those.
duration_ms() {
  local name=$1 text=$2
  [[ $text =~ ^([0-9]{1,9})(ms|s|m|h|d)?$ ]] || config_error "$name='$text' is not a duration: write 500ms, 15s, 2m, 1h, 7d or plain seconds"
  local n=$((10#${BASH_REMATCH[1]}))
  case ${BASH_REMATCH[2]} in
    ms) echo "$n" ;;
    s | '') echo $((n * 1000)) ;;
    m) echo $((n * 60000)) ;;
    h) echo $((n * 3600000)) ;;
    d) echo $((n * 86400000)) ;;
  esac
}

# CUTOVER_URL without its trailing slash [http://127.0.0.1:8080]; exits 2 unless it is an http(s) URL.
base_url() {
  local url=${CUTOVER_URL:-http://127.0.0.1:8080}
  [[ $url =~ ^https?://[^[:space:]]+$ ]] || config_error "CUTOVER_URL='$url' is not an http(s) URL"
  printf '%s' "${url%/}"
}

# Whole seconds (rounded up, at least 1) of a duration variable: the longest one request may take.
timeout_seconds() {
  local ms
  ms=$(duration_ms "$1" "$2")
  ((ms >= 1000)) || config_error "$1 is at least 1s"
  echo $(((ms + 999) / 1000))
}

# The secret to send: ADMIN_TOKEN's first name:secret pair's secret (or the bare secret), or ADMIN_TOKEN_FILE's.
admin_secret() {
  local token=${ADMIN_TOKEN:-}
  if [[ -z $token && -n ${ADMIN_TOKEN_FILE:-} ]]; then
    [[ -r $ADMIN_TOKEN_FILE ]] || config_error "ADMIN_TOKEN_FILE=$ADMIN_TOKEN_FILE cannot be read"
    token=$(<"$ADMIN_TOKEN_FILE")
  fi
  token=${token%%,*}
  [[ $token == *:* ]] && token=${token#*:}
  token=${token//[[:space:]]/}
  printf '%s' "$token"
}

# GET url (with the admin secret when given), within TIMEOUT_S: sets STATUS (the HTTP status) and BODY and returns 0,
# or sets REASON (refused, timed out, ...) and returns 1 when there was no answer.
fetch() {
  local url=$1 secret=${2:-} out rc=0
  local -a auth=()
  [[ -n $secret ]] && auth=(-H "Authorization: Bearer $secret")
  out=$(curl -sS --connect-timeout "$TIMEOUT_S" --max-time "$TIMEOUT_S" "${auth[@]}" -w '\n%{http_code}' "$url" 2>&1) || rc=$?
  if ((rc != 0)); then
    STATUS=000
    BODY=
    case $rc in
      6) REASON="cannot resolve host" ;;
      7) REASON="connection refused" ;;
      28) REASON="no answer within ${TIMEOUT_S}s" ;;
      *) REASON=$(printf '%s' "$out" | grep -m1 '^curl:' | sed 's/^curl: ([0-9]*) //' || true)
         REASON=${REASON:-curl failed with exit code $rc} ;;
    esac
    return 1
  fi
  STATUS=${out##*$'\n'}
  BODY=${out%$'\n'*}
  return 0
}

command -v curl >/dev/null 2>&1 || config_error "curl is not installed"
command -v jq >/dev/null 2>&1 || config_error "jq is not installed"

