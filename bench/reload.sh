#!/usr/bin/env bash
# Reloads under load for longer than the suite: 64 keep-alive clients send GET / while the
# engine's config file is switched between two `return` bodies and reloaded every INTERVAL_MS;
# every response is checked against the generation serving when it was sent. Prints requests,
# reloads, socket errors, non-200s, bodies of another generation and reload times; exits non-zero
# on any loss. JVM: -Xms512m -Xmx512m -XX:+UseParallelGC.
#
#   bench/reload.sh                            # 5 minutes, a reload every 500 ms (600 reloads)
#   SECONDS_=20 bench/reload.sh                # the short variant
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
bench_classpath
java -Xms512m -Xmx512m -XX:+UseParallelGC -cp "$cp" ReloadSoak "${SECONDS_:-300}" "${INTERVAL_MS:-500}" \
  "${CLIENTS:-64}" "$out/reload"
