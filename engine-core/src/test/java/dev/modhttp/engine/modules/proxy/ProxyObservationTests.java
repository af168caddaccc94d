package dev.modhttp.engine.modules.proxy;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.modules.metrics.EngineRequestObservationContext;
import dev.modhttp.engine.modules.metrics.EngineUpstreamObservationContext;
import dev.modhttp.engine.modules.metrics.MetricsModule;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each attempt of the proxy at a backend is an {@code http.client.requests} observation, a child
 * of the request's, and what a tracer puts into its carrier reaches the backend.
 */
@Timeout(60)
class ProxyObservationTests {

    /** A refused port: nothing listens on it once the socket is closed. */
    static int refusedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** What happened to each attempt's observation after its start, by its context. */
    static final Map<Observation.Context, List<String>> SEEN = new ConcurrentHashMap<>();

    /** A permit per request observation stopped (at LOG, once the response's last byte left: after the client may read it). */
    static final Semaphore REQUESTS_STOPPED = new Semaphore(0);

    /** Registry whose sender handler does what a tracer's propagator does: puts a field per attempt into the carrier. */
    static TestObservationRegistry propagating(List<Observation.Context> attempts) {
        TestObservationRegistry observations = TestObservationRegistry.create();
        REQUESTS_STOPPED.drainPermits();
        observations.observationConfig().observationHandler(new ObservationHandler<EngineRequestObservationContext>() {
            @Override
            public void onStop(EngineRequestObservationContext context) {
                REQUESTS_STOPPED.release();
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof EngineRequestObservationContext;
            }
        });
        AtomicInteger n = new AtomicInteger();
        observations.observationConfig().observationHandler(new ObservationHandler<EngineUpstreamObservationContext>() {
            @Override
            public void onStart(EngineUpstreamObservationContext context) {
                attempts.add(context);
                context.getSetter().set(context.getCarrier(), "traceparent", "attempt-" + n.incrementAndGet());
            }

            @Override
            public void onEvent(Observation.Event event, EngineUpstreamObservationContext context) {
                SEEN.computeIfAbsent(context, k -> new CopyOnWriteArrayList<>()).add(event.getName());
            }

            @Override
            public void onStop(EngineUpstreamObservationContext context) {
                SEEN.computeIfAbsent(context, k -> new CopyOnWriteArrayList<>()).add("stopped");
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof EngineUpstreamObservationContext;
            }
        });
        return observations;
    }

