package dev.modhttp.engine.module;

import dev.modhttp.engine.phase.Order;
import java.util.Objects;

/**
 * A header or body filter being registered by a module:
 * {@code registry.headerFilter(this::filter).order(Order.HEADERS)}. Defaults: named after the
 * module, order {@link Order#DEFAULT} (lower runs first, closer to the handler).
 *
 * @param <F> {@code HeaderFilter} or {@code BodyFilter}
 */
public final class FilterRegistration<F> {

    /** Makes the definition the engine compiles from an order, a name and the filter. */
    interface Definer<F, D> {
        D define(int order, String name, F filter);
    }

    private final F filter;
    private String name;
    private int order = Order.DEFAULT;

    FilterRegistration(F filter) {
        this.filter = Objects.requireNonNull(filter, "filter");
    }

    /** The name in dumps and errors. */
    public FilterRegistration<F> name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** Its place in the chain (see {@link Order}). */
    public FilterRegistration<F> order(int order) {
        this.order = order;
        return this;
    }

    <D> D define(Definer<F, D> definer, String prefix, String defaultName) {
        return definer.define(order, fullName(prefix, name, defaultName), filter);
    }

    /** {@code prefix/name}, or {@code name} without a prefix; unnamed, {@code prefix}, else {@code defaultName}. */
    static String fullName(String prefix, String name, String defaultName) {
        if (name == null) {
            return prefix != null ? prefix : defaultName;
        }
        return prefix == null ? name : prefix + "/" + name;
    }
}
