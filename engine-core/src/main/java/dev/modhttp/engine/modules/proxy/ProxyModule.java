package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.config.Scopes;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.ErrorPage;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.variable.Template;
import dev.modhttp.engine.variable.Variable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nginx's proxy and upstream modules: a location with {@code proxy-pass} passes its requests to
 * a backend over HTTP/1.1 (pooled connections on the client connection's event loop) and
 * streams the response back, paced by the client.
 *
 * <pre>
 * upstreams:
 *   - name: api
 *     servers: ["10.0.0.1:8080", "10.0.0.2:8080 backup"]
 * servers:
 *   - locations:
 *       - location: /api/
 *         proxy-pass: http://api/v1/          # /api/users -> /v1/users
 *         proxy-set-header: ["X-Forwarded-For $proxy_add_x_forwarded_for"]
 * </pre>
 */
public final class ProxyModule implements Module {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    /** {@code proxy-pass} (location scope, not inherited by nested locations, as nginx's). */
    public record ProxyPassConfig(ProxyPass proxyPass) {
    }

    /** {@code upstreams} (main scope). */
    public record UpstreamsConfig(@Scopes(Scope.MAIN) List<Upstream> upstreams) {
    }

    public static final ConfigSpec<ProxyPassConfig> PASS = ConfigSpec.flat(ProxyPassConfig.class)
            .scopes(Scope.LOCATION).inherited(false).build();

    public static final ConfigSpec<ProxyConfig> CONFIG = ConfigSpec.flat(ProxyConfig.class)
            .defaults(ProxyConfig.DEFAULTS).build();

    public static final ConfigSpec<ProxyHeadersConfig> HEADERS = ConfigSpec.flat(ProxyHeadersConfig.class)
            .defaults(ProxyHeadersConfig.DEFAULTS).merge(ProxyHeadersConfig::merge).build();

    public static final ConfigSpec<UpstreamsConfig> UPSTREAMS = ConfigSpec.flat(UpstreamsConfig.class)
            .defaults(new UpstreamsConfig(List.of())).build();

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

    private final Map<Location, Route> routes = new IdentityHashMap<>();
    private final Map<String, Peers> upstreams = new HashMap<>();
    private final Map<String, Peers> direct = new ConcurrentHashMap<>();
    private final Map<Peers, Template> hashKeys = new IdentityHashMap<>();
    private final Map<EventLoop, Map<Peers, BackendPool>> pools = new ConcurrentHashMap<>();
    private final Class<? extends Channel> channelType =
            Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class; // as the engine's event loops

    @Override
    public Map<String, Variable> variables() {
        Map<String, Variable> v = new HashMap<>();
        v.put("proxy_host", ex -> proxyHostOf(ex));
        v.put("proxy_port", ex -> {
            Route r = routes.get(ex.location());
            return r == null ? null : Integer.toString(r.pass().port());
        });
        v.put("proxy_add_x_forwarded_for", ex -> {
            List<String> xff = ex.request().headers().getAll("X-Forwarded-For"); // several fields join as one
            String addr = ex.request().remoteAddressText();
            return xff.isEmpty() ? addr : String.join(", ", xff) + ", " + addr;
        });
        v.put("upstream_addr", ex -> state(ex, UpstreamState::addr));
        v.put("upstream_status", ex -> state(ex, UpstreamState::status));
        v.put("upstream_connect_time", ex -> state(ex, UpstreamState::connectTime));
        v.put("upstream_header_time", ex -> state(ex, UpstreamState::headerTime));
        v.put("upstream_response_time", ex -> state(ex, UpstreamState::responseTime));
        v.put("upstream_response_length", ex -> state(ex, UpstreamState::responseLength));
        v.put("upstream_bytes_received", ex -> state(ex, UpstreamState::bytesReceived));
        return v;
    }

    @Override
    public Map<String, Function<String, Variable>> variablePrefixes() {
        return Map.of("upstream_http_", suffix -> {
            AsciiString name = AsciiString.cached(suffix.replace('_', '-'));
            return ex -> state(ex, s -> s.field(name));
        });
    }

    private static String state(HttpExchange ex, Function<UpstreamState, String> f) {
        UpstreamState s = UpstreamState.find(ex);
        return s == null ? null : f.apply(s);
    }

    private String proxyHostOf(HttpExchange ex) {
        Route r = routes.get(ex.location());
        return r == null ? null : r.pass().variables() ? null : r.pass().proxyHost();
    }

    @Override
    public void register(ModuleRegistry registry) {
        List<Upstream> declared = new ArrayList<>();
        registry.forEachLocation(l -> {
            if (declared.isEmpty()) {
                declared.addAll(l.config(UPSTREAMS).upstreams());
            }
        });
        for (Upstream u : declared) {
            try {
                Peers peers = new Peers(u);
                if (upstreams.put(u.name(), peers) != null) {
                    throw new IllegalArgumentException("duplicate upstream \"" + u.name() + "\"");
                }
                if (u.hashKey() != null) {
                    hashKeys.put(peers, registry.variables().compile(u.hashKey()));
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException("upstreams", u.name(), e.getMessage(), e);
            }
        }
        registry.forEachLocation(l -> {
            ProxyPass pass = l.isConfigured(PASS) ? l.config(PASS).proxyPass() : null;
            if (pass != null) {
                try {
                    routes.put(l, compile(registry, l, pass));
                    l.autoRedirect(true);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(l.path(), "proxy-pass", e.getMessage(), e);
                }
            }
        });
        registry.contentHandler(PASS, this::handle).name("proxy-pass");
    }

    private Route compile(ModuleRegistry registry, Location l, ProxyPass pass) {
        if (pass.uri() != null && !pass.variables()
                && (l.kind() == Location.Kind.REGEX || l.kind() == Location.Kind.REGEX_CASELESS
                || l.kind() == Location.Kind.NAMED)) {
            throw new IllegalArgumentException("\"proxy-pass\" cannot have URI part in location given by regular "
                    + "expression, or inside named location");
        }
        Peers peers = null;
        if (!pass.variables()) {
            peers = upstreams.get(pass.host());
            if (peers != null && pass.portWritten()) {
                throw new IllegalArgumentException("upstream \"" + pass.host() + "\" may not have port " + pass.port());
            }
            if (peers == null) {
                peers = direct.computeIfAbsent(pass.origin(), k -> new Peers(Upstream.implicit(pass)));
            }
        }
        ProxyConfig conf = l.config(CONFIG);
        List<Route.Header> headers = new ArrayList<>();
        HttpHeaders excluded = UNVALIDATED.newHeaders();
        Route.DEFAULT_SET.forEach(n -> excluded.add(n, ""));
        excluded.add(HttpHeaderNames.PROXY_CONNECTION, "").add(HttpHeaderNames.TRAILER, "");
        for (ProxyHeadersConfig.SetHeader h : l.config(HEADERS).proxySetHeader()) {
            excluded.add(h.name(), "");
            headers.add(new Route.Header(AsciiString.of(h.name()), registry.variables().compile(h.value())));
        }
        HttpHeaders hidden = UNVALIDATED.newHeaders();
        HOP_BY_HOP.forEach(n -> hidden.add(n, ""));
        HIDDEN.forEach(n -> hidden.add(n, ""));
        conf.proxyHideHeader().forEach(n -> hidden.add(n, ""));
        conf.proxyPassHeader().forEach(n -> {
            if (!HOP_BY_HOP.contains(AsciiString.of(n.toLowerCase(Locale.ROOT)))) {
                hidden.remove(n);
            }
        });
        List<Route.Redirect> redirects = new ArrayList<>();
        for (String r : conf.proxyRedirect()) {
            String t = r.trim();
            if (t.equals("off")) {
                redirects.clear();
            } else if (t.equals("default")) {
                Route.Redirect d = Route.defaultRedirect(pass, l);
                if (d != null) {
                    redirects.add(d);
                }
            } else {
                String[] ft = t.split("\\s+");
                redirects.add(new Route.Redirect(ft[0], ft[1]));
            }
        }
        BackendTls tls = pass.https() || pass.variables() ? new BackendTls(conf) : null;
        return new Route(pass, pass.variables() ? registry.variables().compile(pass.url()) : null, peers, l, conf,
                List.copyOf(headers), excluded, hidden, List.copyOf(redirects), tls);
    }

    private Result handle(HttpExchange ex) {
        Route route = routes.get(ex.location());
        if (route == null) {
            return Result.DECLINED;
        }
        Peers peers = route.peers();
        String proxyHost = route.pass().proxyHost();
        String renderedUri = null;
        String tlsHost = route.pass().https() ? route.pass().host() : null;
        if (route.pass().variables()) {
            ProxyPass rendered;
            try {
                rendered = ProxyPass.parse(route.url().render(ex));
            } catch (IllegalArgumentException e) {
                logError(ex, e.getMessage());
                return Result.status(500);
            }
            renderedUri = rendered.uri();
            proxyHost = rendered.proxyHost();
            tlsHost = rendered.https() ? rendered.host() : null;
            peers = rendered.portWritten() ? null : upstreams.get(rendered.host());
            if (peers == null) {
                if (!isAddress(rendered.host())) {
                    logError(ex, "no resolver defined to resolve " + rendered.host());
                    return Result.status(502);
                }
                peers = direct.computeIfAbsent(rendered.origin(), k -> new Peers(Upstream.implicit(rendered)));
            }
        }
        String target = route.target(ex, renderedUri);
        return new ProxyRequest(this, ex, route, peers, proxyHost, target, pick(ex, peers), tlsHost).start();
    }

    private static void logError(HttpExchange ex, String message) {
        LOG.error("{}, client: {}, server: {}, request: \"{}\"", message, ex.request().remoteAddressText(),
                serverName(ex), ex.request().requestLine());
    }

    /** A request's selection state, with the key its upstream's balancing method hashes. */
    private Peers.Pick pick(HttpExchange ex, Peers peers) {
        return switch (peers.method()) {
            case "ip-hash" -> new Peers.Pick(Peers.Pick.address(ex.request().remoteAddress().getAddress()));
            case "hash", "hash-consistent" -> {
                String key = hashKeys.get(peers).render(ex);
                boolean bytes = key.chars().allMatch(c -> c < 256); // the request's own bytes, one char each
                yield new Peers.Pick(key.getBytes(bytes ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
            }
            default -> new Peers.Pick(null);
        };
    }

    /** Whether {@code host} is an IP address (a variable's host needs no resolver then). */
    static boolean isAddress(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9');
    }

    // ---- what ProxyRequest asks of the module ----------------------------------------------

    Class<? extends Channel> channelType() {
        return channelType;
    }

    BackendPool pool(EventLoop loop, Peers peers) {
        return pools.computeIfAbsent(loop, l -> new IdentityHashMap<>())
                .computeIfAbsent(peers, p -> new BackendPool(p.upstream));
    }

    /** Netty's HTTP/1.1 client codec, header fields validated, the head within proxy-buffer-size. */
    HttpClientCodec codec(ProxyConfig conf) {
        int max = (int) conf.proxyBufferSize().bytes();
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxInitialLineLength(max).setMaxHeaderSize(max)
                .setMaxChunkSize(64 * 1024)
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(true)
                        .withValueValidation(true))
                .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withValidation(true)
                        .withValueValidation(true));
        return new HttpClientCodec(config, false, false);
    }

    /** The request to the backend: method, target, proxy-set-header, nginx's defaults, the client's fields, the body. */
    FullHttpRequest buildRequest(HttpExchange ex, Route route, String proxyHost, String target, boolean pooled) {
        Request r = ex.request();
        ProxyConfig conf = route.conf();
        boolean http10 = conf.proxyHttpVersion().equals("1.0");
        ByteBuf body = conf.proxyPassRequestBody() ? r.body().retainedDuplicate() : Unpooled.EMPTY_BUFFER;
        // the fields come validated (the client's by the engine's parser, set ones rendered header-safe)
        FullHttpRequest req = new DefaultFullHttpRequest(http10 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(r.method()), target, body, UNVALIDATED, UNVALIDATED);
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
        if (body.isReadable() || conf.proxyPassRequestBody() && (in.contains(HttpHeaderNames.CONTENT_LENGTH)
                || in.contains(HttpHeaderNames.TRANSFER_ENCODING))) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
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
        return req;
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
    void copyHead(HttpExchange ex, Route route, HttpResponse head, Response response) {
        response.status(head.status().code());
        HttpHeaders out = response.headers();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = head.headers().iteratorCharSequence(); it.hasNext();) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            if (route.hidden().contains(name)) {
                continue;
            }
            if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.LOCATION)) {
                String value = route.redirect(e.getValue().toString(), false);
                out.add(name, value.startsWith("/") ? ex.request().absoluteUrl(value) : value); // absolute_redirect
            } else if (AsciiString.contentEqualsIgnoreCase(name, REFRESH)) {
                out.add(name, route.redirect(e.getValue().toString(), true));
            } else {
                out.add(name, e.getValue());
            }
        }
    }

    boolean nextUpstreamFor(ProxyConfig conf, ProxyRequest.Failure kind) {
        return conf.proxyNextUpstream().contains(kind.name().toLowerCase(Locale.ROOT));
    }

    boolean nextUpstreamFor(ProxyConfig conf, int status) {
        return switch (status) {
            case 500, 502, 503, 504, 403, 404, 429 -> conf.proxyNextUpstream().contains("http_" + status);
            default -> false;
        };
    }

    boolean hasErrorPage(HttpExchange ex, int status) {
        for (ErrorPage p : ex.config(CoreModule.CONFIG).errorPage()) {
            if (p.codes().contains(status)) {
                return true;
            }
        }
        return false;
    }

    /** The error log's words for a connection to a backend that did not open. */
    static String connectFailure(Throwable cause) {
        return cause instanceof ConnectTimeoutException
                ? "upstream timed out (110: Connection timed out) while connecting to upstream"
                : "connect() failed (" + cause.getMessage() + ") while connecting to upstream";
    }

    /** The error log's words for a backend head Netty's decoder refused. */
    static String headerFailure(Throwable cause) {
        boolean tooBig = cause != null && String.valueOf(cause.getMessage()).contains("larger than");
        return (tooBig ? "upstream sent too big header" : "upstream sent invalid header")
                + " while reading response header from upstream";
    }

    /** nginx's error-log context of an upstream failure. */
    static String context(HttpExchange ex, Route route, String peer, String target) {
        Request r = ex.request();
        String host = r.host();
        return "client: " + r.remoteAddressText() + ", server: " + serverName(ex) + ", request: \""
                + r.requestLine() + "\", upstream: \"" + (route.pass().https() ? "https://" : "http://")
                + peer + target + "\"" + (host == null || host.isEmpty() ? "" : ", host: \"" + host + "\"");
    }

    /** The server's first name, as nginx's error log names it. */
    static String serverName(HttpExchange ex) {
        List<String> names = ex.server().names();
        return names.isEmpty() ? "" : names.get(0);
    }
}
