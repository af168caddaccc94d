package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Malformed input over a real socket: the right status, a short body without a stack trace,
 * the connection closed, and the engine still serving the next client.
 */
@Timeout(30)
class RobustnessTests {

    static TestEngine engine;

    @BeforeAll
    static void start() {
        engine = TestEngine.start("""
                large-client-header-buffers: "4 1k"
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: "/"
                        return: "200 ok"
                      - location: "/body"
                """, b -> b.handler(Phase.CONTENT, ex -> Result.status(204))); // a handler that reads the body
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @ParameterizedTest(name = "[{index}] {1} <- {0}")
    @CsvSource(delimiterString = "=>", textBlock = """
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n      => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: +5\\r\\n\\r\\nhello                              => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 0x5\\r\\n\\r\\nhello                             => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 18446744073709551617\\r\\n\\r\\n                 => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\nContent-Length: 6\\r\\n\\r\\nhello        => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: identity\\r\\n\\r\\n                           => 400
            POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, identity\\r\\n\\r\\n                  => 400
            POST /body HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\n                      => 400
            POST /body HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabcXY0\\r\\n\\r\\n      => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX: 1\\r\\n folded\\r\\n\\r\\n                                      => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\rb\\r\\n\\r\\n                                              => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nBad\\u0007Name: v\\r\\n\\r\\n                                       => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nBad Name: v\\r\\n\\r\\n                                              => 400
            GET / HTTP/1.1\\r\\n\\r\\n                                                                     => 400
            GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n                                             => 400
            GET / HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n                                                        => 400
            GET /\\r\\n\\r\\n                                                                                => 400
            GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n                                                          => 505
            GET /../etc/passwd HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                             => 400
            GET /a%00b HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                                     => 400
            GET /a%G1 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                                      => 400
            """)
    void badRequestsGetTheirStatusAndTheConnectionCloses(String raw, int status) {
        MemoryAppender.clear();
        try (RawClient c = engine.raw()) {
            RawClient.Response r = c.send(raw.trim().replace("\\r", "\r").replace("\\n", "\n")
                    .replace("\\u0007", "\u0007")).read();
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(r.body()).startsWith("<html>").doesNotContain("Exception").doesNotContain("at dev.");
            assertThat(c.isClosedByServer()).isTrue();
        }
        stillServing();
        assertThat(MemoryAppender.lines()).noneMatch(l -> l.startsWith("ERROR"));
    }

    @Test
    void tooLongARequestLineIs414() {
        try (RawClient c = engine.raw()) {
            RawClient.Response r = c.send("GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(414);
            assertThat(c.isClosedByServer()).isTrue();
        }
        stillServing();
    }

    @Test
    void tooLongAHeaderLineOrTooLargeAHeadIs431() {
        try (RawClient c = engine.raw()) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nCookie: " + "c".repeat(1500) + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(431);
        }
        try (RawClient c = engine.raw()) {
            String line = "X-Filler: " + "f".repeat(900) + "\r\n";
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n" + line.repeat(5) + "\r\n").read();
            assertThat(r.status()).isEqualTo(431);
        }
        try (RawClient c = engine.raw()) {
            String line = "X-Filler: " + "f".repeat(900) + "\r\n";
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n" + line.repeat(3) + "\r\n").read();
            assertThat(r.status()).as("within 4 x 1k").isEqualTo(200);
        }
        stillServing();
    }

    @Test
    void garbageAndBinaryNeverGet500() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 50; i++) {
            byte[] junk = new byte[1 + random.nextInt(300)];
            random.nextBytes(junk);
            junk[junk.length - 1] = '\n';
            try (RawClient c = engine.raw().timeout(2000)) {
                byte[] answer = c.send(junk).send("\r\n\r\n").readToEnd();
                String text = new String(answer, StandardCharsets.ISO_8859_1);
                if (!text.isEmpty()) {
                    assertThat(text).startsWith("HTTP/1.1 4").doesNotContain("Exception");
                }
            }
        }
        stillServing();
    }

    @Test
    void badChunkFramingInABodyBeingDiscardedClosesTheConnection() {
        try (RawClient c = engine.raw()) {
            RawClient.Response r = c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabcXY0\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.body()).isEqualTo("ok"); // the return answered before the body was read
            assertThat(c.isClosedByServer()).isTrue();
        }
        stillServing();
    }

    @Test
    void aGoodRequestBeforeABadOneIsStillAnswered() {
        try (RawClient c = engine.raw()) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nBad Header: 1\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.read().status()).isEqualTo(400);
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    static void stillServing() {
        try (RawClient c = engine.raw()) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("ok");
        }
    }
}
