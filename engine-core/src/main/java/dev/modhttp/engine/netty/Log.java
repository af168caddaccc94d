package dev.modhttp.engine.netty;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The engine's error log. */
final class Log {

    static final Logger LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    private Log() {
    }

    static void error(String message, Throwable cause) {
        LOG.error(message, cause);
    }

    static void debug(String message, Object... args) {
        if (LOG.isDebugEnabled()) {
            LOG.debug(message, args);
        }
    }
}
