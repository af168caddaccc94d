package dev.modhttp.engine.internal;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import java.io.IOException;
import javax.net.ssl.SSLException;
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

    /**
     * A connection failed: a client's I/O error or bad PROXY header at debug, a TLS failure (the
     * client's, not the engine's) at info without a stack trace, anything else as an error.
     */
    public static void connectionFailed(long id, Throwable cause) {
        if (cause instanceof IOException || cause instanceof HAProxyProtocolException) {
            debug("connection {}: {}", id, cause.toString());
        } else if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
            LOG.info("connection {}: TLS failed: {}", id, tls.toString());
        } else {
            error("connection " + id + " failed", cause);
        }
    }
}
