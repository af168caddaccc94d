package dev.modhttp.engine.http1;

import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.core.CoreConfig;
import dev.modhttp.engine.core.CoreConfig.LingeringClose;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.exchange.BodyPump;
import dev.modhttp.engine.exchange.ConnectionStates;
import dev.modhttp.engine.exchange.ConnectionBinding;
import dev.modhttp.engine.exchange.Exchange;
import dev.modhttp.engine.exchange.LingeringDrain;
import dev.modhttp.engine.exchange.RequestFraming;
import dev.modhttp.engine.exchange.TlsConnectionInfo;
import dev.modhttp.engine.exchange.TlsFacts;
import dev.modhttp.engine.exchange.UriNormalizer;
import dev.modhttp.engine.http.ConnectionState;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http2.Http2Connection;
import dev.modhttp.engine.http2.Http2Handoff;
import dev.modhttp.engine.internal.Log;
import dev.modhttp.engine.module.Hook;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One HTTP/1.1 client connection: requests one after the other (pipelined ones wait in the
 * decoder), keep-alive, the lingering close, and the timeouts of each state. Each request gets
 * an {@link Exchange}, which reaches the wire through the connection's {@link Http1Transport}.
 * States are lighttpd's ({@link ConnectionStates}).
 *
 * <p>The socket is read while a request head or a body being read is awaited; while a request
 * is handled without wanting its body yet (an asynchronous handler, say), reading pauses, so
 * that {@code Expect: 100-continue} and pipelining get back-pressure. Synchronous requests
 * never toggle it.
 */
public final class Http1Connection extends ChannelInboundHandlerAdapter implements TlsConnectionInfo {

    private static final AtomicLong IDS = new AtomicLong();

    /** The generation and servers the next request runs on. */
    private final ConnectionBinding binding;
    private final RequestDecoder decoder;
    private final CoreConfig serverCore;
    private final long id = IDS.incrementAndGet();
    private ChannelHandlerContext ctx;
    private Http1Transport transport;
    private Http1Timer timer;
    private ConnectionStates states;
    private int requests;
    private Exchange current;
    private RequestHead currentHead;
    private BodyPump streamer;
    private InetSocketAddress proxyAddress;
    private final TlsState tls = new TlsState();
    private boolean inRead;
    private boolean inputShutdown;
    private boolean closed;
    private final boolean h2cUpgrade;

    /** @param bindings the socket's current binding for each request; null once a reload removed it */
    Http1Connection(ConnectionBinding binding, RequestDecoder decoder, boolean h2cUpgrade) {
        this.binding = binding;
        this.decoder = decoder;
        this.h2cUpgrade = h2cUpgrade;
        this.serverCore = binding.hosts().defaultServer().scope().config(CoreModule.CONFIG);
    }

