package dev.modhttp.engine.modules.limit;

import org.slf4j.Logger;

/**
 * nginx's limit_req_log_level / limit_conn_log_level: the level of the line a rejection writes
 * (error by default); delays are written one level lower, as nginx does.
 */
public enum LogLevel {
    INFO, NOTICE, WARN, ERROR;

    void log(Logger log, String format, Object... args) {
        switch (this) {
            case ERROR -> log.error(format, args);
            case WARN -> log.warn(format, args);
            default -> log.info(format, args); // SLF4J has no notice
        }
    }

    /** The level of a delay's line. */
    LogLevel lower() {
        return this == INFO ? INFO : values()[ordinal() - 1];
    }
}
