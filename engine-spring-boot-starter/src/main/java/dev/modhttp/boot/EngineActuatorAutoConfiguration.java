package dev.modhttp.boot;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.modules.actuator.ActuatorModule;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointWebExtension;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointProperties;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.health.registry.ReactiveHealthContributorRegistry;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** With Actuator or Spring Boot's health support on the classpath: the engine's endpoints and health indicator. */
@AutoConfiguration(after = EngineAutoConfiguration.class,
        afterName = "org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration")
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
         * (the application need not be a servlet or reactive web app). With Actuator's
         * auto-configuration, all the web endpoints Boot exposes ({@link ActuatorEndpoints}, at
         * the locations {@link ManagementServer} adds); with spring-boot-actuator alone, the
         * engine's own ({@code engine}, {@code enginelocation}, {@code health} of the engine). A
         * {@code POST} to {@code engine} reloads the configuration. Beans are looked up when a
         * request comes, since they depend on the engine this module is part of.
         */
        @Bean
        EngineCustomizer engineActuatorModule(ObjectProvider<EngineEndpoint> engine,
                ObjectProvider<EngineLocationEndpoint> location, ObjectProvider<EngineHealthIndicator> health,
                ApplicationContext context, Environment environment) {
            if (ManagementServer.ACTUATOR) { // Actuator's auto-configuration: all its web endpoints, by its rules
                boolean separate = ManagementServer.separate(environment);
                WebServerNamespace namespace = separate ? WebServerNamespace.MANAGEMENT : WebServerNamespace.SERVER;
                return builder -> builder.module(new ActuatorModule(new ActuatorEndpoints(context, environment, namespace)));
            }
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

    /**
     * The health endpoint's web extension, which Boot makes only for a servlet application:
     * without it the endpoint answers as over JMX, with every component's details. With it,
     * {@code management.endpoint.health.show-details}/{@code show-components} (default never)
     * and the groups apply to the engine's requests as to Boot's servers'.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.boot.health.actuate.endpoint.HealthEndpointWebExtension",
            "org.springframework.boot.actuate.autoconfigure.endpoint.expose.IncludeExcludeEndpointFilter"})
    static class HealthWebExtension {
        @Bean
        @ConditionalOnBean(HealthEndpoint.class)
        @ConditionalOnMissingBean
        HealthEndpointWebExtension healthEndpointWebExtension(HealthContributorRegistry registry,
                ObjectProvider<ReactiveHealthContributorRegistry> reactive, HealthEndpointGroups groups,
                HealthEndpointProperties properties) {
            return new HealthEndpointWebExtension(registry, reactive.getIfAvailable(), groups,
                    properties.getLogging().getSlowIndicatorThreshold());
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
