package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.ConfigSource;
import dev.modhttp.engine.Engine;
import dev.modhttp.engine.ReloadResult;
import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.module.Reloads;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestCertificates;
import dev.modhttp.engine.test.TestEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A reload swaps the configuration while clients keep sending: nothing is lost, requests in
 * flight finish on the generation they started on, keep-alive connections stay open and their
 * next request sees the new one, a bad configuration is refused while the old one serves, and
 * listen addresses come and go.
 */
@Timeout(120)
class ReloadTests {

    private static String returning(String body) {
        return """
                servers:
                  - locations:
                      - location: /
                        return: "200 %s"
                """.formatted(body);
    }

    /** One response a load client read, and when its request was sent and its response read. */
    private record Seen(long sentAt, long readAt, int status, String body) {
    }

    /** When one reload was asked for and when it returned, and the body its generation answers with. */
    private record Swap(long calledAt, long returnedAt, String body) {
    }

    @Test
    void tenReloadsUnderLoadLoseNothingAndEachBodyIsSeenOnlyInItsOwnGeneration() throws Exception {
        try (TestEngine t = TestEngine.start(returning("gen-0"))) {
            int clients = 64;
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong connectionsOpened = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch running = new CountDownLatch(clients);
            for (int c = 0; c < clients; c++) {
                Thread th = new Thread(() -> {
                    running.countDown();
                    while (!stop.get() && failure.get() == null) {
                        // a new connection when the engine ends one with Connection: close (keepalive-requests)
                        try (RawClient client = t.raw().timeout(10_000)) {
                            connectionsOpened.incrementAndGet();
                            boolean open = true;
                            while (open && !stop.get()) {
                                long sent = System.nanoTime();
                                client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                                RawClient.Response r = client.read();
                                seen.add(new Seen(sent, System.nanoTime(), r.status(), r.body()));
                                open = !"close".equals(r.header("Connection"));
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    }
                }, "load-" + c);
                th.start();
                threads.add(th);
            }
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200);
            List<Swap> swaps = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                String body = "gen-" + i;
                long called = System.nanoTime();
                ReloadResult r = t.engine().reload(TestEngine.yaml(returning(body)));
                swaps.add(new Swap(called, System.nanoTime(), body));
                assertThat(r.applied()).isTrue();
                assertThat(r.generation()).isEqualTo(i + 1);
                Thread.sleep(150);
            }
            stop.set(true);
            for (Thread th : threads) {
                th.join(15_000);
            }
            assertThat(failure.get()).as("a client's socket error").isNull();
            assertThat(connectionsOpened.get()).isGreaterThanOrEqualTo(clients);
            assertThat(seen).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
            assertThat(seen.size()).isGreaterThan(1000);
            for (Seen s : seen) {
                // the generations that may have answered: the one serving when it was sent, up to the one when it was read
                int from = 0;
                int to = 0;
                for (int i = 0; i < swaps.size(); i++) {
                    if (swaps.get(i).returnedAt() <= s.sentAt()) {
                        from = i + 1;
                    }
                    if (swaps.get(i).calledAt() <= s.readAt()) {
                        to = i + 1;
                    }
                }
                List<String> possible = new ArrayList<>();
                for (int g = from; g <= to; g++) {
                    possible.add("gen-" + g);
                }
                assertThat(s.body()).as("sent %d ns after the start", s.sentAt()).isIn(possible);
            }
            List<Long> lags = new ArrayList<>();
            for (Swap swap : swaps) {
                long firstNew = seen.stream().filter(s -> s.body().equals(swap.body())).mapToLong(Seen::readAt)
                        .min().orElseThrow();
                lags.add(TimeUnit.NANOSECONDS.toMillis(firstNew - swap.calledAt()));
                assertThat(lags.get(lags.size() - 1)).as("the new body served within 1 s of the reload").isLessThan(1000);
            }
            lags.sort(null);
            System.out.printf("reload under load: %d responses, reload call to first new body median %d ms, max %d ms%n",
                    seen.size(), lags.get(lags.size() / 2), lags.get(lags.size() - 1));
            assertThat(t.engine().reloads().applied()).isEqualTo(10);
            assertThat(t.engine().status().accepted()).as("no connection but the clients'").isEqualTo(connectionsOpened.get());
        }
    }

