package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.phase.Result;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The header fields of a proxied exchange, nginx's rules: what the request to the backend
 * carries (proxy-set-header, nginx's defaults, the client's own fields less the hop-by-hop ones)
 * and which of the backend's fields reach the client (less hop-by-hop and hidden ones, with
 * Location and Refresh rewritten by proxy-redirect).
 */
final class ProxyFields {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    private ProxyFields() {
    }

    /** nginx's default {@code proxy_set_header} names, which the client's fields never override. */
    static final List<AsciiString> DEFAULT_SET = List.of(HttpHeaderNames.HOST, HttpHeaderNames.CONNECTION,
            HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.TE,
            HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.EXPECT, HttpHeaderNames.UPGRADE);

    /** Backend header fields never passed to the client: hop-by-hop ones, and those the engine sets itself. */
    private static final Set<AsciiString> HOP_BY_HOP = Set.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.CONTENT_LENGTH);

    /** Header fields used as case-insensitive sets of names, and requests whose fields come validated. */
    private static final DefaultHttpHeadersFactory UNVALIDATED = DefaultHttpHeadersFactory.headersFactory()
            .withValidation(false);

    private static final AsciiString REFRESH = AsciiString.cached("refresh");

    /** nginx's proxy_hide_header defaults. */
    private static final Set<String> HIDDEN = Set.of("date", "server", "x-pad", "x-accel-expires", "x-accel-redirect",
            "x-accel-limit-rate", "x-accel-buffering", "x-accel-charset");

    /** The client's fields never passed on: those set by proxy-set-header, nginx's defaults, the hop-by-hop ones. */
    static HttpHeaders excluded(List<ProxyHeadersConfig.SetHeader> set) {
        HttpHeaders excluded = UNVALIDATED.newHeaders();
        DEFAULT_SET.forEach(n -> excluded.add(n, ""));
        excluded.add(HttpHeaderNames.PROXY_CONNECTION, "").add(HttpHeaderNames.TRAILER, "");
        set.forEach(h -> excluded.add(h.name(), ""));
        return excluded;
    }

    /**
     * The backend's fields never passed to the client: hop-by-hop, nginx's hidden ones and
     * proxy-hide-header, less proxy-pass-header.
     */
    static HttpHeaders hidden(ProxyConfig conf) {
        HttpHeaders hidden = UNVALIDATED.newHeaders();
        HOP_BY_HOP.forEach(n -> hidden.add(n, ""));
        HIDDEN.forEach(n -> hidden.add(n, ""));
        conf.proxyHideHeader().forEach(n -> hidden.add(n, ""));
        conf.proxyPassHeader().forEach(n -> {
            if (!HOP_BY_HOP.contains(AsciiString.of(n.toLowerCase(Locale.ROOT)))) {
                hidden.remove(n);
            }
        });
        return hidden;
    }

    /**
     * The request to the backend: method, target, proxy-set-header, nginx's defaults, the
     * client's fields, and the body from memory, from its temporary file, or unbuffered.
     *
     * @throws UncheckedIOException when the body's file cannot be read
     */
    static RequestSender request(HttpExchange ex, Route route, String proxyHost, String target, boolean pooled) {
        Request r = ex.request();
        ProxyConfig conf = route.conf();
        boolean http10 = conf.proxyHttpVersion().equals("1.0");
        boolean withBody = conf.proxyPassRequestBody();
        UnbufferedBody live = withBody ? UnbufferedBody.of(ex) : null;
        if (live != null && live.endedEmpty()) {
            live = null; // no body after all (a GET): nothing to stream
        }
        Path file = withBody && live == null ? r.bodyFile() : null;
        ByteBuf memory = live != null || file != null ? null
                : withBody ? r.body().retainedDuplicate() : Unpooled.EMPTY_BUFFER;
        // the fields come validated (the client's by the engine's parser, set ones rendered header-safe)
        HttpRequest req = new DefaultHttpRequest(http10 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(r.method()), target, UNVALIDATED);
        HttpHeaders h = req.headers();
        for (Route.Header sh : route.headers()) {
            String value = sh.value().renderHeaderValue(ex);
            if (!value.isEmpty()) {
                h.add(sh.name(), bytes(value));
            }
        }
        if (!route.isSet(HttpHeaderNames.HOST)) {
            h.set(HttpHeaderNames.HOST, proxyHost);
        }
        if (!route.isSet(HttpHeaderNames.CONNECTION) && (!pooled || http10)) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        HttpHeaders in = r.headers();
        if (conf.proxyUpgrade() && in.contains(HttpHeaderNames.UPGRADE) && !http10) {
            h.set(HttpHeaderNames.UPGRADE, in.get(HttpHeaderNames.UPGRADE));
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        boolean framed = in.contains(HttpHeaderNames.CONTENT_LENGTH) || in.contains(HttpHeaderNames.TRANSFER_ENCODING);
        if (live != null) {
            String length = in.get(HttpHeaderNames.CONTENT_LENGTH);
            if (length != null) {
                h.set(HttpHeaderNames.CONTENT_LENGTH, length);
            } else {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED); // nginx: chunked to an HTTP/1.1 backend
            }
        } else if (file != null) {
            try {
                h.set(HttpHeaderNames.CONTENT_LENGTH, Files.size(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the client body file " + file, e);
            }
        } else if (memory.isReadable() || withBody && framed) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, memory.readableBytes());
        }
        if (conf.proxyPassRequestHeaders()) {
            HttpHeaders listed = in.contains(HttpHeaderNames.CONNECTION) ? connectionTokens(in) : null;
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence(); it.hasNext();) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                CharSequence name = e.getKey();
                if (!route.excluded().contains(name) && (listed == null || !listed.contains(name))) {
                    h.add(name, bytes(e.getValue()));
                }
            }
        }
        return new RequestSender(req, memory, file, live);
    }

    /** nginx copies these of the backend's fields to the response an X-Accel-Redirect turns into. */
    private static final List<AsciiString> REDIRECT_KEEPS = List.of(HttpHeaderNames.CONTENT_TYPE,
            HttpHeaderNames.SET_COOKIE, HttpHeaderNames.CONTENT_DISPOSITION, HttpHeaderNames.CACHE_CONTROL,
            HttpHeaderNames.EXPIRES, HttpHeaderNames.ACCEPT_RANGES);

    /** The backend's X-Accel-Redirect, unless proxy-ignore-headers names it; null for none. */
    static String accelRedirect(ProxyConfig conf, HttpResponse head) {
        String uri = head.headers().get("X-Accel-Redirect");
        return uri == null || conf.proxyIgnoreHeaders().contains("x-accel-redirect") ? null : uri;
    }

    /**
     * nginx's X-Accel-Redirect: the request goes on at {@code uri} (a URI with its query, or a
     * named location), as GET unless it is HEAD, with a few of the backend's fields kept; an
     * unsafe URI (a ".." segment, NUL) is a 404, as nginx's ngx_http_parse_unsafe_uri decides.
     */
    static Result redirect(HttpExchange ex, HttpResponse head, String uri) {
        Response out = ex.response();
        for (AsciiString name : REDIRECT_KEEPS) {
            List<String> values = head.headers().getAll(name);
            if (!values.isEmpty()) {
                out.headers().set(name, values);
            }
        }
        if (uri.startsWith("@")) {
            return Result.internalRedirect(uri, null);
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (!path.startsWith("/") || path.indexOf('\0') >= 0 || (path + "/").contains("/../")) {
            LOG.error("unsafe URI \"{}\" was detected", path);
            return Result.status(404);
        }
        if (!ex.request().method().equals("HEAD")) {
            ex.request().setMethod("GET");
        }
        return Result.internalRedirect(path, q < 0 ? null : uri.substring(q + 1));
    }

    /** proxy-buffering, or what the backend's X-Accel-Buffering says unless proxy-ignore-headers names it. */
    static boolean buffering(ProxyConfig conf, HttpResponse head) {
        String accel = head.headers().get("X-Accel-Buffering");
        if (accel != null && !conf.proxyIgnoreHeaders().contains("x-accel-buffering")) {
            if (accel.equalsIgnoreCase("yes")) {
                return true;
            } else if (accel.equalsIgnoreCase("no")) {
                return false;
            }
        }
        return conf.proxyBuffering();
    }

    /** Field values are the request's bytes, one char each: as AsciiString Netty writes them back as those bytes. */
    private static CharSequence bytes(CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) >= 0x80) {
                return new AsciiString(value);
            }
        }
        return value;
    }

    /** RFC 9110 §7.6.1: the fields the Connection header names are hop-by-hop too (as keys of a case-insensitive set). */
    private static HttpHeaders connectionTokens(HttpHeaders headers) {
        HttpHeaders tokens = UNVALIDATED.newHeaders();
        for (String v : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String t : v.split(",")) {
                tokens.add(t.trim(), "");
            }
        }
        return tokens;
    }

    /** The backend's status and header fields onto the response: hop-by-hop and hidden ones left out, redirects rewritten. */
    static void copyHead(HttpExchange ex, Route route, HttpResponse head, Response response) {
        response.status(head.status().code());
        try {
            response.reason(head.status().reasonPhrase()); // nginx passes the backend's status line on as it came
        } catch (IllegalArgumentException notAPhrase) {
            // empty, or bytes RFC 9112 does not allow in one: the engine's own phrase
        }
        HttpHeaders out = response.headers();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = head.headers().iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            if (route.hidden().contains(name)) {
                continue;
            }
            if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.LOCATION)) {
                String value = e.getValue().toString();
                String rewritten = route.redirect(value, false);
                // nginx makes a Location absolute only when proxy-redirect rewrote it to a path
                out.add(name, !rewritten.equals(value) && rewritten.startsWith("/")
                        ? ex.request().absoluteUrl(rewritten) : bytes(rewritten));
            } else if (AsciiString.contentEqualsIgnoreCase(name, REFRESH)) {
                out.add(name, bytes(route.redirect(e.getValue().toString(), true)));
            } else {
                out.add(name, bytes(e.getValue()));
            }
        }
    }
}
