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
}
