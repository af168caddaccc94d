package dev.modhttp.engine.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Handlers writing their responses in pieces over time, and Server-Sent Events. */
@Timeout(60)
class ResponseStreamTests {

    final ExecutorService worker = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        worker.shutdownNow();
    }

    static final String YAML = """
            servers:
              - listen: ["127.0.0.1:0"]
                locations:
                  - location: /
                  - location: /gz/
                    gzip: on
                    gzip-types: [text/event-stream]
                    gzip-min-length: 1
            """;

    /** A connection reading one response's head, then its chunks one at a time. */
    static final class Chunks implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final List<String> head = new ArrayList<>();

        Chunks(int port, String request) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            in = new DataInputStream(socket.getInputStream());
            for (String l = line(); !l.isEmpty(); l = line()) {
                head.add(l);
            }
        }

        String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("closed");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        /** The next chunk's bytes; empty for the last chunk. */
        byte[] next() throws IOException {
            int size = Integer.parseInt(line().trim(), 16);
            byte[] data = in.readNBytes(size);
            line();
            return data;
        }

        boolean has(String field) {
            return head.stream().anyMatch(h -> h.equalsIgnoreCase(field));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void piecesWrittenFromAnotherThreadArriveAsTheyAreWrittenAndTheEndCompletesTheResponse() throws Exception {
        CountDownLatch second = new CountDownLatch(1);
        try (TestEngine e = TestEngine.start(YAML, b -> b.handler(Phase.CONTENT, ex -> {
            ResponseStream out = ResponseStream.open(ex.response().status(200).contentType("text/plain"), ex);
            out.write("one\n");
            worker.submit(() -> {
                second.await(10, TimeUnit.SECONDS);
                out.write("two\n").toCompletableFuture().join();
                out.end();
                return null;
            });
            return Result.OK;
        })); Chunks c = new Chunks(e.port(), "GET /a HTTP/1.1\r\nHost: h\r\n\r\n")) {
            assertThat(c.head.get(0)).isEqualTo("HTTP/1.1 200 OK");
            assertThat(c.has("Transfer-Encoding: chunked")).isTrue();
            assertThat(new String(c.next(), StandardCharsets.UTF_8)).as("before the second is written").isEqualTo("one\n");
            second.countDown();
            assertThat(new String(c.next(), StandardCharsets.UTF_8)).isEqualTo("two\n");
            assertThat(c.next()).as("the last chunk").isEmpty();
        }
    }

    @Test
    void aStreamThatFailsBeforeItWasStartedEndsTheConnectionWithoutACompleteResponse() throws Exception {
        try (TestEngine e = TestEngine.start(YAML, b -> b.handler(Phase.CONTENT, ex -> {
            if (ex.request().uri().equals("/fail")) {
                ResponseStream.open(ex.response().status(200), ex).fail(new IOException("the producer broke"));
            } else {
                ResponseStream.open(ex.response().status(200), ex).end();
            }
            return Result.OK;
        }))) {
            try (RawClient c = e.raw().timeout(40_000)) {
                long start = System.nanoTime();
                String got = new String(c.send("GET /fail HTTP/1.1\r\nHost: h\r\n\r\n").readToEnd(), StandardCharsets.ISO_8859_1);
                assertThat(got).as("no last chunk: the client cannot take it for a whole response").doesNotContain("0\r\n\r\n");
                // ended by the failure, not by a timeout (send-timeout and keepalive-timeout are 60 s and more)
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            }
            try (RawClient c = e.raw()) {
                assertThat(c.send("GET /ok HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).as("still serving").isEqualTo(200);
            }
        }
    }

    @Test
    void onHttp2ThePiecesAreDataFramesAsTheyAreWritten() throws Exception {
        CountDownLatch second = new CountDownLatch(1);
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    http2: on
                    http2-upgrade: on
                    locations:
                      - location: /
                """, b -> b.handler(Phase.CONTENT, ex -> {
            ResponseStream out = ResponseStream.open(ex.response().status(200).contentType("text/plain"), ex);
            out.write("one\n");
            boolean waits = ex.request().uri().equals("/stream");
            worker.submit(() -> {
                if (waits) {
                    second.await(10, TimeUnit.SECONDS);
                }
                out.write("two\n");
                out.end();
                return null;
            });
            return Result.OK;
        }))) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_2).build();
            client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + e.port() + "/warm"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.discarding()); // the h2c upgrade; this one over HTTP/1.1
            java.net.http.HttpResponse<java.io.InputStream> r = client.send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create("http://127.0.0.1:" + e.port() + "/stream")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
            java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(),
                    StandardCharsets.UTF_8));
            assertThat(lines.readLine()).as("before the second is written").isEqualTo("one");
            second.countDown();
            assertThat(lines.readLine()).isEqualTo("two");
            assertThat(lines.readLine()).isNull();
        }
    }

    @Test
    void theHeadGoesOutWhenTheStreamStartsNotWithItsFirstPiece() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        try (TestEngine e = TestEngine.start(YAML, b -> b.handler(Phase.CONTENT, ex -> {
            ServerSentEvents events = ServerSentEvents.open(ex, Duration.ZERO); // no heartbeat
            worker.submit(() -> {
                first.await(30, TimeUnit.SECONDS);
                events.send("late").toCompletableFuture().join();
                events.close();
                return null;
            });
            return Result.OK;
        }))) {
            Chunks c = new Chunks(e.port(), "GET /events HTTP/1.1\r\nHost: h\r\n\r\n"); // reads the head: an EventSource opens
            assertThat(c.head.get(0)).isEqualTo("HTTP/1.1 200 OK");
            first.countDown();
            assertThat(new String(c.next(), StandardCharsets.UTF_8)).isEqualTo("data: late\n\n");
            c.close();
        }
    }

    @Test
    void aWriterThatWaitsForEachWriteIsPacedByTheClientAndLearnsWhenItLeaves() throws Exception {
        AtomicLong written = new AtomicLong();
        AtomicBoolean closed = new AtomicBoolean();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        byte[] piece = new byte[1 << 20];
        try (TestEngine e = TestEngine.start(YAML, b -> b.handler(Phase.CONTENT, ex -> {
            ResponseStream out = ResponseStream.open(ex.response().status(200), ex);
            out.onClose(() -> closed.set(true));
            worker.submit(() -> {
                try {
                    for (int i = 0; i < 256; i++) { // 256 MiB, were nothing holding it back
                        out.write(piece).toCompletableFuture().join();
                        written.addAndGet(piece.length);
                    }
                    out.end();
                } catch (RuntimeException gone) {
                    failure.complete(gone.getCause());
                }
            });
            return Result.OK;
        }))) {
            Chunks c = new Chunks(e.port(), "GET /big HTTP/1.1\r\nHost: h\r\n\r\n");
            Thread.sleep(1000); // the client reads nothing
            long held = written.get();
            assertThat(held).as("written while the client read nothing").isLessThanOrEqualTo(16L << 20);
            long received = 0;
            while (received < 32L << 20) {
                received += c.next().length;
            }
            assertThat(written.get()).as("the writer goes on as the client reads").isGreaterThan(held);
            c.close(); // the client leaves mid-body
            Throwable why = failure.get(10, TimeUnit.SECONDS);
            assertThat(why).isInstanceOf(IOException.class).hasMessage("the response stream is closed");
            assertThat(closed).isTrue();
        }
    }

    @Test
    void aWriterThatDoesNotWaitIsCutWhenTheClientTakesNothingForSendTimeout() throws Exception {
        CompletableFuture<Long> closedAfter = new CompletableFuture<>();
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    send-timeout: 1s
                    locations:
                      - location: /
                """, b -> b.handler(Phase.CONTENT, ex -> {
            ResponseStream out = ResponseStream.open(ex.response().status(200), ex);
            long start = System.nanoTime();
            out.onClose(() -> closedAfter.complete(System.nanoTime() - start));
            worker.submit(() -> {
                byte[] piece = new byte[64 * 1024];
                while (out.isOpen()) {
                    out.write(piece); // never waits for its stage
                    Thread.sleep(5);
                }
                return null;
            });
            return Result.OK;
        }))) {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", e.port()));
            socket.getOutputStream().write("GET /flood HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // the client reads nothing; the stream ends once it has taken nothing for send-timeout (1 s)
            long nanos = closedAfter.get(30, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(nanos)).isGreaterThanOrEqualTo(Duration.ofSeconds(1)).isLessThan(Duration.ofSeconds(20));
            socket.close();
        }
    }

    @Test
    void serverSentEventsAreFramedSentAtOnceThroughCompressionAndKeptAliveByComments() throws Exception {
        CountDownLatch second = new CountDownLatch(1);
        List<String> lastIds = new ArrayList<>();
        try (TestEngine e = TestEngine.start(YAML, b -> b.handler(Phase.CONTENT, ex -> {
            ServerSentEvents events = ServerSentEvents.open(ex, Duration.ofMillis(300));
            lastIds.add(String.valueOf(events.lastEventId()));
            events.retry(Duration.ofSeconds(3));
            events.send("price", "7", "{\"eur\": 1}\n{\"usd\": 2}");
            worker.submit(() -> {
                second.await(10, TimeUnit.SECONDS);
                events.send("bye").toCompletableFuture().join();
                events.close();
                return null;
            });
            return Result.OK;
        }))) {
            try (Chunks c = new Chunks(e.port(), "GET /events HTTP/1.1\r\nHost: h\r\nLast-Event-ID: 6\r\n\r\n")) {
                assertThat(c.head).contains("Content-Type: text/event-stream; charset=utf-8", "Cache-Control: no-cache",
                        "X-Accel-Buffering: no");
                assertThat(new String(c.next(), StandardCharsets.UTF_8)).isEqualTo("retry: 3000\n\n");
                assertThat(new String(c.next(), StandardCharsets.UTF_8))
                        .isEqualTo("event: price\nid: 7\ndata: {\"eur\": 1}\ndata: {\"usd\": 2}\n\n");
                assertThat(new String(c.next(), StandardCharsets.UTF_8)).as("a heartbeat while nothing is sent")
                        .isEqualTo(":\n\n");
                second.countDown();
                String rest = "";
                for (byte[] chunk = c.next(); chunk.length > 0; chunk = c.next()) {
                    rest += new String(chunk, StandardCharsets.UTF_8);
                }
                assertThat(rest).endsWith("data: bye\n\n");
            }
            assertThat(lastIds).containsExactly("6");

            // through gzip: the first event can be decoded before the second is sent
            try (Chunks c = new Chunks(e.port(), "GET /gz/events HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n")) {
                assertThat(c.has("Content-Encoding: gzip")).isTrue();
                ByteArrayOutputStream compressed = new ByteArrayOutputStream();
                String inflated = "";
                while (!inflated.contains("data: {\"usd\": 2}\n\n")) {
                    compressed.writeBytes(c.next());
                    inflated = inflate(compressed.toByteArray());
                }
                assertThat(inflated).isEqualTo("retry: 3000\n\nevent: price\nid: 7\ndata: {\"eur\": 1}\ndata: {\"usd\": 2}\n\n");
            }
        }
    }

    /** What a gzip stream so far decodes to (its 10-byte header skipped; each block was flushed). */
    static String inflate(byte[] gzip) throws Exception {
        if (gzip.length <= 10) {
            return "";
        }
        Inflater inflater = new Inflater(true);
        inflater.setInput(gzip, 10, gzip.length - 10);
        byte[] out = new byte[65536];
        int n = inflater.inflate(out);
        inflater.end();
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }
}
