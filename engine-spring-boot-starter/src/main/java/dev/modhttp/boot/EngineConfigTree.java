package dev.modhttp.boot;

import dev.modhttp.engine.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The {@code engine:} subtree of the environment as the engine's raw config tree: maps, lists
 * (YAML lists and {@code [N]} indexes alike) and values, placeholders resolved, and the origin
 * of a property for error messages.
 *
 * <p>Every property source that can list its names contributes (command line, environment
 * variables, profiles, {@code application.yml}, Spring's own sources), the first in Spring's
 * order winning; a custom source that cannot list its names is not read. Blocks merge key by key, and
 * so do the lists of servers and locations, element by element: {@code --engine.servers[0].locations[1].return="200 x"}
 * or {@code ENGINE_SERVERS_0_LOCATIONS_1_CLIENTMAXBODYSIZE=2m} changes one location of the
 * YAML's. Any other list ({@code index}, {@code try-files}, {@code access}, ...) is replaced
 * whole by the source that wins, as Spring Boot replaces lists.
 */
final class EngineConfigTree {

    static final String PREFIX = "engine";
    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);
    /** The lists whose elements merge across sources: the config's structure. */
    private static final Set<String> STRUCTURAL_LISTS = Set.of("servers", "locations");

    private EngineConfigTree() {
    }

    static Map<String, Object> read(ConfigurableEnvironment env) {
        PropertySourcesPlaceholdersResolver placeholders = new PropertySourcesPlaceholdersResolver(env);
        List<Map<String, Object>> bySource = new ArrayList<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(env)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            Map<String, Object> tree = new LinkedHashMap<>();
            for (ConfigurationPropertyName name : iterable) {
                if (!ROOT.isAncestorOf(name)) {
                    continue;
                }
                ConfigurationProperty property = iterable.getConfigurationProperty(name);
                Object value = property == null ? null : property.getValue();
                if (value instanceof OriginTrackedValue tracked) {
                    value = tracked.getValue();
                }
                if (value instanceof String text) {
                    value = placeholders.resolvePlaceholders(text);
                }
                put(tree, name, value);
            }
            bySource.add(tree);
        }
        Map<String, Object> merged = new LinkedHashMap<>();
        for (int i = bySource.size() - 1; i >= 0; i--) { // lowest precedence first
            merged = mergeMaps(merged, bySource.get(i));
        }
        merged.remove("enabled"); // the starter's own keys, not the engine's
        merged.remove("shutdown");
        merged.remove("reload");
        checkComplete(merged, PREFIX);
        return merged;
    }

    /** Puts one property into a source's tree; {@code [N]} elements make lists. */
    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> tree, ConfigurationPropertyName name, Object value) {
        Object node = tree;
        int last = name.getNumberOfElements() - 1;
        for (int i = ROOT.getNumberOfElements(); i <= last; i++) {
            boolean leaf = i == last;
            Object child;
            if (name.isNumericIndex(i)) {
                List<Object> list = (List<Object>) node;
                int index = Integer.parseInt(name.getElement(i, Form.UNIFORM));
                while (list.size() <= index) {
                    list.add(null);
                }
                child = leaf ? value : list.get(index) != null ? list.get(index) : container(name, i + 1);
                list.set(index, child);
            } else {
                Map<String, Object> map = (Map<String, Object>) node;
                String key = name.getElement(i, Form.ORIGINAL);
                child = leaf ? value : map.get(key) instanceof Map || map.get(key) instanceof List
                        ? map.get(key) : container(name, i + 1);
                map.put(key, child);
            }
            node = child;
        }
    }

    private static Object container(ConfigurationPropertyName name, int next) {
        return name.isNumericIndex(next) ? new ArrayList<>() : new LinkedHashMap<String, Object>();
    }

    /** {@code higher} over {@code lower}: blocks merge, structural lists merge by index, other values replace. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> mergeMaps(Map<String, Object> lower, Map<String, Object> higher) {
        Map<String, Object> out = new LinkedHashMap<>(lower);
        higher.forEach((name, value) -> {
            // client-max-body-size from YAML and CLIENTMAXBODYSIZE from the environment are one key
            String key = out.keySet().stream().filter(k -> canonical(k).equals(canonical(name))).findFirst()
                    .orElse(name);
            Object old = out.get(key);
            if (old instanceof Map && value instanceof Map) {
                out.put(key, mergeMaps((Map<String, Object>) old, (Map<String, Object>) value));
            } else if (old instanceof List && value instanceof List && STRUCTURAL_LISTS.contains(key)) {
                out.put(key, mergeLists((List<Object>) old, (List<Object>) value));
            } else {
                out.put(key, value);
            }
        });
        return out;
    }

    private static String canonical(String key) {
        return key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> mergeLists(List<Object> lower, List<Object> higher) {
        List<Object> out = new ArrayList<>(lower);
        for (int i = 0; i < higher.size(); i++) {
            Object value = higher.get(i);
            if (i >= out.size()) {
                out.add(value);
            } else if (value != null) {
                out.set(i, out.get(i) instanceof Map && value instanceof Map
                        ? mergeMaps((Map<String, Object>) out.get(i), (Map<String, Object>) value) : value);
            }
        }
        return out;
    }

    /** A list with a hole ({@code servers[0]} and {@code servers[2]} but no {@code servers[1]}) is a config error. */
    @SuppressWarnings("unchecked")
    private static void checkComplete(Object node, String path) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> checkComplete(v, path + "." + k));
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) == null) {
                    throw new EngineConfigurationException(path + "[" + i + "]", null,
                            "missing: list elements must be numbered from 0 without gaps", null);
                }
                checkComplete(list.get(i), path + "[" + i + "]");
            }
        }
    }

    /** Rethrows a config error with the full property name and where it was set. */
    static EngineConfigurationException describe(ConfigException e, ConfigurableEnvironment env) {
        String property = PREFIX + (e.path().isEmpty() ? "" : "." + e.path()) + (e.key() == null ? "" : "." + e.key());
        String message = e.getMessage();
        int colon = message.indexOf(": ");
        String reason = colon < 0 ? message : message.substring(colon + 2);
        return new EngineConfigurationException(property, origin(env, property), reason, e);
    }

    /** The origin of a property, or of the first property below it (a block or a list). */
    static String origin(ConfigurableEnvironment env, String property) {
        ConfigurationPropertyName name = ConfigurationPropertyName.ofIfValid(property);
        if (name == null) {
            name = ConfigurationPropertyName.adapt(property, '.');
        }
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(env)) {
            ConfigurationProperty p = source.getConfigurationProperty(name);
            if (p != null && p.getOrigin() != null) {
                return p.getOrigin().toString();
            }
            if (source instanceof IterableConfigurationPropertySource iterable) {
                for (ConfigurationPropertyName candidate : iterable) {
                    if (name.isAncestorOf(candidate)) {
                        ConfigurationProperty c = source.getConfigurationProperty(candidate);
                        if (c != null && c.getOrigin() != null) {
                            return c.getOrigin().toString();
                        }
                    }
                }
            }
        }
        return null;
    }
}
