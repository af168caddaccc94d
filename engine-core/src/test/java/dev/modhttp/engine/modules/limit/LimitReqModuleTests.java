package dev.modhttp.engine.modules.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** limit-req: nginx's leaky bucket per key, its burst, nodelay and delay, statuses, dry run, bounds. */
@Timeout(60)
class LimitReqModuleTests {

    static final String YAML = """
            limit-req-zone: ["$http_x_key zone=one:1m rate=1r/m", "$http_x_key zone=paced:1m rate=10r/s",
                             "$http_x_key zone=fast:1m rate=100r/s"]
            servers:
              - listen: ["127.0.0.1:0"]
                add-header: ["X-Limit $limit_req_status always"]
                locations:
                  - location: /strict/
                    limit-req: ["zone=one"]
                  - location: /burst/
                    limit-req: ["zone=one burst=2 nodelay"]
                  - location: /delayed/
                    limit-req: ["zone=paced burst=2"]
                  - location: /modern/
                    limit-req: ["zone=one"]
                    limit-req-status: 429
                  - location: /dry/
                    limit-req: ["zone=one"]
                    limit-req-dry-run: on
                  - location: /load/
                    limit-req: ["zone=fast burst=20 nodelay"]
                    limit-req-log-level: info
            """;

    static TestEngine start() {
        return TestEngine.start(YAML, b -> b.handler(Phase.CONTENT, ex -> {
            ex.response().body("ok");
            return Result.OK;
        }));
    }

    static RawClient.Response get(RawClient c, String path, String key) {
        return c.send("GET " + path + " HTTP/1.1\r\nHost: h\r\nX-Key: " + key + "\r\n\r\n").read();
    }

