package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Header and body filter chains: explicit order, each calls the next, the engine's framing closes them. */
@Timeout(30)
class FilterTests {

    static final String YAML = """
            servers:
              - listen: ["127.0.0.1:0"]
                locations:
                  - location: /
                    return: "200 hello filters"
                  - location: /gone
                    return: 410
            """;

    @Test
    void headerFiltersRunInOrderOnceTheStatusIsFinal() {
        try (TestEngine e = TestEngine.start(YAML, b -> b
                .headerFilter(20, (ex, next) -> {
                    ex.response().header("X-Order", ex.response().headers().get("X-Order") + ",second");
                    next.next(ex);
                })
                .headerFilter(10, (ex, next) -> {
                    ex.response().header("X-Order", "first");
                    ex.response().header("X-Status-Seen", ex.response().status());
                    next.next(ex);
                })); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /gone HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.header("X-Order")).isEqualTo("first,second");
            assertThat(r.header("X-Status-Seen")).isEqualTo("410");
        }
    }

    @Test
    void bodyFiltersTransformTheBodyAndTheEngineFramesWhatTheyPassOn() {
        try (TestEngine e = TestEngine.start(YAML, b -> b
                .headerFilter(0, (ex, next) -> {
                    ex.response().contentLength(-1); // the body filter changes the length
                    next.next(ex);
                })
                .bodyFilter(0, (ex, chunk, last, next) -> {
                    ByteBuf upper = Unpooled.copiedBuffer(chunk.toString(StandardCharsets.UTF_8).toUpperCase(),
                            StandardCharsets.UTF_8);
                    chunk.release();
                    next.next(ex, upper, last);
                })
                .bodyFilter(1, (ex, chunk, last, next) -> {
                    next.next(ex, chunk, false);
                    if (last) {
                        next.next(ex, Unpooled.copiedBuffer("!", StandardCharsets.UTF_8), true);
                    }
                })); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.header("Content-Length")).isNull();
            assertThat(r.body()).isEqualTo("HELLO FILTERS!");
            RawClient.Response head = c.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertThat(head.status()).isEqualTo(200);
            // nothing of the body leaked onto the connection after the HEAD response
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).isEqualTo("HELLO FILTERS!");
        }
        try (TestEngine e = TestEngine.start(YAML, b -> b
                .headerFilter(0, (ex, next) -> {
                    ex.response().contentLength(-1);
                    next.next(ex);
                })); RawClient c = e.raw()) {
            // HTTP/1.0 cannot take chunks: the body is delimited by closing the connection
            RawClient.Response r = c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(r.header("Transfer-Encoding")).isNull();
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(r.body()).isEqualTo("hello filters");
        }
    }

    @Test
    void aHeaderFilterThatStopsTheChainSendsNothingAndTheConnectionCloses() {
        try (TestEngine e = TestEngine.start(YAML, b -> b.headerFilter(0, (ex, next) -> { }));
                RawClient c = e.raw()) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readToEnd()).isEmpty();
        }
    }

    @Test
    void aFailingFilterBeforeTheHeadersGoOutBecomes500() {
        try (TestEngine e = TestEngine.start(YAML, b -> b.headerFilter(0, (ex, next) -> {
            if (ex.response().status() == 200) {
                throw new IllegalStateException("filter bug");
            }
            next.next(ex);
        })); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.body()).doesNotContain("filter bug");
        }
    }

    @Test
    void aFileWhoseLengthAHeaderFilterClearedGoesOutChunkedZeroCopy(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("a.txt"), "file body ".repeat(500));
        Files.writeString(root.resolve("empty.txt"), "");
        String yaml = """
                servers:
                  - listen: ["127.0.0.1:0"]
                    root: %s
                    locations:
                      - location: /
                """.formatted(root);
        try (TestEngine e = TestEngine.start(yaml, b -> b
                .headerFilter(0, (ex, next) -> {
                    ex.response().contentLength(-1); // no body filter needs the bytes: the file stays zero-copy
                    next.next(ex);
                })); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /a.txt HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.body()).isEqualTo("file body ".repeat(500));
            RawClient.Response empty = c.send("GET /empty.txt HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(empty.status()).isEqualTo(200);
            assertThat(empty.body()).isEmpty();
            // the framing held: the connection serves the next request
            assertThat(c.send("GET /a.txt HTTP/1.1\r\nHost: a\r\n\r\n").read().body()).hasSize(5000);
        }
    }
}
