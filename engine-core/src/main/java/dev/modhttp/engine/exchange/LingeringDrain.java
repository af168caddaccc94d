package dev.modhttp.engine.exchange;

import dev.modhttp.engine.core.CoreConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * nginx's lingering close, for HTTP/1.1 and HTTP/2 alike ({@code ngx_http_set_lingering_close},
 * {@code ngx_http_v2_lingering_close}): once the last response is on the socket, TLS sends its
 * {@code close_notify}, the socket's output is shut down (the client reads the end of the
 * stream at once), and this handler, first in the pipeline, reads and drops what the client
 * still sends, below TLS and the protocol's codec, which see nothing more. The connection
 * closes when the client does, when no byte came for {@code lingering-timeout}, or once
 * {@code lingering-time} has passed since the start. Without it, bytes the client sent after
 * the server's close would make the kernel reset the connection, and the client could lose the
 * response it had not read yet.
 */
public final class LingeringDrain extends ChannelInboundHandlerAdapter {

    private final Channel channel;
    private final long timeoutNanos;
    private final long until;
    private long lastRead = System.nanoTime();

    private LingeringDrain(Channel channel, CoreConfig keys) {
        this.channel = channel;
        this.timeoutNanos = keys.lingeringTimeout().toNanos();
        this.until = lastRead + keys.lingeringTime().toNanos();
    }

    /**
     * Starts the lingering close of {@code ch}, whose responses are flushed, with the
     * {@code lingering-close}, {@code lingering-time} and {@code lingering-timeout} of
     * {@code keys}. It closes at once instead with {@code lingering-close: off}, a
     * {@code lingering-timeout} of 0, a client that already closed its side, or a channel that
     * cannot shut its output alone; Netty's TLS handler then sends {@code close_notify} itself.
     */
    public static void begin(Channel ch, CoreConfig keys) {
        if (!ch.isActive()) {
            return;
        }
        if (keys.lingeringClose() == CoreConfig.LingeringClose.OFF || keys.lingeringTimeout().isZero()
                || !(ch instanceof DuplexChannel duplex) || duplex.isInputShutdown()) {
            ch.close();
            return;
        }
        LingeringDrain drain = new LingeringDrain(ch, keys);
        ch.pipeline().addFirst("lingering-close", drain);
        ch.config().setAutoRead(true);
        SslHandler tls = ch.pipeline().get(SslHandler.class);
        ChannelFuture notified = tls == null ? ch.newSucceededFuture() : tls.closeOutbound();
        notified.addListener(f -> {
            if (!f.isSuccess() || !ch.isActive()) {
                ch.close();
                return;
            }
            duplex.shutdownOutput().addListener(done -> {
                if (!done.isSuccess()) {
                    ch.close();
                }
            });
        });
        drain.check();
    }

    /** Closes once lingering-timeout passed without a read or lingering-time since the start; else checks again then. */
    private void check() {
        if (!channel.isOpen()) {
            return;
        }
        long now = System.nanoTime();
        long due = lastRead + timeoutNanos - until < 0 ? lastRead + timeoutNanos : until;
        if (now - due >= 0) {
            channel.close();
            return;
        }
        channel.eventLoop().schedule(this::check, due - now, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        lastRead = System.nanoTime();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // nothing reaches the handlers behind
    }

    /** The client closed its side: nothing more can come (nginx closes on a read of 0). */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt == ChannelInputShutdownReadComplete.INSTANCE) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** A reset or a read error ends the lingering close quietly, as it ends nginx's. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
