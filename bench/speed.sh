#!/usr/bin/env bash
# The speed a user meets: the engine configured as a user writes it (`root` and `location /files/`,
# nothing else), beside nginx with one worker and a minimal hand-written Netty server
# (bench/src/RawNettyServer.java), in one run on loopback, rounds interleaved so that machine
# noise hits all three. Scenarios: GET /hello (`return 200`) at 64 and 1000 connections, a 1 KiB
# and a 1 MiB file with the defaults, and the 1 KiB file from a location with `open-file-cache`
# (1k-tuned; nginx stays without open_file_cache). nginx: sendfile, tcp_nopush and tcp_nodelay
# on, access_log off, everything else its default; every JVM -Xms512m -Xmx512m -XX:+UseParallelGC
# and one event loop. wrk: -t1 (-t2 at 1000 connections), 64 connections unless said.
#
# Scenario names (SCENARIOS, default all): hello-64 hello-1000 1k 1k-tuned 1m.
#
#   bench/speed.sh                          # unpinned: servers and wrk share both cores
#   MODE=pinned bench/speed.sh              # each server on CPU 0, wrk on CPU 1
#   SCENARIOS="1k 1m" ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=1 bench/speed.sh   # short (ratios not meaningful)
#
# Prints, per scenario, every round and the medians, then one table: the medians of the
# per-round ratios engine/nginx and engine/Netty, p99 engine/nginx, and the issue's target.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${MODE:-unpinned}
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-8}
WARMUP=${WARMUP_SECONDS:-5}
SCENARIOS=${SCENARIOS:-"hello-64 hello-1000 1k 1k-tuned 1m"}
ENGINE_PORT=18084
RAW_PORT=18094
NGINX_PORT=18095
case $MODE in
  pinned) server_pin="taskset -c 0"; wrk_pin="taskset -c 1" ;;
  unpinned) server_pin=""; wrk_pin="" ;;
  *) echo "MODE is pinned or unpinned, not $MODE" >&2; exit 2 ;;
esac
. bench/lib.sh
need_nginx
require_free_ports $ENGINE_PORT $RAW_PORT $NGINX_PORT
bench_classpath
out=bench/out/speed
www="$PWD/$out/www"
mkdir -p "$www/files" "$out/nginx"
head -c 1024 /dev/urandom > "$www/files/1k.bin"
head -c 1048576 /dev/urandom > "$www/files/1m.bin"
cat > "$out/nginx/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $PWD/$out/nginx/nginx.pid; error_log $PWD/$out/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off; sendfile on; tcp_nopush on; tcp_nodelay on;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$NGINX_PORT; root $www;
    location /hello { return 200 "Hello, World!"; }
    location /files/ { }
  }
}
CONF

JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
$server_pin java $JAVA_OPTS -cp "$cp" EngineServer "127.0.0.1:$ENGINE_PORT" 1 "$www" > "$out/engine.log" 2>&1 &
engine_pid=$!
$server_pin java $JAVA_OPTS -cp "$cp" RawNettyServer "$RAW_PORT" 1 "$www/files" > "$out/raw.log" 2>&1 &
raw_pid=$!
$server_pin nginx -p "$PWD/$out/nginx" -c "$PWD/$out/nginx/nginx.conf" > "$out/nginx/stdout.log" 2>&1 &
nginx_pid=$!
trap 'kill $engine_pid $raw_pid $nginx_pid 2>/dev/null || true' EXIT
for port in $ENGINE_PORT $RAW_PORT $NGINX_PORT; do
  wait_for "http://127.0.0.1:$port/files/1k.bin"
  cmp -s <(curl -s "http://127.0.0.1:$port/files/1m.bin") "$www/files/1m.bin" || { echo "port $port sends other bytes" >&2; exit 1; }
  [ "$(curl -s "http://127.0.0.1:$port/hello")" = "Hello, World!" ] || { echo "port $port: no hello" >&2; exit 1; }
done
cmp -s <(curl -s "http://127.0.0.1:$ENGINE_PORT/cached/1k.bin") "$www/files/1k.bin" || { echo "engine: /cached/ differs" >&2; exit 1; }

# scenario -> "engine_path other_path connections column(1 rps, 3 MB/s) target_ratio"
spec() {
  case $1 in
    hello-64) echo "/hello /hello 64 1 1.0" ;;
    hello-1000) echo "/hello /hello 1000 1 0.9" ;;
    1k) echo "/files/1k.bin /files/1k.bin 64 1 1.0" ;;
    1k-tuned) echo "/cached/1k.bin /files/1k.bin 64 1 1.5" ;;
    1m) echo "/files/1m.bin /files/1m.bin 64 3 1.0" ;;
    *) echo "unknown scenario $1" >&2; exit 2 ;;
  esac
}

