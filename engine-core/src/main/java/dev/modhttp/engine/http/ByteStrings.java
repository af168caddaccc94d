package dev.modhttp.engine.http;

import java.nio.charset.StandardCharsets;

/**
 * Strings whose chars are bytes, one char per byte (0-255): the form the engine keeps a request's
 * URI, arguments and header values in, as nginx keeps them as bytes.
 */
public final class ByteStrings {

    private ByteStrings() {
    }

    /**
     * The bytes read as UTF-8 text, malformed sequences as U+FFFD; the string itself when every
     * byte is ASCII, so the common case copies nothing.
     */
    public static String text(String bytes) {
        for (int i = 0; i < bytes.length(); i++) {
            if (bytes.charAt(i) >= 0x80) {
                return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
        }
        return bytes;
    }
}
