package dev.modhttp.engine.module;

import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.FilterDefinition;
import dev.modhttp.engine.filter.HeaderFilter;
import dev.modhttp.engine.phase.Order;
import java.util.Objects;

/**
 * A header or body filter being registered by a module:
 * {@code registry.headerFilter(this::filter).order(Order.HEADERS)}. Defaults: named after the
 * module, order {@link Order#DEFAULT} (lower runs first, closer to the handler).
 */
public final class FilterRegistration {

    private final HeaderFilter headerFilter;
    private final BodyFilter bodyFilter;
    private String name;
    private int order = Order.DEFAULT;

    FilterRegistration(HeaderFilter headerFilter, BodyFilter bodyFilter) {
        this.headerFilter = headerFilter;
        this.bodyFilter = bodyFilter;
    }

    /** The name in dumps and errors. */
    public FilterRegistration name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /** Its place in the chain (see {@link Order}). */
    public FilterRegistration order(int order) {
        this.order = order;
        return this;
    }

    /** The definition the engine compiles; unnamed ones take {@code defaultName}, and every name takes {@code prefix}. */
    public FilterDefinition definition(String prefix, String defaultName) {
        String n = name != null ? name : defaultName;
        return new FilterDefinition(order, prefix == null ? n : prefix + "/" + n, headerFilter, bodyFilter);
    }
}
