package dev.modhttp.engine.modules.proxy;

import dev.modhttp.engine.module.ModuleRegistry;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstreams of one configuration generation with their idle backend connections per event
 * loop. A reload that keeps an upstream as it was keeps its peers (health, counters) and its
 * pooled connections; the connections of an upstream it changed or removed are closed once the
 * generation that used them retired (its last request ended).
 */
final class UpstreamPools {

    private final Map<Peers, Map<EventLoop, BackendPool>> pools = new ConcurrentHashMap<>();

    /** The peers of {@code u}, as the generation before had them (with their pools) when {@code u} is unchanged. */
    Peers carry(ModuleRegistry registry, Upstream u) {
        Peers peers = registry.carry(List.of("upstream", u), () -> new Peers(u), null);
        pools.put(peers, registry.carry(List.of("upstream-pools", u), ConcurrentHashMap::new,
                byLoop -> byLoop.forEach((loop, pool) -> {
                    if (!loop.isShuttingDown()) { // at the engine's stop the event loops close every connection
                        loop.execute(pool::closeIdle);
                    }
                })));
        return peers;
    }

    /** The pool of {@code peers} on {@code loop}; one that keeps nothing when the upstream has no {@code keepalive}. */
    BackendPool pool(EventLoop loop, Peers peers) {
        if (peers.upstream.keepalive() == 0) {
            return new BackendPool(peers.upstream); // keeps nothing: not worth a place in the table
        }
        return pools.computeIfAbsent(peers, p -> new ConcurrentHashMap<>())
                .computeIfAbsent(loop, l -> new BackendPool(peers.upstream));
    }
}
