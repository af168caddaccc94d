package dev.modhttp.engine.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.EngineException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The phase engine as a user observes it: checker semantics, results, order, async and blocking handlers, LOG. */
@Timeout(30)
class PhaseTests {

    /** A handler that records its name into the X-Trace response header and returns a fixed result. */
    static Handler trace(String name, Result result) {
        return ex -> {
            String t = ex.response().headers().get("X-Trace");
            ex.response().header("X-Trace", t == null ? name : t + "," + name);
            return result;
        };
    }

    static HandlerDefinition at(Phase phase, int order, String name, Handler h, String location) {
        Predicate<dev.modhttp.engine.config.Location> where = location == null ? null
                : l -> l.name().equals(location);
        return new HandlerDefinition(phase, order, name, h, false, where);
    }

    static final Handler CONTENT_OK = ex -> {
        ex.response().body("content");
        return Result.OK;
    };

    static String servers(String locations) {
        return "servers:\n  - listen: [\"127.0.0.1:0\"]\n    locations:\n" + locations.indent(6);
    }

    @Test
    void okMovesToTheNextPhaseAndDeclinedToTheNextHandler() {
        try (TestEngine e = TestEngine.start(servers("- location: /"), b -> b
                .handler(at(Phase.PREACCESS, 0, "a", trace("a", Result.DECLINED), null))
                .handler(at(Phase.PREACCESS, 1, "b", trace("b", Result.OK), null))
                .handler(at(Phase.PREACCESS, 2, "c-skipped", trace("c", Result.OK), null))
                .handler(at(Phase.PRECONTENT, 0, "d", trace("d", Result.OK), null))
                .handler(at(Phase.CONTENT, 0, "content", CONTENT_OK, null)))) {
            HttpResponse<String> r = e.http().get("/");
            assertThat(r.headers().firstValue("X-Trace")).hasValue("a,b,d");
            assertThat(r.body()).isEqualTo("content");
        }
    }

    @Test
    void orderWithinAPhaseIsOrderThenRegistration() {
        try (TestEngine e = TestEngine.start(servers("- location: /"), b -> b
                .handler(at(Phase.REWRITE, 5, "late", trace("late", Result.DECLINED), null))
                .handler(at(Phase.REWRITE, -1, "early", trace("early", Result.DECLINED), null))
                .handler(at(Phase.REWRITE, 5, "late2", trace("late2", Result.DECLINED), null))
                .handler(at(Phase.POST_READ, 0, "first", trace("first", Result.OK), null))
                .handler(at(Phase.CONTENT, 0, "content", CONTENT_OK, null)))) {
            assertThat(e.http().get("/").headers().firstValue("X-Trace")).hasValue("first,early,late,late2");
            assertThat(e.engine().pipelines().get("servers[0].locations[0] /"))
                    .containsSubsequence("REWRITE early (order -1)", "REWRITE late (order 5)", "REWRITE late2 (order 5)");
        }
    }

    @Test
    void statusesFinishThroughErrorPagesDoneSkipsToLogAndErrorIs500() {
        try (TestEngine e = TestEngine.start(servers("""
                - location: /status
                - location: /done
                - location: /error
                - location: /throws
                """), b -> b
                .handler(at(Phase.REWRITE, 0, "s", trace("s", Result.status(429)), "/status"))
                .handler(at(Phase.PREACCESS, 0, "d", ex -> {
                    ex.response().status(202).body("done early");
                    return Result.DONE;
                }, "/done"))
                .handler(at(Phase.ACCESS, 0, "e", trace("e", Result.ERROR), "/error"))
                .handler(at(Phase.PRECONTENT, 0, "t", ex -> {
                    throw new IllegalStateException("secret detail");
                }, "/throws"))
                .handler(at(Phase.CONTENT, 0, "content", trace("content", Result.OK), null)))) {
            HttpResponse<String> s = e.http().get("/status");
            assertThat(s.statusCode()).isEqualTo(429);
            assertThat(s.body()).contains("429 Too Many Requests");
            assertThat(s.headers().firstValue("X-Trace")).hasValue("s");
            HttpResponse<String> d = e.http().get("/done");
            assertThat(d.statusCode()).isEqualTo(202);
            assertThat(d.body()).isEqualTo("done early");
            assertThat(e.http().get("/error").statusCode()).isEqualTo(500);
            MemoryAppender.clear();
            HttpResponse<String> t = e.http().get("/throws");
            assertThat(t.statusCode()).isEqualTo(500);
            assertThat(t.body()).doesNotContain("secret detail").doesNotContain("IllegalStateException");
            assertThat(MemoryAppender.lines()).anyMatch(l -> l.contains("handler t failed") && l.contains("IllegalStateException"));
        }
    }

