package dev.modhttp.engine.modules.staticfiles;

import dev.modhttp.engine.config.Durations;
import dev.modhttp.engine.config.KeyDoc;
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
public record StaticConfig(
        @KeyDoc(defaultValue = "`off`", meaning = "list directories without an index file (else 403)")
        Boolean autoindex,
        @KeyDoc(defaultValue = "`html`", meaning = "`html` (nginx's page) or `json`")
        Format autoindexFormat,
        @KeyDoc(defaultValue = "`off`", meaning = "serve `file.gz`/`.br`/`.zst` with `Content-Encoding` and `Vary: "
                + "Accept-Encoding` to clients accepting the coding (q-values; never an older sidecar)")
        Boolean gzipStatic,
        @KeyDoc(defaultValue = "`off`", meaning = "serve `file.gz`/`.br`/`.zst` with `Content-Encoding` and `Vary: "
                + "Accept-Encoding` to clients accepting the coding (q-values; never an older sidecar)")
        Boolean brotliStatic,
        @KeyDoc(defaultValue = "`off`", meaning = "serve `file.gz`/`.br`/`.zst` with `Content-Encoding` and `Vary: "
                + "Accept-Encoding` to clients accepting the coding (q-values; never an older sidecar)")
        Boolean zstdStatic,
        @KeyDoc(defaultValue = "implicit: 256 entries, idle 20s, checked every second",
                meaning = "`\"max=1000 inactive=20s\"`: keep what a stat found (per event loop, least recently used evicted, "
                + "entries idle for `inactive` (60s) dropped); a scope that writes it gets its own cache. Without the key a "
                + "small implicit cache serves hot files (those up to `open-file-cache-memory` from memory) and trusts a stat "
                + "for at most a second, so a changed or deleted small file shows within a second (a rewrite that keeps size "
                + "and mtime too: the status change time is compared for files held in memory); `off` turns it off, as nginx "
                + "has none")
        CacheLimits openFileCache,
        @KeyDoc(defaultValue = "`60s`", meaning = "how long a cached stat is trusted; a changed file shows after this")
        Duration openFileCacheValid,
        @KeyDoc(defaultValue = "`1`", meaning = "uses before a small file is kept in memory")
        Integer openFileCacheMinUses,
        @KeyDoc(defaultValue = "`off`", meaning = "cache \"not found\" too")
        Boolean openFileCacheErrors,
        @KeyDoc(defaultValue = "`16k`", meaning = "files up to this size are served from memory while cached; `0` never")
        Size openFileCacheMemory) {

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
