package dev.modhttp.engine.modules.proxy;

import static dev.modhttp.engine.modules.proxy.RawBackend.write;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** What a client sees when the backend misbehaves, and what the error log says, as nginx. */
@Timeout(60)
class ProxyFailureTests {

    static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    @BeforeEach
    void clearLog() {
        MemoryAppender.clear();
    }

    static String yaml(int port, String more) {
        return """
                servers:
                  - listen: ["127.0.0.1:0"]
                    server-names: [front]
                    locations:
                      - location: /
                        proxy-pass: http://127.0.0.1:%d
                        proxy-read-timeout: 300ms
                %s
                      - location: /alive
                        return: "200 alive"
                """.formatted(port, more);
    }

    /** Sends GET path on a fresh connection and reads the answer. */
    static RawClient.Response get(TestEngine e, String path) {
        try (RawClient c = e.raw()) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: front\r\n\r\n").read();
        }
    }

    static void assertStillServing(TestEngine e) {
        assertThat(get(e, "/alive").body()).isEqualTo("alive");
    }

    static boolean logged(String text) {
        return MemoryAppender.lines().stream().anyMatch(l -> l.contains(text));
    }

    @Test
    void garbageInsteadOfAStatusLineIs502() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            write(out, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
            return false;
        }); TestEngine e = TestEngine.start(yaml(b.port(), ""))) {
            assertThat(get(e, "/x").status()).isEqualTo(502);
            assertThat(logged("upstream sent invalid header while reading response header from upstream, client: "
                    + "127.0.0.1, server: front, request: \"GET /x HTTP/1.1\", upstream: \"http://127.0.0.1:" + b.port()
                    + "/x\", host: \"front\"")).isTrue();
            assertStillServing(e);
        }
    }

    @Test
    void aHeaderLongerThanProxyBufferSizeIs502() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            write(out, "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(5000) + "\r\nContent-Length: 2\r\n\r\nok");
            return true;
        }); TestEngine e = TestEngine.start(yaml(b.port(), ""))) {
            assertThat(get(e, "/x").status()).isEqualTo(502);
            assertThat(logged("upstream sent too big header while reading response header from upstream")).isTrue();
        }
    }

    @Test
    void aHeaderValueWithAControlByteOrABadNameIs502AndNeverPassedOn() throws Exception {
        for (String bad : new String[] {"X-Bad: a\u0000b", "X-Bad: a\rb", "X-Bad: a\u007fb", "X(Bad): x"}) {
            try (RawBackend b = new RawBackend((head, body, out, s) -> {
                write(out, "HTTP/1.1 200 OK\r\n" + bad + "\r\nContent-Length: 2\r\n\r\nok");
                return true;
            }); TestEngine e = TestEngine.start(yaml(b.port(), ""))) {
                RawClient.Response r = get(e, "/x");
                assertThat(r.status()).as(bad).isEqualTo(502);
                assertThat(r.header("X-Bad")).isNull();
            }
        }
    }

    @Test
    void aBackendThatClosesBeforeAnsweringIs502() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> false);
                TestEngine e = TestEngine.start(yaml(b.port(), ""))) {
            assertThat(get(e, "/x").status()).isEqualTo(502);
            assertThat(logged("upstream prematurely closed connection while reading response header from upstream"))
                    .isTrue();
        }
    }

    @Test
    void aSilentBackendIs504AfterProxyReadTimeout() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return false;
        }); TestEngine e = TestEngine.start(yaml(b.port(), ""))) {
            long start = System.nanoTime();
            assertThat(get(e, "/x").status()).isEqualTo(504);
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(300);
            assertThat(logged("upstream timed out (110: Connection timed out) while reading response header from "
                    + "upstream")).isTrue();
            assertStillServing(e);
        }
    }

    @Test
    void aBackendThatDiesMidBodyEndsTheClientsConnection() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(100));
            return false;
        }); TestEngine e = TestEngine.start(yaml(b.port(), "")); RawClient c = e.raw()) {
            c.send("GET /x HTTP/1.1\r\nHost: front\r\n\r\n");
            String all = new String(c.timeout(5000).readToEnd(), StandardCharsets.ISO_8859_1);
            assertThat(all).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 1000\r\n");
            assertThat(all.substring(all.indexOf("\r\n\r\n") + 4)).isEqualTo("x".repeat(100));
            assertThat(logged("upstream prematurely closed connection while reading upstream")).isTrue();
            assertStillServing(e);
        }
    }

    @Test
    void informationalResponsesAreSkippedAndChunkedBodiesPassThrough() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            write(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
            return true;
        }); TestEngine e = TestEngine.start(yaml(b.port(), ""))) {
            RawClient.Response r = get(e, "/x");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.body()).isEqualTo("hello world");
        }
    }

    @Test
    void keptConnectionsServeLaterRequestsAndAStaleOneIsRetriedUnseen() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            write(out, OK);
            return !head.contains("/last-on-this"); // that one closes after answering
        }); TestEngine e = TestEngine.start(yaml(b.port(), "")); RawClient c = e.raw()) {
            for (int i = 0; i < 10; i++) {
                assertThat(c.send("GET /x HTTP/1.1\r\nHost: front\r\n\r\n").read().body()).isEqualTo("ok");
            }
            assertThat(b.accepted.get()).isEqualTo(1);
            assertThat(b.heads.get(0)).doesNotContain("Connection:");
            assertThat(c.send("GET /last-on-this HTTP/1.1\r\nHost: front\r\n\r\n").read().body()).isEqualTo("ok");
            // the backend closed its side without telling: the next request may meet the dead connection
            assertThat(c.send("GET /x HTTP/1.1\r\nHost: front\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(b.accepted.get()).isEqualTo(2);
        }
    }

    @Test
    void headGetsTheBackendsLengthAndNoBody() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n");
            return true;
        }); TestEngine e = TestEngine.start(yaml(b.port(), "")); RawClient c = e.raw()) {
            RawClient.Response r = c.send("HEAD /x HTTP/1.1\r\nHost: front\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo("1234");
            assertThat(b.heads.get(0)).startsWith("HEAD /x HTTP/1.1\r\n");
            assertThat(c.send("HEAD /y HTTP/1.1\r\nHost: front\r\n\r\n").read(true).status()).isEqualTo(200);
            assertThat(b.accepted.get()).isEqualTo(1);
        }
    }

    @Test
    void aPostIsNotSentTwiceButAGetGoesToTheNextPeer() throws Exception {
        try (RawBackend dying = new RawBackend((head, body, out, s) -> false);
                RawBackend good = new RawBackend((head, body, out, s) -> {
                    write(out, OK);
                    return true;
                })) {
            String y = """
                    upstreams:
                      - name: pair
                        servers: ["127.0.0.1:%d", "127.0.0.1:%d backup"]
                    servers:
                      - listen: ["127.0.0.1:0"]
                        locations:
                          - location: /
                            proxy-pass: http://pair
                    """.formatted(dying.port(), good.port());
            try (TestEngine e = TestEngine.start(y); RawClient c = e.raw()) {
                RawClient.Response post = c.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc").read();
                assertThat(post.status()).isEqualTo(502);
                assertThat(good.heads).isEmpty();
                assertThat(dying.heads).hasSize(1);
                // the failed primary is out for fail-timeout: the backup answers the next request
                assertThat(c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("ok");
            }
        }
    }

    @Test
    void nextUpstreamOnA503WhenAsked() throws Exception {
        try (RawBackend busy = new RawBackend((head, body, out, s) -> {
            write(out, "HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy");
            return true;
        }); RawBackend good = new RawBackend((head, body, out, s) -> {
            write(out, OK);
            return true;
        })) {
            String y = """
                    upstreams:
                      - name: pair
                        servers: ["127.0.0.1:%d max-fails=0", "127.0.0.1:%d"]
                    servers:
                      - listen: ["127.0.0.1:0"]
                        locations:
                          - location: /asked
                            proxy-pass: http://pair
                            proxy-next-upstream: [error, timeout, http_503]
                          - location: /not
                            proxy-pass: http://pair
                    """.formatted(busy.port(), good.port());
            try (TestEngine e = TestEngine.start(y)) {
                for (int i = 0; i < 4; i++) {
                    assertThat(get(e, "/asked").body()).isEqualTo("ok");
                }
                int busyAnswers = 0;
                for (int i = 0; i < 4; i++) {
                    RawClient.Response r = get(e, "/not");
                    busyAnswers += r.status() == 503 ? 1 : 0;
                }
                assertThat(busyAnswers).isPositive();
            }
        }
    }

    @Test
    void interceptedErrorsGetTheErrorPage() throws IOException {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            write(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\nbackend");
            return true;
        }); TestEngine e = TestEngine.start(yaml(b.port(), """
                        proxy-intercept-errors: on
                        error-page: ["404 /alive"]
                """))) {
            RawClient.Response r = get(e, "/x");
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).isEqualTo("alive");
        }
    }

    @Test
    void bytesPastTheEndOfAResponseNeverReachTheNextRequest() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            if (head.startsWith("GET /split")) {
                // five bytes of body, then the start of a forged response that the next request would complete
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                        + "HTTP/1.1 302 Found\r\nLocation: http://evil.example/\r\nX-Eat:");
            } else if (head.startsWith("HEAD")) {
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); // a body a HEAD must not have
            } else {
                write(out, OK);
            }
            return true;
        }); TestEngine e = TestEngine.start(yaml(b.port(), ""))) {
            assertThat(get(e, "/split").body()).isEqualTo("hello");
            RawClient.Response victim = get(e, "/victim");
            assertThat(victim.status()).isEqualTo(200);
            assertThat(victim.header("Location")).isNull();
            assertThat(victim.body()).isEqualTo("ok");
            assertThat(logged("upstream sent more data than specified in Content-Length")).isTrue();
            try (RawClient c = e.raw()) {
                for (int i = 0; i < 3; i++) {
                    assertThat(c.send("HEAD /h HTTP/1.1\r\nHost: front\r\n\r\n").read(true).status()).isEqualTo(200);
                    assertThat(c.send("GET /g HTTP/1.1\r\nHost: front\r\n\r\n").read().body()).isEqualTo("ok");
                }
            }
        }
    }

    @Test
    void aPostIsNotSentAgainWhenAKeptConnectionTurnsOutClosed() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            if (head.startsWith("POST")) {
                return false; // read, then closed without an answer
            }
            write(out, OK);
            return true;
        }); TestEngine e = TestEngine.start(yaml(b.port(), "")); RawClient c = e.raw()) {
            assertThat(c.send("GET /x HTTP/1.1\r\nHost: front\r\n\r\n").read().body()).isEqualTo("ok");
            RawClient.Response post = c.send("POST /order HTTP/1.1\r\nHost: front\r\nContent-Length: 7\r\n\r\norder=1")
                    .read();
            assertThat(post.status()).isEqualTo(502);
            assertThat(b.heads.stream().filter(h -> h.startsWith("POST")).count()).isEqualTo(1);
        }
    }

    @Test
    void oddAnswersAreHandledAsNginxDoes() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            if (head.startsWith("GET /short-status")) {
                write(out, "HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok");
            } else if (head.startsWith("GET /relative")) {
                write(out, "HTTP/1.1 302 Found\r\nLocation: /v1/rel\r\nContent-Length: 0\r\n\r\n");
            } else {
                write(out, "HTTP/1.1 200 OK\r\nX-Latin: caf\u00e9\r\nContent-Length: 2\r\n\r\nok");
            }
            return true;
        }); TestEngine e = TestEngine.start(yaml(b.port(), ""))) {
            assertThat(get(e, "/short-status").status()).isEqualTo(502);
            // a Location proxy-redirect did not change stays as the backend wrote it
            assertThat(get(e, "/relative").header("Location")).isEqualTo("/v1/rel");
            RawClient.Response latin = get(e, "/latin");
            assertThat(latin.header("X-Latin")).isEqualTo("caf\u00e9"); // the byte 0xE9, not its UTF-8 form
        }
    }

    @Test
    void theBackendsStatusLineIsPassedOnAsItCame() throws Exception {
        // nginx 1.22 passes "302 Found", "200 Fine Thanks" and "599 Weird" on unchanged (checked with curl)
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            if (head.startsWith("GET /found")) {
                write(out, "HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n");
            } else if (head.startsWith("GET /weird")) {
                write(out, "HTTP/1.1 599 Weird\r\nContent-Length: 2\r\n\r\nok");
            } else {
                write(out, "HTTP/1.1 200 Fine Thanks\r\nContent-Length: 2\r\n\r\nok");
            }
            return true;
        }); TestEngine e = TestEngine.start(yaml(b.port(), ""))) {
            assertThat(get(e, "/found").statusLine()).isEqualTo("HTTP/1.1 302 Found");
            assertThat(get(e, "/fine").statusLine()).isEqualTo("HTTP/1.1 200 Fine Thanks");
            assertThat(get(e, "/weird").statusLine()).isEqualTo("HTTP/1.1 599 Weird");
        }
    }

    @Test
    void noContentAndNotModifiedPassWithoutABodyAndTheConnectionServesOn() throws Exception {
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            if (head.startsWith("GET /none")) {
                write(out, "HTTP/1.1 204 No Content\r\nX-Kind: none\r\n\r\n");
            } else if (head.startsWith("GET /same")) {
                write(out, "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n");
            } else {
                write(out, OK);
            }
            return true;
        }); TestEngine e = TestEngine.start(yaml(b.port(), "")); RawClient c = e.raw()) {
            RawClient.Response none = c.send("GET /none HTTP/1.1\r\nHost: front\r\n\r\n").read();
            assertThat(none.status()).isEqualTo(204);
            assertThat(none.header("X-Kind")).isEqualTo("none");
            assertThat(none.bytes()).isEmpty();
            RawClient.Response same = c.send("GET /same HTTP/1.1\r\nHost: front\r\nIf-None-Match: \"v1\"\r\n\r\n")
                    .read();
            assertThat(same.status()).isEqualTo(304);
            assertThat(same.header("ETag")).isEqualTo("\"v1\"");
            assertThat(c.send("GET /x HTTP/1.1\r\nHost: front\r\n\r\n").read().body()).isEqualTo("ok");
            assertThat(b.accepted.get()).isEqualTo(1);
        }
    }

    @Test
    void aClientThatClosesBeforeTheAnswerEndsTheRequestAndItsBackendConnection() throws Exception {
        CompletableFuture<Integer> backendSaw = new CompletableFuture<>();
        Logger engineLog = (Logger) LoggerFactory.getLogger("dev.modhttp.engine");
        engineLog.setLevel(Level.INFO); // nginx logs a client's abort at info
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            s.setSoTimeout(10_000); // far longer than the test waits: only the engine's close ends the read
            backendSaw.complete(s.getInputStream().read());
            return false;
        }); TestEngine e = TestEngine.start(yaml(b.port(), "").replace("300ms", "30s")); RawClient c = e.raw()) {
            c.send("GET /x HTTP/1.1\r\nHost: front\r\n\r\n");
            Thread.sleep(200); // the request reached the backend
            c.shutdownOutput();
            assertThat(c.isClosedByServer()).as("closed without an answer").isTrue();
            assertThat(backendSaw.get(5, TimeUnit.SECONDS)).as("the engine closed the backend connection").isEqualTo(-1);
            assertThat(logged("client prematurely closed connection, so upstream connection is closed too while "
                    + "reading response header from upstream, client: 127.0.0.1")).isTrue();
            assertStillServing(e);
        } finally {
            engineLog.setLevel(null);
        }
    }

    @Test
    void aSpaceOrControlCharacterInABackendFieldNameIs502AsNginx() throws Exception {
        for (String name : new String[] {"Bad Name", "Bad\tName", "Bad\u007fName"}) {
            MemoryAppender.clear();
            try (RawBackend b = new RawBackend((head, body, out, s) -> {
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + name + ": v\r\n\r\nok");
                return true;
            }); TestEngine e = TestEngine.start(yaml(b.port(), ""))) {
                assertThat(get(e, "/x").status()).as(name).isEqualTo(502);
                String shown = "Bad\\x" + String.format("%02X", (int) name.charAt(3)) + "...";
                assertThat(logged("upstream sent invalid header: \"" + shown
                        + "\" while reading response header from upstream")).as(name).isTrue();
                assertStillServing(e);
            }
        }
        try (RawBackend b = new RawBackend((head, body, out, s) -> {
            write(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\nGood-Name: v\r\n\r\nok");
            return true;
        }); TestEngine e = TestEngine.start(yaml(b.port(), "")); RawClient c = e.raw()) {
            for (int i = 0; i < 3; i++) { // kept connection: every head is checked from its start
                RawClient.Response r = c.send("GET /x HTTP/1.1\r\nHost: front\r\n\r\n").read();
                assertThat(r.body()).isEqualTo("ok");
                assertThat(r.header("Good-Name")).isEqualTo("v");
            }
        }
    }

    @Test
    void aSendTimeoutFailsTheAttemptOnceAndTheNextPeerOnlyWhenTimeoutIsListed() throws Exception {
        long total = 40L * 1024 * 1024;
        for (String next : new String[] {"[error, non_idempotent]", "[error, timeout, non_idempotent]"}) {
            MemoryAppender.clear();
            try (StreamBackend stuck = new StreamBackend(); StreamBackend good = new StreamBackend();
                    TestEngine e = TestEngine.start("""
                    upstreams:
                      - name: two
                        servers: ["127.0.0.1:%d", "127.0.0.1:%d"]
                    servers:
                      - listen: ["127.0.0.1:0"]
                        locations:
                          - location: /
                            proxy-pass: http://two
                            proxy-send-timeout: 1s
                            proxy-next-upstream: %s
                            client-max-body-size: 100m
                    """.formatted(stuck.port(), good.port(), next)); Socket s = new Socket("127.0.0.1", e.port())) {
                stuck.pauseBeforeBody = 20_000; // reads the head, then not a byte of the body
                CompletableFuture<Long> crc = ProxyBufferingTests.upload(s, "POST /up HTTP/1.1\r\nHost: a\r\n"
                        + "Content-Length: " + total + "\r\n\r\n", total, false, new AtomicLong());
                s.setSoTimeout(30_000);
                String head = ProxyBufferingTests.readHead(s.getInputStream());
                if (next.contains("timeout")) {
                    assertThat(head).as(next).startsWith("HTTP/1.1 200 ");
                    int n = Integer.parseInt(StreamBackend.header(head, "content-length"));
                    assertThat(new String(s.getInputStream().readNBytes(n), StandardCharsets.US_ASCII))
                            .isEqualTo(total + " " + Long.toHexString(crc.join()));
                } else {
                    assertThat(head).as(next).startsWith("HTTP/1.1 504 ");
                    assertThat(good.heads).as("no timeout in the list: nothing goes to the next peer").isEmpty();
                    assertThat(MemoryAppender.lines().stream().filter(l -> l.contains("upstream timed out"))).hasSize(1);
                    assertThat(MemoryAppender.lines()).noneMatch(l -> l.contains("prematurely closed"));
                    for (int i = 0; i < 3; i++) { // the good peer is not marked down by a failure that was not its own
                        try (RawClient c = e.raw()) {
                            assertThat(c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
                        }
                    }
                }
            }
        }
    }
}
