package dev.modhttp.engine.module;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.variable.Variable;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A feature of the engine, the way an nginx module is one: config records with the scopes
 * they may appear at, and the handlers, filters and hooks it registers.
 *
 * <pre>{@code
 * public final class HelloModule implements Module {
 *     public record HelloConfig(String string, Boolean counter) {}
 *     public static final ConfigSpec<HelloConfig> CONFIG =
 *             ConfigSpec.block("hello", HelloConfig.class).scopes(Scope.LOCATION).build();
 *
 *     public void register(ModuleRegistry registry) {
 *         registry.contentHandler(CONFIG, exchange -> ...);
 *     }
 * }
 * }</pre>
 */
public interface Module {

    /** A short name for dumps and errors; the class name by default. */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * The config records this module declares: by default the {@code public static final}
     * {@link ConfigSpec} fields of its class and its superclasses (a subclass or a proxy of a
     * module declares what the module declares), each once. Override it to declare others.
     *
     * @throws IllegalStateException when such a field cannot be read
     */
    default List<ConfigSpec<?>> configs() {
        List<ConfigSpec<?>> specs = new ArrayList<>();
        for (Class<?> c = getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isPublic(m) && Modifier.isStatic(m) && Modifier.isFinal(m)
                        && ConfigSpec.class.isAssignableFrom(f.getType())) {
                    try {
                        f.setAccessible(true); // the module's class itself may be package-private
                        ConfigSpec<?> spec = (ConfigSpec<?>) f.get(null);
                        if (spec != null && specs.stream().noneMatch(s -> s == spec)) {
                            specs.add(spec);
                        }
                    } catch (IllegalAccessException | RuntimeException e) {
                        throw new IllegalStateException("module " + name() + ": cannot read " + f, e);
                    }
                }
            }
        }
        return specs;
    }

    /**
     * Variables this module defines, by name without {@code $}; known to every module's
     * templates (they are collected before any module registers).
     */
    default Map<String, Variable> variables() {
        return Map.of();
    }

    /**
     * Families of variables this module defines, by prefix ({@code "upstream_http_"}): for
     * {@code $upstream_http_content_type} the function gets {@code content_type} and returns the
     * variable. Like {@link #variables()}, known to every module's templates.
     */
    default Map<String, Function<String, Variable>> variablePrefixes() {
        return Map.of();
    }

    /**
     * Registers handlers, filters and hooks: when the engine is built, and again with each
     * configuration a reload brings. A module keeps what it compiles from the configuration in
     * the handlers and hooks it registers (not in its fields, which requests of the generation
     * before still read), and takes what must survive a reload from {@link ModuleRegistry#carry}.
     * The built-in modules are made anew for each generation; a user's module instance is
     * registered again.
     */
    void register(ModuleRegistry registry);
}
