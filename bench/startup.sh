#!/usr/bin/env bash
# Start-up and idle memory as a user meets them: the demo jar started with `java -jar`, timed
# from the launch to its first 200 on /hello (polled every 10 ms over bash's /dev/tcp), then its resident memory
# (RSS, from /proc) after 3 s idle and again after 10 s, once the JVM has given back its compilers'
# start-up arenas (it pools them for 5 s; -XX:TrimNativeHeapInterval returns them to the system); beside it, in the same run, the minimal hand-written Netty
# server (bench/src/RawNettyServer.java), Spring Boot's own floor (bench/boot-floor: a Boot
# application whose only server is the JDK's HttpServer, built here when missing) and nginx with
# one worker, and the quick start's sample (samples/quickstart: the starter and two handlers, what a
# user's own project holds), whose distance to the floor is the engine's and the starter's own start.
# Runs alternate the servers so that machine noise hits all of them. demo-extracted is the demo jar
# extracted as Spring Boot's efficient deployment has it (-Djarmode=tools extract: the application's
# jar with its libraries beside it, not nested). With CDS=1 the demo also runs as Spring Boot
# documents a faster start: the extracted jar, a training run that exits once the context is
# refreshed (-Dspring.context.exit=onRefresh), then
#   demo-cds      JDK 17, class-data-sharing archive (-XX:ArchiveClassesAtExit / -XX:SharedArchiveFile)
#   demo-cds-aot  the same with Spring's AOT-generated bean definitions (-Dspring.aot.enabled=true;
#                 the demo's build runs process-aot)
#   demo-aotc     JDK 25's AOT cache (-XX:AOTCacheOutput / -XX:AOTCache) with spring.aot.enabled,
#                 when a JDK 25 is found (JAVA25, else /usr/lib/jvm/*25*)
#   quick-aotc    the sample with JDK 25's AOT cache (its build has no process-aot)
#   floor-aotc    Spring Boot's floor (below) with JDK 25's AOT cache: what the archive target stands on
#
#   bench/startup.sh                 # 5 runs each, JVM flags as the README gives them
#   RUNS=1 bench/startup.sh          # the short variant
#   CDS=1 bench/startup.sh           # also the faster starts above
#   JAVA_FLAGS="-XX:+UseSerialGC -Xms16m -Xmx256m -XX:TrimNativeHeapInterval=1000" bench/startup.sh  # the README's
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
QUICK=samples/quickstart/target/quickstart.jar
if [ ! -f "$QUICK" ]; then # against this checkout's starter, installed into the local repository
  ./mvnw -q -pl engine-spring-boot-starter -am install -DskipTests -Dinvoker.skip
  ./mvnw -q -f samples/quickstart/pom.xml package -DskipTests
fi
JAVA25=${JAVA25:-$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)}
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
  printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "${HELLO:-/hello}" >&3
  local status=""
  IFS= read -r -t 2 status <&3 || true
  exec 3<&-
  [[ $status == "HTTP/1.1 200"* ]]
}

# the resident memory of PID and its children (nginx's worker beside its master), in KiB
rss_kib() {
  local rss=0 p
  for p in $1 $(pgrep -P "$1"); do rss=$((rss + $(awk '/VmRSS/ {print $2}' "/proc/$p/status"))); done
  echo "$rss"
}

