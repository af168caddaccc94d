package dev.modhttp.engine.modules.staticfiles;

import dev.modhttp.engine.http.HttpExchange;
import dev.modhttp.engine.http.Request;
import dev.modhttp.engine.http.Response;
import dev.modhttp.engine.phase.Result;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Parses a {@code Range} header the way nginx does: the unit {@code bytes} (any case; another
 * unit means the header is ignored), ranges {@code a-b}, {@code a-} and {@code -n} separated
 * by commas, spaces allowed around them (see {@link #parse}: a syntax error or a position past
 * 2^63-1 is 416, an inverted range is skipped, ranges that all start past the end are 416); the
 * end of a range is clamped to the file, and a suffix longer than the file means the whole
 * file; and serves them.
 */
final class Ranges {

    /** One satisfiable range, both ends inclusive. */
    record Range(long start, long end) {
        long length() {
            return end - start + 1;
        }
    }

    /** The header names no byte ranges: serve the whole file. */
    static final List<Range> IGNORE = null;

    private Ranges() {
    }

    /**
     * The satisfiable ranges; an empty list means 416; {@link #IGNORE} (null) means 200. nginx's
     * parser step by step (ngx_http_range_parse): positions of any length up to 2^63-1 (beyond
     * is 416), spaces around the numbers, a suffix larger than the file takes all of it, and a
     * range starting at 0 that holds nothing (an empty file) sends the whole file.
     */
    static List<Range> parse(String header, long size) {
        String h = header.trim();
        if (h.length() < 7 || !h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return IGNORE;
        }
        List<Range> out = new ArrayList<>();
        int n = h.length();
        int i = 6;
        while (true) {
            long start = 0;
            long end;
            boolean suffix = false;
            i = skipSpaces(h, i);
            if (i < n && h.charAt(i) == '-') {
                suffix = true;
                i++;
            } else {
                int digits = digitsEnd(h, i);
                start = digits < 0 ? -1 : position(h, i, digits);
                if (start < 0) {
                    return List.of();
                }
                i = skipSpaces(h, digits);
                if (i >= n || h.charAt(i++) != '-') {
                    return List.of();
                }
                i = skipSpaces(h, i);
            }
            if (!suffix && (i >= n || h.charAt(i) == ',')) {
                end = size; // "start-": to the end
            } else {
                int digits = digitsEnd(h, i);
                end = digits < 0 ? -1 : position(h, i, digits);
                if (end < 0) {
                    return List.of();
                }
                i = skipSpaces(h, digits);
                if (i < n && h.charAt(i) != ',') {
                    return List.of();
                }
                if (suffix) {
                    start = end < size ? size - end : 0;
                    end = size - 1;
                }
                end = end >= size ? size : end + 1; // exclusive from here on
            }
            if (start < end) {
                out.add(new Range(start, end - 1));
            } else if (start == 0) {
                return IGNORE;
            }
            if (i >= n) {
                break;
            }
            i++; // the ','
        }
        return out;
    }

    /** The index after the digits starting at {@code i}, or -1 when none starts there. */
    private static int digitsEnd(String h, int i) {
        int end = i;
        while (end < h.length() && h.charAt(end) >= '0' && h.charAt(end) <= '9') {
            end++;
        }
        return end == i ? -1 : end;
    }

    /** The decimal number in {@code h[from, to)}, or -1 past 2^63-1. */
    private static long position(String h, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            int d = h.charAt(i) - '0';
            if (value > (Long.MAX_VALUE - d) / 10) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }

    /**
     * Byte ranges as nginx serves them: one range as 206 with a zero-copy slice of the file,
     * several as multipart/byteranges in the order asked (file slices still zero-copy), 416
     * when nothing is satisfiable, or null to send the whole file (no Range, a failed
     * If-Range, another unit, more ranges than max-ranges, or ranges adding up to more than
     * the file, which only a client hunting for amplification asks).
     */
    static Result serve(HttpExchange exchange, Path file, FileChannel channel, long size, String etag,
            long mtime, Integer maxRanges, String contentType) {
        Request request = exchange.request();
        String header = request.header("Range");
        if (header == null || !ifRangeHolds(request.header("If-Range"), etag, mtime)) {
            return null;
        }
        List<Range> ranges = parse(header, size);
        if (ranges == IGNORE) {
            return null;
        }
        if (ranges.isEmpty()) {
            OpenFileCache.closeQuietly(channel);
            exchange.response().header(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
            return Result.status(416);
        }
        if (maxRanges != null && ranges.size() > maxRanges) {
            return null;
        }
        exchange.response().headers().remove(HttpHeaderNames.ACCEPT_RANGES);
        if (ranges.size() == 1) {
            Range r = ranges.get(0);
            exchange.response().status(206)
                    .header(HttpHeaderNames.CONTENT_RANGE, "bytes " + r.start() + "-" + r.end() + "/" + size)
                    .file(new Response.FileBody(file, r.start(), r.length(), channel));
            return Result.OK;
        }
        long total = 0;
        for (Range r : ranges) {
            total += r.length();
        }
        if (total > size) {
            exchange.response().header(HttpHeaderNames.ACCEPT_RANGES, "bytes");
            return null;
        }
        String boundary = String.format("%020d", BOUNDARIES.incrementAndGet());
        List<Response.Piece> pieces = new ArrayList<>(ranges.size() * 2 + 1);
        for (Range r : ranges) {
            pieces.add(ascii("\r\n--" + boundary + "\r\nContent-Type: " + contentType + "\r\nContent-Range: bytes "
                    + r.start() + "-" + r.end() + "/" + size + "\r\n\r\n"));
            pieces.add(new Response.FileBody(file, r.start(), r.length()));
        }
        pieces.add(ascii("\r\n--" + boundary + "--\r\n"));
        OpenFileCache.closeQuietly(channel); // each part opens the file for itself
        exchange.response().status(206)
                .contentType("multipart/byteranges; boundary=" + boundary)
                .pieces(pieces);
        return Result.OK;
    }

    private static final AtomicLong BOUNDARIES = new AtomicLong();

    private static Response.Bytes ascii(String text) {
        return new Response.Bytes(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    /** If-Range holds when it names the file's strong ETag or exactly its Last-Modified time. */
    private static boolean ifRangeHolds(String ifRange, String etag, long mtime) {
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.trim();
        return v.startsWith("\"") ? v.equals(etag) : Conditionals.date(v) == mtime;
    }

    private static int skipSpaces(String h, int i) {
        while (i < h.length() && h.charAt(i) == ' ') {
            i++;
        }
        return i;
    }
}
