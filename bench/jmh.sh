#!/usr/bin/env bash
# JMH benchmarks of the hot paths, outside the test suite: the HTTP/1.1 request decoder, the URI
# normalizer, location selection and variable templates (bench/jmh/src). Each reports time per
# operation and, with JMH's gc profiler, bytes allocated per operation (gc.alloc.rate.norm).
#
#   bench/jmh.sh                       # every benchmark, 1 fork, 3 x 2 s warm-up, 5 x 2 s measured
#   bench/jmh.sh Location -f 1 -i 2    # a regex of benchmark names, then any JMH options
#   JMH_QUICK=1 bench/jmh.sh           # the short variant: 1 x 1 s warm-up, 1 x 1 s measured
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -pl engine-core -DskipTests install
./mvnw -q -B -f bench/jmh/pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
cp="bench/jmh/target/classes:$(cat bench/jmh/target/cp.txt)"
mkdir -p bench/out
filter=${1:-.}
[ $# -gt 0 ] && shift
quick=()
[ "${JMH_QUICK:-0}" = 1 ] && quick=(-wi 1 -w 1s -i 1 -r 1s)
echo "running JMH (a few minutes; the whole output goes to bench/out/jmh.txt)..."
# -prof gc adds gc.alloc.rate.norm (bytes per operation) under each result
java -cp "$cp" org.openjdk.jmh.Main "$filter" -prof gc "${quick[@]}" "$@" \
  > bench/out/jmh.txt
# the summary table only (the whole run stays in bench/out/jmh.txt): time and bytes per operation
sed -n '/^Benchmark /,$p' bench/out/jmh.txt | grep -E "^Benchmark |ns/op|gc.alloc.rate.norm"
