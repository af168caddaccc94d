# Shared by the benchmark scripts: builds the classpath, runs wrk, takes medians.
# Sourced, not run. Expects to be in the project's root.

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
ulimit -n 65536 2>/dev/null || true
out=bench/out
mkdir -p "$out"

# installs nginx from Debian's packages where it is missing
need_nginx() {
  command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; }
}

# exits when any of the ports is taken: a server left over from an earlier run would be measured instead
require_free_ports() {
  for port in "$@"; do
    [ -z "$(ss -ltnH "sport = :$port")" ] || { echo "port $port is in use: stop what listens there" >&2; exit 1; }
  done
}

# builds engine-core and the bench sources; sets $cp
bench_classpath() {
  ./mvnw -q -B -pl engine-core -DskipTests install
  ./mvnw -q -B -pl engine-core dependency:build-classpath -Dmdep.outputFile="$PWD/$out/cp.txt" -DincludeScope=runtime
  # without logback (an optional dependency, for the standalone jar): with no SLF4J backend the engine logs
  # nothing, as every benchmark so far measured it; logback's default would log at debug
  cp="$PWD/engine-core/target/classes:$(tr ':' '\n' < "$out/cp.txt" | grep -v '/ch/qos/logback/' | paste -sd:)"
  javac -q -d "$out/classes" -cp "$cp" bench/src/*.java 2>/dev/null || javac -d "$out/classes" -cp "$cp" bench/src/*.java
  cp="$cp:$out/classes"
}

# waits until URL answers 2xx (10 s at most)
wait_for() {
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "no answer from $1" >&2; return 1
}

# wrk_run URL CONNECTIONS SECONDS -> "rps p99_ms transfer_mb_per_s"; wrk runs under $wrk_pin
# (default: pinned to CPU 1; wrk_pin= leaves it to the scheduler)
wrk_pin=${wrk_pin-taskset -c 1}
wrk_run() {
  local threads=1; [ "$2" -ge 512 ] && threads=2
  $wrk_pin wrk -t"$threads" -c"$2" -d"$3"s --latency "$1" > "$out/wrk.txt" 2>&1
  local rps p99 transfer errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$out/wrk.txt")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$out/wrk.txt")
  [ -z "$errors" ] || echo "  wrk reported for $1 ($2 connections): $errors" >&2
  # wrk prints latency as 1.23ms, 850.00us or 1.02s, and transfer as 12.3KB, 45.6MB, 1.2GB
  p99=$(awk '$1 == "99%" {print $2}' "$out/wrk.txt" \
    | awk '/ms$/ {sub("ms","");print;next} /us$/ {sub("us","");print $1/1000;next} /s$/ {sub("s","");print $1*1000;next}')
  transfer=$(awk '/Transfer\/sec/ {print $2}' "$out/wrk.txt" \
    | awk '/GB$/ {sub("GB","");print $1*1024;next} /MB$/ {sub("MB","");print;next} /KB$/ {sub("KB","");print $1/1024;next} {print $1/1048576}')
  echo "$rps $p99 $transfer"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
