package dev.modhttp.engine.modules.rewrite;

import dev.modhttp.engine.config.Location;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One {@code rewrite} entry, nginx's {@code "regex replacement [last|break|redirect|permanent]"}.
 * The regex sees the decoded URI's bytes, as location regexes do; the replacement may use
 * {@code $1}..{@code $9}, {@code $uri}, {@code $args} and {@code $host}. A replacement that starts
 * with {@code http://}, {@code https://} or {@code $scheme} redirects (302 unless permanent).
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
            return new Rewrite(Pattern.compile(Location.toByteString(parts[0])), parts[1], flag);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("'" + parts[0] + "' is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /** The replacement with captures and variables substituted, or null when the regex does not match. */
    String apply(String uriBytes, String uri, String args, String host) {
        Matcher m = regex.matcher(uriBytes);
        if (!m.find()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        String r = replacement;
        for (int i = 0; i < r.length(); i++) {
            char c = r.charAt(i);
            if (c == '$' && i + 1 < r.length() && Character.isDigit(r.charAt(i + 1))) {
                int g = r.charAt(++i) - '0';
                if (g <= m.groupCount() && m.group(g) != null) {
                    // captures are bytes of the decoded URI: back to text
                    out.append(new String(m.group(g).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                            java.nio.charset.StandardCharsets.UTF_8));
                }
            } else if (r.startsWith("$uri", i)) {
                out.append(uri);
                i += 3;
            } else if (r.startsWith("$args", i)) {
                out.append(args);
                i += 4;
            } else if (r.startsWith("$host", i)) {
                out.append(host == null ? "" : host);
                i += 4;
            } else if (r.startsWith("$scheme", i)) {
                out.append("http");
                i += 6;
            } else {
                out.append(c);
            }
        }
        return out.toString();
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
