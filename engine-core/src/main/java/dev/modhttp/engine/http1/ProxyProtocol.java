package dev.modhttp.engine.http1;

import dev.modhttp.engine.http.Addresses;
import dev.modhttp.engine.internal.Log;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol.AddressFamily;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The client's address from a PROXY protocol header, decoded by Netty's {@code HAProxyMessageDecoder}. */
final class ProxyProtocol {

    private ProxyProtocol() {
    }

    /**
     * The source address of a PROXY command over TCP/IPv4 or IPv6; null for a LOCAL command (a
     * load balancer's health check), another family, or a bad address. Releases {@code proxy}.
     */
    static InetSocketAddress clientAddress(HAProxyMessage proxy, long connectionId) {
        try {
            AddressFamily family = proxy.proxiedProtocol().addressFamily();
            if (proxy.command() != HAProxyCommand.PROXY
                    || family != AddressFamily.AF_IPv4 && family != AddressFamily.AF_IPv6) {
                return null;
            }
            InetAddress source = Addresses.parseAddress(proxy.sourceAddress());
            if (source == null) {
                Log.debug("connection {}: PROXY header with a bad address: {}", connectionId, proxy.sourceAddress());
                return null;
            }
            return new InetSocketAddress(source, proxy.sourcePort());
        } finally {
            proxy.release();
        }
    }
}
