package dev.modhttp.engine.http2;

import static dev.modhttp.engine.http2.H2Client.DATA;
import static dev.modhttp.engine.http2.H2Client.END_HEADERS;
import static dev.modhttp.engine.http2.H2Client.END_STREAM;
import static dev.modhttp.engine.http2.H2Client.GOAWAY;
import static dev.modhttp.engine.http2.H2Client.HEADERS;
import static dev.modhttp.engine.http2.H2Client.PING;
import static dev.modhttp.engine.http2.H2Client.SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.module.EngineStatus;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestCertificates;
import dev.modhttp.engine.test.TestEngine;
import dev.modhttp.engine.test.TlsEndClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 end to end: h2c with prior knowledge on a plain port with {@code http2: on}, h2 by
 * ALPN on a TLS port, the same locations and variables as over HTTP/1.1, request bodies and
 * their limits per stream, files under flow control, and the connection's own rules.
 */
@Timeout(60)
class Http2Tests {

    record Echo(Boolean enabled) {
    }

    static final ConfigSpec<Echo> ECHO = ConfigSpec.block("echo", Echo.class).scopes(Scope.LOCATION).build();

    @TempDir
    static Path root;

    static byte[] big;

    @BeforeAll
    static void files() throws Exception {
        big = new byte[1024 * 1024 + 7];
        new Random(7).nextBytes(big);
        Files.createDirectories(root.resolve("files"));
        Files.write(root.resolve("files/big.bin"), big);
        Files.writeString(root.resolve("files/small.txt"), "small file\n");
    }

    static final String LOCATIONS = """
                    locations:
                      - location: /
                        return: "200 $server_protocol $scheme $request_method $uri $args $http_cookie"
                      - location: /files/
                        root: %1$s
                      - location: /echo
                        client-max-body-size: 100
                        echo: { enabled: true }
                      - location: /moved
                        return: "301 /new"
                """;

