package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.internal.DateCache;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Single byte ranges as nginx 1.22 answers them (each row checked against it), If-Range and max-ranges. */
@Timeout(30)
class StaticRangeTests {

    static final Instant MTIME = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path root;
    byte[] big;

    @BeforeEach
    void files() throws Exception {
        Files.setLastModifiedTime(Files.writeString(root.resolve("f.txt"), "0123456789"), FileTime.from(MTIME));
        big = new byte[2 * 1024 * 1024];
        new Random(3).nextBytes(big);
        Files.write(root.resolve("big.bin"), big);
        Files.createDirectories(root.resolve("one"));
        Files.writeString(root.resolve("one/f.txt"), "0123456789");
    }

    String yaml() {
        return """
                servers:
                  - listen: ["127.0.0.1:0"]
                    root: %s
                    locations:
                      - location: /
                      - location: /one/
                        max-ranges: 0
                """.formatted(root);
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
            """)
    void rangesAreAnsweredAsNginxDoes(String range, int status, String contentRange, String body) {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /f.txt HTTP/1.1\r\nHost: a\r\nRange: " + range + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.header("Content-Range")).isEqualTo(contentRange);
            if (body != null) {
                assertThat(r.body()).isEqualTo(body);
                assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(body.length()));
                assertThat(r.header("Accept-Ranges")).isEqualTo("bytes");
            } else {
                assertThat(r.body()).contains("416 Requested Range Not Satisfiable");
            }
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
    void maxRangesZeroTurnsRangesOffAndSeveralRangesGetTheWholeFileForNow() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response off = c.send("GET /one/f.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=1-2\r\n\r\n").read();
            assertThat(off.status()).isEqualTo(200);
            assertThat(off.header("Accept-Ranges")).isNull();
            RawClient.Response multi = c.send("GET /f.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=1-2,4-5\r\n\r\n").read();
            assertThat(multi.status()).isEqualTo(200);
            assertThat(multi.body()).isEqualTo("0123456789");
        }
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
