package dev.modhttp.engine.config;

import java.util.Locale;

/**
 * A size in bytes, written nginx's way ({@code 512}, {@code 8k}, {@code 1m}, {@code 1g}) or
 * Spring's way ({@code 8KB}, {@code 1MB}).
 */
public record Size(long bytes) {

    public Size {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size cannot be negative: " + bytes);
        }
    }

    public static Size ofBytes(long bytes) {
        return new Size(bytes);
    }

    public static Size parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("b") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1); // 8kb -> 8k
        } else if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1); // 512b -> 512
        }
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> unit = 1024L;
                case 'm' -> unit = 1024L * 1024;
                case 'g' -> unit = 1024L * 1024 * 1024;
                default -> unit = 1;
            }
        }
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("'" + text + "' is not a size (expected e.g. 512, 8k, 1m, 1g)");
        }
        try {
            return new Size(Math.multiplyExact(Long.parseLong(digits), unit));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
    }

    @Override
    public String toString() {
        return bytes + "B";
    }
}
