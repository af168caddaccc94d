package dev.modhttp.engine.http2;

import dev.modhttp.engine.exchange.ConnectionStates;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLSession;

/**
 * What an HTTP/1 connection hands to HTTP/2 when it switches: it was accepted and its
 * connectionAccept hooks ran, its states are counted, and its PROXY protocol and TLS facts are
 * known.
 *
 * @param proxyAddress the client's address from a PROXY protocol header; null without one
 * @param sniName the TLS server name; null without TLS or SNI
 * @param session the TLS session; null without TLS
 * @param sessionReused whether the TLS handshake resumed a session
 */
public record Http2Handoff(long id, ConnectionStates states, InetSocketAddress proxyAddress, String sniName,
        SSLSession session, boolean sessionReused) {
}
