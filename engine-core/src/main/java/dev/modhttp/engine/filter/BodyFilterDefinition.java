package dev.modhttp.engine.filter;

import java.util.Objects;

/**
 * A body filter as registered: its order (lower runs first, closer to the handler; see
 * {@code phase.Order} for the built-in filters' places) and a name for dumps and errors (the
 * filter's class name when null).
 */
public record BodyFilterDefinition(int order, String name, BodyFilter filter) {

    public BodyFilterDefinition {
        Objects.requireNonNull(filter, "filter");
        name = name == null ? filter.getClass().getName() : name;
    }
}
