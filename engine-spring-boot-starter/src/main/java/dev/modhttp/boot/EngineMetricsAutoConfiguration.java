package dev.modhttp.boot;

import dev.modhttp.engine.modules.metrics.MetricsModule;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * With Micrometer on the classpath and a {@code MeterRegistry} bean, adds the engine's
 * metrics module: {@code http.server.requests} tagged by location and connection gauges.
 */
@AutoConfiguration(before = EngineAutoConfiguration.class)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnProperty(prefix = "engine", name = "enabled", havingValue = "true", matchIfMissing = true)
public final class EngineMetricsAutoConfiguration {

    @Bean
    EngineCustomizer engineMetricsCustomizer(ObjectProvider<MeterRegistry> registry) {
        return builder -> registry.ifAvailable(r -> builder.module(new MetricsModule(r)));
    }
}
