package dev.modhttp.engine.modules.websocket;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Scope;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.phase.Result;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * WebSocket endpoints (RFC 6455) at the locations with a {@code websocket} key: the handshake
 * as the location's content handler, so that every phase before CONTENT (rewrite, access,
 * auth-basic, limit-req, real-ip, the application's ACCESS handlers) decides first; then a
 * {@link WebSocketConnection} over the upgraded connection. Endpoints are registered by name:
 *
 * <pre>{@code
 * Engine.builder().module(new WebSocketModule(Map.of("echo", new Echo())))
 * // locations: [{ location: /ws/echo, websocket: echo }]
 * }</pre>
 *
 * <p>A location naming an endpoint the module does not have fails startup, naming the key.
 */
public final class WebSocketModule implements Module {

    public static final ConfigSpec<WebSocketConfig> CONFIG = ConfigSpec.block("websocket", WebSocketConfig.class)
            .scopes(Scope.LOCATION).defaults(WebSocketConfig.DEFAULTS).inherited(false).build();

    /** RFC 6455 §1.3: appended to the client's key before hashing. */
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final Map<String, WebSocketEndpoint> endpoints;

    /** Endpoints by the name a location's {@code websocket} key gives. */
    public WebSocketModule(Map<String, ? extends WebSocketEndpoint> endpoints) {
        this.endpoints = Map.copyOf(endpoints);
    }

    @Override
    public void register(ModuleRegistry registry) {
        registry.forEachLocation(l -> {
            if (l.isConfigured(CONFIG)) {
                String name = l.config(CONFIG).endpoint();
                if (name == null || !endpoints.containsKey(name)) {
                    throw new ConfigException(l.path(), "websocket", name == null ? "names no endpoint"
                            : "no WebSocket endpoint named \"" + name + "\" (known: " + new TreeSet<>(endpoints.keySet()) + ")");
                }
            }
        });
        registry.contentHandler(CONFIG, this::handshake).name("websocket");
    }

    /** RFC 6455 §4.2: checks the opening handshake and answers 101, or the status the RFC asks for. */
    private Result handshake(HttpExchange exchange) {
        WebSocketConfig conf = exchange.config(CONFIG);
        Request request = exchange.request();
        if (!request.method().equals("GET")) {
            exchange.response().header("Allow", "GET");
            return Result.status(405);
        }
        if (!hasToken(request, "Upgrade", "websocket") || request.version() != HttpVersion.HTTP_1_1) {
            // RFC 7231 §6.5.15: the client may try again with the protocol named
            exchange.response().header("Upgrade", "websocket").header("Sec-WebSocket-Version", "13");
            return Result.status(426);
        }
        String key = request.header("Sec-WebSocket-Key");
        if (!hasToken(request, "Connection", "upgrade") || !validKey(key)
                || request.headers().getAll("Sec-WebSocket-Key").size() > 1) { // §11.3.1: once
            return Result.status(400);
        }
        if (!"13".equals(trimmed(request.header("Sec-WebSocket-Version")))
                || request.headers().getAll("Sec-WebSocket-Version").size() > 1) {
            exchange.response().header("Sec-WebSocket-Version", "13"); // §4.4: the versions the server speaks
            return Result.status(426);
        }
        // without Origin a client is not a browser (Spring's OriginHandshakeInterceptor lets it through too)
        if (!conf.origins().isEmpty() && !conf.origins().contains("*")
                && !conf.origins().containsAll(request.headers().getAll("Origin"))) {
            return Result.status(403);
        }
        String subprotocol = subprotocol(request, conf.subprotocols());
        WebSocketServerExtension deflate = Boolean.TRUE.equals(conf.compression()) ? deflate(request, conf) : null;
        exchange.response().status(101)
                .header(HttpHeaderNames.UPGRADE, "websocket")
                .header("Sec-WebSocket-Accept", accept(key));
        if (subprotocol != null) {
            exchange.response().header("Sec-WebSocket-Protocol", subprotocol);
        }
        if (deflate != null) {
            WebSocketExtensionData agreed = deflate.newReponseData();
            StringBuilder value = new StringBuilder(agreed.name());
            agreed.parameters().forEach((k, v) -> value.append("; ").append(k).append(v == null ? "" : "=" + v));
            exchange.response().header("Sec-WebSocket-Extensions", value.toString());
        }
        exchange.response().tunnel(new WebSocketConnection(exchange, endpoints.get(conf.endpoint()), conf, subprotocol,
                deflate));
        return Result.OK;
    }

