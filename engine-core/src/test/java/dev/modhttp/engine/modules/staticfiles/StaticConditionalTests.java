package dev.modhttp.engine.modules.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.http.DateCache;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * nginx's strong ETag and conditional requests with RFC 9110's precedence; every row was
 * checked against nginx 1.22 serving the same file (If-Modified-Since later than the file:
 * 200 under nginx's default if_modified_since exact).
 */
@Timeout(30)
class StaticConditionalTests {

    static final Instant MTIME = Instant.parse("2026-01-02T03:04:05Z");
    static final String ETAG = "\"" + Long.toHexString(MTIME.getEpochSecond()) + "-b\""; // 11 bytes
    static final String LAST_MODIFIED = DateCache.format(MTIME);
    static final String EARLIER = DateCache.format(MTIME.minusSeconds(60));
    static final String LATER = DateCache.format(MTIME.plusSeconds(60));

    @TempDir
    Path root;

    @BeforeEach
    void file() throws Exception {
        Docroot.in(root).file("doc.txt", "hello there").modified("doc.txt", MTIME);
    }

    String yaml() {
        return Docroot.in(root).server("", "- location: /");
    }

    @Test
    void filesCarryNginxsStrongEtagAndLastModified() {
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /doc.txt HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.header("ETag")).isEqualTo(ETAG).isEqualTo("\"695735a5-b\"");
            assertThat(r.header("Last-Modified")).isEqualTo("Fri, 02 Jan 2026 03:04:05 GMT");
        }
    }

    @Test
    void ifModifiedSinceComparesAsConfigured() {
        String later = "If-Modified-Since: " + LATER;
        String exact = "If-Modified-Since: " + LAST_MODIFIED;
        try (TestEngine e = TestEngine.start(yaml().replace("root:", "if-modified-since: before\n    root:"));
                RawClient c = e.raw()) {
            assertThat(c.send("GET /doc.txt HTTP/1.1\r\nHost: a\r\n" + later + "\r\n\r\n").read().status())
                    .as("before: the file's time or later").isEqualTo(304);
        }
        try (TestEngine e = TestEngine.start(yaml().replace("root:", "if-modified-since: off\n    root:"));
                RawClient c = e.raw()) {
            assertThat(c.send("GET /doc.txt HTTP/1.1\r\nHost: a\r\n" + exact + "\r\n\r\n").read().status())
                    .as("off: the header is ignored").isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "[{index}] {0} {1} -> {2}")
    @CsvSource(delimiterString = "=>", textBlock = """
            GET  => If-None-Match: ETAG                               => 304
            GET  => If-None-Match: W/ETAG                             => 304
            GET  => If-None-Match: "other", ETAG                      => 304
            GET  => If-None-Match: *                                  => 304
            GET  => If-None-Match: "other"                            => 200
            HEAD => If-None-Match: ETAG                               => 304
            GET  => If-Modified-Since: LAST                           => 304
            GET  => If-Modified-Since: LATER                          => 200
            GET  => If-Modified-Since: EARLIER                        => 200
            GET  => If-Modified-Since: not a date                     => 200
            GET  => If-Modified-Since: Friday, 02-Jan-26 03:04:05 GMT => 304
            GET  => If-Modified-Since: Fri Jan  2 03:04:05 2026       => 304
            GET  => If-None-Match: "other"|If-Modified-Since: LAST    => 200
            GET  => If-Match: ETAG                                    => 200
            GET  => If-Match: *                                       => 200
            GET  => If-Match: "other"                                 => 412
            GET  => If-Match: W/ETAG                                  => 412
            GET  => If-Unmodified-Since: EARLIER                      => 412
            GET  => If-Unmodified-Since: LAST                         => 200
            GET  => If-Match: ETAG|If-Unmodified-Since: EARLIER       => 200
            GET  => If-Match: "other"|If-None-Match: ETAG             => 412
            """)
    void conditionalsFollowRfc9110Precedence(String method, String headers, int status) {
        String h = headers.replace("ETAG", ETAG).replace("LAST", LAST_MODIFIED).replace("LATER", LATER)
                .replace("EARLIER", EARLIER).replace("|", "\r\n");
        try (TestEngine e = TestEngine.start(yaml()); RawClient c = e.raw()) {
            RawClient.Response r = c.send(method + " /doc.txt HTTP/1.1\r\nHost: a\r\n" + h + "\r\n\r\n")
                    .read(method.equals("HEAD"));
            assertThat(r.status()).isEqualTo(status);
            if (status == 304) {
                assertThat(r.header("ETag")).isEqualTo(ETAG);
                assertThat(r.header("Content-Length")).isNull();
                assertThat(r.bytes()).isEmpty();
                // the connection stays usable: nothing of the body followed the 304
                assertThat(c.send("GET /doc.txt HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("hello there");
            }
        }
    }
}
