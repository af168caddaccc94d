package dev.modhttp.engine.filter;

import dev.modhttp.engine.http.HttpExchange;
import io.netty.buffer.ByteBuf;

/**
 * An output body filter, run on each chunk of the response body, nginx's body filter chain.
 * A filter may pass the chunk on, transform it, or hold it back and pass something later;
 * {@code last} marks the final call for the response (its chunk may be empty). The filter
 * owns {@code chunk}: it passes it on or releases it.
 *
 * <pre>{@code
 * BodyFilter upper = (exchange, chunk, last, next) -> {
 *     ByteBuf out = Unpooled.copiedBuffer(chunk.toString(UTF_8).toUpperCase(), UTF_8);
 *     chunk.release();
 *     next.next(exchange, out, last);
 * };
 * }</pre>
 */
@FunctionalInterface
public interface BodyFilter {

    void filter(HttpExchange exchange, ByteBuf chunk, boolean last, BodyFilterChain next) throws Exception;

    /**
     * Whether this filter must see the bytes of this response (called once its headers are
     * final). When no filter needs them, a file body goes out zero-copy and bypasses the body
     * filters; a filter that only sometimes transforms (compression) answers false otherwise.
     */
    default boolean needsBytes(HttpExchange exchange) {
        return true;
    }
}
