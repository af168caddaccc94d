package dev.modhttp.engine.modules.log;

import java.util.Locale;

/**
 * One {@code access-log} entry as nginx writes it: {@code "/var/log/app/access.log"},
 * {@code "/var/log/app/access.log main if=$loggable"}, {@code "logger:http.access combined"}
 * (lines go to that SLF4J logger at INFO), or {@code off}. The format defaults to
 * {@code combined}.
 */
public record AccessLog(String target, String format, String condition) {

    /** {@code access-log: off}: nothing is logged in the scope. */
    public static final AccessLog OFF = new AccessLog(null, null, null);

    public static AccessLog parse(String text) {
        String[] parts = text.trim().split("\\s+");
        String first = parts[0].toLowerCase(Locale.ROOT);
        if (parts.length == 1 && (first.equals("off") || first.equals("false"))) {
            return OFF;
        }
        String format = "combined";
        String condition = null;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("if=")) {
                condition = p.substring(3);
                if (condition.isEmpty()) {
                    throw new IllegalArgumentException("'" + p + "' has no condition");
                }
            } else if (i == 1 && p.indexOf('=') < 0) {
                format = p;
            } else {
                throw new IllegalArgumentException("unknown access-log parameter '" + p
                        + "' (expected \"path|logger:name [format] [if=condition]\" or off)");
            }
        }
        if (parts[0].equals("logger:")) {
            throw new IllegalArgumentException("'logger:' needs a logger name");
        }
        return new AccessLog(parts[0], format, condition);
    }

    boolean isOff() {
        return target == null;
    }
}
