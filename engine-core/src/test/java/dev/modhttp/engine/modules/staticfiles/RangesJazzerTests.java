package dev.modhttp.engine.modules.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of the Range header parser (Jazzer): any header against any file length
 * gives ranges inside the file ({@code 0 <= start <= end < length}), in the order asked, or none
 * (416), or the whole file, and exactly what nginx's rules say, written here as a regular grammar:
 * {@code bytes=} in any case, then items {@code a-b}, {@code a-} or {@code -n} separated by
 * commas with spaces around the numbers; a syntax error or a position past 2^63-1 is 416, an
 * inverted or unsatisfiable range is skipped, 416 when none is left, and an empty file asked
 * from position 0 is sent whole.
 */
public class RangesJazzerTests {

    private static final Pattern RANGE = Pattern.compile(" *(?:([0-9]+) *- *([0-9]*)|-([0-9]+)) *");
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);
    private static final long[] LENGTHS = {0, 1, 2, 10, 100, 1000, 10_000, Long.MAX_VALUE};

    @FuzzTest(maxDuration = "10s")
    void theRangesLieInTheFileAsNginxParsesThem(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }

    /** The target, also for Jazzer's command line ({@code tools/fuzz.sh}). */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        // Jazzer's consumeLong over [0, Long.MAX_VALUE] can answer Long.MIN_VALUE: a file is never negative
        long length = Math.max(0, data.consumeBoolean() ? data.pickValue(LENGTHS) : data.consumeLong(0, Long.MAX_VALUE));
        String header = new String(data.consumeRemainingAsBytes(), StandardCharsets.ISO_8859_1);
        List<Ranges.Range> ranges = Ranges.parse(header, length);
        if (ranges != Ranges.IGNORE) {
            for (Ranges.Range r : ranges) {
                assertThat(r.start()).as("%s in \"%s\" of %d bytes", r, header, length).isNotNegative()
                        .isLessThanOrEqualTo(r.end());
                assertThat(r.end()).as("%s in \"%s\" of %d bytes", r, header, length).isLessThan(length);
            }
        }
        assertThat(ranges).as("\"%s\" of %d bytes", header, length).isEqualTo(expected(header, length));
    }

    /** nginx's reading of the header, item by item; null to send the whole file, empty for 416. */
    private static List<Ranges.Range> expected(String header, long length) {
        String h = header.trim();
        if (h.length() < 7 || !h.substring(0, 6).equalsIgnoreCase("bytes=")) {
            return null; // another unit, or none: the header is ignored
        }
        List<Ranges.Range> out = new ArrayList<>();
        for (String item : h.substring(6).split(",", -1)) {
            Matcher m = RANGE.matcher(item);
            if (!m.matches()) {
                return List.of();
            }
            BigInteger first = m.group(1) != null ? new BigInteger(m.group(1)) : null;
            BigInteger last = m.group(1) != null ? m.group(2).isEmpty() ? null : new BigInteger(m.group(2))
                    : new BigInteger(m.group(3));
            if (first != null && first.compareTo(MAX) > 0 || last != null && last.compareTo(MAX) > 0) {
                return List.of();
            }
            long start;
            long end; // inclusive
            if (first == null) { // the last n bytes, all of them when n is larger
                start = Math.max(0, length - last.longValue());
                end = length - 1;
            } else {
                start = first.longValue();
                end = last == null ? length - 1 : Math.min(last.longValue(), length - 1);
            }
            if (start <= end) {
                out.add(new Ranges.Range(start, end));
            } else if (start == 0) {
                return null; // an empty file, asked from its start
            }
        }
        return out;
    }
}
