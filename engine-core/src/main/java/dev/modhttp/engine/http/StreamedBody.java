package dev.modhttp.engine.http;

import io.netty.buffer.ByteBuf;

/**
 * A response body produced over time (a proxied backend's body, a handler that writes as it
 * goes), set with {@link Response#stream(StreamedBody, long)}. The engine sends the head through
 * the header filters, then calls {@link #start(Sink)}; the body's pieces go through the body
 * filters as they are written. All calls come on the request's event loop, and the body writes
 * to its sink on that loop too.
 *
 * <pre>{@code
 * response.status(200).stream(new StreamedBody() {
 *     public void start(Sink sink) { sink.write(firstChunk); sink.flush(); ... }
 *     public void resume() { ... the client takes bytes again: write on ... }
 *     public void discard() { ... the body will not be sent: let go of its producer ... }
 * }, -1);
 * }</pre>
 *
 * Back-pressure: write while {@link Sink#isWritable()}; once it answers false, stop and wait for
 * {@link #resume()}. Exactly one of {@link Sink#end()} and {@link Sink#fail(Throwable)} ends a
 * started body; {@link #discard()} is called instead of {@link #start} when the body is not sent
 * (HEAD, 304, a header filter replaced the response) and after {@code start} when the request
 * ends before the body did (the client went away).
 */
public interface StreamedBody {

    /** The head has gone out: produce the body into {@code sink}. */
    void start(Sink sink);

    /** The client takes bytes again after {@link Sink#isWritable()} answered false. */
    void resume();

    /** The body will not be sent, or no longer: release what produces it. Called at most once. */
    void discard();

    /** Where a streamed body's pieces go: the body filters, then the connection. */
    interface Sink {

        /** Writes a piece of the body; the sink takes the buffer. Ignored (and released) after the end. */
        void write(ByteBuf chunk);

        /** Sends what was written so far. */
        void flush();

        /**
         * Whether the client takes more bytes now (what was written and not flushed yet is sent
         * first); when false, {@link StreamedBody#resume()} follows.
         */
        boolean isWritable();

        /** The body is complete: the last piece (a last chunk on HTTP/1.1, END_STREAM on h2) goes out. */
        void end();

        /**
         * The body broke before its end (its producer failed): the response cannot be completed,
         * so the connection (the stream on h2) ends, as nginx ends it after a backend fails mid-body.
         */
        void fail(Throwable cause);
    }
}
