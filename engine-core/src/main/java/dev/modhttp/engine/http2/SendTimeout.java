package dev.modhttp.engine.http2;

import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * nginx's send_timeout on one stream, "between two successive write operations": once started,
 * {@code timedOut} runs when the timeout passes with none of the stream's DATA leaving, counted
 * from the later of the start and the stream's last write ({@link SentData#lastWrite}), so a
 * client that keeps taking bytes, however slowly, is never cut.
 */
final class SendTimeout {

    private final EventExecutor executor;
    /** {@link System#nanoTime()} of the stream's last DATA write; 0 for none. */
    private final LongSupplier lastWrite;
    private final Runnable timedOut;
    private ScheduledFuture<?> timer;
    private long since;
    private long nanos;

    SendTimeout(EventExecutor executor, LongSupplier lastWrite, Runnable timedOut) {
        this.executor = executor;
        this.lastWrite = lastWrite;
        this.timedOut = timedOut;
    }

    /** Starts counting {@code timeout}, unless it counts already. */
    void start(Duration timeout) {
        if (timer == null) {
            nanos = timeout.toNanos();
            since = System.nanoTime();
            timer = executor.schedule(this::check, nanos, TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        long last = lastWrite.getAsLong();
        long idle = System.nanoTime() - (last != 0 && last - since > 0 ? last : since);
        if (idle >= nanos) {
            timer = null;
            timedOut.run();
        } else {
            timer = executor.schedule(this::check, nanos - idle, TimeUnit.NANOSECONDS);
        }
    }

    void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
