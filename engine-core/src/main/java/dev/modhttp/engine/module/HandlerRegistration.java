package dev.modhttp.engine.module;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Order;
import dev.modhttp.engine.phase.Phase;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A handler being registered by a module, completed by chained calls that read as a sentence:
 *
 * <pre>{@code
 * registry.handler(Phase.ACCESS, this::handle).order(Order.LATE).onlyWhere(CONFIG, AuthConfig::isOn);
 * registry.contentHandler(CONFIG, this::handle);          // named after the key, e.g. "hello"
 * }</pre>
 *
 * Defaults: named after the key of the first block spec given to {@code onlyWhere} or
 * {@code contentHandler} (else the module), order
 * {@link Order#DEFAULT}, not blocking, at every location. The engine reads it once the
 * module's {@code register} returned.
 */
public final class HandlerRegistration {

    private final Phase phase;
    private final Handler handler;
    private final ConfigSpec<?> contentOf;
    private String name;
    private int order = Order.DEFAULT;
    private boolean blocking;
    private boolean discardsBody;
    private Predicate<Location> where = location -> true;

    HandlerRegistration(Phase phase, Handler handler, ConfigSpec<?> contentOf) {
        this.phase = Objects.requireNonNull(phase, "phase");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.contentOf = contentOf;
        this.name = contentOf == null || contentOf.isFlat() ? null : contentOf.key();
    }

    /** The name in pipeline dumps and errors. */
    public HandlerRegistration name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** Its place within the phase (see {@link Order}). */
    public HandlerRegistration order(int order) {
        this.order = order;
        return this;
    }

    /** Runs off the event loop, on the engine's bounded executor. */
    public HandlerRegistration blocking() {
        this.blocking = true;
        return this;
    }

    /**
     * A CONTENT handler that answers without the request body (nginx's
     * {@code ngx_http_discard_request_body}, as its static and stub_status handlers call): the
     * body is not read before it runs, and is read and dropped after the response. Without this
     * the body is read whole first (READ_BODY), for {@code request.body()}.
     */
    public HandlerRegistration discardsBody() {
        this.discardsBody = true;
        return this;
    }

    /** Only at locations where {@code spec} is configured (written there or inherited). */
    public HandlerRegistration onlyWhere(ConfigSpec<?> spec) {
        nameAfter(spec);
        return onlyWhere(location -> location.isConfigured(spec));
    }

    /** Only at locations where {@code spec} is configured and its merged record passes {@code test}. */
    public <R extends Record> HandlerRegistration onlyWhere(ConfigSpec<R> spec, Predicate<? super R> test) {
        nameAfter(spec);
        return onlyWhere(location -> location.isConfigured(spec) && test.test(location.config(spec)));
    }

    /** Only at locations that pass {@code test}; several conditions must all hold. */
    public HandlerRegistration onlyWhere(Predicate<Location> test) {
        Predicate<Location> before = where;
        where = location -> before.test(location) && test.test(location);
        return this;
    }

    /**
     * Not in a server scope's own REWRITE..CONTENT (what serves a request no location matched):
     * for a handler also registered in SERVER_REWRITE, whose directives ran there already.
     */
    public HandlerRegistration inLocationsOnly() {
        return onlyWhere(location -> location.kind() != Location.Kind.SERVER);
    }

    private void nameAfter(ConfigSpec<?> spec) {
        if (name == null && !spec.isFlat()) {
            name = spec.key();
        }
    }

    /** The spec whose locations this handler is the content handler of; null for a phase handler. */
    public ConfigSpec<?> contentOf() {
        return contentOf;
    }

    /**
     * The definition the engine compiles. Named {@code prefix/name}, or {@code name} without a
     * prefix; unnamed, {@code prefix}, else {@code defaultName}.
     */
    public HandlerDefinition definition(String prefix, String defaultName) {
        return new HandlerDefinition(phase, order, FilterRegistration.fullName(prefix, name, defaultName), handler,
                blocking, where, discardsBody);
    }
}
