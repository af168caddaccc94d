package dev.modhttp.engine.exchange;

import dev.modhttp.engine.core.CoreModule;
import dev.modhttp.engine.filter.BodyFilter;
import dev.modhttp.engine.filter.BodyFilterChain;
import dev.modhttp.engine.filter.HeaderFilter;
import dev.modhttp.engine.filter.HeaderFilterChain;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.http.StreamedBody;
import dev.modhttp.engine.http.Tunnel;
import dev.modhttp.engine.http.DateCache;
import dev.modhttp.engine.internal.HttpAccess;
import dev.modhttp.engine.internal.Log;
import dev.modhttp.engine.internal.Server;
import dev.modhttp.engine.internal.StatusText;
import dev.modhttp.engine.http.ConnectionState;
import dev.modhttp.engine.module.Hook;
import dev.modhttp.engine.module.HookResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.util.List;

/**
 * Sends one request's response: the responseStart hooks, the header filter chain, then the
 * body, through the body filter chain or, when no filter needs its bytes, as pieces (files
 * zero-copy, corked with {@code tcp-nopush}); a streamed body goes through the body filters as it
 * is written ({@link StreamSink}). The chains end in the engine's own filters
 * ({@link #HEADER_TAIL}, {@link #BODY_TAIL}), which hand the response to the {@link Transport}:
 *
 * <pre>
 *  header: ... user filters -> Date/Server -> transport.frame -> transport.writeHead
 *  body:   ... user filters -> suppression (HEAD, 1xx, 204, 304) -> transport.writeBody -> endBody
 * </pre>
 *
 * It counts the bytes sent ({@code $body_bytes_sent}, {@code $bytes_sent}).
 */
public final class ResponseWriter {

    /** The engine's header filters, after every user filter. */
    static final List<HeaderFilter> HEADER_TAIL = List.of(ResponseWriter::dateAndServer, ResponseWriter::head);
    /** The engine's body filters, after every user filter. */
    static final List<BodyFilter> BODY_TAIL = List.of(ResponseWriter::body);

    private final Exchange ex;
    private final Request request;
    private final Response response;
    private boolean headersSent;
    private boolean bodyOnWire;
    private long headBytesSent;
    private long bodyBytesSent;
    private BodyPump streamer;

    ResponseWriter(Exchange ex) {
        this.ex = ex;
        this.request = ex.request();
        this.response = ex.response();
    }

    boolean headersSent() {
        return headersSent;
    }

    long headBytesSent() {
        return headBytesSent;
    }

    long bodyBytesSent() {
        return bodyBytesSent - ex.transport.unsentBytes(); // a download broken off counts what the client took
    }

    /** Bytes a tunnel (after a 101) wrote to the client: nginx counts them as the body's. */
    void tunneled(long bytes) {
        bodyBytesSent += bytes;
    }

    /** Sends the response as it is set: hooks, header filters, body. */
    void send() {
        ex.finished = true;
        ex.phases.stop();
        ex.body.stopAwaiting();
        int override = ex.finalizer.statusOverride();
        // nginx's range and not-modified filters come after "=200": its 206 or 304 stays
        if (override > 0 && !(override == 200 && (response.status() == 206 || response.status() == 304))) {
            response.status(override);
        }
        if (response.status() == 405 && !response.headers().contains(HttpHeaderNames.ALLOW)) {
            // RFC 9110 §15.5.6 requires Allow on a 405 (nginx sends none): what every resource answers
            response.header(HttpHeaderNames.ALLOW, "GET, HEAD");
        }
        ex.transport.prepareResponse(ex);
        ex.transport.transition(ConnectionState.RESPONSE_START);
        HookResult hr = ex.runtime.walk(ex, Hook::responseStart);
        if (hr.isError()) {
            response.reset();
            response.status(500).contentType("text/html").body(StatusText.page(500));
            ex.keepAlive(false);
        }
        try {
            ex.runtime.headerChain.next(ex);
            if (!headersSent) {
                // a header filter stopped the chain: nothing goes out
                ex.forceClose = true;
                ex.keepAlive(false);
                ex.complete();
                return;
            }
            HttpAccess.Bridge bodies = HttpAccess.get();
            Tunnel tunnel = bodies.takeTunnel(response);
            if (tunnel != null) {
                if (response.status() != 101 || !ex.transport.upgrade(ex, tunnel)) {
                    Log.LOG.info("cannot switch protocols on {} {}", request.method(), request.rawUri());
                    tunnel.discard();
                    ex.transport.close();
                    ex.complete();
                }
                return;
            }
            StreamedBody stream = bodies.takeStream(response);
            if (stream != null) {
                if (bodyOnWire) {
                    StreamSink sink = new StreamSink(ex, stream);
                    streamer = sink;
                    sink.start();
                    return;
                }
                stream.discard();
            }
            if ((response.file() != null || response.pieces() != null) && bodyOnWire) {
                List<Response.Piece> pieces = bodies.takePieces(response);
                if (!ex.transport.zeroCopy() || ex.runtime.bodyFiltersNeedBytes(ex)) {
                    FileStreamer files = new FileStreamer(ex, pieces);
                    streamer = files;
                    files.start();
                } else {
                    writePieces(pieces, ex.location.config(CoreModule.CONFIG).tcpNopush());
                    ended();
                }
                return;
            }
            ByteBuf b = bodies.takeBody(response);
            ex.runtime.bodyChain.next(ex, b == null ? Unpooled.EMPTY_BUFFER : b, true);
        } catch (Throwable t) {
            Log.error("output filter failed on " + request.method() + " " + request.rawUri(), t);
            if (!headersSent) {
                ex.finalizer.filterFailed();
            } else {
                ex.transport.close();
                ex.complete();
            }
        }
    }

