#!/usr/bin/env bash
# Start-up and idle memory as a user meets them: the demo jar started with `java -jar`, timed
# from the launch to its first 200 on /hello (polled every 10 ms over bash's /dev/tcp), then its resident memory
# (RSS, from /proc) after 3 s idle; beside it, in the same run, the minimal hand-written Netty
# server (bench/src/RawNettyServer.java), Spring Boot's own floor (bench/boot-floor: a Boot
# application whose only server is the JDK's HttpServer, built here when missing) and nginx with
# one worker. Runs alternate the servers so
# that machine noise hits all of them. With CDS=1 the demo also runs from a class-data-sharing
# archive, made as Spring Boot documents it: the jar extracted (-Djarmode=tools extract), then a
# training run (-XX:ArchiveClassesAtExit, -Dspring.context.exit=onRefresh).
#
#   bench/startup.sh                 # 5 runs each, JVM flags as the README gives them
#   RUNS=1 bench/startup.sh          # the short variant
#   JAVA_FLAGS="-XX:+UseSerialGC -Xmx256m" bench/startup.sh   # the flags the README suggests
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(realpath -m "${1:-demo-app/target/demo-app.jar}")
[ -f "$JAR" ] || { echo "no $JAR: build it first with ./mvnw -q -DskipTests package" >&2; exit 2; }
RUNS=${RUNS:-5}
JAVA_FLAGS=${JAVA_FLAGS:-}      # none: java -jar, as a user starts it
PORT=18401
. bench/lib.sh
need_nginx
require_free_ports $PORT
bench_classpath
FLOOR=bench/boot-floor/target/boot-floor.jar
[ -f "$FLOOR" ] || ./mvnw -q -f bench/boot-floor/pom.xml package -DskipTests
out=bench/out/startup
mkdir -p "$out/nginx" "$out/www"
echo -n "Hello, World!" > "$out/www/hello"
cat > "$out/nginx/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $PWD/$out/nginx/nginx.pid; error_log $PWD/$out/nginx/error.log;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:$PORT; location /hello { return 200 "Hello, World!"; } } }
CONF

now_ms() { date +%s%3N; }
exec {pause}<> <(:) # a pipe that never has data: reading it with a timeout is a pause in bash itself

# whether GET /hello answers 200; bash's own /dev/tcp, so that polling every 10 ms does not start a
# curl process each time (on two cores those starts slowed the server being timed by about a second)
hello_ok() {
  { exec 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null || return 1
  printf 'GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
  local status=""
  IFS= read -r -t 2 status <&3 || true
  exec 3<&-
  [[ $status == "HTTP/1.1 200"* ]]
}

# start_and_time NAME CMD... -> prints "ms rss_kib"; the server is stopped by its PID
start_and_time() {
  local name=$1; shift
  local t0 pid t1 rss
  t0=$(now_ms)
  "$@" > "$out/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 3000); do
    if hello_ok; then break; fi
    kill -0 "$pid" 2>/dev/null || { echo "$name exited: see $out/$name.log" >&2; return 1; }
    read -r -t 0.01 -u "$pause" || true # 10 ms without starting a sleep process
  done
  t1=$(now_ms)
  sleep 3
  rss=0 # the process and its children (nginx's worker beside its master)
  for p in $pid $(pgrep -P "$pid"); do rss=$((rss + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$((t1 - t0)) $rss"
}

if [ "${CDS:-0}" = 1 ]; then # Spring Boot's documented recipe: extract the jar, train once, exit when refreshed
  rm -rf "$out/extracted"
  java -Djarmode=tools -jar "$JAR" extract --destination "$out/extracted" > "$out/extract.log" 2>&1
  XJAR="$out/extracted/$(basename "$JAR")"
  java -XX:ArchiveClassesAtExit="$out/demo.jsa" -Dspring.context.exit=onRefresh -jar "$XJAR" \
    --server.port=$PORT > "$out/cds-training.log" 2>&1 || true
fi

declare -A ms rss
for r in $(seq 1 "$RUNS"); do
  read -r m k < <(start_and_time demo java $JAVA_FLAGS -jar "$JAR" --server.port=$PORT)
  ms[demo]+="$m "; rss[demo]+="$k "
  if [ "${CDS:-0}" = 1 ]; then
    read -r m k < <(start_and_time demo-cds java $JAVA_FLAGS -XX:SharedArchiveFile="$out/demo.jsa" -jar "$XJAR" --server.port=$PORT)
    ms[demo-cds]+="$m "; rss[demo-cds]+="$k "
  fi
  read -r m k < <(start_and_time boot-floor java $JAVA_FLAGS -jar "$FLOOR" --server.port=$PORT)
  ms[boot-floor]+="$m "; rss[boot-floor]+="$k "
  read -r m k < <(start_and_time netty java $JAVA_FLAGS -cp "$cp" RawNettyServer "$PORT" 1 "$PWD/$out/www")
  ms[netty]+="$m "; rss[netty]+="$k "
  read -r m k < <(start_and_time nginx nginx -c "$PWD/$out/nginx/nginx.conf" -p "$PWD/$out/nginx")
  ms[nginx]+="$m "; rss[nginx]+="$k "
done

printf "\n%-10s %10s %10s %14s   %s\n" server "start ms" "(min-max)" "idle RSS MiB" "runs"
for s in demo demo-cds boot-floor netty nginx; do
  [ -n "${ms[$s]:-}" ] || continue
  med=$(echo "${ms[$s]}" | tr ' ' '\n' | grep . | median)
  lo=$(echo "${ms[$s]}" | tr ' ' '\n' | grep . | sort -n | head -1)
  hi=$(echo "${ms[$s]}" | tr ' ' '\n' | grep . | sort -n | tail -1)
  r=$(echo "${rss[$s]}" | tr ' ' '\n' | grep . | median)
  printf "%-10s %10s %10s %14.1f   %s\n" "$s" "$med" "$lo-$hi" "$(awk -v k="$r" 'BEGIN {print k / 1024}')" "${ms[$s]}"
done
echo "JVM flags: $JAVA_FLAGS; java: $(java -version 2>&1 | head -1)"
