package dev.modhttp.engine.variable;

import dev.modhttp.engine.config.Pcre;
import dev.modhttp.engine.http.Addresses;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * The vocabulary of variables, shared by every module that compiles text with {@code $name}
 * in it ({@link Template}): rewrite and return targets, try-files entries, log formats,
 * limit keys. Names are nginx's; unknown names fail at startup.
 *
 * <table>
 *   <caption>Built-in variables</caption>
 *   <tr><td>{@code $uri}, {@code $document_uri}</td><td>the decoded, normalized path (after rewrites)</td></tr>
 *   <tr><td>{@code $request_uri}</td><td>the request target as sent, with arguments</td></tr>
 *   <tr><td>{@code $args}, {@code $query_string}</td><td>the query string; {@code $is_args} is {@code ?} when there is one</td></tr>
 *   <tr><td>{@code $arg_NAME}</td><td>one query argument, not decoded</td></tr>
 *   <tr><td>{@code $http_NAME}</td><td>a request header, {@code _} standing for {@code -}</td></tr>
 *   <tr><td>{@code $cookie_NAME}</td><td>one cookie</td></tr>
 *   <tr><td>{@code $sent_http_NAME}</td><td>a response header</td></tr>
 *   <tr><td>{@code $host}</td><td>the request's host, else the server's first name</td></tr>
 *   <tr><td>{@code $scheme}, {@code $https}, {@code $server_protocol}, {@code $request_method}, {@code $request}</td><td>as in nginx</td></tr>
 *   <tr><td>{@code $remote_addr}, {@code $binary_remote_addr}, {@code $remote_port}</td><td>the client (as real-ip sets it)</td></tr>
 *   <tr><td>{@code $proxy_protocol_addr}, {@code $proxy_protocol_port}</td><td>the client a PROXY protocol header named</td></tr>
 *   <tr><td>{@code $ssl_server_name}, {@code $ssl_protocol}, {@code $ssl_cipher}, {@code $ssl_session_reused}</td><td>of a
 *       TLS connection: the SNI name, {@code TLSv1.3}, the cipher suite as OpenSSL names it
 *       ({@code ECDHE-RSA-AES128-GCM-SHA256}), {@code r} for a resumed session or {@code .}</td></tr>
 *   <tr><td>{@code $ssl_client_verify}, {@code $ssl_client_s_dn}, {@code $ssl_client_fingerprint}</td><td>the client
 *       certificate's verification ({@code SUCCESS}, {@code FAILED:reason}, {@code NONE}), subject (RFC 2253) and SHA-1
 *       fingerprint (hex)</td></tr>
 *   <tr><td>{@code $remote_user}</td><td>the user name of Basic authentication, as sent</td></tr>
 *   <tr><td>{@code $server_addr}, {@code $server_port}, {@code $server_name}, {@code $hostname}, {@code $pid}</td><td>this side</td></tr>
 *   <tr><td>{@code $content_type}, {@code $content_length}, {@code $request_length}</td><td>of the request</td></tr>
 *   <tr><td>{@code $request_body}, {@code $request_body_file}</td><td>the body once read, when in memory (its bytes) or
 *       in a temporary file (its path)</td></tr>
 *   <tr><td>{@code $status}, {@code $body_bytes_sent}, {@code $bytes_sent}</td><td>of the response</td></tr>
 *   <tr><td>{@code $request_time}, {@code $msec}, {@code $time_local}, {@code $time_iso8601}</td><td>times</td></tr>
 *   <tr><td>{@code $connection}, {@code $connection_requests}, {@code $request_id}</td><td>serials</td></tr>
 * </table>
 */
public final class Variables {

    private static final Map<String, Variable> BUILT_IN = builtIn();
    private static final Map<String, Function<String, Variable>> PREFIXES = prefixes();

    private final Map<String, Variable> byName;
    private final Map<String, Function<String, Variable>> prefixes;
    private final Set<String> captureGroups;

    private Variables(Map<String, Variable> byName, Map<String, Function<String, Variable>> prefixes,
            Set<String> captureGroups) {
        this.byName = byName;
        this.prefixes = prefixes;
        this.captureGroups = captureGroups;
    }

