package dev.modhttp.engine.module;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.variable.Variable;
import java.util.List;
import java.util.Map;

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
 *     public List<ConfigSpec<?>> configs() { return List.of(CONFIG); }
 *
 *     public void register(ModuleRegistry registry) {
 *         registry.contentHandler(CONFIG, "hello", exchange -> ...);
 *     }
 * }
 * }</pre>
 */
public interface Module {

    /** A short name for dumps and errors; the class name by default. */
    default String name() {
        return getClass().getSimpleName();
    }

    /** The config records this module declares. */
    default List<ConfigSpec<?>> configs() {
        return List.of();
    }

    /**
     * Variables this module defines, by name without {@code $}; known to every module's
     * templates (they are collected before any module registers).
     */
    default Map<String, Variable> variables() {
        return Map.of();
    }

    /** Registers handlers, filters and hooks. Called once, when the engine is built. */
    void register(ModuleRegistry registry);
}
