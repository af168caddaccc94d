package dev.modhttp.engine.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ReferenceCountUtil;

/**
 * The frames of one stream's response (RFC 9113 §8.1): the HEADERS frame waits for the first
 * body bytes, DATA frames are cut at {@code http2-chunk-size}, and the last DATA bytes are held
 * back so that END_STREAM rides on them (a response without a body ends on its HEADERS). Netty's
 * encoder may join a stream's frames that wait for the window into frames up to the client's
 * SETTINGS_MAX_FRAME_SIZE; nginx's stay at its chunk size. It counts the body bytes handed to
 * it; {@link SentData} counts those whose DATA frames left.
 */
final class StreamOutput {

    private final ChannelHandlerContext ctx;
    private final int chunkSize;
    private Http2Headers pendingHead;
    /** The last DATA bytes, held back so that END_STREAM can ride on them. */
    private ByteBuf held;
    private boolean closed;
    /** The write of the last frame: a reset goes out only after it, never ahead of queued DATA. */
    private ChannelFuture last;
    /** Body bytes handed over. */
    private long handed;

    StreamOutput(ChannelHandlerContext ctx, int chunkSize) {
        this.ctx = ctx;
        this.chunkSize = chunkSize;
    }

    void head(Http2Headers head) {
        pendingHead = head;
    }

    /** Body bytes, handed over. */
    void body(ByteBuf bytes) {
        handed += bytes.readableBytes();
        writeHeadIfPending(false);
        writeHeld(false);
        while (bytes.readableBytes() > chunkSize) {
            write(new DefaultHttp2DataFrame(bytes.readRetainedSlice(chunkSize), false));
        }
        held = bytes;
    }

    /**
     * Ends the response: END_STREAM on its last frame; for a malformed request's answer, the
     * frames then RST_STREAM PROTOCOL_ERROR (RFC 9113 §8.1.1).
     */
    void end(boolean malformed) {
        if (malformed) {
            writeHeadIfPending(false);
            writeHeld(false);
            resetAfterWritten(Http2Error.PROTOCOL_ERROR);
        } else if (pendingHead != null && held == null) {
            writeHeadIfPending(true);
        } else {
            writeHeadIfPending(false);
            if (held == null) {
                held = Unpooled.EMPTY_BUFFER;
            }
            writeHeld(true);
        }
    }

    /**
     * RST_STREAM with {@code error} once every frame written before it left (DATA may wait for
     * the client's window; a reset written at once would overtake and drop it).
     */
    void resetAfterWritten(Http2Error error) {
        if (last == null || last.isDone()) {
            write(new DefaultHttp2ResetFrame(error));
            return;
        }
        last.addListener(f -> {
            if (!closed) {
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(error), ctx.voidPromise());
            }
        });
    }

    /** Whether a frame written still waits for the socket (for the client's window, or for a flush). */
    boolean pending() {
        return last != null && !last.isDone();
    }

    /**
     * Runs {@code written} once every frame written so far has left, or {@code failed} when one
     * of them could not be (the stream or the connection closed first); {@code stillWaiting} when
     * they still wait after this turn's flush (most leave with it).
     */
    void whenWritten(Runnable written, Runnable failed, Runnable stillWaiting) {
        if (!pending()) {
            written.run();
            return;
        }
        last.addListener(f -> (f.isSuccess() && !closed ? written : failed).run());
        ctx.executor().execute(() -> {
            if (pending() && !closed) {
                stillWaiting.run();
            }
        });
    }

    /** Body bytes handed over, the DATA frames' payload. */
    long handed() {
        return handed;
    }

    /**
     * RST_STREAM with {@code error} now, and the stream closed: INTERNAL_ERROR for an error after
     * the head went out, PROTOCOL_ERROR for a client that timed out (as nginx resets it), NO_ERROR
     * for an answered stream whose unread body stopped coming.
     */
    void resetNow(Http2Error error) {
        if (!closed) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(error), ctx.voidPromise());
            ctx.close();
        }
    }

    /** Sends the held bytes without END_STREAM (a flush: a streamed body must not wait for its end). */
    void flushHeld() {
        writeHeld(false);
    }

    private void writeHeld(boolean endStream) {
        if (held != null) {
            write(new DefaultHttp2DataFrame(held, endStream));
            held = null;
        }
    }

    private void writeHeadIfPending(boolean endStream) {
        if (pendingHead != null) {
            write(new DefaultHttp2HeadersFrame(pendingHead, endStream));
            pendingHead = null;
        }
    }

    private void write(Object frame) {
        if (closed) {
            ReferenceCountUtil.release(frame);
            return;
        }
        last = ctx.write(frame);
    }

    /** The stream is gone: what is held is released, later writes are dropped. */
    void close() {
        closed = true;
        if (held != null) {
            held.release();
            held = null;
        }
    }
}
