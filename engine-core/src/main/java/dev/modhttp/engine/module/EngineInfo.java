package dev.modhttp.engine.module;

import dev.modhttp.engine.config.EngineConfig;
import java.util.List;
import java.util.Optional;

/** What server-wide hooks see of the engine. */
public interface EngineInfo {

    EngineConfig config();

    /** The bound ports, once started. */
    List<Integer> ports();

    EngineStatus status();

    /** The configuration generation serving now and the reloads applied and refused so far. */
    default Reloads reloads() {
        return Reloads.NONE;
    }

    /** The engine's module of {@code type}, if it has one: for hooks that show another module's state. */
    default <T> Optional<T> module(Class<T> type) {
        return Optional.empty();
    }
}
