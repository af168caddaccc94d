#!/usr/bin/env bash
# Memory per idle keep-alive connection: each server (the engine with only a location, the
# minimal Netty server, nginx with one worker) serves COUNT connections that each made one request
# and wait for the next; its RSS (from /proc) is read before and with them, and for the JVMs also
# the live heap after a full GC (jcmd GC.run, then jstat), each growth divided by COUNT. Every
# JVM: -Xms512m -Xmx512m -XX:+UseParallelGC, one event loop.
#
#   bench/connections.sh              # 10,000 connections
#   COUNT=1000 bench/connections.sh   # the short variant
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${COUNT:-10000}
PORT=18430
. bench/lib.sh
need_nginx
require_free_ports $PORT
bench_classpath
out=bench/out/connections
mkdir -p "$out/nginx"
cat > "$out/nginx/nginx.conf" <<CONF
daemon off; worker_processes 1; worker_rlimit_nofile 65536; pid $PWD/$out/nginx/nginx.pid;
error_log $PWD/$out/nginx/error.log;
events { worker_connections $((COUNT + 100)); }
http { access_log off; keepalive_timeout 120s; server { listen 127.0.0.1:$PORT; location /hello { return 200 "Hello, World!"; } } }
CONF
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx512m -XX:+UseParallelGC"}

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# live heap in KiB after a full GC (survivors, eden and old generation in use)
live_kib() {
  jcmd "$1" GC.run > /dev/null
  jstat -gc "$1" | awk 'NR == 2 {printf "%d\n", $3 + $4 + $6 + $8}'
}

# measure NAME PID [jvm]: RSS and (JVMs) live heap before and with COUNT idle connections
measure() {
  local name=$1 pid=$2 jvm=${3:-} before during heap0=0 heap1=0 clients
  wait_for "http://127.0.0.1:$PORT/hello"
  for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$PORT/hello"; done
  [ -n "$jvm" ] && heap0=$(live_kib "$pid")
  sleep 1
  before=$(rss_kib "$pid")
  java -cp "$cp" IdleClients "$PORT" "$COUNT" 30 > "$out/clients.log" 2>&1 &
  clients=$!
  for _ in $(seq 1 600); do grep -q "^open" "$out/clients.log" 2>/dev/null && break; sleep 0.1; done
  grep -q "^open $COUNT" "$out/clients.log" || { echo "$name: clients did not open: $(cat "$out/clients.log")" >&2; kill $clients; return 1; }
  sleep 2
  during=$(rss_kib "$pid")
  [ -n "$jvm" ] && heap1=$(live_kib "$pid")
  kill $clients 2>/dev/null; wait $clients 2>/dev/null || true
  local heap="n/a"
  [ -n "$jvm" ] && heap=$(printf '%.0f' "$(echo "($heap1 - $heap0) * 1024 / $COUNT" | bc -l)")
  printf '%-8s %12d %12d %14.0f %16s\n' "$name" "$before" "$during" \
    "$(echo "($during - $before) * 1024 / $COUNT" | bc -l)" "$heap"
}

printf '%-8s %12s %12s %14s %16s\n' server "RSS KiB" "with conns" "RSS bytes/conn" "live heap/conn"
java $JAVA_OPTS -Dworker.connections=$((COUNT + 100)) -cp "$cp" EngineServer "127.0.0.1:$PORT" 1 > "$out/engine.log" 2>&1 &
pid=$!
measure engine $pid jvm || true
kill $pid; wait $pid 2>/dev/null || true
java $JAVA_OPTS -cp "$cp" RawNettyServer "$PORT" 1 > "$out/raw.log" 2>&1 &
pid=$!
measure netty $pid jvm || true
kill $pid; wait $pid 2>/dev/null || true
nginx -p "$PWD/$out/nginx" -c "$PWD/$out/nginx/nginx.conf" > "$out/nginx/stdout.log" 2>&1 &
pid=$!
wait_for "http://127.0.0.1:$PORT/hello"
measure nginx "$(pgrep -P $pid)" || true # the worker holds the connections
kill $pid; wait $pid 2>/dev/null || true
echo "$COUNT idle keep-alive connections, each after one GET /hello"
