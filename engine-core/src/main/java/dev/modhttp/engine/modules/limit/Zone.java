package dev.modhttp.engine.modules.limit;

import dev.modhttp.engine.config.Size;
import java.util.Locale;

/**
 * A zone as nginx declares one, at main scope: {@code "$binary_remote_addr zone=one:10m rate=10r/s"}
 * (limit-req; the rate in requests per second or per minute) or
 * {@code "$binary_remote_addr zone=addr:10m"} (limit-conn). The key is any text with variables;
 * a request whose key renders empty is not counted. The size bounds the number of keys the
 * zone remembers, one per 64 bytes as in nginx (10m: about 160,000); when it is full, the
 * least recently used key is forgotten.
 */
public record Zone(String key, String name, Size size, Double ratePerSecond) {

    public static Zone parse(String text) {
        String[] parts = text.trim().split("\\s+");
        String name = null;
        Size size = null;
        Double rate = null;
        if (parts.length < 2 || parts[0].startsWith("zone=")) {
            throw new IllegalArgumentException("'" + text + "' is not \"key zone=name:size [rate=Nr/s]\"");
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("zone=")) {
                int colon = p.indexOf(':');
                if (colon < 0 || colon == 5) {
                    throw new IllegalArgumentException("'" + p + "' is not zone=name:size");
                }
                name = p.substring(5, colon);
                size = Size.parse(p.substring(colon + 1));
                if (size.bytes() < 8192) {
                    throw new IllegalArgumentException("zone \"" + name + "\" is too small (8k at least)");
                }
            } else if (p.startsWith("rate=")) {
                rate = rate(p.substring(5));
            } else {
                throw new IllegalArgumentException("unknown parameter '" + p + "' in '" + text + "'");
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("'" + text + "' has no zone=name:size");
        }
        return new Zone(parts[0], name, size, rate);
    }

    private static double rate(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        double per;
        if (t.endsWith("r/s")) {
            per = 1;
        } else if (t.endsWith("r/m")) {
            per = 60;
        } else {
            throw new IllegalArgumentException("rate '" + text + "' is not Nr/s or Nr/m");
        }
        try {
            double n = Double.parseDouble(t.substring(0, t.length() - 3));
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n / per;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rate '" + text + "' is not Nr/s or Nr/m with N above 0");
        }
    }

    /** How many keys the zone remembers. */
    int capacity() {
        return (int) Math.max(128, Math.min(Integer.MAX_VALUE, size.bytes() / 64));
    }
}
