package dev.modhttp.engine.exchange;

/**
 * What a connection's next request runs on: a configuration generation's runtime and, in it,
 * the servers of the connection's local address. A connection asks its listening socket for
 * the current binding as each request starts, so that after a reload a keep-alive connection's
 * next request uses the new configuration while the request in flight finishes on its own; the
 * socket answers null once a reload removed its address, and the connection then closes after
 * the response it is sending.
 */
public record Binding(EngineRuntime runtime, VirtualHosts hosts) {
}