summary=()
for s in $SCENARIOS; do
  read -r epath opath conns col target < <(spec "$s")
  for url in "$ENGINE_PORT$epath" "$RAW_PORT$opath" "$NGINX_PORT$opath"; do
    wrk_run "http://127.0.0.1:$url" "$conns" "$WARMUP" >/dev/null
  done
  printf '\n%-10s %-6s %12s %12s %12s %9s %9s %9s %9s %9s\n' "$s" round engine netty nginx eng/nginx eng/netty \
    p99-eng p99-netty p99-nginx
  rows=()
  for round in $(seq 1 "$ROUNDS"); do
    read -r e ep et < <(wrk_run "http://127.0.0.1:$ENGINE_PORT$epath" "$conns" "$SECS")
    read -r r rp rt < <(wrk_run "http://127.0.0.1:$RAW_PORT$opath" "$conns" "$SECS")
    read -r n np nt < <(wrk_run "http://127.0.0.1:$NGINX_PORT$opath" "$conns" "$SECS")
    if [ "$col" = 3 ]; then e=$et; r=$rt; n=$nt; fi
    printf '%-10s %-6s %12.1f %12.1f %12.1f %9.3f %9.3f %8.2fms %8.2fms %8.2fms\n' "$s" "$round" "$e" "$r" "$n" \
      "$(echo "$e / $n" | bc -l)" "$(echo "$e / $r" | bc -l)" "$ep" "$rp" "$np"
    rows+=("$e $r $n $ep $np $rp")
  done
  col_of() { for row in "${rows[@]}"; do echo "$row" | awk -v i="$1" '{print $i}'; done | median; }
  ratio_of() { for row in "${rows[@]}"; do echo "$row" | awk -v a="$1" -v b="$2" '{print $a / $b}'; done | median; }
  printf '%-10s %-6s %12.1f %12.1f %12.1f %9s %9s %8.2fms %8.2fms %8.2fms   (%s, %s connections)\n' "$s" median \
    "$(col_of 1)" "$(col_of 2)" "$(col_of 3)" "" "" "$(col_of 4)" "$(col_of 6)" "$(col_of 5)" \
    "$([ "$col" = 3 ] && echo MB/s || echo requests/s)" "$conns"
  summary+=("$s $(ratio_of 1 3) $(ratio_of 1 2) $(ratio_of 4 5) $target")
done

printf '\n%s, %s rounds x %ss; ratios are medians of the per-round ratios\n' "$MODE" "$ROUNDS" "$SECS"
printf '%-10s %10s %10s %14s %8s %s\n' scenario eng/nginx eng/netty p99-eng/nginx target ""
for row in "${summary[@]}"; do
  read -r s en er pn target <<< "$row"
  verdict=$(awk -v r="$en" -v t="$target" 'BEGIN {print (r >= t) ? "holds" : "misses"}')
  printf '%-10s %10.3f %10.3f %14.3f %8s %s\n' "$s" "$en" "$er" "$pn" ">= $target" "$verdict"
done
