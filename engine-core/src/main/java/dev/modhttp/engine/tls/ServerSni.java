package dev.modhttp.engine.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;

/**
 * The first handler of a TLS connection: reads the ClientHello, chooses the server context by
 * its SNI name and, among the server's key pairs, by what it offers, then becomes that
 * context's {@code SslHandler} (and fires Netty's {@code SniCompletionEvent}).
 */
final class ServerSni extends SniHandler {

    /** Chooses the context of one handshake. */
    interface Selector {
        /** @param name the SNI name; null without one */
        SslContext select(String name, ClientHello hello);
    }

    private final Selector selector;
    private ClientHello hello = ClientHello.NONE;

    ServerSni(Selector selector) {
        super(name -> null); // lookup(ctx, hostname) below chooses instead
        this.selector = selector;
    }

    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) throws Exception {
        hello = clientHello == null ? ClientHello.NONE : ClientHello.parse(clientHello);
        return super.lookup(ctx, clientHello);
    }

    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, String hostname) {
        return ctx.executor().newSucceededFuture(selector.select(hostname, hello));
    }
}
