#!/usr/bin/env bash
# The whole test suite (README's test command, ./mvnw verify) RUNS times in a row while
# stress-ng keeps every core busy: a test whose bounds come from the machine's speed instead of
# the engine's configured timeouts fails here. Installs stress-ng (Debian) when missing, starts it
# and stops it by its PID, stops at the first failed run, and prints one line per run.
# Usage: tools/loaded-suite.sh [RUNS] [MAVEN_ARGS...]   (default 5 runs; e.g. tools/loaded-suite.sh 5 -o)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
command -v stress-ng >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq stress-ng; }
out=target/loaded-suite
mkdir -p "$out"
cores=$(nproc)
stress-ng --cpu "$cores" --timeout 0 --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null || true; wait "$stress" 2>/dev/null || true' EXIT
rc=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if ./mvnw -ntp "$@" verify >"$out/run-$i.log" 2>&1; then result=passed; else result=FAILED; rc=1; fi
  tests=$(grep -E '^\[(INFO|ERROR|WARNING)\] Tests run: [0-9]+, Failures' "$out/run-$i.log" | grep -v ' -- in ' \
    | awk -F'[:,]' '{t+=$2; f+=$4; e+=$6} END {printf "%d tests, %d failures, %d errors", t, f, e}')
  echo "run $i of $runs with stress-ng --cpu $cores: $result in $(( $(date +%s) - start )) s ($tests); log: $out/run-$i.log"
  [ "$result" = passed ] || break
done
exit $rc
