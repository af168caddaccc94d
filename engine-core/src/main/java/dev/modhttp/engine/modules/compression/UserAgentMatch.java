package dev.modhttp.engine.modules.compression;

import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.Pcre;
import dev.modhttp.engine.core.UserAgents;
import java.util.regex.Pattern;

/**
 * One entry of {@code gzip-disable} (nginx's {@code gzip_disable}): a case-insensitive regular
 * expression found anywhere in the request's User-Agent, or the mask {@code msie6}, which
 * stands for Internet Explorer 4 to 6 as nginx reads it ({@code MSIE 4.}, {@code MSIE 5.}, or
 * {@code MSIE 6.} without {@code SV1} after it; never a User-Agent naming Opera).
 *
 * @param text the entry as written
 * @param regex the compiled expression; null for {@code msie6}
 */
public record UserAgentMatch(String text, Pattern regex) {

    /**
     * Reads an entry.
     *
     * @throws IllegalArgumentException for an expression that is not valid PCRE, and for nginx's
     *     {@code degradation}, which the engine does not have
     */
    public static UserAgentMatch parse(String text) {
        if (text.equals("msie6")) {
            return new UserAgentMatch(text, null);
        }
        if (text.equals("degradation")) {
            throw new IllegalArgumentException("'degradation' (nginx's compression off under load) is not supported");
        }
        try {
            return new UserAgentMatch(text, Pcre.compile(Location.toByteString(text), true));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid regular expression: " + e.getMessage(), e);
        }
    }

    /** Whether a request with {@code userAgent} (a field value; never null) is left uncompressed. */
    public boolean matches(String userAgent) {
        return regex == null ? UserAgents.msie6(userAgent) : regex.matcher(userAgent).find();
    }

    @Override
    public String toString() {
        return text;
    }
}
