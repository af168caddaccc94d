package dev.modhttp.engine.phase;

import dev.modhttp.engine.config.Location;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A handler as registered: its phase, its order within the phase (lower first, then
 * registration order), a name for pipeline dumps and errors, whether it blocks (then it runs
 * on the engine's blocking executor, never on the event loop), and which locations it can
 * act at (it is compiled only into those locations' pipelines), and, for a CONTENT handler,
 * whether it discards the request body instead of reading it.
 *
 * <p>{@code discardsBody}: false by default, so the body is read whole before the handler runs
 * (READ_BODY). True for a handler that answers without it, as nginx's static, index and
 * stub_status handlers call {@code ngx_http_discard_request_body}: it runs at once, and the
 * body is read and dropped after its response (a GET whose body never comes is still served).
 */
public record HandlerDefinition(Phase phase, int order, String name, Handler handler, boolean blocking,
        Predicate<Location> appliesTo, boolean discardsBody) {

    /** A handler that reads the request body if it runs in CONTENT. */
    public HandlerDefinition(Phase phase, int order, String name, Handler handler, boolean blocking,
            Predicate<Location> appliesTo) {
        this(phase, order, name, handler, blocking, appliesTo, false);
    }

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