    @Test
    void satisfyAllNeedsEveryAccessHandlerAndAnyNeedsOne() {
        String yaml = servers("""
                - location: /all
                - location: /any
                  satisfy: any
                - location: /any-denied
                  satisfy: any
                - location: /any-unauthorized
                  satisfy: any
                """);
        try (TestEngine e = TestEngine.start(yaml, b -> b
                .handler(at(Phase.ACCESS, 0, "deny", trace("deny", Result.status(403)), null))
                .handler(new HandlerDefinition(Phase.ACCESS, 1, "allow", trace("allow", Result.OK), false,
                        l -> !l.name().startsWith("/any-")))
                .handler(new HandlerDefinition(Phase.ACCESS, 2, "auth", trace("auth", Result.status(401)), false,
                        l -> l.name().equals("/any-unauthorized")))
                .handler(at(Phase.CONTENT, 0, "content", CONTENT_OK, null)))) {
            HttpResponse<String> all = e.http().get("/all");
            assertThat(all.statusCode()).isEqualTo(403);
            assertThat(all.headers().firstValue("X-Trace")).hasValue("deny");
            HttpResponse<String> any = e.http().get("/any");
            assertThat(any.statusCode()).isEqualTo(200);
            assertThat(any.headers().firstValue("X-Trace")).hasValue("deny,allow");
            assertThat(e.http().get("/any-denied").statusCode()).isEqualTo(403);
            // with satisfy any, a 401 wins over a 403 so that the client can still authenticate
            assertThat(e.http().get("/any-unauthorized").statusCode()).isEqualTo(401);
        }
    }

    record Hello(String text) {
    }

    static final ConfigSpec<Hello> HELLO = ConfigSpec.block("hello", Hello.class).scopes(Scope.LOCATION).build();

    static Module helloModule(AtomicInteger declines) {
        return new Module() {
            @Override
            public List<ConfigSpec<?>> configs() {
                return List.of(HELLO);
            }

            @Override
            public void register(ModuleRegistry r) {
                r.contentHandler(HELLO, ex -> {
                    String text = ex.config(HELLO).text();
                    if (text.equals("decline")) {
                        declines.incrementAndGet();
                        return Result.DECLINED;
                    }
                    ex.response().body(text);
                    return Result.OK;
                });
            }
        };
    }

