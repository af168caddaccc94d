package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.TestEngine;
import io.netty.buffer.ByteBuf;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded variant of bench/upload.sh (2 GiB): a 256 MiB chunked upload to a buffering location
 * (the body to a temporary file, which the handler reads the size of) and to a streaming handler
 * (streamRequestBody, pausing the client while it is busy) keeps the heap after a full GC, taken in the
 * handler once the whole body was read, within 64 MiB of where it was: a body kept in memory would not.
 */
@Timeout(120)
class LargeUploadMemoryTests {

    static final long SIZE = 256L << 20;

    @TempDir
    Path temp;

    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Sends SIZE bytes chunked in 64 KiB chunks and returns the response's first line and body. */
    static String upload(int port, String path) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            byte[] size = "10000\r\n".getBytes(StandardCharsets.US_ASCII);
            byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
            for (long sent = 0; sent < SIZE; sent += chunk.length) {
                out.write(size);
                out.write(chunk);
                out.write(crlf);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return answer.substring(0, answer.indexOf("\r\n")) + " " + answer.substring(answer.indexOf("\r\n\r\n") + 4);
        }
    }

    @Test
    void aLargeUploadToAFileOrAStreamingHandlerLeavesTheHeapWhereItWas() throws Exception {
        AtomicLong streamed = new AtomicLong();
        AtomicLong[] inHandler = {new AtomicLong(), new AtomicLong()};
        try (TestEngine e = TestEngine.start("""
                client-body-temp-path: %s
                servers:
                  - listen: ["127.0.0.1:0"]
                    client-max-body-size: 0
                    locations:
                      - location: /buffered
                      - location: /streamed
                """.formatted(temp), b -> b
                .handler(Phase.PRECONTENT, ex -> ex.request().uri().equals("/streamed") ? stream(ex, streamed, inHandler[1])
                        : Result.DECLINED)
                .handler(Phase.CONTENT, ex -> {
                    Path file = ex.request().bodyFile();
                    try {
                        inHandler[0].set(heapAfterGc()); // the whole body read, the request still holding it
                        ex.response().body("file " + (file == null ? "none" : Files.size(file)));
                    } catch (InterruptedException | java.io.IOException io) {
                        throw new IllegalStateException(io);
                    }
                    return Result.OK;
                }))) {
            long before = heapAfterGc();
            assertThat(upload(e.port(), "/buffered")).isEqualTo("HTTP/1.1 200 OK file " + SIZE);
            assertThat(upload(e.port(), "/streamed")).isEqualTo("HTTP/1.1 200 OK streamed " + SIZE);
            assertThat(inHandler[0].get() - before).as("heap growth with the buffered body read").isLessThan(64L << 20);
            assertThat(inHandler[1].get() - before).as("heap growth with the streamed body read").isLessThan(64L << 20);
            try (var left = Files.list(temp)) {
                assertThat(left).as("the body's temporary file is deleted with the request").isEmpty();
            }
        }
    }

    /** A streaming handler: counts the bytes as they come, pausing the client for a moment now and then. */
    static Result stream(HttpExchange ex, AtomicLong streamed, AtomicLong heap) {
        CompletableFuture<Result> done = new CompletableFuture<>();
        long[] seen = {0};
        HttpExchange.RequestBodyStream[] control = new HttpExchange.RequestBodyStream[1];
        control[0] = ex.streamRequestBody(new HttpExchange.RequestBodyListener() {
            @Override
            public void onData(ByteBuf data) {
                seen[0] += data.readableBytes();
                if (control[0] != null && (seen[0] & ((16 << 20) - 1)) < data.readableBytes()) { // every 16 MiB: busy 5 ms
                    control[0].pause();
                    ex.eventLoop().schedule(() -> control[0].resume(), 5, java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            }

            @Override
            public void onEnd() {
                streamed.set(seen[0]);
                try {
                    heap.set(heapAfterGc());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
                ex.response().body("streamed " + seen[0]);
                done.complete(Result.DONE);
            }
        });
        return Result.pending(done);
    }
}
