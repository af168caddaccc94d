package dev.modhttp.engine.exchange;

import javax.net.ssl.SSLSession;

/** What a connection's TLS handshake told; all empty without TLS or before the handshake is done. */
public interface TlsFacts {

    /** The name the client asked for (SNI); null without it. */
    String sniName();

    /** The session; null without TLS or before the handshake is done. */
    SSLSession session();

    /** Whether the handshake resumed a session. */
    boolean reused();
}
