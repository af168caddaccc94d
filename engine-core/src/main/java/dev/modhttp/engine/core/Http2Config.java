package dev.modhttp.engine.core;

import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Size;

/**
 * nginx's http2 module directives, at main or server scope.
 *
 * <p>Each component is a key; its default and meaning are in its {@link KeyDoc}, from which the README's
 * reference is generated.
 *
 * <p>The header list limit of a request follows {@code large-client-header-buffers} (number × size,
 * 32k by default), as in nginx 1.19.7 and later.
 */
public record Http2Config(
        @KeyDoc(defaultValue = "`on` with `ssl`, else `off`", meaning = "HTTP/2 (RFC 9113): offered by ALPN on a TLS server; "
                + "on a plain port, `on` takes h2c with prior knowledge (a client opening with the HTTP/2 preface) beside "
                + "HTTP/1.1. The same phases, modules, filters, hooks, variables (`$server_protocol` is `HTTP/2.0`) and "
                + "access log")
        Boolean http2,
        @KeyDoc(defaultValue = "`128`", meaning = "streams a client may have open at once; one more is refused (RST_STREAM "
                + "REFUSED_STREAM)")
        Integer http2MaxConcurrentStreams,
        @KeyDoc(defaultValue = "`8k`", meaning = "the pieces a response body is cut into as it is written. Unlike nginx's, "
                + "pieces written together may leave as one DATA frame, up to the client's SETTINGS_MAX_FRAME_SIZE (16k "
                + "unless it allows more): Netty's encoder joins them")
        Size http2ChunkSize,
        @KeyDoc(defaultValue = "`64k`", meaning = "the initial stream window: what a client may send of a request body before "
                + "a handler reads it")
        Size http2BodyPrereadSize,
        @KeyDoc(defaultValue = "`256k`", meaning = "the connection's receive window, across its streams")
        Size http2RecvBufferSize,
        @KeyDoc(defaultValue = "`off`", meaning = "`on`, on a plain port with `http2`: an HTTP/1.1 request without a body "
                + "asking `Upgrade: h2c` (with `HTTP2-Settings`, RFC 7540 §3.2; what `curl --http2 http://...` sends) gets "
                + "`101 Switching Protocols` and its response on stream 1 of the HTTP/2 connection that follows (the first "
                + "request of a connection, with nothing sent behind it yet; any other is served over HTTP/1.1); nginx has no "
                + "such path, and RFC 9113 deprecates it. Off: the request is served over HTTP/1.1")
        Boolean http2Upgrade) {

    public static final Http2Config DEFAULTS = new Http2Config(null, 128, Size.parse("8k"), Size.parse("64k"),
            Size.parse("256k"), false);

    /** RFC 9113 §6.5.2: windows and frame sizes above 2^31-1 bytes cannot be announced. */
    private static final long MAX_WINDOW = Integer.MAX_VALUE;

    public Http2Config {
        if (http2MaxConcurrentStreams != null && http2MaxConcurrentStreams < 1) {
            throw new IllegalArgumentException("http2-max-concurrent-streams must be at least 1");
        }
        if (http2ChunkSize != null && (http2ChunkSize.bytes() < 1 || http2ChunkSize.bytes() > MAX_WINDOW)) {
            throw new IllegalArgumentException("http2-chunk-size must be between 1 and 2147483647 bytes");
        }
        if (http2BodyPrereadSize != null && http2BodyPrereadSize.bytes() > MAX_WINDOW) {
            throw new IllegalArgumentException("http2-body-preread-size must be at most 2147483647 bytes");
        }
        if (http2RecvBufferSize != null && (http2RecvBufferSize.bytes() < 65535
                || http2RecvBufferSize.bytes() > MAX_WINDOW)) {
            throw new IllegalArgumentException("http2-recv-buffer-size must be between 65535 and 2147483647 bytes");
        }
    }

    /** Whether a server speaks HTTP/2: the listen's {@code http2} parameter, else this key, else on for TLS. */
    public boolean enabled(boolean listenHttp2, boolean tls) {
        return listenHttp2 || (http2 != null ? http2 : tls);
    }
}
