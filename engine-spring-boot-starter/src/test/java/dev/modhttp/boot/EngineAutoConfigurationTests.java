package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Conditions, back-off and how beans become the pipeline, without starting the engine. */
class EngineAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EngineAutoConfiguration.class))
            .withPropertyValues("engine.servers[0].listen[0]=127.0.0.1:0",
                    "engine.servers[0].locations[0].location=/",
                    "engine.servers[0].locations[1].location=/greet",
                    "engine.servers[0].locations[1].greeting.text=hello");

    record Greeting(String text) {
    }

    static final ConfigSpec<Greeting> GREETING = ConfigSpec.block("greeting", Greeting.class)
            .scopes(Scope.LOCATION).build();

    /** A module declaring the greeting record, registering what {@code registration} does. */
    static Module greeting(java.util.function.Consumer<ModuleRegistry> registration) {
        return new Module() {
            @Override
            public List<ConfigSpec<?>> configs() {
                return List.of(GREETING);
            }

            @Override
            public void register(ModuleRegistry registry) {
                registration.accept(registry);
            }
        };
    }

    @Configuration(proxyBeanMethods = false)
    static class Handlers {
        @Bean
        Module greetingModule() {
            return greeting(registry -> { });
        }

        @Bean
        @PhaseHandler(phase = Phase.ACCESS, order = 5)
        Handler tokenCheck() {
            return ex -> Result.OK;
        }

        @Bean
        GreetingHandlers greetingHandlers() {
            return new GreetingHandlers();
        }
    }

    static class GreetingHandlers {
        @PhaseHandler(phase = Phase.CONTENT)
        Result greet(HttpExchange exchange, Request request, Greeting greeting) {
            exchange.response().body(greeting.text() + " " + request.uri());
            return Result.OK;
        }

        @PhaseHandler(phase = Phase.LOG, blocking = false)
        Result log(Request request) {
            return Result.OK;
        }
    }

    @Test
    void beansAndMethodsBecomeHandlersOnlyWhereTheirRecordIsConfigured() {
        runner.withUserConfiguration(Handlers.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Engine.class).hasSingleBean(EngineLifecycle.class);
            var pipelines = context.getBean(Engine.class).pipelines();
            assertThat(pipelines.get("servers[0].locations[1] /greet"))
                    .contains("ACCESS tokenCheck (order 5)", "CONTENT greetingHandlers.greet (order 0)",
                            "LOG greetingHandlers.log (order 0)");
            assertThat(pipelines.get("servers[0].locations[0] /"))
                    .contains("ACCESS tokenCheck (order 5)")
                    .noneMatch(step -> step.contains("greet "));
        });
    }

    @Test
    void engineEnabledFalseBacksOffAndAUserEngineWins() {
        runner.withPropertyValues("engine.enabled=false").run(context ->
                assertThat(context).doesNotHaveBean(Engine.class).doesNotHaveBean(EngineLifecycle.class));
        Engine mine = Engine.builder().defaultListen("127.0.0.1:0").build(); // started by the context: never 8080
        runner.withBean(Engine.class, () -> mine).run(context ->
                assertThat(context.getBean(Engine.class)).isSameAs(mine));
    }

    @Configuration(proxyBeanMethods = false)
    static class WrongPhase {
        @Bean
        @PhaseHandler(phase = Phase.POST_ACCESS)
        Handler misplaced() {
            return ex -> Result.OK;
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class UnknownRecord {
        @Bean
        Object needsUnknown() {
            return new Object() {
                @PhaseHandler(phase = Phase.CONTENT)
                Result handle(Greeting greeting) {
                    return Result.OK;
                }
            };
        }
    }

    @Test
    void misplacedHandlersAndUnknownRecordsFailStartupNamingTheBean() {
        ApplicationContextRunner runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EngineAutoConfiguration.class));
        runner.withUserConfiguration(WrongPhase.class).run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("'misplaced'").hasMessageContaining("POST_ACCESS"));
        runner.withUserConfiguration(UnknownRecord.class).run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("needsUnknown")
                .hasMessageContaining("which no module declares"));
    }

    @Configuration(proxyBeanMethods = false)
    static class TwoContentHandlers {
        @Bean
        Module greetingModule() {
            return greeting(registry -> registry.contentHandler(GREETING, ex -> Result.OK).name("greet"));
        }

        @Bean
        Module rivalModule() {
            return registry -> registry.contentHandler(GREETING, ex -> Result.OK).name("greet-too");
        }
    }

    @Test
    void twoContentHandlersForOneLocationFailStartupNamingTheBeans() {
        runner.withUserConfiguration(TwoContentHandlers.class).run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("claimed by two content handlers")
                .hasMessageContaining("'greetingModule/greet'").hasMessageContaining("'rivalModule/greet-too'"));
    }

    @Test
    void aBadPropertyFailsWithItsFullName() {
        runner.withPropertyValues("engine.servers[0].locations[0].client-max-body-size=lots").run(context -> {
            assertThat(context).hasFailed();
            Throwable t = context.getStartupFailure();
            while (t != null && !(t instanceof EngineConfigurationException)) {
                t = t.getCause();
            }
            assertThat(t).isInstanceOf(EngineConfigurationException.class);
            EngineConfigurationException e = (EngineConfigurationException) t;
            assertThat(e.property()).isEqualTo("engine.servers[0].locations[0].client-max-body-size");
            assertThat(e.reason()).startsWith("'lots' is not a size");
        });
    }
}
