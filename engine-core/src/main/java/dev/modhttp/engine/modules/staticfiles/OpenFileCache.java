package dev.modhttp.engine.modules.staticfiles;

import dev.modhttp.engine.http.DateCache;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * nginx's open file cache: what a stat of a path found, kept per event loop (as nginx keeps
 * one per worker, so no lock is taken), at most {@code max} entries with the least recently
 * used evicted, entries unused for {@code inactive} dropped, and each entry checked again
 * after {@code valid}. A small file used often enough is also kept in memory, so serving it
 * costs neither a stat nor a read.
 */
final class OpenFileCache {

    /** What a stat of one path found. */
    static final class FileInfo {
        final BasicFileAttributes attrs;
        /** 404 or 403 when the path could not be read; 0 otherwise. */
        final int error;
        final long mtime;
        final String etag;
        final String lastModified;
        long checkedAt;
        long lastUse;
        int uses;
        /** The bytes of a small hot file: read-only, shared, never released. */
        ByteBuf content;
        /** The file's status change time when {@link #content} was read, in ns; -1 where the platform has none. */
        long contentCtime = -1;
        private Path verdictRoot;
        private Boolean noSymlinks;
        private Boolean insideRoot;

        private FileInfo(BasicFileAttributes attrs, int error) {
            this.attrs = attrs;
            this.error = error;
            this.mtime = attrs == null ? 0 : attrs.lastModifiedTime().toInstant().getEpochSecond();
            this.etag = attrs == null ? null : Conditionals.etag(mtime, attrs.size());
            this.lastModified = attrs == null ? null : DateCache.format(attrs.lastModifiedTime().toInstant());
        }

        boolean isFile() {
            return attrs != null && attrs.isRegularFile();
        }

        boolean isDirectory() {
            return attrs != null && attrs.isDirectory();
        }

        long size() {
            return attrs.size();
        }

        /** Whether the file is the same as {@code other} found: same identity, time and size. */
        private boolean sameAs(FileInfo other) {
            if (attrs == null || other.attrs == null) {
                return attrs == null && other.attrs == null && error == other.error;
            }
            return attrs.size() == other.attrs.size() && attrs.lastModifiedTime().equals(other.attrs.lastModifiedTime())
                    && Objects.equals(attrs.fileKey(), other.attrs.fileKey()) && attrs.isDirectory() == other.attrs.isDirectory();
        }

        /** Whether no component between {@code root} and the file is a symlink (remembered while cached). */
        boolean noSymlinks(Path file, Path root) throws IOException {
            if (!root.equals(verdictRoot)) {
                verdictRoot = root;
                noSymlinks = null;
                insideRoot = null;
            }
            if (noSymlinks == null) {
                Path r = root.toAbsolutePath().normalize();
                boolean none = true;
                for (Path p = file.toAbsolutePath().normalize(); p != null && p.startsWith(r) && !p.equals(r);
                        p = p.getParent()) {
                    if (Files.isSymbolicLink(p)) {
                        none = false;
                        break;
                    }
                }
                noSymlinks = none;
            }
            return noSymlinks;
        }

        /** Whether the file's real path lies within the root's real path (remembered while cached). */
        boolean insideRoot(Path file, Path root) throws IOException {
            if (!root.equals(verdictRoot)) {
                verdictRoot = root;
                noSymlinks = null;
                insideRoot = null;
            }
            if (insideRoot == null) {
                insideRoot = file.toRealPath().startsWith(root.toRealPath());
            }
            return insideRoot;
        }
    }

    private final int max;
    private final long inactiveNanos;
    private final FastThreadLocal<LinkedHashMap<Path, FileInfo>> maps = new FastThreadLocal<>() {
        @Override
        protected LinkedHashMap<Path, FileInfo> initialValue() {
            return new LinkedHashMap<>(64, 0.75f, true); // access order: the eldest is the least recently used
        }
    };

    /** The longest a stat is trusted: a second for the implicit cache, {@code open-file-cache-valid} otherwise. */
    private final long validCapNanos;

    OpenFileCache(StaticConfig.CacheLimits limits) {
        this.max = limits.max();
        this.inactiveNanos = limits.inactive().toNanos();
        this.validCapNanos = limits == StaticConfig.CacheLimits.IMPLICIT ? Duration.ofSeconds(1).toNanos() : Long.MAX_VALUE;
    }

