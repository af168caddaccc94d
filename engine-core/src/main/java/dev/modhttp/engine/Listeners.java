package dev.modhttp.engine;

import dev.modhttp.engine.Compiler.Generation;
import dev.modhttp.engine.config.Listen;
import dev.modhttp.engine.exchange.ConnectionLimit;
import dev.modhttp.engine.http1.Http1Initializer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's listening sockets across configuration generations. A reload compiles what each
 * socket serves in the new generation ({@link #plan}), binds the addresses it adds before
 * anything changes ({@link #bind}), then installs the new tables, stops accepting on the
 * addresses it removed and lets their connections finish ({@link #install}). An address kept
 * keeps its socket: nothing is re-bound, and a client connecting during the reload is accepted.
 */
final class Listeners {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private record Socket(Channel channel, Http1Initializer initializer) {
    }

    /** What one generation serves on each socket: a socket groups a wildcard with the specific addresses of its port. */
    record Plan(Generation generation, Map<Listen, Http1Initializer.Table> tables) {
    }

    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> channelType;
    private final List<Consumer<ServerBootstrap>> customizers;
    private final ChannelGroup connections;
    private final ConnectionLimit limit;
    private final Map<Listen, Socket> open = new LinkedHashMap<>();
    /** Sockets a reload removed: their connections close once idle. */
    private final Set<Channel> removed = ConcurrentHashMap.newKeySet();

    Listeners(EventLoopGroup group, Class<? extends ServerChannel> channelType, List<Consumer<ServerBootstrap>> customizers,
            ChannelGroup connections, ConnectionLimit limit) {
        this.group = group;
        this.channelType = channelType;
        this.customizers = customizers;
        this.connections = connections;
        this.limit = limit;
    }

    /**
     * Compiles the tables of a generation's sockets.
     *
     * @throws IllegalArgumentException for a listen host that does not resolve
     */
    static Plan plan(Generation g) {
        Map<Listen, Http1Initializer.Table> tables = new LinkedHashMap<>();
        sockets(g.runtime().addresses()).forEach((socket, together) ->
                tables.put(socket, Http1Initializer.table(g.runtime(), g.tls(), together)));
        return new Plan(g, tables);
    }

    /** Groups listen addresses into sockets: a wildcard on a port also serves that port's specific addresses. */
    private static Map<Listen, List<Listen>> sockets(List<Listen> all) {
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

    /**
     * Binds the sockets of {@code plan} that are not open yet; when one cannot be bound, closes
     * the ones this call bound and throws.
     *
     * @throws PortInUseException when an address is taken
     * @throws EngineException when an address cannot be listened on for another reason
     */
    synchronized void bind(Plan plan) {
        List<Listen> added = new ArrayList<>();
        try {
            for (Map.Entry<Listen, Http1Initializer.Table> e : plan.tables().entrySet()) {
                if (!open.containsKey(e.getKey())) {
                    Http1Initializer initializer = new Http1Initializer(e.getValue());
                    open.put(e.getKey(), new Socket(bind(e.getKey(), initializer), initializer));
                    added.add(e.getKey());
                }
            }
        } catch (RuntimeException e) {
            for (Listen l : added) {
                open.remove(l).channel().close().syncUninterruptibly();
            }
            throw e;
        }
    }

    /** Makes {@code plan}'s tables the ones served; sockets it does not have stop accepting, their connections drain. */
    synchronized void install(Plan plan) {
        for (var it = open.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Listen, Socket> e = it.next();
            Http1Initializer.Table table = plan.tables().get(e.getKey());
            if (table != null) {
                e.getValue().initializer().install(table);
            } else {
                e.getValue().initializer().remove();
                e.getValue().channel().close().syncUninterruptibly();
                removed.add(e.getValue().channel());
                it.remove();
                LOG.info("stopped listening on {}: the configuration no longer has it", e.getKey().address());
            }
        }
    }

    private Channel bind(Listen l, Http1Initializer initializer) {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 511)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (!limit.admit()) {
                            ch.close(); // worker-connections all taken: as nginx, accepted and closed
                            return;
                        }
                        ch.closeFuture().addListener(f -> limit.release());
                        connections.add(ch);
                        ch.pipeline().addLast(initializer);
                    }
                });
        customizers.forEach(c -> c.accept(b));
        InetSocketAddress address = l.host() == null ? new InetSocketAddress(l.port())
                : new InetSocketAddress(l.host(), l.port());
        try {
            return b.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            if (e instanceof BindException || e.getCause() instanceof BindException
                    || String.valueOf(e.getMessage()).contains("Address already in use")) {
                throw new PortInUseException(l.address(), l.port(), e);
            }
            throw new EngineException("cannot listen on " + l.address() + ": " + e.getMessage(), e);
        }
    }

    /** Closes the idle connections of removed sockets (on their event loops); the busy ones close after their response. */
    void closeIdleOnRemoved() {
        if (removed.isEmpty()) {
            return;
        }
        removed.removeIf(server -> connections.stream().noneMatch(ch -> ch.parent() == server));
        for (Channel ch : connections) {
            if (removed.contains(ch.parent())) {
                ch.eventLoop().execute(() -> {
                    if (Http1Initializer.isIdle(ch)) {
                        ch.close();
                    }
                });
            }
        }
    }

    /** The bound addresses, in listen order (reloads append the addresses they add). */
    synchronized List<InetSocketAddress> bound() {
        List<InetSocketAddress> out = new ArrayList<>();
        open.values().forEach(s -> out.add((InetSocketAddress) s.channel().localAddress()));
        return out;
    }

    /** Stops accepting on every socket. */
    synchronized void close() {
        open.values().forEach(s -> s.channel().close().syncUninterruptibly());
        open.clear();
        removed.clear();
    }
}
