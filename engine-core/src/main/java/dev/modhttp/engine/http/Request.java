package dev.modhttp.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The request as handlers see it. {@link #uri()} is the decoded, normalized path (what
 * locations match); {@link #rawUri()} the request target as the client sent it; {@link #args()}
 * the query string, not decoded.
 */
public final class Request {

    private String method;
    private final String originalMethod;
    private final boolean secure;
    private String requestLine;
    private String remoteAddressText;
    private final String rawUri;
    private final HttpVersion version;
    private final HttpHeaders headers;
    private InetSocketAddress remoteAddress;
    private final InetSocketAddress localAddress;
    private final String host;
    private String uriBytes;
    private String uri;
    private String args;
    private int uriChanges;
    private ByteBuf body = Unpooled.EMPTY_BUFFER;
    private Path bodyFile;

    public Request(String method, String rawUri, HttpVersion version, HttpHeaders headers, String host,
            String uriBytes, String args, InetSocketAddress remoteAddress, InetSocketAddress localAddress,
            boolean secure) {
        this.secure = secure;
        this.method = method;
        this.originalMethod = method;
        this.rawUri = rawUri;
        this.version = version;
        this.headers = headers;
        this.host = host;
        this.uriBytes = uriBytes;
        this.args = args;
        this.remoteAddress = remoteAddress;
        this.localAddress = localAddress;
    }

    public String method() {
        return method;
    }

    /** Changes the method, as an error page's internal redirect does (to GET, keeping HEAD). */
    public void setMethod(String method) {
        this.method = method;
    }

    public boolean isHead() {
        return "HEAD".equals(method);
    }

    /** The request line as received, e.g. {@code GET /a?x=1 HTTP/1.1} (nginx's {@code $request}). */
    public String requestLine() {
        String line = requestLine;
        if (line == null) {
            line = originalMethod + " " + rawUri + " " + version.text();
            requestLine = line;
        }
        return line;
    }

    /** The client's address as text ({@code $remote_addr}), made once per address. */
    public String remoteAddressText() {
        String text = remoteAddressText;
        if (text == null) {
            InetSocketAddress a = remoteAddress;
            text = Addresses.print(a);
            remoteAddressText = text;
        }
        return text;
    }

    /** The request target as sent, e.g. {@code /a%20b/../c?x=1}. */
    public String rawUri() {
        return rawUri;
    }

    /**
     * The target from its path on ({@code $request_uri}): an absolute-form target without its
     * scheme and authority, as nginx's unparsed URI.
     */
    public String requestUri() {
        if (rawUri.startsWith("/")) {
            return rawUri;
        }
        int start = rawUri.indexOf("//") + 2;
        int path = start;
        while (path < rawUri.length() && rawUri.charAt(path) != '/' && rawUri.charAt(path) != '?') {
            path++;
        }
        return path == rawUri.length() ? "/" : rawUri.substring(path); // "http://h?x" is "?x" in nginx
    }

    /** The decoded, normalized path, e.g. {@code /c}. */
    public String uri() {
        String u = uri;
        if (u == null) {
            u = ByteStrings.text(uriBytes);
            uri = u;
        }
        return u;
    }

    /** The normalized path as a byte string (one char per byte), the form locations match. */
    public String uriBytes() {
        return uriBytes;
    }

    /** The query string without {@code ?}, not decoded; empty when there is none. */
    public String args() {
        return args;
    }

    /** The arguments as text (their bytes read as UTF-8), for a response header such as a redirect's Location. */
    public String argsText() {
        return ByteStrings.text(args);
    }

    /** The value of query argument {@code name} (not decoded), or null. */
    public String arg(String name) {
        String a = args;
        int i = 0;
        while (i <= a.length()) {
            int amp = a.indexOf('&', i);
            int end = amp < 0 ? a.length() : amp;
            int eq = a.indexOf('=', i);
            if (eq > i && eq < end && a.regionMatches(true, i, name, 0, name.length()) && eq - i == name.length()) {
                return a.substring(eq + 1, end);
            }
            if (eq < 0 || eq >= end) {
                if (end - i == name.length() && a.regionMatches(true, i, name, 0, name.length())) {
                    return "";
                }
            }
            i = end + 1;
        }
        return null;
    }

    /** Changes the URI, as a rewrite does; the engine then selects the location again. */
    public void setUri(String decodedPath, String args) {
        uriChanges++;
        this.uriBytes = new String(decodedPath.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        this.uri = decodedPath;
        this.args = args == null ? "" : args;
    }

    /** How many times the URI was set (a rewrite to the same URI counts too, as nginx's uri_changed). */
    /** Whether the request came over TLS ({@code $https}, the scheme of {@link #absoluteUrl}). */
    public boolean secure() {
        return secure;
    }

    public int uriChanges() {
        return uriChanges;
    }

    /**
     * A redirect target made absolute as nginx does it (absolute_redirect, port_in_redirect):
     * a target starting with {@code /} gets the scheme, this request's host (else the local
     * address) and the local port unless it is the scheme's (80, 443); other targets are returned as they are.
     */
    public String absoluteUrl(String target) {
        if (!target.startsWith("/")) {
            return target;
        }
        String h = host;
        if (h == null || h.isEmpty()) {
            InetAddress local = localAddress.getAddress();
            h = local instanceof Inet6Address ? "[" + Addresses.print(local) + "]" : Addresses.print(local);
        }
        int port = localAddress.getPort();
        return secure ? "https://" + h + (port == 443 ? "" : ":" + port) + target
                : "http://" + h + (port == 80 ? "" : ":" + port) + target;
    }

    public HttpVersion version() {
        return version;
    }

    public HttpHeaders headers() {
        return headers;
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** The validated host: from the request line or {@code Host}, lower case, without port. */
    public String host() {
        return host;
    }

    /** The client's address: the connection's, unless a module (real-ip) established another. */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** Sets the client's address, as real-ip does from a trusted proxy's header. */
    public void setRemoteAddress(InetSocketAddress address) {
        this.remoteAddress = Objects.requireNonNull(address, "address");
        this.remoteAddressText = null;
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /**
     * The request body once read (before CONTENT); empty when there is none. Owned by the engine.
     * A body larger than {@code client-body-buffer-size} is held in {@link #bodyFile()}: the first
     * call reads that file into memory (on the calling thread); a handler expecting large bodies
     * reads the file instead, or streams the body.
     */
    public ByteBuf body() {
        if (bodyFile != null && !body.isReadable()) {
            try {
                body = Unpooled.wrappedBuffer(Files.readAllBytes(bodyFile));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the request body file " + bodyFile, e);
            }
        }
        return body;
    }

    /**
     * The temporary file holding the whole body when it did not fit {@code client-body-buffer-size}
     * (or {@code client-body-in-file-only} is set): nginx's {@code $request_body_file}. Null when the
     * body is in memory or there is none. The engine deletes it when the request ends, unless
     * {@code client-body-in-file-only: on}.
     */
    public Path bodyFile() {
        return bodyFile;
    }

    /** Whether the body is held in memory or in a file; false while it has not been read. */
    public boolean hasBody() {
        return bodyFile != null || body.isReadable();
    }

    public String bodyAsString() {
        return body().toString(StandardCharsets.UTF_8);
    }

    /** Set by the engine (through {@code HttpAccess}), which releases it after the request. */
    void body(ByteBuf body, Path file) {
        this.body = body;
        this.bodyFile = file;
    }
}
