package dev.modhttp.engine.http2;

import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.core.CoreConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.core.HeaderBuffers;
import dev.modhttp.engine.core.Http2Config;
import dev.modhttp.engine.exchange.ConnectionBinding;
import dev.modhttp.engine.exchange.LingeringDrain;
import dev.modhttp.engine.exchange.TlsConnectionInfo;
import dev.modhttp.engine.exchange.TlsFacts;
import dev.modhttp.engine.http.ConnectionState;
import dev.modhttp.engine.internal.Log;
import dev.modhttp.engine.module.Hook;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 connection: Netty's frame codec and stream multiplexer below, one
 * {@link Http2Stream} per stream above, and this handler for what belongs to the connection:
 * the hooks and variables' view of it, the idle timeout ({@code keepalive-timeout} while no
 * stream is open, as nginx), {@code keepalive-requests} (a GOAWAY after that many streams), and
 * the GOAWAY of a graceful stop.
 *
 * <p>Limits come from the connection's default server: {@code http2-max-concurrent-streams},
 * {@code http2-body-preread-size} (the initial stream window), {@code http2-recv-buffer-size}
 * (the connection window) and {@code large-client-header-buffers} (the header list, number ×
 * size, and each field at most size). The codec refuses what RFC 9113 forbids and what floods:
 * more than 200 RST_STREAM a client causes in 30 s (rapid reset), runs of small CONTINUATION or
 * empty DATA frames, and control frames queued while the client does not read; before it,
 * {@link FloodGuard} applies nginx's rule for frames that carry no payload.
 */
public final class Http2Connection extends ChannelInboundHandlerAdapter implements TlsConnectionInfo {

    /** RFC 9113 §6.9.2: the window every connection starts with. */
    private static final int DEFAULT_WINDOW = Http2CodecUtil.DEFAULT_WINDOW_SIZE;

    /** The generation and servers the next stream runs on. */
    final ConnectionBinding binding;
    private final Http2Handoff handoff;
    private final CoreConfig core;
    final Http2Config config;
    final int fieldLimit;
    /** The DATA bytes each stream has sent ({@code $body_bytes_sent}). */
    final SentData sentData = new SentData();
    private ChannelHandlerContext ctx;
    private Http2FrameCodec codec;
    private int requests;
    private int openStreams;
    private long idleSince = System.nanoTime();
    private ScheduledFuture<?> idleCheck;
    private boolean goingAway;
    private boolean lingering;
    private boolean closed;

    private Http2Connection(Http2Handoff handoff) {
        this.binding = handoff.binding();
        this.handoff = handoff;
        ServerConfig server = binding.hosts().defaultServer();
        this.core = server.scope().config(CoreModule.CONFIG);
        this.config = server.scope().config(CoreModule.HTTP2);
        this.fieldLimit = (int) core.largeClientHeaderBuffers().size().bytes();
    }

