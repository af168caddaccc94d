package dev.modhttp.engine.phase;

import dev.modhttp.engine.http.HttpExchange;

/**
 * One step of a request phase, nginx's phase handler. Runs on the connection's event loop
 * unless registered as blocking; it must not block there.
 *
 * <pre>{@code
 * engine.handler(Phase.ACCESS, exchange ->
 *         exchange.request().remoteAddress().getAddress().isLoopbackAddress()
 *                 ? Result.OK : Result.status(403));
 * }</pre>
 *
 * A content handler sets the response on {@link HttpExchange#response()} and returns
 * {@link Result#OK}; a handler that must wait returns {@link Result#pending}.
 */
@FunctionalInterface
public interface Handler {

    Result handle(HttpExchange exchange) throws Exception;
}
