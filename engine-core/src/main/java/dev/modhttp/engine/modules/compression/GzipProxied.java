package dev.modhttp.engine.modules.compression;

import dev.modhttp.engine.http.Request;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Date;
import java.util.List;

/**
 * nginx's {@code gzip_proxied}: whether the response to a request that came through a proxy
 * (it has {@code Via}) may be compressed, by the flags given and the response's headers as they
 * are when it is asked (a precompressed file is chosen before the headers filters add theirs).
 * In nginx's order: {@code off} never; {@code any} always; {@code auth} with an
 * {@code Authorization}; with an {@code Expires}, only under {@code expired} and when it is
 * before the response's {@code Date} (now without one); with a {@code Cache-Control}, only when
 * it names a directive among {@code no-cache}, {@code no-store} and {@code private} that is
 * given; otherwise unless {@code no_last_modified} is given and there is a
 * {@code Last-Modified} (a file's does not count: nginx holds it as a time), or {@code no_etag}
 * and an {@code ETag}.
 */
final class GzipProxied {

    private GzipProxied() {
    }

    /** @param fileTime whether the response's Last-Modified is a file's, which nginx's no_last_modified does not see */
    static boolean allows(List<CompressionConfig.Proxied> flags, Request request, HttpHeaders response, boolean fileTime) {
        if (flags.contains(CompressionConfig.Proxied.OFF)) {
            return false;
        }
        if (flags.contains(CompressionConfig.Proxied.ANY)
                || flags.contains(CompressionConfig.Proxied.AUTH) && request.header("Authorization") != null) {
            return true;
        }
        String expires = response.get(HttpHeaderNames.EXPIRES);
        if (expires != null) {
            Date at = DateFormatter.parseHttpDate(expires);
            String date = response.get(HttpHeaderNames.DATE);
            Date now = date == null ? new Date() : DateFormatter.parseHttpDate(date);
            return flags.contains(CompressionConfig.Proxied.EXPIRED) && at != null && now != null && at.before(now);
        }
        List<String> cacheControl = response.getAll(HttpHeaderNames.CACHE_CONTROL);
        if (!cacheControl.isEmpty()) {
            return flags.contains(CompressionConfig.Proxied.NO_CACHE) && names(cacheControl, "no-cache")
                    || flags.contains(CompressionConfig.Proxied.NO_STORE) && names(cacheControl, "no-store")
                    || flags.contains(CompressionConfig.Proxied.PRIVATE) && names(cacheControl, "private");
        }
        return !(flags.contains(CompressionConfig.Proxied.NO_LAST_MODIFIED) && !fileTime
                && response.contains(HttpHeaderNames.LAST_MODIFIED)
                || flags.contains(CompressionConfig.Proxied.NO_ETAG) && response.contains(HttpHeaderNames.ETAG));
    }

    /**
     * Whether a field's comma-separated elements hold {@code directive} alone, as nginx looks: at
     * an element's start, case-insensitive, followed by spaces and then a comma or the end
     * ({@code no-cache="Set-Cookie"} is not {@code no-cache}).
     */
    static boolean names(List<String> lines, String directive) {
        for (String v : lines) {
            int at = 0;
            while (at < v.length()) {
                if (v.regionMatches(true, at, directive, 0, directive.length())) {
                    int after = at + directive.length();
                    while (after < v.length() && v.charAt(after) == ' ') {
                        after++;
                    }
                    if (after == v.length() || v.charAt(after) == ',') {
                        return true;
                    }
                }
                while (at < v.length() && v.charAt(at) != ',') {
                    at++;
                }
                while (at < v.length() && (v.charAt(at) == ',' || v.charAt(at) == ' ')) {
                    at++;
                }
            }
        }
        return false;
    }
}
