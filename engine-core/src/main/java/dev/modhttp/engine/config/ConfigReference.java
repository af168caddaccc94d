package dev.modhttp.engine.config;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The reference of the configuration keys of a set of specs, made from their declarations: each
 * key's scopes from its {@link ConfigSpec} and {@link Scopes}, its default and meaning from its
 * {@link KeyDoc}, in the order the specs and their components are declared, after the two keys
 * the engine reads itself ({@code listen}, {@code server-names}). The README's reference table and
 * the starter's JSON Schema are generated from it (as nginx's module pages list each directive's
 * syntax, default and context).
 *
 * <pre>{@code
 * String table = ConfigReference.markdown(ConfigReference.rows(Engine.builder().build().configSpecs()));
 * }</pre>
 */
public final class ConfigReference {

    /**
     * One row of the reference: keys declared next to each other with the same meaning and scopes
     * share one.
     *
     * @param keys the keys, kebab-case
     * @param scopes the scopes at which each key may be written
     * @param defaults each key's default as {@link KeyDoc#defaultValue()} gives it, in the order of {@code keys}
     * @param meaning the shared meaning; empty for a key without a {@link KeyDoc}
     */
    public record Row(List<String> keys, Set<Scope> scopes, List<String> defaults, String meaning) {

        /** The default cell: one value when every key has the same default, else each in turn. */
        public String defaultValue() {
            return defaults.stream().distinct().count() == 1 ? defaults.get(0) : String.join(", ", defaults);
        }

        /** {@code "main, server, location"}. */
        public String scopeNames() {
            return scopes.stream().map(s -> s.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
        }

        /** The row as a Markdown table line: key, scopes, default, meaning ({@code |} escaped). */
        public String markdown() {
            String key = keys.stream().map(k -> "`" + k + "`").collect(Collectors.joining(", "));
            return "| " + key + " | " + scopeNames() + " | " + cell(defaultValue()) + " | " + cell(meaning) + " |";
        }

        private static String cell(String text) {
            return text.replace("|", "\\|");
        }
    }

    /** {@code listen} and {@code server-names}, which servers carry themselves rather than a module's record. */
    static final List<Row> STRUCTURAL = List.of(
            new Row(List.of("listen"), EnumSet.of(Scope.SERVER), List.of("`8080`"),
                    "`\"[host:]port [default-server] [ssl] [http2] [proxy-protocol]\"`, port 0 picks a free port; "
                    + "`ssl`: connections speak TLS (by OpenSSL where the starter's netty-tcnative loads, else the "
                    + "JDK's provider; the certificate chosen by SNI among the socket's servers, the default server's "
                    + "otherwise; HTTP/2 and HTTP/1.1 offered by ALPN; a plain HTTP request gets nginx's 400 \"The "
                    + "plain HTTP request was sent to HTTPS port\", status 497 for `error-page`); `http2`: HTTP/2 for "
                    + "every server of the address (as `http2: on`); `proxy-protocol`: connections start with a PROXY "
                    + "v1/v2 header (`$proxy_protocol_addr`; `real-ip-header: proxy_protocol`)"),
            new Row(List.of("server-names"), EnumSet.of(Scope.SERVER), List.of("`[\"\"]`"),
                    "exact, `*.suffix`, `prefix.*`, `.domain`, `~regex`"));

    private ConfigReference() {
    }

    /** The rows of {@code specs}' keys, the engine's own two first. */
    public static List<Row> rows(List<ConfigSpec<?>> specs) {
        List<Row> rows = new ArrayList<>(STRUCTURAL);
        for (ConfigSpec<?> spec : specs) {
            if (!spec.isFlat()) {
                KeyDoc doc = spec.type().getAnnotation(KeyDoc.class);
                rows.add(new Row(List.of(spec.key()), spec.scopes(), List.of(defaultOf(doc)), meaningOf(doc)));
                continue;
            }
            List<Row> ofSpec = new ArrayList<>();
            for (RecordComponent c : spec.type().getRecordComponents()) {
                KeyDoc doc = c.getAnnotation(KeyDoc.class);
                Scopes only = c.getAnnotation(Scopes.class);
                Set<Scope> scopes = only == null ? spec.scopes() : EnumSet.copyOf(Arrays.asList(only.value()));
                String key = ValueConverter.kebab(c.getName());
                int same = ofSpec.size() - 1;
                Row last = same < 0 ? null : ofSpec.get(same);
                if (doc != null && last != null && last.meaning().equals(doc.meaning()) && last.scopes().equals(scopes)) {
                    ofSpec.set(same, new Row(concat(last.keys(), key), scopes, concat(last.defaults(), doc.defaultValue()),
                            last.meaning()));
                } else {
                    ofSpec.add(new Row(List.of(key), scopes, List.of(defaultOf(doc)), meaningOf(doc)));
                }
            }
            rows.addAll(ofSpec);
        }
        return rows;
    }

    /** The Markdown table of {@code rows}, with its head, each line ending in a newline. */
    public static String markdown(List<Row> rows) {
        StringBuilder out = new StringBuilder("| key | scopes | default | meaning |\n|---|---|---|---|\n");
        for (Row row : rows) {
            out.append(row.markdown()).append('\n');
        }
        return out.toString();
    }

    private static String defaultOf(KeyDoc doc) {
        return doc == null ? "none" : doc.defaultValue();
    }

    private static String meaningOf(KeyDoc doc) {
        return doc == null ? "" : Objects.requireNonNull(doc.meaning());
    }

    private static List<String> concat(List<String> list, String more) {
        List<String> out = new ArrayList<>(list);
        out.add(more);
        return List.copyOf(out);
    }
}
