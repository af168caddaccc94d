package dev.modhttp.engine.modules.staticfiles;

import dev.modhttp.engine.http.AcceptEncoding;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Precompressed variants of a file ({@code .br}, {@code .zst}, {@code .gz} next to it): the one
 * to send for an {@code Accept-Encoding}, by the client's q-values, preferring br, then zstd,
 * then gzip among equal ones; never one older than the file.
 */
final class Sidecars {

    /** A variant to send instead of the file. */
    record Variant(Path path, OpenFileCache.FileInfo info, String coding) {
    }

    /** Stats a sidecar, through the open-file cache where there is one. */
    interface Stat {
        OpenFileCache.FileInfo of(Path path) throws IOException;
    }

    private static final String[][] CODINGS = {{"br", ".br"}, {"zstd", ".zst"}, {"gzip", ".gz"}};

    private Sidecars() {
    }

    /** Whether any precompressed variant is enabled. */
    static boolean anyEnabled(StaticConfig conf) {
        return conf.gzipStatic() || conf.brotliStatic() || conf.zstdStatic();
    }

    /** Whether an enabled variant of {@code file} exists, not older than it, whatever the client accepts. */
    static boolean any(Path file, long fileMtime, StaticConfig conf, Stat stat) throws IOException {
        for (String[] c : CODINGS) {
            if (enabled(conf, c[0])) {
                OpenFileCache.FileInfo info = stat.of(file.resolveSibling(file.getFileName() + c[1]));
                if (info.isFile() && info.mtime >= fileMtime) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean enabled(StaticConfig conf, String coding) {
        return switch (coding) {
            case "br" -> conf.brotliStatic();
            case "zstd" -> conf.zstdStatic();
            default -> conf.gzipStatic();
        };
    }

    /** The variant to send, or null for the file itself. */
    static Variant choose(Path file, long fileMtime, String acceptEncoding, StaticConfig conf, Stat stat)
            throws IOException {
        if (acceptEncoding == null) {
            return null;
        }
        Variant best = null;
        double bestQ = 0;
        for (String[] c : CODINGS) {
            double q = enabled(conf, c[0]) ? AcceptEncoding.quality(acceptEncoding, c[0]) : 0;
            if (q <= bestQ) {
                continue;
            }
            Path sidecar = file.resolveSibling(file.getFileName() + c[1]);
            OpenFileCache.FileInfo info = stat.of(sidecar);
            if (info.isFile() && info.mtime >= fileMtime) {
                best = new Variant(sidecar, info, c[0]);
                bestQ = q;
            }
        }
        return best;
    }
}
