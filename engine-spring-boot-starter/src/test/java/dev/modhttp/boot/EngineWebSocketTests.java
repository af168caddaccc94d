package dev.modhttp.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modhttp.engine.modules.websocket.WebSocketEndpoint;
import dev.modhttp.engine.modules.websocket.WebSocketSession;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** WebSocketEndpoint beans are the endpoints a location's websocket key names, by bean name. */
@Timeout(60)
class EngineWebSocketTests {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
        @Bean
        WebSocketEndpoint shout() {
            return new WebSocketEndpoint() {
                @Override
                public void onText(WebSocketSession session, String message) {
                    session.sendText(message.toUpperCase() + " (" + session.uri() + ")");
                }
            };
        }
    }

    static ConfigurableApplicationContext start(String endpoint) {
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        return app.run("--server.port=0", "--engine.servers[0].locations[0].location=/ws/",
                "--engine.servers[0].locations[0].websocket=" + endpoint);
    }

    @Test
    void aBeanNamedByTheLocationAnswersTheSocketsThere() throws Exception {
        try (ConfigurableApplicationContext context = start("shout")) {
            int port = context.getEnvironment().getProperty("local.server.port", Integer.class);
            BlockingQueue<String> heard = new LinkedBlockingQueue<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(
                    URI.create("ws://127.0.0.1:" + port + "/ws/room?x=1"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            heard.add(data.toString());
                            w.request(1);
                            return null;
                        }
                    }).join();
            ws.sendText("hello", true).join();
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("HELLO (/ws/room?x=1)");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        }
    }

    @Test
    void aLocationNamingNoSuchBeanFailsStartupNamingTheProperty() {
        assertThatThrownBy(() -> start("missing").close()).hasStackTraceContaining("engine.servers[0].locations[0].websocket")
                .hasStackTraceContaining("no WebSocket endpoint named \"missing\" (known: [shout])");
    }
}
