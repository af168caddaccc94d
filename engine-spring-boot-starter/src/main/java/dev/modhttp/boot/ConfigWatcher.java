package dev.modhttp.boot;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code engine.reload.watch}: reloads when one of the engine's config files changes. Watches
 * the directories of the files (so that an editor's write-and-rename is seen too) with the
 * JDK's {@link WatchService}, and waits {@value #SETTLE_MILLIS} ms after the last change
 * before it reloads, so that a file written in several steps is read once, whole. The files
 * are those of the configuration serving, taken again after each reload. Files the engine
 * reads itself (htpasswd, certificates) are checked by the engine every second anyway.
 */
final class ConfigWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
    static final long SETTLE_MILLIS = 200;

    private final Supplier<Set<Path>> files;
    private final Runnable reload;
    private final WatchService watcher;
    private final Thread thread;
    private final Map<WatchKey, Path> directories = new HashMap<>();
    private volatile Set<Path> watched;

    /**
     * @param files the files to watch now; read again after each reload
     * @throws IOException when the platform has no watch service
     */
    ConfigWatcher(Supplier<Set<Path>> files, Runnable reload) throws IOException {
        this.files = files;
        this.reload = reload;
        this.watcher = FileSystems.getDefault().newWatchService();
        watch();
        this.thread = new Thread(this::run, "engine-config-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        watched = files.get();
        for (Path file : watched) {
            Path dir = file.getParent();
            if (dir != null && !directories.containsValue(dir)) {
                try {
                    directories.put(dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY), dir);
                } catch (IOException e) {
                    LOG.warn("engine.reload.watch: cannot watch {}: {}", dir, e.toString());
                }
            }
        }
        LOG.info("engine.reload.watch: reloading when {} change(s)", watched);
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                boolean changed = changed(key);
                // settle: a file written in steps (or several files) gives one reload
                for (WatchKey more = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS); more != null;
                        more = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) {
                    changed |= changed(more);
                }
                if (changed) {
                    reload.run();
                    watch();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private boolean changed(WatchKey key) {
        Path dir = directories.get(key);
        boolean changed = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (dir != null && event.context() instanceof Path name && watched.contains(dir.resolve(name))) {
                changed = true;
            }
        }
        key.reset();
        return changed;
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            watcher.close();
        } catch (IOException e) {
            LOG.debug("closing the config watch: {}", e.toString());
        }
    }
}
