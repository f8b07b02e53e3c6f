# Shared by the benchmarks: install wrk, build the jar, start it in the background and stop it on exit (the wrk
# benchmarks), and the classpath of the test-side tools (bench/transcribe.sh). Source it from the repository root;
# set PORT and BASE before start_app.

ensure_wrk() {
  if ! command -v wrk >/dev/null 2>&1; then
    echo "Installing wrk (Debian package)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null
  fi
}

# Compiles the main and test classes and lists the dependencies once, for the tools that live in src/test (the
# generated whisper model, TestModelGenerator; the bare-engine benchmark, BareWhisperBench). Sets TEST_CLASSPATH:
#   java -cp "${TEST_CLASSPATH}" dev.cutover.transcription.whisper.TestModelGenerator OUT.bin --dims tiny
build_test_classpath() {
  local cp_file="target/test-classpath.txt"
  echo "Compiling the test classes and listing the classpath..."
  mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile="${cp_file}" -Dmdep.includeScope=test
  TEST_CLASSPATH="$(pwd)/target/classes:$(pwd)/target/test-classes:$(cat "${cp_file}")"
}

build_jar() {
  if [[ "${SKIP_BUILD:-0}" != "1" || ! -f target/cutover.jar ]]; then
    echo "Building target/cutover.jar..."
    mvn -q -B -DskipTests package
  fi
}

app_pid=""
stop_app() {
  if [[ -n "${app_pid}" ]] && kill -0 "${app_pid}" 2>/dev/null; then
    kill "${app_pid}"
    wait "${app_pid}" 2>/dev/null || true
  fi
}

# Starts target/cutover.jar with the exported environment (a fresh DATA_DIR unless one is set), waits until /health
# answers, and stops it when the script exits. Sets app_pid and log.
start_app() {
  local work_dir
  work_dir="$(mktemp -d -t cutover-bench-XXXXXX)"
  log="${work_dir}/app.log"
  export PORT
  export DATA_DIR="${DATA_DIR:-${work_dir}/data}"
  trap stop_app EXIT
  echo "Starting the app on port ${PORT} (DATABASE_URL ${DATABASE_URL:-unset: embedded PostgreSQL}," \
    "HTTP_THREADS ${HTTP_THREADS:-unset}); log: ${log}"
  java ${JAVA_OPTS:-} -jar target/cutover.jar >"${log}" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 120); do
    curl -fsS "${BASE}/health" >/dev/null 2>&1 && return 0
    if ! kill -0 "${app_pid}" 2>/dev/null; then
      echo "The app exited during start-up:" >&2
      tail -n 40 "${log}" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "The app did not become healthy; see ${log}" >&2
  exit 1
}
