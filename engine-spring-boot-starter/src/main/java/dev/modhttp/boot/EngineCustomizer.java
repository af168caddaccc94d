package dev.modhttp.boot;

import dev.modhttp.engine.EngineBuilder;

/**
 * Raw access to the engine builder, applied after application.yml and the beans; through
 * {@link EngineBuilder#bootstrap} also to the Netty bootstrap of every listening socket.
 */
@FunctionalInterface
public interface EngineCustomizer {

    void customize(EngineBuilder builder);
}