    // ---- channel events -------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timer = new Http1Timer(ctx, this::expired, serverCore);
        this.transport = new Http1Transport(this, binding, ctx, new PendingSend(ctx, timer, () -> current != null
                ? current.location().config(CoreModule.CONFIG).sendTimeout() : serverCore.sendTimeout(), this::flush));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        states = binding.runtime().connectionStates(id);
        if (!binding.runtime().walk(this, Hook::connectionAccept).goOn()) {
            transition(ConnectionState.ERROR);
            ctx.close();
            return;
        }
        transition(ConnectionState.REQUEST_START);
        timer.arm(Http1Timer.Timeout.HEADER, serverCore.clientHeaderTimeout());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        timer.lingered(); // while dropping a finished request's body: the client is still there
        if (closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            if (current != null) {
                current.body().onData(buf);
            } else {
                buf.release();
            }
        } else if (msg instanceof RequestHead head) {
            onHead(head);
        } else if (msg == BodyEnd.INSTANCE) {
            if (current != null) {
                current.body().onEnd();
            }
        } else if (msg instanceof DecodeError error) {
            onDecodeError(error);
        } else if (msg instanceof RequestDecoder.Http2Preface preface) {
            switchToHttp2(preface.bytes());
        } else if (msg instanceof HAProxyMessage proxy) {
            proxyAddress = ProxyProtocol.clientAddress(proxy, id);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** A request head is complete (or could not be parsed): READ -> REQUEST_END, and it counts. */
    private void headArrived() {
        if (state() == ConnectionState.REQUEST_START) {
            transition(ConnectionState.READ);
        }
        transition(ConnectionState.REQUEST_END);
        timer.disarm();
        requests++;
        states.requestArrived();
    }

    private void onHead(RequestHead head) {
        binding.refresh();
        if (h2cUpgrade && requests == 0 && !decoder.hasBufferedBytes()
                && H2cUpgrade.switched(ctx, head, timer, handoff())) {
            return;
        }
        headArrived();
        UriNormalizer.Normalized uri = UriNormalizer.normalize(head.target());
        // nginx rejects a bad URI while reading the request line, before Host: the default server answers
        ServerConfig server = uri == null ? binding.hosts().defaultServer() : binding.hosts().select(head.host());
        Request request = head.request(uri, remoteAddress(), localAddress(), sslSession() != null);
        currentHead = head;
        current = new Exchange(binding.runtime(), transport, head, server, request);
        transition(ConnectionState.HANDLE_REQUEST);
        if (tls.plain()) {
            current.reject(497); // nginx: read the request, then answer it with its 400 page
        } else {
            current.start(uri != null);
        }
    }

    private void onDecodeError(DecodeError error) {
        Log.debug("connection {}: bad request ({}): {}", id, error.status(), error.reason());
        if (current != null) {
            current.body().onError(error.status());
            return;
        }
        headArrived();
        binding.refresh();
        Request request = error.request(remoteAddress(), localAddress(), sslSession() != null);
        ServerConfig server = error.host() == null ? binding.hosts().defaultServer()
                : binding.hosts().select(error.host().isEmpty() ? null : error.host());
        currentHead = null;
        current = new Exchange(binding.runtime(), transport, RequestFraming.NONE, server, request);
        current.reject(error.status());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (state() == ConnectionState.REQUEST_START && decoder.inHead()) {
            transition(ConnectionState.READ);
            timer.arm(Http1Timer.Timeout.HEADER, serverCore.clientHeaderTimeout());
        }
        flush();
        boolean want = !closed && (current == null || current.body().wanted());
        if (want != ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(want);
        }
    }

    private void requestRead() {
        if (!closed && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (tls.onEvent(ctx, id, states, evt)) {
            switchToHttp2(null); // the handshake chose h2 by ALPN
            return;
        }
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (current != null) {
                current.clientClosedInput(); // a body cut short is a 400; a proxied request ends (499)
            } else if (!decoder.hasBufferedBytes()) {
                flush();
                ctx.close();
            }
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            transport.pendingSend().writable();
            if (streamer != null) {
                streamer.resume();
            }
        } else if (current != null || streamer != null) {
            transport.pendingSend().stalled();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Log.connectionFailed(id, cause);
        close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        timer.stop();
        if (streamer != null) {
            streamer.close();
        }
        if (current != null) {
            current.abort(499); // nginx's "client closed request"
            current = null;
        }
        transport.release();
        binding.runtime().walk(this, Hook::connectionClose);
        transition(ConnectionState.CLOSE);
    }

    private void expired(Http1Timer.Timeout t) {
        if (closed) {
            return;
        }
        if (t == Http1Timer.Timeout.NONE) {
            Log.debug("connection {}: client timed out while the response was sent", id);
        } else {
            Log.debug("connection {}: {} timeout", id, t);
            if (t == Http1Timer.Timeout.BODY && current != null && !current.finished()) {
                current.abort(408);
                current = null;
            }
        }
        close();
    }

    /** Hands the connection to HTTP/2 before its first request, with the bytes read so far (the preface); null for none. */
    private void switchToHttp2(ByteBuf received) {
        timer.stop();
        Http2Connection.install(ctx.pipeline(), handoff());
        if (received != null) {
            ctx.fireChannelRead(received); // to the HTTP/2 codec, next in the pipeline now
        }
        ctx.pipeline().remove(this);
        ctx.pipeline().remove(decoder);
    }

    private Http2Handoff handoff() {
        return new Http2Handoff(id, states, proxyAddress, tls, binding);
    }

    // ---- between requests -----------------------------------------------------------------

    /** A response is complete: its unread body is dropped (before a close too if lingering-close is off), then what follows. */
    void responseDone(Exchange ex) {
        if (ex != current) {
            return;
        }
        timer.lingerWith(ex.location().config(CoreModule.CONFIG));
        if (!ex.body().complete() && (ex.keepAlive() || timer.lingerKeys().lingeringClose() == LingeringClose.OFF)) {
            timer.startDiscarding();
            requestRead();
            return;
        }
        afterBody(ex);
    }

    /** A finished request's unread body was dropped. */
    void bodyDrained() {
        if (current != null && state() == ConnectionState.RESPONSE_END) {
            afterBody(current);
        }
    }

    /** The next request, or the close the response announced. */
    private void afterBody(Exchange ex) {
        if (ex.keepAlive()) {
            nextRequest(ex);
        } else {
            current = null;
            closeAfterFlush();
        }
    }

    private void nextRequest(Exchange ex) {
        current = null;
        currentHead = null;
        transition(ConnectionState.REQUEST_START);
        flush();
        if (inputShutdown && !decoder.hasBufferedBytes()) {
            closeAfterFlush();
            return;
        }
        timer.arm(Http1Timer.Timeout.KEEPALIVE, ex.location().config(CoreModule.CONFIG).keepaliveTimeout());
        decoder.resume();
        requestRead();
    }

    private void closeAfterFlush() {
        if (closed) {
            transport.takeFlush();
        } else {
            transport.closeAfterFlush();
        }
    }

    /** The last response is flushed: the lingering close, which a handler in front of the decoder does from now. */
    void linger() {
        closed = true; // what the decoder still holds is dropped: no request follows
        timer.stop();
        LingeringDrain.begin(ctx.channel(), timer.lingerKeys());
    }

    // ---- what the transport asks of the connection -----------------------------------------

    void transition(ConnectionState to) {
        states.transition(to);
    }

    /** Reads from the socket; with a timeout, the body timeout is armed. */
    void readBody(Duration timeout) {
        if (timeout != null) {
            timer.arm(Http1Timer.Timeout.BODY, timeout);
        }
        requestRead();
    }

    void bodyRead() {
        timer.disarm();
    }

    /** The head of the request being served; null for one that could not be parsed. */
    RequestHead currentHead() {
        return currentHead;
    }

    /** Whether the client half-closed: no request follows the current one. */
    boolean inputShutdown() {
        return inputShutdown;
    }

    void onWritable(BodyPump s) {
        this.streamer = s;
    }

    /** Flushes written responses now, unless inside a read batch: that flushes once at its end. */
    void flush() {
        if (!inRead && !closed && transport.takeFlush()) {
            ctx.flush();
        }
    }

    /** Closes at once, for errors and timeouts; responses already written still go out. */
    void close() {
        if (!closed) {
            closed = true;
            transition(ConnectionState.ERROR);
            if (transport.takeFlush()) {
                ctx.flush();
            }
            ctx.close();
        }
    }

    // ---- ConnectionInfo -------------------------------------------------------------------

    @Override
    public long id() {
        return id;
    }

    @Override
    public ConnectionState state() {
        return states.state();
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
        return proxyAddress;
    }

    @Override
    public TlsFacts tls() {
        return tls;
    }
}
