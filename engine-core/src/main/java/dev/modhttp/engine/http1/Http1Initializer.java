package dev.modhttp.engine.http1;

import dev.modhttp.engine.config.Listen;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.HeaderBuffers;
import dev.modhttp.engine.exchange.EngineRuntime;
import dev.modhttp.engine.exchange.VirtualHosts;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sets up an accepted socket for HTTP/1.1: the PROXY protocol decoder where the address asks
 * for it, the {@link RequestDecoder} sized by the default server's
 * {@code large-client-header-buffers}, and the {@link Http1Connection}.
 *
 * <p>When a wildcard and a specific address share a port, nginx binds only the wildcard and
 * picks the servers by the connection's local address: one initializer serves every address
 * bound together.
 */
public final class Http1Initializer extends ChannelInitializer<Channel> {

    private final EngineRuntime runtime;
    private final Map<InetAddress, VirtualHosts> specific = new LinkedHashMap<>();
    private final VirtualHosts fallback;
    private final Set<VirtualHosts> proxied = Collections.newSetFromMap(new IdentityHashMap<>());

    /**
     * @param boundTogether every address served by the socket
     * @throws IllegalArgumentException for a listen host that does not resolve
     */
    public Http1Initializer(EngineRuntime runtime, List<Listen> boundTogether) {
        this.runtime = runtime;
        VirtualHosts wildcard = null;
        for (Listen l : boundTogether) {
            VirtualHosts vh = runtime.hosts(l);
            if (runtime.proxyProtocol(l)) {
                proxied.add(vh);
            }
            if (l.host() == null) {
                wildcard = vh;
            } else {
                try {
                    specific.put(InetAddress.getByName(l.host()), vh);
                } catch (UnknownHostException e) {
                    throw new IllegalArgumentException("cannot resolve listen host " + l.host(), e);
                }
            }
        }
        this.fallback = wildcard != null ? wildcard : specific.values().iterator().next();
    }

    @Override
    protected void initChannel(Channel ch) {
        InetSocketAddress local = (InetSocketAddress) ch.localAddress();
        VirtualHosts vh = local == null ? null : specific.get(local.getAddress());
        VirtualHosts hosts = vh != null ? vh : fallback;
        HeaderBuffers buffers = hosts.defaultServer().scope().config(CoreModule.CONFIG).largeClientHeaderBuffers();
        int line = (int) buffers.size().bytes();
        RequestDecoder decoder = new RequestDecoder(line, line * buffers.number());
        if (proxied.contains(hosts)) {
            ch.pipeline().addLast("proxy-protocol", new HAProxyMessageDecoder());
        }
        ch.pipeline().addLast("decoder", decoder);
        ch.pipeline().addLast("connection", new Http1Connection(runtime, hosts, decoder));
    }
}
