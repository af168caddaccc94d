package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.modules.metrics.MetricsModule;
import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * worker-connections: the engine holds at most that many client connections; one more is
 * accepted and closed at once (nginx's "worker_connections are not enough"), counted in
 * stub_status' accepts but not in handled, logged and counted as a metric; a place freed by a
 * closed connection serves the next one.
 */
@Timeout(30)
class WorkerConnectionsTests {

    private static final String GET = "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n";

    @Test
    void aConnectionBeyondTheCapIsClosedAtOnceAndAFreedPlaceServesTheNext() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MemoryAppender.clear();
        try (TestEngine e = TestEngine.start("""
                worker-connections: 2
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /hello
                        return: "200 hello"
                      - location: = /status
                        stub-status: on
                """, b -> b.module(new MetricsModule(registry)));
                RawClient first = e.raw(); RawClient second = e.raw()) {
            assertThat(first.send(GET).read().body()).isEqualTo("hello");
            assertThat(second.send(GET).read().body()).isEqualTo("hello");
            try (RawClient third = e.raw()) {
                assertThat(third.isClosedByServer()).as("a third connection with worker-connections: 2").isTrue();
            }
            assertThat(MemoryAppender.lines())
                    .contains("ERROR 2 worker-connections are not enough, 1 connection(s) refused");
            assertThat(registry.get("engine.connections.refused").functionCounter().count()).isEqualTo(1.0);

            first.close();
            awaitActive(registry, 1); // the engine saw the close: its place is free again
            try (RawClient next = e.raw()) {
                String status = next.send("GET /status HTTP/1.1\r\nHost: a\r\n\r\n").read().body();
                assertThat(status).startsWith("Active connections: 2 \n")
                        .contains("server accepts handled requests\n 4 3 "); // the refused one: accepted, not handled
            }
            assertThat(second.send(GET).read().body()).as("the connections admitted keep being served").isEqualTo("hello");
        }
    }

    /**
     * Waits for the engine's count of active connections, within the longest an engine keeps a
     * connection its client closed: the HTTP/1 lingering close (2 s), with room for a slow machine.
     */
    private static void awaitActive(SimpleMeterRegistry registry, int active) {
        long deadline = System.nanoTime() + Duration.ofSeconds(4 * 2).toNanos();
        Gauge gauge = registry.get("engine.connections").tag("state", "active").gauge();
        while (gauge.value() != active && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        assertThat(gauge.value()).as("active connections").isEqualTo(active);
    }

    @Test
    void theCapIsAtLeastOneAndOnlyAtTheMainScope() {
        assertThatThrownBy(() -> TestEngine.start("""
                worker-connections: 0
                servers:
                  - listen: ["127.0.0.1:0"]
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("worker-connections must be at least 1");
        assertThatThrownBy(() -> TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    worker-connections: 10
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("worker-connections");
    }
}
