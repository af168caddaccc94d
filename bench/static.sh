#!/usr/bin/env bash
# Static files: a 1 KiB and a 1 MiB file served by the engine, by a minimal hand-written Netty
# server and by nginx (installed from Debian packages if missing), from the same directory,
# side by side in one run on loopback. Each server: one event loop (nginx: one worker) pinned
# to CPU 0; wrk pinned to CPU 1; rounds alternate the servers so machine noise hits all three.
# nginx runs with sendfile and open_file_cache, the engine with open-file-cache: each at its best.
#
#   bench/static.sh                                          # 3 rounds x 10 s
#   ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=2 bench/static.sh   # the short variant (ratios not meaningful)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-10}
WARMUP=${WARMUP_SECONDS:-20}
ENGINE_PORT=18082
RAW_PORT=18092
NGINX_PORT=18093
. bench/lib.sh
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; }
bench_classpath

www="$PWD/$out/www"
mkdir -p "$www" "$out/nginx"
head -c 1024 /dev/urandom > "$www/1k.bin"
head -c 1048576 /dev/urandom > "$www/1m.bin"

cat > "$out/nginx/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $PWD/$out/nginx/nginx.pid; error_log $PWD/$out/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  open_file_cache max=1000 inactive=60s;
  default_type application/octet-stream;
  server { listen 127.0.0.1:$NGINX_PORT; location /files/ { alias $www/; } }
}
CONF

JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}
taskset -c 0 java $JAVA_OPTS -cp "$cp" EngineServer "127.0.0.1:$ENGINE_PORT" 1 "$www" > "$out/engine.log" 2>&1 &
engine_pid=$!
taskset -c 0 java $JAVA_OPTS -cp "$cp" RawNettyServer "$RAW_PORT" 1 "$www" > "$out/raw.log" 2>&1 &
raw_pid=$!
taskset -c 0 nginx -p "$PWD/$out/nginx" -c "$PWD/$out/nginx/nginx.conf" > "$out/nginx/stdout.log" 2>&1 &
nginx_pid=$!
trap 'kill $engine_pid $raw_pid $nginx_pid 2>/dev/null || true' EXIT
for port in $ENGINE_PORT $RAW_PORT $NGINX_PORT; do
  wait_for "http://127.0.0.1:$port/files/1k.bin"
  cmp -s <(curl -s "http://127.0.0.1:$port/files/1m.bin") "$www/1m.bin" || { echo "port $port sends other bytes"; exit 1; }
done

echo "warming up the three servers..."
for port in $ENGINE_PORT $RAW_PORT $NGINX_PORT; do
  wrk_run "http://127.0.0.1:$port/files/1k.bin" 64 "$WARMUP" >/dev/null
  wrk_run "http://127.0.0.1:$port/files/1m.bin" 16 "$WARMUP" >/dev/null
done

# file connections column(1 rps, 3 MB/s) unit
measure() {
  local file=$1 conns=$2 col=$3 unit=$4 rows=()
  printf '\n%-8s %-6s %12s %12s %12s %9s %9s\n' "$file" round engine raw nginx eng/raw eng/nginx
  for round in $(seq 1 "$ROUNDS"); do
    local e r n
    e=$(wrk_run "http://127.0.0.1:$ENGINE_PORT/files/$file" "$conns" "$SECS" | awk -v c="$col" '{print $c}')
    r=$(wrk_run "http://127.0.0.1:$RAW_PORT/files/$file" "$conns" "$SECS" | awk -v c="$col" '{print $c}')
    n=$(wrk_run "http://127.0.0.1:$NGINX_PORT/files/$file" "$conns" "$SECS" | awk -v c="$col" '{print $c}')
    printf '%-8s %-6s %12.1f %12.1f %12.1f %9.3f %9.3f\n' "$file" "$round" "$e" "$r" "$n" \
      "$(echo "$e / $r" | bc -l)" "$(echo "$e / $n" | bc -l)"
    rows+=("$e $r $n")
  done
  col_of() { for row in "${rows[@]}"; do echo "$row" | awk -v i="$1" '{print $i}'; done | median; }
  ratio_of() { for row in "${rows[@]}"; do echo "$row" | awk -v a="$1" -v b="$2" '{print $a / $b}'; done | median; }
  local me mr mn
  me=$(col_of 1); mr=$(col_of 2); mn=$(col_of 3)
  printf '%-8s %-6s %12.1f %12.1f %12.1f %9.3f %9.3f   (%s, %s connections)\n' "$file" median "$me" "$mr" "$mn" \
    "$(echo "$me / $mr" | bc -l)" "$(echo "$me / $mn" | bc -l)" "$unit" "$conns"
  printf '%-8s %-6s %38s %9.3f %9.3f   (median of the rounds'"'"' ratios)\n' "$file" ratios "" \
    "$(ratio_of 1 2)" "$(ratio_of 1 3)"
}
measure 1k.bin 64 1 "requests/s"
measure 1m.bin 16 3 "MB/s"
echo
echo "targets: 1k.bin requests/s eng/nginx >= 1; 1m.bin MB/s eng/nginx >= 1"
echo "each server: one event loop (nginx: one worker) pinned to CPU 0; wrk pinned to CPU 1; medians over $ROUNDS rounds of ${SECS}s"
