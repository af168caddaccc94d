package dev.modhttp.engine.modules.metrics;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import java.util.Locale;

/**
 * Boot's {@code http.client.requests} convention for the proxy's attempts at backends: low
 * cardinality {@code method}, {@code uri} ({@code none}: a proxied target has no template),
 * {@code status} (the backend's, 502 or 504 when none came, {@code UNKNOWN} when the client left
 * first), {@code outcome}, {@code client.name} (the upstream's name, or {@code host:port}) and
 * {@code exception}; high cardinality {@code http.url}. A global convention registered on the
 * {@code ObservationRegistry} for {@link EngineUpstreamObservationContext} replaces it.
 */
public class DefaultEngineUpstreamObservationConvention implements ObservationConvention<EngineUpstreamObservationContext> {

    /** The observation's name, and so the timer's. */
    public static final String DEFAULT_NAME = "http.client.requests";

    @Override
    public String getName() {
        return DEFAULT_NAME;
    }

    @Override
    public String getContextualName(EngineUpstreamObservationContext context) {
        return "http " + context.method().toLowerCase(Locale.ROOT);
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(EngineUpstreamObservationContext context) {
        int status = context.status();
        Throwable error = context.getError();
        return KeyValues.of("method", context.method(), "uri", "none",
                "status", status == 0 ? "UNKNOWN" : Integer.toString(status),
                "outcome", status == 0 ? "UNKNOWN" : MetricsModule.outcome(status),
                "client.name", context.upstream(), "exception", error == null ? "none" : error.getClass().getSimpleName());
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(EngineUpstreamObservationContext context) {
        return KeyValues.of(KeyValue.of("http.url", context.url()));
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof EngineUpstreamObservationContext;
    }
}
