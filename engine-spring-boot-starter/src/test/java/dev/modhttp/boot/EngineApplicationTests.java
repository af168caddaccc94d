package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** A real application: the engine on port 0, a real client, the published port, failures and a graceful stop. */
@Timeout(60)
@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
class EngineApplicationTests {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        static final CompletableFuture<Void> release = new CompletableFuture<>();

        @Bean
        AsyncHandlers asyncHandlers() {
            return new AsyncHandlers();
        }

        @Bean
        @PhaseHandler(phase = Phase.CONTENT)
        Handler content() {
            return ex -> {
                if (ex.request().uri().equals("/slow")) {
                    return Result.pending(release.thenApply(v -> {
                        ex.response().body("finished");
                        return Result.OK;
                    }));
                }
                ex.response().body("from a bean");
                return Result.OK;
            };
        }
    }

    static class AsyncHandlers {
        /** A method may answer later: its CompletionStage becomes a pending result. */
        @PhaseHandler(phase = Phase.ACCESS)
        java.util.concurrent.CompletionStage<Result> later(dev.modhttp.engine.http.Request request) {
            return CompletableFuture.supplyAsync(() -> request.uri().startsWith("/forbidden")
                    ? Result.status(403) : Result.OK, CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
        }
    }

    static ConfigurableApplicationContext run(String... args) {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        return app.run(args);
    }

    @Test
    void servesOnTheServerPortAndPublishesTheBoundPort(org.springframework.boot.test.system.CapturedOutput output)
            throws Exception {
        try (ConfigurableApplicationContext context = run("--server.port=0",
                "--engine.servers[0].locations[0].location=/", "--engine.servers[0].server-names[0]=app.test")) {
            int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
            assertThat(context.getEnvironment().getProperty("local.engine.port", Integer.class)).isEqualTo(port);
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).timeout(Duration.ofSeconds(5))
                            .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("from a bean");
            HttpResponse<String> forbidden = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/forbidden")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(forbidden.statusCode()).as("answered by the CompletionStage method").isEqualTo(403);
            assertThat(output.getOut()).containsOnlyOnce("Engine started on port(s) [" + port + "]");
        }
    }

    @Test
    void anUnknownKeyFailsStartupNamingThePropertyFileAndLine() {
        Throwable failure = catchThrowable(() -> run("--spring.config.location=classpath:bad-engine.yml"));
        FailureAnalysis analysis = new EngineFailureAnalyzers.BadConfiguration().analyze(failure);
        assertThat(analysis.getDescription())
                .contains("Property: engine.servers[0].locations[0].clent-max-body-size")
                .contains("Origin: class path resource [bad-engine.yml]").contains("6:32")
                .contains("unknown key (did you mean 'client-max-body-size'?)");
    }

    @Test
    void aPortInUseFailsWithSpringBootsMessage() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Throwable failure = catchThrowable(() -> run("--engine.servers[0].listen[0]=127.0.0.1:" + taken.getLocalPort()));
            FailureAnalysis analysis = new EngineFailureAnalyzers.PortInUse().analyze(failure);
            assertThat(analysis.getDescription())
                    .isEqualTo("Web server failed to start. Port " + taken.getLocalPort() + " was already in use.");
        }
    }

    /** Stands for Spring Boot's servlet or reactive web server context, found by the interface's name. */
    interface WebServerApplicationContext {
    }

    static final class WebContext extends org.springframework.context.annotation.AnnotationConfigApplicationContext
            implements WebServerApplicationContext {
    }

    @Test
    void besideSpringBootsOwnWebServerTheEngineRefusesToShareServerPort() {
        SpringApplication app = new SpringApplication(App.class);
        app.setApplicationContextFactory(type -> new WebContext());
        Throwable failure = catchThrowable(() -> app.run("--server.port=0", "--engine.servers[0].locations[0].location=/"));
        FailureAnalysis analysis = new EngineFailureAnalyzers.InvalidRegistration().analyze(failure);
        assertThat(analysis.getDescription()).contains("also runs Spring Boot's own embedded web server")
                .contains("spring-boot-starter-web");
        try (ConfigurableApplicationContext both = app.run("--server.port=0",
                "--engine.servers[0].listen[0]=127.0.0.1:0", "--engine.servers[0].locations[0].location=/")) {
            assertThat(both.isRunning()).as("every engine server has its own listen: both may run").isTrue();
        }
    }

    @Test
    void noConfiguredServerIsWarnedAbout(org.springframework.boot.test.system.CapturedOutput output) {
        try (ConfigurableApplicationContext context = run("--server.port=0", "--engin.servers[0].locations[0].location=/")) {
            assertThat(output.getOut()).contains("No engine.servers are configured");
        }
    }

    @Test
    void closingTheContextLetsRequestsInFlightFinish() throws Exception {
        ConfigurableApplicationContext context = run("--server.port=0", "--engine.servers[0].locations[0].location=/");
        int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10000);
            OutputStream out = s.getOutputStream();
            out.write("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(200);
            CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);
            Thread.sleep(300);
            assertThat(closed).isNotDone();
            App.release.complete(null);
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 200 OK").contains("Connection: close").endsWith("finished");
            closed.get(10, TimeUnit.SECONDS);
        }
    }
}
