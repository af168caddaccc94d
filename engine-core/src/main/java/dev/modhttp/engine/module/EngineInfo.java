package dev.modhttp.engine.module;

import dev.modhttp.engine.config.EngineConfig;
import java.util.List;

/** What server-wide hooks see of the engine. */
public interface EngineInfo {

    EngineConfig config();

    /** The bound ports, once started. */
    List<Integer> ports();

    EngineStatus status();
}
