package dev.modhttp.boot;

import dev.modhttp.engine.Engine;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Starts the engine with the application context and stops it gracefully. When the context
 * closes, readiness goes to {@link ReadinessState#REFUSING_TRAFFIC} first (as Boot's own web
 * servers have it), then, with {@code server.shutdown=graceful} (the default), the engine keeps
 * serving for {@code engine.shutdown.quiet-period} (default 0: none) while load balancers notice,
 * then stops accepting and gives requests in flight the rest of
 * {@code spring.lifecycle.timeout-per-shutdown-phase} (30 s) to finish. Publishes the bound ports
 * as {@code local.engine.port} and {@code local.server.port} (in parent contexts too), and the
 * management server's as {@code local.management.port}. With {@code engine.reload.watch:
 * true}, reloads the engine when one of its config files changes ({@link ConfigWatcher}).
 */
public final class EngineLifecycle implements SmartLifecycle, ApplicationListener<ContextClosedEvent> {

    static final String PORTS_SOURCE = "engine.ports";
    /** The starter's own key under {@code engine}: not an engine key. */
    static final String QUIET_PERIOD = "engine.shutdown.quiet-period";
    /** Reload on SIGHUP, as nginx does (off by default: the JVM's own handling of the signal stays). */
    static final String RELOAD_SIGHUP = "engine.reload.sighup";
    /** Reload when a config file the engine was started from changes (off by default). */
    static final String RELOAD_WATCH = "engine.reload.watch";

    private final Engine engine;
    private final ConfigurableEnvironment environment;
    private final ApplicationContext context;
    /** Read at startup, so that a bad value fails the start rather than the stop. */
    private final Duration quietPeriod;
    private ConfigWatcher watcher;

    EngineLifecycle(Engine engine, ConfigurableEnvironment environment, ApplicationContext context) {
        this.engine = engine;
        this.environment = environment;
        this.context = context;
        this.quietPeriod = quietPeriod();
    }

    /** The context closes: readiness refuses traffic before any lifecycle (the engine's included) stops. */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (event.getApplicationContext() != context || !engine.isRunning()) {
            return;
        }
        ApplicationAvailability availability = context.getBeanProvider(ApplicationAvailability.class).getIfAvailable();
        // a web server's context (Tomcat beside the engine, say) has published it already
        if (availability == null || availability.getReadinessState() != ReadinessState.REFUSING_TRAFFIC) {
            AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
        }
    }

    @Override
    public void start() {
        engine.start();
        List<Integer> ports = engine.ports();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("local.engine.port", ports.get(0));
        values.put("local.server.port", ports.get(0));
        if (ManagementServer.served(context) && ManagementServer.separate(environment)) {
            values.put("local.management.port", ports.get(ports.size() - 1)); // its server is the last one
        }
        for (int i = 0; i < ports.size(); i++) {
            values.put("local.engine.ports[" + i + "]", ports.get(i));
        }
        PropertySource<?> source = new MapPropertySource(PORTS_SOURCE, values);
        environment.getPropertySources().remove(PORTS_SOURCE);
        environment.getPropertySources().addFirst(source);
        // as Boot's servers publish their port: parent contexts (a child with the web server) see it too
        for (ApplicationContext parent = context.getParent(); parent != null; parent = parent.getParent()) {
            if (parent.getEnvironment() instanceof ConfigurableEnvironment up && up != environment) {
                up.getPropertySources().remove(PORTS_SOURCE);
                up.getPropertySources().addFirst(source);
            }
        }
        if (environment.getProperty(RELOAD_WATCH, Boolean.class, false)
                && engine.configSource() instanceof EngineConfigSource files) {
            try {
                watcher = new ConfigWatcher(files::files, engine::reload);
            } catch (IOException e) {
                throw new IllegalStateException(RELOAD_WATCH + ": this platform cannot watch files: " + e, e);
            }
        }
    }

    @Override
    public void stop() {
        if (watcher != null) {
            watcher.close();
            watcher = null;
        }
        Duration grace = gracePeriod();
        Duration quiet = grace.isZero() ? Duration.ZERO : quietPeriod;
        if (!quiet.isZero()) {
            try {
                Thread.sleep(quiet.toMillis()); // still serving: load balancers see the readiness change
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        engine.stop(grace.minus(quiet).isNegative() ? Duration.ZERO : grace.minus(quiet));
    }

    private Duration quietPeriod() {
        Duration quiet = environment.getProperty(QUIET_PERIOD, Duration.class, Duration.ZERO);
        if (quiet.isNegative()) {
            throw new IllegalStateException(QUIET_PERIOD + " cannot be negative: " + quiet);
        }
        return quiet;
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
