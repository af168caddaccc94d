package dev.modhttp.engine.netty;

import java.util.Locale;

/** Validates and normalizes a {@code Host} value the way nginx does. */
final class Hosts {

    private Hosts() {
    }

    /**
     * Returns the host in lower case without port and trailing dot, or null when invalid
     * (empty, {@code ..}, a slash, whitespace or control characters).
     */
    static String validate(String value) {
        int len = value.length();
        int hostLen = len;
        int dot = -2;
        boolean literal = false;
        boolean rest = false;
        for (int i = 0; i < len; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '.' -> {
                    if (!rest && dot == i - 1) {
                        return null;
                    }
                    dot = i;
                }
                case ':' -> {
                    if (!rest && !literal) {
                        hostLen = i;
                        rest = true;
                    }
                }
                case '[' -> {
                    if (i == 0) {
                        literal = true;
                    }
                }
                case ']' -> {
                    if (literal && !rest) {
                        hostLen = i + 1;
                        literal = false;
                        rest = true;
                    }
                }
                default -> {
                    if (c == '/' || c == '\\' || c <= 0x20 || c == 0x7f) {
                        return null;
                    }
                }
            }
        }
        if (dot == hostLen - 1) {
            hostLen--;
        }
        if (hostLen <= 0) {
            return null;
        }
        return value.substring(0, hostLen).toLowerCase(Locale.ROOT);
    }
}
