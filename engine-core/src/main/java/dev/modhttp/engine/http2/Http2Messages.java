package dev.modhttp.engine.http2;

import dev.modhttp.engine.exchange.RequestFraming;
import dev.modhttp.engine.http.HeaderFields;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.internal.StatusText;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * The HTTP/2 form of a request's and a response's head (RFC 9113 §8.3): the request's header
 * map from the pseudo-headers and fields the codec validated, and the response's header block.
 */
final class Http2Messages {

    /** RFC 9113 §8.2.2: fields that belong to HTTP/1's connection, never sent over HTTP/2. */
    private static final AsciiString[] CONNECTION_SPECIFIC = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
        AsciiString.cached("proxy-connection"), HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE};
    private static final AsciiString[] STATUS = new AsciiString[600];

    static {
        for (int i = 100; i < STATUS.length; i++) {
            STATUS[i] = AsciiString.cached(Integer.toString(i));
        }
    }

    private Http2Messages() {
    }

    /**
     * A request's head as the request core needs it.
     *
     * @param headers the fields without pseudo-headers; cookie crumbs joined with "; " (§8.2.3), and
     *     Host from {@code :authority} when the client sent no Host
     * @param error why the request is malformed (answered 400, as nginx does), or null
     * @param fieldTooLarge whether a name or value is longer than {@code limit} (nginx: ENHANCE_YOUR_CALM)
     */
    record Head(String method, String path, String authority, HttpHeaders headers, long contentLength,
            boolean hasBody, boolean expectContinue, int length, String error, boolean fieldTooLarge)
            implements RequestFraming {
    }

    static Head request(Http2Headers in, boolean endStream, int limit) {
        HttpHeaders headers = HeaderFields.trusted(in.size()); // validated below, not again by the map
        StringBuilder cookies = null;
        int length = 0;
        boolean tooLarge = false;
        boolean badValue = false;
        for (Map.Entry<CharSequence, CharSequence> e : in) {
            CharSequence name = e.getKey();
            CharSequence value = e.getValue();
            length += name.length() + value.length() + 4;
            tooLarge |= name.length() > limit || value.length() > limit;
            badValue |= !validValue(value);
            if (name.length() > 0 && name.charAt(0) == ':') {
                continue;
            }
            if (HttpHeaderNames.COOKIE.contentEquals(name)) {
                cookies = cookies == null ? new StringBuilder(value) : cookies.append("; ").append(value);
                continue;
            }
            headers.add(name, value);
        }
        if (cookies != null) {
            headers.set(HttpHeaderNames.COOKIE, cookies.toString());
        }
        String method = string(in.method());
        String path = string(in.path());
        String authority = string(in.authority());
        int hosts = headers.getAll(HttpHeaderNames.HOST).size();
        String hostField = headers.get(HttpHeaderNames.HOST);
        if (authority != null && hostField == null) {
            headers.set(HttpHeaderNames.HOST, authority);
        }
        String error = null;
        if (badValue) {
            error = "client sent invalid header value"; // RFC 9113 §8.2.1
        } else if (hosts > 1) {
            error = "client sent duplicate host header";
        } else if (authority != null && hostField != null && !authority.equalsIgnoreCase(hostField)) {
            error = "client sent :authority and host that differ"; // RFC 9113 §8.3.1
        } else if (authority == null && hostField == null) {
            error = "client sent no :authority and no host"; // nginx: a request after HTTP/1.0 needs a host
        } else if (method == null || method.isEmpty()) {
            error = "client sent no :method header";
        } else if (!validMethod(method)) {
            error = "client sent invalid :method header";
        } else if (in.scheme() == null) {
            error = "client sent no :scheme header";
        } else if (path == null || path.isEmpty()) {
            error = "client sent no :path header";
        } else if (path.charAt(0) != '/' && !(path.equals("*") && method.equals("OPTIONS"))) {
            error = "client sent invalid :path header";
        }
        long contentLength = -1;
        String cl = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        if (cl != null) {
            try {
                contentLength = Long.parseLong(cl); // the codec checked it against the DATA received
            } catch (NumberFormatException ex) {
                error = "client sent invalid \"Content-Length\" header";
            }
        }
        boolean expect = HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(headers.get(HttpHeaderNames.EXPECT));
        return new Head(method, path, authority, headers, contentLength, !endStream, expect, length, error, tooLarge);
    }

    /** A method as nginx takes it: upper-case letters, '_' and '-'. */
    private static boolean validMethod(String method) {
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9113 §8.2.1: no NUL, CR or LF, and no whitespace at either end. */
    private static boolean validValue(CharSequence v) {
        int n = v.length();
        if (n > 0 && isSpace(v.charAt(0)) || n > 1 && isSpace(v.charAt(n - 1))) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c == 0 || c == '\r' || c == '\n') {
                return false;
            }
        }
        return true;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    private static String string(CharSequence s) {
        return s == null ? null : s.toString();
    }

    /**
     * The response's header block: {@code :status} (nginx's 494..497 shown as 400), then the
     * fields in lower case without HTTP/1's connection fields; values with non-ASCII characters
     * go as their UTF-8 bytes, as HTTP/1.1 writes them.
     */
    static Http2Headers responseHead(Response r) {
        HttpHeaders h = r.headers();
        for (AsciiString name : CONNECTION_SPECIFIC) {
            h.remove(name);
        }
        Http2Headers out = new DefaultHttp2Headers(false, h.size() + 1);
        int status = StatusText.shown(r.status());
        out.status(status >= 100 && status < STATUS.length ? STATUS[status] : AsciiString.of(Integer.toString(status)));
        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
        while (it.hasNext()) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            out.add(AsciiString.of(e.getKey()).toLowerCase(), wire(e.getValue()));
        }
        return out;
    }

    /** The interim response to {@code Expect: 100-continue}. */
    static Http2Headers continueHead() {
        return new DefaultHttp2Headers(false, 1).status(STATUS[100]);
    }

    private static CharSequence wire(CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) > 0x7f) {
                return new AsciiString(value.toString().getBytes(StandardCharsets.UTF_8), false);
            }
        }
        return value;
    }

    /** The head's size as an HTTP/1.1 head would have it (before HPACK), for {@code $bytes_sent}. */
    static long size(Http2Headers head) {
        long n = 17; // "HTTP/2.0 200 \r\n" and the blank line
        for (Map.Entry<CharSequence, CharSequence> e : head) {
            n += e.getKey().length() + e.getValue().length() + 4;
        }
        return n;
    }
}