    @Test
    void aLocationContentHandlerReplacesTheContentPhaseHandlersAndDeclinedFallsBackToThem() {
        AtomicInteger declines = new AtomicInteger();
        try (TestEngine e = TestEngine.start(servers("""
                - location: /hello
                  hello: { text: "from hello" }
                  locations:
                    - location: /hello/nested
                - location: /decline
                  hello: { text: decline }
                - location: /plain
                - location: /dir/
                """), b -> b.module(helloModule(declines))
                .handler(new HandlerDefinition(Phase.CONTENT, 0, "phase-content", CONTENT_OK, false,
                        l -> !l.name().startsWith("/dir"))))) {
            assertThat(e.http().get("/hello").body()).isEqualTo("from hello");
            assertThat(e.http().get("/hello/nested").body()).as("inherited").isEqualTo("from hello");
            assertThat(e.http().get("/decline").body()).isEqualTo("content");
            assertThat(declines.get()).isEqualTo(1);
            assertThat(e.http().get("/plain").body()).isEqualTo("content");
            // no content handler at all: as nginx's static handler over a root holding nothing there
            assertThat(e.http().get("/dir/x").statusCode()).isEqualTo(404);
            assertThat(e.http().get("/dir/").statusCode()).isEqualTo(404);
            assertThat(e.raw().send("OPTIONS /dir/x HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(405);
            assertThat(e.http().get("/nowhere-at-all").body()).as("no location: the server scope's handlers serve it")
                    .isEqualTo("content");
        }
    }

    @Test
    void twoContentHandlersForOneLocationFailStartup() {
        assertThatThrownBy(() -> Engine.builder().config(TestEngine.yaml(servers("""
                - location: /x
                  hello: { text: a }
                """))).module(helloModule(new AtomicInteger()))
                .contentHandler(HELLO, "other", ex -> Result.OK).build())
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("claimed by two content handlers: 'hello' and 'other'");
    }

    @Test
    void handlersInTheEnginesOwnPhasesAreRefusedByName() {
        for (Phase p : new Phase[] {Phase.FIND_CONFIG, Phase.POST_REWRITE, Phase.POST_ACCESS}) {
            assertThatThrownBy(() -> Engine.builder()
                    .handler(new HandlerDefinition(p, 0, "myHandlerBean", ex -> Result.OK, false, null)).build())
                    .isInstanceOf(EngineException.class)
                    .hasMessageContaining("'myHandlerBean'").hasMessageContaining(p.name());
        }
    }

    @Test
    void pendingResultsResumeOnTheEventLoopAndBlockingHandlersRunOffIt() {
        Map<String, Boolean> onLoop = new ConcurrentHashMap<>();
        try (TestEngine e = TestEngine.start(servers("""
                - location: /async
                - location: /blocking
                """), b -> b
                .handler(at(Phase.ACCESS, 0, "async", ex -> Result.pending(CompletableFuture.supplyAsync(() -> {
                    onLoop.put("async-completion", ex.eventLoop().inEventLoop());
                    return Result.OK;
                }, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS))), "/async"))
                .handler(new HandlerDefinition(Phase.ACCESS, 0, "blocking", ex -> {
                    onLoop.put("blocking", ex.eventLoop().inEventLoop());
                    Thread.sleep(100); // may block: it is not on the event loop
                    return Result.OK;
                }, true, l -> l.name().equals("/blocking")))
                .handler(at(Phase.CONTENT, 0, "content", ex -> {
                    onLoop.put("content" + ex.request().uri(), ex.eventLoop().inEventLoop());
                    ex.response().body(ex.request().uri());
                    return Result.OK;
                }, null)))) {
            assertThat(e.http().get("/async").body()).isEqualTo("/async");
            assertThat(e.http().get("/blocking").body()).isEqualTo("/blocking");
            assertThat(onLoop).containsEntry("async-completion", false).containsEntry("blocking", false)
                    .containsEntry("content/async", true).containsEntry("content/blocking", true);
        }
    }

    @Test
    void blockingHandlersRunOnVirtualThreadsWhereTheJvmHasThem() {
        Map<String, Boolean> virtual = new ConcurrentHashMap<>();
        try (TestEngine e = TestEngine.start(servers("- location: /"), b -> b
                .handler(new HandlerDefinition(Phase.CONTENT, 0, "blocking", ex -> {
                    virtual.put("virtual", Thread.currentThread().toString().startsWith("VirtualThread"));
                    ex.response().body("ok");
                    return Result.OK;
                }, true, null)))) {
            assertThat(e.http().get("/").body()).isEqualTo("ok");
            boolean expected = Runtime.version().feature() >= 21;
            assertThat(e.engine().blockingOnVirtualThreads()).isEqualTo(expected);
            assertThat(virtual).containsEntry("virtual", expected);
        }
    }

    @Test
    void aFullBlockingExecutorAnswers503() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (TestEngine e = TestEngine.start(servers("- location: /"), b -> b.blockingLimit(1)
                .handler(new HandlerDefinition(Phase.CONTENT, 0, "blocking", ex -> {
                    release.get(5, TimeUnit.SECONDS);
                    ex.response().body("ok");
                    return Result.OK;
                }, true, null)))) {
            try (RawClient first = e.raw(); RawClient second = e.raw()) {
                first.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                Thread.sleep(200);
                assertThat(second.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(503);
                release.complete(null);
                assertThat(first.read().body()).isEqualTo("ok");
            }
        }
    }

    @Test
    void aFailedPendingResultIs500() {
        try (TestEngine e = TestEngine.start(servers("- location: /"), b -> b
                .handler(at(Phase.CONTENT, 0, "fails", ex -> Result.pending(
                        CompletableFuture.failedFuture(new RuntimeException("backend down"))), null)))) {
            HttpResponse<String> r = e.http().get("/");
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.body()).doesNotContain("backend down");
        }
    }

