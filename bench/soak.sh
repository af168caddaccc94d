#!/usr/bin/env bash
# The soak: 30 minutes of mixed traffic (hello, static hits and misses, 404s, ranges, gzip,
# malformed requests, slow clients, pipelined bursts, aborted downloads and uploads) from 16
# clients against an engine process run with Netty's paranoid leak detection, its RSS and heap
# after a full GC sampled every 10 s. Fails on an unexpected answer, a LEAK line, a warning or
# error the engine logs, or RSS growing 5 % or more (the heap after GC 4 MiB or more) over the last 20 minutes. Writes
# bench/out/soak/samples.csv and bench/out/soak/rss.png (the plot). The suite runs the same soak
# for two minutes (engine-core SoakTests).
#
#   bench/soak.sh             # 30 minutes
#   SECONDS_=120 bench/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/soak
mkdir -p "$out"
./mvnw -q -ntp -pl engine-core test-compile
./mvnw -q -ntp -pl engine-core dependency:build-classpath -Dmdep.outputFile="$PWD/$out/cp.txt" -Dmdep.includeScope=test
cp="engine-core/target/test-classes:engine-core/target/classes:$(cat "$out/cp.txt")"
java -cp "$cp" dev.modhttp.engine.soak.SoakLoad "${SECONDS_:-1800}" "${CLIENTS:-16}" 10 "$out"
