package dev.modhttp.engine.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Parses durations written {@code 75s}, {@code 500ms}, {@code 5m}, {@code 1h}, {@code 1d} or a bare
 * number of seconds (nginx's default unit).
 */
public final class Durations {

    private Durations() {
    }

    public static Duration parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (expected e.g. 500ms, 75s, 5m)");
        }
        long n;
        try {
            n = Long.parseLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
        return switch (s.substring(i)) {
            case "", "s" -> Duration.ofSeconds(n);
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException(
                    "'" + text + "' is not a duration (expected e.g. 500ms, 75s, 5m)");
        };
    }
}
