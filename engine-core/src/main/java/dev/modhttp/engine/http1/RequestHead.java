package dev.modhttp.engine.http1;

import dev.modhttp.engine.exchange.RequestFraming;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A parsed, validated request head. {@code contentLength} is -1 when there is no
 * Content-Length; {@code chunked} marks a chunked body;
 * {@code length} counts the head's bytes as received.
 */
record RequestHead(String method, String target, HttpVersion version, HttpHeaders headers, long contentLength,
        boolean chunked, String host, boolean expectContinue, boolean keepAlive, int length)
        implements RequestFraming {

    @Override
    public boolean hasBody() {
        return chunked || contentLength > 0;
    }
}
