package dev.modhttp.engine.modules.staticfiles;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses a {@code Range} header the way nginx does: the unit {@code bytes} (any case; another
 * unit means the header is ignored), ranges {@code a-b}, {@code a-} and {@code -n} separated
 * by commas, spaces allowed around them. A syntax error or an inverted range makes the whole
 * request unsatisfiable (416), as do ranges that all start past the end; the end of a range
 * is clamped to the file, and a suffix longer than the file means the whole file.
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

    /** The satisfiable ranges; an empty list means 416; {@link #IGNORE} (null) means 200. */
    static List<Range> parse(String header, long size) {
        String h = header.trim();
        if (h.length() < 6 || !h.substring(0, 6).toLowerCase(Locale.ROOT).equals("bytes=")) {
            return IGNORE;
        }
        List<Range> out = new ArrayList<>();
        int i = 6;
        int n = h.length();
        while (true) {
            i = skipSpaces(h, i);
            long start = -1;
            long end = -1;
            boolean suffix = false;
            if (i < n && h.charAt(i) == '-') {
                suffix = true;
                i++;
            } else {
                int s = i;
                while (i < n && Character.isDigit(h.charAt(i))) {
                    i++;
                }
                if (i == s || i - s > 18) {
                    return List.of();
                }
                start = Long.parseLong(h.substring(s, i));
                i = skipSpaces(h, i);
                if (i >= n || h.charAt(i) != '-') {
                    return List.of();
                }
                i++;
            }
            i = skipSpaces(h, i);
            int s = i;
            while (i < n && Character.isDigit(h.charAt(i))) {
                i++;
            }
            if (i - s > 18) {
                return List.of();
            }
            if (i > s) {
                end = Long.parseLong(h.substring(s, i));
            } else if (suffix) {
                return List.of(); // "-" alone
            }
            if (suffix) {
                if (end > 0) {
                    out.add(new Range(Math.max(0, size - end), size - 1));
                }
            } else {
                if (end >= 0 && end < start) {
                    return List.of(); // inverted
                }
                if (start < size) {
                    out.add(new Range(start, end < 0 || end >= size ? size - 1 : end));
                }
            }
            i = skipSpaces(h, i);
            if (i >= n) {
                break;
            }
            if (h.charAt(i) != ',') {
                return List.of();
            }
            i++;
        }
        return size == 0 ? List.of() : out;
    }

    private static int skipSpaces(String h, int i) {
        while (i < h.length() && h.charAt(i) == ' ') {
            i++;
        }
        return i;
    }
}
