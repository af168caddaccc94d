package dev.modhttp.engine.filter;

import dev.modhttp.engine.http.HttpExchange;

/** The rest of the header filter chain after the current filter. */
@FunctionalInterface
public interface HeaderFilterChain {

    void next(HttpExchange exchange) throws Exception;
}
