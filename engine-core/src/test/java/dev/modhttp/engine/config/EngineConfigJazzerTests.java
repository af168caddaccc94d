package dev.modhttp.engine.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.modhttp.engine.Engine;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of the config binder (Jazzer): random trees of maps, lists, strings,
 * numbers, booleans and nulls, as a YAML parser or Spring's binder hands them over, with keys
 * drawn from every key the engine's config records have (and misspelt or random ones), loaded
 * against the specs of the core and every built-in module. A tree either loads or is refused
 * with a {@link ConfigException} whose path names a place that is in the tree, and whose key is
 * one written there (or the pattern a location lacks); no other exception escapes. A tree that
 * loads has one server per entry of its {@code servers} list, and each location sits where the
 * tree has it.
 */
public class EngineConfigJazzerTests {

    private static final List<ConfigSpec<?>> SPECS = Engine.builder().configs();
    private static final String[] KEYS = keys();
    private static final String[] SCALARS = {"on", "off", "true", "false", "yes", "", " ", "0", "-1", "1", "8",
        "65536", "1k", "10m", "1g", "1m 1k", "10s", "500ms", "1h30m", "-5s", "1d", "75", "/", "/srv/www", "./public",
        "index.html", "127.0.0.1:0", "[::1]:0", "8080", "*:0", "127.0.0.1:0 proxy-protocol", "127.0.0.1:0 ssl http2",
        "localhost:99999", "/a", "= /a", "^~ /img/", "~ \\.php$", "~* ^/(?<id>[0-9]+)$", "~ (", "@fallback", "@",
        "301 /x", "200 ok", "404", "444", "999", "$uri", "$uri $uri/ =404", "$uri @fallback", "${uri", "$nosuch",
        "^/old/(.*)$ /new/$1 permanent", "^ /x break", "X-A $host always", "X-A", "404 /404.html", "=200 /e",
        "10.0.0.0/8", "::1/128", "300.1.1.1/33", "all", "allow 10.0.0.1", "deny all",
        "$binary_remote_addr zone=one:10m rate=1r/s", "zone=one burst=5 nodelay", "zone=none", "4 8k", "0 8k",
        "exact", "before", "clean", "outside-root", "any", "json", "epoch", "max", "-1h", "http://127.0.0.1:1",
        "http://backend/", "text/html", "application/json", "gzip", "Basic", "/etc/htpasswd", "X-Forwarded-For",
        "main", "combined", "$remote_addr - $status", "/dev/null", "/tmp/nope/access.log main", "$uri/", "=404",
        "/index.html"};
    private static final Pattern PATH = Pattern.compile("(servers|locations)\\[(\\d+)]");

    @FuzzTest(maxDuration = "10s")
    void anyTreeLoadsOrIsRefusedAtAPlaceInIt(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }

