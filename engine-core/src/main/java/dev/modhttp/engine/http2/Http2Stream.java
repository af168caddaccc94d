package dev.modhttp.engine.http2;

import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.exchange.BodyPump;
import dev.modhttp.engine.exchange.ConnectionStates;
import dev.modhttp.engine.exchange.Exchange;
import dev.modhttp.engine.exchange.RequestBody;
import dev.modhttp.engine.exchange.Transport;
import dev.modhttp.engine.exchange.UriNormalizer;
import dev.modhttp.engine.http.Tunnel;
import dev.modhttp.engine.http.Addresses;
import dev.modhttp.engine.http.ConnectionInfo;
import dev.modhttp.engine.http.ConnectionState;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.internal.Log;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 stream (RFC 9113 §5.1), on its own channel of Netty's multiplexer: its request
 * becomes an {@link Exchange}, and it is that exchange's {@link Transport}. A response leaves
 * as a HEADERS frame and DATA frames ({@link StreamOutput}). Files are read into bytes in pieces
 * while the stream's flow-control window and the connection take them; request body bytes are
 * taken as the exchange wants them, so a handler that does not read keeps the client at its window.
 *
 * <p>The stream's states are lighttpd's, as a connection's request has them; hooks and
 * variables see the connection's id, addresses and TLS facts ({@link StreamInfo}).
 */
final class Http2Stream extends ChannelInboundHandlerAdapter implements Transport {

    private static final HttpVersion HTTP_2 = HttpVersion.valueOf("HTTP/2.0");

    private final Http2Connection conn;
    private final int chunkSize;
    private ChannelHandlerContext ctx;
    private ConnectionStates states;
    private ConnectionInfo info;
    private Exchange exchange;
    /** A finished exchange whose unread body is read and dropped (nginx's discarded body). */
    private Exchange discarding;
    private StreamOutput output;
    private BodyPump streamer;
    private ScheduledFuture<?> bodyTimer;
    private Http2Messages.Head framing;
    /** send-timeout while the stream cannot take more of a body, and while a finished response's frames wait. */
    private SendTimeout sending;
    private SendTimeout draining;
    private boolean opened;
    private boolean windowOpened;
    /** A malformed request (RFC 9113 §8.1.1): its 400 ends with RST_STREAM PROTOCOL_ERROR, not END_STREAM. */
    private boolean malformed;
    private boolean closed;

    Http2Stream(Http2Connection conn) {
        this.conn = conn;
        this.chunkSize = (int) conn.config.http2ChunkSize().bytes();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.states = conn.binding.runtime().streamStates(conn.id());
        this.info = new StreamInfo(conn, states);
        this.output = new StreamOutput(ctx, chunkSize);
        this.sending = new SendTimeout(ctx.executor(), () -> conn.sentData.lastWrite(streamId()), this::sendTimedOut);
        this.draining = new SendTimeout(ctx.executor(), () -> conn.sentData.lastWrite(streamId()), this::sendTimedOut);
        states.transition(ConnectionState.REQUEST_START);
        states.transition(ConnectionState.READ);
    }

