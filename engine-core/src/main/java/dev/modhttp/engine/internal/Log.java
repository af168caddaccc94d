package dev.modhttp.engine.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The engine's error log (logger {@code dev.modhttp.engine}). */
public final class Log {

    public static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    private Log() {
    }

    public static void error(String message, Throwable cause) {
        LOG.error(message, cause);
    }

    public static void debug(String message, Object... args) {
        if (LOG.isDebugEnabled()) {
            LOG.debug(message, args);
        }
    }
}
