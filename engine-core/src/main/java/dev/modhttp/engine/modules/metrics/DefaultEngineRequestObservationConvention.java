package dev.modhttp.engine.modules.metrics;

import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.http.HttpExchange;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import java.util.Locale;

/**
 * Spring Boot's {@code http.server.requests} convention for the engine's requests, so that the
 * timer and (with a tracer) the span carry the key values a Boot server's do.
 *
 * <p>Low cardinality (tags of the timer): {@code method}; {@code status} (the status logged, as
 * {@code $status}); {@code outcome} (SUCCESS, CLIENT_ERROR, ... by status class); {@code exception}
 * (the simple class name of what a handler threw, {@code none} otherwise); {@code uri} and
 * {@code location}: the pattern of the location that answered ({@code = /hi}, {@code /static/},
 * {@code ~* \.gif$}, {@code @named}), {@code NONE} for a request that never reached one (a
 * malformed request answered 400, a server with no locations), never the request's own URI, so
 * that the tag set stays as small as the configuration. High cardinality (span attributes only):
 * {@code http.url}, the request's URI as it came. The contextual name (the span's) is
 * {@code http get}, {@code http post}, ... as Boot names server spans.
 */
public class DefaultEngineRequestObservationConvention implements EngineRequestObservationConvention {

    /** The observation's name unless {@code management.observations.http.server.requests.name} gives another. */
    public static final String DEFAULT_NAME = "http.server.requests";

    private final String name;

    /** The convention under {@value #DEFAULT_NAME}. */
    public DefaultEngineRequestObservationConvention() {
        this(DEFAULT_NAME);
    }

    /** The convention under {@code name} (the timer's and the observation's name). */
    public DefaultEngineRequestObservationConvention(String name) {
        this.name = name;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getContextualName(EngineRequestObservationContext context) {
        return "http " + context.exchange().request().method().toLowerCase(Locale.ROOT);
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(EngineRequestObservationContext context) {
        return KeyValues.of(lowCardinality(context.exchange(), context.getError()));
    }

    /** The low-cardinality keys and values, in pairs: also the tags of the timer the module makes itself. */
    static String[] lowCardinality(HttpExchange exchange, Throwable error) {
        int status = exchange.response().status();
        String location = location(exchange);
        return new String[] {"method", exchange.request().method(), "status", Integer.toString(status),
                "outcome", MetricsModule.outcome(status), "exception", error == null ? "none" : error.getClass().getSimpleName(),
                "uri", location, "location", location};
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(EngineRequestObservationContext context) {
        return KeyValues.of(KeyValue.of("http.url", context.exchange().request().rawUri()));
    }

    /** The answering location's pattern; NONE for the server scope itself or no location at all. */
    static String location(HttpExchange exchange) {
        Location location = exchange.location();
        return location == null || location.kind() == Location.Kind.SERVER ? "NONE" : location.pattern();
    }
}
