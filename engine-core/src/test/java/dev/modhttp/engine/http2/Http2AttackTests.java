package dev.modhttp.engine.http2;

import static dev.modhttp.engine.http2.H2Client.CONTINUATION;
import static dev.modhttp.engine.http2.H2Client.DATA;
import static dev.modhttp.engine.http2.H2Client.END_HEADERS;
import static dev.modhttp.engine.http2.H2Client.END_STREAM;
import static dev.modhttp.engine.http2.H2Client.GOAWAY;
import static dev.modhttp.engine.http2.H2Client.HEADERS;
import static dev.modhttp.engine.http2.H2Client.PING;
import static dev.modhttp.engine.http2.H2Client.RST_STREAM;
import static dev.modhttp.engine.http2.H2Client.SETTINGS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.TestEngine;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/2 attacks of the last years, each against one engine: the attacking connection is
 * refused (GOAWAY with the code named, or the stream reset) and another client is served right
 * after. Limits are the defaults users get: 128 concurrent streams, a 32k header list and 8k per
 * field ({@code large-client-header-buffers}), 200 resets caused per 30 s.
 */
@Timeout(120)
class Http2AttackTests {

    static final long PROTOCOL_ERROR = 0x1;
    static final long REFUSED_STREAM = 0x7;
    static final long CANCEL = 0x8;
    static final long ENHANCE_YOUR_CALM = 0xb;

    static final ResourceLeakDetector.Level LEAK_LEVEL = ResourceLeakDetector.getLevel();

    @TempDir
    static Path root;
    static TestEngine engine;

