package dev.modhttp.engine.modules.websocket;

/**
 * The application's side of WebSocket connections (RFC 6455) at the locations whose
 * {@code websocket} key names it. The engine does the handshake, after the request went through
 * the phases up to ACCESS (so {@code access}, {@code auth-basic}, {@code limit-req},
 * {@code real-ip} and ACCESS handlers guard it as any request), then frames, fragments,
 * validates, answers pings and runs the closing handshake; the endpoint sees whole messages.
 *
 * <p>Callbacks come on the connection's event loop, one at a time per session: they must not
 * block (hand slow work to an executor and send from there; a session's methods may be called
 * from any thread). A callback's exception closes the session with 1011 after
 * {@link #onError}.
 *
 * <pre>{@code
 * class Echo implements WebSocketEndpoint {
 *     public void onText(WebSocketSession session, String message) {
 *         session.sendText(message);
 *     }
 * }
 * }</pre>
 */
public interface WebSocketEndpoint {

    /** The handshake is done: the session may send. */
    default void onOpen(WebSocketSession session) {
    }

    /** A whole text message (fragments joined, UTF-8 checked). */
    default void onText(WebSocketSession session, String message) {
    }

    /** A whole binary message (fragments joined); the array is the endpoint's. */
    default void onBinary(WebSocketSession session, byte[] message) {
    }

    /** A pong arrived (an answer to the engine's keep-alive ping, or unsolicited). */
    default void onPong(WebSocketSession session, byte[] data) {
    }

    /**
     * The session ended: a closing handshake ({@code code} and {@code reason} as the peer or the
     * engine sent them; 1005 when the close frame had no code), or the connection was lost (1006).
     * Called once; LOG runs for the upgrade request after it.
     */
    default void onClose(WebSocketSession session, int code, String reason) {
    }

    /** A callback of this endpoint threw {@code error}; the session closes with 1011 after this. */
    default void onError(WebSocketSession session, Throwable error) {
    }
}
