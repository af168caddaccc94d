package dev.modhttp.engine.exchange;

import dev.modhttp.engine.http.ConnectionInfo;
import javax.net.ssl.SSLSession;

/** The TLS side of {@link ConnectionInfo}, answered from the connection's {@link TlsFacts} over either protocol. */
public interface TlsConnectionInfo extends ConnectionInfo {

    TlsFacts tls();

    @Override
    default SSLSession sslSession() {
        return tls().session();
    }

    @Override
    default String sslServerName() {
        return tls().sniName();
    }

    @Override
    default boolean sslSessionReused() {
        return tls().reused();
    }
}
