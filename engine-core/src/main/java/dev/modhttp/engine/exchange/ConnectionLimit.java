package dev.modhttp.engine.exchange;

import dev.modhttp.engine.internal.Log;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * nginx's {@code worker_connections} for the whole engine ({@code worker-connections}, main scope):
 * at most {@code max} client connections are open at once. A connection accepted beyond it is
 * closed at once, as nginx closes it when it has no free connection, and is counted as accepted
 * but not handled (stub_status, {@code engine.connections.refused}). The error log says so in
 * nginx's words, at most once a second with how many were refused since the last line, so that a
 * flood of connections does not become a flood of log lines.
 */
public final class ConnectionLimit {

    private static final long LOG_INTERVAL = TimeUnit.SECONDS.toNanos(1);

    private volatile int max;
    private final Stats stats;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong refusedSinceLog = new AtomicLong();
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL);

    ConnectionLimit(int max, Stats stats) {
        this.max = max;
        this.stats = stats;
    }

    /** A reload's {@code worker-connections}: connections open beyond it stay, new ones wait for a place. */
    void max(int max) {
        this.max = max;
    }

    /**
     * Takes a place for a connection just accepted, on its event loop. False when every place is
     * taken: the caller closes the connection, which is counted and logged here.
     */
    public boolean admit() {
        if (open.incrementAndGet() <= max) {
            return true;
        }
        open.decrementAndGet();
        stats.cell().refused();
        refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_INTERVAL && lastLog.compareAndSet(last, now)) {
            Log.LOG.error("{} worker-connections are not enough, {} connection(s) refused", max,
                    refusedSinceLog.getAndSet(0));
        }
        return false;
    }

    /** Gives back the place of an admitted connection that closed. */
    public void release() {
        open.decrementAndGet();
    }

    /** Client connections open now. */
    public int open() {
        return open.get();
    }
}
