#!/usr/bin/env bash
# WebSocket echo: 64-byte text messages over 64 sockets, each sending the next message when its
# echo has come back (bench/src/WsEchoLoad, one event loop), against the engine (bench/src/EngineServer
# with -Dwebsocket=true: location /ws/echo, websocket with its defaults, one event loop) and a minimal
# hand-written Netty WebSocket echo server (bench/src/RawNettyWsServer, one event loop), side by side
# in one run with interleaved rounds. Every JVM -Xms512m -Xmx512m -XX:+UseParallelGC. Unpinned unless
# PIN=1 (servers on CPU 0, the load on CPU 1). Prints messages/s, p99 and the ratio (median of the
# per-round ratios).
#
#   bench/websocket.sh                                            # 3 rounds x 8 s, 5 s warm-up
#   ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=1 bench/websocket.sh # short variant
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-8}
WARMUP=${WARMUP_SECONDS:-5}
CONNECTIONS=${CONNECTIONS:-64}
if [ "${PIN:-0}" = 1 ]; then SERVER_CPU="taskset -c 0"; LOAD_CPU="taskset -c 1"; else SERVER_CPU=""; LOAD_CPU=""; fi
E_PORT=18311; R_PORT=18312
. bench/lib.sh
require_free_ports $E_PORT $R_PORT
bench_classpath
out=bench/out/websocket
mkdir -p "$out"
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}

$SERVER_CPU java $JAVA_OPTS -Dwebsocket=true -cp "$cp" EngineServer "127.0.0.1:$E_PORT" 1 > "$out/engine.log" 2>&1 &
engine_pid=$!
$SERVER_CPU java $JAVA_OPTS -cp "$cp" RawNettyWsServer "$R_PORT" 1 > "$out/raw.log" 2>&1 &
raw_pid=$!
trap 'kill $engine_pid $raw_pid 2>/dev/null || true' EXIT
wait_for "http://127.0.0.1:$E_PORT/hello"
for _ in $(seq 1 100); do grep -q listening "$out/raw.log" && break; sleep 0.1; done

load() { # URL SECONDS -> "messages_per_second p99_ms"
  $LOAD_CPU java $JAVA_OPTS -cp "$cp" WsEchoLoad "$1" "$CONNECTIONS" "$2" 2>>"$out/load.err" | tail -1
}

engine_url="ws://127.0.0.1:$E_PORT/ws/echo"
raw_url="ws://127.0.0.1:$R_PORT/ws/echo"
load "$engine_url" "$WARMUP" > /dev/null
load "$raw_url" "$WARMUP" > /dev/null
printf '%-8s %-28s %-28s %s\n' round "engine msg/s (p99 ms)" "raw netty msg/s (p99 ms)" "engine/raw"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then e=$(load "$engine_url" "$SECS"); r=$(load "$raw_url" "$SECS")
  else r=$(load "$raw_url" "$SECS"); e=$(load "$engine_url" "$SECS"); fi
  read -r e_rate e_p99 <<< "$e"
  read -r r_rate r_p99 <<< "$r"
  ratio=$(awk -v a="$e_rate" -v b="$r_rate" 'BEGIN { printf "%.2f", a / b }')
  ratios+=("$ratio")
  printf '%-8s %-28s %-28s %s\n' "$round" "$e_rate ($e_p99)" "$r_rate ($r_p99)" "$ratio"
done
echo "median engine/raw netty: $(printf '%s\n' "${ratios[@]}" | median)"
