package dev.modhttp.engine.core;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Scope;

/**
 * nginx's core module: the directives the engine itself applies (document root, limits and
 * timeouts, error pages, satisfy, keep-alive), declared at every scope as {@link CoreConfig}.
 * Always present: the engine declares {@link #CONFIG} and {@link #SSL} before any module's configs.
 */
public final class CoreModule {

    public static final ConfigSpec<CoreConfig> CONFIG = ConfigSpec.flat(CoreConfig.class)
            .defaults(CoreConfig.DEFAULTS)
            .build();

    /** nginx's ssl module's directives (certificates, protocols), applied where a listen says {@code ssl}. */
    public static final ConfigSpec<SslConfig> SSL = ConfigSpec.flat(SslConfig.class)
            .scopes(Scope.MAIN, Scope.SERVER)
            .defaults(SslConfig.DEFAULTS)
            .build();

    private CoreModule() {
    }
}