    @Test
    void aUriChangedInRewriteSelectsTheLocationAgainAndMoreThanTenChangesAre500() {
        try (TestEngine e = TestEngine.start(servers("""
                - location: /old
                - location: /new
                  return: "200 new"
                - location: /loop
                """), b -> b
                .handler(at(Phase.REWRITE, 0, "to-new", ex -> {
                    ex.request().setUri("/new", "");
                    return Result.DECLINED;
                }, "/old"))
                .handler(at(Phase.REWRITE, 0, "loop", ex -> {
                    ex.request().setUri(ex.request().uri() + "x", "");
                    return Result.DECLINED;
                }, "/loop")))) {
            assertThat(e.http().get("/old").body()).isEqualTo("new");
            MemoryAppender.clear();
            assertThat(e.http().get("/loop").statusCode()).isEqualTo(500);
            assertThat(MemoryAppender.lines()).anyMatch(l -> l.contains("rewrite or internal redirection cycle"));
        }
    }

    @Test
    void namedLocationsAreReachableOnlyByInternalRedirect() {
        try (TestEngine e = TestEngine.start(servers("""
                - location: /go
                - location: "@named"
                  return: "200 named"
                """), b -> b.handler(at(Phase.CONTENT, 0, "redirect",
                ex -> Result.internalRedirect("@named", ""), "/go")))) {
            assertThat(e.http().get("/go").body()).isEqualTo("named");
            assertThat(e.http().get("/@named").statusCode()).isEqualTo(404);
            try (RawClient c = e.raw()) {
                assertThat(c.send("GET @named HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(400);
            }
        }
    }

    @Test
    void logRunsExactlyOnceForEveryParsedRequestWhateverHappened() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        try (TestEngine e = TestEngine.start(servers("""
                - location: /ok
                  return: "200 ok"
                - location: /denied
                - location: /redirected
                  error-page: ["404 /ok"]
                - location: /upload
                """), b -> b
                .handler(at(Phase.ACCESS, 0, "deny", ex -> Result.status(403), "/denied"))
                .handler(at(Phase.CONTENT, 0, "reads-body", CONTENT_OK, "/upload")) // READ_BODY runs first
                .handler(HandlerDefinition.of(Phase.LOG, ex -> {
                    log.add(ex.request().rawUri() + " " + ex.response().status());
                    return Result.OK;
                })))) {
            e.http().get("/ok");
            e.http().get("/denied");
            e.http().get("/missing");
            e.http().get("/redirected");
            try (RawClient c = e.raw()) {
                c.send("GET /bad HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n").read();
            }
            try (RawClient c = e.raw()) {
                c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab").timeout(200);
                c.isClosedByServer(); // client goes away mid-body
            }
            for (int i = 0; i < 50 && log.size() < 6; i++) {
                Thread.sleep(20);
            }
            assertThat(log).containsExactlyInAnyOrder("/ok 200", "/denied 403", "/missing 404",
                    "/redirected 404", // error_page keeps the original status
                    "/bad 400", "/upload 400"); // nginx's "client prematurely closed connection" mid-body
        }
    }
}
