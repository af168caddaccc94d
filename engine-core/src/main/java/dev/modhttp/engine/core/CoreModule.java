package dev.modhttp.engine.core;

import dev.modhttp.engine.config.ConfigSpec;

/**
 * nginx's core module: the directives the engine itself applies (document root, limits and
 * timeouts, error pages, satisfy, keep-alive), declared at every scope as {@link CoreConfig}.
 * Always present: the engine declares {@link #CONFIG} before any module's configs.
 */
public final class CoreModule {

    public static final ConfigSpec<CoreConfig> CONFIG = ConfigSpec.flat(CoreConfig.class)
            .defaults(CoreConfig.DEFAULTS)
            .build();

    private CoreModule() {
    }
}
