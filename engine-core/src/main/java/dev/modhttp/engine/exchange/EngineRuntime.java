package dev.modhttp.engine.exchange;

import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.config.Listen;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.ErrorPage;
import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.BodyFilterChain;
import dev.modhttp.engine.filter.BodyFilterDefinition;
import dev.modhttp.engine.filter.HeaderFilterDefinition;
import dev.modhttp.engine.filter.HeaderFilterChain;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Addresses;
import dev.modhttp.engine.internal.Log;
import dev.modhttp.engine.module.EngineStatus;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Hooks;
import dev.modhttp.engine.variable.Template;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

/**
 * One generation of the engine's configuration as requests use it, built at startup and again
 * by each reload: the compiled pipelines (by {@link Location#id()}), filter chains, hooks and the
 * servers per listen address. A request keeps the generation it started on to its end; what
 * outlives generations (counters, {@code worker-connections}, the blocking executor, the
 * draining flag) is the engine's {@link Shared} part.
 */
public final class EngineRuntime {

    private final long generation;
    private final Shared shared;
    private final Hook[] hooks;
    final HeaderFilterChain headerChain;
    final BodyFilterChain bodyChain;
    private final BodyFilter[] userBodyFilters;
    final Executor blocking;
    private final Stats stats;
    private final ConnectionLimit connectionLimit;
    /** Requests started on this generation and not yet logged: it retires at 0 once replaced. */
    private final LongAdder inFlight = new LongAdder();
    private final Pipeline[] pipelines;
    private final Map<String, List<ServerConfig>> serversByAddress = new LinkedHashMap<>();
    /** The server marked default-server on an address; else the address's first. */
    private final Map<String, ServerConfig> defaultByAddress = new HashMap<>();
    /** Addresses where some listen entry asks for the PROXY protocol (nginx: an option of the socket). */
    private final Set<String> proxyProtocol = new HashSet<>();
    /** Addresses where some listen entry asks for {@code ssl}: the socket speaks TLS to every server on it. */
    private final Set<String> tls = new HashSet<>();
    /** Addresses where some listen entry has the {@code http2} parameter. */
    private final Set<String> http2 = new HashSet<>();
    /** The error pages whose URI holds variables, compiled (validated at startup). */
    private Map<ErrorPage, Template> errorPageTargets = Map.of();

    /** Sets the compiled error page URIs (nginx's {@code error_page} URI may hold variables); once, at startup. */
    public void errorPageTargets(Map<ErrorPage, Template> targets) {
        errorPageTargets = Map.copyOf(targets);
    }

    /** The URI of {@code page} for this request, its variables rendered. */
    String errorPageTarget(ErrorPage page, Exchange ex) {
        Template t = errorPageTargets.get(page);
        return t == null ? page.target() : t.render(ex);
    }

    /** What every generation of one engine shares: counters, the connection cap, the blocking executor, draining. */
    public static final class Shared {
        final Stats stats = new Stats();
        final ConnectionLimit connectionLimit = new ConnectionLimit(Integer.MAX_VALUE, stats);
        final Executor blocking;
        /** Set when the engine stops: responses then close their connections. */
        volatile boolean draining;

        public Shared(Executor blocking) {
            this.blocking = blocking;
        }
    }

    /**
     * @param generation 1 for the configuration the engine started with, one more for each reload
     * @param shared the engine's lasting part; its {@code worker-connections} takes this config's value
     */
    public EngineRuntime(long generation, Shared shared, EngineConfig config, Pipeline[] pipelines, List<Hook> hooks,
            List<HeaderFilterDefinition> headerFilters, List<BodyFilterDefinition> bodyFilters) {
        this.generation = generation;
        this.shared = shared;
        this.pipelines = pipelines.clone();
        this.hooks = hooks.toArray(new Hook[0]);
        this.blocking = shared.blocking;
        this.stats = shared.stats;
        this.connectionLimit = shared.connectionLimit;
        this.headerChain = FilterChains.header(headerFilters, ResponseWriter.HEADER_TAIL);
        this.bodyChain = FilterChains.body(bodyFilters, ResponseWriter.BODY_TAIL);
        this.userBodyFilters = bodyFilters.stream().map(BodyFilterDefinition::filter).toArray(BodyFilter[]::new);
        this.workerConnections = config.main(CoreModule.CONFIG).workerConnections();
        for (ServerConfig server : config.servers()) {
            for (Listen l : server.listens()) {
                if (l.proxyProtocol()) {
                    proxyProtocol.add(l.address());
                }
                if (l.ssl()) {
                    tls.add(l.address());
                }
                if (l.http2()) {
                    http2.add(l.address());
                }
                List<ServerConfig> list = serversByAddress.computeIfAbsent(l.address(), k -> new ArrayList<>());
                if (!list.contains(server)) {
                    list.add(server); // in config order: the first server with a name keeps it, default or not
                }
                if (l.defaultServer()) {
                    defaultByAddress.putIfAbsent(l.address(), server);
                }
            }
        }
    }