# start_and_time NAME CMD... -> prints "ms rss_kib_at_3s rss_kib_at_10s"; the server is stopped by its PID
start_and_time() {
  local name=$1; shift
  local t0 pid t1 rss3 rss10
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
  rss3=$(rss_kib "$pid")
  sleep 7
  rss10=$(rss_kib "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$((t1 - t0)) $rss3 $rss10"
}

# extract JAR JAVA DIR: the jar as Spring Boot's tools extract it (one directory, the libraries beside it)
extract() { rm -rf "$3"; "$2" -Djarmode=tools -jar "$1" extract --destination "$3" > "$3.log" 2>&1; }
# the jar extracted as Spring Boot's efficient deployment has it: the classes out of nested jars (less memory)
extract "$JAR" java "$out/extracted"
XJAR="$out/extracted/$(basename "$JAR")"
if [ "${CDS:-0}" = 1 ]; then # Spring Boot's documented recipe: the extracted jar, trained once, exits when refreshed
  train="-Dspring.context.exit=onRefresh"
  java -XX:ArchiveClassesAtExit="$out/demo.jsa" $train -jar "$XJAR" --server.port=$PORT > "$out/cds-training.log" 2>&1 || true
  java -XX:ArchiveClassesAtExit="$out/demo-aot.jsa" -Dspring.aot.enabled=true $train -jar "$XJAR" \
    --server.port=$PORT > "$out/cds-aot-training.log" 2>&1 || true
  if [ -n "$JAVA25" ]; then
    rm -f "$out/demo.aot" "$out/quick.aot"
    "$JAVA25" -XX:AOTCacheOutput="$out/demo.aot" -Dspring.aot.enabled=true $train -jar "$XJAR" \
      --server.port=$PORT > "$out/aotc-training.log" 2>&1 || true
    extract "$QUICK" "$JAVA25" "$out/quick-extracted"
    XQUICK="$out/quick-extracted/$(basename "$QUICK")"
    "$JAVA25" -XX:AOTCacheOutput="$out/quick.aot" $train -jar "$XQUICK" --server.port=$PORT \
      > "$out/quick-aotc-training.log" 2>&1 || true
    extract "$FLOOR" "$JAVA25" "$out/floor-extracted"
    XFLOOR="$out/floor-extracted/$(basename "$FLOOR")"
    "$JAVA25" -XX:AOTCacheOutput="$out/floor.aot" $train -jar "$XFLOOR" --server.port=$PORT \
      > "$out/floor-aotc-training.log" 2>&1 || true
  fi
fi

declare -A ms rss settled
for r in $(seq 1 "$RUNS"); do
  read -r m k k10 < <(start_and_time demo java $JAVA_FLAGS -jar "$JAR" --server.port=$PORT)
  ms[demo]+="$m "; rss[demo]+="$k "; settled[demo]+="$k10 "
  read -r m k k10 < <(start_and_time demo-extracted java $JAVA_FLAGS -jar "$XJAR" --server.port=$PORT)
  ms[demo-extracted]+="$m "; rss[demo-extracted]+="$k "; settled[demo-extracted]+="$k10 "
  if [ "${CDS:-0}" = 1 ]; then
    read -r m k k10 < <(start_and_time demo-cds java $JAVA_FLAGS -XX:SharedArchiveFile="$out/demo.jsa" -jar "$XJAR" --server.port=$PORT)
    ms[demo-cds]+="$m "; rss[demo-cds]+="$k "; settled[demo-cds]+="$k10 "
    read -r m k k10 < <(start_and_time demo-cds-aot java $JAVA_FLAGS -XX:SharedArchiveFile="$out/demo-aot.jsa" \
      -Dspring.aot.enabled=true -jar "$XJAR" --server.port=$PORT)
    ms[demo-cds-aot]+="$m "; rss[demo-cds-aot]+="$k "; settled[demo-cds-aot]+="$k10 "
    if [ -n "$JAVA25" ]; then
      read -r m k k10 < <(start_and_time demo-aotc "$JAVA25" $JAVA_FLAGS -XX:AOTCache="$out/demo.aot" \
        -Dspring.aot.enabled=true -jar "$XJAR" --server.port=$PORT)
      ms[demo-aotc]+="$m "; rss[demo-aotc]+="$k "; settled[demo-aotc]+="$k10 "
      read -r m k k10 < <(HELLO=/health start_and_time quick-aotc "$JAVA25" $JAVA_FLAGS -XX:AOTCache="$out/quick.aot" \
        -jar "$XQUICK" --server.port=$PORT)
      ms[quick-aotc]+="$m "; rss[quick-aotc]+="$k "; settled[quick-aotc]+="$k10 "
      read -r m k k10 < <(start_and_time floor-aotc "$JAVA25" $JAVA_FLAGS -XX:AOTCache="$out/floor.aot" \
        -jar "$XFLOOR" --server.port=$PORT)
      ms[floor-aotc]+="$m "; rss[floor-aotc]+="$k "; settled[floor-aotc]+="$k10 "
    fi
  fi
  read -r m k k10 < <(HELLO=/health start_and_time quickstart java $JAVA_FLAGS -jar "$QUICK" --server.port=$PORT)
  ms[quickstart]+="$m "; rss[quickstart]+="$k "; settled[quickstart]+="$k10 "
  read -r m k k10 < <(start_and_time boot-floor java $JAVA_FLAGS -jar "$FLOOR" --server.port=$PORT)
  ms[boot-floor]+="$m "; rss[boot-floor]+="$k "; settled[boot-floor]+="$k10 "
  read -r m k k10 < <(start_and_time netty java $JAVA_FLAGS -cp "$cp" RawNettyServer "$PORT" 1 "$PWD/$out/www")
  ms[netty]+="$m "; rss[netty]+="$k "; settled[netty]+="$k10 "
  read -r m k k10 < <(start_and_time nginx nginx -c "$PWD/$out/nginx/nginx.conf" -p "$PWD/$out/nginx")
  ms[nginx]+="$m "; rss[nginx]+="$k "; settled[nginx]+="$k10 "
done

printf "\n%-14s %10s %10s %12s %13s   %s\n" server "start ms" "(min-max)" "RSS 3 s MiB" "RSS 10 s MiB" "runs"
for s in demo demo-extracted demo-cds demo-cds-aot demo-aotc quickstart quick-aotc boot-floor floor-aotc netty nginx; do
  [ -n "${ms[$s]:-}" ] || continue
  med=$(echo "${ms[$s]}" | tr ' ' '\n' | grep . | median)
  lo=$(echo "${ms[$s]}" | tr ' ' '\n' | grep . | sort -n | head -1)
  hi=$(echo "${ms[$s]}" | tr ' ' '\n' | grep . | sort -n | tail -1)
  r=$(echo "${rss[$s]}" | tr ' ' '\n' | grep . | median)
  r10=$(echo "${settled[$s]}" | tr ' ' '\n' | grep . | median)
  printf "%-14s %10s %10s %12.1f %13.1f   %s\n" "$s" "$med" "$lo-$hi" "$(awk -v k="$r" 'BEGIN {print k / 1024}')" \
    "$(awk -v k="$r10" 'BEGIN {print k / 1024}')" "${ms[$s]}"
done
echo "JVM flags: $JAVA_FLAGS; java: $(java -version 2>&1 | head -1)${JAVA25:+; JDK 25: $("$JAVA25" -version 2>&1 | head -1)}"
