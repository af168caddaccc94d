package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.ConnectionInfo;
import dev.modhttp.engine.module.EngineInfo;
import dev.modhttp.engine.module.EngineStatus;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** lighttpd's hooks fired at fixed points of the connection state machine, and the stub_status counts. */
@Timeout(30)
class HookTests {

    static final String YAML = """
            servers:
              - listen: ["127.0.0.1:0"]
                locations:
                  - location: /
                    return: "200 ok"
                  - location: /slow
            """;

    /** Records every connection hook with the connection state it was fired in. */
    static final class Recorder implements Hook {
        final List<String> events = new CopyOnWriteArrayList<>();
        private volatile ConnectionInfo connection;

        @Override
        public HookResult connectionAccept(ConnectionInfo c) {
            connection = c;
            events.add("connectionAccept:" + c.state());
            return HookResult.GO_ON;
        }

        @Override
        public HookResult uriRaw(HttpExchange ex) {
            events.add("uriRaw:" + ex.request().rawUri() + ":" + connection.state());
            return HookResult.GO_ON;
        }

        @Override
        public HookResult uriClean(HttpExchange ex) {
            events.add("uriClean:" + ex.request().uri());
            return HookResult.GO_ON;
        }

        @Override
        public HookResult responseStart(HttpExchange ex) {
            events.add("responseStart:" + ex.response().status() + ":" + connection.state());
            return HookResult.GO_ON;
        }

        @Override
        public HookResult requestDone(HttpExchange ex) {
            events.add("requestDone:" + connection.state());
            return HookResult.GO_ON;
        }

        @Override
        public HookResult requestReset(HttpExchange ex) {
            events.add("requestReset");
            return HookResult.GO_ON;
        }

        @Override
        public HookResult connectionClose(ConnectionInfo c) {
            events.add("connectionClose:" + c.requests());
            return HookResult.GO_ON;
        }
    }

    @Test
    void connectionHooksFireAtTheirStatesInOrder() throws Exception {
        Recorder rec = new Recorder();
        try (TestEngine e = TestEngine.start(YAML, b -> b.hook(rec))) {
            try (RawClient c = e.raw()) {
                c.send("GET /a/../b%20c?q HTTP/1.1\r\nHost: a\r\n\r\n").read();
                c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read();
                assertThat(c.isClosedByServer()).isTrue();
            }
            waitFor(() -> rec.events.stream().anyMatch(s -> s.startsWith("connectionClose")));
            assertThat(rec.events).containsExactly(
                    "connectionAccept:CONNECT",
                    "uriRaw:/a/../b%20c?q:HANDLE_REQUEST", "uriClean:/b c",
                    "responseStart:200:RESPONSE_START", "requestDone:RESPONSE_END", "requestReset",
                    "uriRaw:/:HANDLE_REQUEST", "uriClean:/",
                    "responseStart:200:RESPONSE_START", "requestDone:RESPONSE_END", "requestReset",
                    "connectionClose:2");
        }
    }

