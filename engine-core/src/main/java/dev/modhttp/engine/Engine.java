package dev.modhttp.engine;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.config.Listen;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.exchange.ConnectionLimit;
import dev.modhttp.engine.exchange.EngineRuntime;
import dev.modhttp.engine.exchange.Pipeline;
import dev.modhttp.engine.filter.BodyFilterDefinition;
import dev.modhttp.engine.filter.HeaderFilterDefinition;
import dev.modhttp.engine.http.DateCache;
import dev.modhttp.engine.http1.Http1Initializer;
import dev.modhttp.engine.tls.TlsContexts;
import dev.modhttp.engine.core.SslBundleSource;
import dev.modhttp.engine.internal.BlockingExecutor;
import dev.modhttp.engine.internal.Signals;
import dev.modhttp.engine.module.EngineInfo;
import dev.modhttp.engine.module.EngineStatus;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Hooks;
import dev.modhttp.engine.module.Module;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP engine: Netty event loops serving the configured servers through nginx's phase
 * pipeline. Built by {@link #builder()}, usable without Spring:
 *
 * <pre>{@code
 * Engine engine = Engine.builder().config(yamlTree).module(new HelloModule()).build().start();
 * int port = engine.ports().get(0);
 * ...
 * engine.stop(Duration.ofSeconds(30));
 * }</pre>
 *
 * Uses the native epoll transport where the platform has it, NIO otherwise.
 */
public final class Engine implements EngineInfo {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final EngineConfig config;
    private final List<ConfigSpec<?>> specs;
    private final List<Hook> hooks;
    private final EngineRuntime runtime;
    private final TlsContexts tls;
    private final BlockingExecutor blocking;
    private final Map<String, List<String>> pipelines;
    private final int ioThreads;
    private final List<Consumer<ServerBootstrap>> bootstrapCustomizers;
    private final List<Channel> servers = new ArrayList<>();
    private final List<InetSocketAddress> bound = new ArrayList<>();
    private ChannelGroup connections;
    private EventLoopGroup group;
    private ScheduledExecutorService ticker;
    private boolean started;
    private final boolean reloadOnSighup;
    private Runnable restoreSighup;
    private final List<Module> modules;

    Engine(EngineConfig config, List<ConfigSpec<?>> specs, List<HeaderFilterDefinition> headerFilters,
            List<BodyFilterDefinition> bodyFilters, List<Hook> hooks,
            Pipeline[] compiled, Map<String, List<String>> pipelines, int ioThreads, int blockingLimit,
            List<Consumer<ServerBootstrap>> bootstrapCustomizers, boolean reloadOnSighup, SslBundleSource sslBundles,
            List<Module> modules) {
        this.config = config;
        this.modules = modules;
        this.specs = specs;
        this.hooks = List.copyOf(hooks);
        this.pipelines = Collections.unmodifiableMap(new LinkedHashMap<>(pipelines));
        this.ioThreads = ioThreads;
        this.bootstrapCustomizers = bootstrapCustomizers;
        this.reloadOnSighup = reloadOnSighup;
        this.blocking = new BlockingExecutor(blockingLimit);
        this.runtime = new EngineRuntime(config, compiled, hooks, headerFilters, bodyFilters, blocking);
        this.tls = TlsContexts.build(config, sslBundles);
        walkServerHooks("init", h -> h.init(this));
        walkServerHooks("setDefaults", h -> h.setDefaults(this));
        if (LOG.isDebugEnabled()) {
            pipelines.forEach((where, steps) -> LOG.debug("pipeline of {}:\n  {}", where, String.join("\n  ", steps)));
        }
    }

    public static EngineBuilder builder() {
        return new EngineBuilder();
    }

    /** Binds every listen address and starts serving. */
    public synchronized Engine start() {
        if (started) {
            return this;
        }
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(ioThreads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        connections = new DefaultChannelGroup("engine-connections", GlobalEventExecutor.INSTANCE);
        try {
            for (Map.Entry<Listen, List<Listen>> socket : sockets().entrySet()) {
                Listen l = socket.getKey();
                ServerBootstrap b = new ServerBootstrap()
                        .group(group)
                        .channel(channelType)
                        .option(ChannelOption.SO_BACKLOG, 511)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                        .childHandler(new ChannelInitializer<Channel>() {
                            private final ChannelInitializer<Channel> inner =
                                    new Http1Initializer(runtime, tls, socket.getValue());

                            @Override
                            protected void initChannel(Channel ch) {
                                ConnectionLimit limit = runtime.connectionLimit();
                                if (!limit.admit()) {
                                    ch.close(); // worker-connections all taken: as nginx, accepted and closed
                                    return;
                                }
                                ch.closeFuture().addListener(f -> limit.release());
                                connections.add(ch);
                                ch.pipeline().addLast(inner);
                            }
                        });
                bootstrapCustomizers.forEach(c -> c.accept(b));
                InetSocketAddress address = l.host() == null ? new InetSocketAddress(l.port())
                        : new InetSocketAddress(l.host(), l.port());
                try {
                    Channel ch = b.bind(address).syncUninterruptibly().channel();
                    servers.add(ch);
                    bound.add((InetSocketAddress) ch.localAddress());
                } catch (Exception e) {
                    if (e instanceof BindException || e.getCause() instanceof BindException
                            || String.valueOf(e.getMessage()).contains("Address already in use")) {
                        throw new PortInUseException(l.address(), l.port(), e);
                    }
                    throw new EngineException("cannot listen on " + l.address() + ": " + e.getMessage(), e);
                }
            }
        } catch (RuntimeException e) {
            servers.forEach(ch -> ch.close().syncUninterruptibly());
            servers.clear();
            bound.clear();
            shutdownGroups();
            throw e;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "engine-trigger");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        if (reloadOnSighup) {
            restoreSighup = Signals.onHangup(() -> ticker.execute(this::reload));
        }
        started = true;
        LOG.info("Engine started on port(s) {} ({})", ports(), epoll ? "epoll" : "nio");
        return this;
    }

    /** Groups listen addresses into sockets: a wildcard on a port also serves that port's specific addresses. */
    private Map<Listen, List<Listen>> sockets() {
        List<Listen> all = runtime.addresses();
        Map<Listen, List<Listen>> sockets = new LinkedHashMap<>();
        for (Listen l : all) {
            if (l.host() != null && l.port() != 0
                    && all.stream().anyMatch(w -> w.host() == null && w.port() == l.port())) {
                continue; // served by the wildcard socket
            }
            List<Listen> together = new ArrayList<>();
            together.add(l);
            if (l.host() == null && l.port() != 0) {
                all.stream().filter(s -> s.host() != null && s.port() == l.port()).forEach(together::add);
            }
            sockets.put(l, together);
        }
        return sockets;
    }

    private void tick() {
        DateCache.refresh();
        tls.reloadChanged(); // certificates whose files changed serve new handshakes from now on
        walkServerHooks("trigger", h -> h.trigger(this));
    }

    /** Reads changed certificates and fires the {@code reload} hooks (re-open files and the like). */
    public void reload() {
        tls.reloadChanged();
        walkServerHooks("reload", h -> h.reload(this));
    }

    private void walkServerHooks(String name, Function<Hook, HookResult> call) {
        for (Hook h : hooks) {
            try {
                HookResult r = call.apply(h);
                if (r != null && !r.goOn()) {
                    if (r.isError()) {
                        LOG.error("{} hook {} failed", name, h.getClass().getName());
                    }
                    return;
                }
            } catch (RuntimeException e) {
                LOG.error("{} hook {} failed", name, h.getClass().getName(), e);
                return;
            }
        }
    }

    /**
     * Stops gracefully: stops accepting, closes idle connections at once, lets requests in
     * flight finish (their responses close the connection) for up to {@code grace}, then
     * closes what is left.
     */
    public synchronized void stop(Duration grace) {
        if (!started) {
            return;
        }
        started = false;
        for (Channel ch : servers) {
            ch.close().syncUninterruptibly();
        }
        runtime.drain();
        long deadline = System.nanoTime() + grace.toNanos();
        while (true) {
            for (Channel ch : connections) {
                ch.eventLoop().execute(() -> {
                    if (Http1Initializer.isIdle(ch)) {
                        ch.close();
                    }
                });
            }
            if (connections.isEmpty() || System.nanoTime() - deadline >= 0) {
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        connections.close().awaitUninterruptibly();
        if (restoreSighup != null) {
            restoreSighup.run();
            restoreSighup = null;
        }
        ticker.shutdownNow();
        shutdownGroups();
        blocking.close();
        walkServerHooks("cleanup", h -> h.cleanup(this));
        servers.clear();
        bound.clear();
        LOG.info("Engine stopped");
    }

    private void shutdownGroups() {
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }

    public boolean isRunning() {
        return started;
    }

    @Override
    public EngineConfig config() {
        return config;
    }

    /** The bound ports, in listen order (with port 0 resolved). */
    @Override
    public List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        for (InetSocketAddress a : bound) {
            ports.add(a.getPort());
        }
        return ports;
    }

    public List<InetSocketAddress> boundAddresses() {
        return List.copyOf(bound);
    }

    @Override
    public EngineStatus status() {
        return runtime.status();
    }

    /**
     * The server that requests for {@code host} reach on the first listen address, chosen as
     * the engine chooses (exact name, leading then trailing wildcard, regex, default server).
     */
    public ServerConfig selectServer(String host) {
        return runtime.selectServer(host);
    }

    /** The engine's module of {@code type} (a built-in one or a user's), if it has one. */
    @Override
    public <T> Optional<T> module(Class<T> type) {
        return modules.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** The config records declared by the engine's modules. */
    public List<ConfigSpec<?>> configSpecs() {
        return specs;
    }

    /** The compiled pipelines, one list of steps per server and location. */
    public Map<String, List<String>> pipelines() {
        return pipelines;
    }

    Hooks moduleHooks() {
        return runtime.moduleHooks();
    }

    /** Whether blocking handlers run on virtual threads. */
    public boolean blockingOnVirtualThreads() {
        return blocking.isVirtual();
    }
}
