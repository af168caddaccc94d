package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Size;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The proxy module's keys at main, server and location scope (nginx's {@code proxy_*}
 * directives of the same names), each inherited field by field.
 *
 * <p>Each component is a key; its default and meaning are in its {@link KeyDoc}, from which the README's
 * reference is generated.
 */
public record ProxyConfig(
        @KeyDoc(defaultValue = "`on`", meaning = "whether the client's fields, and its body, go to the backend")
        Boolean proxyPassRequestHeaders,
        @KeyDoc(defaultValue = "`on`", meaning = "whether the client's fields, and its body, go to the backend")
        Boolean proxyPassRequestBody,
        @KeyDoc(meaning = "backend fields not passed to the client, besides `Date`, `Server`, `X-Pad`, `X-Accel-*` and "
                + "hop-by-hop ones; of the hidden ones, those passed after all")
        List<String> proxyHideHeader,
        @KeyDoc(meaning = "backend fields not passed to the client, besides `Date`, `Server`, `X-Pad`, `X-Accel-*` and "
                + "hop-by-hop ones; of the hidden ones, those passed after all")
        List<String> proxyPassHeader,
        @KeyDoc(defaultValue = "`1.1`", meaning = "`1.0` or `1.1`; nginx's default is 1.0, but pooled connections need 1.1")
        String proxyHttpVersion,
        @KeyDoc(defaultValue = "`60s`", meaning = "to connect; between two writes of the request; between two reads of the "
                + "response (504 before its head, the connection closed after)")
        Duration proxyConnectTimeout,
        @KeyDoc(defaultValue = "`60s`", meaning = "to connect; between two writes of the request; between two reads of the "
                + "response (504 before its head, the connection closed after)")
        Duration proxySendTimeout,
        @KeyDoc(defaultValue = "`60s`", meaning = "to connect; between two writes of the request; between two reads of the "
                + "response (504 before its head, the connection closed after)")
        Duration proxyReadTimeout,
        @KeyDoc(defaultValue = "`[default]`", meaning = "`default`: a `Location` or `Refresh` that starts with the "
                + "`proxy-pass` URL gets the location's name instead (without a URI part: `http://host:port/` becomes `/`); "
                + "`off`; or `\"FROM TO\"` entries. A `Location` that is then relative is made absolute as nginx makes it")
        List<String> proxyRedirect,
        @KeyDoc(defaultValue = "`[error, timeout]`", meaning = "what sends a request on to the next peer: `error`, `timeout`, "
                + "`invalid_header`, `http_500`, `http_502`, `http_503`, `http_504`, `http_403`, `http_404`, `http_429`, "
                + "`non_idempotent` (POST, LOCK, PATCH are not sent twice otherwise), or `[off]`")
        List<String> proxyNextUpstream,
        @KeyDoc(defaultValue = "`0`", meaning = "at most that many peers, that long (0: no limit)")
        Integer proxyNextUpstreamTries,
        @KeyDoc(defaultValue = "`0`", meaning = "at most that many peers, that long (0: no limit)")
        Duration proxyNextUpstreamTimeout,
        @KeyDoc(defaultValue = "`off`", meaning = "`on`: a backend status of 300 or more that has an `error-page` is answered "
                + "by that page")
        Boolean proxyInterceptErrors,
        @KeyDoc(defaultValue = "`4k`", meaning = "the most the backend's status line and header fields may take (\"upstream "
                + "sent too big header\": 502)")
        Size proxyBufferSize,
        @KeyDoc(defaultValue = "`off`", meaning = "for `https://`: send the name as SNI; the name sent and verified")
        Boolean proxySslServerName,
        @KeyDoc(defaultValue = "the `proxy-pass` host", meaning = "for `https://`: send the name as SNI; the name sent and "
                + "verified")
        String proxySslName,
        @KeyDoc(defaultValue = "`off`", meaning = "verify the backend's chain (against the PEM file, else the JVM's trust "
                + "store; nginx requires the file) and that its certificate names `proxy-ssl-name`; a failure is a 502 logged "
                + "as \"SSL_do_handshake() failed\"")
        Boolean proxySslVerify,
        @KeyDoc(meaning = "verify the backend's chain (against the PEM file, else the JVM's trust store; nginx requires the "
                + "file) and that its certificate names `proxy-ssl-name`; a failure is a 502 logged as \"SSL_do_handshake() "
                + "failed\"")
        String proxySslTrustedCertificate,
        @KeyDoc(defaultValue = "`off`", meaning = "`on`: a request asking to upgrade (a WebSocket) passes its `Upgrade` field "
                + "with `Connection: upgrade`, nginx's recipe (`proxy-set-header: [\"Upgrade $http_upgrade\", \"Connection "
                + "upgrade\"]`, which works too) in one key; the backend's 101 then turns both connections into a tunnel of "
                + "bytes both ways, reads paced by the other side, closed when either side ends or after `proxy-read-timeout` "
                + "without a byte; logged with status 101 when it ends. HTTP/1.1 clients only (HTTP/2 has no 101)")
        Boolean proxyUpgrade,
        @KeyDoc(defaultValue = "`on`", meaning = "`on`: the client's body is read whole first (memory, then a temporary file "
                + "past `client-body-buffer-size`), so a slow upload costs the backend nothing and the request can go to a "
                + "next peer; `off`: it goes to the backend as it arrives (chunked when the client sent no length), reading "
                + "from the client paced by the backend; once its first byte is sent the request cannot go to another peer")
        Boolean proxyRequestBuffering,
        @KeyDoc(defaultValue = "`on`", meaning = "`on`: the backend's body is read as fast as it comes, what the client "
                + "cannot take yet waits in `proxy-buffers`, then in a temporary file; `off`: read as fast as the client "
                + "takes it (the backend waits). A backend's `X-Accel-Buffering: yes` or `no` decides per response")
        Boolean proxyBuffering,
        @KeyDoc(defaultValue = "`\"8 4k\"`", meaning = "number and size: the memory one buffered response may hold besides "
                + "the client connection's write buffer")
        Buffers proxyBuffers,
        @KeyDoc(defaultValue = "`1024m`", meaning = "the most of one response held in its temporary file; past it the backend "
                + "waits for the client; `0`: no temporary files")
        Size proxyMaxTempFileSize,
        @KeyDoc(defaultValue = "the JVM's `java.io.tmpdir`", meaning = "where responses' temporary files go (made at startup "
                + "as `client-body-temp-path`; each file unlinked as soon as it is open: nothing is left behind)")
        Path proxyTempPath,
        @KeyDoc(meaning = "`[X-Accel-Redirect, X-Accel-Buffering]`: backend fields not acted on. Acted on otherwise: "
                + "`X-Accel-Redirect` (the request goes on as GET at that URI or named location, keeping the backend's "
                + "`Content-Type`, `Set-Cookie`, `Content-Disposition`, `Cache-Control`, `Expires`, `Accept-Ranges`; a `..` "
                + "segment is a 404) and `X-Accel-Buffering`; `X-Accel-Limit-Rate`, `X-Accel-Expires`, `X-Accel-Charset`, "
                + "`Expires`, `Cache-Control`, `Set-Cookie`, `Vary` are accepted, as nginx's names, with no module acting on "
                + "them")
        List<String> proxyIgnoreHeaders) {

    private static final Set<String> NEXT_UPSTREAM = Set.of("error", "timeout", "invalid_header", "http_500",
            "http_502", "http_503", "http_504", "http_403", "http_404", "http_429", "non_idempotent", "off");

    public static final ProxyConfig DEFAULTS = new ProxyConfig(true, true, List.of(), List.of(), "1.1",
            Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60), List.of("default"),
            List.of("error", "timeout"), 0, Duration.ZERO, false, Size.ofBytes(4096), false, null, false, null, false, true,
            true, new Buffers(8, Size.ofBytes(4096)), Size.parse("1024m"), null, List.of());

    /** The header fields of the backend's response proxy-ignore-headers may name (nginx's, less the cache's). */
    static final Set<String> IGNORABLE = Set.of("x-accel-redirect", "x-accel-buffering", "x-accel-limit-rate",
            "x-accel-expires", "x-accel-charset", "expires", "cache-control", "set-cookie", "vary");

    /** nginx's {@code proxy_buffers "8 4k"}: the memory a buffered response may take, {@code number} of {@code size}. */
    public record Buffers(Integer number, Size size) {

        public Buffers {
            if (number != null && number < 2) {
                throw new IllegalArgumentException("there must be at least 2 proxy-buffers");
            }
            if (size != null && (size.bytes() < 1024 || size.bytes() > 1 << 20)) {
                throw new IllegalArgumentException("the proxy-buffers size must be between 1k and 1m");
            }
        }

        public static Buffers parse(String text) {
            String[] parts = text.trim().split("\\s+");
            try {
                if (parts.length == 2) {
                    return new Buffers(Integer.parseInt(parts[0]), Size.parse(parts[1]));
                }
            } catch (NumberFormatException e) {
                // worded below
            }
            throw new IllegalArgumentException("'" + text + "' is not \"number size\" (e.g. \"8 4k\")");
        }

        long bytes() {
            return number * size.bytes();
        }
    }

    public ProxyConfig {
        if (proxyHttpVersion != null && !proxyHttpVersion.equals("1.0") && !proxyHttpVersion.equals("1.1")) {
            throw new IllegalArgumentException("proxy-http-version is 1.0 or 1.1, not \"" + proxyHttpVersion + "\"");
        }
        if (proxyNextUpstream != null) {
            proxyNextUpstream = proxyNextUpstream.stream().map(s -> s.trim().toLowerCase(Locale.ROOT))
                    .map(s -> s.equals("false") ? "off" : s).toList(); // YAML reads a bare off as false
            for (String s : proxyNextUpstream) {
                if (!NEXT_UPSTREAM.contains(s)) {
                    throw new IllegalArgumentException("invalid value \"" + s + "\" in proxy-next-upstream");
                }
            }
            if (proxyNextUpstream.contains("off") && proxyNextUpstream.size() > 1) {
                throw new IllegalArgumentException("proxy-next-upstream: off cannot go with other values");
            }
        }
        if (proxyNextUpstreamTries != null && proxyNextUpstreamTries < 0) {
            throw new IllegalArgumentException("proxy-next-upstream-tries must be 0 or more");
        }
        if (proxyRedirect != null) {
            proxyRedirect = proxyRedirect.stream().map(r -> r.trim().equals("false") ? "off" : r).toList();
            for (String r : proxyRedirect) {
                String t = r.trim();
                if (!t.equals("default") && !t.equals("off") && t.split("\\s+").length != 2) {
                    throw new IllegalArgumentException("proxy-redirect entry \"" + r + "\" is not default, off or \"FROM TO\"");
                }
            }
        }
        if (proxyIgnoreHeaders != null) {
            proxyIgnoreHeaders = proxyIgnoreHeaders.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
            for (String h : proxyIgnoreHeaders) {
                if (!IGNORABLE.contains(h)) {
                    throw new IllegalArgumentException("invalid value \"" + h + "\" in proxy-ignore-headers");
                }
            }
        }
        if (proxyBufferSize != null && (proxyBufferSize.bytes() < 1024 || proxyBufferSize.bytes() > 1 << 20)) {
            throw new IllegalArgumentException("proxy-buffer-size must be between 1k and 1m");
        }
    }
}
