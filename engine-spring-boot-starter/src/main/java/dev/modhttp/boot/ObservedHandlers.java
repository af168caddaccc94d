package dev.modhttp.boot;

import dev.modhttp.engine.modules.metrics.MetricsModule;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.phase.HandlerDefinition;
import io.micrometer.observation.Observation;

/**
 * The application's phase handlers run inside their request's observation scope, on whatever
 * thread runs them (the event loop, or a virtual thread for a blocking handler): a tracer's span
 * is current there, so the handler's log lines carry its trace id and the clients it calls
 * (RestClient, WebClient) send it on. What a handler throws is recorded as the observation's
 * error (the {@code exception} key value). Loaded only with micrometer-observation present.
 */
final class ObservedHandlers {

    private ObservedHandlers() {
    }

    static HandlerDefinition wrap(HandlerDefinition d) {
        Handler handler = d.handler();
        Handler observed = exchange -> {
            Observation observation = MetricsModule.observation(exchange);
            if (observation == null) {
                return handler.handle(exchange);
            }
            try (Observation.Scope scope = observation.openScope()) {
                return handler.handle(exchange);
            } catch (Exception | Error e) {
                observation.error(e);
                throw e;
            }
        };
        return new HandlerDefinition(d.phase(), d.order(), d.name(), observed, d.blocking(), d.appliesTo());
    }
}
