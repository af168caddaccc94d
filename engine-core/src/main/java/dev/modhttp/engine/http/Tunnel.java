package dev.modhttp.engine.http;

import io.netty.buffer.ByteBuf;

/**
 * What a connection becomes after a {@code 101 Switching Protocols} response (a WebSocket
 * passed through the proxy): bytes both ways, no HTTP. Set with {@link Response#tunnel(Tunnel)}
 * on a 101 response; once the engine has written the 101 head it hands the client's connection
 * over with {@link #start(End)}. HTTP/1.1 only (HTTP/2 has no 101): elsewhere the tunnel is
 * discarded and the connection closed. Calls come on the connection's event loop. The request
 * is logged when the connection ends, with status 101.
 */
public interface Tunnel {

    /** The 101 went out: from now on the client's bytes come to {@link #onData} and go out through {@code client}. */
    void start(End client);

    /** Bytes from the client; the tunnel takes the buffer. */
    void onData(ByteBuf data);

    /** The client takes bytes again after {@link End#isWritable()} answered false. */
    void onWritable();

    /** The client's connection ended (closed, reset, or half-closed: a tunnel ends with either side). */
    void onClose();

    /** The tunnel will not start (the 101 could not be sent): release what it holds. */
    void discard();

    /**
     * The engine stops gracefully: end the tunnel's protocol as it allows (a WebSocket's close
     * 1001). Called again until it answers true (the connection may then be closed) or the stop's
     * grace ends. By default a tunnel has no such end and is closed when the grace ends.
     */
    default boolean drain() {
        return false;
    }

    /** The client's side of the tunnel. */
    interface End {

        /** Writes bytes to the client; the end takes the buffer. */
        void write(ByteBuf data);

        void flush();

        /** Whether the client takes more bytes now; when not, {@link Tunnel#onWritable()} follows. */
        boolean isWritable();

        /** Pauses ({@code false}) or resumes reading from the client. */
        void read(boolean on);

        /** Ends the client's connection (after what was written). */
        void close();
    }
}
