package dev.modhttp.engine.modules.websocket;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Tunnel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection after its 101: Netty's RFC 6455 frame codec, permessage-deflate and
 * UTF-8 validator (in an embedded channel, as Netty's own content encoders run theirs), whole
 * messages to the endpoint, pongs for pings, keep-alive pings and the idle timeout, and the
 * closing handshake. Everything but the session's public methods runs on the connection's event
 * loop; those hop onto it.
 */
final class WebSocketConnection implements Tunnel, WebSocketSession {

    private static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");
    private static final AtomicLong IDS = new AtomicLong();
    /** How long a closing handshake the engine started waits for the peer's close. */
    private static final long CLOSE_WAIT_MS = 5000;

    private enum State { HANDSHAKE, OPEN, CLOSING, CLOSED }

    private final long id = IDS.incrementAndGet();
    private final EventLoop loop;
    private final WebSocketEndpoint endpoint;
    private final WebSocketConfig conf;
    private final String subprotocol;
    private final boolean compressed;
    private final String uri;
    private final HttpHeaders headers;
    private final InetSocketAddress remote;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final FrameCodec codec;
    private final ArrayDeque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
    private End client;
    private volatile State state = State.HANDSHAKE;
    private long lastRead = System.nanoTime();
    private long lastPing = System.nanoTime();
    private ScheduledFuture<?> timer;
    /** The code of the close the engine sent first, reported when the handshake completes. */
    private int sentCode;
    private String sentReason = "";
    /** The message being assembled from fragments: 1 text, 2 binary, 0 none. */
    private int messageType;
    private CompositeByteBuf message;

    WebSocketConnection(HttpExchange exchange, WebSocketEndpoint endpoint, WebSocketConfig conf, String subprotocol,
            WebSocketServerExtension deflate) {
        this.loop = exchange.eventLoop();
        this.endpoint = endpoint;
        this.conf = conf;
        this.subprotocol = subprotocol;
        this.compressed = deflate != null;
        this.uri = exchange.request().rawUri();
        this.headers = exchange.request().headers();
        this.remote = exchange.request().remoteAddress();
        this.codec = new FrameCodec(conf, deflate);
    }

    // ---- Tunnel: the upgraded connection, on its event loop

    @Override
    public void start(End end) {
        client = end;
        state = State.OPEN;
        long period = Math.min(nonZero(conf.pingInterval().toMillis()), nonZero(conf.idleTimeout().toMillis()));
        if (period != Long.MAX_VALUE) {
            long tick = Math.max(10, period / 4);
            timer = loop.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        }
        call(() -> endpoint.onOpen(this));
    }

    @Override
    public void onData(ByteBuf data) {
        if (state == State.CLOSED) {
            data.release();
            return;
        }
        lastRead = System.nanoTime();
        Throwable failure = codec.decode(data, frame -> { // a violation comes after the frames before it
            if (state == State.CLOSED) {
                frame.release();
            } else {
                onFrame(frame);
            }
        });
        if (failure != null && state != State.CLOSED) {
            fail(failure);
        }
    }

    @Override
    public void onWritable() {
        if (client.isWritable() && state != State.CLOSED) {
            client.read(true);
        }
        while (!waiting.isEmpty() && client.isWritable()) {
            waiting.poll().complete(null);
        }
    }

    @Override
    public void onClose() {
        finish(WebSocketCloseStatus.ABNORMAL_CLOSURE.code(), ""); // the connection ended without a closing handshake
    }

    @Override
    public void discard() {
        state = State.CLOSED;
        codec.release();
    }

    /** The engine stops: a closing handshake with 1001; idle (may be closed) once it completed. */
    @Override
    public boolean drain() {
        if (state == State.OPEN) {
            close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "server stopping");
        }
        return state == State.CLOSED;
    }

    // ---- frames in

    private void onFrame(WebSocketFrame frame) {
        try {
            if (compressed && frame.rsv() != 0) { // RFC 7692 §6: RSV1 on a first data frame only, inflated by now
                fail(new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, "reserved bits " + frame.rsv()));
            } else if (frame instanceof PingWebSocketFrame) {
                if (state == State.OPEN) {
                    emit(new PongWebSocketFrame(frame.content().retain()));
                    client.flush();
                }
            } else if (frame instanceof PongWebSocketFrame) {
                if (state == State.OPEN) {
                    byte[] data = ByteBufUtil.getBytes(frame.content());
                    call(() -> endpoint.onPong(this, data));
                }
            } else if (frame instanceof CloseWebSocketFrame close) {
                onCloseFrame(close);
            } else if (state == State.OPEN) {
                onDataFrame(frame);
            }
        } finally {
            frame.release();
        }
    }

    private void onDataFrame(WebSocketFrame frame) {
        if (!(frame instanceof ContinuationWebSocketFrame)) {
            messageType = frame instanceof TextWebSocketFrame ? 1 : 2;
            if (frame.isFinalFragment()) {
                deliver(frame.content());
                messageType = 0;
                return;
            }
            message = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        }
        if (message.readableBytes() + (long) frame.content().readableBytes() > conf.maxMessageSize().bytes()) {
            fail(new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG, "message too big"));
            return;
        }
        message.addComponent(true, frame.content().retain());
        if (frame.isFinalFragment()) {
            CompositeByteBuf whole = message;
            message = null;
            try {
                deliver(whole);
            } finally {
                whole.release();
                messageType = 0;
            }
        }
    }

    private void deliver(ByteBuf content) {
        if (content.readableBytes() > conf.maxMessageSize().bytes()) {
            fail(new CorruptedWebSocketFrameException(WebSocketCloseStatus.MESSAGE_TOO_BIG, "message too big"));
        } else if (messageType == 1) {
            String text = content.toString(StandardCharsets.UTF_8);
            call(() -> endpoint.onText(this, text));
        } else {
            byte[] bytes = ByteBufUtil.getBytes(content);
            call(() -> endpoint.onBinary(this, bytes));
        }
    }

    /** §5.5.1: the peer's close is answered with its code (an empty close with an empty one), then the engine closes. */
    private void onCloseFrame(CloseWebSocketFrame close) {
        int code = close.statusCode();
        if (code > 4999) { // §7.4.2 defines none above 4999 (Netty's decoder lets them through)
            fail(new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR, "close code " + code));
            return;
        }
        String reason = code == -1 ? "" : close.reasonText();
        if (state == State.OPEN) {
            emit(code == -1 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, null));
            client.flush();
            finish(code == -1 ? WebSocketCloseStatus.EMPTY.code() : code, reason);
        } else if (state == State.CLOSING) {
            finish(sentCode, sentReason);
        }
    }

    /** Fails the connection (§7.1.7): a close with the violation's code, then the connection ends. */
    private void fail(Throwable cause) {
        int code = FrameCodec.closeCode(cause);
        LOG.debug("WebSocket {} failed with {}: {}", id, code, cause.getMessage());
        if (state == State.OPEN) {
            emit(new CloseWebSocketFrame(code, null));
            client.flush();
        }
        finish(code, String.valueOf(cause.getMessage()));
    }

    /** The session is over: the endpoint hears of it once, the connection ends after what was written. */
    private void finish(int code, String reason) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (timer != null) {
            timer.cancel(false);
        }
        if (message != null) {
            message.release();
            message = null;
        }
        loop.execute(codec::release); // not from inside the codec's own decoding, which may have called this
        IOException closed = new IOException("the WebSocket session is closed");
        while (!waiting.isEmpty()) {
            waiting.poll().completeExceptionally(closed);
        }
        client.close();
        call(() -> endpoint.onClose(this, code, reason));
    }

    private void tick() {
        long now = System.nanoTime();
        long idle = conf.idleTimeout().toNanos();
        if (state == State.OPEN && idle > 0 && now - lastRead >= idle) {
            close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "idle timeout");
            return;
        }
        long ping = conf.pingInterval().toNanos();
        if (state == State.OPEN && ping > 0 && now - lastRead >= ping && now - lastPing >= ping) {
            lastPing = now;
            emit(new PingWebSocketFrame(Unpooled.EMPTY_BUFFER));
            client.flush();
        }
    }

    /** Runs an endpoint callback; what it throws goes to onError and closes the session with 1011. */
    private void call(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            LOG.error("WebSocket endpoint {} failed on session {}", endpoint.getClass().getName(), id, e);
            try {
                endpoint.onError(this, e);
            } catch (RuntimeException again) {
                LOG.error("WebSocket endpoint {} failed in onError", endpoint.getClass().getName(), again);
            }
            if (state == State.OPEN) {
                close(WebSocketCloseStatus.INTERNAL_SERVER_ERROR.code(), "");
            }
        }
    }

    /**
     * Writes a frame. While the client does not take bytes, its frames are not read either: what
     * the endpoint answers to them (an echo, a pong) cannot pile up without bound.
     */
    private void emit(WebSocketFrame frame) {
        codec.encode(frame, client::write);
        if (!client.isWritable()) {
            client.read(false);
        }
    }

    private static long nonZero(long ms) {
        return ms <= 0 ? Long.MAX_VALUE : ms;
    }

    // ---- WebSocketSession: from any thread

    @Override
    public long id() {
        return id;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String subprotocol() {
        return subprotocol;
    }

    @Override
    public boolean compressed() {
        return compressed;
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public boolean isOpen() {
        return state == State.OPEN;
    }

    @Override
    public boolean isWritable() {
        End c = client;
        return c != null && c.isWritable();
    }

    @Override
    public CompletionStage<Void> sendText(String message) {
        return send(new TextWebSocketFrame(message));
    }

    @Override
    public CompletionStage<Void> sendBinary(byte[] message) {
        return send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(message)));
    }

    @Override
    public CompletionStage<Void> ping(byte[] data) {
        if (data.length > 125) {
            throw new IllegalArgumentException("a ping carries at most 125 bytes (RFC 6455 §5.5)");
        }
        return send(new PingWebSocketFrame(Unpooled.wrappedBuffer(data)));
    }

    @Override
    public CompletionStage<Void> close(int code, String reason) {
        if (!WebSocketCloseStatus.isValidStatusCode(code) || code == 1005 || code == 1006 || code == 1015) {
            throw new IllegalArgumentException(code + " is not a close code an endpoint may send (RFC 6455 §7.4)");
        }
        if (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
            throw new IllegalArgumentException("a close reason takes at most 123 bytes of UTF-8 (RFC 6455 §5.5)");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
            if (state != State.OPEN) {
                done.complete(null);
                return;
            }
            state = State.CLOSING;
            sentCode = code;
            sentReason = reason;
            emit(new CloseWebSocketFrame(code, reason));
            client.flush();
            loop.schedule(() -> finish(code, reason), CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
            done.complete(null);
        });
        return done;
    }

    private CompletionStage<Void> send(WebSocketFrame frame) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(() -> {
            if (state != State.OPEN) {
                frame.release();
                done.completeExceptionally(new IOException("the WebSocket session is closed"));
                return;
            }
            emit(frame);
            client.flush();
            if (client.isWritable()) {
                done.complete(null);
            } else {
                waiting.add(done);
            }
        });
        return done;
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
