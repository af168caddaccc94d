package dev.modhttp.engine.core;

import dev.modhttp.engine.config.Size;

/**
 * nginx's http2 module directives, at main or server scope.
 *
 * <table>
 *   <caption>Keys, scopes and defaults</caption>
 *   <tr><th>key</th><th>scopes</th><th>default</th></tr>
 *   <tr><td>http2</td><td>main, server</td><td>on for a server listening with {@code ssl} (offered by
 *       ALPN), off on plain ports; on a plain port, {@code on} accepts h2c with prior knowledge
 *       (RFC 9113 §3.3). nginx's default is off everywhere: see the README's differences.</td></tr>
 *   <tr><td>http2-max-concurrent-streams</td><td>main, server</td><td>128: SETTINGS_MAX_CONCURRENT_STREAMS;
 *       a stream beyond it is refused (REFUSED_STREAM)</td></tr>
 *   <tr><td>http2-chunk-size</td><td>main, server</td><td>8k: the largest DATA frame a response body is cut into</td></tr>
 *   <tr><td>http2-body-preread-size</td><td>main, server</td><td>64k: SETTINGS_INITIAL_WINDOW_SIZE, what a client
 *       may send of a request body before the handler reads it</td></tr>
 *   <tr><td>http2-recv-buffer-size</td><td>main, server</td><td>256k: the connection's receive window (what a
 *       client may send ahead across all its streams)</td></tr>
 *   <tr><td>http2-upgrade</td><td>main, server</td><td>off: on a plain port with {@code http2}, {@code on} also
 *       switches an HTTP/1.1 request with {@code Upgrade: h2c} to HTTP/2 (RFC 7540 §3.2, which RFC 9113
 *       deprecates; nginx has no such path)</td></tr>
 * </table>
 *
 * The header list limit of a request follows {@code large-client-header-buffers} (number × size,
 * 32k by default), as in nginx 1.19.7 and later.
 */
public record Http2Config(Boolean http2, Integer http2MaxConcurrentStreams, Size http2ChunkSize,
        Size http2BodyPrereadSize, Size http2RecvBufferSize, Boolean http2Upgrade) {

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
