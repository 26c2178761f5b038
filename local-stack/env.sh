# Shared by local-stack/up, down and status. Every setting can be overridden from the environment.
LS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LS_STATE="${LS_STATE:-$LS_ROOT/local-stack/.state}"      # git-ignored: data, logs, pids, jars
LS_KAFKA_PORT="${LS_KAFKA_PORT:-9092}"
LS_CONTROLLER_PORT="${LS_CONTROLLER_PORT:-9093}"
LS_REGISTRY_PORT="${LS_REGISTRY_PORT:-8081}"
LS_FLINK_PORT="${LS_FLINK_PORT:-8082}"                   # Flink REST and web UI
LS_JM_RPC_PORT="${LS_JM_RPC_PORT:-6123}"                 # the JobManager's RPC port (TaskManagers connect to it)
LS_JM_METRICS_PORT="${LS_JM_METRICS_PORT:-9249}"         # the JobManager's Prometheus metrics endpoint
LS_TM_METRICS_PORT="${LS_TM_METRICS_PORT:-9250}"         # the TaskManager's (the job's SLO gauges)
LS_PROMETHEUS_PORT="${LS_PROMETHEUS_PORT:-9090}"         # Prometheus (Debian's package) scraping both
LS_CONSOLE_PORT="${LS_CONSOLE_PORT:-8088}"               # the console: the five decision views in a browser
LS_SCENARIO="${LS_SCENARIO:-$LS_ROOT/job/scenarios/hidden-cohort-regression.yaml}"
LS_RATE="${LS_RATE:-2000}"                               # demo telemetry records per second
LS_FOLLOW="${LS_FOLLOW:-1}"                              # 1: show advisories as they arrive (Ctrl-C leaves the stack running)
LS_JAR="$LS_ROOT/target/speech-slo-advisor.jar"
LS_PIDS="$LS_STATE/pids"
LS_LOGS="$LS_STATE/logs"
LS_COMPONENTS=(generator console prometheus taskmanager jobmanager registry kafka)   # stop order

ls_pid_alive() { [[ -f "$LS_PIDS/$1.pid" ]] && kill -0 "$(cat "$LS_PIDS/$1.pid")" 2>/dev/null; }

ls_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ls_fail_with_log() { # name message: prints the message and the tail of that component's log, fails
  echo "$2; see $LS_LOGS/$1.log" >&2
  tail -20 "$LS_LOGS/$1.log" >&2 2>/dev/null || true
  return 1
}

ls_wait_port() { # name port seconds
  local i
  for ((i = 0; i < $3 * 4; i++)); do
    ls_port_open "$2" && return 0
    ls_pid_alive "$1" || { ls_fail_with_log "$1" "$1 died while starting"; return 1; }
    sleep 0.25
  done
  ls_fail_with_log "$1" "$1 did not open port $2 within $3 s"
}

# The job's settings for this stack, as --set flags.
ls_job_sets() {
  printf -- '--set\nkafka.bootstrap-servers=127.0.0.1:%s\n--set\nregistry.url=http://127.0.0.1:%s\n' \
    "$LS_KAFKA_PORT" "$LS_REGISTRY_PORT"
}
