package dev.modhttp.engine.modules.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.modhttp.engine.Engine;
import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.RedisServer;
import dev.modhttp.engine.test.TestEngine;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * limit-req and limit-conn zones with {@code backend=redis}: two engines against one real
 * redis-server count together; while Redis is away each counts alone and says so once.
 */
@Timeout(120)
class RedisZonesTests {

    static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.started();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @BeforeEach
    void emptyRedis() throws Exception {
        if (!redis.running()) { // an outage test stopped it
            redis.start();
        }
        redis.command("FLUSHALL");
        MemoryAppender.clear();
    }

    static String yaml(String url, String zones, String limits) {
        return """
                redis: {url: "%s", timeout: 500ms}
                %s
                servers:
                  - listen: ["127.0.0.1:0"]
                    add-header: ["X-Limit $limit_req_status$limit_conn_status always"]
                    locations:
                      - location: /api/
                        %s
                """.formatted(url, zones, limits);
    }

    static TestEngine start(String yaml, List<CompletableFuture<Result>> held) {
        return TestEngine.start(yaml, LimitConnModuleTests.holding(held, "ok"));
    }

    static int status(RawClient c, String key) {
        return c.send("GET /api/ HTTP/1.1\r\nHost: h\r\nX-Key: " + key + "\r\n\r\n").read().status();
    }

