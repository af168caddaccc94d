package dev.modhttp.engine.exchange;

import dev.modhttp.engine.core.CoreConfig;
import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.http.HttpExchange.RequestBodyListener;
import dev.modhttp.engine.http.HttpExchange.RequestBodyStream;
import dev.modhttp.engine.internal.HttpAccess;
import dev.modhttp.engine.internal.Log;
import dev.modhttp.engine.http.ConnectionState;
import dev.modhttp.engine.phase.Result;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;

/**
 * One request's body as the protocol feeds it: buffered whole for CONTENT (nginx's
 * {@code client_max_body_size}, {@code client_body_timeout}, 100-continue), in memory up to
 * {@code client-body-buffer-size} and in a temporary file above it ({@link BodySpool}), streamed to a
 * handler that asked for it, or read and dropped after the response (nginx's discarded body:
 * a declared length with more than {@link #DISCARD_LIMIT} bytes unread closes the connection
 * instead; a body of unknown length is dropped to its end, within the protocol's time bounds:
 * {@code lingering-timeout} and {@code lingering-time} over HTTP/1.1, {@code client-body-timeout}
 * over HTTP/2).
 */
public final class RequestBody {

    /** Above this many unread body bytes declared, a finished request closes its connection rather than discard them. */
    public static final long DISCARD_LIMIT = 1024 * 1024;

    private final Exchange ex;
    private CompositeByteBuf buffered;
    private BodySpool spool;
    private long received;
    private boolean complete;
    /** CONTENT waits for the body. */
    private boolean awaited;
    private boolean continueSent;
    private RequestBodyListener streamer;
    private boolean streamPaused;
    private RequestBodyStream control;

    RequestBody(Exchange ex) {
        this.ex = ex;
        this.complete = !ex.framing.hasBody();
    }

    private CoreConfig core() {
        return ex.location.config(CoreModule.CONFIG);
    }

    /** Body bytes received so far. */
    public long received() {
        return received;
    }

    /** Whether the whole body was received (or there is none). */
    public boolean complete() {
        return complete;
    }

    /** Whether the protocol should read the body now: it is awaited, streamed, or being discarded. */
    public boolean wanted() {
        return !complete && (awaited || streamer != null && !streamPaused || ex.finished);
    }

    /** nginx: a declared length above the location's {@code client-max-body-size} is a 413 at once. */
    void checkDeclaredLength() {
        long limit = core().clientMaxBodySize().bytes();
        long declared = ex.framing.contentLength();
        if (limit > 0 && declared > limit) {
            Log.LOG.info("client intended to send too large body: {} bytes", declared);
            ex.forceClose = true;
            ex.finalizer.finish(Result.status(413));
        }
    }

    /** READ_BODY: true when the body is complete (or streamed); false when it is awaited. */
    boolean read() {
        if (complete || streamer != null) {
            handOver();
            return true;
        }
        if (ex.framing.expectContinue() && !continueSent && received == 0) {
            continueSent = true;
            ex.transport.sendContinue();
        }
        awaited = true;
        ex.transport.transition(ConnectionState.READ_POST);
        ex.transport.readBody(core().clientBodyTimeout());
        return false;
    }

    /** The response is decided: the body is no longer awaited (it may still be discarded). */
    void stopAwaiting() {
        awaited = false;
    }

    /**
     * nginx's discard of a body the client was asked to hold back ({@code Expect: 100-continue}):
     * for a connection that goes on, 100 Continue goes out before the answer so that the client
     * sends the body, which is then read and dropped. Not before an error, a redirect, 201 or 204
     * answered as a status (nginx's special response handler marks the expectation tested): the
     * client is spared sending a body nobody reads.
     */
    public void continueToDiscard() {
        if (!complete && ex.framing.expectContinue() && !continueSent && received == 0 && !ex.finalizer.special()) {
            continueSent = true;
            ex.transport.sendContinue();
        }
    }

