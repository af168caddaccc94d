#!/usr/bin/env bash
# Throughput and p99 latency of the engine against a minimal hand-written Netty server, side
# by side in one run on loopback. Each server gets one event-loop thread pinned to CPU 0; wrk
# runs pinned to CPU 1. Rounds alternate engine / raw Netty so that machine noise hits both.
#
#   bench/run.sh                 # 3 rounds x 10 s at 64 and 1000 connections
#   ROUNDS=1 SECONDS_PER_RUN=3 WARMUP_SECONDS=3 bench/run.sh     # the short variant (ratios not meaningful)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-10}
CONNS=${CONNECTIONS:-"64 1000"}
ENGINE_PORT=18080
RAW_PORT=18090
. bench/lib.sh
bench_classpath

JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
taskset -c 0 java $JAVA_OPTS -cp "$cp" EngineServer "127.0.0.1:$ENGINE_PORT" 1 > "$out/engine.log" 2>&1 &
engine_pid=$!
taskset -c 0 java $JAVA_OPTS -cp "$cp" RawNettyServer "$RAW_PORT" 1 > "$out/raw.log" 2>&1 &
raw_pid=$!
trap 'kill $engine_pid $raw_pid 2>/dev/null || true' EXIT
wait_for "http://127.0.0.1:$ENGINE_PORT/hello"; wait_for "http://127.0.0.1:$RAW_PORT/hello"
[ "$(curl -s http://127.0.0.1:$ENGINE_PORT/hello)" = "Hello, World!" ] || { echo "engine not answering"; exit 1; }

run() { # port connections seconds -> "rps p99_ms"
  wrk_run "http://127.0.0.1:$1/hello" "$2" "$3" | awk '{print $1, $2}'
}

echo "warming up both servers..."
# the engine has more code for the JIT to compile than the reference, on one pinned core:
# shorter warm-ups measure compilation, not serving (its p99 settles after about 30 s)
WARMUP=${WARMUP_SECONDS:-30}
run $ENGINE_PORT 64 "$WARMUP" >/dev/null; run $RAW_PORT 64 "$WARMUP" >/dev/null
run $ENGINE_PORT 1000 "$WARMUP" >/dev/null; run $RAW_PORT 1000 "$WARMUP" >/dev/null

printf '\n%-6s %-6s %12s %12s %10s %10s %8s %8s\n' conns round engine_rps raw_rps engine_p99 raw_p99 rps_x p99_x
for c in $CONNS; do
  rows=()
  for round in $(seq 1 "$ROUNDS"); do
    read -r e ep < <(run $ENGINE_PORT "$c" "$SECS")
    read -r r rp < <(run $RAW_PORT "$c" "$SECS")
    printf '%-6s %-6s %12.0f %12.0f %9.2fms %9.2fms %8.3f %8.3f\n' "$c" "$round" "$e" "$r" "$ep" "$rp" \
      "$(echo "$e / $r" | bc -l)" "$(echo "$ep / $rp" | bc -l)"
    rows+=("$e $r $ep $rp")
  done
  col() { for row in "${rows[@]}"; do echo "$row" | awk -v i="$1" '{print $i}'; done | median; }
  me=$(col 1); mr=$(col 2); mep=$(col 3); mrp=$(col 4)
  printf '%-6s %-6s %12.0f %12.0f %9.2fms %9.2fms %8.3f %8.3f\n' "$c" median "$me" "$mr" "$mep" "$mrp" \
    "$(echo "$me / $mr" | bc -l)" "$(echo "$mep / $mrp" | bc -l)"
done
echo
echo "rps_x = engine/raw throughput (target >= 0.9); p99_x = engine/raw p99 latency (target <= 1.2)"
echo "each server: one event loop pinned to CPU 0; wrk pinned to CPU 1; medians over $ROUNDS rounds of ${SECS}s"
