package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Timeout(60)
class EngineMetricsTests {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        MeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }
    }

    @Test
    void withAMeterRegistryRequestsAreTimedAndConnectionsGauged() throws Exception {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = app.run("--server.port=0",
                "--engine.servers[0].locations[0].location=/api/", "--engine.servers[0].locations[0].return=204")) {
            int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/1"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("http.server.requests").tag("location", "/api/").tag("status", "204")
                    .tag("outcome", "SUCCESS").tag("method", "GET").timer().count()).isEqualTo(1);
            assertThat(registry.get("engine.connections").tag("state", "active").gauge()).isNotNull();
        }
    }

    static MeterRegistry afterOneRequest(String... properties) throws Exception {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--engine.servers[0].locations[0].location=/api/",
                "--engine.servers[0].locations[0].return=204"));
        args.addAll(List.of(properties));
        try (ConfigurableApplicationContext context = app.run(args.toArray(String[]::new))) {
            int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/1"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            return context.getBean(MeterRegistry.class);
        }
    }

    @Test
    void managementObservationsPropertiesApplyAsToBootsServers() throws Exception {
        MeterRegistry renamed = afterOneRequest("--management.observations.http.server.requests.name=edge.requests",
                "--management.observations.key-values.region=eu");
        assertThat(renamed.get("edge.requests").tag("region", "eu").tag("location", "/api/").tag("status", "204")
                .timer().count()).isEqualTo(1);
        assertThat(renamed.find("http.server.requests").timer()).isNull();

        MeterRegistry off = afterOneRequest("--management.observations.enable.http.server.requests=false");
        assertThat(off.find("http.server.requests").timer()).as("observations turned off: no timer").isNull();
        assertThat(off.find("engine.connections").gauge()).as("the engine's gauges stay").isNotNull();
    }

    @Test
    void withoutAMeterRegistryOrAnObservationRegistryNothingIsAdded() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EngineMetricsAutoConfiguration.class, EngineAutoConfiguration.class))
                .withPropertyValues("engine.servers[0].listen[0]=127.0.0.1:0", "engine.servers[0].locations[0].location=/")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(MeterRegistry.class);
                    assertThat(context.getBean(dev.modhttp.engine.Engine.class).pipelines().get("servers[0].locations[0] /"))
                            .noneMatch(step -> step.contains("metrics"));
                });
    }
}
