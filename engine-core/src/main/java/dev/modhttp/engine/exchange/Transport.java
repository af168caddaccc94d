package dev.modhttp.engine.exchange;

import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.http.Tunnel;
import dev.modhttp.engine.http.ConnectionInfo;
import dev.modhttp.engine.http.ConnectionState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.time.Duration;

/**
 * What a protocol does for one request; the only way the request core reaches the wire. The
 * core calls it, never the other way round: the protocol reaches the core through the
 * {@link Exchange}'s entry points ({@link Exchange#start}, {@link RequestBody#onData} and so on).
 * HTTP/1.1's connection implements it for the request it is serving.
 *
 * <p>Calls come on the connection's event loop. Writes are buffered until {@link #flush()} (the
 * protocol may flush earlier); a response is written as {@link #frame}, {@link #writeHead},
 * then any number of {@link #writeBody}/{@link #writePiece}, then {@link #endBody()}.
 */
public interface Transport {

    /** The connection, as hooks and variables see it. */
    ConnectionInfo connection();

    EventLoop eventLoop();

    ByteBufAllocator alloc();

    /** Moves the connection to lighttpd's state {@code to} (a state the core's step implies). */
    void transition(ConnectionState to);

    // ---- the request body -----------------------------------------------------------------

    /** Reads the request body from the client; with a timeout, fails the request when none arrives within it. */
    void readBody(Duration timeout);

    /** Asks the client for a body it holds back ({@code Expect: 100-continue}): an interim 100 response. */
    void sendContinue();

    /** The awaited body is complete: its timeout no longer applies. */
    void bodyRead();

    /** A finished request's unread body has been read and dropped: the connection may go on. */
    void bodyDrained();

    // ---- the response ---------------------------------------------------------------------

    /**
     * Decides, before the response's hooks and filters run, whether the connection carries
     * another request after this one ({@link Exchange#keepAlive(boolean)}).
     */
    void prepareResponse(Exchange exchange);

    /**
     * Sets the response's framing headers (Content-Length, Transfer-Encoding, Connection) as the
     * protocol needs them, after every header filter ran.
     *
     * @return whether body bytes go on the wire (false for HEAD, 1xx, 204, 304)
     */
    boolean frame(Exchange exchange);

    /**
     * Encodes and writes the status line and headers.
     *
     * @return the bytes of the head on the wire
     */
    long writeHead(Exchange exchange, Response response);

    /**
     * Whether {@link #writePiece} sends files zero-copy. When not (TLS, HTTP/2), the core reads a
     * file body into bytes in pieces, paced by {@link #isWritable()}, and writes them with
     * {@link #writeBody}.
     */
    boolean zeroCopy();

    /** Writes body bytes (framed as the protocol frames them); the buffer is handed over. */
    void writeBody(ByteBuf bytes);

    /**
     * Writes one piece of a body: bytes (handed over) or a file region, zero-copy where the
     * protocol can, framed as the body is framed.
     *
     * @throws IOException when the piece's file cannot be opened
     */
    void writePiece(Response.Piece piece) throws IOException;

    /**
     * With {@code true}, holds back partial packets until {@code cork(false)}, which takes
     * effect once everything written before it is sent (nginx's tcp_nopush around sendfile).
     * A protocol or platform without it ignores both.
     */
    void cork(boolean on);

    /** Ends the body (the last chunk, say). A head not yet sent goes out now. */
    void endBody();

    /**
     * Whether bytes written for the response still wait for the client after {@link #endBody()}:
     * then the request ends through {@link #whenSent}, as nginx ends a request only once its last
     * byte has left (limit-conn holds, LOG runs then). False for an HTTP/1.1 response that leaves
     * at the next flush; on HTTP/2, true until the stream's last frame has left.
     */
    boolean sending();

    /**
     * Runs {@code sent} on the event loop once every byte written has left for the client; while
     * bytes wait, send-timeout runs between two successive writes. Nothing runs when the
     * connection dies first (the request is aborted then). Only after {@link #sending()} said true.
     */
    void whenSent(Runnable sent);

    /**
     * Body bytes written that the socket has not taken (yet, or ever: a client gone first): on
     * HTTP/1.1 those of a file sent zero-copy, on HTTP/2 those of DATA frames still queued.
     */
    long unsentBytes();

    /**
     * After a 101 head was written: flushes it and hands the connection to {@code tunnel}
     * ({@link Tunnel#start}); the request is logged when the connection ends.
     *
     * @return false when the protocol cannot switch (HTTP/2): the caller closes and discards
     */
    boolean upgrade(Exchange exchange, Tunnel tunnel);

    /** Whether the client takes more bytes now; when not, {@link #onWritable} is called back. */
    boolean isWritable();

    /** The body to resume when the client takes bytes again (and to close if the connection dies); null clears it. */
    void onWritable(BodyPump pump);

    /** Sends what was written, unless the protocol batches it with a flush already due. */
    void flush();

    /** The response is complete and logged: the next request, or the end of the connection. */
    void responseDone(Exchange exchange);

    /** Ends the connection at once (an error after the head went out, a broken body). */
    void close();
}
