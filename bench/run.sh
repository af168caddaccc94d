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
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
ulimit -n 65536 2>/dev/null || true

out=bench/out
mkdir -p "$out"
./mvnw -q -B -pl engine-core -DskipTests install
./mvnw -q -B -pl engine-core dependency:build-classpath -Dmdep.outputFile="$PWD/$out/cp.txt" -Dmdep.includeScope=runtime
cp="$PWD/engine-core/target/classes:$(cat "$out/cp.txt")"
javac -q -d "$out/classes" -cp "$cp" bench/src/*.java 2>/dev/null || javac -d "$out/classes" -cp "$cp" bench/src/*.java
cp="$cp:$out/classes"

JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
taskset -c 0 java $JAVA_OPTS -cp "$cp" EngineServer "127.0.0.1:$ENGINE_PORT" 1 > "$out/engine.log" 2>&1 &
engine_pid=$!
taskset -c 0 java $JAVA_OPTS -cp "$cp" RawNettyServer "$RAW_PORT" 1 > "$out/raw.log" 2>&1 &
raw_pid=$!
trap 'kill $engine_pid $raw_pid 2>/dev/null || true' EXIT
for port in $ENGINE_PORT $RAW_PORT; do
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/hello" >/dev/null && break; sleep 0.1; done
done
[ "$(curl -s http://127.0.0.1:$ENGINE_PORT/hello)" = "Hello, World!" ] || { echo "engine not answering"; exit 1; }

run() { # port connections seconds -> "rps p99_ms"
  local threads=1; [ "$2" -ge 512 ] && threads=2
  taskset -c 1 wrk -t"$threads" -c"$2" -d"$3"s --latency "http://127.0.0.1:$1/hello" > "$out/wrk.txt" 2>&1
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$out/wrk.txt")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$out/wrk.txt")
  [ -z "$errors" ] || echo "  wrk reported: $errors" >&2
  # wrk prints latency as 1.23ms, 850.00us or 1.02s
  p99=$(echo "$p99" | awk '/ms$/ {sub("ms","");print;next} /us$/ {sub("us","");print $1/1000;next} /s$/ {sub("s","");print $1*1000;next}')
  echo "$rps $p99"
}

echo "warming up both servers..."
# the engine has more code for the JIT to compile than the reference, on one pinned core:
# shorter warm-ups measure compilation, not serving (its p99 settles after about 30 s)
WARMUP=${WARMUP_SECONDS:-30}
run $ENGINE_PORT 64 "$WARMUP" >/dev/null; run $RAW_PORT 64 "$WARMUP" >/dev/null
run $ENGINE_PORT 1000 "$WARMUP" >/dev/null; run $RAW_PORT 1000 "$WARMUP" >/dev/null

printf '\n%-6s %-6s %12s %12s %10s %10s %8s %8s\n' conns round engine_rps raw_rps engine_p99 raw_p99 rps_x p99_x
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
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