    @Test
    void theFirstHookThatDoesNotGoOnStopsTheWalk() {
        List<String> seen = new CopyOnWriteArrayList<>();
        Hook first = new Hook() {
            @Override
            public HookResult uriClean(HttpExchange ex) {
                seen.add("first");
                return ex.request().uri().startsWith("/blocked") ? HookResult.finished(403) : HookResult.GO_ON;
            }
        };
        Hook second = new Hook() {
            @Override
            public HookResult uriClean(HttpExchange ex) {
                seen.add("second");
                return ex.request().uri().startsWith("/broken") ? HookResult.ERROR : HookResult.GO_ON;
            }
        };
        try (TestEngine e = TestEngine.start(YAML, b -> b.hook(first).hook(second))) {
            assertThat(e.http().get("/blocked").statusCode()).isEqualTo(403);
            assertThat(seen).containsExactly("first");
            assertThat(e.http().get("/broken").statusCode()).isEqualTo(500);
            assertThat(e.http().get("/fine").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aConnectionAcceptHookCanRefuseTheConnection() {
        try (TestEngine e = TestEngine.start(YAML, b -> b.hook(new Hook() {
            @Override
            public HookResult connectionAccept(ConnectionInfo c) {
                return HookResult.ERROR;
            }
        })); RawClient c = e.raw()) {
            assertThat(c.isClosedByServer()).isTrue();
        }
    }

    @Test
    void serverHooksInitSetDefaultsTriggerReloadCleanup() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger triggers = new AtomicInteger();
        Hook hook = new Hook() {
            @Override
            public HookResult init(EngineInfo engine) {
                seen.add("init");
                return HookResult.GO_ON;
            }

            @Override
            public HookResult setDefaults(EngineInfo engine) {
                seen.add("setDefaults");
                return HookResult.GO_ON;
            }

            @Override
            public HookResult trigger(EngineInfo engine) {
                triggers.incrementAndGet();
                return HookResult.GO_ON;
            }

            @Override
            public HookResult reload(EngineInfo engine) {
                seen.add("reload");
                return HookResult.GO_ON;
            }

            @Override
            public HookResult cleanup(EngineInfo engine) {
                seen.add("cleanup");
                return HookResult.GO_ON;
            }
        };
        Engine engine = Engine.builder().config(TestEngine.yaml(YAML)).hook(hook).build();
        assertThat(seen).containsExactly("init", "setDefaults");
        long started = System.nanoTime();
        engine.start();
        waitFor(() -> triggers.get() >= 2);
        assertThat((System.nanoTime() - started) / 1_000_000).as("once a second, not faster").isGreaterThanOrEqualTo(1900);
        engine.reload();
        engine.stop(Duration.ofSeconds(1));
        // a reload compiles a second generation (its init and setDefaults), then fires its reload hooks;
        // each generation is cleaned up once: the first when it retires, the second at the stop
        assertThat(seen).containsExactly("init", "setDefaults", "init", "setDefaults", "reload", "cleanup", "cleanup");
    }

    @Test
    void sighupFiresTheReloadHooksWhenEnabled() throws Exception {
        AtomicInteger reloads = new AtomicInteger();
        Hook hook = new Hook() {
            @Override
            public HookResult reload(EngineInfo engine) {
                reloads.incrementAndGet();
                return HookResult.GO_ON;
            }
        };
        Engine engine = Engine.builder().config(TestEngine.yaml(YAML)).hook(hook).reloadOnSighup(true).build().start();
        try {
            new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            waitFor(() -> reloads.get() == 1);
        } finally {
            engine.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void stubStatusCountsFollowTheConnectionStates() throws Exception {
        CompletableFuture<Result> gate = new CompletableFuture<>();
        try (TestEngine e = TestEngine.start(YAML, b -> b.handler(new HandlerDefinition(Phase.CONTENT, 0, "slow",
                ex -> Result.pending(gate), false, l -> l.name().equals("/slow"))))) {
            Engine engine = e.engine();
            try (RawClient idle = e.raw(); RawClient reading = e.raw(); RawClient writing = e.raw()) {
                idle.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
                reading.send("GET / HTTP/1.1\r\nHost: a\r\n");
                writing.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
                waitFor(() -> engine.status().writing() == 1 && engine.status().reading() == 1);
                EngineStatus s = engine.status();
                assertThat(s.active()).isEqualTo(3);
                assertThat(s.accepted()).isEqualTo(3);
                assertThat(s.handled()).isEqualTo(3);
                assertThat(s.requests()).isEqualTo(2);
                assertThat(s.reading()).isEqualTo(1);
                assertThat(s.writing()).isEqualTo(1);
                assertThat(s.waiting()).isEqualTo(1);
                gate.complete(Result.status(204));
                assertThat(writing.read().status()).isEqualTo(204);
                waitFor(() -> engine.status().writing() == 0);
                assertThat(engine.status().waiting()).isEqualTo(2);
            }
            waitFor(() -> engine.status().active() == 0);
            assertThat(engine.status().requests()).isEqualTo(2);
        }
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(10);
        }
    }
}
