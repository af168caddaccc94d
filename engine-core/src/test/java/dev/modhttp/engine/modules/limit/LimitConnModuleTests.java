package dev.modhttp.engine.modules.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.EngineBuilder;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** limit-conn: requests in progress per key, released when each is done. */
@Timeout(30)
class LimitConnModuleTests {

    static final String YAML = """
            limit-conn-zone: ["$http_x_key zone=addr:1m"]
            servers:
              - listen: ["127.0.0.1:0"]
                add-header: ["X-Limit $limit_conn_status always"]
                locations:
                  - location: /one/
                    limit-conn: ["addr 1"]
                  - location: /dry/
                    limit-conn: ["addr 1"]
                    limit-conn-dry-run: on
            """;

    static TestEngine start(List<CompletableFuture<Result>> held) {
        return TestEngine.start(YAML, holding(held, "done"));
    }

    /** A content handler answering {@code body}: requests with X-Hold wait until the test completes their future. */
    static Consumer<EngineBuilder> holding(List<CompletableFuture<Result>> held, String body) {
        return b -> b.handler(Phase.CONTENT, ex -> {
            ex.response().body(body);
            if (ex.request().header("X-Hold") == null) {
                return Result.OK;
            }
            CompletableFuture<Result> f = new CompletableFuture<>();
            held.add(f);
            return Result.pending(f);
        });
    }

    static void awaitHeld(List<CompletableFuture<Result>> held) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (held.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    @Test
    void aSecondConcurrentRequestOfAKeyIsRejectedUntilTheFirstIsDone() throws Exception {
        List<CompletableFuture<Result>> held = new CopyOnWriteArrayList<>();
        try (TestEngine e = start(held); RawClient slow = e.raw(); RawClient other = e.raw()) {
            slow.send("GET /one/ HTTP/1.1\r\nHost: h\r\nX-Key: k\r\nX-Hold: 1\r\n\r\n");
            awaitHeld(held);
            RawClient.Response rejected = other.send("GET /one/ HTTP/1.1\r\nHost: h\r\nX-Key: k\r\n\r\n").read();
            assertThat(rejected.status()).isEqualTo(503);
            assertThat(rejected.header("X-Limit")).isEqualTo("REJECTED");
            assertThat(other.send("GET /one/ HTTP/1.1\r\nHost: h\r\nX-Key: other\r\n\r\n").read().status())
                    .isEqualTo(200);
            RawClient.Response dry = other.send("GET /dry/ HTTP/1.1\r\nHost: h\r\nX-Key: k\r\n\r\n").read();
            assertThat(dry.status()).isEqualTo(200); // /dry/ shares the zone: k is at its limit, but only logged
            assertThat(dry.header("X-Limit")).isEqualTo("REJECTED_DRY_RUN");
            held.get(0).complete(Result.OK);
            assertThat(slow.read().body()).isEqualTo("done");
            RawClient.Response after = other.send("GET /one/ HTTP/1.1\r\nHost: h\r\nX-Key: k\r\n\r\n").read();
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.header("X-Limit")).isEqualTo("PASSED");
        }
    }

    @Test
    void aRequestWhoseClientWentAwayGivesItsPlaceBackWhenItEnds() throws Exception {
        List<CompletableFuture<Result>> held = new CopyOnWriteArrayList<>();
        try (TestEngine e = start(held)) {
            try (RawClient leaving = e.raw()) {
                leaving.send("GET /one/ HTTP/1.1\r\nHost: h\r\nX-Key: k\r\nX-Hold: 1\r\n\r\n");
                awaitHeld(held);
            }
            try (RawClient c = e.raw()) {
                assertThat(c.send("GET /one/ HTTP/1.1\r\nHost: h\r\nX-Key: k\r\n\r\n").read().status()).isEqualTo(503);
            }
            held.get(0).complete(Result.OK);
            long deadline = System.nanoTime() + 5_000_000_000L;
            int status = 0;
            while (status != 200 && System.nanoTime() < deadline) {
                try (RawClient c = e.raw()) {
                    status = c.send("GET /one/ HTTP/1.1\r\nHost: h\r\nX-Key: k\r\n\r\n").read().status();
                }
            }
            assertThat(status).isEqualTo(200);
        }
    }
}
