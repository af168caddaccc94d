package dev.modhttp.boot;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.modules.actuator.ActuatorModule;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** With Actuator or Spring Boot's health support on the classpath: the engine's endpoints and health indicator. */
@AutoConfiguration(after = EngineAutoConfiguration.class)
@ConditionalOnBean(Engine.class)
public final class EngineActuatorAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class Endpoints {
        @Bean
        @ConditionalOnMissingBean
        EngineEndpoint engineEndpoint(Engine engine) {
            return new EngineEndpoint(engine);
        }

        @Bean
        @ConditionalOnMissingBean
        EngineLocationEndpoint engineLocationEndpoint(Engine engine) {
            return new EngineLocationEndpoint(engine);
        }

        /**
         * Serves the endpoints through the engine itself at locations with {@code actuator: on}
         * (the application need not be a servlet or reactive web app); {@code POST} to
         * {@code engine} reloads the configuration. Beans are looked up when
         * a request comes, since they depend on the engine this module is part of.
         */
        @Bean
        EngineCustomizer engineActuatorModule(ObjectProvider<EngineEndpoint> engine,
                ObjectProvider<EngineLocationEndpoint> location, ObjectProvider<EngineHealthIndicator> health) {
            return builder -> builder.module(new ActuatorModule(Map.of(
                    "engine", args -> engine.getObject().engine(),
                    "enginelocation", args -> args.apply("uri") == null ? null
                            : location.getObject().select(args.apply("uri"), args.apply("host")),
                    "health", args -> {
                        EngineHealthIndicator indicator = health.getIfAvailable();
                        if (indicator == null) {
                            return null;
                        }
                        var h = indicator.health(true);
                        return Map.of("status", h.getStatus().getCode(), "details", h.getDetails());
                    }), Map.of("engine", args -> engine.getObject().reload())));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    static class HealthIndicators {
        @Bean
        @ConditionalOnMissingBean(name = "engineHealthIndicator")
        EngineHealthIndicator engineHealthIndicator(Engine engine) {
            return new EngineHealthIndicator(engine);
        }
    }
}
