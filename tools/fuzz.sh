#!/usr/bin/env bash
# The long runs of the coverage-guided fuzz targets (engine-core's *JazzerTests), through Jazzer's
# command line: each target for DURATION seconds from its corpus in the repository
# (src/test/resources/.../<Class>Inputs/<method>/); the new inputs that reach code the corpus does
# not are then added to it (libFuzzer's merge), for the suite's regression runs and the next
# fuzzing. Findings (crashes, failed invariants, timeouts, leaks) go to
# engine-core/target/fuzz-findings/ and make the script exit non-zero.
# The build fuzzes each target for 10 s (surefire executions jazzer-*); this is the long run.
# Usage: tools/fuzz.sh [DURATION_SECONDS [TARGET...]]   (default 600 s, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(
  "http1/RequestDecoderJazzerTests anyInputCutAnywhereDecodesAsInOneRead"
  "exchange/UriNormalizerJazzerTests anAcceptedPathNeverLeavesTheRoot"
  "config/LocationJazzerTests theSelectedLocationAndItsParentsMatch"
  "config/EngineConfigJazzerTests anyTreeLoadsOrIsRefusedAtAPlaceInIt"
  "variable/TemplateJazzerTests aTemplateCompilesExactlyWhenItsReferencesAreKnown"
  "modules/staticfiles/RangesJazzerTests theRangesLieInTheFileAsNginxParsesThem"
  "modules/staticfiles/ConditionalsJazzerTests everyDecisionIsDocumentedAndTheExactEtagMatches"
  "modules/auth/HtpasswdJazzerTests anyFileReadsOrNamesItsBadLineAndVerifyNeverThrows"
  "http1/ProxyProtocolJazzerTests anyInputCutAnywhereGivesTheSameHeaderAsInOneRead")
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
  fresh="$out/new-${path##*/}" # what this run finds, merged into the corpus below
  rm -rf "$fresh" && mkdir -p "$fresh"
  java -Dio.netty.leakDetection.level=paranoid -cp "$cp" com.code_intelligence.jazzer.Jazzer \
    --target_class="$class" -max_total_time="$duration" -artifact_prefix="$out/" -timeout=10 \
    "$fresh" "$corpus" > "$out/${path##*/}.log" 2>&1 || { rc=1; echo "   FINDING: see $out/${path##*/}.log"; }
  grep -E '^#[0-9]+ *DONE|^Done [0-9]+ runs' "$out/${path##*/}.log" | tail -1 | sed 's/^/   /'
  # only the new inputs that reach code the corpus does not reach join it (libFuzzer's merge):
  # the inputs already there stay as they are, so a short run changes few files
  java -cp "$cp" com.code_intelligence.jazzer.Jazzer --target_class="$class" -merge=1 "$corpus" "$fresh" \
    > "$out/${path##*/}-merge.log" 2>&1 || echo "   merge failed: see $out/${path##*/}-merge.log"
  echo "   corpus: $before -> $(ls "$corpus" | wc -l) inputs"
done
exit $rc
