package dev.modhttp.engine.http1;

import dev.modhttp.engine.http.Addresses;
import dev.modhttp.engine.internal.Log;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol.AddressFamily;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The client's address from a PROXY protocol header, decoded by Netty's {@code HAProxyMessageDecoder}. */
final class ProxyProtocol {

    /** Heap buffers outside the leak detector: memory the garbage collector takes back. */
    private static final ByteBufAllocator HEAP = new UnpooledByteBufAllocator(false, true);

    private ProxyProtocol() {
    }

    /**
     * Netty's decoder of the header, gathering what it reads in a heap buffer, never in the
     * connection's pooled ones. Netty 4.2.17 leaves retained slices of a v2 header's TLVs
     * unreleased when a later TLV runs past its bounds (found by fuzzing,
     * {@code ProxyProtocolJazzerTests}): over the connection's own buffers each such header would
     * pin pooled memory for good; over a copy it pins garbage the collector frees. The copy costs
     * the bytes read before the header is decoded, once per connection.
     */
    static HAProxyMessageDecoder decoder() {
        HAProxyMessageDecoder decoder = new HAProxyMessageDecoder() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                if (cause instanceof DecoderException && !(cause instanceof HAProxyProtocolException)) {
                    // the same TLVs running past their bounds: a broken header as any other, closed and
                    // logged in one line at debug, not an engine fault with its stack
                    ctx.close();
                    cause = new HAProxyProtocolException("broken header: " + cause.getCause(), cause);
                }
                ctx.fireExceptionCaught(cause);
            }
        };
        decoder.setCumulator(ProxyProtocol::cumulate);
        return decoder;
    }

    private static ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        if (cumulation.isReadable()) { // a heap buffer already: grows in the heap
            return ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(HEAP, cumulation, in);
        }
        try {
            return HEAP.heapBuffer(in.readableBytes()).writeBytes(in);
        } finally {
            cumulation.release();
            in.release();
        }
    }

    /**
     * The source address of a PROXY command over TCP/IPv4 or IPv6; null for a LOCAL command (a
     * load balancer's health check), another family, a datagram transport (nginx ignores its
     * addresses), or a bad address. Releases {@code proxy}.
     */
    static InetSocketAddress clientAddress(HAProxyMessage proxy, long connectionId) {
        try {
            AddressFamily family = proxy.proxiedProtocol().addressFamily();
            if (proxy.command() != HAProxyCommand.PROXY || family != AddressFamily.AF_IPv4 && family != AddressFamily.AF_IPv6
                    || proxy.proxiedProtocol().transportProtocol() != TransportProtocol.STREAM) {
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
