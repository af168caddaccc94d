package dev.modhttp.engine.core;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.module.Module;
import dev.modhttp.engine.module.ModuleRegistry;
import java.util.List;

/**
 * The core directives: document root, limits and timeouts, error pages, satisfy. The engine
 * itself applies them (framing, timeouts, error pages); this module only declares them.
 */
public final class CoreModule implements Module {

    public static final ConfigSpec<CoreConfig> CONFIG = ConfigSpec.flat(CoreConfig.class)
            .defaults(CoreConfig.DEFAULTS)
            .build();

    @Override
    public List<ConfigSpec<?>> configs() {
        return List.of(CONFIG);
    }

    @Override
    public void register(ModuleRegistry registry) {
        // applied by the engine
    }
}