    /**
     * A body of pieces zero-copy, each counted once written; when a file cannot be opened, the
     * pieces after it are released and the failure goes up (the connection closes).
     */
    private void writePieces(List<Response.Piece> pieces, boolean cork) throws IOException {
        if (cork) {
            ex.transport.cork(true);
        }
        try {
            for (int i = 0; i < pieces.size(); i++) {
                Response.Piece p = pieces.get(i);
                try {
                    ex.transport.writePiece(p);
                } catch (IOException | RuntimeException e) {
                    FileStreamer.release(pieces, i + 1);
                    throw e;
                }
                bodyBytesSent += p.length();
            }
        } finally {
            if (cork) {
                ex.transport.cork(false);
            }
        }
    }

    /** The body is written: the request ends once the client has taken it (at once when it leaves with the next flush). */
    private void ended() {
        ex.transport.endBody();
        if (ex.transport.sending()) {
            ex.transport.whenSent(ex::complete);
        } else {
            ex.complete();
        }
    }

    /** Stops a body being sent piece by piece (a file, a streamed body) and releases what was not sent. */
    void release() {
        if (streamer != null) {
            streamer.close();
            streamer = null;
        }
    }

    // ---- the engine's filters at the end of the chains --------------------------------------

    /**
     * Date (refreshed once a second) and Server (the product name, no version), unless the
     * response has its own, as nginx's header filter adds them (a proxied backend's, passed with
     * proxy-pass-header).
     */
    private static void dateAndServer(HttpExchange exchange, HeaderFilterChain next) throws Exception {
        HttpHeaders h = exchange.response().headers();
        if (!h.contains(HttpHeaderNames.DATE)) {
            h.set(HttpHeaderNames.DATE, DateCache.now());
        }
        if (!h.contains(HttpHeaderNames.SERVER)) {
            h.set(HttpHeaderNames.SERVER, Server.HEADER);
        }
        next.next(exchange);
    }

    /** The end of the header chain: framing and the head, as the protocol writes them. */
    private static void head(HttpExchange exchange, HeaderFilterChain next) {
        ResponseWriter w = ((Exchange) exchange).writer; // the chains only ever see the engine's exchanges
        Exchange ex = w.ex;
        w.bodyOnWire = ex.transport.frame(ex);
        long headBytes = ex.transport.writeHead(ex, w.response);
        ex.transport.transition(ConnectionState.WRITE);
        w.headersSent = true;
        w.headBytesSent = headBytes;
    }

    /** The end of the body chain: body bytes to the protocol (none for HEAD, 1xx, 204, 304); after the last, completion. */
    private static void body(HttpExchange exchange, ByteBuf chunk, boolean last, BodyFilterChain next) {
        ResponseWriter w = ((Exchange) exchange).writer;
        if (w.bodyOnWire && chunk.isReadable()) {
            w.bodyBytesSent += chunk.readableBytes();
            w.ex.transport.writeBody(chunk);
        } else {
            chunk.release();
        }
        if (last) {
            w.streamer = null;
            w.ended();
        }
    }
}
