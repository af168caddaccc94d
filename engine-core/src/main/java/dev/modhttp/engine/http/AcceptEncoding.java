package dev.modhttp.engine.http;

import java.util.Locale;

/**
 * Reads an {@code Accept-Encoding} header: the q-value it gives a content coding (RFC 9110
 * §12.5.3), and for gzip whether nginx's test accepts it.
 */
public final class AcceptEncoding {

    private AcceptEncoding() {
    }

    /**
     * The q-value for {@code coding} (lower case), given directly or through {@code *}; 0 means
     * refused or not mentioned. gzip is as nginx reads it ({@link #acceptsGzip}): 0 where nginx
     * refuses it, else its q-value (1 where nginx takes one this reads as 0).
     */
    public static double quality(String header, String coding) {
        if (header == null) {
            return 0;
        }
        if (coding.equals("gzip")) {
            if (!acceptsGzip(header)) {
                return 0;
            }
            double q = rfcQuality(header, coding);
            return q > 0 ? q : 1;
        }
        return rfcQuality(header, coding);
    }

    private static double rfcQuality(String header, String coding) {
        double star = 0;
        for (String item : header.split(",")) {
            String[] parts = item.trim().split(";");
            String name = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.regionMatches(true, 0, "q=", 0, 2)) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (name.equals(coding)) {
                return q;
            }
            if (name.equals("*")) {
                star = q;
            }
        }
        return star;
    }

    /**
     * nginx's test of an Accept-Encoding for gzip ({@code ngx_http_gzip_accept_encoding}): the
     * first {@code gzip} (any case) at the value's start or after a comma or space, followed by
     * spaces, then a comma or the end, or {@code ;} and {@code q=} with 0 or 1 and at most three
     * decimals, not 0 and not over 1. {@code x-gzip}, {@code *}, another parameter than q, or a
     * space around {@code =} refuse it.
     */
    public static boolean acceptsGzip(String header) {
        if (header.startsWith("gzip,")) {
            return true;
        }
        int p = -1;
        for (int from = 0; ; from = p + 4) {
            p = indexOfIgnoreCase(header, "gzip", from);
            if (p < 0) {
                return false;
            }
            if (p == 0 || header.charAt(p - 1) == ',' || header.charAt(p - 1) == ' ') {
                break;
            }
        }
        int at = p + 4;
        while (at < header.length()) {
            char c = header.charAt(at++);
            if (c == ',') {
                return true;
            }
            if (c == ';') {
                return quantity(header, at);
            }
            if (c != ' ') {
                return false;
            }
        }
        return true;
    }

    /** After {@code gzip;}: spaces, {@code q} or {@code Q}, {@code =}, then a q-value nginx takes as above 0. */
    private static boolean quantity(String h, int at) {
        while (at < h.length() && h.charAt(at) == ' ') {
            at++;
        }
        if (at == h.length()) {
            return true;
        }
        char c = h.charAt(at++);
        if (c != 'q' && c != 'Q') {
            return false;
        }
        if (at + 2 > h.length() || h.charAt(at++) != '=') {
            return false;
        }
        c = h.charAt(at++);
        if (c != '0' && c != '1') {
            return false;
        }
        int q = (c - '0') * 100;
        if (at == h.length()) {
            return q > 0;
        }
        c = h.charAt(at++);
        if (c == ',' || c == ' ') {
            return q > 0;
        }
        if (c != '.') {
            return false;
        }
        int digits = 0;
        while (at < h.length()) {
            c = h.charAt(at++);
            if (c == ',' || c == ' ') {
                break;
            }
            if (c < '0' || c > '9') {
                return false;
            }
            q += c - '0'; // nginx sums the digits: any that is not 0 makes the value above 0
            digits++;
        }
        return q > 0 && q <= 100 && digits <= 3;
    }

    private static int indexOfIgnoreCase(String s, String what, int from) {
        for (int i = from; i + what.length() <= s.length(); i++) {
            if (s.regionMatches(true, i, what, 0, what.length())) {
                return i;
            }
        }
        return -1;
    }
}
