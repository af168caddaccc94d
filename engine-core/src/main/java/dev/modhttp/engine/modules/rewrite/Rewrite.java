package dev.modhttp.engine.modules.rewrite;

import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.Pcre;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One {@code rewrite} entry, nginx's {@code "regex replacement [last|break|redirect|permanent]"}.
 * The regex sees the decoded URI's bytes, as location regexes do; the replacement may use
 * its captures {@code $1}..{@code $9} and any variable ({@code $host}, {@code $arg_page}, ...).
 * A replacement that becomes {@code http://...} or {@code https://...} redirects (302 unless
 * permanent).
 * A {@code ?} in the replacement sets new arguments, followed by the request's own unless the
 * replacement ends with {@code ?}.
 */
public record Rewrite(Pattern regex, String replacement, Flag flag) {

    /** What happens after a match. */
    public enum Flag { NONE, LAST, BREAK, REDIRECT, PERMANENT }

    public static Rewrite parse(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("'" + text + "' is not \"regex replacement [flag]\"");
        }
        Flag flag = Flag.NONE;
        if (parts.length == 3) {
            try {
                flag = Flag.valueOf(parts[2].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + parts[2] + "' is not last, break, redirect or permanent");
            }
            if (flag == Flag.NONE) {
                throw new IllegalArgumentException("'" + parts[2] + "' is not last, break, redirect or permanent");
            }
        }
        try {
            return new Rewrite(Pcre.compile(Location.toByteString(parts[0]), false), parts[1], flag);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + parts[0] + "' is not a valid regular expression: "
                    + e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rewrite other && other.regex.pattern().equals(regex.pattern())
                && other.replacement.equals(replacement) && other.flag == flag;
    }

    @Override
    public int hashCode() {
        return regex.pattern().hashCode() * 31 + replacement.hashCode();
    }
}