    /** A fresh stat of {@code path}, cached nowhere. */
    static FileInfo stat(Path path) throws IOException {
        try {
            return new FileInfo(Files.readAttributes(path, BasicFileAttributes.class), 0);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return new FileInfo(null, 404);
        } catch (AccessDeniedException e) {
            return new FileInfo(null, 403);
        } catch (FileSystemException e) {
            // nginx's static handler: ENOTDIR and ENAMETOOLONG are 404, ELOOP 403, the rest 500;
            // read from the path itself, as the exception's text is the platform's, localised
            if (underAFile(path) || tooLong(path)) {
                return new FileInfo(null, 404);
            }
            if (Files.isSymbolicLink(path)) {
                return new FileInfo(null, 403); // a link that cannot be followed: a loop
            }
            throw e;
        }
    }

    /** Whether a parent of {@code path} is something other than a directory (ENOTDIR). */
    private static boolean underAFile(Path path) {
        for (Path p = path.getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                return !Files.isDirectory(p);
            }
        }
        return false;
    }

    /** Whether a name in {@code path} is longer than a file system takes (255 bytes: ENAMETOOLONG). */
    private static boolean tooLong(Path path) {
        for (Path name : path) {
            if (name.toString().getBytes(StandardCharsets.UTF_8).length > 255) {
                return true;
            }
        }
        return false;
    }

    /**
     * What {@code path} is, from the cache while the entry is younger than
     * {@code conf.openFileCacheValid()}, else from a fresh stat that replaces it.
     */
    FileInfo lookup(Path path, StaticConfig conf) throws IOException {
        long now = System.nanoTime();
        LinkedHashMap<Path, FileInfo> map = maps.get();
        expireInactive(map, now);
        FileInfo f = map.get(path);
        if (f == null || now - f.checkedAt >= Math.min(validCapNanos, conf.openFileCacheValid().toNanos())) {
            FileInfo fresh = stat(path);
            if (fresh.attrs == null && !conf.openFileCacheErrors()) {
                if (f != null) {
                    map.remove(path);
                }
                return fresh;
            }
            if (f != null && f.sameAs(fresh) && (f.content == null || ctime(path) == f.contentCtime)) {
                f.checkedAt = now; // the bytes in memory too: a rewrite that kept size and mtime still changes ctime
            } else {
                fresh.uses = f == null ? 0 : f.uses;
                fresh.checkedAt = now;
                f = fresh;
                map.put(path, f);
                if (map.size() > max) {
                    Iterator<FileInfo> eldest = map.values().iterator();
                    eldest.next();
                    eldest.remove();
                }
            }
        }
        f.uses++;
        f.lastUse = now;
        if (f.content == null && f.isFile() && f.size() <= conf.openFileCacheMemory().bytes()
                && f.uses >= conf.openFileCacheMinUses()) {
            f.contentCtime = ctime(path);
            f.content = read(path, f.size());
        }
        return f;
    }

    /** The status change time of {@code path} in ns (set by every write, never by a user); -1 where unknown. */
    private static long ctime(Path path) {
        try {
            Instant t = ((FileTime) Files.getAttribute(path, "unix:ctime")).toInstant();
            return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1; // no unix view (Windows): size, mtime and file key decide alone
        }
    }

    /** Forgets what the calling thread's cache holds for {@code path}. */
    void forget(Path path) {
        maps.get().remove(path);
    }

    /** Drops up to two entries unused for longer than {@code inactive}, as each lookup does in nginx. */
    private void expireInactive(LinkedHashMap<Path, FileInfo> map, long now) {
        Iterator<Map.Entry<Path, FileInfo>> it = map.entrySet().iterator();
        for (int i = 0; i < 2 && it.hasNext(); i++) {
            if (now - it.next().getValue().lastUse < inactiveNanos) {
                return;
            }
            it.remove();
        }
    }

    /** Entries held by the calling thread's cache (for tests and dumps). */
    int size() {
        return maps.get().size();
    }

    private static ByteBuf read(Path path, long size) throws IOException {
        // a JDK direct buffer, freed by the GC once evicted: no release to forget
        ByteBuffer bytes = ByteBuffer.allocateDirect((int) size);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            while (bytes.hasRemaining() && ch.read(bytes) >= 0) {
                // reads until full or end of file
            }
        }
        if (bytes.hasRemaining()) {
            return null; // shrank meanwhile: serve it from the file this time
        }
        bytes.flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes)).asReadOnly();
    }

    /** The file opened for reading, or null when it is gone or unreadable. */
    static FileChannel open(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            return null;
        }
    }

    static long sizeOf(FileChannel channel) {
        try {
            return channel.size();
        } catch (IOException e) {
            return -1;
        }
    }

    static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // opened for reading only: nothing to lose
            }
        }
    }
}
