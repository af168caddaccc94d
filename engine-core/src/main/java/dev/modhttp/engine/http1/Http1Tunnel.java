package dev.modhttp.engine.http1;

import dev.modhttp.engine.exchange.Exchange;
import dev.modhttp.engine.http.Tunnel;
import dev.modhttp.engine.internal.Log;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * A connection after its 101 response: placed where the request decoder was (before
 * {@link Http1Connection}), it hands the client's bytes to the {@link Tunnel} and writes the
 * tunnel's bytes to the client. Its end (a close, a reset, a half-close) ends the tunnel; the
 * connection's own close then logs the request.
 */
final class Http1Tunnel extends ChannelInboundHandlerAdapter implements Tunnel.End {

    private final Tunnel tunnel;
    /** The upgraded request, which counts what the tunnel sends ($body_bytes_sent when it is logged). */
    private final Exchange exchange;
    private ChannelHandlerContext ctx;
    private boolean ended;

    Http1Tunnel(Tunnel tunnel, Exchange exchange) {
        this.tunnel = tunnel;
        this.exchange = exchange;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf data && !ended) {
            tunnel.onData(data);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Not passed on: the connection's HTTP reading rules (pause between requests) no longer apply. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && !ended) {
            tunnel.onWritable();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            end();
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Log.debug("tunnel failed: {}", cause.toString());
        end();
        ctx.close();
    }

    /** The engine stops: whether the tunnel ended, or ended its protocol ({@link Tunnel#drain()}). */
    boolean drain() {
        return ended || tunnel.drain();
    }

    private void end() {
        if (!ended) {
            ended = true;
            tunnel.onClose();
        }
    }

    @Override
    public void write(ByteBuf data) {
        if (ended) {
            data.release();
        } else {
            exchange.tunneled(data.readableBytes());
            ctx.write(data, ctx.voidPromise());
        }
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void read(boolean on) {
        ctx.channel().config().setAutoRead(on);
    }

    @Override
    public void close() {
        ctx.flush();
        ctx.close();
    }
}
