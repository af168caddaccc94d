package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.module.UpstreamObserver;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What a request's attempts at its upstream did, for nginx's {@code $upstream_*} variables: one
 * entry per attempt, written as nginx writes several ({@code "10.0.0.1:80, 10.0.0.2:80"}), times
 * in seconds with milliseconds.
 */
final class UpstreamState {

    private static final Object KEY = new Object();

    /** One attempt. Times are nanoseconds from its start, -1 until known. */
    private static final class Attempt {
        final String addr;
        final long start;
        int status;
        long connect = -1;
        long header = -1;
        long response = -1;
        /** Body bytes read from the backend ($upstream_response_length). */
        long received;
        /** The observer's call, or null. */
        UpstreamObserver.Call call;
        /** Bytes read from and written to the connection, head and framing included (after TLS). */
        long bytesIn;
        long bytesOut;

        Attempt(String addr, long start) {
            this.addr = addr;
            this.start = start;
        }
    }

    private final List<Attempt> attempts = new ArrayList<>(1);
    private UpstreamObserver observer;
    /** The header fields of the last response a backend sent ({@code $upstream_http_NAME}). */
    private HttpHeaders headers;

    /** The exchange's state, whose attempts {@code observer} (when not null) observes. */
    static UpstreamState of(HttpExchange ex, UpstreamObserver observer) {
        UpstreamState s = ex.attribute(KEY);
        if (s == null) {
            s = new UpstreamState();
            ex.attribute(KEY, s);
        }
        s.observer = observer;
        return s;
    }

    /** The state of a request that was proxied, or null. */
    static UpstreamState find(HttpExchange ex) {
        return ex.attribute(KEY);
    }

    /** A next attempt; the one before it ends now if nothing ended it (nginx sets its response time at the next connect). */
    void attempt(String addr, long now) {
        done(now);
        attempts.add(new Attempt(addr, now));
    }

    /** An attempt at peer {@code addr} of {@code upstream} sending {@code sender}'s head, started with the observer. */
    void attempt(HttpExchange ex, String addr, long now, RequestSender sender, String upstream, boolean https) {
        attempt(addr, now);
        if (observer != null) {
            boolean[] injected = {false};
            last().call = observer.start(ex, upstream, sender.method(), (https ? "https://" : "http://") + addr + sender.uri(),
                    (name, value) -> {
                        if (!injected[0]) { // the attempt's context replaces the client's, W3C and B3 alike
                            injected[0] = true;
                            sender.clearTraceContext();
                        }
                        sender.field(name, value);
                    });
        }
    }

    private Attempt last() {
        return attempts.get(attempts.size() - 1);
    }

    void connected() {
        Attempt a = last();
        a.connect = System.nanoTime() - a.start;
        if (a.call != null) {
            a.call.event("connected");
        }
    }

    void header(int status, HttpHeaders fields) {
        headers = fields;
        Attempt a = last();
        a.status = status;
        a.header = System.nanoTime() - a.start;
        if (a.call != null && status == 101) { // a tunnel follows: the attempt's HTTP exchange is over
            UpstreamObserver.Call call = a.call;
            a.call = null;
            call.end(status, null);
        } else if (a.call != null) {
            a.call.event("response head");
        }
    }

    /** An attempt that ended without a response: nginx's 502 or 504. */
    void status(int status) {
        Attempt a = last();
        if (a.status == 0) {
            a.status = status;
        }
    }

    void received(long bytes) {
        Attempt a = last();
        a.received += bytes;
    }

    /** Bytes on the wire of the current attempt's connection. */
    void wire(long in, long out) {
        Attempt a = last();
        a.bytesIn += in;
        a.bytesOut += out;
    }

    boolean gotBytes() {
        return !attempts.isEmpty() && (last().received > 0 || last().status != 0);
    }

    void done(long now) {
        done(now, null);
    }

    /** The current attempt ended, having failed as {@code failure} says (null: it did not). */
    void done(long now, String failure) {
        if (attempts.isEmpty()) {
            return;
        }
        Attempt a = last();
        if (a.response < 0) {
            a.response = now - a.start;
        }
        if (a.call != null) {
            UpstreamObserver.Call call = a.call;
            a.call = null;
            call.end(a.status, failure);
        }
    }

    /** A field of the last backend response (all of that name, joined as nginx joins them), or null. */
    String field(CharSequence name) {
        if (headers == null) {
            return null;
        }
        List<String> all = headers.getAll(name);
        return all.isEmpty() ? null : String.join(", ", all);
    }

    String addr() {
        return join(a -> a.addr);
    }

    String status() {
        return join(a -> a.status == 0 ? "-" : Integer.toString(a.status));
    }

    String connectTime() {
        return join(a -> seconds(a.connect));
    }

    String headerTime() {
        return join(a -> seconds(a.header));
    }

    String responseTime() {
        return join(a -> seconds(a.response));
    }

    String responseLength() {
        return join(a -> Long.toString(a.received));
    }

    String bytesReceived() {
        return join(a -> Long.toString(a.bytesIn));
    }

    String bytesSent() {
        return join(a -> Long.toString(a.bytesOut));
    }

    private String join(Function<Attempt, String> f) {
        if (attempts.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (Attempt a : attempts) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(f.apply(a));
        }
        return sb.toString();
    }

    private static String seconds(long nanos) {
        return nanos < 0 ? "-" : String.format(Locale.ROOT, "%.3f", nanos / 1e9);
    }
}
