package dev.modhttp.engine.http;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.ServerConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.regex.MatchResult;

/**
 * One request and its response, as phase handlers, filters and hooks see it.
 *
 * <pre>{@code
 * Result handle(HttpExchange exchange) {
 *     HelloConfig conf = exchange.config(HelloModule.CONFIG);  // merged, O(1)
 *     exchange.response().contentType("text/plain").body(conf.string());
 *     return Result.OK;
 * }
 * }</pre>
 */
public interface HttpExchange {

    Request request();

    Response response();

    /** The server block that was selected by address and {@code Host}. */
    ServerConfig server();

    /** The selected location; before FIND_CONFIG (and when none matched) the server scope. */
    Location location();

    /** The merged record of {@code spec} at the current location. */
    default <R extends Record> R config(ConfigSpec<R> spec) {
        return location().config(spec);
    }

    /**
     * Keeps the current location although the URI was changed in REWRITE (nginx's
     * {@code rewrite ... break}); without it a changed URI selects the location again.
     */
    void keepLocation();

    /**
     * Whether a {@code rewrite ... break} changed the URI ({@link #keepLocation()}) since the request
     * last started its phases (at its start or an internal redirect), a server's rewrite too: nginx's
     * {@code valid_location} off. nginx then refuses to map the URI through an {@code alias} (500).
     */
    boolean uriRewrittenInLocation();

    /**
     * The URI (its bytes, one char per byte) the current location was selected with: a regex
     * location's captures are read from it, as nginx keeps them from the match, whatever a
     * rewrite without a flag changed since.
     */
    default String locationUriBytes() {
        return request().uriBytes();
    }

    /**
     * The numbered captures of the last regex a rewrite tried here (empty when it did not match),
     * or null while none did: {@code $1}..{@code $9} then come from the location's match. nginx
     * keeps one set of captures per request, replaced by every regex it runs.
     */
    default MatchResult rewriteCaptures() {
        return null;
    }

    /** Records the outcome of a rewrite's regex (see {@link #rewriteCaptures()}). */
    default void rewriteCaptures(MatchResult captures) {
    }

    /**
     * The captures in force before the request came to its current location (an internal redirect:
     * an error page, try-files' last entry, a named location; a rewrite that chose the location
     * anew), latest first; null where none were. nginx keeps a request's numbered captures until
     * another regex runs, and each named one until a regex with that name matches.
     */
    default MatchResult[] earlierCaptures() {
        return null;
    }

    /**
     * The status an {@code error-page} gives the response made now in place of its own
     * ({@code error-page: ["404 /e.html"]}: 404, {@code "404 =201 /e.html"}: 201), or 0 where none
     * does (no error page, or {@code =} alone). nginx applies it before its header filters, so a
     * file answering it other than as 200 is sent whole: no range, no 304 or 412, no Last-Modified.
     */
    default int errorPageStatus() {
        return 0;
    }

    /** Per-request state of a module (nginx's module context): the value stored under {@code key}, or null. */
    <T> T attribute(Object key);

    /**
     * Stores per-request state under {@code key} (not null; keys compare by {@code equals}),
     * replacing what it held; an internal redirect clears every key but a {@link KeptKey}, as
     * nginx clears module contexts.
     */
    void attribute(Object key, Object value);

    /**
     * An attribute key whose value an internal redirect keeps: state nginx holds in the main
     * request rather than in a module context (limit_req's and limit_conn's status, and what
     * limit_conn must give back when the request ends, so that a request is counted once
     * however often it is redirected).
     *
     * <pre>{@code
     * static final Object COUNTED = new HttpExchange.KeptKey() { };
     * }</pre>
     */
    interface KeptKey {
    }

    /** The connection's event loop; pending results resume on it. */
    EventLoop eventLoop();

    /** {@link System#nanoTime()} when the request head was parsed; for request durations. */
    long startNanos();

    /** Whether the status line and headers have already gone out. */
    boolean headersSent();

    /** The connection the request came on. */
    ConnectionInfo connection();

    /** Bytes of the request: its head as received plus the body bytes read so far. */
    long requestLength();

    /** Response body bytes written so far. */
    long bodyBytesSent();

    /** Response bytes written so far, status line and headers included. */
    long bytesSent();

    /**
     * Asks the engine not to buffer the request body but to hand it to {@code listener} as
     * it arrives (on the event loop). Must be called before CONTENT (a PRECONTENT handler, say),
     * once per request; bytes read before the call come first, in one piece.
     *
     * @return the stream's control, for back-pressure: while paused, the connection is not read
     * @throws IllegalStateException when the body is already being read or was read
     */
    RequestBodyStream streamRequestBody(RequestBodyListener listener);

    /**
     * Ends the request when the client closes its side of the connection before the response is
     * decided: {@code action} runs (on the event loop), then the request ends with 499 (nginx's
     * "client closed request": logged, no response) and the connection closes. Without it, a
     * request goes on and its response may still reach a half-closed client. nginx watches for
     * this while a request is proxied; so does the proxy module.
     */
    void onClientClose(Runnable action);

    /**
     * The stream {@link #streamRequestBody} returned for this request, also after an internal
     * redirect (the body is the request's, as in nginx); null while the body is buffered.
     */
    RequestBodyStream requestBodyStream();

    /** Back-pressure on a streamed request body: nothing is read from the client while paused. */
    interface RequestBodyStream {
        /** The listener the body goes to. */
        RequestBodyListener listener();

        /** Stops reading from the client; a piece already being delivered still arrives. */
        void pause();

        /** Reads again ({@code client-body-timeout} runs while reading). */
        void resume();
    }

    /** Receives a request body piece by piece. Buffers are released by the engine after the call. */
    interface RequestBodyListener {
        void onData(ByteBuf data);

        void onEnd();

        default void onError(Throwable cause) {
        }
    }
}
