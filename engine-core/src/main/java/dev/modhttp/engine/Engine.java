package dev.modhttp.engine;

import dev.modhttp.engine.Compiler.Generation;
import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.exchange.EngineRuntime;
import dev.modhttp.engine.http.DateCache;
import dev.modhttp.engine.http1.Http1Initializer;
import dev.modhttp.engine.internal.BlockingExecutor;
import dev.modhttp.engine.internal.Signals;
import dev.modhttp.engine.module.CarriedState;
import dev.modhttp.engine.module.EngineInfo;
import dev.modhttp.engine.module.EngineStatus;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import dev.modhttp.engine.module.Reloads;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * engine.reload(changedTree); // or reload(): the ConfigSource read again
 * engine.stop(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>The configuration serves as a <em>generation</em>: {@link #reload(Map)} binds, validates
 * and compiles a new one completely while the current one serves, then swaps it in at once.
 * Requests in flight finish on the generation they started on; new requests, also on open
 * keep-alive connections, use the new one; listen addresses it adds are bound first, the ones
 * it drops stop accepting and their connections close once idle. A configuration that fails is
 * refused with the same error as at startup, and the generation serving goes on. A generation
 * replaced retires when its last request ended: its {@code cleanup} hooks run, and the state it
 * took that the new one did not carry over is closed.
 *
 * <p>Uses the native epoll transport where the platform has it, NIO otherwise.
 */
public final class Engine implements EngineInfo {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    /** A replaced generation retires no sooner than this after the swap (a request may be starting on it). */
    private static final long RETIRE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Compiler compiler;
    private final Map<String, ?> raw;
    private final BlockingExecutor blocking;
    private final EngineRuntime.Shared shared;
    private final int ioThreads;
    private final List<Consumer<ServerBootstrap>> bootstrapCustomizers;
    private volatile Generation current;
    /** Replaced generations with requests still in flight, and when each was replaced. */
    private final Map<Generation, Long> retiring = new LinkedHashMap<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile String lastReloadError;
    private volatile ConfigSource source;
    private Listeners listeners;
    private ChannelGroup connections;
    private EventLoopGroup group;
    private ScheduledExecutorService ticker;
    private boolean started;
    /** Set by stop: a stopped engine is not started or reloaded again. */
    private boolean stopped;
    private final boolean reloadOnSighup;
    private Runnable restoreSighup;

    Engine(Compiler compiler, Map<String, ?> raw, int ioThreads, BlockingExecutor blocking,
            List<Consumer<ServerBootstrap>> bootstrapCustomizers, boolean reloadOnSighup) {
        this.compiler = compiler;
        this.raw = raw;
        this.ioThreads = ioThreads;
        this.bootstrapCustomizers = bootstrapCustomizers;
        this.reloadOnSighup = reloadOnSighup;
        this.blocking = blocking;
        this.shared = new EngineRuntime.Shared(blocking);
        CarriedState first = new CarriedState();
        try {
            current = compiler.compile(raw, 1, shared, first);
        } catch (RuntimeException e) {
            first.release(List.of()); // what the modules opened before the failure (log files, say)
            blocking.close();
            throw e;
        }
        current.runtime().activate();
        walkServerHooks(current, "init", h -> h.init(this));
        walkServerHooks(current, "setDefaults", h -> h.setDefaults(this));
        if (LOG.isDebugEnabled()) {
            current.pipelines().forEach((where, steps) -> LOG.debug("pipeline of {}:\n  {}", where, String.join("\n  ", steps)));
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
        if (stopped) {
            throw new IllegalStateException("the engine has stopped; build a new one");
        }
        boolean epoll = Epoll.isAvailable();
        group = new MultiThreadIoEventLoopGroup(ioThreads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        connections = new DefaultChannelGroup("engine-connections", GlobalEventExecutor.INSTANCE, true); // closes late joiners
        listeners = new Listeners(group, channelType, bootstrapCustomizers, connections,
                current.runtime().connectionLimit());
        try {
            Listeners.Plan plan;
            try {
                plan = Listeners.plan(current);
            } catch (IllegalArgumentException e) {
                throw new EngineException(e.getMessage(), e);
            }
            listeners.bind(plan);
        } catch (RuntimeException e) {
            listeners.close();
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

    private void tick() {
        DateCache.refresh();
        Generation g = current;
        g.tls().reloadChanged(); // certificates whose files changed serve new handshakes from now on
        walkServerHooks(g, "trigger", h -> h.trigger(this));
        retireFinished(false);
        Listeners l = listeners;
        if (l != null) {
            l.closeIdleOnRemoved();
        }
    }

    /**
     * Where {@link #reload()} reads the configuration (the starter reads Spring's configuration
     * files again); null for the tree the engine was built with.
     */
    public void configSource(ConfigSource source) {
        this.source = source;
    }

    /** Where {@link #reload()} reads the configuration; null for the tree the engine was built with. */
    public ConfigSource configSource() {
        return source;
    }

    /**
     * Reads the configuration again (from the {@link ConfigSource}, else the tree the engine was
     * built with) and reloads it, as nginx does on SIGHUP; then fires the new generation's
     * {@code reload} hooks (log files re-opened). Never throws: a refused configuration is
     * logged with its reason and counted, and the generation serving goes on. Reloads triggered
     * together run one after the other, each reading the configuration when its turn comes, so
     * the last applied is the last read.
     */
    public synchronized ReloadResult reload() {
        ConfigSource s = source;
        long started = System.nanoTime();
        Map<String, ?> tree;
        try {
            tree = s == null ? raw : s.read();
        } catch (RuntimeException e) {
            return refused(s, e, started);
        }
        try {
            return reload(tree);
        } catch (RuntimeException e) {
            return refused(s, e, started);
        }
    }

    private ReloadResult refused(ConfigSource s, RuntimeException e, long startedAt) {
        String why = s == null ? String.valueOf(e.getMessage()) : s.describe(e);
        lastReloadError = why;
        refused.incrementAndGet();
        LOG.error("reload refused, configuration generation {} goes on serving: {}", current.number(), why);
        return new ReloadResult(current.number(), false, why, Duration.ofNanos(System.nanoTime() - startedAt));
    }

    /**
     * Applies a new configuration tree: bound, validated and compiled completely, listen
     * addresses it adds bound, then swapped in at once (see the class comment).
     *
     * @return the generation now serving
     * @throws dev.modhttp.engine.config.ConfigException for a bad configuration, nothing changed
     * @throws EngineException for an invalid registration or an address that cannot be bound,
     *     nothing changed
     * @throws IllegalStateException once the engine has stopped
     */
    public synchronized ReloadResult reload(Map<String, ?> tree) {
        if (stopped) {
            throw new IllegalStateException("the engine has stopped: nothing to reload");
        }
        long startedAt = System.nanoTime();
        Generation old = current;
        if (!Compiler.hasServers(tree) && Compiler.hasServers(raw)) {
            // most likely a file caught empty or cut short while it was written
            throw new ConfigException("", "servers", "the new configuration has no servers (an empty or truncated file?);"
                    + " the one serving goes on");
        }
        CarriedState carried = old.carried().next();
        Generation next;
        try {
            next = compiler.compile(tree, old.number() + 1, shared, carried);
            Listeners.Plan plan = null;
            if (started) {
                try {
                    plan = Listeners.plan(next);
                } catch (IllegalArgumentException e) {
                    throw new EngineException(e.getMessage(), e);
                }
                listeners.bind(plan); // added addresses: bound before anything changes
            }
            walkServerHooks(next, "init", h -> h.init(this));
            walkServerHooks(next, "setDefaults", h -> h.setDefaults(this));
            next.runtime().activate();
            current = next;
            if (plan != null) {
                listeners.install(plan);
            }
        } catch (RuntimeException e) {
            List<CarriedState> live = new ArrayList<>(liveCarried());
            carried.release(live);
            throw e;
        }
        synchronized (retiring) {
            retiring.put(old, System.nanoTime());
        }
        applied.incrementAndGet();
        walkServerHooks(next, "reload", h -> h.reload(this));
        Duration took = Duration.ofNanos(System.nanoTime() - startedAt);
        LOG.info("configuration generation {} serves from now on (compiled and swapped in {} ms)", next.number(),
                took.toMillis());
        return new ReloadResult(next.number(), true, null, took);
    }

    private List<CarriedState> liveCarried() {
        List<CarriedState> live = new ArrayList<>();
        live.add(current.carried());
        synchronized (retiring) {
            retiring.keySet().forEach(g -> live.add(g.carried()));
        }
        return live;
    }

    /** Retires replaced generations whose last request ended (all of them when the engine stops). */
    private void retireFinished(boolean all) {
        List<Generation> done = new ArrayList<>();
        synchronized (retiring) {
            long now = System.nanoTime();
            retiring.entrySet().removeIf(e -> {
                boolean finished = all || now - e.getValue() >= RETIRE_AFTER_NANOS && e.getKey().runtime().inFlight() == 0;
                if (finished) {
                    done.add(e.getKey());
                }
                return finished;
            });
        }
        for (Generation g : done) {
            walkServerHooks(g, "cleanup", h -> h.cleanup(this));
            g.carried().release(liveCarried());
            LOG.debug("configuration generation {} retired", g.number());
        }
    }

    private void walkServerHooks(Generation g, String name, Function<Hook, HookResult> call) {
        for (Hook h : g.hooks()) {
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
        stopped = true;
        listeners.close();
        current.runtime().drain();
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
        retireFinished(true);
        walkServerHooks(current, "cleanup", h -> h.cleanup(this));
        current.carried().release(List.of());
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

    /** The configuration serving now (the last one a reload applied). */
    @Override
    public EngineConfig config() {
        return current.config();
    }

    /** The bound ports, in listen order (with port 0 resolved); a reload appends the ones it adds. */
    @Override
    public List<Integer> ports() {
        List<Integer> ports = new ArrayList<>();
        for (InetSocketAddress a : boundAddresses()) {
            ports.add(a.getPort());
        }
        return ports;
    }

    public List<InetSocketAddress> boundAddresses() {
        Listeners l = listeners;
        return l == null || !started ? List.of() : l.bound();
    }

    @Override
    public EngineStatus status() {
        return current.runtime().status();
    }

    @Override
    public Reloads reloads() {
        return new Reloads(current.number(), applied.get(), refused.get(), lastReloadError);
    }

    /**
     * The server that requests for {@code host} reach on the first listen address, chosen as
     * the engine chooses (exact name, leading then trailing wildcard, regex, default server).
     */
    public ServerConfig selectServer(String host) {
        return current.runtime().selectServer(host);
    }

    /** The serving generation's module of {@code type} (a built-in one or a user's), if it has one. */
    @Override
    public <T> Optional<T> module(Class<T> type) {
        return current.modules().stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    /** The config records declared by the engine's modules. */
    public List<ConfigSpec<?>> configSpecs() {
        return compiler.specs();
    }

    /** The compiled pipelines of the serving generation, one list of steps per server and location. */
    public Map<String, List<String>> pipelines() {
        return current.pipelines();
    }

    /** Whether blocking handlers run on virtual threads. */
    public boolean blockingOnVirtualThreads() {
        return blocking.isVirtual();
    }
}
