package dev.modhttp.engine.filter;

import java.util.Objects;

/**
 * A filter as registered, with its order (lower runs first, closer to the handler) and a
 * name for dumps and errors. Exactly one of the two filters is set.
 */
public record FilterDefinition(int order, String name, HeaderFilter headerFilter, BodyFilter bodyFilter) {

    public FilterDefinition {
        if ((headerFilter == null) == (bodyFilter == null)) {
            throw new IllegalArgumentException("exactly one of headerFilter and bodyFilter must be set");
        }
        name = name == null ? Objects.requireNonNullElse(headerFilter, bodyFilter).getClass().getName() : name;
    }

    public static FilterDefinition header(int order, HeaderFilter filter) {
        return new FilterDefinition(order, null, filter, null);
    }

    public static FilterDefinition body(int order, BodyFilter filter) {
        return new FilterDefinition(order, null, null, filter);
    }
}
