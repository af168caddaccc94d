#!/usr/bin/env bash
# The long runs of the coverage-guided fuzz targets (engine-core's *JazzerTests), through Jazzer's
# command line: each target for DURATION seconds, its corpus the seed directory in the repository
# (src/test/resources/.../<Class>Inputs/<method>/), so that the inputs found to reach new code
# stay for the suite's regression runs and the next fuzzing; findings (crashes, failed invariants,
# timeouts, leaks) go to engine-core/target/fuzz-findings/ and make the script exit non-zero.
# The build fuzzes each target for 10 s (surefire executions jazzer-*); this is the long run.
# The corpus is then reduced to the inputs that reach code no other reaches (libFuzzer's merge);
# inputs named found-* (findings turned into regressions) are always kept.
# Usage: tools/fuzz.sh [DURATION_SECONDS [TARGET...]]   (default 600 s, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(
  "http1/RequestDecoderJazzerTests anyInputCutAnywhereDecodesAsInOneRead"
  "exchange/UriNormalizerJazzerTests anAcceptedPathNeverLeavesTheRoot"
  "config/LocationJazzerTests theSelectedLocationAndItsParentsMatch")
out=engine-core/target/fuzz-findings
mkdir -p "$out"
./mvnw -q -ntp -pl engine-core test-compile
./mvnw -q -ntp -pl engine-core dependency:build-classpath -Dmdep.outputFile="$PWD/$out/cp.txt" -Dmdep.includeScope=test
cp="engine-core/target/test-classes:engine-core/target/classes:$(cat "$out/cp.txt")"
rc=0
for t in "${targets[@]}"; do
  read -r path method <<< "$t"
  class="dev.modhttp.engine.${path//\//.}"
  corpus="engine-core/src/test/resources/dev/modhttp/engine/$path""Inputs/$method"
  mkdir -p "$corpus"
  before=$(ls "$corpus" | wc -l)
  echo "== $class for ${duration}s (corpus: $corpus, $before inputs)"
  java -Dio.netty.leakDetection.level=paranoid -cp "$cp" com.code_intelligence.jazzer.Jazzer \
    --target_class="$class" -max_total_time="$duration" -artifact_prefix="$out/" -timeout=10 \
    "$corpus" > "$out/${path##*/}.log" 2>&1 || { rc=1; echo "   FINDING: see $out/${path##*/}.log"; }
  grep -E '^#[0-9]+ *DONE|^Done [0-9]+ runs' "$out/${path##*/}.log" | tail -1 | sed 's/^/   /'
  # keep only the inputs that reach code no other input reaches (libFuzzer's merge)
  merged="$out/merged-${path##*/}"
  rm -rf "$merged" && mkdir -p "$merged"
  if java -cp "$cp" com.code_intelligence.jazzer.Jazzer --target_class="$class" -merge=1 "$merged" "$corpus" \
      > "$out/${path##*/}-merge.log" 2>&1 && [ -n "$(ls "$merged")" ]; then
    find "$corpus" -type f ! -name 'found-*' -delete # findings kept by name stay as regressions
    cp "$merged"/* "$corpus"/
  fi
  echo "   corpus: $before -> $(ls "$corpus" | wc -l) inputs"
done
exit $rc
