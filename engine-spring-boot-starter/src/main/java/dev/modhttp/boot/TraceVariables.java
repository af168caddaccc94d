package dev.modhttp.boot;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.modules.metrics.MetricsModule;
import dev.modhttp.engine.variable.Variable;
import io.micrometer.observation.Observation;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import java.util.Map;
import org.springframework.util.ClassUtils;

/**
 * {@code $trace_id} and {@code $span_id}: the trace id and the id of the request's own span (a
 * child of the span its {@code traceparent} or B3 fields name), in the tracer's hex form, for the
 * access log and for headers ({@code add-header: ["X-Trace-Id $trace_id"]}). Not found ({@code -}
 * in a log) without micrometer-tracing and a tracer bridge, or when requests are not observed.
 */
final class TraceVariables implements Module {

    private static final boolean TRACING =
            ClassUtils.isPresent("io.micrometer.tracing.handler.TracingObservationHandler", null);

    @Override
    public Map<String, Variable> variables() {
        return Map.of("trace_id", e -> TRACING ? Spans.id(e, true) : null,
                "span_id", e -> TRACING ? Spans.id(e, false) : null);
    }

    @Override
    public void register(ModuleRegistry registry) {
        // variables only
    }

    /** Reads the tracer's span from the observation; linked only when micrometer-tracing is there. */
    private static final class Spans {

        static String id(HttpExchange exchange, boolean trace) {
            Observation observation = MetricsModule.observation(exchange);
            if (observation == null) {
                return null;
            }
            TracingObservationHandler.TracingContext t =
                    observation.getContext().get(TracingObservationHandler.TracingContext.class);
            Span span = t == null ? null : t.getSpan();
            if (span == null) {
                return null;
            }
            return trace ? span.context().traceId() : span.context().spanId();
        }
    }
}
