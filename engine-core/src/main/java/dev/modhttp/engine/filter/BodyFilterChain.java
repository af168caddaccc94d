package dev.modhttp.engine.filter;

import dev.modhttp.engine.http.HttpExchange;
import io.netty.buffer.ByteBuf;

/** The rest of the body filter chain after the current filter. */
@FunctionalInterface
public interface BodyFilterChain {

    void next(HttpExchange exchange, ByteBuf chunk, boolean last) throws Exception;
}