    private final int workerConnections;

    /** Makes this generation the one new connections count against: its {@code worker-connections} applies. */
    public void activate() {
        connectionLimit.max(workerConnections);
    }

    /** 1 for the configuration the engine started with, one more for each reload. */
    public long generation() {
        return generation;
    }

    /** Requests that started on this generation and have not ended yet. */
    public long inFlight() {
        return inFlight.sum();
    }

    void started() {
        inFlight.increment();
    }

    void ended() {
        inFlight.decrement();
    }

    /** The compiled pipeline of a server scope or location. */
    Pipeline pipeline(Location location) {
        return pipelines[location.id()];
    }

    /** The distinct addresses to bind, as {@code host:port} ({@code *:port} for the wildcard). */
    public List<Listen> addresses() {
        List<Listen> out = new ArrayList<>();
        for (String addr : serversByAddress.keySet()) {
            out.add(Listen.parse(addr.startsWith("*:") ? addr.substring(2) : addr));
        }
        return out;
    }

    /** The servers listening on {@code address} and nginx's choice among them by host name. */
    public VirtualHosts hosts(Listen address) {
        List<ServerConfig> servers = serversByAddress.get(address.address());
        return new VirtualHosts(servers, defaultByAddress.getOrDefault(address.address(), servers.get(0)));
    }

    /** Whether connections on {@code address} start with a PROXY protocol header. */
    public boolean proxyProtocol(Listen address) {
        return proxyProtocol.contains(address.address());
    }

    /** Whether connections on {@code address} speak TLS. */
    public boolean tls(Listen address) {
        return tls.contains(address.address());
    }

    /** Whether some listen entry of {@code address} has the {@code http2} parameter. */
    public boolean http2(Listen address) {
        return http2.contains(address.address());
    }

    /** Whether some body filter must see this response's bytes (else a file goes out zero-copy). */
    boolean bodyFiltersNeedBytes(HttpExchange exchange) {
        for (BodyFilter f : userBodyFilters) {
            if (f.needsBytes(exchange)) {
                return true;
            }
        }
        return false;
    }

    /** From now on, responses close their connections (the engine stops). */
    public void drain() {
        shared.draining = true;
    }

    public boolean draining() {
        return shared.draining;
    }

    /**
     * The server a host name selects among the servers sharing the first server's first listen
     * address, by the engine's own rules (exact, wildcards, regex, default); for diagnostics.
     */
    public ServerConfig selectServer(String host) {
        Listen first = addresses().get(0);
        return hosts(first).select(host == null ? null : Addresses.host(host));
    }

    /** The hooks a module fires itself. */
    public Hooks moduleHooks() {
        return new Hooks() {
            @Override
            public HookResult docroot(HttpExchange exchange) {
                return walk(exchange, Hook::docroot);
            }

            @Override
            public HookResult physicalPath(HttpExchange exchange) {
                return walk(exchange, Hook::physicalPath);
            }
        };
    }

    /** The engine's {@code worker-connections}: the accept path takes a place per client connection. */
    public ConnectionLimit connectionLimit() {
        return connectionLimit;
    }

    public EngineStatus status() {
        return stats.snapshot();
    }

    /** A connection's state machine, counted in this engine's stub_status counters. */
    public ConnectionStates connectionStates(long connectionId) {
        return new ConnectionStates(connectionId, stats.cell(), false);
    }

    /**
     * The states of one HTTP/2 stream: counted as reading and writing as a connection's
     * request is, but neither accepted nor active (its connection is).
     */
    public ConnectionStates streamStates(long connectionId) {
        return new ConnectionStates(connectionId, stats.cell(), true);
    }

    /** One hook method called with its subject (an exchange, a connection): a method reference, allocated once. */
    public interface HookCall<T> {
        HookResult call(Hook hook, T subject);
    }

    /** Walks the hooks in order; the first that does not go on ends the walk, and its result is returned. */
    public <T> HookResult walk(T subject, HookCall<T> call) {
        if (hooks.length == 0) {
            return HookResult.GO_ON;
        }
        for (Hook h : hooks) {
            HookResult r;
            try {
                r = call.call(h, subject);
            } catch (RuntimeException e) {
                Log.error("hook " + h.getClass().getName() + " failed", e);
                r = HookResult.ERROR;
            }
            if (r != null && !r.goOn()) {
                return r;
            }
        }
        return HookResult.GO_ON;
    }
}