    @Test
    void twoEnginesSharingALimitReqZoneAcceptItsRateAndBurstTogether() throws Exception {
        double rate = 20;
        int burst = 10;
        String yaml = yaml(redis.url(), "limit-req-zone: [\"$http_x_key zone=api:1m rate=20r/s backend=redis\"]",
                "limit-req: [\"zone=api burst=10 nodelay\"]");
        List<CompletableFuture<Result>> none = List.of();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (TestEngine a = start(yaml, none); TestEngine b = start(yaml, none)) {
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(3);
            List<Future<int[]>> clients = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                clients.add(pool.submit(() -> {
                    int[] accepted = new int[3]; // by engine a, by engine b, and rejected
                    try (RawClient ca = a.raw(); RawClient cb = b.raw()) {
                        for (int i = 0; System.nanoTime() < end; i++) {
                            int s = status(i % 2 == 0 ? ca : cb, "k");
                            assertThat(s).isIn(200, 503);
                            accepted[s == 503 ? 2 : i % 2]++;
                        }
                    }
                    return accepted;
                }));
            }
            int[] total = new int[3];
            for (Future<int[]> f : clients) {
                int[] one = f.get();
                for (int i = 0; i < 3; i++) {
                    total[i] += one[i];
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double expected = 1 + burst + rate * seconds; // the first request, the burst, then the rate
            int accepted = total[0] + total[1];
            System.out.printf("redis limit-req, two engines: %d accepted (a %d, b %d), %d rejected in %.2f s; expected %.1f"
                    + " (ratio %.3f)%n", accepted, total[0], total[1], total[2], seconds, expected, accepted / expected);
            assertThat(accepted).as("accepted by both (a %d, b %d, rejected %d) in %.2f s", total[0], total[1], total[2],
                    seconds).isBetween((int) Math.floor(expected * 0.9), (int) Math.ceil(expected * 1.1));
            assertThat(total[0]).isPositive();
            assertThat(total[1]).isPositive();
            assertThat(total[2]).as("rejected").isGreaterThan(accepted);
            assertThat(redis.command("KEYS modhttp:limit-req:*")).isEqualTo("modhttp:limit-req:api:k");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLimitConnZoneInRedisHoldsARequestOfOneEngineAgainstTheOther() throws Exception {
        String yaml = yaml(redis.url(), "limit-conn-zone: [\"$http_x_key zone=addr:1m backend=redis\"]",
                "limit-conn: [\"addr 1\"]");
        List<CompletableFuture<Result>> held = new CopyOnWriteArrayList<>();
        try (TestEngine a = start(yaml, held); TestEngine b = start(yaml, held);
                RawClient slow = a.raw(); RawClient other = b.raw()) {
            slow.send("GET /api/ HTTP/1.1\r\nHost: h\r\nX-Key: k\r\nX-Hold: 1\r\n\r\n");
            LimitConnModuleTests.awaitHeld(held);
            RawClient.Response rejected = other.send("GET /api/ HTTP/1.1\r\nHost: h\r\nX-Key: k\r\n\r\n").read();
            assertThat(rejected.status()).isEqualTo(503);
            assertThat(rejected.header("X-Limit")).isEqualTo("REJECTED");
            assertThat(status(other, "another")).isEqualTo(200);
            held.get(0).complete(Result.OK);
            assertThat(slow.read().body()).isEqualTo("ok");
            // the place is given back once the request is done, after its response: within the Redis timeout
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            RawClient.Response after;
            do {
                after = other.send("GET /api/ HTTP/1.1\r\nHost: h\r\nX-Key: k\r\n\r\n").read();
            } while (after.status() == 503 && System.nanoTime() < deadline);
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.header("X-Limit")).isEqualTo("PASSED");
            // what each request held was given back: nothing is left counted
            String left = redis.command("HVALS modhttp:limit-conn:addr:k");
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
                left = redis.command("HVALS modhttp:limit-conn:addr:k");
            }
            assertThat(left).isEmpty();
        }
    }

    @Test
    void withoutRedisAnEngineCountsAloneSaysSoOnceAndGoesBackToRedisWhenItAnswers() throws Exception {
        Logger engineLog = (Logger) LoggerFactory.getLogger("dev.modhttp.engine");
        Level before = engineLog.getLevel();
        engineLog.setLevel(Level.INFO);
        redis.stop();
        String yaml = yaml(redis.url(), "limit-req-zone: [\"$http_x_key zone=api:1m rate=1r/m backend=redis\"]",
                "limit-req: [\"zone=api burst=2 nodelay\"]");
        try (TestEngine e = start(yaml, List.of()); RawClient c = e.raw()) {
            awaitLine(" fails (", () -> 0);
            // Redis is not there at the start: the zone counts on this engine (the first request, then the burst)
            assertThat(List.of(status(c, "k"), status(c, "k"), status(c, "k"), status(c, "k")))
                    .containsExactly(200, 200, 200, 503);
            assertThat(warnings()).hasSize(1);

            redis.start();
            awaitLine("answers again", () -> status(c, "fresh"));
            assertThat(status(c, "k2")).isEqualTo(200);
            assertThat(redis.command("EXISTS modhttp:limit-req:api:k2")).isEqualTo(":1");

            redis.stop(); // an outage while connected
            assertThat(List.of(status(c, "k3"), status(c, "k3"), status(c, "k3"), status(c, "k3")))
                    .containsExactly(200, 200, 200, 503);
            long asked = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
            while (System.nanoTime() < asked) { // Redis is asked again twice meanwhile, in silence
                assertThat(status(c, "k4")).isIn(200, 503);
                Thread.sleep(50);
            }
            assertThat(warnings()).hasSize(2);
            assertThat(MemoryAppender.lines()).filteredOn(l -> l.startsWith("WARN") || l.startsWith("ERROR"))
                    .allMatch(l -> l.contains("redis at") && l.contains(" fails (") || l.contains("limiting requests"));
        } finally {
            engineLog.setLevel(before);
        }
    }

    @Test
    void aLocalZoneBesideARedisZoneCountsEachRequestOnce() throws Exception {
        String yaml = yaml(redis.url(), """
                limit-req-zone: ["$http_x_key zone=shared:1m rate=100r/s backend=redis", "$http_x_key zone=here:1m rate=1r/m"]
                """, "limit-req: [\"zone=shared burst=100 nodelay\", \"zone=here burst=2 nodelay\"]");
        try (TestEngine e = start(yaml, List.of()); RawClient c = e.raw()) {
            assertThat(List.of(status(c, "k"), status(c, "k"), status(c, "k"), status(c, "k")))
                    .as("the first request, the burst of 2 in the local zone, then its rate").containsExactly(200, 200, 200, 503);
            assertThat(redis.command("EXISTS modhttp:limit-req:shared:k")).isEqualTo(":1");
        }
    }

    /** A stall just over the timeout: the hold Redis runs when it wakes is given back, not left for 15 s. */
    @Test
    void aHoldThatTimedOutIsGivenBackWhenRedisWakes() throws Exception {
        String yaml = yaml(redis.url(), "limit-conn-zone: [\"$http_x_key zone=addr:1m backend=redis\"]",
                "limit-conn: [\"addr 1\"]").replace("timeout: 500ms", "timeout: 200ms");
        try (TestEngine a = start(yaml, List.of()); TestEngine b = start(yaml, List.of());
                RawClient ca = a.raw(); RawClient cb = b.raw()) {
            assertThat(status(ca, "k")).isEqualTo(200);
            redis.pause(true);
            try {
                assertThat(status(ca, "k")).as("counted on engine a alone after the timeout").isEqualTo(200);
            } finally {
                redis.pause(false);
            }
            assertThat(warnings()).hasSize(1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            String left = redis.command("HKEYS modhttp:limit-conn:addr:k");
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                left = redis.command("HKEYS modhttp:limit-conn:addr:k");
            }
            assertThat(left).as("held in Redis after the stall").isEmpty();
            assertThat(status(cb, "k")).as("engine b is not blocked by a hold nobody has").isEqualTo(200);
        }
    }

    /** A Redis that answers with errors (out of memory here; a read-only replica alike) is an outage, logged once. */
    @Test
    void aRedisAnsweringWithErrorsIsAnOutageLoggedOnce() throws Exception {
        Logger engineLog = (Logger) LoggerFactory.getLogger("dev.modhttp.engine");
        Level before = engineLog.getLevel();
        engineLog.setLevel(Level.INFO);
        String yaml = yaml(redis.url(), "limit-req-zone: [\"$http_x_key zone=api:1m rate=1r/m backend=redis\"]",
                "limit-req: [\"zone=api burst=2 nodelay\"]");
        try (TestEngine e = start(yaml, List.of()); RawClient c = e.raw()) {
            assertThat(status(c, "k")).isEqualTo(200);
            redis.command("CONFIG SET maxmemory 1");
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
            List<Integer> statuses = new ArrayList<>();
            while (System.nanoTime() < until) { // Redis is tried again twice meanwhile: its refusal is no recovery
                statuses.add(status(c, "m"));
                Thread.sleep(50);
            }
            assertThat(statuses).startsWith(200, 200, 200).contains(503).doesNotContain(500);
            assertThat(warnings()).hasSize(1);
            assertThat(warnings().get(0)).contains("OOM");
            assertThat(MemoryAppender.lines()).noneMatch(l -> l.contains("answers again"));
            redis.command("CONFIG SET maxmemory 0");
            awaitLine("answers again", () -> status(c, "n"));
            assertThat(warnings()).hasSize(1);
        } finally {
            redis.command("CONFIG SET maxmemory 0");
            engineLog.setLevel(before);
        }
    }

    @Test
    void aRedisUrlLettuceCannotReadFailsStartupNamingIt() {
        String yaml = yaml("http://localhost:1", "limit-req-zone: [\"$http_x_key zone=api:1m rate=1r/s backend=redis\"]",
                "limit-req: [\"zone=api\"]");
        assertThatThrownBy(() -> start(yaml, List.of()).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("redis.url");
    }

    @Test
    void anUnknownBackendIsRefusedNamingTheChoices() {
        String yaml = yaml(redis.url(), "limit-req-zone: [\"$http_x_key zone=api:1m rate=1r/s backend=memcached\"]",
                "limit-req: [\"zone=api\"]");
        assertThatThrownBy(() -> start(yaml, List.of()).close())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("limit-req-zone")
                .hasMessageContaining("backend=redis");
    }

    /**
     * The engine as an application without Lettuce sees it: the engine's classes loaded again by
     * a loader that finds no {@code io.lettuce} class (everything else, Netty included, is shared).
     */
    @Test
    void aRedisZoneWithoutLettuceFailsStartupSayingWhatToAdd() throws Exception {
        URL engineClasses = Zone.class.getProtectionDomain().getCodeSource().getLocation();
        String yaml = yaml(redis.url(), "limit-req-zone: [\"$http_x_key zone=api:1m rate=1r/s backend=redis\"]",
                "limit-req: [\"zone=api\"]");
        try (URLClassLoader withoutLettuce = new URLClassLoader(new URL[] {engineClasses}, getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                synchronized (getClassLoadingLock(name)) {
                    if (name.startsWith("io.lettuce.")) {
                        throw new ClassNotFoundException(name);
                    }
                    if (!name.startsWith("dev.modhttp.")) {
                        return super.loadClass(name, resolve);
                    }
                    Class<?> c = findLoadedClass(name);
                    return c != null ? c : findClass(name);
                }
            }
        }) {
            assertThatThrownBy(() -> Class.forName("io.lettuce.core.RedisClient", false, withoutLettuce))
                    .isInstanceOf(ClassNotFoundException.class);
            Class<?> engine = withoutLettuce.loadClass("dev.modhttp.engine.Engine");
            assertThat(engine).isNotSameAs(Engine.class);
            Object builder = engine.getMethod("builder").invoke(null);
            builder.getClass().getMethod("config", Map.class).invoke(builder, TestEngine.yaml(yaml));
            assertThatThrownBy(() -> builder.getClass().getMethod("build").invoke(builder))
                    .cause()
                    .hasMessageContaining("limit-req-zone")
                    .hasMessageContaining("backend=redis needs Lettuce on the classpath (io.lettuce:lettuce-core");
        }
    }

    private static List<String> warnings() {
        return MemoryAppender.lines().stream().filter(l -> l.startsWith("WARN") && l.contains("redis at") && l.contains(" fails (")).toList();
    }

    /**
     * Sends requests until the log says {@code text}: the engine asks Redis again at most once
     * a second (connecting anew when the connection closed), so 10 s bounds it with room.
     */
    private static void awaitLine(String text, IntSupplier request) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (MemoryAppender.lines().stream().noneMatch(l -> l.contains(text))) {
            assertThat(System.nanoTime()).as("'%s' logged within 10 s", text).isLessThan(deadline);
            request.getAsInt();
            Thread.sleep(50);
        }
    }
}
