package dev.modhttp.engine.modules.proxy;

/**
 * What one upstream peer looks like now, for the actuator and metrics: its place in the group,
 * its passive health (nginx's max-fails rule) and its counts since the start.
 *
 * @param upstream the upstream's name (for a proxy-pass URL without one, its host and port)
 * @param address the peer's address, as {@code $upstream_addr} shows it
 * @param server the server entry it comes from, as written
 * @param weight its weight
 * @param backup whether it serves only when no primary peer can
 * @param down whether it is marked down
 * @param fails failures counted in the current fail-timeout window
 * @param unavailableMillis how long it stays left out (max-fails reached), 0 when it is available
 * @param active requests it is serving now
 * @param requests requests sent to it since the start (attempts, a retried request counts at each peer)
 * @param failures attempts that failed (refused, reset, timed out, invalid answer)
 */
public record PeerView(String upstream, String address, String server, int weight, boolean backup, boolean down,
        int fails, long unavailableMillis, int active, long requests, long failures) {
}
