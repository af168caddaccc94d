package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.http.StreamedBody;
import io.netty.buffer.ByteBuf;

/**
 * The client's side of a proxied response's body: the backend's pieces go to the engine's sink
 * as they are read, and reading from the backend pauses while the client does not take bytes.
 */
final class ProxiedBody implements StreamedBody {

    private final ProxyRequest request;
    private Sink sink;
    private boolean paused;
    private boolean ended;

    ProxiedBody(ProxyRequest request) {
        this.request = request;
    }

    /** Called by the engine within the request's {@code finish(Result.OK)}, before the backend's next read. */
    @Override
    public void start(Sink s) {
        this.sink = s;
    }

    /**
     * A piece of the backend's body, handed over; false when there is no sink (the body is
     * being read to its end and dropped), and then the caller keeps the buffer.
     */
    boolean write(ByteBuf bytes, boolean last) {
        if (sink == null || ended) {
            return false;
        }
        if (bytes.isReadable()) {
            sink.write(bytes);
        } else {
            bytes.release();
        }
        if (!last && !sink.isWritable() && !paused) {
            paused = true;
            request.pause(true);
        }
        return true;
    }

    void flush() {
        if (sink != null && !ended) {
            sink.flush();
        }
    }

    boolean paused() {
        return paused;
    }

    void end() {
        if (sink != null && !ended) {
            ended = true;
            sink.end();
        }
    }

    void fail(String message) {
        if (sink != null && !ended) {
            ended = true;
            sink.fail(new IllegalStateException(message));
        }
    }

    @Override
    public void resume() {
        if (paused) {
            paused = false;
            request.pause(false);
        }
    }

    /** The body is not sent (HEAD, 304, a filter replaced the response) or the client went away. */
    @Override
    public void discard() {
        if (sink == null) {
            request.notSent();
        } else if (!ended) {
            ended = true;
            request.clientGone();
        }
    }
}
