package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.http.PercentEncoding;
import java.util.Locale;

/**
 * nginx's {@code proxy_pass} URL: {@code http://NAME[/uri]} where NAME is an upstream's name or
 * {@code host[:port]}, or the same with {@code https://}. {@code uri} is the URI part
 * (null when none was written: then the request's URI goes as the client sent it); a URL
 * with a variable ({@code http://$backend}, {@code http://b/v$uri}) is rendered per request.
 *
 * @param url the URL as written
 * @param https whether the scheme is {@code https}
 * @param host the host or upstream name, without brackets for IPv6
 * @param port the port written, or the scheme's (80, 443)
 * @param portWritten whether the URL names a port
 * @param uri the URI part, or null
 * @param variables whether the URL holds a {@code $} (rendered per request)
 */
public record ProxyPass(String url, boolean https, String host, int port, boolean portWritten, String uri,
        boolean variables) {

    /**
     * Reads a {@code proxy-pass} value.
     *
     * @throws IllegalArgumentException for a scheme other than http/https, an empty host or a bad port,
     *         worded as nginx words them
     */
    public static ProxyPass parse(String text) {
        return parse(text, true);
    }

    /**
     * Reads a URL; {@code written} (from the configuration) refuses spaces and controls, which a
     * URL rendered from variables may hold (the request target then carries them encoded).
     */
    static ProxyPass parse(String text, boolean written) {
        String t = text.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        boolean https;
        if (lower.startsWith("http://")) {
            https = false;
        } else if (lower.startsWith("https://")) {
            https = true;
        } else {
            throw new IllegalArgumentException("invalid URL prefix in \"" + t + "\"");
        }
        for (int i = 0; written && i < t.length(); i++) {
            if (t.charAt(i) <= ' ' || t.charAt(i) == 0x7f) {
                throw new IllegalArgumentException("invalid URL \"" + t + "\": a space or control character");
            }
        }
        boolean variables = t.indexOf('$') >= 0;
        int start = https ? 8 : 7;
        int slash = start;
        while (slash < t.length() && t.charAt(slash) != '/' && t.charAt(slash) != '?') {
            slash++;
        }
        String authority = t.substring(start, slash);
        String uri = slash == t.length() ? null : t.substring(slash); // nginx: "?x=1" is a URI part too
        if (authority.isEmpty()) {
            throw new IllegalArgumentException("no host in \"" + t + "\"");
        }
        int defaultPort = https ? 443 : 80;
        if (authority.indexOf('$') >= 0) {
            return new ProxyPass(t, https, authority, defaultPort, false, uri, true);
        }
        String host = authority;
        int port = defaultPort;
        boolean portWritten = false;
        int colon = authority.lastIndexOf(':');
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("invalid host in \"" + t + "\"");
            }
            host = authority.substring(1, close);
            colon = close + 1 < authority.length() && authority.charAt(close + 1) == ':' ? close + 1 : -1;
        } else if (colon >= 0) {
            host = authority.substring(0, colon);
        }
        if (colon >= 0) {
            try {
                port = Integer.parseInt(authority.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("invalid port in \"" + t + "\"");
            }
            portWritten = true;
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host in \"" + t + "\"");
        }
        return new ProxyPass(t, https, host, port, portWritten, uri, variables);
    }

    /** {@code $proxy_host}: the host as written, with the port unless it is the scheme's. */
    public String proxyHost() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == (https ? 443 : 80) ? h : h + ":" + port;
    }

    /** The scheme and authority, as nginx's default {@code proxy_redirect} compares a Location with. */
    /** The scheme and host with port, as a key for the peers of a URL without an upstream. */
    String origin() {
        return (https ? "https://" : "http://") + proxyHost();
    }

    /**
     * nginx's NGX_ESCAPE_URI, as nginx 1.22 escapes a changed URI it passes on: controls, space,
     * {@code " # % < > ? \ ^ ` { | }}, DEL and bytes above it, in uppercase hex.
     */
    static String escapeUri(String bytes) {
        return PercentEncoding.encode(bytes, c -> c <= 0x20 || c >= 0x7f || "\"#%<>?\\^`{|}".indexOf(c) >= 0);
    }

}
