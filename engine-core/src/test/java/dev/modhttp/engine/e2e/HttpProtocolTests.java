package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.http.DateCache;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTP/1.1 behaviour over a real socket: keep-alive, pipelining, HEAD, bodiless statuses, Date, Server, bodies. */
@Timeout(30)
class HttpProtocolTests {

    record Echo(Boolean enabled) {
    }

    static final ConfigSpec<Echo> ECHO = ConfigSpec.block("echo", Echo.class).scopes(Scope.LOCATION).build();
    static final ScheduledExecutorService LATER = Executors.newSingleThreadScheduledExecutor();

    @AfterAll
    static void stopScheduler() {
        LATER.shutdownNow();
    }

    static final String YAML = """
            servers:
              - listen: ["127.0.0.1:0"]
                locations:
                  - location: "/limited"
                    keepalive-requests: 3
                    return: "200 limited"
                  - location: "/hello"
                    return: "200 Hello, World!"
                  - location: "/echo"
                    echo: { enabled: true }
                  - location: "/slow"
                    return: "200 slow"
                  - location: "/fast"
                    return: "200 fast"
                  - location: "= /204"
                    return: 204
                  - location: "= /304"
                    return: 304
                  - location: "/small"
                    client-max-body-size: 10
                    echo: { enabled: true }
                  - location: "/spooled"
                    client-body-buffer-size: 1k
                    echo: { enabled: true }
            """;

