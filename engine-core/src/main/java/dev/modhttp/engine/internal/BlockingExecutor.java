package dev.modhttp.engine.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs blocking handlers off the event loops: on virtual threads when the JVM has them,
 * else on a bounded thread pool. Either way at most {@code limit} tasks run or wait; more
 * are rejected (the request then gets 503) rather than queued without bound.
 */
public final class BlockingExecutor implements Executor, AutoCloseable {

    private final ExecutorService delegate;
    private final Semaphore permits;
    private final boolean virtual;

    /** Virtual threads when the JVM has them. */
    public BlockingExecutor(int limit) {
        this(limit, true);
    }

    /** With {@code virtual} false, or on a JVM without virtual threads (before Java 21), a bounded pool of platform threads. */
    public BlockingExecutor(int limit, boolean virtual) {
        this.permits = new Semaphore(limit);
        ExecutorService v = virtual ? newVirtualThreadExecutor() : null;
        this.virtual = v != null;
        if (v != null) {
            this.delegate = v;
        } else {
            int threads = Math.max(8, Runtime.getRuntime().availableProcessors() * 8);
            AtomicInteger n = new AtomicInteger();
            this.delegate = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(limit), r -> {
                        Thread t = new Thread(r, "engine-blocking-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            ((ThreadPoolExecutor) delegate).allowCoreThreadTimeOut(true);
        }
    }

    private static ExecutorService newVirtualThreadExecutor() {
        try {
            return (ExecutorService) MethodHandles.publicLookup()
                    .findStatic(Executors.class, "newVirtualThreadPerTaskExecutor",
                            MethodType.methodType(ExecutorService.class))
                    .invoke();
        } catch (Throwable notAvailable) {
            return null; // before Java 21
        }
    }

    /** Whether tasks run on virtual threads. */
    public boolean isVirtual() {
        return virtual;
    }

    @Override
    public void execute(Runnable task) {
        if (!permits.tryAcquire()) {
            throw new RejectedExecutionException("too many blocking handlers running");
        }
        try {
            delegate.execute(() -> {
                try {
                    task.run();
                } finally {
                    permits.release();
                }
            });
        } catch (RejectedExecutionException e) {
            permits.release();
            throw e;
        }
    }

    @Override
    public void close() {
        delegate.shutdown();
    }
}
