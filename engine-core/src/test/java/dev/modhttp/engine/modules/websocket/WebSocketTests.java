package dev.modhttp.engine.modules.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Tunnel;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** WebSocket endpoints end to end, with the JDK's WebSocket client. */
@Timeout(60)
class WebSocketTests {

    @TempDir
    Path dir;

    String yaml(String more) {
        return """
                log-format: { ws: '$request_uri $status $request_time $bytes_sent' }
                access-log: ["%s ws"]
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /ws/echo
                        websocket: { endpoint: echo, subprotocols: [chat.v2, chat.v1], max-message-size: 1k,
                                     ping-interval: 200ms, idle-timeout: 2s }
                      - location: /ws/guarded
                        access: ["deny all"]
                        websocket: echo
                      - location: /ws/origin
                        websocket: { endpoint: echo, origins: ["https://app.example.com"] }
                      - location: /ws/defaults
                        websocket: echo
                %s
                """.formatted(dir.resolve("access.log"), more);
    }

    /** What a JDK client's listener heard: "text …", "binary n", "ping", "close CODE reason". */
    static final class Heard implements WebSocket.Listener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                events.add("text " + text);
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            events.add("binary " + data.remaining());
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            events.add("ping");
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            events.add("close " + code + " " + reason);
            return null;
        }

        String next() throws InterruptedException {
            String e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("an event within 10 s").isNotNull();
            return e;
        }

        /** The next event that is not a keep-alive ping. */
        String nextMessage() throws InterruptedException {
            String e;
            do {
                e = next();
            } while (e.equals("ping"));
            return e;
        }
    }

    static WebSocket connect(TestEngine e, String path, Heard heard, String... subprotocols) {
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (subprotocols.length > 0) {
            b.subprotocols(subprotocols[0], List.of(subprotocols).subList(1, subprotocols.length).toArray(String[]::new));
        }
        return b.buildAsync(URI.create("ws://127.0.0.1:" + e.port() + path), heard).join();
    }

    @Test
    void textAndBinaryMessagesAreEchoedAndTheSubprotocolIsTheFirstOfTheClientsTheServerOffers() throws Exception {
        Echo echo = new Echo();
        try (TestEngine e = TestEngine.start(yaml(""), b -> b.module(new WebSocketModule(Map.of("echo", echo))))) {
            Heard heard = new Heard();
            WebSocket ws = connect(e, "/ws/echo", heard, "chat.v1", "chat.v2");
            assertThat(ws.getSubprotocol()).isEqualTo("chat.v1");
            assertThat(echo.events.poll(5, TimeUnit.SECONDS)).isEqualTo("open chat.v1");
            ws.sendText("hello", true).join();
            assertThat(heard.nextMessage()).isEqualTo("text hello");
            ws.sendText("frag", false).join();
            ws.sendText("mented ✓", true).join();
            assertThat(heard.nextMessage()).isEqualTo("text fragmented ✓");
            ws.sendBinary(ByteBuffer.wrap(new byte[1000]), true).join();
            assertThat(heard.nextMessage()).isEqualTo("binary 1000");
            ws.sendClose(1000, "done").join();
            assertThat(heard.nextMessage()).isEqualTo("close 1000 ");
            assertThat(echo.events.poll(5, TimeUnit.SECONDS)).isEqualTo("close 1000");
            // LOG runs when the socket closes: 101, how long it lasted, the bytes of the head and the frames
            String line = awaitLine(dir.resolve("access.log"));
            assertThat(line).startsWith("/ws/echo 101 ");
            String[] fields = line.split(" ");
            assertThat(Double.parseDouble(fields[2])).isGreaterThanOrEqualTo(0.0);
            assertThat(Long.parseLong(fields[3])).isGreaterThan(1000 + 129); // the head and the echoed frames
        }
    }

    @Test
    void aMessagePastMaxMessageSizeClosesWith1009AndAnEndpointsExceptionWith1011() throws Exception {
        Echo echo = new Echo();
        try (TestEngine e = TestEngine.start(yaml(""), b -> b.module(new WebSocketModule(Map.of("echo", echo))))) {
            Heard heard = new Heard();
            WebSocket ws = connect(e, "/ws/echo", heard);
            ws.sendText("x".repeat(1025), true).join();
            assertThat(heard.nextMessage()).startsWith("close 1009");

            Heard failing = new Heard();
            WebSocket other = connect(e, "/ws/echo", failing);
            other.sendText("fail", true).join();
            assertThat(failing.nextMessage()).startsWith("close 1011");
            assertThat(echo.events).contains("error the endpoint failed");

            Heard asked = new Heard();
            connect(e, "/ws/echo", asked).sendText("bye", true).join();
            assertThat(asked.nextMessage()).isEqualTo("close 4000 asked to");
        }
    }

    @Test
    void keepAlivePingsGoToAQuietClientAndAnIdleOneIsClosedWith1001() throws Exception {
        Echo echo = new Echo();
        try (TestEngine e = TestEngine.start(yaml(""), b -> b.module(new WebSocketModule(Map.of("echo", echo))))) {
            Heard heard = new Heard();
            connect(e, "/ws/echo", heard);
            assertThat(heard.next()).as("a ping after ping-interval (200ms)").isEqualTo("ping");
            assertThat(echo.events.poll(5, TimeUnit.SECONDS)).startsWith("open");
            assertThat(echo.events.poll(5, TimeUnit.SECONDS)).as("the JDK client's pong").isEqualTo("pong");
        }
        // a client that answers nothing: a raw socket after the handshake
        try (TestEngine e = TestEngine.start(yaml(""), b -> b.module(new WebSocketModule(Map.of("echo", echo))));
                RawClient c = e.raw().timeout(10_000)) {
            c.send(Frames.handshake("/ws/echo", ""));
            assertThat(c.read(true).status()).isEqualTo(101);
            long start = System.nanoTime();
            byte[] rest = c.readToEnd(); // pings, then a close 1001 after idle-timeout (2s), then the end
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
            assertThat(Frames.closeCodes(rest)).containsExactly(1001);
        }
    }

    @Test
    void phasesBeforeContentGuardTheHandshakeAndBadHandshakesGetTheRfcsStatuses() throws Exception {
        try (TestEngine e = TestEngine.start(yaml(""), b -> b.module(new WebSocketModule(Map.of("echo", new Echo()))))) {
            assertThat(status(e, Frames.handshake("/ws/guarded", ""))).as("access: deny all").isEqualTo(403);
            assertThat(status(e, Frames.handshake("/ws/origin", "Origin: https://evil.example.com\r\n"))).isEqualTo(403);
            assertThat(status(e, Frames.handshake("/ws/origin", "Origin: https://app.example.com\r\n"))).isEqualTo(101);
            assertThat(status(e, Frames.handshake("/ws/origin", ""))).as("no Origin: not a browser").isEqualTo(101);
            assertThat(status(e, Frames.handshake("/ws/origin", "Origin: https://app.example.com\r\n"
                    + "Origin: https://evil.example.com\r\n"))).isEqualTo(403);
            assertThat(status(e, Frames.handshake("/ws/echo", "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEA==\r\n")))
                    .as("two keys").isEqualTo(400);
            assertThat(status(e, Frames.handshake("/ws/echo", "Sec-WebSocket-Version: 8\r\n"))).as("two versions")
                    .isEqualTo(426);
            assertThat(status(e, "POST /ws/echo HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")).isEqualTo(405);
            RawClient.Response plain = response(e, "GET /ws/echo HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(plain.status()).isEqualTo(426);
            assertThat(plain.header("Upgrade")).isEqualTo("websocket");
            assertThat(status(e, Frames.handshake("/ws/echo", "").replace("Connection: Upgrade", "Connection: keep-alive")))
                    .isEqualTo(400);
            assertThat(status(e, Frames.handshake("/ws/echo", "").replace("dGhlIHNhbXBsZSBub25jZQ==", "short")))
                    .isEqualTo(400);
            RawClient.Response version = response(e, Frames.handshake("/ws/echo", "")
                    .replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8"));
            assertThat(version.status()).isEqualTo(426);
            assertThat(version.header("Sec-WebSocket-Version")).isEqualTo("13");
            RawClient.Response ok = response(e, Frames.handshake("/ws/echo", ""));
            assertThat(ok.status()).isEqualTo(101);
            assertThat(ok.header("Sec-WebSocket-Accept")).as("RFC 6455 §1.3's example").isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            // the server goes on serving
            assertThat(status(e, "GET /ws/echo HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(426);
        }
    }

    @Test
    void aClientThatDoesNotReadIsNotReadEitherSoEchoesCannotPileUp() throws Exception {
        try (TestEngine e = TestEngine.start(yaml(""), b -> b.module(new WebSocketModule(Map.of("echo", new Echo()))))) {
            java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(
                    new java.net.InetSocketAddress("127.0.0.1", e.port()));
            ch.write(java.nio.ByteBuffer.wrap(Frames.handshake("/ws/defaults", "").getBytes(StandardCharsets.US_ASCII)));
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(1024);
            while (!new String(head.array(), 0, head.position(), StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
                ch.read(head); // the 101, then nothing more is read
            }
            ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4096);
            ch.configureBlocking(false);
            byte[] frame = Frames.frame(true, 0, Frames.BINARY, new byte[60_000]); // 60 KB messages, under max-frame-size
            java.nio.ByteBuffer out = java.nio.ByteBuffer.wrap(frame);
            long taken = 0;
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < end) {
                int n = ch.write(out);
                taken += n;
                if (!out.hasRemaining()) {
                    out.rewind();
                } else if (n == 0) {
                    Thread.sleep(1);
                }
            }
            ch.close();
            // the server's write buffer, then the kernel's buffers both ways, and no more
            assertThat(taken).as("bytes the server took from a client that reads nothing").isLessThan(32L << 20);

            assertThat(status(e, "GET /ws/echo HTTP/1.1\r\nHost: h\r\n\r\n")).as("still serving").isEqualTo(426);
        }
    }

    /** The client's side of an upgraded connection, as the engine gives it to the tunnel. */
    static final class FakeEnd implements Tunnel.End {
        boolean writable = true;
        final List<Boolean> reads = new java.util.ArrayList<>();
        int written;

        @Override
        public void write(io.netty.buffer.ByteBuf data) {
            written += data.readableBytes();
            data.release();
        }

        @Override
        public void flush() {
        }

        @Override
        public boolean isWritable() {
            return writable;
        }

        @Override
        public void read(boolean on) {
            reads.add(on);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void readingPausesWhileTheClientTakesNoBytesAndResumesOnceItDoes() throws Exception {
        io.netty.channel.DefaultEventLoop loop = new io.netty.channel.DefaultEventLoop();
        try {
            Request request = new Request("GET", "/ws", HttpVersion.HTTP_1_1, new DefaultHttpHeaders(), "h", "/ws", null,
                    new java.net.InetSocketAddress("127.0.0.1", 1), new java.net.InetSocketAddress("127.0.0.1", 2), false);
            HttpExchange exchange = (HttpExchange) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {HttpExchange.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "eventLoop" -> loop;
                        case "request" -> request;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
            WebSocketConnection c = new WebSocketConnection(exchange, new Echo(), WebSocketConfig.DEFAULTS, null, null);
            FakeEnd end = new FakeEnd();
            loop.submit(() -> {
                c.start(end);
                end.writable = false; // the client stopped reading
                c.onData(Unpooled.wrappedBuffer(Frames.frame(true, 0, Frames.BINARY, new byte[100])));
            }).get();
            assertThat(end.written).as("the echo went out").isGreaterThan(100);
            assertThat(end.reads).as("reading paused").containsExactly(false);
            loop.submit(() -> {
                end.writable = true;
                c.onWritable();
            }).get();
            assertThat(end.reads).as("and resumed").containsExactly(false, true);

            // a send's stage completes once the client takes bytes again: back-pressure for the endpoint's sender
            end.writable = false;
            java.util.concurrent.CompletableFuture<Void> sent = c.sendText("x").toCompletableFuture();
            Thread.sleep(100);
            assertThat(sent).as("while the client takes no bytes").isNotDone();
            loop.submit(() -> {
                end.writable = true;
                c.onWritable();
            }).get();
            assertThat(sent.get(5, TimeUnit.SECONDS)).isNull();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void aGracefulStopClosesEverySocketWith1001() throws Exception {
        Echo echo = new Echo();
        TestEngine e = TestEngine.start(yaml(""), b -> b.module(new WebSocketModule(Map.of("echo", echo))));
        Heard heard = new Heard();
        connect(e, "/ws/echo", heard);
        assertThat(echo.events.poll(5, TimeUnit.SECONDS)).startsWith("open");
        long start = System.nanoTime();
        e.engine().stop(Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not the whole grace").isLessThan(Duration.ofSeconds(5));
        assertThat(heard.nextMessage()).isEqualTo("close 1001 server stopping");
        e.close();
    }

    @Test
    void aLocationNamingAnEndpointThatIsNotThereFailsStartup() {
        assertThatThrownBy(() -> TestEngine.start(yaml(""), b -> b.module(new WebSocketModule(Map.of("other", new Echo())))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("websocket")
                .hasMessageContaining("no WebSocket endpoint named \"echo\" (known: [other])");
    }

    static int status(TestEngine e, String request) {
        return response(e, request).status();
    }

    static RawClient.Response response(TestEngine e, String request) {
        try (RawClient c = e.raw()) {
            return c.send(request).read(true);
        }
    }

    static String awaitLine(Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && !Files.readString(log).isEmpty()) {
                return Files.readAllLines(log).get(0);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no access log line");
    }
}
