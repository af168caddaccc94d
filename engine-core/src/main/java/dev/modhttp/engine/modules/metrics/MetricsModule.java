package dev.modhttp.engine.modules.metrics;

import dev.modhttp.engine.phase.Order;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.EngineInfo;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
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
import java.util.concurrent.TimeUnit;
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
 * Needs {@code micrometer-core} on the classpath; the starter adds it when a
 * {@code MeterRegistry} bean exists.
 */
public final class MetricsModule implements Module {

    private final MeterRegistry registry;

    public MetricsModule(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void register(ModuleRegistry modules) {
        modules.handler(Phase.LOG, this::record).name("metrics").order(Order.FIRST);
        modules.hook(new Hook() {
            @Override
            public HookResult init(EngineInfo engine) {
                gauge(engine, "active", e -> e.status().active());
                gauge(engine, "reading", e -> e.status().reading());
                gauge(engine, "writing", e -> e.status().writing());
                gauge(engine, "waiting", e -> e.status().waiting());
                FunctionCounter.builder("engine.connections.refused", engine, e -> e.status().accepted() - e.status().handled())
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

    private void gauge(EngineInfo engine, String state, ToDoubleFunction<EngineInfo> value) {
        Gauge.builder("engine.connections", engine, value).tag("state", state)
                .description("Client connections by state, as nginx's stub_status counts them")
                .register(registry);
    }

    private Result record(HttpExchange exchange) {
        int status = exchange.response().status();
        Location location = exchange.location();
        Timer.builder("http.server.requests")
                .tags(Tags.of("method", exchange.request().method(), "status", Integer.toString(status),
                        "outcome", outcome(status),
                        "location", location.kind() == Location.Kind.SERVER ? "NONE" : location.pattern()))
                .register(registry)
                .record(System.nanoTime() - exchange.startNanos(), TimeUnit.NANOSECONDS);
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
