package dev.modhttp.engine.module;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.EngineConfig;
import dev.modhttp.engine.filter.FilterDefinition;
import dev.modhttp.engine.phase.HandlerDefinition;
import dev.modhttp.engine.phase.Handler;

/** What a module registers into when the engine is built. */
public interface ModuleRegistry {

    /** The merged configuration, for modules that precompute from it. */
    EngineConfig config();

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
}
