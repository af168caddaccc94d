package dev.modhttp.engine.modules.limit;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.config.Size;
import dev.modhttp.engine.module.ModuleRegistry;
import dev.modhttp.engine.variable.Template;
import dev.modhttp.engine.variable.Variable;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A zone as nginx declares one, at main scope: {@code "$binary_remote_addr zone=one:10m rate=10r/s"}
 * (limit-req; the rate in requests per second or per minute) or
 * {@code "$binary_remote_addr zone=addr:10m"} (limit-conn). The key is any text with variables;
 * a request whose key renders empty is not counted. The size bounds the number of keys the
 * zone remembers, one per 64 bytes as in nginx (10m: about 160,000); when it is full, the
 * least recently used key is forgotten.
 *
 * <p>{@code backend=redis} (not in nginx) keeps the zone in Redis, shared by every engine
 * pointing at the same one ({@link RedisZones}); the local table then serves while Redis does
 * not answer. The default, {@code backend=local}, counts on this engine alone, as nginx does.
 */
public record Zone(String key, String name, Size size, Double ratePerSecond, Backend backend) {

    /** Where a zone counts. */
    public enum Backend { LOCAL, REDIS }

    public static Zone parse(String text) {
        String[] parts = text.trim().split("\\s+");
        String name = null;
        Size size = null;
        Double rate = null;
        Backend backend = Backend.LOCAL;
        boolean backendSet = false;
        if (parts.length < 2 || parts[0].startsWith("zone=")) {
            throw new IllegalArgumentException("'" + text + "' is not \"key zone=name:size [rate=Nr/s]\"");
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("zone=")) {
                int colon = p.indexOf(':');
                if (colon < 0 || colon == 5) {
                    throw new IllegalArgumentException("'" + p + "' is not zone=name:size");
                }
                name = p.substring(5, colon);
                size = Size.parse(p.substring(colon + 1));
                if (size.bytes() < 8192) {
                    throw new IllegalArgumentException("zone \"" + name + "\" is too small (8k at least)");
                }
            } else if (p.startsWith("rate=")) {
                rate = rate(p.substring(5));
            } else if (p.equals("backend=redis") || p.equals("backend=local")) {
                if (backendSet) {
                    throw new IllegalArgumentException("backend= is given twice in '" + text + "'");
                }
                backend = p.equals("backend=redis") ? Backend.REDIS : Backend.LOCAL;
                backendSet = true;
            } else {
                throw new IllegalArgumentException("unknown parameter '" + p + "' in '" + text
                        + "' (rate=Nr/s, backend=local or backend=redis)");
            }
        }
        if (name == null) {
            throw new IllegalArgumentException("'" + text + "' has no zone=name:size");
        }
        return new Zone(parts[0], name, size, rate, backend);
    }

    private static double rate(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        double per;
        if (t.endsWith("r/s")) {
            per = 1;
        } else if (t.endsWith("r/m")) {
            per = 60;
        } else {
            throw new IllegalArgumentException("rate '" + text + "' is not Nr/s or Nr/m");
        }
        try {
            long n = Long.parseLong(t.substring(0, t.length() - 3));
            if (n <= 0 || n > 1_000_000_000L) {
                throw new NumberFormatException();
            }
            return n / per;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rate '" + text + "' is not Nr/s or Nr/m with N a whole number above 0"
                    + " (as nginx)");
        }
    }

    /** How many keys the zone remembers. */
    int capacity() {
        return (int) Math.max(128, Math.min(Integer.MAX_VALUE, size.bytes() / 64));
    }

    /**
     * The zones declared at main scope under {@code key} (read through {@code zonesOf}), each
     * made once by {@code make} with its key compiled; then every limit of {@code spec} must
     * name one of them ({@code limitZones}), else startup fails naming the scope.
     */
    static <R extends Record, T> Map<String, T> declare(ModuleRegistry registry, String key,
            Function<ServerConfig, List<Zone>> zonesOf, BiFunction<Zone, Template, T> make,
            ConfigSpec<R> spec, String limitKey, Function<R, List<String>> limitZones) {
        Map<String, T> zones = new HashMap<>();
        for (ServerConfig server : registry.config().servers()) {
            for (Zone z : zonesOf.apply(server)) {
                if (!zones.containsKey(z.name())) {
                    try {
                        zones.put(z.name(), make.apply(z, registry.variables().compile(z.key())));
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException("", key, e.getMessage(), e);
                    }
                }
            }
        }
        registry.compileEach(spec, limitKey, c -> {
            List<String> named = limitZones.apply(c);
            for (int i = 0; i < named.size(); i++) {
                String zone = named.get(i);
                if (!zones.containsKey(zone)) {
                    throw new IllegalArgumentException("unknown zone \"" + zone + "\" (declare it in " + key + ")");
                }
                if (named.indexOf(zone) != i) {
                    throw new IllegalArgumentException("zone \"" + zone + "\" is duplicate (as nginx: one entry per zone)");
                }
            }
            return c;
        });
        return zones;
    }

    /**
     * The Redis the zones with {@code backend=redis} share: one per {@code redis:} block, kept
     * over reloads that do not change it, closed when no configuration uses it any more.
     *
     * @throws ConfigException naming {@code zoneKey} when Lettuce is not on the classpath, or
     *     {@code redis.url} when Lettuce does not read it
     */
    static RedisZones redis(ModuleRegistry registry, String zoneKey) {
        try {
            Class.forName("io.lettuce.core.RedisClient", false, Zone.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ConfigException("", zoneKey, "backend=redis needs Lettuce on the classpath (io.lettuce:lettuce-core; "
                    + "spring-boot-starter-data-redis brings it)", e);
        }
        RedisConfig c = registry.config().main(RedisConfig.CONFIG);
        return registry.carry(List.of("redis", c), () -> {
            try {
                return new RedisZones(c);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("", "redis.url", e.getMessage(), e);
            }
        }, RedisZones::close);
    }

    /** The key of a request in a zone, or null when it does not count (empty, or longer than {@code max}). */
    static String keyOf(Template key, HttpExchange exchange, int max) {
        String k = key.render(exchange);
        return k.isEmpty() || k.length() > max ? null : k;
    }

    /** A variable showing a request attribute ({@code $limit_req_status}), not found when unset. */
    static Variable attribute(Object attribute) {
        return e -> {
            Object v = e.attribute(attribute);
            return v == null ? null : v.toString();
        };
    }
}
