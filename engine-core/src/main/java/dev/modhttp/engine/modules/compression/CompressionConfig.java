package dev.modhttp.engine.modules.compression;

import dev.modhttp.engine.config.KeyDoc;
import java.util.List;

/**
 * nginx's gzip directives, and the brotli and zstd ones of nginx's best-known third-party
 * modules, each written directly at a scope. The types, minimum length, Vary, proxy, HTTP
 * version and User-Agent rules apply to every coding; the last three also to the precompressed
 * files of {@code gzip-static}, {@code brotli-static} and {@code zstd-static} (nginx's
 * {@code ngx_http_gzip_ok}).
 *
 * <p>Each component is a key; its default and meaning are in its {@link KeyDoc}, from which the README's
 * reference is generated.
 */
public record CompressionConfig(
        @KeyDoc(defaultValue = "`off`", meaning = "compress responses (200/403/404) of `gzip-types` for clients accepting "
                + "gzip; chunked, weak ETag, no `Accept-Ranges`; HEAD gets the same headers; a range of a file it compresses is "
                + "the whole compressed body, 200, as nginx sends it; never a response already encoded")
        Boolean gzip,
        @KeyDoc(defaultValue = "`off`", meaning = "the same with br or zstd, when `com.aayushatharva.brotli4j:brotli4j` (plus "
                + "its native library) or `com.github.luben:zstd-jni` is on the classpath (else startup fails naming the "
                + "key); the coding is chosen by Accept-Encoding q-values, br then zstd then gzip among equals; `gzip-types`, "
                + "`gzip-min-length`, `gzip-vary`, `gzip-proxied`, `gzip-http-version` and `gzip-disable` apply to all three")
        Boolean brotli,
        @KeyDoc(defaultValue = "`off`", meaning = "the same with br or zstd, when `com.aayushatharva.brotli4j:brotli4j` (plus "
                + "its native library) or `com.github.luben:zstd-jni` is on the classpath (else startup fails naming the "
                + "key); the coding is chosen by Accept-Encoding q-values, br then zstd then gzip among equals; `gzip-types`, "
                + "`gzip-min-length`, `gzip-vary`, `gzip-proxied`, `gzip-http-version` and `gzip-disable` apply to all three")
        Boolean zstd,
        @KeyDoc(defaultValue = "`[text/html]`", meaning = "more types (`*` for all); text/html is always included")
        List<String> gzipTypes,
        @KeyDoc(defaultValue = "`20`", meaning = "smaller known lengths are sent as they are")
        Integer gzipMinLength,
        @KeyDoc(defaultValue = "`1`", meaning = "1-9")
        Integer gzipCompLevel,
        @KeyDoc(defaultValue = "`6`", meaning = "0-11 and 1-22")
        Integer brotliCompLevel,
        @KeyDoc(defaultValue = "`1`", meaning = "0-11 and 1-22")
        Integer zstdCompLevel,
        @KeyDoc(defaultValue = "`off`", meaning = "`Vary: Accept-Encoding` on responses of a status, type and length it "
                + "may compress, whatever the request (beside a `Vary` of `add-header`)")
        Boolean gzipVary,
        @KeyDoc(defaultValue = "`off`", meaning = "for requests with `Via`: `off` (no compression), `any`, or any of "
                + "`expired`, `no-cache`, `no-store`, `private`, `no_last_modified`, `no_etag`, `auth`, by the response's "
                + "headers as nginx reads them; also for `gzip-static`")
        List<Proxied> gzipProxied,
        @KeyDoc(defaultValue = "`1.1`", meaning = "the lowest HTTP version of a request whose response is compressed: "
                + "`1.0` or `1.1` (HTTP/2 requests always are); also for `gzip-static`")
        String gzipHttpVersion,
        @KeyDoc(defaultValue = "none", meaning = "regular expressions (case-insensitive, found anywhere) of User-Agents "
                + "whose responses are not compressed; `msie6` stands for Internet Explorer 4 to 6 as nginx's mask does; "
                + "also for `gzip-static`")
        List<UserAgentMatch> gzipDisable) {

    /** nginx's gzip_proxied flags ({@code no-cache} or {@code no_cache} alike). */
    public enum Proxied { OFF, EXPIRED, NO_CACHE, NO_STORE, PRIVATE, NO_LAST_MODIFIED, NO_ETAG, AUTH, ANY }

    public static final CompressionConfig DEFAULTS = new CompressionConfig(false, false, false, List.of("text/html"),
            20, 1, 6, 1, false, List.of(Proxied.OFF), "1.1", List.of());

    public CompressionConfig {
        range("gzip-comp-level", gzipCompLevel, 1, 9);
        range("brotli-comp-level", brotliCompLevel, 0, 11);
        range("zstd-comp-level", zstdCompLevel, 1, 22);
        if (gzipHttpVersion != null && !gzipHttpVersion.equals("1.0") && !gzipHttpVersion.equals("1.1")) {
            throw new IllegalArgumentException("gzip-http-version is 1.0 or 1.1, not " + gzipHttpVersion);
        }
        if (gzipMinLength != null && gzipMinLength < 0) {
            throw new IllegalArgumentException("gzip-min-length cannot be negative");
        }
    }

    private static void range(String key, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max);
        }
    }

    /** gzip-http-version as nginx compares versions: major × 1000 + minor. */
    int lowestVersion() {
        return gzipHttpVersion.equals("1.0") ? 1000 : 1001;
    }

    boolean any() {
        return gzip || brotli || zstd;
    }
}
