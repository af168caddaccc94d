package dev.modhttp.engine.phase;

import dev.modhttp.engine.config.Location;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A handler as registered: its phase, its order within the phase (lower first, then
 * registration order), a name for pipeline dumps and errors, whether it blocks (then it runs
 * on the engine's blocking executor, never on the event loop), and which locations it can
 * act at (it is compiled only into those locations' pipelines).
 */
public record HandlerDefinition(Phase phase, int order, String name, Handler handler, boolean blocking,
        Predicate<Location> appliesTo) {

    public HandlerDefinition {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(handler, "handler");
        name = name == null ? handler.getClass().getName() : name;
        appliesTo = appliesTo == null ? location -> true : appliesTo;
    }

    public static HandlerDefinition of(Phase phase, Handler handler) {
        return new HandlerDefinition(phase, 0, null, handler, false, null);
    }
}