    /** Body bytes from the protocol; handed over. */
    public void onData(ByteBuf data) {
        received += data.readableBytes();
        if (ex.finished) {
            data.release(); // dropped, as nginx drops it: a reset mid-upload would lose the response on its way
            return;
        }
        long limit = core().clientMaxBodySize().bytes();
        if (limit > 0 && received > limit) {
            data.release();
            Log.LOG.info("client intended to send too large chunked body: more than {} bytes", limit);
            ex.forceClose = true;
            ex.finalizer.finish(Result.status(413));
            return;
        }
        if (awaited || streamer != null && !streamPaused) {
            ex.transport.readBody(core().clientBodyTimeout());
        }
        if (streamer != null) {
            try {
                streamer.onData(data);
            } catch (RuntimeException e) {
                Log.error("request body listener failed", e);
            } finally {
                data.release();
            }
            return;
        }
        if (spool != null) {
            spill(data);
            return;
        }
        if (buffered == null) {
            buffered = ex.transport.alloc().compositeBuffer(Integer.MAX_VALUE); // never copied while it grows
        }
        buffered.addComponent(true, data);
        CoreConfig core = core();
        if (buffered.readableBytes() > core.clientBodyBufferSize().bytes()
                || core.clientBodyInFileOnly() != CoreConfig.InFileOnly.OFF) {
            ByteBuf all = buffered;
            buffered = null;
            try {
                spool = BodySpool.create(core.clientBodyTempPath(), core.clientBodyInFileOnly() == CoreConfig.InFileOnly.ON);
            } catch (IOException e) {
                all.release();
                Log.LOG.error("cannot create a client request body temporary file in {}: {}",
                        core.clientBodyTempPath(), e.toString());
                ex.forceClose = true;
                ex.finalizer.finish(Result.ERROR);
                return;
            }
            if (core.clientBodyInFileOnly() == CoreConfig.InFileOnly.OFF) {
                Log.LOG.warn("a client request body is buffered to a temporary file {}", spool.path());
            }
            spill(all);
        }
    }

    /** nginx's client body temp file: the bytes go on to disk; a failed write is a 500. */
    private void spill(ByteBuf data) {
        try {
            spool.write(data);
        } catch (IOException e) {
            Log.LOG.error("cannot write the client request body to {}: {}", spool.path(), e.toString());
            ex.forceClose = true;
            ex.finalizer.finish(Result.ERROR);
        }
    }

    /** The complete body to the request: in memory, or as its file. */
    private void handOver() {
        if (buffered != null && buffered.numComponents() > 1 && Boolean.TRUE.equals(core().clientBodyInSingleBuffer())) {
            buffered.consolidate(); // client-body-in-single-buffer: one copy, once
        }
        HttpAccess.get().body(ex.request(), buffered == null ? Unpooled.EMPTY_BUFFER : buffered,
                spool == null ? null : spool.path());
    }

    /** The body is complete. */
    public void onEnd() {
        complete = true;
        if (ex.finished) {
            ex.transport.bodyDrained();
            return;
        }
        if (streamer != null) {
            ex.transport.bodyRead();
            try {
                streamer.onEnd();
            } catch (RuntimeException e) {
                Log.error("request body listener failed", e);
            }
        }
        if (awaited) {
            awaited = false;
            ex.transport.bodyRead();
            ex.transport.transition(ConnectionState.HANDLE_REQUEST);
            handOver();
            ex.phases.bodyArrived();
            ex.transport.flush();
        }
    }

    /** The body could not be parsed (bad chunk framing) or the client went away in the middle of it. */
    public void onError(int status) {
        ex.forceClose = true;
        if (streamer != null) {
            streamer.onError(new IllegalStateException("request body failed: " + status));
        }
        if (!ex.finished) {
            ex.finalizer.finish(Result.status(status));
        } else {
            ex.transport.close(); // the body being discarded is broken: framing is lost
        }
    }

    /** {@link dev.modhttp.engine.http.HttpExchange#streamRequestBody}. */
    RequestBodyStream stream(RequestBodyListener listener) {
        if (streamer != null || spool != null || ex.request().hasBody()) {
            throw new IllegalStateException("the request body is already being read");
        }
        streamer = listener;
        control = new RequestBodyStream() {
            @Override
            public RequestBodyListener listener() {
                return listener;
            }

            @Override
            public void pause() {
                if (!streamPaused && !complete && !ex.finished) {
                    ex.transport.bodyRead(); // a paused body is not the client's delay: no body timeout
                }
                streamPaused = true;
            }

            @Override
            public void resume() {
                if (streamPaused) {
                    streamPaused = false;
                    if (!complete && !ex.finished) {
                        ex.transport.readBody(core().clientBodyTimeout());
                    }
                }
            }
        };
        if (buffered != null) {
            CompositeByteBuf pending = buffered;
            buffered = null;
            try {
                listener.onData(pending);
            } finally {
                pending.release();
            }
        }
        if (complete) {
            listener.onEnd();
        } else if (!streamPaused) {
            continueToDiscard(); // the client waiting for 100 Continue sends the body now
            ex.transport.readBody(core().clientBodyTimeout());
        }
        return control;
    }

    /** The control of the streamed body, or null while it is buffered. */
    RequestBodyStream streamControl() {
        return control;
    }

    void release() {
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
        if (spool != null) {
            spool.close();
            spool = null;
        }
        HttpAccess.get().body(ex.request(), Unpooled.EMPTY_BUFFER, null);
    }
}