    @Test
    void aFailedAttemptAndTheNextAreEachAChildObservationAndTheBackendGetsTheLastOnesField() throws Exception {
        List<Observation.Context> attempts = new CopyOnWriteArrayList<>();
        TestObservationRegistry observations = propagating(attempts);
        int dead = refusedPort();
        try (Backend b = new Backend("b"); TestEngine e = TestEngine.start("""
                upstreams: [{ name: api, servers: ["127.0.0.1:%d", "127.0.0.1:%d"], balance: round-robin }]
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://api
                """.formatted(dead, b.port()), x -> x.module(new MetricsModule(null, observations, null)));
                RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /echo?x=1 HTTP/1.1\r\nHost: h\r\n"
                    + "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"
                    + "b3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1\r\nX-B3-TraceId: 80f198ee56343ba8\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            // the client's own trace context (W3C and B3) is replaced by the attempt's, once
            assertThat(r.body()).contains("traceparent: attempt-2\n").doesNotContain("attempt-1").doesNotContain("0af765")
                    .doesNotContain("80f198ee");

            assertThat(REQUESTS_STOPPED.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            // Micrometer tells handlers of a stop in the reverse of their order: the registry's own
            // handler, which marks the observation stopped, may run just after the one above
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    assertThat(observations).hasNumberOfObservationsEqualTo(3)
                            .hasNumberOfObservationsWithNameEqualTo("http.client.requests", 2)
                            .hasObservationWithNameEqualTo("http.server.requests").that()
                            .hasLowCardinalityKeyValue("status", "200").hasBeenStopped();
                    break;
                } catch (AssertionError notYet) {
                    if (System.nanoTime() - deadline > 0) {
                        throw notYet;
                    }
                    Thread.sleep(10);
                }
            }
            assertThat(attempts).hasSize(2).allSatisfy(context -> {
                assertThat(context.getParentObservation().getContextView())
                        .isInstanceOf(EngineRequestObservationContext.class);
                assertThat(context.getLowCardinalityKeyValue("client.name").getValue()).isEqualTo("api");
                assertThat(context.getLowCardinalityKeyValue("method").getValue()).isEqualTo("GET");
            });
            Observation.Context refused = attempts.get(0);
            assertThat(refused.getLowCardinalityKeyValue("status").getValue()).isEqualTo("502");
            assertThat(refused.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("SERVER_ERROR");
            assertThat(refused.getLowCardinalityKeyValue("exception").getValue()).isEqualTo("IOException");
            assertThat(refused.getError()).hasMessageStartingWith("connect() failed").hasMessageContaining("Connection refused").hasMessageEndingWith("while connecting to upstream");
            assertThat(refused.getHighCardinalityKeyValue("http.url").getValue())
                    .isEqualTo("http://127.0.0.1:" + dead + "/echo?x=1");
            Observation.Context answered = attempts.get(1);
            assertThat(answered.getLowCardinalityKeyValue("status").getValue()).isEqualTo("200");
            assertThat(answered.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("SUCCESS");
            assertThat(answered.getLowCardinalityKeyValue("exception").getValue()).isEqualTo("none");
            assertThat(answered.getHighCardinalityKeyValue("http.url").getValue())
                    .isEqualTo("http://127.0.0.1:" + b.port() + "/echo?x=1");
            assertThat(SEEN.get(refused)).containsExactly("stopped");
            assertThat(SEEN.get(answered)).containsExactly("connected", "response head", "stopped");
        }
    }

    @Test
    void anAttemptLeftForTheNextPeerOnItsStatusEndsWithThatStatus() throws Exception {
        List<Observation.Context> attempts = new CopyOnWriteArrayList<>();
        TestObservationRegistry observations = propagating(attempts);
        try (Backend one = new Backend("one"); Backend two = new Backend("two"); TestEngine e = TestEngine.start("""
                upstreams: [{ name: api, servers: ["127.0.0.1:%d", "127.0.0.1:%d"] }]
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://api
                        proxy-next-upstream: [error, http_503]
                """.formatted(one.port(), two.port()), x -> x.module(new MetricsModule(null, observations, null)));
                RawClient c = e.raw()) {
            assertThat(c.send("GET /status/503 HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(503);
            assertThat(REQUESTS_STOPPED.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            assertThat(attempts).hasSize(2).allSatisfy(context ->
                    assertThat(context.getLowCardinalityKeyValue("status").getValue()).isEqualTo("503"));
            assertThat(attempts).allSatisfy(context -> assertThat(SEEN.get(context)).endsWith("stopped"));
            assertThat(observations).hasNumberOfObservationsEqualTo(3).forAllObservationsWithNameEqualTo(
                    "http.client.requests", o -> o.hasLowCardinalityKeyValue("outcome", "SERVER_ERROR"));
        }
    }

    @Test
    void withoutAnObservedRequestNothingIsAddedToTheBackendsRequest() throws Exception {
        try (Backend b = new Backend("b"); TestEngine e = TestEngine.start("""
                servers:
                  - listen: ["127.0.0.1:0"]
                    locations:
                      - location: /
                        proxy-pass: http://127.0.0.1:%d
                """.formatted(b.port())); RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /echo HTTP/1.1\r\nHost: h\r\ntraceparent: as-sent\r\nb3: as-sent\r\n\r\n")
                    .read();
            assertThat(r.body()).contains("traceparent: as-sent\n").contains("b3: as-sent\n");
        }
    }
}