    static TestEngine h2c(String extra) {
        return TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    http2: on
                    %2$s
                """.formatted(root, extra) + LOCATIONS.formatted(root), b -> b.module(echo()));
    }

    static Module echo() {
        return new Module() {
            @Override
            public List<ConfigSpec<?>> configs() {
                return List.of(ECHO);
            }

            @Override
            public void register(ModuleRegistry r) {
                r.contentHandler(ECHO, ex -> {
                    ex.response().contentType("text/plain").body(ex.request().method() + " " + ex.request().bodyAsString());
                    return Result.OK;
                });
            }
        };
    }

    @Test
    void h2cWithPriorKnowledgeServesTheLocationsWithHttp2Variables() throws Exception {
        try (TestEngine e = h2c(""); H2Client c = H2Client.connect(e.port()).handshake()) {
            H2Client.Frame settings = c.until(f -> f.type() == SETTINGS && f.flags() == 0);
            assertThat(settingsOf(settings)).containsEntry(3, 128L).containsEntry(4, 65536L);
            c.frame(HEADERS, END_HEADERS | END_STREAM, 1, c.block("GET", "/a/../b?x=1", "localhost", "cookie", "a=1",
                    "cookie", "b=2"));
            H2Client.Response r = c.response(1);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("HTTP/2.0 http GET /b x=1 a=1; b=2");
            assertThat(r.head().get("server")).hasToString("modhttp");
            assertThat(r.head().get("content-length")).hasToString(String.valueOf(r.body().length));
            assertThat(r.head().contains("connection")).isFalse();
            c.get(3, "/moved");
            H2Client.Response moved = c.response(3);
            assertThat(moved.status()).isEqualTo(301);
            assertThat(moved.head().get("location")).hasToString("http://localhost:" + e.port() + "/new");
        }
    }

    static final String UPGRADE = "GET /up?q=1 HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n"; // MAX_CONCURRENT_STREAMS 100, INITIAL_WINDOW_SIZE 65535

    /** Bytes up to the end of a response head, read one at a time so that nothing after it is taken. */
    static String head(java.io.InputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            assertThat(c).as("the connection closed after " + b).isNotNegative();
            b.append((char) c);
        }
        return b.toString();
    }

    @Test
    void withHttp2UpgradeAnUpgradeToH2cIsAnsweredOnStream1AndTheConnectionGoesOnInHttp2() throws Exception {
        try (TestEngine e = h2c("http2-upgrade: on"); java.net.Socket s = new java.net.Socket("127.0.0.1", e.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((UPGRADE + "\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(head(s.getInputStream()))
                    .isEqualTo("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
            H2Client c = new H2Client(s).handshake();
            H2Client.Response up = c.response(1);
            assertThat(up.status()).isEqualTo(200);
            assertThat(up.text()).isEqualTo("HTTP/2.0 http GET /up q=1 ");
            c.get(3, "/next");
            assertThat(c.response(3).text()).isEqualTo("HTTP/2.0 http GET /next  ");
        }
    }

    /** One request over a raw HTTP/1.1 connection: its response. */
    static RawClient.Response http11(int port, String request) {
        try (RawClient c = new RawClient(port)) {
            return c.send(request).read();
        }
    }

    @Test
    void http2UpgradeWhereItCannotApplyIsWarnedAbout() throws Exception {
        MemoryAppender.clear();
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    http2-upgrade: on
                    locations:
                      - location: /
                        return: "200 h1"
                """)) {
            assertThat(http11(e.port(), UPGRADE + "\r\n").body()).isEqualTo("h1");
            assertThat(MemoryAppender.lines()).anyMatch(l -> l.contains("http2-upgrade takes effect on a plain listen with"
                    + " http2 only, not on 127.0.0.1:"));
        }
    }

    @Test
    void anUpgradeIsIgnoredWithoutHttp2UpgradeWithABodyOrWithBadSettings() throws Exception {
        try (TestEngine e = h2c("")) {
            RawClient.Response r = http11(e.port(), UPGRADE + "\r\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("HTTP/1.1 http GET /up q=1 ");
        }
        try (TestEngine e = h2c("http2-upgrade: on")) {
            RawClient.Response withBody = http11(e.port(), UPGRADE.replace("GET /up?q=1", "POST /echo")
                    + "Content-Length: 2\r\n\r\nhi");
            assertThat(withBody.status()).isEqualTo(200);
            assertThat(withBody.body()).isEqualTo("POST hi");
            RawClient.Response badSettings = http11(e.port(), UPGRADE.replace("AAMAAABkAAQAAP__", "AAMAAABkAAQ") + "\r\n");
            assertThat(badSettings.status()).isEqualTo(200);
            assertThat(badSettings.body()).isEqualTo("HTTP/1.1 http GET /up q=1 ");
        }
    }

    @Test
    void http11StillServesOnAPortWithHttp2() throws Exception {
        try (TestEngine e = h2c(""); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(r.body()).isEqualTo("HTTP/1.1 http GET /x  ");
        }
        try (TestEngine e = h2c(""); RawClient c = e.raw()) {
            // a request line that starts like the preface but is not one is HTTP/1's to answer (nginx: 400)
            RawClient.Response pri = c.send("PRI * HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(pri.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
        }
    }

    @Test
    void manyStreamsAtOnceOnOneConnectionAreEachAnswered() throws Exception {
        try (TestEngine e = h2c(""); H2Client c = H2Client.connect(e.port()).handshake()) {
            for (int i = 0; i < 50; i++) {
                c.get(1 + 2 * i, "/s" + i);
            }
            Map<Integer, StringBuilder> bodies = new HashMap<>();
            int ended = 0;
            while (ended < 50) {
                H2Client.Frame f = c.read();
                if (f.type() == DATA) {
                    bodies.computeIfAbsent(f.stream(), k -> new StringBuilder())
                            .append(new String(f.payload(), StandardCharsets.UTF_8));
                }
                if (f.endStream()) {
                    ended++;
                }
            }
            for (int i = 0; i < 50; i++) {
                assertThat(bodies.get(1 + 2 * i)).hasToString("HTTP/2.0 http GET /s" + i + "  ");
            }
        }
    }

    @Test
    void aRequestBodyIsReadPerStreamAndItsLimitAnswers413OnlyThatStream() throws Exception {
        try (TestEngine e = h2c(""); H2Client c = H2Client.connect(e.port()).handshake()) {
            c.frame(HEADERS, END_HEADERS, 1, c.block("POST", "/echo", "localhost", "content-length", "5"));
            c.frame(DATA, 0, 1, "he".getBytes(StandardCharsets.US_ASCII));
            c.frame(DATA, END_STREAM, 1, "llo".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.response(1).text()).isEqualTo("POST hello");
            c.frame(HEADERS, END_HEADERS, 3, c.block("POST", "/echo", "localhost", "content-length", "500"));
            H2Client.Response tooLarge = c.response(3);
            assertThat(tooLarge.status()).isEqualTo(413);
            // the connection goes on
            c.get(5, "/after");
            assertThat(c.response(5).text()).startsWith("HTTP/2.0 http GET /after");
        }
    }

    @Test
    void aLargeFileGoesOutUnderFlowControl() throws Exception {
        try (TestEngine e = h2c(""); H2Client c = H2Client.connect(e.port()).handshake()) {
            c.get(1, "/files/big.bin");
            // the client's window is 65535: without WINDOW_UPDATE the server must stop there
            List<H2Client.Frame> first = c.drain(500);
            int sent = first.stream().filter(f -> f.type() == DATA).mapToInt(f -> f.payload().length).sum();
            assertThat(sent).isEqualTo(65535);
            assertThat(first.stream().filter(f -> f.type() == DATA).mapToInt(f -> f.payload().length).max().orElse(0))
                    .isLessThanOrEqualTo(16384); // SETTINGS_MAX_FRAME_SIZE
            // open both windows wide: the rest arrives
            c.frame(H2Client.WINDOW_UPDATE, 0, 0, H2Client.int32(big.length));
            c.frame(H2Client.WINDOW_UPDATE, 0, 1, H2Client.int32(big.length));
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            first.stream().filter(f -> f.type() == DATA).forEach(f -> body.writeBytes(f.payload()));
            while (true) {
                H2Client.Frame f = c.read();
                if (f.type() == DATA) {
                    body.writeBytes(f.payload());
                }
                if (f.endStream()) {
                    break;
                }
            }
            assertThat(body.toByteArray()).isEqualTo(big);
        }
    }

    /** The location /files/ on the test's root, for {@link #logged}. */
    static String filesLocation() {
        return """
                      - location: /files/
                        root: %s
                """.formatted(root);
    }

    /** An h2c engine whose access log writes {@code $request_uri $status $body_bytes_sent} to the test logger. */
    static TestEngine logged(String serverKeys, String locations) {
        MemoryAppender.clear();
        return TestEngine.start("""
                log-format:
                  sent: '$request_uri $status $body_bytes_sent'
                servers:
                  - listen: ["127.0.0.1:0"]
                    http2: on
                    access-log: ["logger:test.access sent"]
                    %s
                    locations:
                """.formatted(serverKeys) + locations, b -> b.module(echo()));
    }

    /** Waits for an access-log line ending in {@code tail}: 5 s at most, as the log is written off the event loop. */
    static void assertLogged(String tail) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (MemoryAppender.lines().stream().noneMatch(l -> l.endsWith(tail)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(MemoryAppender.lines()).anyMatch(l -> l.endsWith(tail));
    }

    /**
     * As nginx counts a stream's DATA frames as they leave: a download the client resets logs
     * what reached the socket (its window), not what waited for the window; a whole one logs all.
     */
    @Test
    void aStreamLogsTheBodyBytesItsDataFramesCarriedWhenTheClientResetsIt() throws Exception {
        try (TestEngine e = logged("", filesLocation()); H2Client c = H2Client.connect(e.port()).handshake()) {
            c.get(1, "/files/big.bin?cut");
            int received = c.drain(500).stream().filter(f -> f.type() == DATA).mapToInt(f -> f.payload().length).sum();
            assertThat(received).as("the client's window").isEqualTo(65535);
            c.frame(H2Client.RST_STREAM, 0, 1, H2Client.int32(0x8)); // CANCEL
            // a whole download on the same connection, with the windows opened
            c.frame(H2Client.WINDOW_UPDATE, 0, 0, H2Client.int32(2 * big.length));
            c.get(3, "/files/big.bin?whole");
            c.frame(H2Client.WINDOW_UPDATE, 0, 3, H2Client.int32(big.length));
            long whole = 0;
            for (H2Client.Frame f = c.read(); ; f = c.read()) {
                if (f.type() == DATA && f.stream() == 3) {
                    whole += f.payload().length;
                }
                if (f.stream() == 3 && f.endStream()) {
                    break;
                }
            }
            assertThat(whole).isEqualTo(big.length);
            assertLogged(" /files/big.bin?cut 200 65535");
            assertLogged(" /files/big.bin?whole 200 " + big.length);
        }
    }

    /**
     * A response whose DATA waits for a window the client never opens ends after send-timeout, as
     * nginx ends it: RST_STREAM PROTOCOL_ERROR, logged with its status and the 0 bytes that left.
     */
    @Test
    void aStreamWhoseWindowNeverOpensIsResetAfterSendTimeoutAndLogged() throws Exception {
        try (TestEngine e = logged("send-timeout: 1s", filesLocation());
                H2Client c = H2Client.connect(e.port()).open(H2Client.SETTINGS_INITIAL_WINDOW_SIZE, 0)) {
            c.get(1, "/files/small.txt");
            H2Client.Frame head = c.read();
            assertThat(head.type()).isEqualTo(HEADERS);
            assertThat(head.headers().status().toString()).isEqualTo("200");
            assertThat(MemoryAppender.lines()).as("not ended while its DATA waits").noneMatch(l -> l.contains("small"));
            H2Client.Frame reset = c.read(); // within the client's read timeout, 10 s; send-timeout is 1 s
            assertThat(reset.type()).isEqualTo(H2Client.RST_STREAM);
            assertThat(reset.stream()).isEqualTo(1);
            assertThat(reset.payload()).isEqualTo(H2Client.int32(0x1)); // PROTOCOL_ERROR, nginx's code for a timeout
            assertLogged(" /files/small.txt 200 0");
        }
    }

    /** RFC 9113 §5.4.2: a RST_STREAM is never answered with one, not even while the stream's DATA waits to go. */
    @Test
    void aClientsResetOfAStreamStillSendingIsNotAnsweredWithAReset() throws Exception {
        try (TestEngine e = logged("", filesLocation());
                H2Client c = H2Client.connect(e.port()).open(H2Client.SETTINGS_INITIAL_WINDOW_SIZE, 0)) {
            c.get(1, "/files/big.bin");
            assertThat(c.read().type()).isEqualTo(HEADERS);
            c.frame(H2Client.SETTINGS, 0, 0, H2Client.settings(H2Client.SETTINGS_INITIAL_WINDOW_SIZE, 16384));
            assertThat(c.until(f -> f.type() == DATA).stream()).isEqualTo(1); // the rest waits for the window
            c.frame(H2Client.RST_STREAM, 0, 1, H2Client.int32(0x8)); // CANCEL
            assertLogged(" /files/big.bin 200 16384");
            c.get(3, "/files/small.txt");
            List<H2Client.Frame> after = new ArrayList<>();
            for (H2Client.Frame f = c.read(); ; f = c.read()) {
                after.add(f);
                if (f.stream() == 3 && f.endStream()) {
                    break;
                }
            }
            assertThat(after).noneMatch(f -> f.type() == H2Client.RST_STREAM);
        }
    }

    /**
     * send-timeout runs between two successive writes, as nginx's: a download the client keeps
     * taking slowly, each bit well within the timeout, goes on past the timeout as a whole.
     */
    @Test
    void aSlowButSteadyDownloadIsNotCutBySendTimeout() throws Exception {
        try (TestEngine e = logged("send-timeout: 2s", filesLocation());
                H2Client c = H2Client.connect(e.port()).open(H2Client.SETTINGS_INITIAL_WINDOW_SIZE, 0)) {
            c.get(1, "/files/big.bin");
            assertThat(c.read().type()).isEqualTo(HEADERS);
            long start = System.nanoTime();
            int received = 0;
            while (System.nanoTime() - start < Duration.ofSeconds(3).toNanos()) { // longer than send-timeout
                c.frame(H2Client.WINDOW_UPDATE, 0, 1, H2Client.int32(4096));
                H2Client.Frame f = c.read();
                assertThat(f.type()).as("DATA, not a reset").isEqualTo(DATA);
                received += f.payload().length;
                Thread.sleep(300);
            }
            c.frame(H2Client.WINDOW_UPDATE, 0, 0, H2Client.int32(big.length)); // the connection's window too
            c.frame(H2Client.WINDOW_UPDATE, 0, 1, H2Client.int32(big.length));
            for (H2Client.Frame f = c.read(); ; f = c.read()) {
                assertThat(f.type()).as("DATA, not a reset").isEqualTo(DATA);
                received += f.payload().length;
                if (f.endStream()) {
                    break;
                }
            }
            assertThat(received).isEqualTo(big.length);
            assertLogged(" /files/big.bin 200 " + big.length);
        }
    }

    /**
     * limit-conn over h2: a stream holds its place while its DATA waits for the window, as nginx's
     * does, and gives it back once its frames left; a stream reset in the same read as its request
     * gives its place back too.
     */
    @Test
    void aStreamHoldsItsLimitConnPlaceUntilItsFramesLeave() throws Exception {
        try (TestEngine e = TestEngine.start("""
                limit-conn-zone: ["$http_x_key zone=dl:1m"]
                servers:
                  - listen: ["127.0.0.1:0"]
                    http2: on
                    limit-conn: ["dl 1"]
                    locations:
                      - location: /files/
                        root: %s
                """.formatted(root));
                H2Client reset = H2Client.connect(e.port()).open();
                H2Client stalled = H2Client.connect(e.port()).open(H2Client.SETTINGS_INITIAL_WINDOW_SIZE, 0);
                H2Client other = H2Client.connect(e.port()).open()) {
            // HEAD (the response is its HEADERS) and RST_STREAM in one write: one read on the server
            reset.raw(H2Client.concat(
                    H2Client.frameBytes(HEADERS, END_HEADERS | END_STREAM, 1,
                            reset.block("HEAD", "/files/small.txt", "localhost", "x-key", "k")),
                    H2Client.frameBytes(H2Client.RST_STREAM, 0, 1, H2Client.int32(0x8))));
            reset.drain(300);
            stalled.headers(1, true, stalled.block("GET", "/files/small.txt", "localhost", "x-key", "k"));
            assertThat(stalled.read().headers().status().toString()).isEqualTo("200"); // its DATA waits
            other.headers(1, true, other.block("GET", "/files/small.txt", "localhost", "x-key", "k"));
            assertThat(other.response(1).head().status().toString()).as("the place is held").isEqualTo("503");
            stalled.frame(H2Client.WINDOW_UPDATE, 0, 1, H2Client.int32(100)); // the DATA leaves, the place is free
            assertThat(stalled.until(f -> f.type() == DATA && f.endStream()).payload()).isEqualTo(
                    "small file\n".getBytes(StandardCharsets.US_ASCII));
            int status = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            for (int id = 3; status != 200 && System.nanoTime() < deadline; id += 2) {
                other.headers(id, true, other.block("GET", "/files/small.txt", "localhost", "x-key", "k"));
                status = Integer.parseInt(other.response(id).head().status().toString());
            }
            assertThat(status).isEqualTo(200);
        }
    }

    /** A body that stops coming: 408 in the log and RST_STREAM PROTOCOL_ERROR after client-body-timeout, as nginx. */
    @Test
    void aStreamWhoseBodyStopsComingIsResetAfterClientBodyTimeout() throws Exception {
        try (TestEngine e = logged("client-body-timeout: 1s", """
                      - location: /echo
                        echo: { enabled: true }
                """); H2Client c = H2Client.connect(e.port()).open()) {
            c.headers(1, false, c.block("POST", "/echo", "localhost", "content-length", "10"));
            H2Client.Frame reset = c.until(f -> f.type() == H2Client.RST_STREAM);
            assertThat(reset.stream()).isEqualTo(1);
            assertThat(reset.payload()).isEqualTo(H2Client.int32(0x1)); // PROTOCOL_ERROR, nginx's code for a timeout
            assertLogged(" /echo 408 0");
        }
    }

    /**
     * An answered stream whose small body stops coming is read and dropped until client-body-timeout,
     * then ended with RST_STREAM NO_ERROR (RFC 9113 §8.1): the response was whole, nothing failed.
     */
    @Test
    void anAnsweredStreamWhoseBodyStopsComingEndsWithNoError() throws Exception {
        try (TestEngine e = logged("client-body-timeout: 1s", """
                      - location: /answered
                        return: "204"
                """); H2Client c = H2Client.connect(e.port()).open()) {
            c.headers(1, false, c.block("POST", "/answered", "localhost", "content-length", "10"));
            H2Client.Frame head = c.until(f -> f.type() == HEADERS);
            assertThat(head.headers().status().toString()).isEqualTo("204");
            assertLogged(" /answered 204 0");
            H2Client.Frame reset = c.until(f -> f.type() == H2Client.RST_STREAM);
            assertThat(reset.stream()).isEqualTo(1);
            assertThat(reset.payload()).isEqualTo(H2Client.int32(0x0)); // NO_ERROR
        }
    }

    @Test
    void aGetWhoseBodyNeverComesIsAnsweredAtOnceAndItsStreamEndsWithNoError() throws Exception {
        // nginx serves it without waiting for the body, then resets the stream with NO_ERROR
        try (TestEngine e = logged("client-body-timeout: 1s", filesLocation() + """
                      - location: /answered
                        return: "200 yes"
                """); H2Client c = H2Client.connect(e.port()).open()) {
            for (int id : new int[] {1, 3}) {
                c.headers(id, false, c.block("GET", id == 1 ? "/files/small.txt" : "/answered", "localhost"));
                H2Client.Frame head = c.until(f -> f.type() == HEADERS);
                assertThat(head.stream()).isEqualTo(id);
                assertThat(head.headers().status().toString()).isEqualTo("200");
                H2Client.Frame data = c.until(f -> f.type() == DATA);
                assertThat(data.endStream()).isTrue();
                H2Client.Frame reset = c.until(f -> f.type() == H2Client.RST_STREAM);
                assertThat(reset.stream()).isEqualTo(id);
                assertThat(reset.payload()).isEqualTo(H2Client.int32(0x0)); // NO_ERROR
            }
            assertLogged(" /answered 200 3");
        }
    }

    @Test
    void anIdleConnectionEndsWithGoawayAtKeepaliveTimeoutAndClosesWithoutLingering() throws Exception {
        // nginx 1.22: GOAWAY 1 s after the last stream with keepalive_timeout 1s, and the close at once
        try (TestEngine e = h2c("keepalive-timeout: 1s\n    lingering-timeout: 30s");
                H2Client c = H2Client.connect(e.port()).handshake()) {
            c.get(1, "/one");
            assertThat(c.until(f -> f.type() == GOAWAY).errorCode()).isEqualTo(0L); // not at client-header-timeout (60 s)
            assertThat(c.closedByServer()).as("within the client's 10 s, not lingering-timeout's 30").isTrue();
        }
        // after keepalive-requests' GOAWAY, lingering-close off closes once the last stream has ended
        try (TestEngine e = h2c("keepalive-requests: 1\n    lingering-close: off\n    lingering-timeout: 30s");
                H2Client c = H2Client.connect(e.port()).handshake()) {
            c.get(1, "/one");
            c.until(f -> f.type() == GOAWAY);
            assertThat(c.closedByServer()).as("within the client's 10 s, not lingering-timeout's 30").isTrue();
        }
    }

    @Test
    void afterGoawayTheOutputEndsAtOnceAndWhatTheClientStillSendsIsDroppedUntilLingeringTime() throws Exception {
        // nginx 1.22 (ngx_http_v2_lingering_close): shutdown(SHUT_WR) once the GOAWAY is sent, then reads and drops
        try (TestEngine e = h2c("keepalive-requests: 1\n    lingering-timeout: 30s\n    lingering-time: 8s");
                H2Client c = H2Client.connect(e.port()).handshake()) {
            c.get(1, "/one");
            c.until(f -> f.type() == GOAWAY);
            long goaway = System.nanoTime();
            assertThat(c.closedByServer()).as("the end of the stream within the client's 10 s, not at lingering-timeout")
                    .isTrue();
            int dropped = 0;
            long resetAfter = -1;
            while (resetAfter < 0 && System.nanoTime() - goaway < Duration.ofSeconds(30).toNanos()) {
                try {
                    c.frame(PING, 0, 0, new byte[8]); // read and dropped: no PING ACK, no reset
                    dropped++;
                    Thread.sleep(300);
                } catch (IOException reset) {
                    resetAfter = (System.nanoTime() - goaway) / 1_000_000;
                }
            }
            assertThat(dropped).as("frames after the end of the stream are still read (a closed socket resets the"
                    + " second)").isGreaterThanOrEqualTo(3);
            assertThat(resetAfter).as("frames sent every 300 ms are read until lingering-time (8 s), then the close")
                    .isBetween(7800L, 30_000L);
        }
    }

    @Test
    void overTlsTheLingeringCloseStartsWithCloseNotify() throws Exception {
        byte[] request = H2Client.concat(H2Client.PREFACE, H2Client.frameBytes(SETTINGS, 0, 0, new byte[0]),
                H2Client.frameBytes(HEADERS, END_HEADERS | END_STREAM, 1, H2Client.literals(":method", "GET",
                        ":scheme", "https", ":path", "/x", ":authority", "localhost")));
        try (TestEngine e = tls("keepalive-requests: 1\n    lingering-timeout: 30s")) {
            TlsEndClient.Ending end = TlsEndClient.exchange(e.port(), "localhost", "h2", request, 10);
            assertThat(end.negotiated()).isEqualTo("h2");
            List<Integer> types = new ArrayList<>();
            byte[] in = end.received();
            for (int at = 0; at + 9 <= in.length; at += 9 + ((in[at] & 0xff) << 16 | (in[at + 1] & 0xff) << 8
                    | (in[at + 2] & 0xff))) {
                types.add(in[at + 3] & 0xff);
            }
            assertThat(types).contains(HEADERS, DATA, GOAWAY);
            assertThat(end.closeNotify()).as("close_notify at once, not at lingering-timeout's 30 s").isTrue();
        }
    }

    @Test
    void keepaliveRequestsEndsTheConnectionWithGoawayAfterThatManyStreams() throws Exception {
        try (TestEngine e = h2c("keepalive-requests: 2"); H2Client c = H2Client.connect(e.port()).handshake()) {
            c.get(1, "/one");
            c.get(3, "/two");
            List<H2Client.Frame> frames = c.drain(2000);
            assertThat(frames).anyMatch(f -> f.type() == GOAWAY && f.errorCode() == 0);
            assertThat(frames.stream().filter(f -> f.type() == HEADERS).count()).isEqualTo(2);
        }
    }

    @Test
    void gracefulStopSendsGoawayAndLetsTheOpenStreamFinish() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    http2: on
                    locations:
                      - location: /slow
                        echo: { enabled: true }
                """, b -> b.module(echo()).handler(new HandlerDefinition(Phase.ACCESS, 0, "slow", ex -> {
                    arrived.countDown();
                    return Result.pending(CompletableFuture.supplyAsync(() -> Result.DECLINED,
                            CompletableFuture.delayedExecutor(500, TimeUnit.MILLISECONDS)));
                }, false, l -> true)));
        try (H2Client c = H2Client.connect(e.port()).handshake()) {
            c.get(1, "/slow");
            assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
            Thread stopper = new Thread(() -> e.engine().stop(Duration.ofSeconds(10)));
            stopper.start();
            H2Client.Frame goaway = c.until(f -> f.type() == GOAWAY);
            assertThat(goaway.errorCode()).isEqualTo(0L);
            assertThat(goaway.payload()[3]).as("last stream id").isEqualTo((byte) 1);
            H2Client.Response r = c.response(1);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("GET ");
            assertThat(c.closedByServer()).isTrue();
            for (int i = 0; i < 3; i++) { // nginx lingers after the last stream of a GOAWAY, a stop's too
                c.frame(PING, 0, 0, new byte[8]); // read and dropped within lingering-timeout (5 s): no reset
                Thread.sleep(300);
            }
            stopper.join(15_000);
            assertThat(e.engine().isRunning()).isFalse();
        }
    }

    @Test
    void anIdleConnectionLingersAfterAStopsGoaway() throws Exception {
        // nginx 1.22 (a break test): GOAWAY, then it reads what the client still sends until it stops or lingering ends
        TestEngine e = h2c("lingering-timeout: 2s");
        try (H2Client c = H2Client.connect(e.port()).handshake()) {
            c.get(1, "/one");
            assertThat(c.response(1).status()).isEqualTo(200); // the connection is idle from here
            Thread stopper = new Thread(() -> e.engine().stop(Duration.ofSeconds(20)));
            stopper.start();
            assertThat(c.until(f -> f.type() == GOAWAY).errorCode()).isEqualTo(0L);
            assertThat(c.closedByServer()).as("the end of the stream").isTrue();
            for (int i = 0; i < 4; i++) { // read and dropped, each within lingering-timeout: no reset
                c.frame(PING, 0, 0, new byte[8]);
                Thread.sleep(300);
            }
            stopper.join(20_000);
            assertThat(stopper.isAlive()).as("the stop ends once the client is silent for lingering-timeout").isFalse();
        } finally {
            e.close();
        }
    }

    @Test
    void theAccessLogAndHooksSeeAStreamAsARequest() throws Exception {
        MemoryAppender.clear();
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    http2: on
                    locations:
                      - location: /
                        access-log: ["logger:test.access combined"]
                        return: "200 logged"
                """); H2Client c = H2Client.connect(e.port()).handshake()) {
            c.frame(HEADERS, END_HEADERS | END_STREAM, 1, c.block("GET", "/logged?a=1", "localhost", "user-agent", "raw/1"));
            assertThat(c.response(1).text()).isEqualTo("logged");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (MemoryAppender.lines().stream().noneMatch(l -> l.contains("HTTP/2.0")) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(MemoryAppender.lines()).anyMatch(l -> l.contains("\"GET /logged?a=1 HTTP/2.0\" 200 6 \"-\" \"raw/1\""));
            EngineStatus status = e.engine().status();
            assertThat(status.requests()).isEqualTo(1);
            assertThat(status.active()).isEqualTo(1); // the connection, not its stream
        }
    }

    /** curl, where the machine has it (with nghttp2, as Debian builds it). */
    @Test
    void curlSpeaksH2cWithPriorKnowledgeOrByUpgradeAndH2OverTls() throws Exception {
        assumeCurl();
        try (TestEngine e = h2c("http2-upgrade: on")) {
            String out = curl("--http2-prior-knowledge", "-sS", "-w", " %{http_version}", "http://127.0.0.1:" + e.port() + "/c");
            assertThat(out).isEqualTo("HTTP/2.0 http GET /c   2");
            String upgraded = curl("--http2", "-sS", "-w", " %{http_version}", "http://127.0.0.1:" + e.port() + "/c");
            assertThat(upgraded).as("Upgrade: h2c").isEqualTo("HTTP/2.0 http GET /c   2");
        }
        try (TestEngine e = tls("")) {
            String out = curl("--http2", "-sS", "--cacert", TestCertificates.dir().resolve("localhost.crt").toString(),
                    "-w", " %{http_version}", "https://localhost:" + e.port() + "/c");
            assertThat(out).isEqualTo("HTTP/2.0 https GET /c   2");
        }
    }

    static void assumeCurl() {
        try {
            Process p = new ProcessBuilder("curl", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0 && v.contains("HTTP2"), "curl with HTTP/2");
        } catch (java.io.IOException | InterruptedException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "no curl: " + e);
        }
    }

    static String curl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "--max-time", "10"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void anEarlyAnswerToALargeUploadArrivesWholeBeforeTheReset() throws Exception {
        try (TestEngine e = h2c(""); H2Client c = H2Client.connect(e.port()).handshake()) {
            c.frame(HEADERS, END_HEADERS, 1, c.block("POST", "/echo", "localhost", "content-length", "5000000"));
            c.frame(DATA, 0, 1, new byte[1000]); // more than 1 MiB still to come: not worth discarding
            H2Client.Response r = c.response(1);
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.text()).contains("<center><h1>413 Request Entity Too Large</h1></center>");
            assertThat(r.reset()).isEqualTo(-1L); // the body ended with END_STREAM, the reset came after
            H2Client.Frame reset = c.until(f -> f.type() == H2Client.RST_STREAM);
            assertThat(reset.stream()).isEqualTo(1);
            assertThat(reset.errorCode()).isEqualTo(0L); // NO_ERROR: stop sending (RFC 9113 §8.1)
        }
    }

    @Test
    void aClientThatClosesItsSideEndsTheConnection() throws Exception {
        try (TestEngine e = h2c("keepalive-timeout: 60s"); H2Client c = H2Client.connect(e.port()).handshake()) {
            c.get(1, "/x");
            assertThat(c.response(1).status()).isEqualTo(200);
            c.socket.shutdownOutput();
            assertThat(c.closedByServer()).as("closed well before keepalive-timeout").isTrue();
        }
    }

    @Test
    void keepaliveTimeoutZeroStillServesTheFirstRequest() throws Exception {
        try (TestEngine e = h2c("keepalive-timeout: 0"); H2Client c = H2Client.connect(e.port()).handshake()) {
            c.get(1, "/first");
            assertThat(c.response(1).text()).startsWith("HTTP/2.0 http GET /first");
        }
    }

    @Test
    void aZeroPrereadWindowOpensWhenTheHandlerReadsTheBody() throws Exception {
        try (TestEngine e = h2c("http2-body-preread-size: 0"); H2Client c = H2Client.connect(e.port()).handshake()) {
            c.frame(HEADERS, END_HEADERS, 1, c.block("POST", "/echo", "localhost", "content-length", "5"));
            H2Client.Frame update = c.until(f -> f.type() == H2Client.WINDOW_UPDATE && f.stream() == 1);
            assertThat(update.payload()).isNotEmpty();
            c.frame(DATA, END_STREAM, 1, "hello".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.response(1).text()).isEqualTo("POST hello");
        }
    }

    @Test
    void requestsHttp11WouldRefuseAreRefusedOverH2Too() throws Exception {
        try (TestEngine e = h2c(""); H2Client c = H2Client.connect(e.port()).handshake()) {
            c.frame(HEADERS, END_HEADERS | END_STREAM, 1, c.block("GET", "/a", null));
            assertThat(c.response(1).status()).as("no :authority and no host").isEqualTo(400);
            c.frame(HEADERS, END_HEADERS | END_STREAM, 3, c.block("GET", "/b", null, "host", "x", "host", "y"));
            assertThat(c.response(3).status()).as("two hosts").isEqualTo(400);
            c.frame(HEADERS, END_HEADERS | END_STREAM, 5, c.block("GET", "/c", "a.example", "host", "b.example"));
            assertThat(c.response(5).status()).as(":authority and host differ").isEqualTo(400);
            c.frame(HEADERS, END_HEADERS | END_STREAM, 7, c.block("get", "/d", "localhost"));
            assertThat(c.response(7).status()).as("a lower-case method").isEqualTo(400);
            c.get(9, "/fine");
            assertThat(c.response(9).status()).isEqualTo(200);
        }
    }

    // ---- over TLS, with the JDK's client -------------------------------------------------------

    static TestEngine tls(String extra) throws Exception {
        return TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0 ssl"]
                    ssl-certificate: %1$s/localhost.crt
                    ssl-certificate-key: %1$s/localhost.key
                    %2$s
                """.formatted(TestCertificates.dir(), extra) + LOCATIONS.formatted(root), b -> b.module(echo()));
    }

    static HttpClient jdkClient() throws Exception {
        return HttpClient.newBuilder().sslContext(TestCertificates.clientContext()).version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void tlsServersOfferH2ByAlpnAndServeFilesAndBodies() throws Exception {
        try (TestEngine e = tls("")) {
            HttpClient client = jdkClient();
            String base = "https://localhost:" + e.port();
            HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(base + "/x?y=2")).timeout(Duration.ofSeconds(10));
            HttpResponse<String> r = client.send(get.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.body()).isEqualTo("HTTP/2.0 https GET /x y=2 ");
            HttpResponse<byte[]> file = client.send(HttpRequest.newBuilder(URI.create(base + "/files/big.bin")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(file.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(file.body()).isEqualTo(big);
            HttpResponse<String> posted = client.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("ping")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(posted.body()).isEqualTo("POST ping");
        }
    }

    @Test
    void http11OverTlsServesFilesThroughTheEncryption() throws Exception {
        try (TestEngine e = tls("http2: off")) {
            HttpClient client = HttpClient.newBuilder().sslContext(jdkClient().sslContext())
                    .version(HttpClient.Version.HTTP_2).build();
            HttpResponse<byte[]> file = client.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + e.port() + "/files/big.bin")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(file.version()).isEqualTo(HttpClient.Version.HTTP_1_1); // no h2 offered
            assertThat(file.body()).isEqualTo(big);
        }
    }

    static Map<Integer, Long> settingsOf(H2Client.Frame f) {
        Map<Integer, Long> m = new HashMap<>();
        byte[] p = f.payload();
        for (int i = 0; i + 6 <= p.length; i += 6) {
            m.put((p[i] & 0xff) << 8 | (p[i + 1] & 0xff), ((p[i + 2] & 0xffL) << 24) | ((p[i + 3] & 0xff) << 16)
                    | ((p[i + 4] & 0xff) << 8) | (p[i + 5] & 0xff));
        }
        return m;
    }
}
