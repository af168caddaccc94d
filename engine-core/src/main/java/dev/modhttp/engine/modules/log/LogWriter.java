package dev.modhttp.engine.modules.log;

import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the lines of one access-log target on a thread of its own, so that an event loop
 * only formats a line and queues it: a slow disk never stalls request handling. Lines are
 * written in order, in batches; the file is opened for appending and opened again on
 * {@link #reopen()} (after a log rotation). Only if the queue holds {@link #MAX_QUEUED} lines,
 * far beyond what a working disk lets pile up, are further lines dropped, and counted.
 */
final class LogWriter {

    static final int MAX_QUEUED = 1 << 20;
    private static final Logger ENGINE_LOG = LoggerFactory.getLogger("dev.modhttp.engine");

    private final String target;
    private final Path file;
    private final Logger logger;
    private final Queue<String> queue = PlatformDependent.newMpscQueue();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean reopen;
    private volatile boolean stopping;
    private FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);

    /** Opens the target now, so that an unwritable path fails startup. */
    LogWriter(String target) throws IOException {
        this.target = target;
        if (target.startsWith("logger:")) {
            this.file = null;
            this.logger = LoggerFactory.getLogger(target.substring(7));
        } else {
            this.file = Path.of(target);
            this.logger = null;
            this.channel = open(file);
        }
        this.thread = new Thread(this::run, "modhttp-access-log");
        thread.setDaemon(true);
        thread.start();
    }

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** Queues a line (without its newline); never blocks. */
    void write(String line) {
        if (queue.size() >= MAX_QUEUED) {
            if (dropped.getAndIncrement() % 100_000 == 0) {
                ENGINE_LOG.warn("access log {} cannot keep up: lines dropped", target);
            }
            return;
        }
        queue.offer(line);
    }

    /** Asks the writer to open the file again (after rotation); lines queued meanwhile go to the new file. */
    void reopen() {
        reopen = true;
    }

    /** Writes what is queued, then ends the thread (within {@code millis}). */
    void close(long millis) {
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            boolean stop = stopping;
            if (reopen) {
                reopen = false;
                reopenNow();
            }
            int n = drain();
            if (n == 0) {
                if (stop) {
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        closeChannel();
    }

    /** Writes the queued lines in batches; returns how many. */
    private int drain() {
        int n = 0;
        String line;
        while ((line = queue.poll()) != null) {
            n++;
            if (logger != null) {
                logger.info(line);
            } else {
                append(line);
            }
        }
        if (n > 0 && logger == null) {
            flush();
        }
        return n;
    }

    private void append(String line) {
        int n = line.length();
        if (n + 1 <= buffer.capacity() && isAscii(line)) { // the common case: nginx's default escaping is ASCII
            if (n + 1 > buffer.remaining()) {
                flush();
            }
            for (int i = 0; i < n; i++) {
                buffer.put((byte) line.charAt(i));
            }
            buffer.put((byte) '\n');
            return;
        }
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (bytes.length > buffer.remaining()) {
            flush();
        }
        if (bytes.length > buffer.capacity()) {
            writeFully(ByteBuffer.wrap(bytes));
        } else {
            buffer.put(bytes);
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private void flush() {
        buffer.flip();
        writeFully(buffer);
        buffer.clear();
    }

    private void writeFully(ByteBuffer b) {
        if (channel == null) {
            b.position(b.limit()); // the file could not be opened again: reported when it failed
            return;
        }
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException | RuntimeException e) {
            ENGINE_LOG.error("writing access log {} failed: {}", target, e.toString());
            b.position(b.limit());
        }
    }

    private void reopenNow() {
        if (file == null) {
            return;
        }
        flush();
        closeChannel();
        channel = null;
        try {
            channel = open(file);
        } catch (IOException e) {
            ENGINE_LOG.error("reopening access log {} failed: {}", target, e.toString());
        }
    }

    private void closeChannel() {
        if (channel != null) {
            if (buffer.position() > 0) {
                flush();
            }
            try {
                channel.close();
            } catch (IOException e) {
                ENGINE_LOG.error("closing access log {} failed: {}", target, e.toString());
            }
        }
    }
}
