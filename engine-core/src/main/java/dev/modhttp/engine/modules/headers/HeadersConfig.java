package dev.modhttp.engine.modules.headers;

import dev.modhttp.engine.config.Durations;
import dev.modhttp.engine.config.KeyDoc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The headers module's keys, each written directly at a scope.
 *
 * <p>Each component is a key; its default and meaning are in its {@link KeyDoc}, from which the README's
 * reference is generated.
 */
public record HeadersConfig(
        @KeyDoc(meaning = "`[\"X-Frame-Options DENY\", \"Cache-Control no-store always\"]`; on 2xx/3xx (204, 206, 304 "
                + "included) unless `always`")
        List<AddHeader> addHeader,
        @KeyDoc(defaultValue = "`merge`", meaning = "`merge`: a scope keeps the headers of its enclosing scopes (a name it "
                + "gives replaces theirs); `replace`: nginx's rule; `off`: none inherited")
        Inherit addHeaderInherit,
        @KeyDoc(defaultValue = "`off`", meaning = "`1h`, `-1h` (no-cache), `epoch`, `max`, `off`: Expires and Cache-Control")
        Expires expires) {

    /** How a scope treats the add-header entries of the scopes around it. */
    public enum Inherit {
        MERGE, REPLACE, OFF;

        /**
         * The entries an inner scope has under this mode: {@code inner} (null: none written) over
         * {@code outer}, entries of the same {@code name} (case-insensitive) replaced under MERGE.
         */
        public <T> List<T> entries(List<T> outer, List<T> inner, Function<T, String> name) {
            List<T> outerEntries = outer == null ? List.of() : outer;
            if (this == OFF) {
                return inner == null ? List.of() : inner;
            } else if (inner == null) {
                return outerEntries;
            } else if (this == REPLACE) {
                return inner;
            }
            List<T> merged = new ArrayList<>();
            for (T h : outerEntries) {
                if (inner.stream().noneMatch(i -> name.apply(i).equalsIgnoreCase(name.apply(h)))) {
                    merged.add(h);
                }
            }
            merged.addAll(inner);
            return List.copyOf(merged);
        }
    }

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
        Inherit rule = mode == null ? Inherit.MERGE : mode; // raw scopes are merged before defaults apply
        return new HeadersConfig(rule.entries(outer.addHeader(), inner.addHeader(), AddHeader::name), mode,
                inner.expires() != null ? inner.expires() : outer.expires());
    }
}
