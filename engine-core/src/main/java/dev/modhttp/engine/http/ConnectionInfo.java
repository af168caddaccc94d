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

    /** The TLS session value under which a client certificate's verification is recorded. */
    String CLIENT_VERIFY = "dev.modhttp.ssl-client-verify";

    /**
     * nginx's {@code $ssl_client_verify}: {@code SUCCESS}, {@code FAILED:reason}, or {@code NONE}
     * when the client sent no certificate (or the server asks for none, or there is no TLS).
     */
    default String sslClientVerify() {
        SSLSession s = sslSession();
        Object v = s == null ? null : s.getValue(CLIENT_VERIFY);
        return v == null ? "NONE" : v.toString();
    }

    /** nginx's {@code $ssl_session_reused}: whether the TLS handshake resumed a session (from the cache or a ticket). */
    default boolean sslSessionReused() {
        return false;
    }

    /** The name the client asked for in its TLS handshake (SNI); null without TLS or without the extension. */
    default String sslServerName() {
        return null;
    }
}
