package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.filter.HeaderFilter;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/** Filters and hooks ordered by @Order, the customizer applied last, placeholders and profiles in engine.* keys. */
@Timeout(60)
class EngineBeansTests {

    static final List<String> hookCalls = new CopyOnWriteArrayList<>();

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        @Order(2)
        HeaderFilter second() {
            return (ex, next) -> {
                ex.response().header("X-Filters", ex.response().headers().get("X-Filters") + ",second");
                next.next(ex);
            };
        }

        @Bean
        @Order(1)
        HeaderFilter first() {
            return (ex, next) -> {
                ex.response().header("X-Filters", "first");
                next.next(ex);
            };
        }

        @Bean
        @Order(2)
        Hook laterHook() {
            return new Hook() {
                @Override
                public HookResult uriClean(HttpExchange ex) {
                    hookCalls.add("later");
                    return HookResult.GO_ON;
                }
            };
        }

        @Bean
        @Order(1)
        Hook earlierHook() {
            return new Hook() {
                @Override
                public HookResult uriClean(HttpExchange ex) {
                    hookCalls.add("earlier");
                    return HookResult.GO_ON;
                }
            };
        }

        @Bean
        EngineCustomizer customizer() {
            // applied after the beans: a filter it adds runs after theirs (order 100)
            return builder -> builder.headerFilter(100, (ex, next) -> {
                ex.response().header("X-Customized", ex.response().headers().get("X-Filters"));
                next.next(ex);
            });
        }

        @Bean
        @PhaseHandler(phase = Phase.CONTENT)
        Handler content() {
            return ex -> {
                ex.response().body("content");
                return Result.OK;
            };
        }
    }

    static ConfigurableApplicationContext run(String... args) {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        return app.run(args);
    }

    static HttpResponse<String> get(ConfigurableApplicationContext context, String path) throws Exception {
        int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void filtersAndHooksRunInOrderAndTheCustomizerComesLast() throws Exception {
        hookCalls.clear();
        try (ConfigurableApplicationContext context = run("--server.port=0",
                "--engine.servers[0].locations[0].location=/")) {
            HttpResponse<String> r = get(context, "/x");
            assertThat(r.headers().firstValue("X-Filters")).hasValue("first,second");
            assertThat(r.headers().firstValue("X-Customized")).hasValue("first,second");
            assertThat(hookCalls).containsExactly("earlier", "later");
        }
    }

    @Test
    void engineKeysTakePlaceholdersAndProfileSpecificValues() throws Exception {
        try (ConfigurableApplicationContext context = run("--server.port=0", "--greeting=hello from a placeholder",
                "--engine.servers[0].locations[0].location=/",
                "--engine.servers[0].locations[0].return=200 ${greeting}")) {
            assertThat(get(context, "/").body()).isEqualTo("hello from a placeholder");
        }
        try (ConfigurableApplicationContext context = run("--server.port=0", "--spring.profiles.active=loud",
                "--spring.config.location=classpath:profiles-engine.yml")) {
            assertThat(get(context, "/").body()).isEqualTo("LOUD");
        }
    }

    @Test
    void theCommandLineChangesOneLocationOfTheYamlsAndKeepsTheRest() throws Exception {
        try (ConfigurableApplicationContext context = run("--server.port=0",
                "--spring.config.location=classpath:profiles-engine.yml",
                "--engine.servers[0].locations[0].return=200 from the command line",
                "--engine.servers[0].locations[1].location=/second",
                "--engine.servers[0].locations[1].return=200 second")) {
            assertThat(get(context, "/").body()).isEqualTo("from the command line");
            assertThat(get(context, "/second").body()).isEqualTo("second");
        }
    }
}
