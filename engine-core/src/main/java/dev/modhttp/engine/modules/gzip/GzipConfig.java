package dev.modhttp.engine.modules.gzip;

import java.util.List;

/**
 * nginx's gzip directives, each written directly at a scope.
 *
 * <table>
 *   <caption>Keys and defaults</caption>
 *   <tr><td>gzip</td><td>off</td></tr>
 *   <tr><td>gzip-types</td><td>[text/html] (text/html is always included; "*" for any type)</td></tr>
 *   <tr><td>gzip-min-length</td><td>20: responses with a known shorter length are sent as they are</td></tr>
 *   <tr><td>gzip-comp-level</td><td>1 (1-9)</td></tr>
 *   <tr><td>gzip-vary</td><td>off: Vary: Accept-Encoding on responses that could be compressed</td></tr>
 *   <tr><td>gzip-proxied</td><td>off: requests with a Via header (from a proxy) get no compression; any</td></tr>
 * </table>
 */
public record GzipConfig(Boolean gzip, List<String> gzipTypes, Integer gzipMinLength, Integer gzipCompLevel,
        Boolean gzipVary, Proxied gzipProxied) {

    public enum Proxied { OFF, ANY }

    public static final GzipConfig DEFAULTS = new GzipConfig(false, List.of("text/html"), 20, 1, false, Proxied.OFF);

    public GzipConfig {
        if (gzipCompLevel != null && (gzipCompLevel < 1 || gzipCompLevel > 9)) {
            throw new IllegalArgumentException("gzip-comp-level must be between 1 and 9");
        }
        if (gzipMinLength != null && gzipMinLength < 0) {
            throw new IllegalArgumentException("gzip-min-length cannot be negative");
        }
    }
}
