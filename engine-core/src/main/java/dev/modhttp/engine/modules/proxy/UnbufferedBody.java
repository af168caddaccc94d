package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.http.HttpExchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * {@code proxy-request-buffering: off}: the client's body goes to the backend as it arrives
 * (nginx's unbuffered request body). Taken over in PRECONTENT, before the engine would buffer
 * it, and held paused until a backend connection is there; then each piece the client sends is
 * written to the backend, and reading from the client pauses while the backend does not take
 * bytes. What arrived before the connection (a first read) waits in one buffer.
 */
final class UnbufferedBody implements HttpExchange.RequestBodyListener {

    private static final Object KEY = UnbufferedBody.class;

    private HttpExchange.RequestBodyStream control;
    private CompositeByteBuf early;
    private boolean ended;
    private Throwable failure;
    private RequestSender sender;
    private Runnable onFailure;
    private boolean detached;

    /** PRECONTENT: takes the body of {@code ex} before READ_BODY would buffer it. */
    static void take(HttpExchange ex) {
        UnbufferedBody b = new UnbufferedBody();
        ex.attribute(KEY, b);
        b.control = ex.streamRequestBody(b);
        if (!b.ended) {
            b.control.pause();
        }
    }

    /** The body taken in PRECONTENT, or null when the request's body is buffered. */
    static UnbufferedBody of(HttpExchange ex) {
        return ex.attribute(KEY);
    }

    /** Whether the body ended before a byte of it arrived: there is none to stream. */
    boolean endedEmpty() {
        return ended && early == null;
    }

    /** What to do when the client's body fails (a reset, bad chunk framing) while being sent. */
    void onFailure(Runnable action) {
        this.onFailure = action;
    }

    @Override
    public void onData(ByteBuf data) {
        if (detached) {
            return; // the request is over: the engine drops the rest
        }
        if (sender != null) {
            sender.liveData(data.retain(), false);
            return;
        }
        if (early == null) {
            early = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        }
        early.addComponent(true, data.retain());
    }

    @Override
    public void onEnd() {
        ended = true;
        if (sender != null && !detached) {
            sender.liveData(Unpooled.EMPTY_BUFFER, true);
        }
    }

    @Override
    public void onError(Throwable cause) {
        failure = cause;
        if (onFailure != null) {
            onFailure.run();
        }
    }

    /** A backend connection takes the body from now on: what waited goes first. */
    void attach(RequestSender s) {
        sender = s;
        if (failure != null) {
            return;
        }
        if (early != null) {
            ByteBuf first = early;
            early = null;
            s.liveData(first, ended);
        } else if (ended) {
            s.liveData(Unpooled.EMPTY_BUFFER, true);
        }
        if (!ended) {
            control.resume();
        }
    }

    void pause() {
        if (!ended) {
            control.pause();
        }
    }

    void resume() {
        if (!ended && sender != null) {
            control.resume();
        }
    }

    /** The request is over: what waited is dropped. */
    void detach() {
        detached = true;
        sender = null;
        if (early != null) {
            early.release();
            early = null;
        }
    }
}
