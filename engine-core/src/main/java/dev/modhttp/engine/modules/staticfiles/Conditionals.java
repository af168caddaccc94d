package dev.modhttp.engine.modules.staticfiles;

import dev.modhttp.engine.core.CoreConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * Conditional requests on a file, with RFC 9110's precedence (13.2.2): If-Match, else
 * If-Unmodified-Since (412 when it fails); then If-None-Match, else (for GET and HEAD)
 * If-Modified-Since (304 for GET and HEAD, 412 otherwise). If-Modified-Since compares as
 * nginx's {@code if_modified_since} says: exactly the file's time (nginx's default), the file's
 * time or later (RFC 9110's rule), or not at all. Dates compare at one-second precision; an
 * unparsable date is ignored, as the RFC asks.
 */
final class Conditionals {

    static final int PROCEED = 0;

    /** RFC 850's two-digit years read as 1970-2069. */
    private static final DateTimeFormatter RFC_850 = new DateTimeFormatterBuilder()
            .appendPattern("EEEE, dd-MMM-")
            .appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
            .appendPattern(" HH:mm:ss zzz")
            .toFormatter(Locale.US);
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC);

    private Conditionals() {
    }

    /** nginx's strong validator: {@code "<mtime in hex>-<size in hex>"}. */
    static String etag(long mtimeSeconds, long size) {
        return "\"" + Long.toHexString(mtimeSeconds) + "-" + Long.toHexString(size) + "\"";
    }

    /** {@link #PROCEED}, 304 or 412. */
    static int evaluate(HttpHeaders h, String method, String etag, long mtimeSeconds,
            CoreConfig.IfModifiedSince ifModifiedSince) {
        boolean getOrHead = method.equals("GET") || method.equals("HEAD");
        String ifMatch = h.get(HttpHeaderNames.IF_MATCH);
        if (ifMatch != null) {
            if (!matches(ifMatch, etag, true)) {
                return 412;
            }
        } else {
            long since = date(h.get(HttpHeaderNames.IF_UNMODIFIED_SINCE));
            if (since != Long.MIN_VALUE && mtimeSeconds > since) {
                return 412;
            }
        }
        String ifNoneMatch = h.get(HttpHeaderNames.IF_NONE_MATCH);
        if (ifNoneMatch != null) {
            if (matches(ifNoneMatch, etag, false)) {
                return getOrHead ? 304 : 412;
            }
        } else if (getOrHead && ifModifiedSince != CoreConfig.IfModifiedSince.OFF) {
            long since = date(h.get(HttpHeaderNames.IF_MODIFIED_SINCE));
            boolean notModified = ifModifiedSince == CoreConfig.IfModifiedSince.EXACT
                    ? mtimeSeconds == since : mtimeSeconds <= since;
            if (since != Long.MIN_VALUE && notModified) {
                return 304;
            }
        }
        return PROCEED;
    }

    /** Whether a list of entity tags (or {@code *}) matches {@code etag}, strongly or weakly. */
    static boolean matches(String header, String etag, boolean strong) {
        if (header.trim().equals("*")) {
            return true;
        }
        for (String tag : header.split(",")) {
            String t = tag.trim();
            boolean weak = t.startsWith("W/");
            if (weak) {
                if (strong) {
                    continue; // a weak tag never matches strongly
                }
                t = t.substring(2);
            }
            if (t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** Epoch seconds of an HTTP date (IMF-fixdate, RFC 850 or asctime), or Long.MIN_VALUE. */
    static long date(String value) {
        if (value == null) {
            return Long.MIN_VALUE;
        }
        String v = value.trim();
        for (DateTimeFormatter f : new DateTimeFormatter[] {DateTimeFormatter.RFC_1123_DATE_TIME, RFC_850, ASCTIME}) {
            try {
                return ZonedDateTime.parse(v, f).toEpochSecond();
            } catch (DateTimeParseException e) {
                // try the next format
            }
        }
        return Long.MIN_VALUE;
    }
}
