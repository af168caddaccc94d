package dev.modhttp.engine.modules;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.modules.metrics.DefaultEngineRequestObservationConvention;
import dev.modhttp.engine.modules.metrics.EngineRequestObservationContext;
import dev.modhttp.engine.modules.metrics.MetricsModule;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.test.MemoryAppender;
import dev.modhttp.engine.test.RawClient;
import dev.modhttp.engine.test.TestEngine;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The metrics module with an ObservationRegistry: one observation per request, Boot's http.server.requests keys. */
@Timeout(30)
class MetricsObservationTests {

    static final String YAML = """
            servers:
              - listen: ["127.0.0.1:0"]
                locations:
                  - location: "~ ^/users/\\\\d+$"
                    return: "200 user"
                  - location: /dir/
                    index: [missing.html]
                    error-page: ["404 @fallback"]
                  - location: "@fallback"
                    return: "200 fallback"
                  - location: /seen
            """;

    @Test
    void eachRequestIsOneObservationKeyedByItsLocationAndTheRequestHeadersAreTheCarrier() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        List<String> carried = new CopyOnWriteArrayList<>();
        observations.observationConfig().observationHandler(new ObservationHandler<EngineRequestObservationContext>() {
            @Override
            public void onStart(EngineRequestObservationContext context) {
                // what a tracer's propagating handler does with the carrier: read traceparent
                carried.add(String.valueOf(context.getGetter().get(context.getCarrier(), "traceparent")));
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof EngineRequestObservationContext;
            }
        });
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (TestEngine e = TestEngine.start(YAML, b -> b.module(new MetricsModule(meters, observations, null)));
                RawClient c = e.raw()) {
            c.send("GET /users/7?x=1 HTTP/1.1\r\nHost: h\r\ntraceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n\r\n")
                    .read();
            assertThat(observations).hasNumberOfObservationsEqualTo(1)
                    .hasSingleObservationThat()
                    .hasNameEqualTo("http.server.requests")
                    .hasContextualNameEqualTo("http get")
                    .hasBeenStarted().hasBeenStopped()
                    .hasLowCardinalityKeyValue("method", "GET")
                    .hasLowCardinalityKeyValue("status", "200")
                    .hasLowCardinalityKeyValue("outcome", "SUCCESS")
                    .hasLowCardinalityKeyValue("exception", "none")
                    .hasLowCardinalityKeyValue("uri", "~ ^/users/\\d+$")
                    .hasLowCardinalityKeyValue("location", "~ ^/users/\\d+$")
                    .hasHighCardinalityKeyValue("http.url", "/users/7?x=1");
            assertThat(carried).containsExactly("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            // the module times nothing itself: the registry's handlers make the timer (none here)
            assertThat(meters.find("http.server.requests").timer()).isNull();
        }
    }

    @Test
    void anInternallyRedirectedRequestIsObservedOnceWithTheLocationThatAnswered() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        try (TestEngine e = TestEngine.start(YAML, b -> b.module(new MetricsModule(null, observations, null)));
                RawClient c = e.raw()) {
            RawClient.Response r = c.send("GET /dir/ HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).isEqualTo("fallback");
            assertThat(observations).hasNumberOfObservationsEqualTo(1)
                    .hasSingleObservationThat()
                    .hasLowCardinalityKeyValue("location", "@fallback")
                    .hasLowCardinalityKeyValue("status", "404"); // error-page without "=": the status stays, as nginx's
        }
    }

    @Test
    void aMalformedRequestIsObservedAsItsStatusWithNoLocation() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        try (TestEngine e = TestEngine.start(YAML, b -> b.module(new MetricsModule(null, observations, null)));
                RawClient c = e.raw()) {
            assertThat(c.send("GET /a b c HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(400);
            assertThat(observations).hasSingleObservationThat()
                    .hasLowCardinalityKeyValue("status", "400")
                    .hasLowCardinalityKeyValue("location", "NONE")
                    .hasBeenStopped();
        }
    }

    @Test
    void observationsTheRegistryTurnsOffCostNothingAndFailNothing() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        // as management.observations.enable.http.server.requests=false does: every observation a no-op
        observations.observationConfig().observationPredicate((name, context) -> false);
        MemoryAppender.clear();
        try (TestEngine e = TestEngine.start(YAML, b -> b.module(new MetricsModule(null, observations, null)));
                RawClient c = e.raw()) {
            for (int i = 0; i < 3; i++) {
                assertThat(c.send("GET /users/1 HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
            }
            assertThat(observations).doesNotHaveAnyObservation();
        }
        assertThat(MemoryAppender.lines()).noneMatch(l -> l.contains("metrics failed"));
    }

    @Test
    void aConventionOfTheApplicationNamesAndKeysTheObservations() {
        TestObservationRegistry observations = TestObservationRegistry.create();
        DefaultEngineRequestObservationConvention custom = new DefaultEngineRequestObservationConvention("edge.requests") {
            @Override
            public KeyValues getLowCardinalityKeyValues(EngineRequestObservationContext context) {
                return super.getLowCardinalityKeyValues(context)
                        .and(KeyValue.of("tenant", String.valueOf(context.exchange().request().header("X-Tenant"))));
            }
        };
        try (TestEngine e = TestEngine.start(YAML, b -> b.module(new MetricsModule(null, observations, custom))
                .handler(Phase.CONTENT, ex -> {
                    ex.response().body("seen");
                    return Result.OK;
                })); RawClient c = e.raw()) {
            c.send("GET /seen HTTP/1.1\r\nHost: h\r\nX-Tenant: acme\r\n\r\n").read();
            assertThat(observations).hasSingleObservationThat()
                    .hasNameEqualTo("edge.requests")
                    .hasLowCardinalityKeyValue("tenant", "acme")
                    .hasLowCardinalityKeyValue("location", "/seen");
        }
    }
}
