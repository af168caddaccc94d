#!/usr/bin/env bash
# The reverse proxy: the engine (the demo app's jar) and nginx with one worker, each proxying to
# the same minimal Netty backend (bench/src/RawNettyServer, one event loop), side by side in one
# run with interleaved rounds:
#   /hello              a 13-byte body            wrk -t1 -c64
#   /files/1m.bin       a 1 MiB body              wrk -t1 -c64
# nginx: upstream with keepalive 32, proxy_http_version 1.1, proxy_set_header Connection "",
# access_log off; the engine: an upstream with its default keepalive (32), nothing else. Every
# JVM -Xms512m -Xmx512m -XX:+UseParallelGC. Servers and clients unpinned unless PIN=1 (the two
# proxies on CPU 0, the backend and wrk on CPU 1). Prints requests/s, p99 and the ratios
# (medians of per-round ratios).
#
#   bench/proxy.sh [demo-app.jar]                                 # 3 rounds x 8 s, 5 s warm-up
#   ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=1 bench/proxy.sh     # short variant
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(realpath "${1:-demo-app/target/demo-app.jar}")
[ -f "$JAR" ] || { echo "no $JAR: ./mvnw -q -DskipTests -Dinvoker.skip install first" >&2; exit 2; }
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-8}
WARMUP=${WARMUP_SECONDS:-5}
SCENARIOS=${SCENARIOS:-"/hello /files/1m.bin"}
if [ "${PIN:-0}" = 1 ]; then PROXY_CPU="taskset -c 0"; OTHER_CPU="taskset -c 1"; else PROXY_CPU=""; OTHER_CPU=""; fi
B_PORT=18301; E_PORT=18302; N_PORT=18303
. bench/lib.sh
need_nginx
require_free_ports $B_PORT $E_PORT $N_PORT
bench_classpath
out=bench/out/proxy
mkdir -p "$out/www" "$out/nginx"
www="$PWD/$out/www"
head -c 1048576 /dev/urandom > "$www/1m.bin"

cat > "$out/engine.yml" <<YML
engine:
  upstreams:
    - name: backend
      servers: ["127.0.0.1:$B_PORT"]
  servers:
    - listen: ["127.0.0.1:$E_PORT"]
      keepalive-requests: 1000000   # as nginx's below: neither ends a connection during a run
      locations:
        - location: /
          proxy-pass: http://backend
YML
cat > "$out/nginx/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $PWD/$out/nginx/nginx.pid; error_log $PWD/$out/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off; keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$B_PORT; keepalive 32; }
  server { listen 127.0.0.1:$N_PORT;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; } }
}
CONF

JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"
$OTHER_CPU java $JAVA_OPTS -cp "$cp" RawNettyServer "$B_PORT" 1 "$www" > "$out/backend.log" 2>&1 &
b_pid=$!
$PROXY_CPU java $JAVA_OPTS -jar "$JAR" --spring.config.location="file:$PWD/$out/engine.yml" > "$out/engine.log" 2>&1 &
e_pid=$!
$PROXY_CPU nginx -p "$PWD/$out/nginx" -c "$PWD/$out/nginx/nginx.conf" > "$out/nginx/stdout.log" 2>&1 &
n_pid=$!
trap 'kill $b_pid $e_pid $n_pid 2>/dev/null || true' EXIT
for port in $B_PORT $E_PORT $N_PORT; do
  wait_for "http://127.0.0.1:$port/hello"
  [ "$(curl -s "http://127.0.0.1:$port/hello")" = "Hello, World!" ] || { echo "port $port: no hello" >&2; exit 1; }
  cmp -s <(curl -s "http://127.0.0.1:$port/files/1m.bin") "$www/1m.bin" || { echo "port $port sends other bytes" >&2; exit 1; }
done

run() { # url seconds -> "rps p99_ms"
  $OTHER_CPU wrk -t1 -c64 -d"$2"s --latency "$1" > "$out/wrk.txt" 2>&1
  if grep -qE "Non-2xx|Socket errors" "$out/wrk.txt"; then grep -E "Non-2xx|Socket errors" "$out/wrk.txt" >&2; fi
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$out/wrk.txt" \
    | awk '/ms$/ {sub("ms","");print;next} /us$/ {sub("us","");print $1/1000;next} /s$/ {sub("s","");print $1*1000;next}')
  echo "$rps $p99"
}

scenario() { # path
  local path=$1 rows=()
  run "http://127.0.0.1:$E_PORT$path" "$WARMUP" > /dev/null
  run "http://127.0.0.1:$N_PORT$path" "$WARMUP" > /dev/null
  printf '\n%-14s %-5s %10s %10s %10s %9s %9s %10s\n' "$path" round engine nginx engine/ngx "e p99ms" "n p99ms" "p99 e/n"
  for round in $(seq 1 "$ROUNDS"); do
    local e n
    if [ $((round % 2)) = 1 ]; then
      e=$(run "http://127.0.0.1:$E_PORT$path" "$SECS"); n=$(run "http://127.0.0.1:$N_PORT$path" "$SECS")
    else
      n=$(run "http://127.0.0.1:$N_PORT$path" "$SECS"); e=$(run "http://127.0.0.1:$E_PORT$path" "$SECS")
    fi
    set -- $e $n
    printf '%-14s %-5s %10.0f %10.0f %10.3f %9.2f %9.2f %10.3f\n' "$path" "$round" "$1" "$3" "$(echo "$1 / $3" | bc -l)" \
      "$2" "$4" "$(echo "$2 / $4" | bc -l)"
    rows+=("$1 $3 $2 $4")
  done
  printf '%-14s %-5s %21s %10.3f %19s %10.3f   (medians of per-round ratios)\n' "$path" median "" \
    "$(for row in "${rows[@]}"; do echo "$row" | awk '{print $1 / $2}'; done | median)" "" \
    "$(for row in "${rows[@]}"; do echo "$row" | awk '{print $3 / $4}'; done | median)"
}
echo "engine: $JAR"
for s in $SCENARIOS; do
  scenario "$s"
done
echo
echo "$([ -n "$PROXY_CPU" ] && echo "proxies pinned to CPU 0, backend and wrk to CPU 1" || echo "unpinned"), JVM $JAVA_OPTS, nginx 1 worker; $ROUNDS rounds of ${SECS}s after ${WARMUP}s warm-up"
