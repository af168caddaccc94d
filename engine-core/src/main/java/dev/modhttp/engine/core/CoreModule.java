package dev.modhttp.engine.core;

import dev.modhttp.engine.config.ConfigSpec;
import dev.modhttp.engine.config.Scope;

/**
 * nginx's core module: the directives the engine itself applies (document root, limits and
 * timeouts, error pages, satisfy, keep-alive), declared at every scope as {@link CoreConfig}.
 * Always present: the engine declares {@link #CONFIG}, {@link #SSL} and {@link #HTTP2} before any module's configs.
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

    /** nginx's http2 module's directives: whether a server speaks HTTP/2, and its limits. */
    public static final ConfigSpec<Http2Config> HTTP2 = ConfigSpec.flat(Http2Config.class)
            .scopes(Scope.MAIN, Scope.SERVER)
            .defaults(Http2Config.DEFAULTS)
            .build();

    private CoreModule() {
    }
}
