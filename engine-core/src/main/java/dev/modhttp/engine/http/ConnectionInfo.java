package dev.modhttp.engine.http;

import java.net.InetSocketAddress;
import javax.net.ssl.SSLSession;

/** What a connection hook sees of a connection. */
public interface ConnectionInfo {

    long id();

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /** The connection's current state in the state machine. */
    ConnectionState state();

    /** Requests served on this connection so far. */
    int requests();

    /**
     * The client's address as a PROXY protocol header gave it, on a {@code listen} with
     * {@code proxy-protocol}; null otherwise.
     */
    default InetSocketAddress proxyProtocolAddress() {
        return null;
    }

    /** The TLS session of a connection on a {@code listen} with {@code ssl} once its handshake is done; null otherwise. */
    default SSLSession sslSession() {
        return null;
    }

    /** The name the client asked for in its TLS handshake (SNI); null without TLS or without the extension. */
    default String sslServerName() {
        return null;
    }
}
