package dev.modhttp.engine.modules.metrics;

import dev.modhttp.engine.phase.Order;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.EngineInfo;
import dev.modhttp.engine.module.EngineStatus;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.module.UpstreamObserver;
import dev.modhttp.engine.modules.limit.LimitConnModule;
import dev.modhttp.engine.modules.limit.LimitReqModule;
import dev.modhttp.engine.modules.proxy.PeerView;
import dev.modhttp.engine.modules.proxy.ProxyModule;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer metrics: an {@code http.server.requests} timer per request, tagged
 * {@code method}, {@code status}, {@code outcome} and {@code location} (the selected
 * location's pattern, never the raw URI, so the tag set stays small), and connection gauges
 * {@code engine.connections} (active, reading, writing, waiting) from the stub_status counts,
 * the counters {@code engine.connections.refused} (accepted beyond {@code worker-connections} and
 * closed, nginx's accepts minus handled) and {@code engine.tls.handshakes.failed},
 * {@code engine.reloads} tagged {@code result} (applied, refused) and the gauge
 * {@code engine.config.generation},
 * {@code engine.limit.requests} tagged {@code limit} (req, conn) and {@code status} (PASSED,
 * DELAYED, REJECTED, ... as {@code $limit_req_status} and {@code $limit_conn_status} say), and per
 * upstream peer ({@code upstream}, {@code peer} tags) the counters {@code engine.upstream.requests}
 * and {@code engine.upstream.failures} and the gauge {@code engine.upstream.active}.
 *
 * <p>With an {@link ObservationRegistry}, each request is a Micrometer {@link Observation}
 * instead ({@link EngineRequestObservationContext}, named and keyed by an
 * {@link EngineRequestObservationConvention}, Boot's {@code http.server.requests} by default):
 * started when the request head has been read (POST_READ), stopped in LOG. The registry's
 * handlers then make the timer (Boot registers a meter handler) and, with a tracer, a span per
 * request whose parent is the request's {@code traceparent} (or B3) fields. An internal redirect
 * keeps the observation: a request is observed once. Each attempt of the proxy at a backend is an
 * {@code http.client.requests} observation, its child ({@link EngineUpstreamObservationContext},
 * {@link DefaultEngineUpstreamObservationConvention}), whose span a tracer passes to the backend
 * in the attempt's {@code traceparent} (or B3) field, with the events {@code connected} and
 * {@code response head}.
 *
 * <p>Needs {@code micrometer-core} on the classpath; the starter adds the module when a
 * {@code MeterRegistry} or an {@code ObservationRegistry} bean exists.
 */
public final class MetricsModule implements Module, UpstreamObserver {

    /** The request's {@link Observation}: started in POST_READ, stopped first thing in LOG. */
    private static final Object OBSERVATION = new HttpExchange.KeptKey() { };

    /** Null without a meter registry: no gauges, counters or timers of the module's own. */
    private final MeterRegistry registry;
    /** Null without an observation registry: the module times requests itself. */
    private final ObservationRegistry observations;
    private final EngineRequestObservationConvention convention;
    private static final DefaultEngineRequestObservationConvention DEFAULT = new DefaultEngineRequestObservationConvention();
    private static final DefaultEngineUpstreamObservationConvention UPSTREAM = new DefaultEngineUpstreamObservationConvention();

    /** Timers, gauges and counters in {@code registry}; no observations. */
    public MetricsModule(MeterRegistry registry) {
        this(registry, null, null);
    }

    /**
     * Requests observed in {@code observations} (when not null) with {@code convention} (null for
     * {@link DefaultEngineRequestObservationConvention}); gauges and counters in {@code registry}
     * (when not null).
     */
    public MetricsModule(MeterRegistry registry, ObservationRegistry observations,
            EngineRequestObservationConvention convention) {
        this.registry = registry;
        this.observations = observations;
        this.convention = convention;
    }

    /**
     * The request's observation: running from POST_READ, stopped at the start of LOG (its
     * context, a tracer's span in it, stays readable); null when requests are not observed or
     * before POST_READ.
     */
    public static Observation observation(HttpExchange exchange) {
        return (Observation) exchange.attribute(OBSERVATION);
    }

    @Override
    public void register(ModuleRegistry modules) {
        modules.handler(Phase.LOG, this::record).name("metrics").order(Order.FIRST);
        if (observations != null) {
            modules.handler(Phase.POST_READ, this::observe).name("metrics").order(Order.FIRST);
        }
        if (registry == null) {
            return;
        }
        modules.hook(new Hook() {
            @Override
            public HookResult init(EngineInfo engine) {
                gauge(engine, "active", e -> e.status().active());
                gauge(engine, "reading", e -> e.status().reading());
                gauge(engine, "writing", e -> e.status().writing());
                gauge(engine, "waiting", e -> e.status().waiting());
                FunctionCounter.builder("engine.connections.refused", engine, MetricsModule::refused)
                        .description("Connections accepted and closed at once because worker-connections were all taken")
                        .register(registry);
                FunctionCounter.builder("engine.tls.handshakes.failed", engine, e -> e.status().tlsHandshakesFailed())
                        .description("TLS handshakes that failed: garbage on a TLS port, no protocol or cipher in common")
                        .register(registry);
                FunctionCounter.builder("engine.reloads", engine, e -> e.reloads().applied()).tag("result", "applied")
                        .description("Configuration reloads").register(registry);
                FunctionCounter.builder("engine.reloads", engine, e -> e.reloads().refused()).tag("result", "refused")
                        .description("Configuration reloads").register(registry);
                Gauge.builder("engine.config.generation", engine, e -> e.reloads().generation())
                        .description("The configuration generation serving: 1 at start, one more per applied reload")
                        .register(registry);
                // each generation's init: a reload's new upstream peers get their meters (known ones keep theirs)
                engine.module(ProxyModule.class).ifPresent(proxy -> peers(engine, proxy));
                return HookResult.GO_ON;
            }
        });
    }

    /**
     * Counters and a gauge per upstream peer the configuration has, read at each scrape from the
     * proxy module of the generation serving then.
     */
    private void peers(EngineInfo engine, ProxyModule proxy) {
        for (PeerView p : proxy.peers()) {
            Tags tags = Tags.of("upstream", p.upstream(), "peer", p.address());
            FunctionCounter.builder("engine.upstream.requests", engine, e -> find(e, p).requests()).tags(tags)
                    .description("Requests sent to an upstream peer (each attempt)").register(registry);
            FunctionCounter.builder("engine.upstream.failures", engine, e -> find(e, p).failures()).tags(tags)
                    .description("Attempts at an upstream peer that failed: refused, reset, timed out, invalid")
                    .register(registry);
            Gauge.builder("engine.upstream.active", engine, e -> find(e, p).active()).tags(tags)
                    .description("Requests an upstream peer is serving now").register(registry);
        }
    }

    /** The peer as it is now; as it was last seen when it is gone (resolved away, or a reload removed it). */
    private static PeerView find(EngineInfo engine, PeerView p) {
        PeerView now = engine.module(ProxyModule.class).map(m -> m.peer(p.upstream(), p.address())).orElse(null);
        return now != null ? now : p;
    }

    /**
     * Connections refused beyond worker-connections, from one snapshot of the counts: two
     * snapshots would see a connection accepted between them and make the counter negative.
     */
    private static double refused(EngineInfo engine) {
        EngineStatus s = engine.status();
        return s.accepted() - s.handled();
    }

    private void gauge(EngineInfo engine, String state, ToDoubleFunction<EngineInfo> value) {
        Gauge.builder("engine.connections", engine, value).tag("state", state)
                .description("Client connections by state, as nginx's stub_status counts them")
                .register(registry);
    }

    private Result observe(HttpExchange exchange) {
        if (exchange.attribute(OBSERVATION) == null) {
            exchange.attribute(OBSERVATION, start(exchange));
        }
        return Result.DECLINED;
    }

    private Observation start(HttpExchange exchange) {
        return Observation.createNotStarted(convention, DEFAULT, () -> new EngineRequestObservationContext(exchange),
                observations).start();
    }

    /** An attempt at a backend, observed as a child of the request's observation; null when requests are not observed. */
    @Override
    public UpstreamObserver.Call start(HttpExchange exchange, String upstream, String method, String url,
            BiConsumer<String, String> fields) {
        Observation request = observations == null ? null : observation(exchange);
        if (request == null) {
            return null;
        }
        EngineUpstreamObservationContext context = new EngineUpstreamObservationContext(fields, upstream, method, url);
        Observation attempt = Observation.createNotStarted(null, UPSTREAM, () -> context, observations)
                .parentObservation(request).start();
        return new UpstreamObserver.Call() {
            @Override
            public void event(String name) {
                attempt.event(Observation.Event.of(name));
            }

            @Override
            public void end(int status, String failure) {
                context.setResponse(status);
                if (failure != null) {
                    attempt.error(new IOException(failure));
                }
                attempt.stop();
            }
        };
    }

    private Result record(HttpExchange exchange) {
        if (observations != null) {
            Observation observation = observation(exchange);
            if (observation == null) {
                observation = start(exchange); // answered before POST_READ: a malformed request's 400
            }
            exchange.attribute(OBSERVATION, observation); // stopped, its context stays readable in LOG ($trace_id)
            if (observation.getContext() instanceof EngineRequestObservationContext context) {
                context.setResponse(exchange); // not when the registry turned it off: a no-op, with a context of its own
            }
            observation.stop();
        }
        if (registry == null) {
            return Result.OK;
        }
        if (observations == null) {
            Timer.builder(DefaultEngineRequestObservationConvention.DEFAULT_NAME)
                    .tags(DefaultEngineRequestObservationConvention.lowCardinality(exchange, null))
                    .register(registry)
                    .record(System.nanoTime() - exchange.startNanos(), TimeUnit.NANOSECONDS);
        }
        count(exchange, LimitReqModule.STATUS, "req");
        count(exchange, LimitConnModule.STATUS, "conn");
        return Result.OK;
    }

    /** {@code engine.limit.requests}: requests a limit looked at, by limit and outcome ($limit_req_status). */
    private void count(HttpExchange exchange, Object attribute, String limit) {
        Object status = exchange.attribute(attribute);
        if (status != null) {
            registry.counter("engine.limit.requests", "limit", limit, "status", status.toString()).increment();
        }
    }

    static String outcome(int status) {
        if (status < 200) {
            return "INFORMATIONAL";
        }
        if (status < 300) {
            return "SUCCESS";
        }
        if (status < 400) {
            return "REDIRECTION";
        }
        return status < 500 ? "CLIENT_ERROR" : status < 600 ? "SERVER_ERROR" : "UNKNOWN";
    }
}
