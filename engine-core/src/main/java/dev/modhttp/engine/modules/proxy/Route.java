package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.PercentEncoding;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.variable.Template;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A location's proxying, compiled once at startup: where requests go ({@code proxy-pass}), how
 * their target and header fields are made, and how the backend's redirects are rewritten.
 *
 * @param pass the proxy-pass URL
 * @param url the URL as a template when it holds variables, else null
 * @param peers the upstream's peers when the URL names it without variables, else null
 * @param location where proxy-pass was written
 * @param conf the location's proxy keys
 * @param headers proxy-set-header entries, compiled
 * @param excluded the names (as keys, case-insensitive) of the client's fields never passed on: those
 *        set here, nginx's defaults (Host, Connection, Content-Length, Transfer-Encoding, TE, Keep-Alive,
 *        Expect, Upgrade) and the other hop-by-hop ones (Proxy-Connection, Trailer)
 * @param hidden the names of the backend's fields never passed to the client: hop-by-hop ones,
 *        Content-Length (the engine frames the body), nginx's hidden ones and proxy-hide-header, less
 *        proxy-pass-header
 * @param redirects proxy-redirect entries, the default one resolved
 * @param tls TLS to the backend for an {@code https://} URL (or one with variables), else null
 */
record Route(ProxyPass pass, Template url, Peers peers, Location location, ProxyConfig conf, List<Header> headers,
        HttpHeaders excluded, HttpHeaders hidden, List<Redirect> redirects, BackendTls tls) {

    /**
     * Where one request goes: {@code $proxy_host}, the request target, and the host TLS to the
     * backend names (null: plain HTTP).
     */
    record Target(String proxyHost, String target, String tlsHost) {
    }

    /** A proxy-set-header entry: its value rendered per request; an empty value sends nothing. */
    record Header(AsciiString name, Template value) {
    }

    /** A proxy-redirect entry: a Location or Refresh starting with {@code from} gets {@code to} instead. */
    record Redirect(String from, String to) {
    }

    /**
     * Whether a failed attempt may go on to the next peer: nginx sends POST, LOCK and PATCH once
     * unless proxy-next-upstream has non_idempotent or the request never reached a peer, and
     * stops after proxy-next-upstream-timeout.
     */
    boolean retriable(String method, boolean sent, long startedNanos) {
        long limit = conf.proxyNextUpstreamTimeout().toNanos();
        if (limit > 0 && System.nanoTime() - startedNanos >= limit) {
            return false;
        }
        boolean idempotent = !method.equals("POST") && !method.equals("LOCK") && !method.equals("PATCH");
        return idempotent || !sent || conf.proxyNextUpstream().contains("non_idempotent");
    }

    /** Whether proxy-set-header sets {@code name} (then nginx's default for it does not apply). */
    boolean isSet(AsciiString name) {
        for (Header h : headers) {
            if (h.name().contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** proxy-redirect default: the proxy-pass URL to the location's name (or the origin's "/" to "/"). */
    static Redirect defaultRedirect(ProxyPass pass, Location location) {
        if (pass.variables()) {
            return null; // nginx: default cannot be derived from a URL with variables
        }
        return pass.uri() != null ? new Redirect(pass.url(), location.name()) : new Redirect(pass.url() + "/", "/");
    }

    /**
     * The request target sent to the backend, nginx's rules: with a URI part, the part of the
     * normalized URI that matched the location is replaced by it (escaped when the client's URI
     * was percent-encoded or the request was redirected internally) and the arguments follow;
     * without one, the target as the client sent it, or the changed URI (escaped) and arguments
     * after a rewrite; a URI part in a URL with variables goes as it is rendered.
     *
     * @param renderedUri the URI part of the rendered URL when the URL has variables (null: none)
     */
    String target(HttpExchange ex, String renderedUri) {
        Request r = ex.request();
        boolean changed = r.uriChanges() > 0;
        if (pass.variables()) {
            if (renderedUri != null) { // as nginx: "http://b?q=1" asks for "/?q=1"
                return requestLineSafe(renderedUri.startsWith("?") ? "/" + renderedUri : renderedUri);
            }
        } else if (pass.uri() != null) {
            String uri = r.uriBytes();
            boolean escape = changed || quoted(r);
            String rest;
            String head;
            if (ex.uriRewrittenInLocation()) {
                head = "";
                rest = uri; // nginx: after rewrite ... break the URI part is ignored, the changed URI goes
            } else {
                head = pass.uri();
                String name = Location.toByteString(location.name());
                rest = uri.length() >= name.length() ? uri.substring(name.length()) : "";
            }
            String target = head + (escape ? ProxyPass.escapeUri(rest) : rest);
            return text(r.args().isEmpty() ? target : target + "?" + r.args());
        }
        if (!changed) {
            return text(r.requestUri());
        }
        String target = ProxyPass.escapeUri(r.uriBytes());
        return text(r.args().isEmpty() ? target : target + "?" + r.args());
    }

    /**
     * A target of the request's bytes (one char each) as the text Netty's encoder writes back as
     * those bytes (it writes UTF-8): bytes that are not UTF-8 are percent-encoded instead.
     */
    static String text(String bytes) {
        int i = 0;
        while (i < bytes.length() && bytes.charAt(i) < 0x80) {
            i++;
        }
        if (i == bytes.length()) {
            return bytes;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .decode(ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            return PercentEncoding.encode(bytes, c -> c >= 0x80);
        }
    }

    /**
     * A target rendered from variables with the bytes a request line cannot hold (controls,
     * space, DEL) percent-encoded; nginx sends them raw ({@code /i/a%20b} as {@code GET /ii/a b}),
     * which no backend can read (README, differences).
     */
    static String requestLineSafe(String target) {
        return PercentEncoding.encode(target, c -> c <= 0x20 || c == 0x7f);
    }

    /** nginx's quoted_uri: the client's path held a percent-encoded byte. */
    private static boolean quoted(Request r) {
        String raw = r.requestUri();
        int q = raw.indexOf('?');
        int pct = raw.indexOf('%');
        return pct >= 0 && (q < 0 || pct < q);
    }

    /** A Location or Refresh value after proxy-redirect, or the value itself when no entry matches. */
    String redirect(String value, boolean refresh) {
        int from = 0;
        if (refresh) {
            int url = value.toLowerCase(Locale.ROOT).indexOf("url=");
            if (url < 0) {
                return value;
            }
            from = url + 4;
        }
        for (Redirect rd : redirects) {
            if (value.startsWith(rd.from(), from)) {
                return value.substring(0, from) + rd.to() + value.substring(from + rd.from().length());
            }
        }
        return value;
    }
}