    // ---- frames from the client ----------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame headers) {
            if (!opened) {
                onRequest(headers);
            } else if (headers.isEndStream() && exchange != null) {
                exchange.body().onEnd(); // trailers end the body; their fields are not used
            }
        } else if (msg instanceof Http2DataFrame data) {
            Exchange target = exchange != null ? exchange : discarding;
            if (target == null || closed) {
                data.release();
                return;
            }
            if (data.content().isReadable()) {
                target.body().onData(data.content()); // handed over: the frame is its content
            } else {
                data.release();
            }
            if (data.isEndStream() && !closed) {
                target.body().onEnd();
            }
        } else { // a client's RST_STREAM comes as a user event, then the stream's close aborts the request (499)
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(Http2HeadersFrame frame) {
        opened = true;
        conn.streamOpened();
        Http2Messages.Head head = Http2Messages.request(frame.headers(), frame.isEndStream(), conn.fieldLimit);
        states.transition(ConnectionState.REQUEST_END);
        states.requestArrived();
        if (head.fieldTooLarge()) {
            conn.fail(Http2Error.ENHANCE_YOUR_CALM, "client sent too large header field");
            return;
        }
        UriNormalizer.Normalized uri = head.error() == null ? UriNormalizer.normalize(head.path()) : null;
        String host = head.headers().get("host") == null ? null : Addresses.host(head.headers().get("host"));
        if (host == null && head.headers().contains("host") && head.error() == null) {
            uri = null; // an invalid authority is a bad request, answered by the default server
        }
        ServerConfig server = uri == null ? conn.binding.hosts().defaultServer() : conn.binding.hosts().select(host);
        String target = head.path() == null ? "/" : head.path();
        Request request = new Request(head.method() == null ? "GET" : head.method(), target, HTTP_2, head.headers(),
                host, uri == null ? "/" : uri.path(), uri == null ? "" : uri.args(), conn.remoteAddress(),
                conn.localAddress(), conn.sslSession() != null);
        framing = head;
        exchange = new Exchange(conn.binding.runtime(), this, head, server, request);
        states.transition(ConnectionState.HANDLE_REQUEST);
        if (head.error() != null) {
            Log.LOG.info("connection {}: {}", conn.id(), head.error());
            malformed = true;
            exchange.reject(400);
        } else {
            exchange.start(uri != null);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush();
        boolean want = !closed && (exchange == null || exchange.body().wanted()); // after the response: discarding
        if (want != ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(want);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            sending.stop();
            if (streamer != null) {
                streamer.resume();
            }
        } else if (exchange != null) {
            sending.start(exchange.location().config(CoreModule.CONFIG).sendTimeout());
        }
    }

    private void sendTimedOut() {
        Log.debug("connection {}: client timed out while the response was sent", conn.id());
        output.resetNow(Http2Error.PROTOCOL_ERROR);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Log.debug("connection {}: stream failed: {}", conn.id(), cause.toString());
        abort(400);
        if (!(cause instanceof Http2Exception)) {
            ctx.close();
        } // else the multiplexer resets the stream with the error's own code (RFC 9113 §5.4.2)
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        abort(499);
        output.close();
        conn.sentData.forget(streamId());
        states.transition(ConnectionState.CLOSE);
        if (opened) {
            conn.streamClosed();
        }
    }

    /** Ends the exchange of a stream that was reset or failed; LOG sees {@code status}. */
    private void abort(int status) {
        cancel(bodyTimer);
        sending.stop();
        draining.stop();
        if (streamer != null) {
            streamer.close();
            streamer = null;
        }
        if (exchange != null) {
            Exchange ex = exchange;
            exchange = null;
            ex.abort(status);
        }
    }

    private static ScheduledFuture<?> cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
        return null;
    }

    // ---- Transport: the request body ----------------------------------------------------------

    @Override
    public ConnectionInfo connection() {
        return info;
    }

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public void transition(ConnectionState to) {
        states.transition(to);
    }

    @Override
    public void readBody(Duration timeout) {
        if (timeout != null) {
            cancel(bodyTimer);
            bodyTimer = ctx.executor().schedule(() -> {
                Log.debug("connection {}: client body timeout on a stream", conn.id());
                Http2Error code = exchange == null ? Http2Error.NO_ERROR : Http2Error.PROTOCOL_ERROR; // answered: it ends
                if (exchange != null && !exchange.finished()) {
                    abort(408);
                }
                output.resetNow(code);
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        if (!closed && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
        if (!windowOpened && !closed) {
            windowOpened = true;
            conn.openWindow(((Http2StreamChannel) ctx.channel()).stream().id());
        }
    }

    @Override
    public void sendContinue() {
        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(Http2Messages.continueHead(), false), ctx.voidPromise());
    }

    @Override
    public void bodyRead() {
        bodyTimer = cancel(bodyTimer);
    }

    /** The discarded body ended: the stream closes as both sides are done. */
    @Override
    public void bodyDrained() {
        bodyTimer = cancel(bodyTimer);
        discarding = null;
    }

    // ---- Transport: the response --------------------------------------------------------------

    /** A stream never carries another request; the connection goes on whatever the response. */
    @Override
    public void prepareResponse(Exchange ex) {
        ex.keepAlive(true);
    }

    /** Content-Length when known; no body for HEAD, 1xx, 204, 304. */
    @Override
    public boolean frame(Exchange ex) {
        Response r = ex.response();
        int status = r.status();
        if (status < 200 || status == 204 || status == 304) {
            r.headers().remove("content-length");
            if (status == 204) {
                r.headers().remove("content-type");
                r.headers().remove("last-modified");
            }
            r.clearBody();
            return false;
        }
        if (r.contentLength() >= 0) {
            r.headers().set("content-length", Long.toString(r.contentLength()));
        } else {
            r.headers().remove("content-length");
        }
        return !ex.request().isHead();
    }

    @Override
    public long writeHead(Exchange ex, Response response) {
        Http2Headers head = Http2Messages.responseHead(response);
        output.head(head);
        return Http2Messages.size(head);
    }

    @Override
    public boolean zeroCopy() {
        return false;
    }

    /** Body bytes as DATA frames of at most {@code http2-chunk-size}; the last is held for END_STREAM. */
    @Override
    public void writeBody(ByteBuf bytes) {
        output.body(bytes);
    }

    @Override
    public void writePiece(Response.Piece piece) {
        if (!(piece instanceof Response.Bytes b)) {
            throw new IllegalStateException("HTTP/2 sends files as bytes (zeroCopy is false)");
        }
        writeBody(b.buf());
    }

    @Override
    public void cork(boolean on) {
        // frames are batched until a flush already
    }

    @Override
    public void endBody() {
        output.end(malformed);
    }

    /** A stream's request ends when its last frame has left (nginx: its last DATA frame sent), or it resets. */
    @Override
    public boolean sending() {
        return output.pending();
    }

    /** A failed write, or a reset first: the stream is gone, and its request aborted (a sent status stays). */
    @Override
    public void whenSent(Runnable sent) {
        output.whenWritten(() -> {
            draining.stop();
            sent.run();
        }, () -> abort(499), () -> draining.start(exchange == null ? Duration.ZERO
                : exchange.location().config(CoreModule.CONFIG).sendTimeout()));
        flush();
    }

    @Override
    public long unsentBytes() {
        return output.handed() - conn.sentData.of(streamId());
    }

    private int streamId() {
        return ((Http2StreamChannel) ctx.channel()).stream().id();
    }

    /** HTTP/2 has no 101: a stream cannot switch protocols. */
    @Override
    public boolean upgrade(Exchange exchange, Tunnel tunnel) {
        return false;
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void onWritable(BodyPump s) {
        this.streamer = s;
    }

    /** Sends what was written, held bytes too (a streamed body waits for no END_STREAM). */
    @Override
    public void flush() {
        if (closed) {
            return;
        }
        output.flushHeld();
        ctx.flush();
    }

    /**
     * The response is complete. A body the client is still sending is read and dropped when at
     * most {@link RequestBody#DISCARD_LIMIT} bytes of it are left (as HTTP/1.1 discards it, and
     * because clients such as the JDK's fail a response followed by a reset), within
     * {@code client-body-timeout}; a larger one is refused at once with RST_STREAM NO_ERROR
     * (RFC 9113 §8.1).
     */
    @Override
    public void responseDone(Exchange ex) {
        cancel(bodyTimer);
        sending.stop();
        draining.stop();
        exchange = null;
        if (!ex.body().complete() && !closed && !malformed) {
            long declared = framing.contentLength();
            long left = declared >= 0 ? declared - ex.body().received() : 0;
            if (left <= RequestBody.DISCARD_LIMIT) {
                discarding = ex;
                readBody(ex.location().config(CoreModule.CONFIG).clientBodyTimeout());
            } else {
                output.resetAfterWritten(Http2Error.NO_ERROR); // after the response, which may wait for the window
            }
        }
        ctx.flush();
    }

    /** Resets the stream at once (an error after the head went out); the connection goes on. */
    @Override
    public void close() {
        output.resetNow(Http2Error.INTERNAL_ERROR);
    }
}
