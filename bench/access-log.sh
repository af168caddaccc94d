#!/usr/bin/env bash
# The access log's cost: the engine answering /hello with the access log off and with every
# request logged to a file in nginx's combined format, side by side in one run on loopback
# (each server one event loop pinned to CPU 0, wrk pinned to CPU 1, rounds alternating).
# Checks that the log holds exactly one line per request wrk counted.
#
#   bench/access-log.sh                                          # 3 rounds x 10 s at 64 connections
#   ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=2 bench/access-log.sh   # the short variant
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-10}
WARMUP=${WARMUP_SECONDS:-20}
OFF_PORT=18084
ON_PORT=18085
. bench/lib.sh
bench_classpath

log="$PWD/$out/access.log"
rm -f "$log"
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
taskset -c 0 java $JAVA_OPTS -cp "$cp" EngineServer "127.0.0.1:$OFF_PORT" 1 > "$out/engine-off.log" 2>&1 &
off_pid=$!
taskset -c 0 java $JAVA_OPTS -Daccess.log="$log" -cp "$cp" EngineServer "127.0.0.1:$ON_PORT" 1 > "$out/engine-on.log" 2>&1 &
on_pid=$!
trap 'kill $off_pid $on_pid 2>/dev/null || true' EXIT
wait_for "http://127.0.0.1:$OFF_PORT/hello"; wait_for "http://127.0.0.1:$ON_PORT/hello"

# wrk_count PORT SECONDS -> "rps requests"
wrk_count() {
  wrk_run "http://127.0.0.1:$1/hello" 64 "$2" >/dev/null
  echo "$(awk '/Requests\/sec/ {print $2}' "$out/wrk.txt") $(awk '/requests in/ {print $1}' "$out/wrk.txt")"
}

echo "warming up..."
wrk_count $OFF_PORT "$WARMUP" >/dev/null; wrk_count $ON_PORT "$WARMUP" >/dev/null
sleep 1
lines_before=$(wc -l < "$log")
sent=0
printf '\n%-6s %12s %12s %8s\n' round off_rps on_rps on/off
rows=()
for round in $(seq 1 "$ROUNDS"); do
  read -r off _ < <(wrk_count $OFF_PORT "$SECS")
  read -r on n < <(wrk_count $ON_PORT "$SECS")
  sent=$((sent + n))
  printf '%-6s %12.0f %12.0f %8.3f\n' "$round" "$off" "$on" "$(echo "$on / $off" | bc -l)"
  rows+=("$off $on")
done
col() { for row in "${rows[@]}"; do echo "$row" | awk -v i="$1" '{print $i}'; done | median; }
moff=$(col 1); mon=$(col 2)
printf '%-6s %12.0f %12.0f %8.3f\n' median "$moff" "$mon" "$(echo "$mon / $moff" | bc -l)"
sleep 2 # the writer thread empties its queue
lines=$(( $(wc -l < "$log") - lines_before ))
echo
echo "requests wrk completed against the logging server: $sent; lines written: $lines"
echo "target: on/off >= 0.9; lines written >= requests completed (wrk may leave a few in flight)"
