package dev.modhttp.engine.http;

import io.netty.util.AsciiString;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The current {@code Date} header value (IMF-fixdate), formatted once a second, not per request. */
public final class DateCache {

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private static volatile AsciiString current = format(System.currentTimeMillis());

    private DateCache() {
    }

    public static AsciiString now() {
        return current;
    }

    /** Called by the engine's once-a-second tick. */
    public static void refresh() {
        current = format(System.currentTimeMillis());
    }

    public static String format(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }

    private static AsciiString format(long millis) {
        return AsciiString.cached(IMF_FIXDATE.format(ZonedDateTime.ofInstant(Instant.ofEpochMilli(millis),
                ZoneOffset.UTC)));
    }
}
