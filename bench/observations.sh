#!/usr/bin/env bash
# What request observations and tracing cost: the demo jar (Actuator, Micrometer Tracing over
# OpenTelemetry) on GET /hi, with observations off, observed but unsampled, and observed and
# traced (the demo's default), in interleaved rounds. Prints requests/s and p99 per round and the
# medians' ratios to "off".
#   ROUNDS=3 SECONDS_=8 bench/observations.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rounds=${ROUNDS:-2}
secs=${SECONDS_:-8}
jar=demo-app/target/demo-app.jar
[ -f "$jar" ] || ./mvnw -q -B -pl demo-app -am -DskipTests -Dinvoker.skip install
require_free_ports 18090 18091
declare -A args=(
  [off]="--management.observations.enable.http.server.requests=false"
  [unsampled]="--management.tracing.sampling.probability=0.0"
  [traced]="")
declare -A rps=()
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null || true' EXIT
for round in $(seq 1 "$rounds"); do
  for k in off unsampled traced; do
    java -Xms512m -Xmx512m -XX:+UseParallelGC -jar "$jar" --server.port=18090 --management.server.port=18091 \
      --logging.level.http.access=WARN ${args[$k]} > "$out/observations-$k.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 120); do curl -s -o /dev/null localhost:18090/hi && break; sleep 0.5; done
    wrk -t1 -c64 -d5s http://127.0.0.1:18090/hi > /dev/null
    read -r r p99 < <(wrk -t1 -c64 -d"${secs}s" --latency http://127.0.0.1:18090/hi \
      | awk '/Requests\/sec/{r=$2} / 99%/{p=$2} END{print r, p}')
    printf 'round %d %-9s %10s req/s  p99 %s\n' "$round" "$k" "$r" "$p99"
    rps[$k]="${rps[$k]:-} $r"
    kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
off=$(echo "${rps[off]}" | median)
for k in off unsampled traced; do
  m=$(echo "${rps[$k]}" | median)
  printf '%-9s median %10.0f req/s  %.2fx off\n' "$k" "$m" "$(echo "$m / $off" | bc -l)"
done
