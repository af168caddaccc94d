package dev.modhttp.boot;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code engine.reload.watch}: reloads when one of the engine's config files changes. Watches
 * the directories of the files, and of what their symbolic links point to, with the JDK's
 * {@link WatchService}; any event there makes it compare each file as it is now (the file its
 * links resolve to, its time and size) with what it was, so that an editor's write-and-rename,
 * a symbolic link moved to another file, and a Kubernetes ConfigMap's swap of its {@code ..data}
 * link are all seen. It waits {@value #SETTLE_MILLIS} ms after the last event before it
 * compares, so that a file written in several steps is read once, whole. The files are those of
 * the configuration at start and of every reload since (a file that became empty stays watched).
 * Files the engine reads itself (htpasswd, certificates) are checked by the engine every second.
 */
final class ConfigWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
    static final long SETTLE_MILLIS = 200;

    /** What a file is now: where its links lead, its time and its size; null fields for a file that is gone. */
    private record Seen(Path real, Object modified, long size) {
        static Seen of(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return new Seen(file.toRealPath(), a.lastModifiedTime(), a.size());
            } catch (IOException e) {
                return new Seen(null, null, -1);
            }
        }
    }

    private final Supplier<Set<Path>> files;
    private final Runnable reload;
    private final WatchService watcher;
    private final Thread thread;
    private final Set<Path> directories = new HashSet<>();
    private final Set<Path> watched = new LinkedHashSet<>();
    private final Map<Path, Seen> seen = new HashMap<>();

    /**
     * @param files the files to watch now; asked again after each reload
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

    /**
     * Adds the files of the configuration now to those watched and remembers how a new one is. A
     * file known already keeps what it was when the last reload was decided, so that a change
     * made while that reload read the files is seen at the next event.
     */
    private void watch() {
        boolean added = watched.addAll(files.get());
        for (Path file : watched) {
            register(file.getParent());
            Seen s = Seen.of(file);
            if (s.real() != null) {
                register(s.real().getParent());
            }
            seen.putIfAbsent(file, s);
        }
        if (added) {
            LOG.info("engine.reload.watch: reloading when {} change(s)", watched);
        }
    }

    private void register(Path dir) {
        if (dir != null && directories.add(dir)) {
            try {
                dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            } catch (IOException e) {
                LOG.warn("engine.reload.watch: cannot watch {}: {}", dir, e.toString());
            }
        }
    }

    private void run() {
        try {
            while (true) {
                settle(watcher.take());
                if (changed()) {
                    reload.run();
                    watch();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    /** Takes the events of {@code first} and of whatever follows within the settle time. */
    private void settle(WatchKey first) throws InterruptedException {
        for (WatchKey key = first; key != null; key = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) {
            key.pollEvents();
            key.reset();
        }
    }

    private boolean changed() {
        boolean changed = false;
        for (Path file : watched) {
            Seen now = Seen.of(file);
            changed |= !Objects.equals(now, seen.get(file));
            seen.put(file, now);
        }
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
