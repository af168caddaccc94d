package dev.modhttp.engine.netty;

import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.config.Listen;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.BodyFilterChain;
import dev.modhttp.engine.filter.FilterChains;
import dev.modhttp.engine.filter.FilterDefinition;
import dev.modhttp.engine.filter.HeaderFilterChain;
import dev.modhttp.engine.module.EngineStatus;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Hooks;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.internal.Addresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import dev.modhttp.engine.modules.core.CoreModule;
import dev.modhttp.engine.modules.core.HeaderBuffers;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * Engine-internal: what every connection of an engine shares, built once at startup: the
 * compiled filter chains, hooks, blocking executor, counters, and the servers per listen
 * address.
 */
public final class EngineRuntime {

    final Hook[] hooks;
    final HeaderFilterChain headerChain;
    final BodyFilterChain bodyChain;
    private final BodyFilter[] userBodyFilters;
    final Executor blocking;
    final Stats stats = new Stats();
    private final Map<String, List<ServerConfig>> serversByAddress = new LinkedHashMap<>();
    /** The server marked default-server on an address; else the address's first. */
    private final Map<String, ServerConfig> defaultByAddress = new java.util.HashMap<>();
    /** Addresses where some listen entry asks for the PROXY protocol (nginx: an option of the socket). */
    private final java.util.Set<String> proxyProtocol = new java.util.HashSet<>();

    public EngineRuntime(EngineConfig config, List<Hook> hooks, List<FilterDefinition> filters, Executor blocking) {
        this.hooks = hooks.toArray(new Hook[0]);
        this.blocking = blocking;
        this.headerChain = FilterChains.header(filters, EngineFilters.headerTail());
        this.bodyChain = FilterChains.body(filters, EngineFilters.bodyTail());
        this.userBodyFilters = filters.stream().map(FilterDefinition::bodyFilter).filter(f -> f != null)
                .toArray(BodyFilter[]::new);
        for (ServerConfig server : config.servers()) {
            for (Listen l : server.listens()) {
                if (l.proxyProtocol()) {
                    proxyProtocol.add(l.address());
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

    /** The distinct addresses to bind, as {@code host:port} ({@code *:port} for the wildcard). */
    public List<Listen> addresses() {
        List<Listen> out = new ArrayList<>();
        for (String addr : serversByAddress.keySet()) {
            out.add(Listen.parse(addr.startsWith("*:") ? addr.substring(2) : addr));
        }
        return out;
    }

    /**
     * The channel initializer for one bound address. When a wildcard and a specific address
     * share a port, nginx binds only the wildcard and picks the servers by the connection's
     * local address; {@code boundTogether} lists every address served by this socket.
     */
    public ChannelInitializer<Channel> initializer(List<Listen> boundTogether) {
        Map<InetAddress, VirtualHosts> specific = new LinkedHashMap<>();
        VirtualHosts wildcard = null;
        java.util.Set<VirtualHosts> proxied = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Listen l : boundTogether) {
            List<ServerConfig> servers = serversByAddress.get(l.address());
            VirtualHosts vh = new VirtualHosts(servers, defaultByAddress.getOrDefault(l.address(), servers.get(0)));
            if (proxyProtocol.contains(l.address())) {
                proxied.add(vh);
            }
            if (l.host() == null) {
                wildcard = vh;
            } else {
                try {
                    specific.put(InetAddress.getByName(l.host()), vh);
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalArgumentException("cannot resolve listen host " + l.host(), e);
                }
            }
        }
        VirtualHosts fallback = wildcard != null ? wildcard : specific.values().iterator().next();
        EngineRuntime runtime = this;
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                InetSocketAddress local = (InetSocketAddress) ch.localAddress();
                VirtualHosts vh = local == null ? null : specific.get(local.getAddress());
                VirtualHosts hosts = vh != null ? vh : fallback;
                HeaderBuffers buffers = hosts.defaultServer().scope().config(CoreModule.CONFIG).largeClientHeaderBuffers();
                int line = (int) buffers.size().bytes();
                RequestDecoder decoder = new RequestDecoder(line, line * buffers.number());
                if (proxied.contains(hosts)) {
                    ch.pipeline().addLast("proxy-protocol", new io.netty.handler.codec.haproxy.HAProxyMessageDecoder());
                }
                ch.pipeline().addLast("decoder", decoder);
                ch.pipeline().addLast("connection", new Connection(runtime, hosts, decoder));
            }
        };
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

    /** Set when the engine stops: responses then close their connections. */
    volatile boolean draining;

    public void drain() {
        draining = true;
    }

    /** Whether the connection on {@code ch} is idle (between requests), so a stop may close it now. */
    public static boolean isIdle(Channel ch) {
        Connection c = ch.pipeline().get(Connection.class);
        return c == null || c.state() == dev.modhttp.engine.module.ConnectionState.REQUEST_START
                || c.state() == dev.modhttp.engine.module.ConnectionState.CONNECT;
    }

    /**
     * The server a host name selects among the servers sharing the first server's first listen
     * address, by the engine's own rules (exact, wildcards, regex, default); for diagnostics.
     */
    public ServerConfig selectServer(String host) {
        String address = serversByAddress.keySet().iterator().next();
        List<ServerConfig> servers = serversByAddress.get(address);
        return new VirtualHosts(servers, defaultByAddress.getOrDefault(address, servers.get(0)))
                .select(host == null ? null : Addresses.host(host));
    }

    /** The hooks a module fires itself. */
    public Hooks moduleHooks() {
        return new Hooks() {
            @Override
            public HookResult docroot(HttpExchange exchange) {
                return walk(h -> h.docroot(exchange));
            }

            @Override
            public HookResult physicalPath(HttpExchange exchange) {
                return walk(h -> h.physicalPath(exchange));
            }
        };
    }

    public EngineStatus status() {
        return stats.snapshot();
    }

    /** Walks connection hooks; the first that does not go on ends the walk. */
    interface HookCall {
        HookResult call(Hook hook);
    }

    HookResult walk(HookCall call) {
        if (hooks.length == 0) {
            return HookResult.GO_ON;
        }
        for (Hook h : hooks) {
            HookResult r;
            try {
                r = call.call(h);
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
