package dev.modhttp.engine.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.modules.metrics.MetricsModule;
import dev.modhttp.engine.modules.proxy.PeerView;
import dev.modhttp.engine.modules.proxy.ProxyModule;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import io.micrometer.core.instrument.Timer;
import java.net.InetAddress;
import java.net.ServerSocket;
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
    void upstreamPeersAreCountedAndTheirHealthShown() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        int dead;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = gone.getLocalPort();
        }
        try (TestEngine backend = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        return: "200 up"
                """); TestEngine e = TestEngine.start("""
                upstreams:
                  - name: app
                    servers: ["127.0.0.1:%d", "127.0.0.1:%d"]
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://app
                """.formatted(backend.port(), dead), b -> b.module(new MetricsModule(registry)))) {
            for (int i = 0; i < 4; i++) {
                assertThat(e.http().get("/").body()).isEqualTo("up");
            }
            String live = "127.0.0.1:" + backend.port();
            String down = "127.0.0.1:" + dead;
            assertThat(registry.get("engine.upstream.requests").tag("upstream", "app").tag("peer", live)
                    .functionCounter().count()).isEqualTo(4);
            assertThat(registry.get("engine.upstream.failures").tag("peer", down).functionCounter().count())
                    .isEqualTo(1);
            PeerView out = e.engine().module(ProxyModule.class).orElseThrow().peers().stream()
                    .filter(p -> p.address().equals(down)).findFirst().orElseThrow();
            assertThat(out.fails()).isEqualTo(1);
            assertThat(out.unavailableMillis()).as("left out for fail-timeout (10 s)").isBetween(1L, 10_000L);
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
