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

    /** Whether any enabled sidecar exists for {@code file} (the response then varies by Accept-Encoding). */
    static boolean anyEnabled(StaticConfig conf) {
        return conf.gzipStatic() || conf.brotliStatic() || conf.zstdStatic();
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
            boolean enabled = switch (c[0]) {
                case "br" -> conf.brotliStatic();
                case "zstd" -> conf.zstdStatic();
                default -> conf.gzipStatic();
            };
            double q = enabled ? AcceptEncoding.quality(acceptEncoding, c[0]) : 0;
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
