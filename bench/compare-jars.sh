#!/usr/bin/env bash
# Two builds of the demo app side by side with nginx, in one run, for a before/after of a change:
# GET /hello (return 200) and static 1 KiB and 1 MiB files from a plain root + location, the
# config a user writes. wrk -t1 -c64 (16 for 1 MiB), servers and wrk unpinned, every JVM
# -Xms512m -Xmx512m -XX:+UseParallelGC, nginx one worker with sendfile, tcp_nopush, tcp_nodelay
# and no access log; rounds interleave the three servers (the two builds in alternating order) so
# that machine noise hits all of them.
# Ratios are medians of the per-round ratios.
#
#   bench/compare-jars.sh BEFORE.jar AFTER.jar                  # 3 rounds x 8 s, 5 s warm-up
#   ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=1 bench/compare-jars.sh A.jar B.jar   # short variant
#   PIN=1 SCENARIOS="/files/1m.bin:16" ROUNDS=7 bench/compare-jars.sh A.jar B.jar  # servers on CPU 0, wrk on CPU 1
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: $0 BEFORE.jar AFTER.jar" >&2; exit 2; }
BEFORE=$(realpath "$1"); AFTER=$(realpath "$2")
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-8}
WARMUP=${WARMUP_SECONDS:-5}
SCENARIOS=${SCENARIOS:-"/hello:64 /files/1k.bin:64 /files/1m.bin:16"}
if [ "${PIN:-0}" = 1 ]; then SERVER_CPU="taskset -c 0"; WRK_CPU="taskset -c 1"; else SERVER_CPU=""; WRK_CPU=""; fi
A_PORT=18101; B_PORT=18102; N_PORT=18103
out=bench/out/compare
mkdir -p "$out/www" "$out/nginx"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; }
ulimit -n 65536 2>/dev/null || true
www="$PWD/$out/www"
head -c 1024 /dev/urandom > "$www/1k.bin"
head -c 1048576 /dev/urandom > "$www/1m.bin"

yml() { # port -> the application.yml of one engine
  cat <<YML
engine:
  servers:
    - listen: ["127.0.0.1:$1"]
      root: $www
      locations:
        - location: /hello
          return: 200 Hello, World!
        - location: /files/
          alias: $www/
YML
}
yml $A_PORT > "$out/before.yml"; yml $B_PORT > "$out/after.yml"
cat > "$out/nginx/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $PWD/$out/nginx/nginx.pid; error_log $PWD/$out/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off; sendfile on; tcp_nopush on; tcp_nodelay on; keepalive_requests 1000000;
  default_type application/octet-stream;
  server { listen 127.0.0.1:$N_PORT;
    location /hello { return 200 "Hello, World!"; }
    location /files/ { alias $www/; } }
}
CONF

JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"
$SERVER_CPU java $JAVA_OPTS -jar "$BEFORE" --spring.config.location="file:$PWD/$out/before.yml" > "$out/before.log" 2>&1 &
a_pid=$!
$SERVER_CPU java $JAVA_OPTS -jar "$AFTER" --spring.config.location="file:$PWD/$out/after.yml" > "$out/after.log" 2>&1 &
b_pid=$!
$SERVER_CPU nginx -p "$PWD/$out/nginx" -c "$PWD/$out/nginx/nginx.conf" > "$out/nginx/stdout.log" 2>&1 &
n_pid=$!
trap 'kill $a_pid $b_pid $n_pid 2>/dev/null || true' EXIT
for port in $A_PORT $B_PORT $N_PORT; do
  for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$port/hello" && break; sleep 0.1; done
  [ "$(curl -s "http://127.0.0.1:$port/hello")" = "Hello, World!" ] || { echo "port $port: no hello" >&2; exit 1; }
  cmp -s <(curl -s "http://127.0.0.1:$port/files/1m.bin") "$www/1m.bin" || { echo "port $port sends other bytes" >&2; exit 1; }
done

rps() { # url connections seconds -> requests/s
  $WRK_CPU wrk -t1 -c"$2" -d"$3"s "$1" > "$out/wrk.txt" 2>&1
  if grep -q "Non-2xx\|Socket errors" "$out/wrk.txt"; then grep "Non-2xx\|Socket errors" "$out/wrk.txt" >&2; fi
  awk '/Requests\/sec/ {print $2}' "$out/wrk.txt"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

scenario() { # path connections
  local path=$1 conns=$2 rows=()
  for port in $A_PORT $B_PORT $N_PORT; do rps "http://127.0.0.1:$port$path" "$conns" "$WARMUP" > /dev/null; done
  printf '\n%-16s %-5s %10s %10s %10s %12s %12s %12s\n' "$path" round before after nginx before/ngx after/ngx after/before
  for round in $(seq 1 "$ROUNDS"); do
    local a b n
    if [ $((round % 2)) = 1 ]; then # alternate which build goes first, so that drift within a round hits both
      a=$(rps "http://127.0.0.1:$A_PORT$path" "$conns" "$SECS")
      b=$(rps "http://127.0.0.1:$B_PORT$path" "$conns" "$SECS")
    else
      b=$(rps "http://127.0.0.1:$B_PORT$path" "$conns" "$SECS")
      a=$(rps "http://127.0.0.1:$A_PORT$path" "$conns" "$SECS")
    fi
    n=$(rps "http://127.0.0.1:$N_PORT$path" "$conns" "$SECS")
    printf '%-16s %-5s %10.0f %10.0f %10.0f %12.3f %12.3f %12.3f\n' "$path" "$round" "$a" "$b" "$n" \
      "$(echo "$a / $n" | bc -l)" "$(echo "$b / $n" | bc -l)" "$(echo "$b / $a" | bc -l)"
    rows+=("$a $b $n")
  done
  ratio() { for row in "${rows[@]}"; do echo "$row" | awk -v x="$1" -v y="$2" '{print $x / $y}'; done | median; }
  printf '%-16s %-5s %32s %12.3f %12.3f %12.3f   (requests/s, %s connections, medians of per-round ratios)\n' \
    "$path" median "" "$(ratio 1 3)" "$(ratio 2 3)" "$(ratio 2 1)" "$conns"
}
echo "before: $BEFORE"; echo "after:  $AFTER"
for s in $SCENARIOS; do scenario "${s%%:*}" "${s##*:}"; done
echo
echo "wrk -t1, $([ -n "$SERVER_CPU" ] && echo "servers pinned to CPU 0, wrk to CPU 1" || echo "servers and wrk unpinned"), JVMs $JAVA_OPTS, nginx 1 worker; $ROUNDS rounds of ${SECS}s after ${WARMUP}s warm-up"
