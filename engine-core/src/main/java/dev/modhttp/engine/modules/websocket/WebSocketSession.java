package dev.modhttp.engine.modules.websocket;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * One WebSocket connection, from its handshake to its close. Its methods may be called from any
 * thread. A send's stage completes when the frame has been handed to the connection and the
 * client takes bytes again (the connection is writable), so a sender that waits for each stage is
 * paced by the client: back-pressure. After the session closed, sends fail with
 * {@link java.io.IOException}.
 */
public interface WebSocketSession {

    /** A number naming the session in logs, unique in the engine's run. */
    long id();

    /** The upgrade request's target as the client sent it ({@code /ws/chat?room=1}). */
    String uri();

    /** A field of the upgrade request, or null. */
    String header(String name);

    InetSocketAddress remoteAddress();

    /** The subprotocol agreed in the handshake, or null. */
    String subprotocol();

    /** Whether permessage-deflate (RFC 7692) was agreed. */
    boolean compressed();

    /** Attributes of the application, kept with the session. */
    Map<String, Object> attributes();

    boolean isOpen();

    /** Whether the client takes more bytes now; when false, the stages of sends complete later. */
    boolean isWritable();

    CompletionStage<Void> sendText(String message);

    CompletionStage<Void> sendBinary(byte[] message);

    /** A ping with up to 125 bytes of data; its pong comes to {@link WebSocketEndpoint#onPong}. */
    CompletionStage<Void> ping(byte[] data);

    /**
     * Starts the closing handshake with {@code code} (1000 normal, 1001 going away, 1008 policy,
     * 1011 server error, 3000-4999 the application's) and {@code reason} (up to 123 bytes of
     * UTF-8); the connection closes when the peer's close arrives, or after 5 seconds.
     *
     * @throws IllegalArgumentException for a code an endpoint may not send or a longer reason
     */
    CompletionStage<Void> close(int code, String reason);
}
