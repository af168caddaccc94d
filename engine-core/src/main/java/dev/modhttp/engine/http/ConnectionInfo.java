package dev.modhttp.engine.http;

import java.net.InetSocketAddress;

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
}