    /**
     * Switches a connection to HTTP/2: installs the codec, the multiplexer and the connection
     * handler at the end of {@code pipeline}. Bytes already read (the client preface) are to be
     * passed on by the caller once the HTTP/1 handlers are removed.
     */
    public static void install(ChannelPipeline pipeline, Http2Handoff handoff) {
        Http2Connection conn = new Http2Connection(handoff);
        HeaderBuffers buffers = conn.core.largeClientHeaderBuffers();
        Http2Settings settings = Http2Settings.defaultSettings()
                .maxConcurrentStreams(conn.config.http2MaxConcurrentStreams())
                .initialWindowSize((int) conn.config.http2BodyPrereadSize().bytes())
                .maxHeaderListSize(buffers.size().bytes() * buffers.number());
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                .validateHeaders(true)
                .gracefulShutdownTimeoutMillis(0) // the engine's stop waits for streams itself
                .decoderEnforceMaxRstFramesPerWindow(200, 30)
                .frameLogger(conn.sentData)
                .build();
        Http2MultiplexHandler mux = new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                // a write that fails because the client reset the stream must not close the stream's
                // channel before Netty knows the stream ended: that close sends RST_STREAM CANCEL in
                // reply to the client's RST_STREAM, which RFC 9113 §5.4.2 forbids
                ch.config().setAutoClose(false);
                ch.pipeline().addLast("stream", new Http2Stream(conn));
            }
        });
        conn.codec = codec;
        pipeline.addLast("h2-flood", new FloodGuard(handoff.id()));
        pipeline.addLast("h2-codec", codec);
        pipeline.addLast("h2-streams", mux);
        pipeline.addLast("h2-connection", conn);
    }

    /**
     * Switches a connection to HTTP/2 after HTTP/1.1's {@code 101 Switching Protocols} (RFC 7540
     * §3.2): the client's settings apply and {@code request} becomes stream 1, half-closed, its
     * response the first one on the new connection.
     */
    public static void installUpgraded(ChannelPipeline pipeline, Http2Handoff handoff, Http2Settings clientSettings,
            FullHttpRequest request) {
        install(pipeline, handoff);
        Http2FrameCodec codec = pipeline.get(Http2FrameCodec.class);
        ChannelHandlerContext codecContext = pipeline.context(codec);
        try {
            codec.onHttpServerUpgrade(clientSettings); // stream 1 made, half-closed (remote)
            codec.decoder().frameListener().onHeadersRead(codecContext, Http2CodecUtil.HTTP_UPGRADE_STREAM_ID,
                    HttpConversionUtil.toHttp2Headers(request, true), 0, true);
        } catch (Http2Exception | RuntimeException e) { // a request head HTTP/2 cannot carry
            Log.LOG.info("connection {}: the upgrade to h2c failed: {}", handoff.id(), e.toString());
            pipeline.channel().close();
        }
    }

    /** The HTTP/2 connection on {@code ch}; null when it speaks HTTP/1. */
    public static Http2Connection of(Channel ch) {
        return ch.pipeline().get(Http2Connection.class);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        long recv = config.http2RecvBufferSize().bytes();
        if (recv > DEFAULT_WINDOW) {
            ctx.write(new DefaultHttp2WindowUpdateFrame((int) (recv - DEFAULT_WINDOW)));
        }
        ctx.flush();
        scheduleIdleCheck(core.clientHeaderTimeout().toNanos()); // the first request: as nginx waits for a head
    }

    // ---- streams ----------------------------------------------------------------------------

    /**
     * A stream's request arrived: it runs on the socket's current generation; counted, and after
     * {@code keepalive-requests} streams (or once a reload removed the address), GOAWAY.
     */
    void streamOpened() {
        requests++;
        openStreams++;
        binding.refresh(); // the current generation: a reload since the last stream shows now
        if (requests >= core.keepaliveRequests() || binding.closing()) {
            goAway(Http2Error.NO_ERROR); // nginx: the streams so far are served, no more
        }
    }

    /**
     * A stream's body is being read while its window started below the default (a small
     * {@code http2-body-preread-size}, as low as 0): the window opens to 65535 bytes now and is
     * kept there as the body is consumed, as nginx opens it when it reads a body.
     */
    void openWindow(int streamId) {
        long preread = config.http2BodyPrereadSize().bytes();
        var stream = codec.connection().stream(streamId);
        if (preread >= DEFAULT_WINDOW || stream == null) {
            return;
        }
        try {
            codec.connection().local().flowController().incrementWindowSize(stream, (int) (DEFAULT_WINDOW - preread));
            ctx.flush();
        } catch (Http2Exception e) {
            Log.debug("connection {}: cannot open the window of stream {}: {}", handoff.id(), streamId, e.toString());
        }
    }

    /** A stream ended: when none is left, the idle timeout starts (and a draining connection closes). */
    void streamClosed() {
        openStreams--;
        if (openStreams == 0) {
            idleSince = System.nanoTime();
            long keepalive = core.keepaliveTimeout().toNanos();
            if (goingAway && !closed) {
                linger();
            } else if (idleCheck == null || idleCheck.getDelay(TimeUnit.NANOSECONDS) > keepalive) {
                if (idleCheck != null) { // the first request's check, at client-header-timeout: too late
                    idleCheck.cancel(false);
                }
                scheduleIdleCheck(keepalive);
            }
        }
    }

    /**
     * After GOAWAY (keepalive-requests, a reload, the engine's stop) and the last stream: once
     * everything is on the socket, the lingering close with the server's keys, as nginx takes them
     * for HTTP/2 ({@link LingeringDrain}: the output shut at once, what the client still sends
     * dropped before the codec sees it). A client that does not take the last frames within the
     * server's {@code send-timeout} is closed.
     */
    private void linger() {
        if (lingering || closed) {
            return;
        }
        lingering = true;
        if (idleCheck != null) { // its GOAWAY would be a write after the output is shut
            idleCheck.cancel(false);
            idleCheck = null;
        }
        ctx.flush(); // the codec's frames go below it
        ChannelHandlerContext below = ctx.pipeline().context(codec);
        ChannelFuture flushed = below.writeAndFlush(Unpooled.EMPTY_BUFFER); // done once those are written
        ScheduledFuture<?> stalled = ctx.executor().schedule(() -> {
            ctx.close();
        }, core.sendTimeout().toNanos(), TimeUnit.NANOSECONDS);
        flushed.addListener(f -> {
            stalled.cancel(false);
            if (f.isSuccess()) {
                LingeringDrain.begin(ctx.channel(), core);
            } else {
                ctx.close();
            }
        });
    }

    private void scheduleIdleCheck(long delayNanos) {
        if (!closed) {
            idleCheck = ctx.executor().schedule(this::checkIdle, Math.max(delayNanos, 1), TimeUnit.NANOSECONDS);
        }
    }

    private void checkIdle() {
        idleCheck = null;
        if (closed || lingering || openStreams > 0) {
            return; // re-armed when the last stream ends
        }
        long timeout = requests == 0 ? core.clientHeaderTimeout().toNanos() : core.keepaliveTimeout().toNanos();
        long left = timeout - (System.nanoTime() - idleSince);
        if (left > 0) {
            scheduleIdleCheck(left);
            return;
        }
        Log.debug("connection {}: HTTP/2 keep-alive timeout", handoff.id());
        goingAway = true; // nginx ends an idle connection with GOAWAY and closes it, without lingering
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)).addListener(f -> ctx.close());
    }

    /**
     * The engine stops (or a reload removed the connection's address): GOAWAY once (new streams
     * are refused, open ones go on); an idle connection then lingers at once, as nginx's does.
     *
     * @return false: the lingering close after the last stream ends the connection itself
     */
    public boolean drain() {
        goAway(Http2Error.NO_ERROR);
        if (openStreams == 0) {
            linger();
        }
        return false;
    }

    /** Sends GOAWAY with the last stream the client opened, once. */
    void goAway(Http2Error error) {
        if (!goingAway && !closed) {
            goingAway = true;
            ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(error));
        }
    }

    /** A connection error the engine detects above the codec (nginx's ENHANCE_YOUR_CALM for a too large field). */
    void fail(Http2Error error, String reason) {
        Log.LOG.info("connection {}: {}", handoff.id(), reason);
        if (!closed) {
            goingAway = true;
            ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(error)).addListener(f -> ctx.close());
        }
    }

    // ---- connection events --------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg); // SETTINGS, PING, GOAWAY: the codec has acted on them
    }

    /** The client closed its side: nothing more can come, no stalled stream can go on; the connection ends (nginx). */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !closed) {
            Log.debug("connection {}: the client closed the HTTP/2 connection", handoff.id());
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    /**
     * A protocol error of the client's (the codec has already sent GOAWAY with its code and
     * closes) is logged at info; anything else fails the connection.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception h2) {
            Log.LOG.info("connection {}: HTTP/2 {}: {}", handoff.id(), h2.error(), h2.getMessage());
            return;
        }
        Log.connectionFailed(handoff.id(), cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        if (idleCheck != null) {
            idleCheck.cancel(false);
            idleCheck = null;
        }
        binding.runtime().walk(this, Hook::connectionClose);
        handoff.states().transition(ConnectionState.CLOSE);
    }

    // ---- ConnectionInfo -------------------------------------------------------------------------

    @Override
    public long id() {
        return handoff.id();
    }

    @Override
    public ConnectionState state() {
        return handoff.states().state();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) ctx.channel().remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) ctx.channel().localAddress();
    }

    @Override
    public int requests() {
        return requests;
    }

    @Override
    public InetSocketAddress proxyProtocolAddress() {
        return handoff.proxyAddress();
    }

    @Override
    public TlsFacts tls() {
        return handoff.tls();
    }
}
