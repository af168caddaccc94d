package dev.modhttp.engine.modules.staticfiles;

import dev.modhttp.engine.config.Durations;
import dev.modhttp.engine.config.Size;
import java.time.Duration;
import java.util.Locale;

/**
 * The static module's own keys. nginx's autoindex: {@code autoindex: on} lists a directory that
 * has no index file (else 403), as {@code autoindex-format: html} (nginx's page) or {@code json}.
 * Precompressed sidecars: {@code gzip-static}, {@code brotli-static}, {@code zstd-static} serve
 * {@code file.gz}, {@code .br}, {@code .zst} to clients that accept the coding. The open-file
 * cache: {@code open-file-cache: "max=1000 inactive=20s"} keeps what a stat found (per event
 * loop, least recently used evicted), checked again after {@code open-file-cache-valid}
 * (without the key, {@link CacheLimits#IMPLICIT} keeps a small one, checked every second);
 * files up to {@code open-file-cache-memory} are kept in memory once used
 * {@code open-file-cache-min-uses} times; {@code open-file-cache-errors} caches "not found".
 */
public record StaticConfig(Boolean autoindex, Format autoindexFormat, Boolean gzipStatic, Boolean brotliStatic,
        Boolean zstdStatic, CacheLimits openFileCache, Duration openFileCacheValid, Integer openFileCacheMinUses,
        Boolean openFileCacheErrors, Size openFileCacheMemory) {

    public enum Format { HTML, JSON }

    /** nginx's {@code open_file_cache max=N [inactive=time]}, or {@code off} (max 0). */
    public record CacheLimits(int max, Duration inactive) {

        public static final CacheLimits OFF = new CacheLimits(0, Duration.ofSeconds(60));

        /**
         * The cache of a scope that writes no {@code open-file-cache}: 256 entries per event loop,
         * idle ones dropped after 20 s, each checked again at least every second (whatever
         * {@code open-file-cache-valid} says), so that a changed or deleted file shows within a
         * second. nginx has none; {@code open-file-cache: off} turns it off.
         */
        public static final CacheLimits IMPLICIT = new CacheLimits(256, Duration.ofSeconds(20));

        public static CacheLimits parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.equals("off") || t.equals("false")) {
                return OFF;
            }
            Integer max = null;
            Duration inactive = Duration.ofSeconds(60);
            for (String part : t.split("\\s+")) {
                if (part.startsWith("max=")) {
                    try {
                        max = Integer.parseInt(part.substring(4));
                    } catch (NumberFormatException e) {
                        max = -1;
                    }
                    if (max <= 0) {
                        throw new IllegalArgumentException("'" + part + "' is not max=N with N above 0");
                    }
                } else if (part.startsWith("inactive=")) {
                    inactive = Durations.parse(part.substring(9));
                } else {
                    throw new IllegalArgumentException("'" + text + "' is not \"max=N [inactive=time]\" or off");
                }
            }
            if (max == null) {
                throw new IllegalArgumentException("'" + text + "' has no max=N");
            }
            return new CacheLimits(max, inactive);
        }
    }

    public static final StaticConfig DEFAULTS = new StaticConfig(false, Format.HTML, false, false, false,
            CacheLimits.IMPLICIT, Duration.ofSeconds(60), 1, false, Size.parse("16k"));

    public StaticConfig {
        if (openFileCacheMinUses != null && openFileCacheMinUses < 1) {
            throw new IllegalArgumentException("open-file-cache-min-uses must be 1 or more");
        }
    }
}
