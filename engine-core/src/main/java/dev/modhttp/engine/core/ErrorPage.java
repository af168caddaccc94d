package dev.modhttp.engine.core;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code error-page} entry, written as nginx does: {@code "404 /404.html"},
 * {@code "500 502 503 =200 @fallback"}, {@code "403 = /denied"}. The codes are answered by an
 * internal redirect to the URI or named location; the original status is kept unless
 * {@code =code} replaces it (a bare {@code =} takes the status of the redirected request).
 *
 * @param codes    the statuses (300-599) this entry handles
 * @param override -1 to keep the original status, 0 to take the target's, else the new status
 * @param target   a URI, an {@code @name}, or an absolute URL (answered with 302)
 */
public record ErrorPage(List<Integer> codes, Integer override, String target) {

    public static ErrorPage parse(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length < 2) {
            throw new IllegalArgumentException("'" + text + "' is not an error page (expected \"code ... [=[response]] uri\")");
        }
        List<Integer> codes = new ArrayList<>();
        int override = -1;
        for (int i = 0; i < parts.length - 1; i++) {
            String p = parts[i];
            if (p.startsWith("=")) {
                if (i != parts.length - 2) {
                    throw new IllegalArgumentException("'" + text + "': '" + p + "' must come just before the uri");
                }
                override = p.length() == 1 ? 0 : code(p.substring(1), text, 100);
            } else {
                codes.add(code(p, text, 300));
            }
        }
        if (codes.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' names no status code");
        }
        return new ErrorPage(List.copyOf(codes), override, parts[parts.length - 1]);
    }

    private static int code(String s, String text, int min) {
        try {
            int c = Integer.parseInt(s);
            if (c >= min && c <= 599) {
                return c;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("'" + text + "': '" + s + "' must be a status between " + min + " and 599");
    }
}
