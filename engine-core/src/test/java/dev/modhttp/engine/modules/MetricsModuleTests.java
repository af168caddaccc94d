package dev.modhttp.engine.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.modules.metrics.MetricsModule;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MetricsModuleTests {

    @Test
    void requestsAreTimedByLocationPatternNeverByRawUri() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: "~ ^/users/\\\\d+$"
                        return: "200 user"
                      - location: /gone
                        return: 410
                """, b -> b.module(new MetricsModule(registry)))) {
            e.http().get("/users/1");
            e.http().get("/users/2");
            e.http().get("/gone");
            e.http().get("/nowhere");
            Timer users = registry.get("http.server.requests").tag("location", "~ ^/users/\\d+$").tag("status", "200")
                    .tag("outcome", "SUCCESS").tag("method", "GET").timer();
            assertThat(users.count()).isEqualTo(2);
            assertThat(registry.get("http.server.requests").tag("status", "410").tag("outcome", "CLIENT_ERROR")
                    .timer().count()).isEqualTo(1);
            assertThat(registry.get("http.server.requests").tag("location", "NONE").timer().count()).isEqualTo(1);
            assertThat(registry.find("http.server.requests").meters())
                    .noneMatch(m -> m.getId().getTags().toString().contains("/users/1"));
        }
    }

    @Test
    void connectionGaugesFollowTheStubStatusCounts() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        return: "200 ok"
                """, b -> b.module(new MetricsModule(registry))); RawClient c = e.raw()) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(registry.get("engine.connections").tag("state", "active").gauge().value()).isEqualTo(1);
            assertThat(registry.get("engine.connections").tag("state", "waiting").gauge().value()).isEqualTo(1);
        }
    }

    @Test
    void limitOutcomesAreCounted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TestEngine e = TestEngine.start("""
                limit-req-zone: ["$server_name zone=one:1m rate=1r/m"]
                limit-conn-zone: ["$server_name zone=conn:1m"]
                servers:
                  - listen: ["127.0.0.1:0"]
                    server-names: [metrics.test]
                    locations:
                      - location: /
                        limit-req: ["zone=one"]
                        limit-conn: ["conn 5"]
                """, b -> b.module(new MetricsModule(registry))
                .handler(dev.modhttp.engine.phase.Phase.CONTENT, ex -> dev.modhttp.engine.phase.Result.status(204)));
                RawClient c = e.raw()) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(204);
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(503);
            assertThat(registry.get("engine.limit.requests").tag("limit", "req").tag("status", "PASSED").counter()
                    .count()).isEqualTo(1);
            assertThat(registry.get("engine.limit.requests").tag("limit", "req").tag("status", "REJECTED").counter()
                    .count()).isEqualTo(1);
            assertThat(registry.get("engine.limit.requests").tag("limit", "conn").tag("status", "PASSED").counter()
                    .count()).isEqualTo(1);
        }
    }
}
