package dev.modhttp.engine.http1;

import dev.modhttp.engine.exchange.RequestFraming;
import dev.modhttp.engine.exchange.UriNormalizer;
import dev.modhttp.engine.http.Request;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;

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

    /** The request handlers see; {@code uri} null for a target that did not normalize (it is then answered 400). */
    Request request(UriNormalizer.Normalized uri, InetSocketAddress remote, InetSocketAddress local, boolean secure) {
        return new Request(method, target, version, headers, host, uri == null ? "/" : uri.path(),
                uri == null ? "" : uri.args(), remote, local, secure);
    }
}
