package dev.modhttp.engine.config;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scope's merged configuration as plain values, for people to read: the actuator's
 * {@code engine} endpoint shows it as JSON, the standalone runner's {@code -T} as text.
 */
public final class ConfigDump {

    private ConfigDump() {
    }

    /**
     * Each record of {@code specs} that is configured at {@code l} (written there or inherited)
     * or has defaults, as a map of its fields, keyed by the record's config key (a flat record
     * by its type's simple name: {@code CoreConfig}).
     */
    public static Map<String, Object> records(Location l, List<ConfigSpec<?>> specs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ConfigSpec<?> spec : specs) {
            Record r = l.config(spec);
            if (r != null && (l.isConfigured(spec) || spec.defaults() != null)) {
                out.put(spec.isFlat() ? spec.type().getSimpleName() : spec.key(), fields(r));
            }
        }
        return out;
    }

    /** A record's fields by name: numbers, booleans, nulls and lists of strings or numbers as they are, others as text. */
    public static Map<String, Object> fields(Record r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            try {
                c.getAccessor().setAccessible(true);
                Object v = c.getAccessor().invoke(r);
                m.put(c.getName(), v == null || v instanceof Number || v instanceof Boolean || v instanceof List<?>
                        && ((List<?>) v).stream().allMatch(e -> e instanceof String || e instanceof Number)
                        ? v : String.valueOf(v));
            } catch (ReflectiveOperationException e) {
                m.put(c.getName(), "?");
            }
        }
        return m;
    }
}
