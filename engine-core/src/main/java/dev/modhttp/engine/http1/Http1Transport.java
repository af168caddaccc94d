package dev.modhttp.engine.http1;

import dev.modhttp.engine.core.CoreConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.exchange.BodyPump;
import dev.modhttp.engine.exchange.ConnectionBinding;
import dev.modhttp.engine.exchange.Exchange;
import dev.modhttp.engine.exchange.RequestBody;
import dev.modhttp.engine.exchange.Transport;
import dev.modhttp.engine.http.ConnectionInfo;
import dev.modhttp.engine.http.ConnectionState;
import dev.modhttp.engine.http.HeaderFields;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.http.Tunnel;
import dev.modhttp.engine.internal.HeaderNames;
import dev.modhttp.engine.internal.StatusText;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * The {@link Transport} of an HTTP/1.1 connection, for the request it serves: the wire form of
 * responses (RFC 9112): framing (Content-Length, chunked or close-delimited, and the Connection
 * header), the status line and headers, chunks, and file regions zero-copy. A small response
 * leaves as one buffer: the encoded head waits for the first body bytes and takes them in
 * when they are small. Reading, timeouts and what follows a response are the
 * {@link Http1Connection}'s.
 */
final class Http1Transport implements Transport {

    private enum BodyMode { NONE, FIXED, CHUNKED, CLOSE_DELIMITED }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Body bytes up to this size are copied into the head's buffer. */
    private static final int MERGE_LIMIT = 2048;
    private static final AsciiString[] SMALL_LENGTHS = new AsciiString[4096];

    static {
        for (int i = 0; i < SMALL_LENGTHS.length; i++) {
            SMALL_LENGTHS[i] = AsciiString.cached(Integer.toString(i));
        }
    }

    private final Http1Connection conn;
    /** Whether the engine stops or a reload removed the address: the response closes the connection. */
    private final ConnectionBinding binding;
    private final ChannelHandlerContext ctx;
    private BodyMode mode = BodyMode.NONE;
    /** The encoded status line and headers, not yet written. */
    private ByteBuf pendingHead;
    private boolean needsFlush;
    /** What of the response the client has not taken yet. */
    private final PendingSend pending;

    Http1Transport(Http1Connection conn, ConnectionBinding binding, ChannelHandlerContext ctx, PendingSend pending) {
        this.conn = conn;
        this.binding = binding;
        this.ctx = ctx;
        this.pending = pending;
    }

    /** The response's body on its way: corking, and what the client has not taken yet. */
    PendingSend pendingSend() {
        return pending;
    }

    @Override
    public boolean sending() {
        return pending.pending();
    }

    @Override
    public void whenSent(Runnable sent) {
        pending.whenSent(sent);
    }

    @Override
    public long unsentBytes() {
        return pending.unsentBytes();
    }

    @Override
    public ConnectionInfo connection() {
        return conn;
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
        conn.transition(to);
    }

    @Override
    public void readBody(Duration timeout) {
        conn.readBody(timeout);
    }

    @Override
    public void bodyRead() {
        conn.bodyRead();
    }

    @Override
    public void bodyDrained() {
        conn.bodyDrained();
    }

    /**
     * nginx's keep-alive rule: the client asked for it, neither the request's own error nor
     * {@code keepalive-disable} (applied as its location is chosen) closes it, the client did not
     * half-close, the engine is not stopping (nor a reload removing the address),
     * {@code keepalive-timeout} is not 0 and {@code keepalive-requests} not reached, and at most
     * {@link RequestBody#DISCARD_LIMIT} body bytes are left to discard.
     */
    private boolean keepAlive(Exchange ex) {
        CoreConfig core = ex.location().config(CoreModule.CONFIG);
        RequestHead head = conn.currentHead();
        RequestBody body = ex.body();
        boolean ka = head != null && head.keepAlive() && !ex.forceClose() && !conn.inputShutdown() && !binding.closing()
                && core.keepaliveTimeout().toMillis() > 0 && conn.requests() < core.keepaliveRequests();
        if (ka && !body.complete()) {
            long left = head.chunked() ? body.received() : head.contentLength() - body.received();
            ka = left <= RequestBody.DISCARD_LIMIT;
        }
        return ka;
    }

