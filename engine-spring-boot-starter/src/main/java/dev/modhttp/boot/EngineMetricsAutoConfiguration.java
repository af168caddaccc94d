package dev.modhttp.boot;

import dev.modhttp.engine.modules.metrics.DefaultEngineRequestObservationConvention;
import dev.modhttp.engine.modules.metrics.EngineRequestObservationConvention;
import dev.modhttp.engine.modules.metrics.MetricsModule;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * With Micrometer on the classpath, adds the engine's metrics module when a {@code MeterRegistry}
 * or an {@code ObservationRegistry} bean exists (Actuator makes both).
 *
 * <ul>
 *   <li>With an {@code ObservationRegistry}, each request is an observation under Boot's
 *       {@code http.server.requests} convention ({@code management.observations.http.server.requests.name}
 *       renames it; {@code management.observations.key-values.*} and
 *       {@code management.observations.enable.*} apply as they do to Boot's own servers); the
 *       registry's meter handler makes the timer and, with micrometer-tracing and a bridge, a span
 *       per request continues the request's {@code traceparent} (or B3). An
 *       {@link EngineRequestObservationConvention} bean replaces the convention.</li>
 *   <li>Without one, the module times {@code http.server.requests} itself in the {@code MeterRegistry}.</li>
 *   <li>Either way: connection gauges and the engine's counters in the {@code MeterRegistry},
 *       and the variables {@code $trace_id} and {@code $span_id}.</li>
 * </ul>
 */
@AutoConfiguration(before = EngineAutoConfiguration.class)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnProperty(prefix = "engine", name = "enabled", havingValue = "true", matchIfMissing = true)
public final class EngineMetricsAutoConfiguration {

    /** Boot's property naming its servers' request observations (and so the timer). */
    static final String NAME_PROPERTY = "management.observations.http.server.requests.name";

    @Bean
    EngineCustomizer engineMetricsCustomizer(ObjectProvider<MeterRegistry> meters,
            ObjectProvider<ObservationRegistry> observations, ObjectProvider<EngineRequestObservationConvention> convention,
            Environment environment) {
        return builder -> {
            builder.module(new TraceVariables());
            MeterRegistry m = meters.getIfAvailable();
            ObservationRegistry o = observations.getIfAvailable();
            if (m != null || o != null) {
                String name = environment.getProperty(NAME_PROPERTY, DefaultEngineRequestObservationConvention.DEFAULT_NAME);
                builder.module(new MetricsModule(m, o,
                        convention.getIfAvailable(() -> new DefaultEngineRequestObservationConvention(name))));
            }
        };
    }
}
