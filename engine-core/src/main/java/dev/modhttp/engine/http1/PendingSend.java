package dev.modhttp.engine.http1;

import dev.modhttp.engine.internal.Log;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.epoll.EpollSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A response's body on its way to the client: the socket corked around a file send
 * ({@code tcp-nopush}), and what the client has not taken yet. nginx ends a request only when its
 * last byte has left (a request with output pending waits in its write handler), so the request
 * here ends then too: limit-conn holds its place until then, LOG runs then ({@code $request_time}
 * counts the sending, {@code $body_bytes_sent} what the client took of a download it broke off),
 * and send-timeout runs between two successive writes, not the keep-alive timeout over a stalled
 * download.
 *
 * <p>A file region sent zero-copy counts nothing in the channel's pending bytes, so a region over
 * {@value #FOLLOWED} bytes is followed through its progress; bytes beyond the channel's
 * high-water mark are seen through its writability. A smaller response leaves in one write at
 * the flush that follows it and ends at once, as nginx's does when the socket takes all of it.
 */
final class PendingSend implements ChannelProgressiveFutureListener {

    /** File regions over this many bytes are followed until the client has taken them. */
    static final long FOLLOWED = 64 * 1024;

    private final ChannelHandlerContext ctx;
    private final Http1Timer timer;
    /** The send-timeout of the location serving (the server's between requests). */
    private final Supplier<Duration> sendTimeout;
    /** The connection's flush, which a read batch defers to its end. */
    private final Runnable flush;
    private final List<DefaultFileRegion> regions = new ArrayList<>(1);
    /** Completes the marker written after a body: everything before it has left. */
    private final ChannelFutureListener markerSent = this::markerSent;
    /** What runs once everything written has left; null while nothing waits. */
    private Runnable sent;
    /** The socket corked around a body of pieces; null when not corked. */
    private EpollSocketChannel corked;

    PendingSend(ChannelHandlerContext ctx, Http1Timer timer, Supplier<Duration> sendTimeout, Runnable flush) {
        this.ctx = ctx;
        this.timer = timer;
        this.sendTimeout = sendTimeout;
        this.flush = flush;
    }

    /** The promise to write {@code region} with: each write that moves its bytes counts as progress. */
    ChannelPromise follow(DefaultFileRegion region) {
        regions.add(region);
        return ctx.newProgressivePromise().addListener(this);
    }

    /** Whether written bytes still wait for the client; when not, what was followed is forgotten. */
    boolean pending() {
        if (unsentBytes() > 0 || !ctx.channel().isWritable()) {
            return true;
        }
        regions.clear();
        return false;
    }

    /**
     * Runs {@code then} on the event loop, after the task that calls it, once everything written
     * so far has left; meanwhile send-timeout runs. Nothing runs if the connection dies first.
     */
    void whenSent(Runnable then) {
        sent = then;
        ChannelPromise marker = ctx.newPromise();
        marker.addListener(markerSent); // written after the body, so done once the body has left
        ctx.write(Unpooled.EMPTY_BUFFER, marker);
        timer.armSend(sendTimeout.get());
        flush.run();
    }

    /** Body bytes of followed file regions the client has not taken. */
    long unsentBytes() {
        long n = 0;
        for (int i = 0; i < regions.size(); i++) {
            DefaultFileRegion r = regions.get(i);
            n += r.count() - r.transferred();
        }
        return n;
    }

    /** The channel takes bytes again: while a body waits, that is progress; otherwise no send-timeout runs. */
    void writable() {
        if (sent != null) {
            timer.armSend(sendTimeout.get());
        } else {
            timer.disarmSend();
        }
    }

    /** The channel stopped taking bytes: send-timeout runs from now. */
    void stalled() {
        timer.armSend(sendTimeout.get());
    }

    /**
     * With {@code true}, holds back partial packets (TCP_CORK, epoll only); {@code false} takes
     * effect once everything written before it has left.
     */
    void cork(boolean on) {
        if (on) {
            corked = ctx.channel() instanceof EpollSocketChannel epoll && setCork(epoll, true) ? epoll : null;
        } else if (corked != null) {
            // once everything before it is written, the tail goes out
            EpollSocketChannel ch = corked;
            corked = null;
            ctx.write(Unpooled.EMPTY_BUFFER).addListener(f -> setCork(ch, false));
        }
    }

    private static boolean setCork(EpollSocketChannel ch, boolean on) {
        if (!ch.isOpen()) {
            return false;
        }
        try {
            ch.config().setTcpCork(on);
            return true;
        } catch (ChannelException e) {
            Log.debug("TCP_CORK not changed: {}", e.toString());
            return false;
        }
    }

    /** The connection ended: nothing waits any more. */
    void release() {
        sent = null;
        regions.clear();
    }

    @Override
    public void operationProgressed(ChannelProgressiveFuture future, long progress, long total) {
        if (sent != null) {
            timer.armSend(sendTimeout.get()); // a write moved bytes: the timeout starts again
        }
    }

    @Override
    public void operationComplete(ChannelProgressiveFuture future) {
        // a followed region has left: the marker written after the body decides
    }

    private void markerSent(ChannelFuture future) {
        if (!future.isSuccess() || sent == null) {
            return; // the connection failed: channelInactive ends the request
        }
        Runnable then = sent;
        sent = null;
        regions.clear();
        timer.disarmSend();
        // not from inside the flush that completed the marker: a flush there would be ignored
        ctx.executor().execute(then);
    }
}
