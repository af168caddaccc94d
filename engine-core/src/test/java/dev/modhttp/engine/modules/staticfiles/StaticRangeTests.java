package dev.modhttp.engine.modules.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.http.DateCache;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Byte ranges as nginx 1.22 answers them (each row checked against it), multipart/byteranges, If-Range and max-ranges. */
@Timeout(30)
class StaticRangeTests {

    static final Instant MTIME = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path root;
    byte[] big;

    @BeforeEach
    void files() throws Exception {
        big = new byte[2 * 1024 * 1024];
        new Random(3).nextBytes(big);
        Docroot.in(root).file("f.txt", "0123456789").modified("f.txt", MTIME).file("big.bin", big)
                .file("empty.txt", "").file("one/f.txt", "0123456789");
    }

    String yaml() {
        return Docroot.in(root).server("", """
                - location: /
                - location: /one/
                  max-ranges: 0
                - location: /two/
                  alias: %s/
                  max-ranges: 2
                """.formatted(root));
    }

    @ParameterizedTest(name = "[{index}] Range: {0} -> {1} {2}")
    @CsvSource(delimiterString = "=>", nullValues = "NONE", textBlock = """
            bytes=2-4     => 206 => bytes 2-4/10 => 234
            bytes=7-      => 206 => bytes 7-9/10 => 789
            bytes=-3      => 206 => bytes 7-9/10 => 789
            bytes=8-100   => 206 => bytes 8-9/10 => 89
            BYTES=1-2     => 206 => bytes 1-2/10 => 12
            bytes= 1-2    => 206 => bytes 1-2/10 => 12
            bytes=-20     => 206 => bytes 0-9/10 => 0123456789
            bytes=-0      => 416 => bytes */10   => NONE
            bytes=10-     => 416 => bytes */10   => NONE
            bytes=abc     => 416 => bytes */10   => NONE
            bytes=5-2     => 416 => bytes */10   => NONE
            items=1-2     => 200 => NONE         => 0123456789
            bytes=        => 200 => NONE         => 0123456789
            bytes=5-2,1-2 => 206 => bytes 1-2/10 => 12
            bytes=1-2,x   => 416 => bytes */10   => NONE
            bytes=0-9223372036854775807             => 206 => bytes 0-9/10 => 0123456789
            bytes=00000000000000000000000000002-3   => 206 => bytes 2-3/10 => 23
            bytes=0-9223372036854775808             => 416 => bytes */10   => NONE
            bytes=9223372036854775808-              => 416 => bytes */10   => NONE
            bytes=-9223372036854775807              => 206 => bytes 0-9/10 => 0123456789
            bytes=-65535,-9223372036854710273       => 200 => NONE         => 0123456789
            """)
    void rangesAreAnsweredAsNginxDoes(String range, int status, String contentRange, String body) {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /f.txt HTTP/1.1\r\nHost: a\r\nRange: " + range + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.header("Content-Range")).isEqualTo(contentRange);
            if (body != null) {
                assertThat(r.body()).isEqualTo(body);
                assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(body.length()));
                // nginx announces ranges on the whole file only
                assertThat(r.header("Accept-Ranges")).isEqualTo(status == 200 ? "bytes" : null);
            } else {
                assertThat(r.body()).contains("416 Requested Range Not Satisfiable");
            }
        }
    }

    @Test
    void aRangeOfAnEmptyFileFromZeroGetsTheWholeFileAndFromElsewhere416() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            assertThat(c.send("GET /empty.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-\r\n\r\n").read().status())
                    .isEqualTo(200);
            assertThat(c.send("GET /empty.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=-5\r\n\r\n").read().status())
                    .isEqualTo(200);
            assertThat(c.send("GET /empty.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=3-\r\n\r\n").read().status())
                    .isEqualTo(416);
        }
    }

    @Test
    void ifRangeServesTheRangeOnlyForTheCurrentValidator() {
        String etag = "\"" + Long.toHexString(MTIME.getEpochSecond()) + "-a\"";
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            String get = "GET /f.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nIf-Range: ";
            assertThat(c.send(get + etag + "\r\n\r\n").read().status()).isEqualTo(206);
            assertThat(c.send(get + DateCache.format(MTIME) + "\r\n\r\n").read().status()).isEqualTo(206);
            assertThat(c.send(get + "\"stale\"\r\n\r\n").read().body()).isEqualTo("0123456789");
            assertThat(c.send(get + DateCache.format(MTIME.minusSeconds(1)) + "\r\n\r\n").read().status())
                    .isEqualTo(200);
        }
    }

    @Test
    void maxRangesZeroTurnsRangesOffAndMoreRangesThanAllowedGetTheWholeFile() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response off = c.send("GET /one/f.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=1-2\r\n\r\n").read();
            assertThat(off.status()).isEqualTo(200);
            assertThat(off.header("Accept-Ranges")).isNull();
            RawClient.Response three = c.send("GET /two/f.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-0,2-2,4-4\r\n\r\n")
                    .read();
            assertThat(three.status()).isEqualTo(200);
            assertThat(three.body()).isEqualTo("0123456789");
            RawClient.Response two = c.send("GET /two/f.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-0,2-2\r\n\r\n").read();
            assertThat(two.status()).isEqualTo(206);
        }
    }

    static String multipart(String boundary, String... parts) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i += 2) {
            sb.append("\r\n--").append(boundary).append("\r\nContent-Type: text/plain\r\nContent-Range: bytes ")
                    .append(parts[i]).append("/10\r\n\r\n").append(parts[i + 1]);
        }
        return sb.append("\r\n--").append(boundary).append("--\r\n").toString();
    }

    @Test
    void severalRangesAreSentAsMultipartByterangesInTheOrderAsked() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /f.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=5-6,-1,0-1\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(206);
            assertThat(r.header("Content-Type")).matches("multipart/byteranges; boundary=\\d{20}");
            String boundary = r.header("Content-Type").substring("multipart/byteranges; boundary=".length());
            String expected = multipart(boundary, "5-6", "56", "9-9", "9", "0-1", "01");
            assertThat(r.body()).isEqualTo(expected);
            assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(expected.length()));
            assertThat(r.header("Content-Range")).isNull();
            assertThat(r.header("Accept-Ranges")).isNull();
            assertThat(r.header("ETag")).isNotNull();
            // unsatisfiable ranges among them are left out; one left is a single part
            RawClient.Response single = c.send("GET /f.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1,200-300\r\n\r\n")
                    .read();
            assertThat(single.header("Content-Range")).isEqualTo("bytes 0-1/10");
            assertThat(single.body()).isEqualTo("01");
        }
    }

    @Test
    void rangesAddingUpToMoreThanTheFileGetTheWholeFile() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /f.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-5,3-9\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("0123456789");
            assertThat(r.header("Accept-Ranges")).isEqualTo("bytes");
        }
    }

    @Test
    void aMultipartHeadRequestGetsTheLengthWithoutTheBody() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response head = c.send("HEAD /f.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-0,2-2\r\n\r\n").read(true);
            assertThat(head.status()).isEqualTo(206);
            String boundary = head.header("Content-Type").substring("multipart/byteranges; boundary=".length());
            assertThat(head.header("Content-Length"))
                    .isEqualTo(Integer.toString(multipart(boundary, "0-0", "0", "2-2", "2").length()));
            assertThat(head.bytes()).isEmpty();
            assertThat(c.send("GET /f.txt HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("0123456789");
        }
    }

    @Test
    void largeMultipartSlicesArriveExactlyZeroCopyAndThroughAFilterThatReadsTheBytes() {
        String range = "Range: bytes=100-1000099,-700000\r\n";
        byte[] first = Arrays.copyOfRange(big, 100, 1_000_100);
        byte[] second = Arrays.copyOfRange(big, big.length - 700_000, big.length);
        long[] filtered = new long[1];
        java.util.function.Consumer<dev.modhttp.engine.EngineBuilder> counting = b -> b.bodyFilter(0,
                (ex, chunk, last, next) -> {
                    filtered[0] += chunk.readableBytes();
                    next.next(ex, chunk, last);
                });
        for (boolean withFilter : new boolean[] {false, true}) {
            try (TestEngine e = withFilter ? TestEngine.start(yaml(), counting) : TestEngine.start(yaml());
                    RawClient c = e.raw()) {
                RawClient.Response r = c.send("GET /big.bin HTTP/1.1\r\nHost: a\r\n" + range + "\r\n").read();
                assertThat(r.status()).isEqualTo(206);
                byte[] body = r.bytes();
                assertThat(indexOf(body, first)).isPositive();
                assertThat(indexOf(body, second)).isGreaterThan(indexOf(body, first) + first.length);
                assertThat((long) body.length).isEqualTo(Long.parseLong(r.header("Content-Length")));
                if (withFilter) {
                    assertThat(filtered[0]).isEqualTo(body.length);
                }
                assertThat(c.send("GET /f.txt HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("0123456789");
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < 64 && j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length) ? i : -1;
        }
        return -1;
    }

    @Test
    void aRangeOfALargeFileIsTheExactSlice() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /big.bin HTTP/1.1\r\nHost: a\r\nRange: bytes=1000000-1500000\r\n\r\n")
                    .read();
            assertThat(r.status()).isEqualTo(206);
            assertThat(r.bytes()).isEqualTo(Arrays.copyOfRange(big, 1_000_000, 1_500_001));
            assertThat(c.send("GET /f.txt HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("0123456789");
        }
    }
}
