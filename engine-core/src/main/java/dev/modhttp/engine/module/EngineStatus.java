package dev.modhttp.engine.module;

/**
 * nginx's stub_status counts, derived from the connection states: active connections,
 * accepted and handled connections, requests, and connections now reading a request head,
 * writing (processing a request) or waiting (idle keep-alive).
 */
public record EngineStatus(long active, long accepted, long handled, long requests, long reading, long writing,
        long waiting) {
}
