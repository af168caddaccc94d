package dev.modhttp.engine.modules.websocket;

import dev.modhttp.engine.config.KeyDoc;
import dev.modhttp.engine.config.Size;
import java.time.Duration;
import java.util.List;

/**
 * {@code websocket} at a location: the endpoint that takes its WebSocket connections and their
 * limits. {@code websocket: chat} names the endpoint alone; the block form sets the rest.
 *
 * @param endpoint the endpoint's name ({@link WebSocketModule}'s registry; in the starter a bean's name)
 * @param subprotocols the subprotocols offered, in the server's order of preference; none by default
 * @param origins the {@code Origin} values allowed ({@code https://app.example.com}, {@code *} for any); any by default
 * @param maxFrameSize the largest frame payload taken; default 64k; past it 1009
 * @param maxMessageSize the largest message (fragments joined, inflated); default 1m; past it 1009
 * @param pingInterval how often a ping goes to a quiet client; default 30s; 0 sends none
 * @param idleTimeout how long nothing may come from the client (a pong counts); default 60s; 0: no limit
 * @param compression permessage-deflate (RFC 7692) when the client offers it; default on
 */
@KeyDoc(meaning = "`chat` or `{ endpoint: chat, subprotocols: [chat.v1], origins: [\"https://app.example.com\"], "
        + "max-frame-size: 64k, max-message-size: 1m, ping-interval: 30s, idle-timeout: 60s, compression: on }`: the "
        + "location's requests are WebSocket handshakes (RFC 6455) for the endpoint of that name (a `WebSocketEndpoint` "
        + "bean in the starter), after the phases up to ACCESS guarded them. A GET without `Upgrade: websocket` gets 426, "
        + "another method 405, a bad key or `Connection` 400, a version other than 13 426 with `Sec-WebSocket-Version: 13`, "
        + "an `Origin` outside `origins` 403. The first of the client's subprotocols the server offers is agreed; "
        + "permessage-deflate with its window and context parameters when `compression` is on. A frame past "
        + "`max-frame-size` or a message past `max-message-size` closes with 1009, a protocol error with 1002, bad UTF-8 "
        + "with 1007; pings go out every `ping-interval`, `idle-timeout` without a frame closes with 1001, and so does a "
        + "graceful stop. The request is logged when the socket closes (status 101, its duration and bytes). nginx has "
        + "no WebSocket server; HTTP/1.1 only (RFC 8441 over HTTP/2 is not offered)")
public record WebSocketConfig(String endpoint, List<String> subprotocols, List<String> origins, Size maxFrameSize,
        Size maxMessageSize, Duration pingInterval, Duration idleTimeout, Boolean compression) {

    public static final WebSocketConfig DEFAULTS = new WebSocketConfig(null, List.of(), List.of(), Size.parse("64k"),
            Size.parse("1m"), Duration.ofSeconds(30), Duration.ofSeconds(60), true);

    public WebSocketConfig {
        if (maxFrameSize != null && (maxFrameSize.bytes() < 125 || maxFrameSize.bytes() > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("max-frame-size must be between 125 bytes and 2g");
        }
        if (maxMessageSize != null && (maxMessageSize.bytes() < 1 || maxMessageSize.bytes() > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("max-message-size must be between 1 byte and 2g");
        }
    }

    /** {@code websocket: chat}: the endpoint's name alone. */
    public static WebSocketConfig parse(String endpoint) {
        return new WebSocketConfig(endpoint, null, null, null, null, null, null, null);
    }
}
