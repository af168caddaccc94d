package dev.modhttp.boot.slice;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modhttp.boot.test.EngineTest;
import dev.modhttp.engine.Engine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;

/** {@code @EngineTest}: the engine and the handlers, over a real socket, and nothing else of the application. */
@EngineTest(properties = {"engine.servers[0].locations[0].location=/"})
@Import(SliceApplication.Greetings.class)
class EngineSliceTests {

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Test
    void theHandlersAnswerOnAFreePortAndTheRestOfTheApplicationIsNotStarted() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/anything")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("hello from the application");
        assertThat(context.getBeansOfType(Engine.class)).hasSize(1);
        assertThat(context.getBeanNamesForType(SliceApplication.GreetingHandler.class)).hasSize(1);
        assertThat(context.containsBean("somethingHeavy")).as("a configuration of the application").isFalse();
        assertThat(context.containsBean("applicationTaskExecutor")).as("Boot's other auto-configuration").isFalse();
        assertThat(context.getBeanNamesForType(io.micrometer.core.instrument.MeterRegistry.class)).isEmpty();
    }
}
