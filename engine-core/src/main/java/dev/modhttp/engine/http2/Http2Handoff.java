package dev.modhttp.engine.http2;

import dev.modhttp.engine.exchange.ConnectionBinding;
import dev.modhttp.engine.exchange.ConnectionStates;
import dev.modhttp.engine.exchange.TlsFacts;
import java.net.InetSocketAddress;

/**
 * What an HTTP/1 connection hands to HTTP/2 when it switches: it was accepted and its
 * connectionAccept hooks ran, its states are counted, and its PROXY protocol and TLS facts are
 * known.
 *
 * @param proxyAddress the client's address from a PROXY protocol header; null without one
 * @param tls what the TLS handshake told (all empty without TLS)
 * @param binding the generation and servers of the connection's next request, taken again per stream
 */
public record Http2Handoff(long id, ConnectionStates states, InetSocketAddress proxyAddress, TlsFacts tls,
        ConnectionBinding binding) {
}