    @Test
    void aRequestInFlightFinishesOnItsGenerationAndTheKeepAliveConnectionsNextRequestUsesTheNewOne() throws Exception {
        CompletableFuture<Result> held = new CompletableFuture<>();
        CountDownLatch waiting = new CountDownLatch(1);
        try (TestEngine t = TestEngine.start(returning("old"), b -> b.handler(Phase.POST_READ, ex -> {
            if (ex.request().args().equals("hold")) {
                waiting.countDown();
                return Result.pending(held);
            }
            return Result.DECLINED;
        })); RawClient held1 = t.raw(); RawClient idle = t.raw()) {
            idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(idle.read().body()).isEqualTo("old");
            held1.send("GET /?hold HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
            t.engine().reload(TestEngine.yaml(returning("new")));
            held.complete(Result.DECLINED);
            RawClient.Response inFlight = held1.read();
            assertThat(inFlight.body()).as("started on the old generation").isEqualTo("old");
            assertThat(inFlight.header("Connection")).isNull(); // kept alive
            held1.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(held1.read().body()).isEqualTo("new");
            idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(idle.read().body()).as("the same connection, opened before the reload").isEqualTo("new");
            assertThat(t.engine().status().accepted()).isEqualTo(2);
        }
    }

    @Test
    void aConfigurationThatFailsIsRefusedNamingThePropertyAndTheOldOneKeepsServing() throws Exception {
        AtomicReference<Map<String, ?>> next = new AtomicReference<>();
        try (TestEngine t = TestEngine.start(returning("old"))) {
            t.engine().configSource(new ConfigSource() {
                @Override
                public Map<String, ?> read() {
                    return next.get();
                }

                @Override
                public String describe(RuntimeException error) {
                    return "described: " + error.getMessage();
                }
            });
            String bad = """
                    servers:
                      - locations:
                          - location: /
                            return: "200 new"
                            client-max-body-size: lots
                    """;
            assertThatThrownBy(() -> t.engine().reload(TestEngine.yaml(bad)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("servers[0].locations[0]").hasMessageContaining("client-max-body-size");
            next.set(TestEngine.yaml(bad));
            ReloadResult r = t.engine().reload();
            assertThat(r.applied()).isFalse();
            assertThat(r.generation()).isEqualTo(1);
            assertThat(r.error()).startsWith("described: ").contains("client-max-body-size");
            assertThat(t.engine().reloads().refused()).isEqualTo(1); // the direct call threw and counts nothing
            assertThat(t.engine().reloads().lastError()).isEqualTo(r.error());
            try (RawClient c = t.raw()) {
                c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(c.read().body()).isEqualTo("old");
            }
            next.set(TestEngine.yaml(returning("fixed")));
            assertThat(t.engine().reload().applied()).isTrue();
            assertThat(t.engine().reloads()).isEqualTo(new Reloads(2, 1, 1, r.error()));
            try (RawClient c = t.raw()) {
                c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(c.read().body()).isEqualTo("fixed");
            }
        }
    }

    @Test
    void anAddressAddedIsBoundAndOneRemovedStopsAcceptingWhileItsOpenConnectionFinishes() throws Exception {
        int extra = freePort();
        String withExtra = """
                servers:
                  - locations:
                      - location: /
                        return: "200 main"
                  - listen: ["127.0.0.1:%d"]
                    locations:
                      - location: /
                        return: "200 extra"
                """.formatted(extra);
        try (TestEngine t = TestEngine.start(returning("main"))) {
            assertThatThrownBy(() -> new Socket("127.0.0.1", extra).close()).isInstanceOf(ConnectException.class);
            t.engine().reload(TestEngine.yaml(withExtra));
            assertThat(t.engine().ports()).containsExactly(t.port(), extra);
            try (RawClient kept = new RawClient(extra)) {
                kept.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(kept.read().body()).isEqualTo("extra");
                t.engine().reload(TestEngine.yaml(returning("main again")));
                assertThat(t.engine().ports()).containsExactly(t.port());
                assertThatThrownBy(() -> new Socket("127.0.0.1", extra).close()).isInstanceOf(ConnectException.class);
                // the idle connection of the removed address is closed within the engine's tick (1 s)
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                kept.timeout(5_000);
                assertThat(kept.isClosedByServer()).isTrue();
                assertThat(System.nanoTime()).isLessThan(deadline);
            }
            try (RawClient c = t.raw()) {
                c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(c.read().body()).isEqualTo("main again");
            }
        }
    }

    @Test
    void aResponseInFlightOnARemovedAddressClosesItsConnection() throws Exception {
        int extra = freePort();
        CompletableFuture<Result> held = new CompletableFuture<>();
        CountDownLatch waiting = new CountDownLatch(1);
        String both = """
                servers:
                  - locations:
                      - location: /
                        return: "200 main"
                  - listen: ["127.0.0.1:%d"]
                    locations:
                      - location: /
                        return: "200 extra"
                """.formatted(extra);
        try (TestEngine t = TestEngine.start(both, b -> b.handler(Phase.POST_READ, ex -> {
            if (ex.request().args().equals("hold")) {
                waiting.countDown();
                return Result.pending(held);
            }
            return Result.DECLINED;
        })); RawClient c = new RawClient(extra)) {
            c.send("GET /?hold HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
            t.engine().reload(TestEngine.yaml(returning("main only")));
            held.complete(Result.DECLINED);
            RawClient.Response r = c.read();
            assertThat(r.body()).isEqualTo("extra");
            assertThat(r.header("Connection")).as("its address is gone: the response is the connection's last")
                    .isEqualTo("close");
            assertThat(c.timeout(5_000).isClosedByServer()).isTrue();
        }
    }

    @Test
    void aPlainConnectionIsNotServedWhatAReloadMadeATlsServers() throws Exception {
        Path certs = TestCertificates.dir();
        String plain = """
                servers:
                  - listen: ["127.0.0.1:%d"]
                    locations:
                      - location: /
                        return: "200 plain"
                """;
        int port = freePort();
        try (TestEngine t = TestEngine.start(plain.formatted(port)); RawClient c = new RawClient(port)) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.read().body()).isEqualTo("plain");
            t.engine().reload(TestEngine.yaml("""
                    servers:
                      - listen: ["127.0.0.1:%d ssl"]
                        ssl-certificate: %s/a.test.crt
                        ssl-certificate-key: %s/a.test.key
                        locations:
                          - location: /
                            return: "200 secret"
                    """.formatted(port, certs, certs)));
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.body()).as("the plain connection stays on what it was accepted with").isEqualTo("plain");
            assertThat(r.header("Connection")).isEqualTo("close");
        }
    }

    @Test
    void aReloadWithNoServersIsRefusedAsAFileCaughtEmpty() throws Exception {
        try (TestEngine t = TestEngine.start(returning("old"))) {
            assertThatThrownBy(() -> t.engine().reload(Map.of())).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("engine.servers: the new configuration has no servers");
            assertThat(get(t).body()).isEqualTo("old");
        }
    }

    @Test
    void reloadsTriggeredTogetherReadAndApplyOneAfterTheOther() throws Exception {
        AtomicInteger reading = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger version = new AtomicInteger();
        try (TestEngine t = TestEngine.start(returning("v0"))) {
            t.engine().configSource(() -> {
                most.accumulateAndGet(reading.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(2);
                    return TestEngine.yaml(returning("v" + version.incrementAndGet()));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                } finally {
                    reading.decrementAndGet();
                }
            });
            List<Thread> triggers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Thread th = new Thread(() -> {
                    for (int n = 0; n < 5; n++) {
                        assertThat(t.engine().reload().applied()).isTrue();
                    }
                });
                th.start();
                triggers.add(th);
            }
            for (Thread th : triggers) {
                th.join(30_000);
            }
            assertThat(most.get()).as("reads at once").isEqualTo(1);
            assertThat(get(t).body()).as("the last read is the one serving").isEqualTo("v40");
            assertThat(t.engine().reloads().generation()).isEqualTo(41);
        }
    }

