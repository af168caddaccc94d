package dev.modhttp.engine.http1;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import java.util.List;

/**
 * Looks at the first bytes on a TLS port: a TLS record goes on to the SNI and TLS handlers; a
 * plain HTTP request takes them out of the pipeline, so that the request is read and answered
 * as nginx answers it: its status 497, sent as 400 "The plain HTTP request was sent to HTTPS
 * port" (an {@code error-page} for 497 may redirect it), then the connection closes.
 */
final class PlainOnTlsPort extends ByteToMessageDecoder {

    /** Fired to the connection when the client spoke plain HTTP. */
    static final Object EVENT = new Object() {
        @Override
        public String toString() {
            return "plain HTTP on a TLS port";
        }
    };

    /** The bytes a TLS record header takes, which {@link SslHandler#isEncrypted} needs. */
    private static final int RECORD_HEADER = 5;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < RECORD_HEADER) {
            return;
        }
        if (!SslHandler.isEncrypted(in, false)) {
            ctx.pipeline().remove("tls");
            ctx.fireUserEventTriggered(EVENT);
        }
        ctx.pipeline().remove(this); // what it holds goes on to the next handler
    }
}