    @BeforeAll
    static void start() throws IOException {
        // floods are sent by the hundred thousand frames: paranoid leak tracking of each would take minutes
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        Files.write(root.resolve("big.bin"), new byte[4 * 1024 * 1024]);
        engine = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    http2: on
                    send-timeout: 1s
                    locations:
                      - location: /
                        return: "200 ok"
                      - location: /files/
                        alias: %s/
                      - location: /echo
                        echo: { enabled: true }
                """.formatted(root), b -> b.module(Http2Tests.echo()));
    }

    @AfterAll
    static void stop() {
        engine.close();
        ResourceLeakDetector.setLevel(LEAK_LEVEL);
    }

    /** A fresh client is served: the engine survived the attack. */
    static void stillServes() throws IOException {
        try (H2Client c = H2Client.connect(engine.port()).handshake()) {
            c.get(1, "/after");
            H2Client.Response r = c.response(1);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("ok");
        }
    }

    static H2Client.Frame goaway(List<H2Client.Frame> frames) {
        return frames.stream().filter(f -> f.type() == GOAWAY).findFirst()
                .orElseThrow(() -> new AssertionError("no GOAWAY in " + frames));
    }

    @Test
    void rapidResetCve202344487EndsTheConnectionWithEnhanceYourCalm() throws IOException {
        try (H2Client c = H2Client.connect(engine.port()).handshake()) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            byte[] block = c.block("GET", "/", "localhost");
            for (int i = 0; i < 1000; i++) {
                int stream = 1 + 2 * i;
                burst.writeBytes(H2Client.frameBytes(HEADERS, END_HEADERS | END_STREAM, stream, block));
                burst.writeBytes(H2Client.frameBytes(RST_STREAM, 0, stream, H2Client.int32(CANCEL)));
            }
            try {
                c.raw(burst.toByteArray());
            } catch (IOException e) {
                // the server may close while the burst is still being written
            }
            assertThat(goaway(c.drain(3000)).errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
        }
        stillServes();
    }

    @Test
    void continuationFloodCve202427316IsCutOffBeforeTheHeaderBlockGrows() throws IOException {
        try (H2Client c = H2Client.connect(engine.port()).handshake()) {
            c.frame(HEADERS, 0, 1, c.block("GET", "/", "localhost"));
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < 20_000; i++) {
                flood.writeBytes(H2Client.frameBytes(CONTINUATION, 0, 1, new byte[] {0x40, 0x01, 'x', 0x01, 'y'}));
            }
            try {
                c.raw(flood.toByteArray());
            } catch (IOException e) {
                // closed while the flood is written
            }
            List<H2Client.Frame> frames = c.drain(3000);
            assertThat(goaway(frames).errorCode()).isIn(ENHANCE_YOUR_CALM, PROTOCOL_ERROR, 0xdL /* COMPRESSION */);
            assertThat(frames).noneMatch(f -> f.type() == HEADERS);
        }
        stillServes();
    }

    @Test
    void anHpackBombIsStoppedAtTheHeaderListLimit() throws IOException {
        try (H2Client c = H2Client.connect(engine.port()).handshake()) {
            // one 4000-byte field into the dynamic table, then 1000 one-byte references to it: 4 MB decoded
            Http2Headers first = new DefaultHttp2Headers(false).method("GET").scheme("http").path("/").authority("h")
                    .add("x-bomb", "b".repeat(4000));
            c.frame(HEADERS, END_HEADERS | END_STREAM, 1, c.encode(first));
            assertThat(c.response(1).status()).isEqualTo(200);
            byte[] head = c.block("GET", "/", "localhost");
            byte[] block = new byte[head.length + 1000];
            System.arraycopy(head, 0, block, 0, head.length);
            java.util.Arrays.fill(block, head.length, block.length, (byte) 0xbe); // indexed: dynamic entry 62
            c.frame(HEADERS, END_HEADERS | END_STREAM, 3, block);
            List<H2Client.Frame> frames = c.drain(2000);
            boolean refused = frames.stream().anyMatch(f -> f.stream() == 3 && (f.type() == RST_STREAM
                    || f.type() == HEADERS && f.headers().status().toString().equals("431")))
                    || frames.stream().anyMatch(f -> f.type() == GOAWAY);
            assertThat(refused).as("stream 3 refused in " + frames).isTrue();
        }
        stillServes();
    }

    @Test
    void aSettingsFloodFromAClientThatDoesNotReadIsCutOff() throws IOException {
        flood(H2Client.frameBytes(SETTINGS, 0, 0, new byte[0]));
    }

    @Test
    void aPingFloodFromAClientThatDoesNotReadIsCutOff() throws IOException {
        flood(H2Client.frameBytes(PING, 0, 0, new byte[8]));
    }

    /**
     * Frames of a type the server ignores (RFC 9113 §5.5), 16 KiB each, from a client that reads
     * everything: nginx's rule (total / 8 > payload + 1 MiB) ends the connection with GOAWAY NO_ERROR.
     */
    @Test
    void ignoredFramesWithoutPayloadAreAFloodAsNginxCountsIt() throws IOException {
        try (H2Client c = H2Client.connect(engine.port()).handshake()) {
            byte[] unknown = H2Client.frameBytes(0xfa, 0, 0, new byte[16384]);
            List<H2Client.Frame> seen = new java.util.ArrayList<>();
            boolean cut = false;
            for (int i = 0; i < 1000 && !cut; i++) { // 16 MiB at most; the rule fires after about 8
                try {
                    c.raw(unknown);
                } catch (IOException e) {
                    cut = true;
                }
                if (i % 64 == 63) {
                    seen.addAll(c.drain(50));
                    cut |= seen.stream().anyMatch(f -> f.type() == GOAWAY);
                }
            }
            seen.addAll(c.drain(1000));
            assertThat(goaway(seen).errorCode()).isEqualTo(0L);
        }
        stillServes();
    }

    /** Control frames the server must answer, sent without reading the answers: the connection ends. */
    private static void flood(byte[] one) throws IOException {
        try (H2Client c = H2Client.connect(engine.port()).handshake()) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < 1000; i++) {
                burst.writeBytes(one);
            }
            byte[] b = burst.toByteArray();
            boolean cut = false;
            for (int i = 0; i < 2000 && !cut; i++) { // 2 million frames at most; cut after about 600,000
                try {
                    c.raw(b);
                } catch (IOException e) {
                    cut = true;
                }
            }
            assertThat(cut || c.closedByServer()).as("connection cut off").isTrue();
        }
        stillServes();
    }

    @Test
    void emptyDataFramesWithoutEndStreamAreAFloodTheConnectionEndsFor() throws IOException {
        try (H2Client c = H2Client.connect(engine.port()).handshake()) {
            c.frame(HEADERS, END_HEADERS, 1, c.block("POST", "/echo", "localhost"));
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < 100; i++) {
                flood.writeBytes(H2Client.frameBytes(DATA, 0, 1, new byte[0]));
            }
            try {
                c.raw(flood.toByteArray());
            } catch (IOException e) {
                // closed while written
            }
            assertThat(goaway(c.drain(3000)).errorCode()).isIn(ENHANCE_YOUR_CALM, PROTOCOL_ERROR);
        }
        stillServes();
    }

    @Test
    void aStreamWhoseWindowStaysClosedIsResetAfterSendTimeout() throws IOException {
        try (H2Client c = H2Client.connect(engine.port())) {
            c.raw(H2Client.PREFACE);
            c.frame(SETTINGS, 0, 0, H2Client.settings(0x4, 0)); // SETTINGS_INITIAL_WINDOW_SIZE 0
            c.get(1, "/files/big.bin");
            long start = System.nanoTime();
            H2Client.Frame reset = c.until(f -> f.type() == RST_STREAM && f.stream() == 1);
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertThat(waited).as("reset after send-timeout (1s)").isGreaterThanOrEqualTo(900);
            assertThat(reset.errorCode()).isNotEqualTo(0L);
            c.get(3, "/again"); // the connection goes on, for a stream the client opens a window for
            c.frame(H2Client.WINDOW_UPDATE, 0, 3, H2Client.int32(100));
            assertThat(c.response(3).text()).isEqualTo("ok");
        }
        stillServes();
    }

    @Test
    void theLastStreamIdIsServedAndNoStreamOpensAfterIt() throws IOException {
        try (H2Client c = H2Client.connect(engine.port()).handshake()) {
            c.get(Integer.MAX_VALUE, "/last");
            assertThat(c.response(Integer.MAX_VALUE).text()).isEqualTo("ok");
            c.get(3, "/lower"); // ids only grow (RFC 9113 §5.1.1): refused, never served
            List<H2Client.Frame> frames = c.drain(2000);
            assertThat(frames).noneMatch(f -> f.type() == HEADERS);
            assertThat(frames).anyMatch(f -> f.type() == GOAWAY || f.type() == RST_STREAM && f.stream() == 3);
        }
        stillServes();
    }

    @Test
    void aPathLongerThanAHeaderBufferIsEnhanceYourCalmAsInNginx() throws IOException {
        try (H2Client c = H2Client.connect(engine.port()).handshake()) {
            c.get(1, "/" + "a".repeat(9000));
            assertThat(goaway(c.drain(2000)).errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
        }
        try (H2Client c = H2Client.connect(engine.port()).handshake()) {
            // beyond the whole header list (32k): refused before any field is kept
            c.get(1, "/" + "a".repeat(40_000));
            List<H2Client.Frame> frames = c.drain(2000);
            assertThat(frames).anyMatch(f -> f.type() == GOAWAY || f.type() == RST_STREAM
                    || f.type() == HEADERS && f.headers().status().toString().equals("431"));
        }
        stillServes();
    }

    @Test
    void streamsBeyondMaxConcurrentStreamsAreRefused() throws IOException {
        try (H2Client c = H2Client.connect(engine.port()).handshake()) {
            byte[] block = c.block("POST", "/echo", "localhost");
            ByteArrayOutputStream open = new ByteArrayOutputStream();
            for (int i = 0; i < 129; i++) {
                open.writeBytes(H2Client.frameBytes(HEADERS, END_HEADERS, 1 + 2 * i, block)); // bodies never sent
            }
            c.raw(open.toByteArray());
            H2Client.Frame refused = c.until(f -> f.type() == RST_STREAM || f.type() == HEADERS);
            assertThat(refused.stream()).isEqualTo(1 + 2 * 128);
            assertThat(refused.errorCode()).isEqualTo(REFUSED_STREAM);
        }
        stillServes();
    }
}
