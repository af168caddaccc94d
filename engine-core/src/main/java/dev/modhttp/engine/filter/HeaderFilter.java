package dev.modhttp.engine.filter;

import dev.modhttp.engine.http.HttpExchange;

/**
 * An output header filter, run once when the response's status and headers are final, the
 * way nginx's header filter chain runs. Each filter does its work and calls {@code next};
 * a filter that does not call {@code next} stops the response from going out. The engine's
 * own filters (Date and Server, framing, the writer) close the chain.
 *
 * <pre>{@code
 * HeaderFilter poweredBy = (exchange, next) -> {
 *     exchange.response().header("X-Powered-By", "modhttp");
 *     next.next(exchange);
 * };
 * }</pre>
 */
@FunctionalInterface
public interface HeaderFilter {

    void filter(HttpExchange exchange, HeaderFilterChain next) throws Exception;
}
