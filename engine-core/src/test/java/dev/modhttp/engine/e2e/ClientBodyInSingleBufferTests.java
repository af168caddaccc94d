package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import io.netty.buffer.CompositeByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** client-body-in-single-buffer: a body that arrived in pieces is one buffer for the handler. */
@Timeout(30)
class ClientBodyInSingleBufferTests {

    static int buffersSeen(String key) throws Exception {
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        %s
                """.formatted(key), b -> b.handler(Phase.CONTENT, ex -> {
            int pieces = ex.request().body() instanceof CompositeByteBuf c ? c.numComponents() : 1;
            ex.response().body(pieces + " " + ex.request().body().readableBytes());
            return Result.OK;
        })); RawClient c = e.raw()) {
            c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3000\r\n\r\n" + "a".repeat(1000));
            Thread.sleep(100);
            c.send("b".repeat(1000));
            Thread.sleep(100);
            c.send("c".repeat(1000));
            String[] answer = c.read().body().split(" ");
            assertThat(answer[1]).isEqualTo("3000");
            return Integer.parseInt(answer[0]);
        }
    }

    @Test
    void onKeepsTheBodyInOneBufferAndOffLeavesItInThePiecesItCameIn() throws Exception {
        assertThat(buffersSeen("client-body-in-single-buffer: on")).isEqualTo(1);
        assertThat(buffersSeen("client-body-in-single-buffer: off")).isGreaterThan(1);
    }
}
