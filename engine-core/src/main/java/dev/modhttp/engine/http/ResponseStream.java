package dev.modhttp.engine.http;

import dev.modhttp.engine.core.CoreModule;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A response body a handler writes in pieces over time, from any thread: chunked on HTTP/1.1
 * (DATA frames on HTTP/2), each piece through the body filters (compression sends a decodable
 * block per piece). Open it in the handler, return {@code Result.OK}, and write on:
 *
 * <pre>{@code
 * ResponseStream out = ResponseStream.open(exchange.response().status(200).contentType("text/plain"), exchange);
 * executor.submit(() -> {
 *     for (String line : lines) {
 *         out.write(line + "\n").toCompletableFuture().join(); // paced by the client
 *     }
 *     out.end();
 * });
 * return Result.OK;
 * }</pre>
 *
 * <p>Back-pressure: a write's stage completes once the piece was handed on and the client takes
 * bytes again, so a writer that waits for each stage holds at most the connection's write buffer;
 * one that does not queues what the client cannot take yet, until the client has taken no bytes for
 * {@code send-timeout} (nginx's send_timeout): then the connection ends and {@link #onClose} runs.
 * Pieces written before the head went out wait for it.
 * After the client went away, or after {@link #end()} or {@link #fail}, writes fail with
 * {@link IOException}; {@link #onClose} tells the handler the client left.
 */
public final class ResponseStream implements StreamedBody {

    private final EventLoop loop;
    /** Pieces written before the head went out, in order. */
    private final List<ByteBuf> early = new ArrayList<>();
    private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private Sink sink;
    private volatile boolean closed;
    private boolean endAsked;
    private Runnable onClose;
    private Throwable failedWith;

    /** {@code send-timeout}, in nanoseconds: how long the client may take no bytes while writes keep coming. */
    private final long sendTimeout;
    /** When the client last stopped taking bytes, while it still takes none; 0 otherwise. */
    private long stalledSince;

    private ResponseStream(EventLoop loop, long sendTimeout) {
        this.loop = loop;
        this.sendTimeout = sendTimeout;
    }

    /** Makes {@code exchange}'s response a stream of unknown length and returns it. */
    public static ResponseStream open(Response response, HttpExchange exchange) {
        ResponseStream stream = new ResponseStream(exchange.eventLoop(),
                exchange.config(CoreModule.CONFIG).sendTimeout().toNanos());
        response.stream(stream, -1);
        return stream;
    }

    /** Writes UTF-8 text and sends it; see {@link #write(ByteBuf)}. */
    public CompletionStage<Void> write(String text) {
        return write(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
    }

    public CompletionStage<Void> write(byte[] bytes) {
        return write(Unpooled.wrappedBuffer(bytes));
    }

    /** Writes a piece (the stream takes the buffer) and sends what was written. */
    public CompletionStage<Void> write(ByteBuf piece) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
            if (closed || endAsked) {
                piece.release();
                done.completeExceptionally(new IOException("the response stream is closed"));
            } else if (sink == null) {
                early.add(piece);
                waiting.add(done);
            } else if (stalled()) { // nginx's send_timeout: the client took nothing for that long
                piece.release();
                done.completeExceptionally(new IOException("the response stream is closed: send-timeout"));
                closed = true;
                sink.fail(new IOException("the client took no bytes for send-timeout"));
                failWaiting();
                if (onClose != null) {
                    onClose.run();
                }
            } else {
                sink.write(piece);
                sink.flush();
                settle(done);
            }
        });
        return done;
    }

    /** Ends the body: the last chunk (END_STREAM on HTTP/2) goes out after what was written; the request is logged. */
    public CompletionStage<Void> end() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
            if (closed || endAsked) {
                done.complete(null);
                return;
            }
            endAsked = true;
            if (sink != null) {
                finish();
            }
            done.complete(null);
        });
        return done;
    }

    /** The body cannot be completed: the connection ends (the stream, on HTTP/2), as after a backend failing mid-body. */
    public void fail(Throwable cause) {
        onLoop(() -> {
            if (!closed && sink != null) {
                closed = true;
                sink.fail(cause);
                failWaiting();
            } else if (!closed) {
                closed = true;
                failedWith = cause; // before the head went out: the body fails as it starts
                release();
                failWaiting();
            }
        });
    }

    /** Whether writes are still taken: not ended, not failed, the client still there. */
    public boolean isOpen() {
        return !closed && !endAsked;
    }

    /** Runs {@code action} (on the event loop) when the client goes away before the end, or the body is not sent. */
    public void onClose(Runnable action) {
        onLoop(() -> {
            if (closed && !endAsked) {
                action.run();
            } else {
                onClose = action;
            }
        });
    }

    // ---- StreamedBody: the engine's side, on the event loop

    @Override
    public void start(Sink sink) {
        this.sink = sink;
        if (failedWith != null) {
            sink.fail(failedWith);
            return;
        }
        for (ByteBuf piece : early) {
            sink.write(piece);
        }
        early.clear();
        sink.flush();
        if (endAsked) {
            finish();
        } else {
            resume();
        }
    }

    /**
     * Whether the client has taken no bytes for {@code send-timeout} while the writer went on
     * writing (a writer that waits for its stages is cut by the engine's own send-timeout instead).
     */
    private boolean stalled() {
        if (sink.isWritable()) {
            stalledSince = 0;
            return false;
        }
        long now = System.nanoTime();
        if (stalledSince == 0) {
            stalledSince = now;
        }
        return sendTimeout > 0 && now - stalledSince >= sendTimeout;
    }

    @Override
    public void resume() {
        stalledSince = 0;
        while (!waiting.isEmpty() && sink.isWritable()) {
            waiting.poll().complete(null);
        }
    }

    @Override
    public void discard() {
        if (closed) {
            return;
        }
        closed = true;
        release();
        if (onClose != null && !endAsked) {
            onClose.run(); // first: a writer waiting on a stage learns of the end after the handler did
        }
        failWaiting();
    }

    private void finish() {
        closed = true;
        sink.end();
        while (!waiting.isEmpty()) {
            waiting.poll().complete(null);
        }
    }

    private void settle(CompletableFuture<Void> done) {
        if (waiting.isEmpty() && sink.isWritable()) {
            done.complete(null);
        } else {
            waiting.add(done);
        }
    }

    private void failWaiting() {
        IOException gone = new IOException("the response stream is closed");
        while (!waiting.isEmpty()) {
            waiting.poll().completeExceptionally(gone);
        }
    }

    private void release() {
        early.forEach(ByteBuf::release);
        early.clear();
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