    /** The target, also for Jazzer's command line ({@code tools/fuzz.sh}). */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        Map<String, Object> tree = map(data, 0, new int[] {48});
        EngineConfig config;
        try {
            config = EngineConfig.load(tree, SPECS, "127.0.0.1:0");
        } catch (ConfigException e) {
            String where = e.path() == null || e.path().isEmpty() ? "engine" : "engine." + e.path();
            assertThat(e.getMessage()).as("the message of %s", tree).startsWith(where);
            Map<String, Object> scope = resolve(tree, e.path());
            assertThat(scope).as("'%s' (%s) names a place in %s", e.path(), e.getMessage(), tree).isNotNull();
            if (e.key() != null && !e.key().equals("location")) { // a location's pattern may be the key missing
                assertThat(scope.keySet().stream().anyMatch(k -> names(e.key(), k)))
                        .as("'%s' (%s) is a key at %s in %s", e.key(), e.getMessage(), e.path(), tree).isTrue();
            }
            return;
        }
        Object servers = get(tree, "servers");
        int expected = servers == null ? 1 : ValueConverter.asList(servers).size();
        assertThat(config.servers()).as("the servers of %s", tree).hasSize(expected);
        for (ServerConfig server : config.servers()) {
            server.scope().forEach(l -> {
                if (l.kind() != Location.Kind.SERVER) {
                    Map<String, Object> block = resolve(tree, l.path());
                    assertThat(block).as("location %s at %s in %s", l.pattern(), l.path(), tree).isNotNull();
                    assertThat(get(block, "location")).as("the pattern at %s", l.path()).isNotNull();
                }
            });
        }
    }

    /**
     * The block at a scope path ({@code servers[0].locations[2]}), found the way the binder finds
     * keys (compared canonically); the root for the main scope; null when the tree has none there.
     */
    private static Map<String, Object> resolve(Map<String, Object> tree, String path) {
        Map<String, Object> at = tree;
        if (path == null || path.isEmpty()) {
            return at;
        }
        Matcher m = PATH.matcher(path);
        int end = 0;
        while (m.find()) {
            if (m.start() != (end == 0 ? 0 : end + 1)) {
                return null;
            }
            end = m.end();
            Object list = at == null ? null : get(at, m.group(1));
            if (list == null && m.group(1).equals("servers") && m.group(2).equals("0")) {
                return Map.of(); // the server made when the tree lists none
            }
            try {
                List<?> items = ValueConverter.asList(list);
                int i = Integer.parseInt(m.group(2));
                at = i < items.size() ? ValueConverter.asMap(items.get(i)) : null;
            } catch (RuntimeException notThere) {
                return null;
            }
        }
        return end == path.length() ? at : null;
    }

    /**
     * Whether an error's key names a key written in the block: itself or spelt otherwise
     * ({@code http2_chunk_size}), a key inside its block ({@code return.status}), an item of its list
     * ({@code locations[2]}).
     */
    private static boolean names(String key, String written) {
        return canonical(key).equals(canonical(written)) || key.startsWith(written + ".")
                || key.startsWith(written + "[") || key.matches("(locations|servers)\\[\\d+]")
                && canonical(written).equals(key.substring(0, key.indexOf('[')));
    }

    private static Object get(Map<String, ?> block, String key) {
        for (Map.Entry<String, ?> e : block.entrySet()) {
            if (canonical(e.getKey()).equals(canonical(key))) {
                return e.getValue();
            }
        }
        return null;
    }

    private static String canonical(String key) {
        return ValueConverter.canonical(key);
    }

    private static Map<String, Object> map(FuzzedDataProvider data, int depth, int[] budget) {
        Map<String, Object> map = new LinkedHashMap<>();
        int count = data.consumeInt(0, 4);
        for (int i = 0; i < count && budget[0] > 0; i++) {
            map.put(key(data), value(data, depth + 1, budget));
        }
        return map;
    }

    private static String key(FuzzedDataProvider data) {
        return switch (data.consumeInt(0, 9)) {
            case 0 -> data.consumeAsciiString(10);
            case 1 -> String.valueOf(data.consumeInt(0, 2)); // Spring's binder hands lists over as {0: .., 1: ..}
            case 2 -> data.pickValue(KEYS).replace('-', '_'); // the binder compares keys canonically
            case 3 -> data.pickValue(KEYS).toUpperCase(Locale.ROOT);
            default -> data.pickValue(KEYS);
        };
    }

    private static Object value(FuzzedDataProvider data, int depth, int[] budget) {
        budget[0]--;
        int kind = data.consumeInt(0, depth >= 8 || budget[0] <= 0 ? 6 : 8);
        return switch (kind) {
            case 0, 1 -> data.pickValue(SCALARS);
            case 2 -> data.consumeAsciiString(16);
            case 3 -> data.consumeInt(-2, 70_000);
            case 4 -> data.consumeBoolean() ? data.consumeLong() : data.consumeRegularDouble();
            case 5 -> data.consumeBoolean();
            case 6 -> null; // "key:" with nothing after it
            case 7 -> list(data, depth, budget);
            default -> map(data, depth, budget);
        };
    }

    private static List<Object> list(FuzzedDataProvider data, int depth, int[] budget) {
        List<Object> list = new ArrayList<>();
        int count = data.consumeInt(0, 4);
        for (int i = 0; i < count && budget[0] > 0; i++) {
            list.add(value(data, depth + 1, budget));
        }
        return list;
    }

    /** Every key a config record of the engine has, nested records' too, and the structural ones. */
    private static String[] keys() {
        Set<String> keys = new TreeSet<>(List.of("servers", "listen", "server-names", "locations", "location"));
        for (ConfigSpec<?> spec : SPECS) {
            if (!spec.isFlat()) {
                keys.add(spec.key());
            }
            components(spec.type(), keys, new TreeSet<>());
        }
        return keys.toArray(new String[0]);
    }

    private static void components(Type type, Set<String> keys, Set<String> seen) {
        if (type instanceof ParameterizedType p) {
            for (Type t : p.getActualTypeArguments()) {
                components(t, keys, seen);
            }
        } else if (type instanceof Class<?> c && c.isRecord() && seen.add(c.getName())) {
            for (RecordComponent rc : c.getRecordComponents()) {
                keys.add(ValueConverter.kebab(rc.getName()));
                components(rc.getGenericType(), keys, seen);
            }
        }
    }
}
