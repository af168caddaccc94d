package dev.modhttp.engine.module;

import dev.modhttp.engine.config.ConfigException;
import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Location;
import dev.modhttp.engine.config.ServerConfig;
import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.filter.FilterDefinition;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Handler;
import dev.modhttp.engine.variable.Variables;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/** What a module registers into when the engine is built. */
public interface ModuleRegistry {

    /** The merged configuration, for modules that precompute from it. */
    EngineConfig config();

    /** The variables every module may use in templates: the built-in ones and the modules'. */
    Variables variables();

    void handler(HandlerDefinition handler);

    /**
     * Makes {@code handler} the content handler of every location where {@code spec} is
     * configured (written there or inherited), replacing that location's CONTENT-phase handlers.
     */
    void contentHandler(ConfigSpec<?> spec, String name, Handler handler);

    void filter(FilterDefinition filter);

    void hook(Hook hook);

    /** Fires hooks from a module's handler; walks every hook registered by the time the engine runs. */
    Hooks hooks();

    /**
     * Compiles something (templates, say) once for each distinct record of {@code spec} in the
     * configuration, so that handlers look it up by the record they are given. An
     * {@link IllegalArgumentException} from {@code compiler} fails startup naming the scope and
     * {@code key}.
     *
     * <pre>{@code
     * Map<ReturnConfig, Template> targets = registry.compileEach(CONFIG, "return",
     *         c -> registry.variables().compile(c.body()));
     * }</pre>
     */
    default <R extends Record, T> Map<R, T> compileEach(ConfigSpec<R> spec, String key, Function<R, T> compiler) {
        Map<R, T> compiled = new IdentityHashMap<>();
        forEachLocation(l -> {
            R record = l.isConfigured(spec) ? l.config(spec) : null;
            if (record != null && !compiled.containsKey(record)) {
                try {
                    compiled.put(record, compiler.apply(record));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(l.path(), key, e.getMessage(), e);
                }
            }
        });
        return compiled;
    }

    /** Visits every server scope and every location in it, outer scopes before the ones they hold. */
    default void forEachLocation(Consumer<Location> action) {
        for (ServerConfig server : config().servers()) {
            server.scope().forEach(action);
        }
    }
}
