package dev.modhttp.boot;

import dev.modhttp.engine.Engine;
import dev.modhttp.engine.module.EngineStatus;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/** UP while the engine serves, with its ports and connection counts; DOWN when it is stopped. */
public class EngineHealthIndicator extends AbstractHealthIndicator {

    private final Engine engine;

    public EngineHealthIndicator(Engine engine) {
        this.engine = engine;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (!engine.isRunning()) {
            builder.down().withDetail("running", false);
            return;
        }
        EngineStatus s = engine.status();
        builder.up().withDetail("ports", engine.ports()).withDetail("active", s.active())
                .withDetail("reading", s.reading()).withDetail("writing", s.writing())
                .withDetail("waiting", s.waiting()).withDetail("requests", s.requests());
    }
}
