package dev.modhttp.engine.http;

import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A {@code text/event-stream} response (Server-Sent Events, the HTML Living Standard's
 * "Server-sent events" section) over a {@link ResponseStream}: each event is one piece, sent at
 * once (compression flushes a block per event), with a comment as a heartbeat when nothing was
 * sent for the heartbeat interval, so that idle intermediaries keep the connection.
 *
 * <pre>{@code
 * ServerSentEvents events = ServerSentEvents.open(exchange, Duration.ofSeconds(15));
 * String resumeAfter = events.lastEventId();   // the client's Last-Event-ID when it reconnects
 * prices.subscribe(p -> events.send("price", p.id(), p.json()));
 * events.onClose(prices::unsubscribe);
 * return Result.OK;
 * }</pre>
 *
 * <p>The response is 200 with {@code Content-Type: text/event-stream; charset=utf-8},
 * {@code Cache-Control: no-cache} and {@code X-Accel-Buffering: no} (so that an nginx in front
 * does not buffer it either). Methods may be called from any thread.
 */
public final class ServerSentEvents {

    private final ResponseStream stream;
    private final String lastEventId;
    private final ScheduledFuture<?> heartbeat;
    private volatile long lastSent = System.nanoTime();

    private ServerSentEvents(ResponseStream stream, String lastEventId, ScheduledFuture<?> heartbeat) {
        this.stream = stream;
        this.lastEventId = lastEventId;
        this.heartbeat = heartbeat;
    }

    /**
     * Opens the event stream of {@code exchange}'s response.
     *
     * @param heartbeat how long the stream may stay silent before a comment goes out; zero for none
     */
    public static ServerSentEvents open(HttpExchange exchange, Duration heartbeat) {
        ResponseStream stream = ResponseStream.open(exchange.response().status(200)
                .contentType("text/event-stream; charset=utf-8")
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no"), exchange);
        ServerSentEvents[] self = new ServerSentEvents[1];
        long every = heartbeat.toMillis();
        ScheduledFuture<?> beat = every <= 0 ? null : exchange.eventLoop().scheduleAtFixedRate(() -> {
            ServerSentEvents events = self[0];
            if (events == null) {
                return;
            }
            if (!events.isOpen()) {
                events.stopBeating(); // ended, failed or gone
            } else if (System.nanoTime() - events.lastSent >= heartbeat.toNanos() / 2) {
                events.comment("");
            }
        }, every, every, TimeUnit.MILLISECONDS);
        self[0] = new ServerSentEvents(stream, exchange.request().header("Last-Event-ID"), beat);
        stream.onClose(self[0]::stopBeating);
        return self[0];
    }

    /** The {@code Last-Event-ID} the client sent (it reconnects with the last id it saw), or null. */
    public String lastEventId() {
        return lastEventId;
    }

    /** An event of the default type ("message"): {@code data} over as many {@code data:} lines as it has lines. */
    public CompletionStage<Void> send(String data) {
        return send(null, null, data);
    }

    /**
     * An event: its type ({@code event:}, null for "message"), its id ({@code id:}, null for
     * none) and its data.
     *
     * @throws IllegalArgumentException when the type or the id holds a line break
     */
    public CompletionStage<Void> send(String event, String id, String data) {
        StringBuilder text = new StringBuilder();
        if (event != null) {
            text.append("event: ").append(field("event", event)).append('\n');
        }
        if (id != null) {
            text.append("id: ").append(field("id", id)).append('\n');
        }
        for (String line : data.split("\r\n|\r|\n", -1)) {
            text.append("data: ").append(line).append('\n');
        }
        return write(text.append('\n').toString());
    }

    /** Tells the client how long to wait before reconnecting ({@code retry:}, in milliseconds). */
    public CompletionStage<Void> retry(Duration delay) {
        return write("retry: " + delay.toMillis() + "\n\n");
    }

    /** A comment line ({@code : text}), which clients ignore: a heartbeat. */
    public CompletionStage<Void> comment(String text) {
        return write(":" + (text.isEmpty() ? "" : " " + field("comment", text)) + "\n\n");
    }

    /** Ends the stream: the response completes and is logged. */
    public CompletionStage<Void> close() {
        stopBeating();
        return stream.end();
    }

    public boolean isOpen() {
        return stream.isOpen();
    }

    /** Runs {@code action} when the client goes away. */
    public void onClose(Runnable action) {
        stream.onClose(() -> {
            stopBeating();
            action.run();
        });
    }

    private CompletionStage<Void> write(String text) {
        lastSent = System.nanoTime();
        return stream.write(text);
    }

    private void stopBeating() {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
    }

    private static String field(String name, String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("an event's " + name + " cannot hold a line break");
        }
        return value;
    }
}
