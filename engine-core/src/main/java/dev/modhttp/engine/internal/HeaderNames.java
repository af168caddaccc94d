package dev.modhttp.engine.internal;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AsciiString;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The wire spelling of header names. Netty's standard names are lower-case constants; on
 * the wire they go out the way nginx and browsers write them ({@code Content-Type},
 * {@code ETag}, {@code WWW-Authenticate}), pre-encoded once. Other names go out as set.
 */
public final class HeaderNames {

    private static final Map<String, String> SPECIAL = Map.of(
            "etag", "ETag", "www-authenticate", "WWW-Authenticate", "te", "TE", "content-md5", "Content-MD5",
            "dnt", "DNT", "x-xss-protection", "X-XSS-Protection");
    private static final Map<CharSequence, byte[]> WIRE = new IdentityHashMap<>();

    static {
        for (Field f : HttpHeaderNames.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == AsciiString.class) {
                try {
                    AsciiString name = (AsciiString) f.get(null);
                    WIRE.put(name, canonical(name.toString()).getBytes(StandardCharsets.US_ASCII));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private HeaderNames() {
    }

    /** The pre-encoded wire form of a standard name constant, or null for any other name. */
    public static byte[] wire(CharSequence name) {
        return WIRE.get(name);
    }

    /** Whether {@code name} is one of Netty's standard name constants (valid by construction). */
    public static boolean isStandard(CharSequence name) {
        return WIRE.containsKey(name);
    }

    static String canonical(String lower) {
        String special = SPECIAL.get(lower);
        if (special != null) {
            return special;
        }
        if (lower.startsWith("sec-websocket-")) {
            return "Sec-WebSocket-" + canonical(lower.substring("sec-websocket-".length()));
        }
        StringBuilder sb = new StringBuilder(lower.length());
        boolean upper = true;
        for (char c : lower.toCharArray()) {
            sb.append(upper ? Character.toUpperCase(c) : c);
            upper = c == '-';
        }
        return sb.toString();
    }
}
