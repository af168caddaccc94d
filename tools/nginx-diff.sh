#!/usr/bin/env bash
# The long run of the nginx differential harness (NginxDifferentialTests): generated
# configurations and requests answered by a real nginx and by the engine, compared.
# Installs nginx from Debian packages if missing (the test does it itself).
# Usage: tools/nginx-diff.sh [configurations [requests [seed]]]   (default 500 x 200, seed 1)
# Environment: SHRINK_SECONDS (default 120), BATCH (configurations per reload, default 50).
set -euo pipefail
cd "$(dirname "$0")/.."
configs=${1:-500}
requests=${2:-200}
seed=${3:-1}
log=engine-core/target/nginx-diff.log
mkdir -p engine-core/target
start=$(date +%s)
rc=0
# test-compile surefire:test, not test: the test phase would also run the fuzzing executions (minutes)
./mvnw -ntp -pl engine-core test-compile surefire:test -Dtest=NginxDifferentialTests -Dsurefire.failIfNoSpecifiedTests=false \
  -Dnginx.diff.configs="$configs" -Dnginx.diff.requests="$requests" -Dnginx.diff.seed="$seed" \
  -Dnginx.diff.shrink-seconds="${SHRINK_SECONDS:-120}" -Dnginx.diff.batch="${BATCH:-50}" > "$log" 2>&1 || rc=$?
report=engine-core/target/nginx-diff/report.txt
if [ ! -f "$report" ]; then
  echo "no report: the run failed before comparing; see $log" >&2
  grep -E '^\[ERROR\]|Exception' "$log" | head -20 >&2
  exit 1
fi
echo "wall time: $(( $(date +%s) - start )) s (maven log: $log, full report: $report)"
grep '^NGINX-DIFF' "$report" | sed 's/^NGINX-DIFF //'
exit $rc
