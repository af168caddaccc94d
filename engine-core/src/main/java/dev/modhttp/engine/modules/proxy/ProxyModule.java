package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.ErrorPage;
import dev.modhttp.engine.core.TempDirectories;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.module.EngineInfo;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.module.UpstreamObserver;
import dev.modhttp.engine.phase.Order;
import dev.modhttp.engine.phase.Phase;
import dev.modhttp.engine.phase.Result;
import dev.modhttp.engine.variable.Template;
import dev.modhttp.engine.variable.Variable;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    /** Observes each attempt at a backend; null without one. */
    private UpstreamObserver observer;

    public static final ConfigSpec<ProxyPassConfig> PASS = ConfigSpec.flat(ProxyPassConfig.class)
            .scopes(Scope.LOCATION).inherited(false).build();

    public static final ConfigSpec<ProxyConfig> CONFIG = ConfigSpec.flat(ProxyConfig.class)
            .defaults(ProxyConfig.DEFAULTS).build();

    public static final ConfigSpec<ProxyHeadersConfig> HEADERS = ConfigSpec.flat(ProxyHeadersConfig.class)
            .defaults(ProxyHeadersConfig.DEFAULTS).merge(ProxyHeadersConfig::merge).build();

    public static final ConfigSpec<UpstreamsConfig> UPSTREAMS = ConfigSpec.flat(UpstreamsConfig.class)
            .defaults(new UpstreamsConfig(List.of())).build();

    private final Map<Location, Route> routes = new IdentityHashMap<>();
    private final Map<String, Peers> upstreams = new LinkedHashMap<>();
    private final Map<String, Peers> direct = new ConcurrentHashMap<>();
    final UpstreamResolver resolver = new UpstreamResolver();
    private static final int DYNAMIC_LIMIT = 256;
    private final Map<String, Peers> dynamic = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Peers> eldest) {
            return size() > DYNAMIC_LIMIT;
        }
    };
    private final Map<Peers, Template> hashKeys = new IdentityHashMap<>();
    private final UpstreamPools pools = new UpstreamPools();
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
        v.put("upstream_bytes_sent", ex -> state(ex, UpstreamState::bytesSent));
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
        for (int i = 0; i < declared.size(); i++) {
            Upstream u = declared.get(i);
            try {
                // a reload that keeps an upstream as it was keeps its peers' health, counters and pooled connections
                Peers peers = pools.carry(registry, u);
                if (upstreams.put(u.name(), peers) != null) {
                    throw new IllegalArgumentException("duplicate upstream \"" + u.name() + "\"");
                }
                if (u.hashKey() != null) {
                    hashKeys.put(peers, registry.variables().compile(u.hashKey()));
                }
                if (u.resolveValid() != null) {
                    resolver.add(peers);
                }
            } catch (IllegalArgumentException e) {
                throw new ConfigException("upstreams[" + i + "]", e.getMessage().startsWith("duplicate") ? "name"
                        : u.hashKey() != null && e.getMessage().contains("variable") ? "balance" : "servers",
                        e.getMessage(), e);
            }
        }
        registry.forEachLocation(l -> {
            ProxyPass pass = l.isConfigured(PASS) ? l.config(PASS).proxyPass() : null;
            if (pass != null) {
                TempDirectories.prepare(l, "proxy-temp-path", at -> at.config(CONFIG).proxyTempPath());
                try {
                    routes.put(l, compile(registry, l, pass));
                    l.autoRedirect(true);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(l.path(), "proxy-pass", e.getMessage(), e);
                }
            }
        });
        registry.contentHandler(PASS, this::handle).name("proxy-pass");
        registry.handler(Phase.PRECONTENT, this::takeBody).order(Order.LATE).onlyWhere(PASS)
                .onlyWhere(CONFIG, c -> !c.proxyRequestBuffering() && c.proxyPassRequestBody())
                .name("proxy-request-buffering");
        if (!routes.isEmpty()) { // the generation's observer of attempts (the metrics module), when there is one
            registry.hook(new Hook() {
                @Override
                public HookResult init(EngineInfo engine) {
                    observer = engine.module(UpstreamObserver.class).orElse(null);
                    return HookResult.GO_ON;
                }
            });
        }
        if (!resolver.isEmpty()) {
            registry.hook(new Hook() {
                @Override
                public HookResult trigger(EngineInfo engine) {
                    resolver.tick(System.nanoTime());
                    return HookResult.GO_ON;
                }

                @Override
                public HookResult cleanup(EngineInfo engine) {
                    resolver.close();
                    return HookResult.GO_ON;
                }
            });
        }
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
                peers = direct.computeIfAbsent(pass.origin(), k -> pools.carry(registry, Upstream.implicit(pass)));
            }
        }
        ProxyConfig conf = l.config(CONFIG);
        List<Route.Header> headers = new ArrayList<>();
        List<ProxyHeadersConfig.SetHeader> set = l.config(HEADERS).proxySetHeader();
        for (ProxyHeadersConfig.SetHeader h : set) {
            try {
                headers.add(new Route.Header(AsciiString.of(h.name()), registry.variables().compile(h.value())));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(l.path(), "proxy-set-header", e.getMessage(), e);
            }
        }
        HttpHeaders excluded = ProxyFields.excluded(set);
        HttpHeaders hidden = ProxyFields.hidden(conf);
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

    /**
     * proxy-request-buffering off: the body is taken before READ_BODY would buffer it, unless
     * its length is unknown and the backend speaks HTTP/1.0 (nginx buffers it then).
     */
    private Result takeBody(HttpExchange ex) {
        boolean unknownLength = ex.request().header("Content-Length") == null;
        if (routes.containsKey(ex.location()) && UnbufferedBody.of(ex) == null
                && !(unknownLength && ex.location().config(CONFIG).proxyHttpVersion().equals("1.0"))) {
            UnbufferedBody.take(ex);
        }
        return Result.DECLINED;
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
                rendered = ProxyPass.parse(route.url().render(ex), false);
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
                peers = dynamic(rendered);
            }
        }
        UnbufferedBody live = UnbufferedBody.of(ex);
        if (live != null && live.sent()) { // an error page's location: the body went to another upstream in part
            logError(ex, "the unbuffered request body was already sent to an upstream");
            return Result.status(502);
        }
        String target = route.target(ex, renderedUri);
        RequestSender request;
        try {
            request = ProxyFields.request(ex, route, proxyHost, target, peers.upstream.keepalive() > 0);
        } catch (UncheckedIOException e) {
            logError(ex, e.getMessage());
            return Result.ERROR;
        }
        return new ProxyRequest(this, ex, route, peers, new Route.Target(proxyHost, target, tlsHost), pick(ex, peers))
                .start(request);
    }

    UpstreamObserver observer() {
        return observer;
    }

    private static void logError(HttpExchange ex, String message) {
        LOG.error("{}, client: {}, server: {}, request: \"{}\"", message, ex.request().remoteAddressText(),
                serverName(ex), ex.request().requestLine());
    }

    /**
     * Every peer of every upstream (and of each proxy-pass URL naming a host directly) as it is
     * now: for the actuator's {@code engine} endpoint and the metrics module.
     */
    public List<PeerView> peers() {
        List<PeerView> all = new ArrayList<>();
        long now = Peers.now();
        upstreams.values().forEach(p -> all.addAll(p.view(now)));
        direct.values().forEach(p -> all.addAll(p.view(now)));
        return all;
    }

    /**
     * One peer as it is now, of an upstream or of a proxy-pass {@code host:port} (its name in
     * {@link PeerView#upstream()}); null once it is gone (resolved away). Reads that upstream only.
     */
    public PeerView peer(String upstream, String address) {
        Peers p = upstreams.containsKey(upstream) ? upstreams.get(upstream) : direct.values().stream()
                .filter(d -> d.upstream.name().equals(upstream)).findFirst().orElse(null);
        if (p != null) {
            for (PeerView v : p.view(Peers.now())) {
                if (v.address().equals(address)) {
                    return v;
                }
            }
        }
        return null;
    }

    /**
     * The peers of a host:port a proxy-pass URL with variables rendered: kept for the last
     * {@link #DYNAMIC_LIMIT} of them (a client choosing the host cannot grow the heap), with no
     * pooled connections (nginx keeps none either).
     */
    private Peers dynamic(ProxyPass rendered) {
        synchronized (dynamic) {
            return dynamic.computeIfAbsent(rendered.origin(), k -> new Peers(Upstream.implicit(rendered).unpooled()));
        }
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
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }

    // ---- what ProxyRequest asks of the module ----------------------------------------------

    Class<? extends Channel> channelType() {
        return channelType;
    }

    BackendPool pool(EventLoop loop, Peers peers) {
        return pools.pool(loop, peers);
    }

    /** Netty's HTTP/1.1 client codec, header fields validated, the head within proxy-buffer-size. */
    BackendCodec codec(ProxyConfig conf) {
        int max = (int) conf.proxyBufferSize().bytes();
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxInitialLineLength(max).setMaxHeaderSize(max)
                .setMaxChunkSize(64 * 1024)
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(true)
                        .withValueValidation(true))
                .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withValidation(true)
                        .withValueValidation(true));
        return new BackendCodec(config);
    }

    boolean nextUpstreamFor(ProxyConfig conf, Attempts.Failure kind) {
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
