package dev.modhttp.engine.modules.log;

import java.util.Locale;

/**
 * A {@code log-format} entry as nginx writes it: the text with variables, optionally preceded
 * by {@code escape=default} (", \ and bytes outside printable ASCII as \xXX; a variable not
 * found as -), {@code escape=json} (JSON string escapes; not found as empty) or
 * {@code escape=none}.
 */
public record LogFormat(Escape escape, String text) {

    public enum Escape { DEFAULT, JSON, NONE }

    /** nginx's predefined format. */
    public static final LogFormat COMBINED = new LogFormat(Escape.DEFAULT,
            "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent "
                    + "\"$http_referer\" \"$http_user_agent\"");

    public static LogFormat parse(String text) {
        String t = text.trim();
        Escape escape = Escape.DEFAULT;
        if (t.startsWith("escape=")) {
            int space = t.indexOf(' ');
            String name = (space < 0 ? t : t.substring(0, space)).substring(7);
            try {
                escape = Escape.valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + name + "' is not default, json or none");
            }
            t = space < 0 ? "" : t.substring(space + 1).trim();
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException("a log format needs its text");
        }
        return new LogFormat(escape, t);
    }
}