    @Test
    void pooledBackendConnectionsStayWithAnUnchangedUpstreamAndCloseWithAChangedOne() throws Exception {
        try (CountingBackend backend = new CountingBackend()) {
            String proxied = """
                    upstreams:
                      - name: app
                        servers: ["127.0.0.1:%d weight=%d"]
                    servers:
                      - locations:
                          - location: /p/
                            proxy-pass: http://app/
                            add-header: ["X-Generation %s"]
                    """;
            // one event loop: backend connections are pooled per event loop
            try (TestEngine t = TestEngine.start(proxied.formatted(backend.port(), 1, "a"), b -> b.ioThreads(1))) {
                assertThat(getPath(t, "/p/x").body()).isEqualTo("ok");
                t.engine().reload(TestEngine.yaml(proxied.formatted(backend.port(), 1, "b")));
                assertThat(getPath(t, "/p/x").header("X-Generation")).isEqualTo("b");
                assertThat(backend.accepted.get()).as("the pooled connection carried over").isEqualTo(1);
                t.engine().reload(TestEngine.yaml(proxied.formatted(backend.port(), 2, "c")));
                assertThat(getPath(t, "/p/x").header("X-Generation")).isEqualTo("c");
                assertThat(backend.accepted.get()).as("a changed upstream: a pool of its own").isEqualTo(2);
                // the old generation retires on the engine's tick (once a second) and closes the old pool
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (backend.closed.get() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(backend.closed.get()).as("the old upstream's idle connection closed").isEqualTo(1);
            }
        }
    }

    /** A keep-alive HTTP/1.1 backend answering "ok" that counts the connections it accepted and that were closed. */
    private static final class CountingBackend implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        CountingBackend() throws IOException {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        accepted.incrementAndGet();
                        new Thread(() -> serve(s)).start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve(Socket s) {
            try (s; var in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.ISO_8859_1))) {
                while (true) {
                    String line = in.readLine();
                    if (line == null) {
                        closed.incrementAndGet();
                        return;
                    }
                    while (line != null && !line.isEmpty()) {
                        line = in.readLine();
                    }
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.ISO_8859_1));
                }
            } catch (IOException e) {
                closed.incrementAndGet();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void anAddressThatCannotBeBoundRefusesTheReloadAndChangesNothing() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                TestEngine t = TestEngine.start(returning("old"))) {
            String clash = """
                    servers:
                      - locations:
                          - location: /
                            return: "200 new"
                      - listen: ["127.0.0.1:%d"]
                    """.formatted(taken.getLocalPort());
            assertThatThrownBy(() -> t.engine().reload(TestEngine.yaml(clash)))
                    .hasMessageContaining(Integer.toString(taken.getLocalPort()));
            assertThat(t.engine().reloads().generation()).isEqualTo(1);
            try (RawClient c = t.raw()) {
                c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(c.read().body()).isEqualTo("old");
            }
        }
    }

    @Test
    void aLimitZoneWhoseNameSizeAndKeyStayKeepsItsStateAndAChangedOneStartsAfresh() throws Exception {
        // no root: a request the limit lets through is the static module's 404
        String limited = """
                limit-req-zone: ["$remote_addr zone=one:%s rate=1r/m"]
                servers:
                  - locations:
                      - location: /
                        limit-req: ["zone=one"]
                        add-header: ["X-Generation %s always"]
                """;
        try (TestEngine t = TestEngine.start(limited.formatted("1m", "a"))) {
            assertThat(get(t).status()).isEqualTo(404);
            assertThat(get(t).status()).isEqualTo(503);
            t.engine().reload(TestEngine.yaml(limited.formatted("1m", "b")));
            RawClient.Response carried = get(t);
            assertThat(carried.header("X-Generation")).isEqualTo("b");
            assertThat(carried.status()).as("the zone's bucket carried over").isEqualTo(503);
            t.engine().reload(TestEngine.yaml(limited.formatted("2m", "c")));
            RawClient.Response fresh = get(t);
            assertThat(fresh.header("X-Generation")).isEqualTo("c");
            assertThat(fresh.status()).as("a zone of another size is a new zone").isEqualTo(404);
        }
    }

    private static RawClient.Response get(TestEngine t) {
        return getPath(t, "/");
    }

    private static RawClient.Response getPath(TestEngine t, String path) {
        try (RawClient c = t.raw()) {
            c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            return c.read();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
