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
    /**
     * Netty's name constants and their wire forms, by identity, in an open-addressed table indexed
     * by the name's own cached hash: looked up for every header of every response, where an
     * IdentityHashMap's identity hash cost several per cent of a small response's time.
     */
    private static final AsciiString[] NAMES;
    private static final byte[][] WIRE;
    private static final int MASK;

    static {
        Map<AsciiString, byte[]> all = new IdentityHashMap<>();
        for (Field f : HttpHeaderNames.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == AsciiString.class) {
                try {
                    AsciiString name = (AsciiString) f.get(null);
                    all.put(name, canonical(name.toString()).getBytes(StandardCharsets.US_ASCII));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        int size = Integer.highestOneBit(all.size() * 4 - 1) << 1; // at most a quarter full: short probes
        NAMES = new AsciiString[size];
        WIRE = new byte[size][];
        MASK = size - 1;
        all.forEach((name, wire) -> {
            int i = name.hashCode() & MASK;
            while (NAMES[i] != null) {
                i = (i + 1) & MASK;
            }
            NAMES[i] = name;
            WIRE[i] = wire;
        });
    }

    private static int slot(CharSequence name) {
        if (!(name instanceof AsciiString a)) {
            return -1;
        }
        for (int i = a.hashCode() & MASK; NAMES[i] != null; i = (i + 1) & MASK) {
            if (NAMES[i] == a) {
                return i;
            }
        }
        return -1;
    }

    private HeaderNames() {
    }

    /** The pre-encoded wire form of a standard name constant, or null for any other name. */
    public static byte[] wire(CharSequence name) {
        int i = slot(name);
        return i < 0 ? null : WIRE[i];
    }

    /** Whether {@code name} is one of Netty's standard name constants (valid by construction). */
    public static boolean isStandard(CharSequence name) {
        return slot(name) >= 0;
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
