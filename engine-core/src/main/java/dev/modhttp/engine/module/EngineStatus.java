package dev.modhttp.engine.module;

/**
 * nginx's stub_status counts, derived from the connection states: active connections,
 * accepted and handled connections, requests, and connections now reading a request head,
 * writing (processing a request) or waiting (idle keep-alive); and the TLS handshakes that
 * failed since the start (a client's garbage, no shared protocol or cipher; not a client that
 * merely closed).
 */
public record EngineStatus(long active, long accepted, long handled, long requests, long reading, long writing,
        long waiting, long tlsHandshakesFailed) {
}
