package dev.modhttp.engine.modules.staticfiles;

/**
 * The static module's own keys. nginx's autoindex: {@code autoindex: on} lists a directory that
 * has no index file (else 403), as {@code autoindex-format: html} (nginx's page) or {@code json}.
 * Precompressed sidecars: {@code gzip-static}, {@code brotli-static}, {@code zstd-static} serve
 * {@code file.gz}, {@code .br}, {@code .zst} to clients that accept the coding.
 */
public record StaticConfig(Boolean autoindex, Format autoindexFormat, Boolean gzipStatic, Boolean brotliStatic,
        Boolean zstdStatic) {

    public enum Format { HTML, JSON }

    public static final StaticConfig DEFAULTS = new StaticConfig(false, Format.HTML, false, false, false);
}
