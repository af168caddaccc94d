package dev.modhttp.engine.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the URI normalizer (Jazzer): whatever the target the decoder lets
 * through (no control byte, space or DEL: those are refused with the request line), a path it
 * accepts starts at the root and cannot leave it (no {@code .} or {@code ..} segment, no empty
 * segment, no NUL), its query carries no fragment, and a path with nothing left to decode is its
 * own normal form.
 */
public class UriNormalizerJazzerTests {

    @FuzzTest(maxDuration = "10s")
    void anAcceptedPathNeverLeavesTheRoot(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }

    /** The target, also for Jazzer's command line ({@code tools/fuzz.sh}). */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        boolean absolute = data.consumeBoolean();
        String rest = data.consumeRemainingAsAsciiString();
        String target = (absolute ? "http://h" : "") + "/" + rest;
        if (target.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            return; // the decoder refuses a request line with these before any normalizing
        }
        UriNormalizer.Normalized n = UriNormalizer.normalize(target);
        if (n == null) {
            return; // refused: answered 400
        }
        String path = n.path();
        assertThat(path).as(target).startsWith("/").doesNotContain("//").doesNotContain("/./").doesNotContain("/../")
                .doesNotEndWith("/.").doesNotEndWith("/..").doesNotContain("\0");
        assertThat(n.args()).as(target).doesNotContain("#");
        if (path.indexOf('%') < 0 && path.indexOf('?') < 0 && path.indexOf('#') < 0) {
            assertThat(UriNormalizer.normalize(path).path()).as("the normal form of " + target).isEqualTo(path);
        }
    }
}
