package dev.modhttp.engine.modules.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modhttp.engine.core.CoreConfig.IfModifiedSince;
import dev.modhttp.engine.http.HeaderFields;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the conditional request headers (Jazzer). The input is a request as
 * text: a first line {@code METHOD MTIME SIZE MODE} (the file's time in epoch seconds, its size,
 * the {@code if-modified-since} setting) and header lines. Whatever the headers, the decision is
 * to go on, 304 (only for GET and HEAD) or 412, and nothing throws; an If-Match list that holds the
 * file's exact strong ETag always matches, a weak one never does; the file's time written in any
 * of the three HTTP date formats reads back as that second, and compares as each mode says.
 */
public class ConditionalsJazzerTests {

    private static final Set<Integer> DECISIONS = Set.of(Conditionals.PROCEED, 304, 412);
    private static final List<DateTimeFormatter> FORMATS = List.of(
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US), // IMF-fixdate
            DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.US), // RFC 850
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)); // asctime
    /** The times RFC 850's two-digit years can say: 1970 to 2069. */
    private static final long LATEST = Instant.parse("2069-12-31T23:59:58Z").getEpochSecond();

    @FuzzTest(maxDuration = "10s")
    void everyDecisionIsDocumentedAndTheExactEtagMatches(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }

    /** The target, also for Jazzer's command line ({@code tools/fuzz.sh}). */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        String[] lines = new String(data.consumeRemainingAsBytes(), StandardCharsets.ISO_8859_1).split("\r?\n", -1);
        String[] first = lines[0].split(" ", -1);
        String method = first[0].isEmpty() ? "GET" : first[0];
        long mtime = first.length > 1 ? number(first[1], 1_700_000_000L) : 1_700_000_000L;
        long size = first.length > 2 ? number(first[2], 1234) : 1234;
        IfModifiedSince mode = IfModifiedSince.EXACT;
        for (IfModifiedSince m : IfModifiedSince.values()) {
            mode = first.length > 3 && first[3].equalsIgnoreCase(m.name()) ? m : mode;
        }
        HttpHeaders headers = new HeaderFields(false); // as the request decoder fills it: not validated
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.add(lines[i].substring(0, colon), lines[i].substring(colon + 1).strip());
            }
        }
        String etag = Conditionals.etag(mtime, size);
        boolean getOrHead = method.equals("GET") || method.equals("HEAD");
        int decision = Conditionals.evaluate(headers, method, etag, mtime, mode);
        assertThat(DECISIONS).as("decision for %s", headers).contains(decision);
        if (decision == 304) {
            assertThat(getOrHead).as("304 for %s", method).isTrue();
        }
        for (String name : List.of("If-Modified-Since", "If-Unmodified-Since", "If-Range", "Date")) {
            Conditionals.date(headers.get(name)); // any value: a time or none, never an exception
        }

        String ifMatch = headers.get(HttpHeaderNames.IF_MATCH);
        for (String withEtag : ifMatch == null ? List.of(etag) : List.of(ifMatch + ", " + etag, etag + "," + ifMatch)) {
            assertThat(Conditionals.matches(withEtag, etag, true)).as("If-Match: %s for %s", withEtag, etag).isTrue();
            HttpHeaders matching = new HeaderFields(false).add(headers).set(HttpHeaderNames.IF_MATCH, withEtag);
            matching.remove(HttpHeaderNames.IF_NONE_MATCH);
            assertThat(Conditionals.evaluate(matching, method, etag, mtime, mode)).as("with If-Match: %s", withEtag)
                    .isNotEqualTo(412);
        }
        assertThat(Conditionals.matches("W/" + etag, etag, true)).as("a weak tag matching strongly").isFalse();
        assertThat(Conditionals.matches("W/" + etag, etag, false)).as("a weak tag matching weakly").isTrue();

        if (mtime < 1 || mtime > LATEST) { // the second before must be a time RFC 850 can say too
            return;
        }
        for (DateTimeFormatter f : FORMATS) {
            String at = f.format(Instant.ofEpochSecond(mtime).atZone(ZoneOffset.UTC));
            String before = f.format(Instant.ofEpochSecond(mtime - 1).atZone(ZoneOffset.UTC));
            String after = f.format(Instant.ofEpochSecond(mtime + 1).atZone(ZoneOffset.UTC));
            assertThat(Conditionals.date(at)).as("\"%s\"", at).isEqualTo(mtime);
            int notModified = getOrHead ? 304 : Conditionals.PROCEED;
            assertThat(decide(method, etag, mtime, mode, "If-Modified-Since", at)).as("If-Modified-Since: %s (%s)", at, mode)
                    .isEqualTo(mode == IfModifiedSince.OFF ? Conditionals.PROCEED : notModified);
            assertThat(decide(method, etag, mtime, mode, "If-Modified-Since", after)).as("If-Modified-Since: %s", after)
                    .isEqualTo(mode == IfModifiedSince.BEFORE ? notModified : Conditionals.PROCEED);
            assertThat(decide(method, etag, mtime, mode, "If-Modified-Since", before)).as("If-Modified-Since: %s", before)
                    .isEqualTo(Conditionals.PROCEED);
            assertThat(decide(method, etag, mtime, mode, "If-Unmodified-Since", before)).as("If-Unmodified-Since: %s", before)
                    .isEqualTo(412);
            assertThat(decide(method, etag, mtime, mode, "If-Unmodified-Since", at)).as("If-Unmodified-Since: %s", at)
                    .isEqualTo(Conditionals.PROCEED);
        }
    }

    private static int decide(String method, String etag, long mtime, IfModifiedSince mode, String name, String value) {
        return Conditionals.evaluate(new HeaderFields(false).add(name, value), method, etag, mtime, mode);
    }

    private static long number(String s, long otherwise) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
