package dev.modhttp.boot;

import dev.modhttp.engine.Engine;
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
