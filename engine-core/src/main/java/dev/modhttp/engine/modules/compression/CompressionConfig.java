package dev.modhttp.engine.modules.compression;

import java.util.List;

/**
 * nginx's gzip directives, and the brotli and zstd ones of nginx's best-known third-party
 * modules, each written directly at a scope. The types, minimum length, Vary and proxy rules
 * apply to every coding.
 *
 * <table>
 *   <caption>Keys and defaults</caption>
 *   <tr><td>gzip</td><td>off</td></tr>
 *   <tr><td>brotli</td><td>off (needs com.aayushatharva.brotli4j:brotli4j and its native library)</td></tr>
 *   <tr><td>zstd</td><td>off (needs com.github.luben:zstd-jni)</td></tr>
 *   <tr><td>gzip-types</td><td>[text/html] (text/html is always included; "*" for any type)</td></tr>
 *   <tr><td>gzip-min-length</td><td>20: responses with a known shorter length are sent as they are</td></tr>
 *   <tr><td>gzip-comp-level</td><td>1 (1-9)</td></tr>
 *   <tr><td>brotli-comp-level</td><td>6 (0-11)</td></tr>
 *   <tr><td>zstd-comp-level</td><td>1 (1-22)</td></tr>
 *   <tr><td>gzip-vary</td><td>off: Vary: Accept-Encoding on responses that could be compressed</td></tr>
 *   <tr><td>gzip-proxied</td><td>off: requests with a Via header (from a proxy) get no compression; any</td></tr>
 * </table>
 */
public record CompressionConfig(Boolean gzip, Boolean brotli, Boolean zstd, List<String> gzipTypes,
        Integer gzipMinLength, Integer gzipCompLevel, Integer brotliCompLevel, Integer zstdCompLevel,
        Boolean gzipVary, Proxied gzipProxied) {

    public enum Proxied { OFF, ANY }

    public static final CompressionConfig DEFAULTS = new CompressionConfig(false, false, false, List.of("text/html"),
            20, 1, 6, 1, false, Proxied.OFF);

    public CompressionConfig {
        range("gzip-comp-level", gzipCompLevel, 1, 9);
        range("brotli-comp-level", brotliCompLevel, 0, 11);
        range("zstd-comp-level", zstdCompLevel, 1, 22);
        if (gzipMinLength != null && gzipMinLength < 0) {
            throw new IllegalArgumentException("gzip-min-length cannot be negative");
        }
    }

    private static void range(String key, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max);
        }
    }

    boolean any() {
        return gzip || brotli || zstd;
    }
}