    @Test
    void aKeyAboveTheRateIsRejectedWith503AndRetryAfterWhileOtherKeysPass() {
        try (TestEngine e = start(); RawClient c = e.raw()) {
            RawClient.Response first = get(c, "/strict/", "a");
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("X-Limit")).isEqualTo("PASSED");
            RawClient.Response second = get(c, "/strict/", "a");
            assertThat(second.status()).isEqualTo(503);
            assertThat(Integer.parseInt(second.header("Retry-After"))).isBetween(58, 60); // one request a minute
            assertThat(second.header("X-Limit")).isEqualTo("REJECTED");
            assertThat(get(c, "/strict/", "b").status()).isEqualTo(200);
            RawClient.Response modern = get(c, "/modern/", "c");
            assertThat(modern.status()).isEqualTo(200);
            assertThat(get(c, "/modern/", "c").status()).isEqualTo(429);
        }
    }

    @Test
    void aBurstWithNodelayPassesAtOnceThenRejects() {
        try (TestEngine e = start(); RawClient c = e.raw()) {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                statuses.add(get(c, "/burst/", "k").status());
            }
            assertThat(statuses).containsExactly(200, 200, 200, 503);
        }
    }

    @Test
    void aBurstWithoutNodelayIsSpacedAtTheRate() {
        try (TestEngine e = start(); RawClient c = e.raw()) {
            long start = System.nanoTime();
            RawClient.Response r = null;
            for (int i = 0; i < 3; i++) {
                r = get(c, "/delayed/", "d");
                assertThat(r.status()).isEqualTo(200);
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(elapsedMs).isGreaterThanOrEqualTo(190); // two waits of 100 ms at 10 r/s
            assertThat(r.header("X-Limit")).isEqualTo("DELAYED");
            assertThat(get(c, "/delayed/", "d").status()).isEqualTo(200); // the bucket drained meanwhile
        }
    }

    @Test
    void rejectionsAreLoggedAsNginxDoesAtTheConfiguredLevel() {
        dev.modhttp.engine.test.MemoryAppender.clear();
        try (TestEngine e = start(); RawClient c = e.raw()) {
            get(c, "/strict/", "logged");
            get(c, "/strict/", "logged");
            for (int i = 0; i < 30; i++) {
                get(c, "/load/", "quiet");
            }
        }
        assertThat(dev.modhttp.engine.test.MemoryAppender.lines()).contains(
                "ERROR limiting requests, excess over burst 0 by zone \"one\", client: 127.0.0.1, request: \"GET /strict/ HTTP/1.1\"")
                .noneMatch(l -> l.contains("zone \"fast\"")); // info: below the test's WARN threshold
    }

    @Test
    void aDryRunOnlyTellsWhatWouldHappen() {
        try (TestEngine e = start(); RawClient c = e.raw()) {
            assertThat(get(c, "/dry/", "x").header("X-Limit")).isEqualTo("PASSED");
            RawClient.Response r = get(c, "/dry/", "x");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-Limit")).isEqualTo("REJECTED_DRY_RUN");
        }
    }

    @Test
    void anEmptyKeyIsNotLimited() {
        try (TestEngine e = start(); RawClient c = e.raw()) {
            for (int i = 0; i < 5; i++) {
                assertThat(c.send("GET /strict/ HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
            }
        }
    }

    /**
     * Four clients hammer one key for two seconds: what passes must be the burst plus the rate
     * over the time, within 10 %.
     */
    @Test
    void underLoadTheAcceptedRateMatchesRateAndBurst() throws Exception {
        try (TestEngine e = start()) {
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger rejected = new AtomicInteger();
            long durationMs = 2000;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            long start = System.nanoTime();
            List<Future<?>> clients = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                clients.add(pool.submit(() -> {
                    while ((System.nanoTime() - start) / 1_000_000 < durationMs) {
                        try (RawClient c = e.raw()) { // a fresh connection before keepalive-requests runs out
                            for (int i = 0; i < 500 && (System.nanoTime() - start) / 1_000_000 < durationMs; i++) {
                                int s = get(c, "/load/", "hot").status();
                                (s == 200 ? accepted : rejected).incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
            pool.shutdown();
            double seconds = (System.nanoTime() - start) / 1e9;
            double expected = 1 + 20 + 100 * seconds; // the first request, the burst, the rate
            System.out.printf("limit-req load: %d accepted, %d rejected in %.2f s; expected %.0f (ratio %.3f)%n",
                    accepted.get(), rejected.get(), seconds, expected, accepted.get() / expected);
            assertThat(rejected.get()).isPositive();
            assertThat((double) accepted.get()).isBetween(expected * 0.9, expected * 1.1);
        }
    }

    @Test
    void aServersLimitsAreInheritedByLocationsWithoutTheirOwn() {
        String yaml = """
                limit-req-zone: ["$http_x_key zone=one:1m rate=1r/m"]
                limit-req-status: 429
                servers:
                  - listen: ["127.0.0.1:0"]
                    limit-req: ["zone=one burst=1 nodelay"]
                    locations:
                      - location: /inherits/
                      - location: /own/
                        limit-req: ["zone=one burst=3 nodelay"]
                      - location: /free/
                        limit-req: []
                """;
        try (TestEngine e = TestEngine.start(yaml, b -> b.handler(Phase.CONTENT, ex -> Result.status(204)));
                RawClient c = e.raw()) {
            assertThat(List.of(get(c, "/inherits/", "i").status(), get(c, "/inherits/", "i").status(),
                    get(c, "/inherits/", "i").status())).containsExactly(204, 204, 429);
            assertThat(List.of(get(c, "/own/", "o").status(), get(c, "/own/", "o").status(), get(c, "/own/", "o").status(),
                    get(c, "/own/", "o").status(), get(c, "/own/", "o").status())).containsExactly(204, 204, 204, 204, 429);
            for (int i = 0; i < 5; i++) {
                assertThat(get(c, "/free/", "f").status()).isEqualTo(204);
            }
        }
    }

    @Test
    void aRequestRejectedByOneZoneCountsInNoneOfThem() {
        String yaml = """
                limit-req-zone: ["$http_x_key zone=loose:1m rate=1r/m", "$http_x_key zone=tight:1m rate=1r/m"]
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /both/
                        limit-req: ["zone=loose burst=2 nodelay", "zone=tight"]
                      - location: /loose/
                        limit-req: ["zone=loose burst=2 nodelay"]
                """;
        try (TestEngine e = TestEngine.start(yaml, b -> b.handler(Phase.CONTENT, ex -> Result.status(204)));
                RawClient c = e.raw()) {
            assertThat(get(c, "/both/", "k").status()).isEqualTo(204);
            assertThat(get(c, "/both/", "k").status()).isEqualTo(503); // tight says no: loose keeps its count
            assertThat(List.of(get(c, "/loose/", "k").status(), get(c, "/loose/", "k").status(),
                    get(c, "/loose/", "k").status())).containsExactly(204, 204, 503);
        }
    }

    @Test
    void zonesRememberABoundedNumberOfKeys() {
        KeyTable<LimitReqModule.Bucket> table = new KeyTable<>(Zone.parse("$uri zone=z:8k rate=1r/s").capacity());
        for (int i = 0; i < 100_000; i++) {
            table.apply("key" + i, k -> new LimitReqModule.Bucket(), b -> b);
        }
        assertThat(table.size()).isLessThanOrEqualTo(128);
    }

    @Test
    void badSettingsFailStartupNamingTheKey() {
        assertThatThrownBy(() -> TestEngine.start(YAML.replace("zone=one burst=2 nodelay", "zone=nosuch")).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("engine.servers[0].locations[1].limit-req: unknown zone \"nosuch\"");
        assertThatThrownBy(() -> TestEngine.start(YAML.replace("rate=10r/s", "rate=10r/h")).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("limit-req-zone")
                .hasMessageContaining("is not Nr/s or Nr/m");
        assertThatThrownBy(() -> TestEngine.start(YAML.replace("burst=2 nodelay", "burst=2 nodelay delay=1")).close())
                .hasMessageContaining("nodelay and delay= cannot both be set");
        assertThatThrownBy(() -> TestEngine.start(YAML.replace("rate=1r/m", "rate=0.01r/m")).close())
                .as("nginx takes whole numbers only (a rate rounding to 0 divided by zero)")
                .hasMessageContaining("is not Nr/s or Nr/m with N a whole number above 0");
        assertThatThrownBy(() -> TestEngine.start(YAML.replace("[\"zone=one burst=2 nodelay\"]",
                "[\"zone=one burst=2 nodelay\", \"zone=one\"]")).close())
                .hasMessageContaining("zone \"one\" is duplicate");
        assertThatThrownBy(() -> TestEngine.start(YAML.replace("rate=1r/m", "rate=1r/m backend=redis backend=local")).close())
                .hasMessageContaining("backend= is given twice");
    }

    /** nginx keeps limit_req's and limit_conn's state in the main request: an internal redirect does not count again. */
    @Test
    void aRequestInternallyRedirectedCountsOnceAndGivesBackWhatItHeld(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("index.html"), "index");
        String yaml = """
                limit-req-zone: ["$http_x_key zone=once:1m rate=1r/m"]
                limit-conn-zone: ["$http_x_conn zone=held:1m"]
                servers:
                  - listen: ["127.0.0.1:0"]
                    root: %s
                    locations:
                      - location: /
                        limit-req: ["zone=once burst=1 nodelay"]
                        limit-conn: ["held 1"]
                """.formatted(root);
        try (TestEngine e = TestEngine.start(yaml); RawClient c = e.raw()) {
            // "/" is served as /index.html by an internal redirect (index)
            List<Integer> counted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: h\r\nX-Key: k\r\n\r\n").read();
                counted.add(r.status());
            }
            assertThat(counted).as("the first request, the burst of 1, then the rate").containsExactly(200, 200, 503);
            for (int i = 0; i < 3; i++) {
                RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: h\r\nX-Conn: c\r\n\r\n").read();
                assertThat(r.status()).as("request %d of one key, one at a time", i).isEqualTo(200);
                assertThat(r.body()).isEqualTo("index");
            }
        }
    }
}