    /**
     * This vocabulary plus the named captures of the configuration's regexes (their Java names,
     * {@link dev.modhttp.engine.config.Pcre#groupNames}): {@code $name} is then the group of that name
     * in the last regex matched (a rewrite's own, else the selected location's), empty when it did
     * not take part, as nginx's named captures.
     */
    public Variables withCaptures(Set<String> javaGroupNames) {
        return new Variables(byName, prefixes, Set.copyOf(javaGroupNames));
    }

    /** The Java group name of capture {@code $name}, or null when no regex of the config names one so. */
    String captureGroup(String name) {
        String java = Pcre.javaGroupName(name);
        return captureGroups.contains(java) ? java : null;
    }

    /**
     * The built-in vocabulary plus {@code extra}, which may not redefine a name.
     *
     * @throws IllegalArgumentException naming the first clash or bad name
     */
    public static Variables with(Map<String, Variable> extra) {
        return with(extra, Map.of());
    }

    /**
     * The built-in vocabulary plus {@code extra} and the variable families {@code extraPrefixes}
     * ({@code "upstream_http_"}: {@code $upstream_http_NAME} is the function's variable for NAME),
     * none of which may redefine or shadow a name.
     *
     * @throws IllegalArgumentException naming the first clash or bad name
     */
    public static Variables with(Map<String, Variable> extra, Map<String, Function<String, Variable>> extraPrefixes) {
        Map<String, Function<String, Variable>> families = new LinkedHashMap<>(PREFIXES);
        extraPrefixes.forEach((prefix, f) -> {
            if (!validName(prefix) || !prefix.endsWith("_")) {
                throw new IllegalArgumentException("\"" + prefix
                        + "\" is not a variable prefix (letters, digits, _, ending in _)");
            }
            if (families.keySet().stream().anyMatch(p -> p.startsWith(prefix) || prefix.startsWith(p))
                    || BUILT_IN.keySet().stream().anyMatch(n -> n.startsWith(prefix))) {
                throw new IllegalArgumentException("variables \"$" + prefix + "NAME\" clash with others");
            }
            families.put(prefix, f);
        });
        Map<String, Variable> all = new HashMap<>(BUILT_IN);
        extra.forEach((name, v) -> {
            if (!validName(name)) {
                throw new IllegalArgumentException("\"" + name + "\" is not a variable name (letters, digits, _)");
            }
            if (all.containsKey(name) || families.keySet().stream().anyMatch(name::startsWith)) {
                throw new IllegalArgumentException("variable \"$" + name + "\" is already defined");
            }
            all.put(name, v);
        });
        return new Variables(Map.copyOf(all), Collections.unmodifiableMap(families), Set.of());
    }

    /** The variable called {@code name} (without {@code $}), or null when there is none. */
    public Variable find(String name) {
        Variable v = byName.get(name);
        if (v != null) {
            return v;
        }
        for (Map.Entry<String, Function<String, Variable>> p : prefixes.entrySet()) {
            if (name.startsWith(p.getKey()) && name.length() > p.getKey().length()) {
                return p.getValue().apply(name.substring(p.getKey().length()));
            }
        }
        return null;
    }

    /** Compiles {@code text}; see {@link Template}. */
    public Template compile(String text) {
        return Template.compile(text, this);
    }

    static boolean validName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!nameChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean nameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    // ---- the built-in values --------------------------------------------------------------

