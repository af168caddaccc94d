package dev.modhttp.demo;

import dev.modhttp.engine.Engine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs an engine in the application's lifecycle. A stand-in until the starter assembles the
 * engine from application.yml: it serves GET /hello on port 8080.
 */
@Component
class EngineRunner implements SmartLifecycle {

    private final Engine engine = Engine.builder()
            .config(Map.of("servers", List.of(Map.of(
                    "listen", List.of("8080"),
                    "locations", List.of(Map.of("location", "/hello", "return", "200 Hello, World!"))))))
            .build();

    @Override
    public void start() {
        engine.start();
    }

    @Override
    public void stop() {
        engine.stop(Duration.ofSeconds(10));
    }

    @Override
    public boolean isRunning() {
        return engine.isRunning();
    }
}
