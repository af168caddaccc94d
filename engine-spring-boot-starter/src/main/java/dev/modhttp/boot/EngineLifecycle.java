package dev.modhttp.boot;

import dev.modhttp.engine.Engine;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Starts the engine with the application context and stops it gracefully: with
 * {@code server.shutdown=graceful} (the default) requests in flight get up to
 * {@code spring.lifecycle.timeout-per-shutdown-phase} (30 s) to finish. Publishes the bound
 * ports as {@code local.engine.port} and {@code local.server.port}.
 */
public final class EngineLifecycle implements SmartLifecycle {

    static final String PORTS_SOURCE = "engine.ports";

    private final Engine engine;
    private final ConfigurableEnvironment environment;

    EngineLifecycle(Engine engine, ConfigurableEnvironment environment) {
        this.engine = engine;
        this.environment = environment;
    }

    @Override
    public void start() {
        engine.start();
        List<Integer> ports = engine.ports();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("local.engine.port", ports.get(0));
        values.put("local.server.port", ports.get(0));
        for (int i = 0; i < ports.size(); i++) {
            values.put("local.engine.ports[" + i + "]", ports.get(i));
        }
        PropertySource<?> source = new MapPropertySource(PORTS_SOURCE, values);
        environment.getPropertySources().remove(PORTS_SOURCE);
        environment.getPropertySources().addFirst(source);
    }

    @Override
    public void stop() {
        engine.stop(gracePeriod());
    }

    @Override
    public void stop(Runnable callback) {
        Thread t = new Thread(() -> {
            try {
                stop();
            } finally {
                callback.run();
            }
        }, "engine-shutdown");
        t.start();
    }

    private Duration gracePeriod() {
        if ("immediate".equalsIgnoreCase(environment.getProperty("server.shutdown", "graceful"))) {
            return Duration.ZERO;
        }
        return environment.getProperty("spring.lifecycle.timeout-per-shutdown-phase", Duration.class,
                Duration.ofSeconds(30));
    }

    @Override
    public boolean isRunning() {
        return engine.isRunning();
    }

    /** Early among lifecycles to stop, like Spring Boot's web servers. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024;
    }

    public Engine engine() {
        return engine;
    }
}
