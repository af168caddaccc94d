package dev.modhttp.engine.modules.proxy;

import static dev.modhttp.engine.modules.proxy.RawBackend.write;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Balancing end to end over 10,000 requests: weights, hash stickiness, least-conn. */
@Timeout(120)
class ProxyBalanceTests {

    static RawBackend named(String name) throws IOException {
        return new RawBackend((head, body, out, s) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + name.length() + "\r\n\r\n" + name);
            return true;
        });
    }

    static String yaml(String balance, RawBackend a, String aParams, RawBackend b) {
        return """
                upstreams:
                  - name: pair
                    servers: ["127.0.0.1:%d %s", "127.0.0.1:%d"]
                    balance: %s
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://pair
                """.formatted(a.port(), aParams, b.port(), balance);
    }

    /** Sends {@code n} requests, 500 per kept connection (keepalive-requests is 1000); counts the answers by backend. */
    static Map<String, Integer> send(TestEngine e, int n, String pathPrefix) {
        Map<String, Integer> seen = new HashMap<>();
        for (int from = 0; from < n; from += 500) {
            try (RawClient c = e.raw()) {
                for (int i = from; i < Math.min(n, from + 500); i++) {
                    String who = c.send("GET " + pathPrefix + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read().body();
                    seen.merge(who, 1, Integer::sum);
                }
            }
        }
        return seen;
    }

    @Test
    void weightsShareTenThousandRequestsWithinTenPercent() throws Exception {
        try (RawBackend a = named("a"); RawBackend b = named("b");
                TestEngine e = TestEngine.start(yaml("round-robin", a, "weight=3", b))) {
            Map<String, Integer> seen = send(e, 10_000, "/x");
            assertThat(seen.get("a")).isBetween(6_750, 8_250); // 7,500 +-10 %
            assertThat(seen.get("b")).isBetween(2_250, 2_750); // 2,500 +-10 %
            // kept connections: one per backend per event loop, renewed every keepalive-requests (1000)
            assertThat(a.accepted.get() + b.accepted.get()).as("backend connections").isLessThanOrEqualTo(2 * 2 + 10);
        }
    }

    @Test
    void leastConnSharesEvenlyAndAHashKeySticksToItsServer() throws Exception {
        try (RawBackend a = named("a"); RawBackend b = named("b")) {
            try (TestEngine e = TestEngine.start(yaml("least-conn", a, "", b))) {
                Map<String, Integer> seen = send(e, 10_000, "/x");
                assertThat(seen.get("a")).isBetween(4_500, 5_500);
                assertThat(seen.get("b")).isBetween(4_500, 5_500);
            }
            try (TestEngine e = TestEngine.start(yaml("hash $arg_k consistent", a, "", b))) {
                Map<String, Map<String, Integer>> byKey = new HashMap<>();
                for (int from = 0; from < 10_000; from += 500) {
                    try (RawClient c = e.raw()) {
                        for (int i = from; i < from + 500; i++) {
                            String key = "user" + (i % 100);
                            String who = c.send("GET /x?k=" + key + " HTTP/1.1\r\nHost: a\r\n\r\n").read().body();
                            byKey.computeIfAbsent(key, k -> new HashMap<>()).merge(who, 1, Integer::sum);
                        }
                    }
                }
                assertThat(byKey).hasSize(100).allSatisfy((key, servers) -> assertThat(servers).hasSize(1));
                long onA = byKey.values().stream().filter(m -> m.containsKey("a")).count();
                assertThat(onA).as("keys on each server").isBetween(20L, 80L);
            }
        }
    }
}
