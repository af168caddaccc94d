#!/usr/bin/env bash
# 2 GiB uploads (curl -T - from /dev/zero, chunked) through the demo app's engine, -Xmx512m:
#   /buffered/  proxy-request-buffering on (the default): the body goes to a temporary file past
#               client-body-buffer-size (16k), then to the backend
#   /streamed/  proxy-request-buffering off: the body goes to the backend as it comes, the client
#               paced by the backend (the engine's streamRequestBody, as a streaming handler takes it)
# The backend is bench/src/upload_backend.py (it reads every byte and answers how many). Prints the heap
# used after a full GC before and after each upload (jcmd), and the most heap in use during it, garbage
# included (jstat every 200 ms). Issue target: heap growth under 64 MiB.
#
#   bench/upload.sh [demo-app.jar] [BYTES]
set -u
cd "$(dirname "$0")/.."
JAR=$(realpath "${1:-demo-app/target/demo-app.jar}")
BYTES=${2:-2147483648}
[ -f "$JAR" ] || { echo "no $JAR: ./mvnw -q -DskipTests -Dinvoker.skip install first" >&2; exit 2; }
. bench/lib.sh
require_free_ports 18501 18502 18503
out=bench/out/upload
mkdir -p "$out"
java -Xms512m -Xmx512m -XX:+UseParallelGC -jar $JAR --server.port=18501 --management.server.port=-1 \
  --engine.servers[0].locations[9].location=/buffered/ --engine.servers[0].locations[9].proxy-pass=http://127.0.0.1:18503/ \
  --engine.servers[0].locations[9].client-max-body-size=0 \
  --engine.servers[0].locations[10].location=/streamed/ --engine.servers[0].locations[10].proxy-pass=http://127.0.0.1:18503/ \
  --engine.servers[0].locations[10].client-max-body-size=0 --engine.servers[0].locations[10].proxy-request-buffering=off \
  --engine.servers[1].listen[0]=127.0.0.1:18502 --engine.servers[1].client-max-body-size=0 \
  --engine.servers[1].locations[0].location=/ --engine.servers[1].locations[0].return="201 stored" \
  > "$out/app.log" 2>&1 &
pid=$!
python3 bench/src/upload_backend.py & bpid=$!
trap 'kill $pid $bpid 2>/dev/null' EXIT
for i in $(seq 1 80); do curl -sf -o /dev/null http://127.0.0.1:18501/hi && break; sleep 0.5; done
heap() { jcmd $pid GC.run >/dev/null; sleep 0.5; jcmd $pid GC.heap_info | awk '/PSYoungGen|ParOldGen/ {for(i=1;i<=NF;i++) if ($i=="used") {v=$(i+1); sub("K,","",v); s+=v}} END {print int(s/1024)}'; }
peak() { jstat -gc $pid | awk 'NR==2 {print int(($3+$4+$6+$8)/1024)}'; }
for path in buffered streamed; do
  before=$(heap)
  ( while true; do peak; sleep 0.2; done ) > "$out/peak.$path" & spid=$!
  start=$(date +%s.%N)
  code=$(head -c "$BYTES" /dev/zero | curl -s -o "$out/body.$path" -w '%{http_code}' -T - -H 'Expect:' "http://127.0.0.1:18501/$path/up"); code="$code, backend read $(cat "$out/body.$path") body bytes"
  end=$(date +%s.%N)
  kill $spid; after=$(heap)
  echo "$path: HTTP $code in $(echo "$end - $start" | bc) s; heap used after full GC: $before MiB before, $after MiB after; most heap used during it: $(sort -n "$out/peak.$path" | tail -1) MiB (young+old, not after GC)"
done
echo "bodies buffered to a temporary file (the error log's warning): $(grep -c "a client request body is buffered to a temporary file" "$out/app.log")"
