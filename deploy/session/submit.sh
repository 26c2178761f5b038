#!/usr/bin/env bash
# Submits the job to a running Flink session cluster through its REST API (POST /jars/upload, then
# POST /jars/{id}/run). Usage: deploy/session/submit.sh [REST_URL] [JOB_CONFIG_FILE]
#   REST_URL         default http://127.0.0.1:8081 (the JobManager's rest.address:rest.port)
#   JOB_CONFIG_FILE  a job.yaml readable by the JobManager at that path (default: packaged defaults)
# Extra job arguments can follow, e.g. --set kafka.bootstrap-servers=broker:9092
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
rest="${1:-http://127.0.0.1:8081}"; shift || true
config="${1:-}"; shift || true
# the job jar without what the cluster provides (Flink's runtime, RocksDB, logging)
jar="$here/target/speech-slo-advisor-job.jar"
[[ -f "$jar" ]] || { echo "build the jars first: mvn -B package -DskipTests" >&2; exit 2; }

fail() { echo "submit.sh: $1 (curl exit $2; 7 means nothing answers at $rest)" >&2; exit 1; }
upload=$(curl -sS --fail-with-body -X POST -H "Expect:" -F "jarfile=@$jar" "$rest/jars/upload") \
  || fail "uploading $jar to $rest/jars/upload failed: $upload" $?
jar_id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["filename"].rsplit("/",1)[-1])' <<<"$upload")
args=("run")
[[ -n "$config" ]] && args+=("--config" "$config")
args+=("$@")
body=$(python3 -c 'import json,sys; print(json.dumps({"entryClass":"io.speechslo.cli.Main","programArgsList":sys.argv[1:]}))' "${args[@]}")
curl -sS --fail-with-body -X POST -H "Content-Type: application/json" -d "$body" "$rest/jars/$jar_id/run" \
  || fail "running the uploaded jar through $rest/jars/$jar_id/run failed" $?
echo
