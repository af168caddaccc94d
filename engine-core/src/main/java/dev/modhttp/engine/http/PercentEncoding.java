package dev.modhttp.engine.http;

import java.util.function.IntPredicate;

/**
 * Percent-encoding (RFC 3986 §2.1) of text whose chars are bytes (a URI's raw bytes, one char
 * each): each char a predicate picks becomes {@code %XX} in uppercase hex, as nginx writes it.
 * The predicates are the callers' (nginx's escape tables: NGX_ESCAPE_URI, NGX_ESCAPE_ARGS, ...).
 */
public final class PercentEncoding {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PercentEncoding() {
    }

    /** {@code bytes} with each char {@code escape} picks written {@code %XX}; {@code bytes} itself when none is. */
    public static String encode(String bytes, IntPredicate escape) {
        for (int i = 0; i < bytes.length(); i++) {
            if (escape.test(bytes.charAt(i))) {
                StringBuilder out = new StringBuilder(bytes.length() + 16).append(bytes, 0, i);
                encode(out, bytes.substring(i), escape);
                return out.toString();
            }
        }
        return bytes;
    }

    /** Appends {@code bytes} to {@code out}, each char {@code escape} picks written {@code %XX}. */
    public static void encode(StringBuilder out, String bytes, IntPredicate escape) {
        for (int i = 0; i < bytes.length(); i++) {
            char c = bytes.charAt(i);
            if (escape.test(c)) {
                out.append('%').append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
    }
}
