package dev.modhttp.engine.modules.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to a backend peer, on the event loop of the client connection that opened it:
 * the last handler of its pipeline (after Netty's {@code HttpClientCodec}). While a request owns
 * it, what it reads goes to that {@link ProxyRequest}; while idle in the pool, anything it reads
 * or its close removes it.
 */
final class BackendConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    final Peers peers;
    final Peers.Peer peer;
    final BackendPool pool;
    Channel channel;
    /** Its HTTP codec (gone after a 101). */
    BackendCodec codec;
    /** Requests sent over this connection. */
    int requests;
    private ProxyRequest owner;
    private RequestSender sender;
    /** After a 101: the tunnel this connection now carries. */
    private ProxyTunnel tunnel;
    /** The pending deadline's action and when it is due (System.nanoTime); null: none. */
    private Runnable deadlineAction;
    private long deadlineAt;
    /** The one timer task checking the deadline, and when it fires; re-armed only when it fires early. */
    private ScheduledFuture<?> deadlineTask;
    private long taskAt;

    BackendConnection(Peers peers, Peers.Peer peer, BackendPool pool) {
        this.peers = peers;
        this.peer = peer;
        this.pool = pool;
    }

    /**
     * Connects to the peer on {@code loop}: TLS first when {@code tls} is given ({@code tlsHost}
     * the name it may send and verify), then Netty's {@code codec}, then this handler.
     */
    ChannelFuture connect(EventLoop loop, Class<? extends Channel> type, BackendCodec codec, Duration timeout,
            BackendTls tls, String tlsHost) {
        this.codec = codec;
        return new Bootstrap().group(loop).channel(type)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.handler(ch.alloc(), peer.address.getAddress().getHostAddress(),
                                    peer.address.getPort(), tlsHost));
                        }
                        ch.pipeline().addLast(codec, BackendConnection.this);
                    }
                })
                .connect(peer.address);
    }

    /**
     * Runs {@code action} in {@code ms} unless called again first; {@code (0, null)} only cancels.
     * A later deadline reuses the timer already set (it finds the new time when it fires), so a
     * request that moves its deadline at every read costs no timer churn.
     */
    void deadline(long ms, Runnable action) {
        deadlineAction = action;
        if (action == null) {
            return;
        }
        long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        deadlineAt = at;
        if (deadlineTask == null || at < taskAt) {
            if (deadlineTask != null) {
                deadlineTask.cancel(false);
            }
            schedule(at);
        }
    }

    private void schedule(long at) {
        taskAt = at;
        deadlineTask = channel.eventLoop().schedule(this::deadlineDue, at - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    private void deadlineDue() {
        deadlineTask = null;
        Runnable action = deadlineAction;
        if (action == null) {
            return;
        }
        if (deadlineAt - System.nanoTime() > 0) {
            schedule(deadlineAt); // moved since the timer was set
            return;
        }
        deadlineAction = null;
        action.run();
    }

    /** The connection carries an upgraded connection's bytes from now on; it is never pooled again. */
    void tunnel(ProxyTunnel t) {
        owner = null;
        sender = null;
        codec.counts(null);
        tunnel = t;
        deadlineAction = null;
    }

    /** A request uses the connection; {@code request}'s bytes go out as the connection takes them. */
    void own(ProxyRequest request, RequestSender sending, UpstreamState counts) {
        owner = request;
        sender = sending;
        codec.counts(counts);
        deadlineAction = null; // no longer idle
    }

    /** The response was read whole: back to the pool when the backend keeps it open, else closed. */
    void done(boolean keep) {
        owner = null;
        sender = null;
        codec.counts(null);
        deadline(0, null);
        channel.config().setAutoRead(true);
        if (keep && codec.hasLeftover()) {
            LOG.warn("upstream sent more data than specified in Content-Length, upstream: \"{}\"", peer.name);
            keep = false;
        }
        if (keep && requests < peers.upstream.keepaliveRequests()) {
            pool.put(this);
        } else {
            close();
        }
    }

    /** Idle in the pool: closed after {@code timeoutMs} unless taken before. */
    void idle(long timeoutMs) {
        owner = null;
        sender = null;
        deadline(timeoutMs, () -> {
            pool.remove(this);
            close();
        });
    }

    void close() {
        owner = null;
        sender = null;
        deadlineAction = null;
        if (deadlineTask != null) {
            deadlineTask.cancel(false);
            deadlineTask = null;
        }
        channel.close();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (tunnel != null) {
            tunnel.fromBackend(msg);
        } else if (owner != null) {
            owner.onMessage(this, msg);
        } else {
            ReferenceCountUtil.release(msg); // an idle connection has nothing to say: it cannot be reused
            pool.remove(this);
            close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (tunnel != null) {
            tunnel.backendReadComplete();
        } else if (owner != null) {
            owner.onReadComplete(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pool.remove(this);
        if (deadlineTask != null) {
            deadlineTask.cancel(false);
            deadlineTask = null;
        }
        ProxyRequest o = owner;
        owner = null;
        sender = null;
        if (o != null) {
            o.onClosed(this);
        } else if (tunnel != null) {
            tunnel.backendClosed();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (tunnel != null && ctx.channel().isWritable()) {
            tunnel.backendWritable();
        } else if (owner != null && sender != null && ctx.channel().isWritable()) {
            sender.writable(ctx.channel());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess() && owner != null) {
            Throwable cause = e.cause() instanceof DecoderException && e.cause().getCause() != null
                    ? e.cause().getCause() : e.cause();
            owner.onError(this, new SSLException("SSL_do_handshake() failed (" + cause.getMessage()
                    + ") while SSL handshaking to upstream", cause));
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ProxyRequest o = owner;
        if (o != null) {
            o.onError(this, cause);
        } else {
            close();
        }
    }
}
