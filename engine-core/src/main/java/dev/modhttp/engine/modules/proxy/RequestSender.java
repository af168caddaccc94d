package dev.modhttp.engine.modules.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The request's bytes to one backend connection after another: the head, then the body from
 * memory, from the client body's temporary file (read in {@link #PIECE} pieces as the connection
 * takes them, so a large upload never sits in the heap), or as the client sends it
 * ({@code proxy-request-buffering: off}, through {@link UnbufferedBody}). A body in memory or in
 * a file can be sent again to the next peer; an unbuffered one only until its first byte left.
 */
final class RequestSender {

    /** How much of a body file is read per write. */
    static final int PIECE = 64 * 1024;

    /** What the sender reports to its request. */
    interface Progress {
        /**
         * A write to {@code c} completed: the whole request ({@code whole}), a part of it (the send
         * timeout starts again), or it failed ({@code failure} not null).
         */
        void written(Channel c, boolean whole, Throwable failure);
    }

    private final HttpRequest head;
    private final ByteBuf memory;
    private final Path path;
    private final UnbufferedBody live;
    private FileChannel file;
    private long length;
    private Channel channel;
    private Progress progress;
    private long position;
    private boolean complete;
    private boolean endWritten;
    /** Writes not completed yet; none, with an unbuffered body, means the client is awaited. */
    private int pending;

    /** {@code memory} (owned from now on) or the body file {@code path} or {@code live}; one of them at most. */
    RequestSender(HttpRequest head, ByteBuf memory, Path path, UnbufferedBody live) {
        this.head = head;
        this.memory = memory;
        this.path = path;
        this.live = live;
    }

    /** Puts a header field into the request head, replacing any of that name (a tracer's {@code traceparent}). */
    void field(String name, String value) {
        head.headers().set(name, value);
    }

    /** The client's trace context fields (W3C and B3), which the attempt's own replace when a tracer injects it. */
    void clearTraceContext() {
        for (String name : new String[] {"traceparent", "tracestate", "b3", "X-B3-TraceId", "X-B3-SpanId",
            "X-B3-ParentSpanId", "X-B3-Sampled", "X-B3-Flags"}) {
            head.headers().remove(name);
        }
    }

    String method() {
        return head.method().name();
    }

    /** The target sent. */
    String uri() {
        return head.uri();
    }

    /** Whether the request can go to another peer: a streamed body cannot once its first byte was sent. */
    boolean replayable() {
        return live == null || !live.sent();
    }

    /**
     * Whether nothing waits to be written but the client's next bytes (an unbuffered body): the
     * backend is not slow then, so proxy-send-timeout does not run (client-body-timeout does).
     */
    boolean waitingForClient() {
        return live != null && pending == 0 && !complete;
    }

    /** Whether the last attempt's request was written whole (a connection that did not may not be reused). */
    boolean complete() {
        return complete;
    }

    /** Starts writing to {@code c}; an earlier attempt's connection is forgotten. */
    void start(Channel c, Progress p) throws IOException {
        channel = c;
        progress = p;
        pending = 0;
        position = 0;
        complete = false;
        endWritten = false;
        if (memory != null) {
            c.writeAndFlush(new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(),
                    memory.retainedDuplicate(), head.headers(), EmptyHttpHeaders.INSTANCE)).addListener(written(c, true));
        } else if (path != null) {
            if (file == null) {
                file = FileChannel.open(path, StandardOpenOption.READ);
                length = file.size();
            }
            c.write(head).addListener(written(c, false));
            pump();
        } else {
            c.writeAndFlush(head).addListener(written(c, false));
            live.attach(this);
        }
    }

    /** Connection {@code c} can take more: the next pieces of a file, or the client's body again. */
    void writable(Channel c) {
        if (c != channel || complete) {
            return;
        }
        if (path != null) {
            pump();
        } else if (live != null) {
            live.resume();
        }
    }

    private void pump() {
        Channel c = channel;
        try {
            while (c.isWritable() && position < length) {
                int n = (int) Math.min(PIECE, length - position);
                ByteBuf piece = c.alloc().ioBuffer(n);
                try {
                    piece.writeBytes(file, position, n);
                } catch (IOException | RuntimeException e) {
                    piece.release();
                    throw e;
                }
                position += n;
                c.write(new DefaultHttpContent(piece)).addListener(written(c, false));
            }
        } catch (IOException e) {
            progress.written(c, false, e);
            return;
        }
        if (position == length && !endWritten) {
            endWritten = true;
            c.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(written(c, true));
        }
        c.flush();
    }

    /** A piece of the client's body (handed over), from {@link UnbufferedBody}. */
    void liveData(ByteBuf data, boolean last) {
        Channel c = channel;
        if (last) {
            c.writeAndFlush(data.isReadable() ? new DefaultLastHttpContent(data) : releaseAndEnd(data))
                    .addListener(written(c, true));
            return;
        }
        c.writeAndFlush(new DefaultHttpContent(data)).addListener(written(c, false));
        progress.written(c, false, null); // a write is under way: the send timeout runs
        if (!c.isWritable()) {
            live.pause();
        }
    }

    private static LastHttpContent releaseAndEnd(ByteBuf data) {
        data.release();
        return LastHttpContent.EMPTY_LAST_CONTENT;
    }

    private ChannelFutureListener written(Channel c, boolean last) {
        pending++;
        return f -> {
            if (c != channel) {
                return; // an earlier attempt's
            }
            pending--;
            complete |= last && f.isSuccess();
            progress.written(c, last, f.cause());
        };
    }

    /** No attempt follows: the body's memory and file handle are let go. */
    void release() {
        channel = null;
        if (memory != null && memory.refCnt() > 0) {
            memory.release();
        }
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // a read-only handle: nothing is lost
            }
            file = null;
        }
        if (live != null) {
            live.detach();
        }
    }
}