    @Override
    public void prepareResponse(Exchange ex) {
        boolean keepAlive = keepAlive(ex);
        ex.keepAlive(keepAlive);
        if (keepAlive) {
            ex.body().continueToDiscard();
        }
    }

    /** Files go out as file regions (sendfile), except through TLS, which must encrypt their bytes. */
    @Override
    public boolean zeroCopy() {
        return conn.sslSession() == null;
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void onWritable(BodyPump streamer) {
        conn.onWritable(streamer);
    }

    @Override
    public void flush() {
        output(null); // a head still pending goes out too: a streamed body's, before its first piece
        conn.flush();
    }

    /** The 101 head is written: the decoder leaves, its unread bytes go to the tunnel, which starts. */
    @Override
    public boolean upgrade(Exchange ex, Tunnel tunnel) {
        Http1Tunnel end = new Http1Tunnel(tunnel, ex);
        ctx.pipeline().addBefore(ctx.name(), "tunnel", end);
        output(null); // the 101 head
        conn.flush();
        ctx.channel().config().setAutoRead(true);
        tunnel.start(end);
        ctx.pipeline().remove(RequestDecoder.class); // what it read past the request goes to the tunnel
        ctx.channel().config().setAutoRead(true);
        return true;
    }

    @Override
    public void responseDone(Exchange ex) {
        conn.responseDone(ex);
    }

    @Override
    public void close() {
        conn.close();
    }

    private static CharSequence lengthValue(long length) {
        return length < SMALL_LENGTHS.length ? SMALL_LENGTHS[(int) length] : Long.toString(length);
    }

    /** Content-Length, chunked or close-delimited framing, and the Connection header; whether a body goes out. */
    @Override
    public boolean frame(Exchange ex) {
        Response r = ex.response();
        HttpHeaders h = r.headers();
        int status = r.status();
        boolean http10 = ex.request().version() == HttpVersion.HTTP_1_0;
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (status == 101 && ex.response().tunnel() != null) {
            // the connection switches: Upgrade as set, nginx's "Connection: upgrade", no body
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            mode = BodyMode.NONE;
            return false;
        }
        if (status < 200 || status == 204 || status == 304) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            if (status == 204) { // nginx's header filter: a 204 carries no type and no Last-Modified
                h.remove(HttpHeaderNames.CONTENT_TYPE);
                h.remove(HttpHeaderNames.LAST_MODIFIED);
            }
            r.clearBody();
            mode = BodyMode.NONE;
        } else if (r.contentLength() >= 0) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, lengthValue(r.contentLength()));
            mode = BodyMode.FIXED;
        } else if (ex.request().isHead()) {
            // nginx: a HEAD of a body of unknown length (compressed, say) announces neither chunks
            // nor a length, and the connection goes on
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            mode = BodyMode.NONE;
        } else if (!http10) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            mode = BodyMode.CHUNKED;
        } else {
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            mode = BodyMode.CLOSE_DELIMITED;
            ex.keepAlive(false);
        }
        if (ex.request().isHead()) {
            mode = BodyMode.NONE;
        }
        if (!ex.keepAlive()) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            h.remove(HttpHeaderNames.CONNECTION);
        }
        return mode != BodyMode.NONE;
    }

    /** Encodes the status line and headers; they go out with the first body bytes. */
    @Override
    public long writeHead(Exchange ex, Response r) {
        ByteBuf out = ctx.alloc().buffer(256);
        StatusText.writeStatusLine(out, r.status(), r.reason());
        HeaderFields fields = r.headers(); // read in place: no iterator, no entries
        for (int i = 0; i < fields.size(); i++) {
            writeField(out, fields.name(i), fields.value(i));
        }
        out.writeBytes(CRLF);
        if (pendingHead != null) {
            pendingHead.release(); // a head encoded but never sent (cannot happen today: each response ends its body)
        }
        pendingHead = out;
        return out.readableBytes();
    }

    private static void writeField(ByteBuf out, CharSequence name, CharSequence value) {
        byte[] wire = HeaderNames.wire(name);
        if (wire != null) {
            out.writeBytes(wire);
        } else {
            ByteBufUtil.writeAscii(out, name);
        }
        out.writeByte(':').writeByte(' ');
        if (value instanceof AsciiString bytes) {
            ByteBufUtil.copy(bytes, out); // bytes as they came (a proxied backend's field)
        } else {
            ByteBufUtil.writeUtf8(out, value); // text: UTF-8 on the wire, as nginx passes a URI's bytes
        }
        out.writeBytes(CRLF);
    }

    /** Body bytes, as a chunk when the body is chunked. */
    @Override
    public void writeBody(ByteBuf chunk) {
        if (mode != BodyMode.CHUNKED) {
            output(chunk);
            return;
        }
        writeChunk(chunk, chunk.readableBytes(), ctx.voidPromise());
    }

    /** One chunk of a chunked body: its size line, {@code msg} (bytes or a file region), CRLF. */
    private void writeChunk(Object msg, long length, ChannelPromise promise) {
        ByteBuf size = ctx.alloc().buffer(20);
        ByteBufUtil.writeAscii(size, Long.toHexString(length));
        size.writeBytes(CRLF);
        output(size);
        output(msg, promise);
        output(Unpooled.wrappedBuffer(CRLF));
    }

    /** The last chunk of a chunked body; a head still pending goes out. */
    @Override
    public void endBody() {
        if (mode == BodyMode.CHUNKED) {
            output(Unpooled.wrappedBuffer(LAST_CHUNK));
        } else {
            output(null);
        }
    }

    /** A piece of bytes or a file region zero-copy; in a chunked body, as one chunk. */
    @Override
    public void writePiece(Response.Piece piece) throws IOException {
        Object msg;
        ChannelPromise promise = ctx.voidPromise();
        if (piece instanceof Response.FileBody file) {
            FileChannel fc = file.channel() != null ? file.channel()
                    : FileChannel.open(file.path(), StandardOpenOption.READ);
            DefaultFileRegion region = new DefaultFileRegion(fc, file.position(), file.length());
            msg = region;
            if (file.length() > PendingSend.FOLLOWED) {
                promise = pending.follow(region);
            }
        } else {
            msg = ((Response.Bytes) piece).buf();
        }
        if (mode != BodyMode.CHUNKED) {
            output(msg, promise);
        } else if (piece.length() == 0) {
            ReferenceCountUtil.release(msg); // an empty chunk would end the body
        } else {
            writeChunk(msg, piece.length(), promise);
        }
    }

    @Override
    public void cork(boolean on) {
        pending.cork(on);
    }

    /** The interim 100 response, at once. */
    @Override
    public void sendContinue() {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(CONTINUE), ctx.voidPromise());
    }

    /** Writes response bytes, the pending head first, merged with small bytes; {@code null} writes only the head. */
    private void output(Object msg) {
        output(msg, ctx.voidPromise());
    }

    /** As {@link #output(Object)}, {@code msg} written with {@code promise} (only bytes are merged, never a followed region). */
    private void output(Object msg, ChannelPromise promise) {
        ByteBuf head = pendingHead;
        if (head != null) {
            pendingHead = null;
            if (msg instanceof ByteBuf b && b.readableBytes() <= MERGE_LIMIT) {
                // copied by the source into the head: a read-only source (a return text) is read
                // through its backing array, not through NIO views made for each copy
                int n = b.readableBytes();
                head.ensureWritable(n);
                b.getBytes(b.readerIndex(), head, head.writerIndex(), n);
                head.writerIndex(head.writerIndex() + n);
                b.release();
                write(head);
                return;
            }
            write(head);
        }
        if (msg != null) {
            ctx.write(msg, promise);
            needsFlush = true;
        }
    }

    private void write(Object msg) {
        ctx.write(msg, ctx.voidPromise());
        needsFlush = true;
    }

    /** Whether bytes were written since the last flush; clears the mark. */
    boolean takeFlush() {
        boolean n = needsFlush;
        needsFlush = false;
        return n;
    }

    /**
     * Sends what was written, then closes: at once when the client is gone or half-closed,
     * else by the lingering close, so that a client still writing its body reads the response
     * instead of a reset.
     */
    void closeAfterFlush() {
        takeFlush();
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess() || conn.inputShutdown()) {
                f.channel().close();
            } else {
                conn.linger();
            }
        });
    }

    /** A response abandoned after its head was encoded. */
    void release() {
        pending.release();
        if (pendingHead != null) {
            pendingHead.release();
            pendingHead = null;
        }
    }
}
