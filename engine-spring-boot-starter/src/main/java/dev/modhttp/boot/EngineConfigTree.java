package dev.modhttp.boot;

import dev.modhttp.engine.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The {@code engine:} subtree of the environment as the engine's raw config tree (Spring's
 * binder resolves placeholders, profiles and relaxed names), and the origin of a property
 * for error messages.
 */
final class EngineConfigTree {

    static final String PREFIX = "engine";

    private EngineConfigTree() {
    }

    static Map<String, Object> read(ConfigurableEnvironment env) {
        Map<String, Object> tree = new LinkedHashMap<>(Binder.get(env)
                .bind(PREFIX, Bindable.mapOf(String.class, Object.class)).orElse(Map.of()));
        tree.remove("enabled"); // the starter's switch, not an engine key
        return tree;
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