    /** The client's certificate of a TLS session; null without one. */
    private static X509Certificate clientCertificate(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate c ? c : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** nginx's $ssl_client_fingerprint: the SHA-1 of the certificate's DER bytes, lower-case hex. */
    /** A cipher suite as OpenSSL (and so nginx's {@code $ssl_cipher}) names it; TLS 1.3's keep their names. */
    private static String openSslName(SSLSession session) {
        String java = session.getCipherSuite();
        String openSsl = java.startsWith("TLS_AES_") || java.startsWith("TLS_CHACHA20_") ? null
                : CipherSuiteConverter.toOpenSsl(java, false);
        return openSsl != null ? openSsl : java;
    }

    private static String fingerprint(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(c.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            return "";
        }
    }

    private static final Object REQUEST_ID = new Object();
    private static final DateTimeFormatter TIME_LOCAL =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter TIME_ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX", Locale.US).withZone(ZoneId.systemDefault());
    private static volatile String hostname;

    private static Map<String, Variable> builtIn() {
        Map<String, Variable> m = new LinkedHashMap<>();
        m.put("uri", e -> e.request().uri());
        m.put("document_uri", e -> e.request().uri());
        m.put("request_uri", Variable.ofBytes(e -> e.request().requestUri()));
        m.put("args", Variable.ofBytes(e -> e.request().args()));
        m.put("query_string", Variable.ofBytes(e -> e.request().args()));
        m.put("is_args", e -> e.request().args().isEmpty() ? "" : "?");
        m.put("host", Variables::host);
        m.put("scheme", e -> e.request().secure() ? "https" : "http");
        m.put("https", e -> e.request().secure() ? "on" : "");
        m.put("ssl_server_name", e -> e.connection().sslServerName() == null ? "" : e.connection().sslServerName());
        m.put("ssl_protocol", e -> e.connection().sslSession() == null ? "" : e.connection().sslSession().getProtocol());
        m.put("ssl_cipher", e -> e.connection().sslSession() == null ? "" : openSslName(e.connection().sslSession()));
        m.put("ssl_session_reused", e -> e.connection().sslSession() == null ? ""
                : e.connection().sslSessionReused() ? "r" : ".");
        m.put("ssl_client_verify", e -> e.connection().sslSession() == null ? "" : e.connection().sslClientVerify());
        m.put("ssl_client_s_dn", e -> {
            X509Certificate c = clientCertificate(e.connection().sslSession());
            return c == null ? "" : c.getSubjectX500Principal().getName(X500Principal.RFC2253);
        });
        m.put("ssl_client_fingerprint", e -> {
            X509Certificate c = clientCertificate(e.connection().sslSession());
            return c == null ? "" : fingerprint(c);
        });
        m.put("server_protocol", e -> e.request().version().text());
        m.put("request_method", e -> e.request().method());
        m.put("request", Variable.ofBytes(e -> e.request().requestLine()));
        m.put("remote_addr", e -> e.request().remoteAddressText());
        m.put("binary_remote_addr", e -> binaryAddress(e.request().remoteAddress()));
        m.put("remote_port", e -> port(e.request().remoteAddress()));
        m.put("proxy_protocol_addr", e -> address(e.connection().proxyProtocolAddress()));
        m.put("proxy_protocol_port", e -> port(e.connection().proxyProtocolAddress()));
        m.put("server_addr", e -> address(e.request().localAddress()));
        m.put("server_port", e -> port(e.request().localAddress()));
        m.put("server_name", e -> serverName(e.server().names()));
        m.put("hostname", e -> hostname());
        m.put("pid", e -> Long.toString(ProcessHandle.current().pid()));
        m.put("content_type", Variable.ofBytes(e -> e.request().header(HttpHeaderNames.CONTENT_TYPE.toString())));
        m.put("content_length", e -> e.request().header(HttpHeaderNames.CONTENT_LENGTH.toString()));
        m.put("request_length", e -> Long.toString(e.requestLength()));
        m.put("request_body", Variable.ofBytes(e -> e.request().bodyFile() == null && e.request().hasBody()
                ? e.request().body().toString(StandardCharsets.ISO_8859_1) : null));
        m.put("request_body_file", e -> e.request().bodyFile() == null ? null : e.request().bodyFile().toString());
        m.put("status", e -> status(e.response().status()));
        m.put("body_bytes_sent", e -> Long.toString(e.bodyBytesSent()));
        m.put("bytes_sent", e -> Long.toString(e.bytesSent()));
        m.put("request_time", e -> millis((System.nanoTime() - e.startNanos()) / 1_000_000));
        m.put("msec", e -> millis(System.currentTimeMillis()));
        m.put("time_local", e -> timeLocal());
        m.put("remote_user", Variable.ofBytes(Variables::remoteUser));
        m.put("time_iso8601", e -> TIME_ISO.format(Instant.now()));
        m.put("connection", e -> Long.toString(e.connection().id()));
        m.put("connection_requests", e -> Integer.toString(e.connection().requests()));
        m.put("request_id", Variables::requestId);
        return Map.copyOf(m);
    }

    private static Map<String, Function<String, Variable>> prefixes() {
        Map<String, Function<String, Variable>> m = new LinkedHashMap<>();
        m.put("http_", suffix -> {
            AsciiString header = AsciiString.cached(suffix.replace('_', '-'));
            return Variable.ofBytes(e -> header(e.request(), header));
        });
        m.put("sent_http_", suffix -> {
            AsciiString header = AsciiString.cached(suffix.replace('_', '-'));
            return e -> e.response().headers().get(header); // response headers are text
        });
        m.put("cookie_", suffix -> Variable.ofBytes(e -> cookie(e.request(), suffix)));
        m.put("arg_", suffix -> Variable.ofBytes(e -> e.request().arg(suffix)));
        return m;
    }

    private static String host(HttpExchange e) {
        String h = e.request().host();
        if (h != null && !h.isEmpty()) {
            return h;
        }
        return serverName(e.server().names());
    }

    /** nginx's server_name: the first name, a leading dot dropped ({@code .example.com} is {@code example.com}). */
    private static String serverName(List<String> names) {
        String first = names.isEmpty() ? "" : names.get(0);
        return first.startsWith(".") ? first.substring(1) : first;
    }

    private static String header(Request request, AsciiString name) {
        List<String> all = request.headers().getAll(name);
        if (all.isEmpty()) {
            return null;
        }
        // nginx joins repeated headers; cookies with "; ", others with ", "
        return all.size() == 1 ? all.get(0) : String.join(name.contentEqualsIgnoreCase("cookie") ? "; " : ", ", all);
    }

    static String cookie(Request request, String name) {
        for (String line : request.headers().getAll(HttpHeaderNames.COOKIE)) {
            int i = 0;
            while (i < line.length()) {
                while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == ';')) {
                    i++;
                }
                int end = line.indexOf(';', i);
                if (end < 0) {
                    end = line.length();
                }
                int eq = line.indexOf('=', i);
                if (eq > i && eq < end && eq - i == name.length() && line.regionMatches(true, i, name, 0, name.length())) {
                    return line.substring(eq + 1, end).trim();
                }
                i = end + 1;
            }
        }
        return null;
    }

    private static String address(InetSocketAddress a) {
        return Addresses.print(a);
    }

    private static String binaryAddress(InetSocketAddress a) {
        if (a == null || a.getAddress() == null) {
            return null;
        }
        return new String(a.getAddress().getAddress(), StandardCharsets.ISO_8859_1);
    }

    private static String port(InetSocketAddress a) {
        return a == null ? null : Integer.toString(a.getPort());
    }

    private static String status(int status) {
        return status <= 0 ? "000" : Integer.toString(status);
    }

    /** Milliseconds as nginx prints times: seconds with three decimals. */
    static String millis(long ms) {
        long s = ms / 1000;
        long r = ms % 1000;
        return s + (r < 10 ? ".00" : r < 100 ? ".0" : ".") + r;
    }

    private static String hostname() {
        String h = hostname;
        if (h == null) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException ex) {
                h = "localhost";
            }
            hostname = h;
        }
        return h;
    }

    /** The time in the access log's format, formatted once a second. */
    private static String timeLocal() {
        long second = System.currentTimeMillis() / 1000;
        Object[] cached = timeLocal;
        if ((Long) cached[0] != second) {
            cached = new Object[] {second, TIME_LOCAL.format(Instant.ofEpochSecond(second))};
            timeLocal = cached;
        }
        return (String) cached[1];
    }

    private static volatile Object[] timeLocal = {-1L, ""};

    /** The user of an {@code Authorization: Basic} header (not verified: auth-basic does that). */
    private static String remoteUser(HttpExchange e) {
        String auth = e.request().header(HttpHeaderNames.AUTHORIZATION.toString());
        if (auth == null || auth.length() < 7 || !auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(0, colon);
        } catch (IllegalArgumentException bad) {
            return null;
        }
    }

    private static String requestId(HttpExchange e) {
        String id = e.attribute(REQUEST_ID);
        if (id == null) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            id = String.format("%016x%016x", r.nextLong(), r.nextLong());
            e.attribute(REQUEST_ID, id);
        }
        return id;
    }
}
