package dev.modhttp.engine.modules.proxy;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The idle connections of one upstream on one event loop (nginx's {@code keepalive} cache of a
 * worker): at most {@code keepalive} of them, the most recently used taken first, the least
 * recently used closed when a new one would not fit. Used only on its event loop.
 */
final class BackendPool {

    private final int max;
    private final long timeoutMs;
    private final ArrayDeque<BackendConnection> idle = new ArrayDeque<>();

    BackendPool(Upstream upstream) {
        this.max = upstream.keepalive();
        this.timeoutMs = upstream.keepaliveTimeout().toMillis();
    }

    /** An idle connection to {@code address}, or null. */
    BackendConnection take(InetSocketAddress address) {
        for (Iterator<BackendConnection> it = idle.iterator(); it.hasNext();) {
            BackendConnection c = it.next();
            if (c.peer.address.equals(address)) {
                it.remove();
                if (c.channel.isActive()) {
                    return c;
                }
            }
        }
        return null;
    }

    /** Keeps {@code c} for a next request, or closes it when the pool keeps none. */
    void put(BackendConnection c) {
        if (max == 0 || !c.channel.isActive()) {
            c.close();
            return;
        }
        if (idle.size() >= max) {
            idle.pollLast().close();
        }
        c.idle(timeoutMs);
        idle.addFirst(c);
    }

    void remove(BackendConnection c) {
        idle.remove(c);
    }

    /** Closes the idle connections: a reload dropped or changed the upstream, and its last request ended. */
    void closeIdle() {
        for (BackendConnection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            c.close();
        }
    }

    /** Idle connections now: for views and tests. */
    int idleCount() {
        return idle.size();
    }
}
