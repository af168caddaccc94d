package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** client_header_timeout as a deadline for the whole head, client_body_timeout, keepalive_timeout. */
@Timeout(30)
class TimeoutTests {

    static final String YAML = """
            client-header-timeout: 600ms
            client-body-timeout: 400ms
            keepalive-timeout: 500ms
            servers:
              - listen: ["127.0.0.1:0"]
                locations:
                  - location: "/"
                    return: "200 ok"
                  - location: "/upload"
                    client-body-timeout: 300ms
            """;

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheHeaderTimeout() {
        try (TestEngine e = TestEngine.start(YAML); RawClient c = e.raw().timeout(3000)) {
            long start = System.nanoTime();
            assertThat(c.isClosedByServer()).isTrue();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(ms).isBetween(500L, 2500L);
        }
    }

    @Test
    void aClientTricklingItsHeadIsCutOffAtTheDeadline() {
        try (TestEngine e = TestEngine.start(YAML); RawClient c = e.raw().timeout(3000)) {
            String head = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: " + "s".repeat(40);
            long start = System.nanoTime();
            boolean cut = false;
            for (char ch : head.toCharArray()) {
                try {
                    c.send(String.valueOf(ch));
                    Thread.sleep(50);
                } catch (Exception ex) {
                    cut = true; // the server closed while we were still sending
                    break;
                }
                if ((System.nanoTime() - start) / 1_000_000 > 1500) {
                    break;
                }
            }
            assertThat(cut || c.isClosedByServer()).as("closed although a byte arrived every 50 ms").isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2500L);
        }
    }

    @Test
    void aStalledBodyTimesOutAndTheEngineKeepsServing() {
        try (TestEngine e = TestEngine.start(YAML, b -> b.handler(dev.modhttp.engine.phase.Phase.CONTENT,
                ex -> {
                    ex.response().body("got " + ex.request().bodyAsString());
                    return dev.modhttp.engine.phase.Result.OK;
                }))) {
            try (RawClient c = e.raw().timeout(3000)) {
                c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
                long start = System.nanoTime();
                assertThat(c.isClosedByServer()).isTrue();
                assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 2000L);
            }
            try (RawClient c = e.raw()) {
                assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("ok");
            }
        }
    }

    @Test
    void anIdleKeepAliveConnectionClosesAfterTheKeepaliveTimeout() throws Exception {
        try (TestEngine e = TestEngine.start(YAML); RawClient c = e.raw().timeout(3000)) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("ok");
            Thread.sleep(200);
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).as("still open at 200 ms")
                    .isEqualTo("ok");
            long start = System.nanoTime();
            assertThat(c.isClosedByServer()).isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(350L, 2000L);
        }
    }

    @Test
    void aClientThatStopsReadingIsCutOffAfterTheSendTimeout() throws Exception {
        byte[] big = new byte[32 * 1024 * 1024];
        // the cut-off location only: the second client, which reads the whole body, must not be
        // cut off itself when a loaded machine lets it fall behind for half a second
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                      - location: /cut
                        send-timeout: 500ms
                """, b -> b.handler(dev.modhttp.engine.phase.Phase.CONTENT, ex -> {
                    ex.response().body(big);
                    return dev.modhttp.engine.phase.Result.OK;
                }))) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.setReceiveBufferSize(4096);
                s.connect(new java.net.InetSocketAddress("127.0.0.1", e.port()));
                s.getOutputStream().write("GET /cut HTTP/1.1\r\nHost: a\r\n\r\n".getBytes());
                Thread.sleep(1500); // read nothing while the server's send buffer stays full
                s.setSoTimeout(3000);
                long received = 0;
                try {
                    byte[] buf = new byte[65536];
                    int n;
                    while ((n = s.getInputStream().read(buf)) > 0) {
                        received += n;
                    }
                } catch (java.io.IOException reset) {
                    // a reset also ends the response early
                }
                assertThat(received).as("the response was cut off").isLessThan(big.length);
            }
            try (RawClient c = e.raw()) {
                assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().bytes()).hasSize(big.length);
            }
        }
    }

    @Test
    void keepaliveTimeoutZeroDisablesKeepAlive() {
        try (TestEngine e = TestEngine.start("""
                keepalive-timeout: 0
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: "/"
                        return: "200 ok"
                """); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.isClosedByServer()).isTrue();
        }
    }
}