    static TestEngine engine() {
        return TestEngine.start(YAML, b -> b
                .module(new dev.modhttp.engine.module.Module() {
                    @Override
                    public java.util.List<ConfigSpec<?>> configs() {
                        return java.util.List.of(ECHO);
                    }

                    @Override
                    public void register(dev.modhttp.engine.module.ModuleRegistry r) {
                        r.contentHandler(ECHO, ex -> {
                            ex.response().contentType("text/plain").body(ex.request().method() + " "
                                    + ex.request().bodyAsString());
                            return Result.OK;
                        });
                    }
                })
                // /slow completes 300 ms later from another thread
                .handler(new HandlerDefinition(Phase.ACCESS, 0, "slow", ex -> Result.pending(
                        CompletableFuture.supplyAsync(() -> Result.OK,
                                CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS))),
                        false, l -> l.name().equals("/slow"))));
    }

    @Test
    void http11KeepsTheConnectionOpenAndHttp10OnlyWhenAsked() {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response a = c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read();
            RawClient.Response b = c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(a.body()).isEqualTo("Hello, World!");
            assertThat(b.status()).isEqualTo(200);
            assertThat(a.header("Connection")).isNull();
        }
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response a = c.send("GET /hello HTTP/1.0\r\n\r\n").read();
            assertThat(a.header("Connection")).isEqualTo("close");
            assertThat(a.statusLine()).startsWith("HTTP/1.1 200");
            assertThat(c.isClosedByServer()).isTrue();
        }
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response a = c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(a.header("Connection")).isEqualTo("keep-alive");
            RawClient.Response b = c.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(b.body()).isEqualTo("Hello, World!");
        }
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response a = c.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").read();
            assertThat(a.header("Connection")).isEqualTo("close");
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    @Test
    void keepaliveRequestsClosesAfterTheLimit() {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            for (int i = 1; i <= 3; i++) {
                RawClient.Response r = c.send("GET /limited HTTP/1.1\r\nHost: x\r\n\r\n").read();
                assertThat(r.header("Connection")).as("request " + i).isEqualTo(i == 3 ? "close" : null);
            }
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstFinishesLast() {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().body()).isEqualTo("slow");
            assertThat(c.read().body()).isEqualTo("fast");
            assertThat(c.read().body()).isEqualTo("POST abc");
            assertThat(c.read().body()).isEqualTo("Hello, World!");
        }
    }

    @Test
    void headGetsTheHeadersOfGetWithoutTheBody() {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response get = c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read();
            RawClient.Response head = c.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n").read(true);
            assertThat(head.header("Content-Length")).isEqualTo(get.header("Content-Length")).isEqualTo("13");
            assertThat(head.header("Content-Type")).isEqualTo(get.header("Content-Type"));
            // the next response starts right after the head: no stray body bytes in between
            RawClient.Response next = c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("Hello, World!");
        }
    }

    @Test
    void noContentAndNotModifiedCarryNoBodyAndNoLength() {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            for (String path : new String[] {"/204", "/304"}) {
                RawClient.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(Integer.parseInt(path.substring(1)));
                assertThat(r.header("Content-Length")).isNull();
                assertThat(r.header("Transfer-Encoding")).isNull();
            }
            assertThat(c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("Hello, World!");
        }
    }

    @Test
    void everyResponseHasAnImfFixdateAndAServerWithoutVersion() throws Exception {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            ZonedDateTime date = ZonedDateTime.parse(r.header("Date"), DateTimeFormatter.RFC_1123_DATE_TIME);
            // whole seconds, refreshed once a second: up to about 2 s behind, more on a loaded machine
            java.time.Instant now = java.time.Instant.now();
            assertThat(date.toInstant()).isBetween(now.minusSeconds(10).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    now);
            assertThat(r.header("Date")).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
            assertThat(r.header("Server")).isEqualTo("modhttp");
            // the value is cached and refreshed by the once-a-second tick, not formatted per request
            assertThat((Object) DateCache.now()).isSameAs(DateCache.now());
            String before = DateCache.now().toString();
            Thread.sleep(2100);
            assertThat(DateCache.now().toString()).isNotEqualTo(before);
        }
    }

    @Test
    void bodiesWithContentLengthOrChunkedAreReadBeforeContent() {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response a = c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").read();
            assertThat(a.body()).isEqualTo("POST hello");
            RawClient.Response b = c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").read();
            assertThat(b.body()).isEqualTo("POST abcde");
            // a body split over several writes
            c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nab");
            sleep(100);
            c.send("cd");
            sleep(100);
            c.send("ef");
            assertThat(c.read().body()).isEqualTo("POST abcdef");
        }
    }

    @Test
    void tooLargeBodiesGet413BeforeAnyByteIsReadOrAsSoonAsTheLimitIsPassed() {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            // Content-Length over the limit: 413 without sending a single body byte
            RawClient.Response r = c.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("Connection")).isEqualTo("close");
        }
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response r = c.send("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
        }
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response r = c.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789").read();
            assertThat(r.body()).isEqualTo("POST 0123456789");
        }
    }

    @Test
    void defaultLimitIsOneMebibyte() {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response r = c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + (1024 * 1024 + 1)
                    + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
        }
    }

    @Test
    void expectContinueGets100OnlyWhenTheBodyWillBeRead() {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response cont = c.read(true);
            assertThat(cont.status()).isEqualTo(100);
            RawClient.Response r = c.send("abc").read();
            assertThat(r.body()).isEqualTo("POST abc");
        }
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            // over the limit: 413 instead of 100
            RawClient.Response r = c.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n"
                    + "Expect: 100-continue\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
        }
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            // answered without reading the body (a return): 100 first, as nginx, then the answer;
            // the body is read and dropped and the connection goes on
            c.send("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.read(true).status()).isEqualTo(100);
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Connection")).isNull();
            assertThat(c.send("abc").send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read().body()).isEqualTo("Hello, World!");
        }
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            // the body sent at once without waiting for 100, a second request pipelined behind it
            c.send("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc"
                    + "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response first = c.read();
            if (first.status() == 100) {
                first = c.read();
            }
            assertThat(first.status()).isEqualTo(200);
            assertThat(c.read().body()).isEqualTo("Hello, World!");
        }
    }

    @Test
    void traceIs405WithAllowAndTheConnectionCloses() {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response r = c.send("TRACE /hello HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("Allow")).isEqualTo("GET, HEAD");
            assertThat(r.header("Connection")).isEqualTo("close");
        }
    }

    @Test
    void aReturnRespectsTheBodyLimitBeforeDiscarding() {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /r
                        client-max-body-size: 10
                        return: "200 returned"
                """); RawClient c = e.raw()) {
            assertThat(c.send("POST /r HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n").read().status())
                    .isEqualTo(413);
        }
    }

    @Test
    void aHandlerMayStreamTheBodyInsteadOfHavingItBuffered() {
        java.util.List<Integer> pieces = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /stream
                """, b -> b
                .handler(Phase.PRECONTENT, ex -> {
                    CompletableFuture<Result> done = new CompletableFuture<>();
                    StringBuilder seen = new StringBuilder();
                    ex.streamRequestBody(new dev.modhttp.engine.http.HttpExchange.RequestBodyListener() {
                        @Override
                        public void onData(io.netty.buffer.ByteBuf data) {
                            pieces.add(data.readableBytes());
                            seen.append(data.toString(java.nio.charset.StandardCharsets.UTF_8));
                        }

                        @Override
                        public void onEnd() {
                            ex.response().body("streamed " + seen.length() + " bytes");
                            done.complete(Result.DONE);
                        }
                    });
                    return Result.pending(done);
                })); RawClient c = e.raw()) {
            c.send("POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            sleep(100);
            c.send("6\r\n world\r\n0\r\n\r\n");
            assertThat(c.read().body()).isEqualTo("streamed 11 bytes");
            assertThat(pieces).containsExactly(5, 6);
        }
    }

    @Test
    void aBodyThatIsNotReadIsDiscardedSoTheNextRequestParses() {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response a = c.send("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").read();
            assertThat(a.body()).isEqualTo("Hello, World!");
            assertThat(a.header("Connection")).isNull();
            RawClient.Response b = c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(b.status()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestStillGetsTheResponse() {
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n").shutdownOutput();
            RawClient.Response r = c.read();
            assertThat(r.body()).isEqualTo("slow");
            assertThat(c.isClosedByServer()).isTrue();
        }
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n").shutdownOutput();
            assertThat(c.read().body()).isEqualTo("Hello, World!");
            assertThat(c.read().body()).isEqualTo("fast");
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aBodyPastTheBufferSizeWaitsInAFileThatTheHandlerReadsAndThatIsGoneAfterTheRequest() throws Exception {
        MemoryAppender.clear();
        String body = "x".repeat(5000);
        try (TestEngine e = engine(); RawClient c = e.raw()) {
            RawClient.Response r = c.send("POST /spooled HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + body)
                    .read();
            assertThat(r.body()).isEqualTo("POST " + body);
            String line = MemoryAppender.lines().stream()
                    .filter(l -> l.contains("a client request body is buffered to a temporary file ")).findFirst()
                    .orElseThrow();
            Path file = Path.of(line.substring(line.indexOf("temporary file ") + 15).trim());
            for (int i = 0; i < 100 && Files.exists(file); i++) {
                Thread.sleep(20); // the request ends just after its last byte left
            }
            assertThat(file).doesNotExist();
            RawClient.Response small = c.send("POST /spooled HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc").read();
            assertThat(small.body()).isEqualTo("POST abc");
            assertThat(MemoryAppender.lines().stream().filter(l -> l.contains("buffered to a temporary file"))).hasSize(1);
        }
    }
}
