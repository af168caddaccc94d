package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * nginx's lingering_close, lingering_time and lingering_timeout: what a connection reads and
 * drops after a response that ends it, and while the unread body of a finished request is
 * dropped on a keep-alive connection. Bounds are the configured times: a connection never
 * closes before them.
 */
@Timeout(60)
class LingeringCloseTests {

    static TestEngine engine(String keys) {
        return TestEngine.start("""
                %s
                client-max-body-size: 10
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: "/"
                        return: "200 ok"
                """.formatted(keys));
    }

    static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /**
     * A 413 ends the connection: its output is shut (the client reads the response, then the end
     * of the stream) and it lingers, reading and dropping what the client still sends.
     */
    static void refused(RawClient c) {
        RawClient.Response r = c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n").read();
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(c.isClosedByServer()).as("the half close").isTrue();
    }

    /**
     * Writes a byte every {@code gapMillis} until a write fails: the server closed for good, and
     * answered a byte with a reset. The milliseconds until then; -1 when it never did in
     * {@code limitMillis}.
     */
    static long millisUntilReset(RawClient c, long gapMillis, long limitMillis) {
        long start = System.nanoTime();
        while (millisSince(start) < limitMillis) {
            try {
                c.send("x");
            } catch (UncheckedIOException reset) {
                return millisSince(start);
            }
            sleep(gapMillis);
        }
        return -1;
    }

    @Test
    void aClosingConnectionWaitsLingeringTimeoutForTheClientsNextBytes() {
        try (TestEngine e = engine("lingering-timeout: 3s"); RawClient c = e.raw()) {
            refused(c);
            sleep(2500);
            c.send("x"); // still read: within lingering-timeout, which starts again
            sleep(200);
            c.send("x");
            long reset = millisUntilReset(c, 1000, 6000); // a byte a second: each silence is shorter than 3 s
            assertThat(reset).as("still read 6 s on, within lingering-time (30 s)").isEqualTo(-1L);
            sleep(3500);
            assertThat(millisUntilReset(c, 200, 15_000)).as("closed after 3 s of silence").isBetween(0L, 15_000L);
        }
    }

    @Test
    void aRequestPipelinedAfterOneThatClosesTheConnectionIsReadAndDropped() {
        // nginx 1.22: the first response, then the lingering close reads the second request and drops it
        try (TestEngine e = engine("lingering-timeout: 3s"); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    + "GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.body()).isEqualTo("ok");
            assertThat(new String(c.readToEnd(), java.nio.charset.StandardCharsets.US_ASCII)).as("no second response")
                    .isEmpty();
            assertThat(millisUntilReset(c, 200, 1000)).as("still reading within lingering-timeout").isEqualTo(-1L);
        }
    }

    @Test
    void aClientThatKeepsSendingIsReadUntilLingeringTime() {
        try (TestEngine e = engine("lingering-timeout: 1s\nlingering-time: 3s"); RawClient c = e.raw()) {
            refused(c);
            long reset = millisUntilReset(c, 300, 15_000); // within lingering-timeout each time
            assertThat(reset).as("closed at lingering-time").isBetween(2800L, 15_000L);
        }
    }

    @Test
    void withLingeringCloseOffTheConnectionClosesAtOnce() {
        try (TestEngine e = engine("lingering-close: off\nlingering-timeout: 30s\nlingering-time: 60s"); RawClient c = e.raw()) {
            // no body is still to come (one would be read to its end first: the test below)
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
            assertThat(r.body()).isEqualTo("ok");
            assertThat(millisUntilReset(c, 200, 15_000)).as("within 15 s, far from lingering-timeout").isBetween(0L, 15_000L);
        }
    }

    @Test
    void withLingeringCloseOffABodyStillComingIsReadToItsEndBeforeTheClose() {
        // nginx 1.22 (a break test): a 413's body is discarded whatever lingering_close says, then the connection closes
        try (TestEngine e = engine("lingering-close: off\nlingering-timeout: 5s"); RawClient c = e.raw()) {
            RawClient.Response r = c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3000\r\n\r\n" + "x".repeat(1000))
                    .read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("Connection")).isEqualTo("close");
            for (int i = 0; i < 2; i++) {
                sleep(300);
                c.send("x".repeat(1000)); // read and dropped: no reset
            }
            assertThat(c.isClosedByServer()).as("closed once the body has ended").isTrue();
        }
    }

    @Test
    void anUnreadBodyAfterAKeepAliveResponseIsDroppedWithinLingeringTimeout() {
        try (TestEngine e = engine("lingering-timeout: 3s"); RawClient c = e.raw().timeout(15_000)) {
            // the return answers without the body; the connection then reads and drops it
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab").read();
            assertThat(r.body()).isEqualTo("ok");
            assertThat(r.header("Connection")).isNull();
            sleep(1000);
            c.send("cd"); // within lingering-timeout: the body ends, the next request is served
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n").read().body()).isEqualTo("ok");
            long start = System.nanoTime();
            assertThat(c.isClosedByServer()).as("its body never comes").isTrue();
            assertThat(millisSince(start)).as("not before lingering-timeout, long before client-body-timeout")
                    .isGreaterThanOrEqualTo(2800L);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
