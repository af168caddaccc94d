package dev.modhttp.engine.modules.headers;

import dev.modhttp.engine.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The headers module's keys, each written directly at a scope:
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><td>add-header</td><td>["X-Frame-Options DENY", "Cache-Control no-store always"]</td></tr>
 *   <tr><td>add-header-inherit</td><td>merge (default): the enclosing scopes' headers stay, a name given here
 *       replaces theirs; replace: nginx's rule, headers given here replace all inherited ones;
 *       off: nothing is inherited</td></tr>
 *   <tr><td>expires</td><td>a duration, a negative one ("-1h": Cache-Control no-cache), epoch, max or off</td></tr>
 * </table>
 */
public record HeadersConfig(List<AddHeader> addHeader, Inherit addHeaderInherit, Expires expires) {

    /** How a scope treats the add-header entries of the scopes around it. */
    public enum Inherit { MERGE, REPLACE, OFF }

    public static final HeadersConfig DEFAULTS = new HeadersConfig(List.of(), Inherit.MERGE, Expires.OFF);

    /** nginx's expires: off, epoch, max, or a (possibly negative) duration. */
    public record Expires(String kind, Duration duration) {

        static final Expires OFF = new Expires("off", null);

        public static Expires parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            switch (t) {
                case "off", "false" -> {
                    return OFF;
                }
                case "epoch", "max" -> {
                    return new Expires(t, null);
                }
                default -> {
                    boolean negative = t.startsWith("-");
                    Duration d = Durations.parse(negative ? t.substring(1) : t);
                    return new Expires("time", negative ? d.negated() : d);
                }
            }
        }
    }

    /** The merge of an inner scope over an outer one, by the inner scope's inheritance mode. */
    static HeadersConfig merge(HeadersConfig outer, HeadersConfig inner) {
        Inherit mode = inner.addHeaderInherit() != null ? inner.addHeaderInherit() : outer.addHeaderInherit();
        List<AddHeader> outerHeaders = outer.addHeader() == null ? List.of() : outer.addHeader();
        List<AddHeader> headers;
        if (mode == Inherit.OFF) {
            headers = inner.addHeader() == null ? List.of() : inner.addHeader();
        } else if (inner.addHeader() == null) {
            headers = outerHeaders;
        } else if (mode == Inherit.REPLACE) {
            headers = inner.addHeader();
        } else {
            headers = new ArrayList<>();
            for (AddHeader h : outerHeaders) {
                if (inner.addHeader().stream().noneMatch(i -> i.name().equalsIgnoreCase(h.name()))) {
                    headers.add(h);
                }
            }
            headers.addAll(inner.addHeader());
            headers = List.copyOf(headers);
        }
        return new HeadersConfig(headers, mode, inner.expires() != null ? inner.expires() : outer.expires());
    }
}
