package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.http.HttpExchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * {@code proxy-request-buffering: off}: the client's body goes to the backend as it arrives
 * (nginx's unbuffered request body). Taken over in PRECONTENT, before the engine would buffer
 * it, and held paused while no backend connection takes it; then each piece the client sends is
 * written to the backend, and reading from the client pauses while the backend does not take
 * bytes. What arrives while no connection takes it (a first read, or between two attempts) waits
 * in one buffer. The body is the request's: an internal redirect (an error page) finds it again
 * through the exchange's {@link HttpExchange#requestBodyStream()}, sent or not.
 */
final class UnbufferedBody implements HttpExchange.RequestBodyListener {

    private HttpExchange.RequestBodyStream control;
    /** Bytes received while no connection took them: a heap copy, which nothing has to release. */
    private ByteBuf early;
    private boolean ended;
    /** Whether any byte of the body went to a backend: then no other backend can get it whole. */
    private boolean sent;
    private RequestSender sender;
    private Runnable onFailure;

    /**
     * PRECONTENT: takes the body of {@code ex} before READ_BODY would buffer it, unless it is
     * taken already or was read (buffered in a location the request was in before).
     */
    static void take(HttpExchange ex) {
        if (of(ex) != null || ex.request().hasBody()) {
            return;
        }
        UnbufferedBody b = new UnbufferedBody();
        try {
            b.control = ex.streamRequestBody(b);
        } catch (IllegalStateException e) {
            return; // read already (an empty body, or a handler's stream): nothing to take
        }
        b.pause();
    }

    /** The body taken for the request, or null when its body is buffered. */
    static UnbufferedBody of(HttpExchange ex) {
        HttpExchange.RequestBodyStream s = ex.requestBodyStream();
        return s != null && s.listener() instanceof UnbufferedBody u ? u : null;
    }

    /** Whether the body ended before a byte of it arrived: there is none to stream. */
    boolean endedEmpty() {
        return ended && early == null && !sent;
    }

    /** Whether bytes of the body went to a backend already. */
    boolean sent() {
        return sent;
    }

    /** What to do when the client's body fails (a reset, bad chunk framing) while being sent. */
    void onFailure(Runnable action) {
        this.onFailure = action;
    }

    @Override
    public void onData(ByteBuf data) {
        if (sender != null) {
            sent = true;
            sender.liveData(data.retain(), false);
            return;
        }
        if (early == null) {
            early = Unpooled.buffer(data.readableBytes());
        }
        early.writeBytes(data, data.readerIndex(), data.readableBytes());
    }

    @Override
    public void onEnd() {
        ended = true;
        if (sender != null) {
            sender.liveData(Unpooled.EMPTY_BUFFER, true);
        }
    }

    @Override
    public void onError(Throwable cause) {
        if (onFailure != null) {
            onFailure.run();
        }
    }

    /** A backend connection takes the body from now on: what waited goes first. */
    void attach(RequestSender s) {
        sender = s;
        if (early != null) {
            ByteBuf first = early;
            early = null;
            sent = true;
            s.liveData(first, ended);
        } else if (ended) {
            s.liveData(Unpooled.EMPTY_BUFFER, true);
        }
        resume();
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

    /** The connection no longer takes the body (its attempt ended): the client waits. */
    void detach() {
        sender = null;
        pause();
    }
}