    /** Whether a field of that name lists {@code token} (comma-separated, case-insensitive). */
    private static boolean hasToken(Request request, String field, String token) {
        for (String value : request.headers().getAll(field)) {
            for (String part : value.split(",")) {
                if (part.trim().equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String trimmed(String value) {
        return value == null ? null : value.trim();
    }

    /** §4.1: a base64-encoded 16-byte value. */
    private static boolean validKey(String key) {
        if (key == null || key.trim().length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key.trim()).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** §4.2.2: base64 of the SHA-1 of the key and the GUID. */
    static String accept(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is part of every JDK", e);
        }
    }

    /** The first of the client's subprotocols that the location offers, or null. */
    private static String subprotocol(Request request, List<String> offered) {
        if (offered.isEmpty()) {
            return null;
        }
        for (String value : request.headers().getAll("Sec-WebSocket-Protocol")) {
            for (String asked : value.split(",")) {
                if (offered.contains(asked.trim())) {
                    return asked.trim();
                }
            }
        }
        return null;
    }

    /**
     * RFC 7692 §7.1: a permessage-deflate offer's parameters each once, the two context flags
     * without a value, window bits 8 to 15 (the client's may have none); other extensions pass.
     */
    static boolean validDeflateOffer(String offer) {
        String[] parts = offer.split(";");
        if (!parts[0].trim().equalsIgnoreCase("permessage-deflate")) {
            return true;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < parts.length; i++) {
            String[] nameValue = parts[i].split("=", 2);
            String name = nameValue[0].trim().toLowerCase(Locale.ROOT);
            String v = nameValue.length > 1 ? nameValue[1].trim().replace("\"", "") : null;
            boolean ok = switch (name) {
                case "server_no_context_takeover", "client_no_context_takeover" -> v == null;
                case "server_max_window_bits" -> v != null && v.matches("[89]|1[0-5]");
                case "client_max_window_bits" -> v == null || v.matches("[89]|1[0-5]");
                default -> false;
            };
            if (!ok || !seen.add(name)) {
                return false;
            }
        }
        return true;
    }

    /** RFC 7692: the first permessage-deflate offer the server can take, or null. */
    private static WebSocketServerExtension deflate(Request request, WebSocketConfig conf) {
        // server_max_window_bits below 15 would need JZlib (Netty's JDK deflater has one window size): declined
        PerMessageDeflateServerExtensionHandshaker handshaker = new PerMessageDeflateServerExtensionHandshaker(6, false,
                15, true, false, WebSocketExtensionFilterProvider.DEFAULT, (int) conf.maxMessageSize().bytes());
        for (String value : request.headers().getAll("Sec-WebSocket-Extensions")) {
            List<WebSocketExtensionData> offers;
            try {
                offers = WebSocketExtensionUtil.extractExtensions(value);
            } catch (RuntimeException malformed) {
                return null;
            }
            String[] raw = value.split(",");
            for (int i = 0; i < offers.size(); i++) {
                WebSocketExtensionData offer = offers.get(i);
                if (i < raw.length && !validDeflateOffer(raw[i])) {
                    continue; // RFC 7692 §7: an offer with a duplicate or invalid parameter is declined
                }
                Map<String, String> parameters = new LinkedHashMap<>();
                offer.parameters().forEach((k, v) -> parameters.put(k.toLowerCase(Locale.ROOT), v));
                WebSocketServerExtension agreed;
                try {
                    agreed = handshaker.handshakeExtension(
                            new WebSocketExtensionData(offer.name().toLowerCase(Locale.ROOT), parameters));
                } catch (RuntimeException malformed) { // a parameter value Netty cannot read: declined
                    continue;
                }
                if (agreed != null) {
                    return agreed;
                }
            }
        }
        return null;
    }
}
