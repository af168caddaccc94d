package dev.modhttp.engine.variable;

import dev.modhttp.engine.http.HttpExchange;

/**
 * A named value of a request, nginx's {@code $name}. Built-in ones are listed in
 * {@link Variables}; a module adds its own through {@link dev.modhttp.engine.module.Module#variables()}.
 *
 * <pre>{@code
 * public Map<String, Variable> variables() {
 *     return Map.of("tenant", exchange -> exchange.attribute(TENANT));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Variable {

    /**
     * The value for this request, or null when it has none (nginx's "not found": an empty
     * string in a rewrite or return, {@code -} in an access log).
     */
    String value(HttpExchange exchange);
}
