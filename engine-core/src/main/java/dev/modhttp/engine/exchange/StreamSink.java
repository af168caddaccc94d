package dev.modhttp.engine.exchange;

import dev.modhttp.engine.http.StreamedBody;
import dev.modhttp.engine.internal.Log;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The sink of a {@link StreamedBody}: each piece goes through the body filters to the protocol,
 * the end completes the request, a failure ends the connection. The protocol resumes the body
 * when the client takes bytes again; the request's end before the body's discards it.
 */
final class StreamSink implements StreamedBody.Sink, BodyPump {

    private final Exchange ex;
    private final StreamedBody body;
    private boolean ended;

    StreamSink(Exchange ex, StreamedBody body) {
        this.ex = ex;
        this.body = body;
    }

    void start() {
        ex.transport.onWritable(this);
        body.start(this);
    }

    @Override
    public void write(ByteBuf chunk) {
        if (ended) {
            chunk.release();
            return;
        }
        try {
            ex.runtime.bodyChain.next(ex, chunk, false);
        } catch (Throwable t) {
            failed("a body filter failed on a streamed body of " + ex.request().rawUri(), t);
        }
    }

    @Override
    public void flush() {
        if (!ended) {
            ex.transport.flush();
        }
    }

    @Override
    public boolean isWritable() {
        if (ended) {
            return false;
        }
        if (ex.transport.isWritable()) {
            return true;
        }
        // bytes written but not flushed (a producer flushes at the end of its batch) count against the
        // write buffer: they go to the socket first, as nginx writes until the socket would block
        ex.transport.flush();
        return ex.transport.isWritable();
    }

    @Override
    public void end() {
        if (ended) {
            return;
        }
        ended = true;
        ex.transport.onWritable(null);
        try {
            ex.runtime.bodyChain.next(ex, Unpooled.EMPTY_BUFFER, true);
            ex.transport.flush();
        } catch (Throwable t) {
            Log.error("a body filter failed at the end of a streamed body of " + ex.request().rawUri(), t);
            ex.transport.close();
            ex.complete();
        }
    }

    @Override
    public void fail(Throwable cause) {
        failed("streamed body of " + ex.request().rawUri() + " failed before its end", cause);
    }

    private void failed(String what, Throwable cause) {
        if (ended) {
            return;
        }
        ended = true;
        ex.transport.onWritable(null);
        Log.LOG.info("{}: {}", what, String.valueOf(cause));
        body.discard();
        ex.keepAlive(false);
        ex.transport.close();
        ex.complete();
    }

    @Override
    public void resume() {
        if (!ended) {
            body.resume();
        }
    }

    /** The request ended before the body did: its producer lets go. */
    @Override
    public void close() {
        if (!ended) {
            ended = true;
            body.discard();
        }
    }
}
