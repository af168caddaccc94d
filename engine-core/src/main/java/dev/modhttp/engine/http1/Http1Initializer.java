package dev.modhttp.engine.http1;

import dev.modhttp.engine.config.Listen;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.HeaderBuffers;
import dev.modhttp.engine.exchange.Binding;
import dev.modhttp.engine.exchange.ConnectionBinding;
import dev.modhttp.engine.exchange.EngineRuntime;
import dev.modhttp.engine.exchange.VirtualHosts;
import dev.modhttp.engine.http.ConnectionState;
import dev.modhttp.engine.http2.Http2Connection;
import dev.modhttp.engine.internal.Log;
import dev.modhttp.engine.tls.TlsContexts;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Sets up an accepted socket for HTTP/1.1: the PROXY protocol decoder where the address asks
 * for it, TLS (SNI, then the chosen server's certificate) on a listen with {@code ssl}, the
 * {@link RequestDecoder} sized by the default server's
 * {@code large-client-header-buffers}, and the {@link Http1Connection}. The connection switches
 * to HTTP/2 when the handshake chooses h2 by ALPN, or, on a plain address whose default server
 * has {@code http2: on} (or a listen with {@code http2}), when the client opens with the HTTP/2
 * preface.
 *
 * <p>When a wildcard and a specific address share a port, nginx binds only the wildcard and
 * picks the servers by the connection's local address: one initializer serves every address
 * bound together.
 */
public final class Http1Initializer extends ChannelInitializer<Channel> {

    /** What one configuration generation serves on this socket; replaced whole by a reload. */
    private volatile Table table;
    /** Set when a reload removed every address of this socket: its connections finish and close. */
    private volatile boolean removed;

    /**
     * The servers and socket options of the addresses bound together, in one generation.
     *
     * @param specific the servers of each specific address sharing the socket's port
     * @param fallback the servers of the wildcard (or the only) address
     */
    public record Table(EngineRuntime runtime, Map<InetAddress, Binding> specific, Binding fallback,
            Set<VirtualHosts> proxied, Set<VirtualHosts> h2c, Map<VirtualHosts, Supplier<ChannelHandler>> tls) {

        Binding binding(InetSocketAddress local) {
            Binding b = specific.isEmpty() || local == null ? null : specific.get(local.getAddress());
            return b != null ? b : fallback;
        }
    }

    public Http1Initializer(Table table) {
        this.table = table;
    }

    /**
     * Compiles what a generation serves on a socket.
     *
     * @param boundTogether every address served by the socket
     * @throws IllegalArgumentException for a listen host that does not resolve
     */
    public static Table table(EngineRuntime runtime, TlsContexts contexts, List<Listen> boundTogether) {
        Map<InetAddress, Binding> specific = new LinkedHashMap<>();
        Set<VirtualHosts> proxied = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<VirtualHosts> h2c = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<VirtualHosts, Supplier<ChannelHandler>> tls = new IdentityHashMap<>();
        Binding wildcard = null;
        for (Listen l : boundTogether) {
            VirtualHosts vh = runtime.hosts(l);
            if (runtime.proxyProtocol(l)) {
                proxied.add(vh);
            }
            if (runtime.tls(l)) {
                tls.put(vh, contexts.sni(vh));
            } else if (vh.defaultServer().scope().config(CoreModule.HTTP2).enabled(runtime.http2(l), false)) {
                h2c.add(vh);
            }
            if (!h2c.contains(vh) && vh.defaultServer().scope().config(CoreModule.HTTP2).http2Upgrade()) {
                Log.LOG.warn("{}: http2-upgrade takes effect on a plain listen with http2 only, not on {}:{}{}",
                        vh.defaultServer().path(), l.host() == null ? "*" : l.host(), l.port(), l.ssl() ? " ssl" : "");
            }
            if (l.host() == null) {
                wildcard = new Binding(runtime, vh);
            } else {
                try {
                    specific.put(InetAddress.getByName(l.host()), new Binding(runtime, vh));
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("cannot resolve listen host " + l.host(), e);
                }
            }
        }
        Binding fallback = wildcard != null ? wildcard : specific.values().iterator().next();
        if (wildcard == null && specific.size() == 1) {
            specific = Map.of(); // one address: every connection takes the fallback without a lookup
        }
        return new Table(runtime, specific, fallback, proxied, h2c, tls);
    }

    /** A reload's generation for this socket: new connections and the next request of open ones use it. */
    public void install(Table next) {
        table = next;
    }

    /** A reload removed this socket's addresses: open connections close after their response. */
    public void remove() {
        removed = true;
    }

    /**
     * The current binding of a connection on {@code local} that was set up with TLS or not and
     * with the PROXY protocol or not; null once the socket was removed, or when the address now
     * speaks otherwise (a plain connection must not get what a reload made a TLS server's).
     */
    Binding binding(InetSocketAddress local, boolean tls, boolean proxied) {
        if (removed) {
            return null;
        }
        Table t = table;
        Binding b = t.binding(local);
        return t.tls().containsKey(b.hosts()) == tls && t.proxied().contains(b.hosts()) == proxied ? b : null;
    }

    /**
     * Whether the connection on {@code ch} is between requests, so that a stop may close it now.
     * An HTTP/2 connection is sent GOAWAY (once) and is never idle: it closes itself, lingering.
     */
    public static boolean isIdle(Channel ch) {
        Http2Connection h2 = Http2Connection.of(ch);
        if (h2 != null) {
            return h2.drain(); // GOAWAY: no new streams; the lingering close after the last one ends it
        }
        Http1Tunnel tunnel = ch.pipeline().get(Http1Tunnel.class);
        if (tunnel != null) {
            return tunnel.drain(); // an upgraded connection: its protocol's own end (a WebSocket's close 1001)
        }
        Http1Connection c = ch.pipeline().get(Http1Connection.class);
        return c == null || c.state() == ConnectionState.REQUEST_START || c.state() == ConnectionState.CONNECT;
    }

    @Override
    protected void initChannel(Channel ch) {
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        Table t = table;
        Binding binding = t.binding(local);
        VirtualHosts hosts = binding.hosts();
        HeaderBuffers buffers = hosts.defaultServer().scope().config(CoreModule.CONFIG).largeClientHeaderBuffers();
        int line = (int) buffers.size().bytes();
        RequestDecoder decoder = new RequestDecoder(line, line * buffers.number(), t.h2c().contains(hosts));
        boolean proxied = t.proxied().contains(hosts);
        if (proxied) {
            ch.pipeline().addLast("proxy-protocol", ProxyProtocol.decoder()); // in clear, before TLS
        }
        Supplier<ChannelHandler> sni = t.tls().get(hosts);
        if (sni != null) {
            ch.pipeline().addLast("plain-on-tls", new PlainOnTlsPort());
            ch.pipeline().addLast("tls", sni.get()); // becomes the SslHandler of the chosen server
        }
        ch.pipeline().addLast("decoder", decoder);
        boolean upgrade = t.h2c().contains(hosts) && hosts.defaultServer().scope().config(CoreModule.HTTP2).http2Upgrade();
        ConnectionBinding bound = new ConnectionBinding(binding, () -> binding(local, sni != null, proxied));
        ch.pipeline().addLast("connection", new Http1Connection(bound, decoder, upgrade));
    }
}
