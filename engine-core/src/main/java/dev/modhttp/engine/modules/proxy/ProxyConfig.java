package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.config.Size;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The proxy module's keys at main, server and location scope (nginx's {@code proxy_*}
 * directives of the same names), each inherited field by field:
 *
 * <table>
 *   <caption>Keys and defaults</caption>
 *   <tr><td>proxy-pass-request-headers</td><td>on: the client's header fields go to the backend</td></tr>
 *   <tr><td>proxy-pass-request-body</td><td>on: the client's body goes to the backend</td></tr>
 *   <tr><td>proxy-hide-header</td><td>more backend header fields not passed to the client (Date, Server,
 *       X-Pad, X-Accel-* never are)</td></tr>
 *   <tr><td>proxy-pass-header</td><td>of those hidden by default, the ones to pass after all</td></tr>
 *   <tr><td>proxy-http-version</td><td>1.1 (nginx: 1.0): pooled connections need it</td></tr>
 *   <tr><td>proxy-connect-timeout, proxy-send-timeout, proxy-read-timeout</td><td>60s each: to connect;
 *       between two writes of the request; between two reads of the response</td></tr>
 *   <tr><td>proxy-redirect</td><td>[default]: a Location or Refresh naming the proxy-pass URL is rewritten
 *       to the location's; [off]; or entries "FROM TO"</td></tr>
 *   <tr><td>proxy-next-upstream</td><td>[error, timeout]: what makes a request go to the next peer; also
 *       invalid_header, http_500, http_502, http_503, http_504, http_403, http_404, http_429,
 *       non_idempotent, or [off]</td></tr>
 *   <tr><td>proxy-next-upstream-tries</td><td>0: peers to try per request, 0 for all</td></tr>
 *   <tr><td>proxy-next-upstream-timeout</td><td>0: time to go on trying, 0 for no limit</td></tr>
 *   <tr><td>proxy-intercept-errors</td><td>off: on, a backend status of 300 or more that has an error-page
 *       is answered by that page</td></tr>
 *   <tr><td>proxy-buffer-size</td><td>4k: the most the backend's status line and header may take</td></tr>
 *   <tr><td>proxy-upgrade</td><td>off: on, a request asking to upgrade (WebSocket) passes its Upgrade
 *       field with "Connection: upgrade" (nginx's recipe in one key); a 101 then makes a tunnel</td></tr>
 *   <tr><td>proxy-request-buffering</td><td>on: the client's body is read whole (in memory up to
 *       client-body-buffer-size, else in a temporary file) before the backend is chosen; off: it goes to the
 *       backend as it arrives, chunked when the client's had no length, and a request whose body started
 *       cannot go to a next peer</td></tr>
 *   <tr><td>proxy-buffering</td><td>on: the backend's body is read as fast as it comes, into
 *       proxy-buffers and beyond them into a temporary file, so a slow client does not hold the backend;
 *       off: read only as fast as the client takes it. A backend's {@code X-Accel-Buffering: yes|no} decides
 *       per response</td></tr>
 *   <tr><td>proxy-buffers</td><td>"8 4k": the memory for one buffered response</td></tr>
 *   <tr><td>proxy-max-temp-file-size</td><td>1024m: the most of a response in its temporary file; beyond,
 *       the backend waits for the client; 0 keeps responses out of files</td></tr>
 *   <tr><td>proxy-temp-path</td><td>the JVM's {@code java.io.tmpdir}: where the temporary files go</td></tr>
 *   <tr><td>proxy-ignore-headers</td><td>none: backend fields not acted on, of X-Accel-Redirect and
 *       X-Accel-Buffering (X-Accel-Limit-Rate, X-Accel-Expires, X-Accel-Charset, Expires, Cache-Control,
 *       Set-Cookie and Vary are accepted as nginx does; the engine has no module that acts on them)</td></tr>
 *   <tr><td>proxy-ssl-server-name</td><td>off: with {@code https://}, send the name as SNI</td></tr>
 *   <tr><td>proxy-ssl-name</td><td>the proxy-pass host: the name sent as SNI and verified</td></tr>
 *   <tr><td>proxy-ssl-verify</td><td>off: verify the backend's certificate chain and name</td></tr>
 *   <tr><td>proxy-ssl-trusted-certificate</td><td>PEM file of trusted CAs for proxy-ssl-verify (the JVM's
 *       trust store when not written)</td></tr>
 * </table>
 */
public record ProxyConfig(Boolean proxyPassRequestHeaders, Boolean proxyPassRequestBody, List<String> proxyHideHeader,
        List<String> proxyPassHeader, String proxyHttpVersion, Duration proxyConnectTimeout,
        Duration proxySendTimeout, Duration proxyReadTimeout, List<String> proxyRedirect,
        List<String> proxyNextUpstream, Integer proxyNextUpstreamTries, Duration proxyNextUpstreamTimeout,
        Boolean proxyInterceptErrors, Size proxyBufferSize, Boolean proxySslServerName, String proxySslName,
        Boolean proxySslVerify, String proxySslTrustedCertificate, Boolean proxyUpgrade, Boolean proxyRequestBuffering,
        Boolean proxyBuffering, Buffers proxyBuffers, Size proxyMaxTempFileSize, Path proxyTempPath,
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
