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

    /**
     * Whether the value holds the request's own bytes, one char per byte (ISO-8859-1), as header
     * values and the request target do, rather than text. The access log escapes such a value
     * byte by byte ({@code \xFF} for the byte 0xFF) and text as its UTF-8 bytes. Default: text.
     */
    default boolean bytes() {
        return false;
    }

    /** {@code value} marked as holding the request's bytes (see {@link #bytes()}). */
    static Variable ofBytes(Variable value) {
        return new Variable() {
            @Override
            public String value(HttpExchange exchange) {
                return value.value(exchange);
            }

            @Override
            public boolean bytes() {
                return true;
            }
        };
    }
}
