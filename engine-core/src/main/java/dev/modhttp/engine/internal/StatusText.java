package dev.modhttp.engine.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/** Pre-encoded status lines and the short HTML bodies of error and redirect responses. */
public final class StatusText {

    private static final byte[][] STATUS_LINES = new byte[600][];
    private static final byte[][] PAGES = new byte[600][];

    static {
        for (int code = 100; code < 600; code++) {
            String reason = reason(code);
            STATUS_LINES[code] = ("HTTP/1.1 " + code + " " + reason + "\r\n").getBytes(StandardCharsets.US_ASCII);
            String detail = detail(code);
            if (detail != null) { // nginx's 400 pages that say why
                PAGES[code] = ("<html>\r\n<head><title>400 " + detail + "</title></head>\r\n<body>\r\n<center><h1>"
                        + "400 Bad Request</h1></center>\r\n<center>" + detail + "</center>\r\n<hr><center>" + Server.NAME
                        + "</center>\r\n</body>\r\n</html>\r\n").getBytes(StandardCharsets.US_ASCII);
            } else if (hasPage(code)) {
                String title = code + " " + pageTitle(code, reason);
                PAGES[code] = ("<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>"
                        + title + "</h1></center>\r\n<hr><center>" + Server.NAME + "</center>\r\n</body>\r\n</html>\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
            }
        }
    }

    private StatusText() {
    }

    /**
     * The statuses nginx has a page for (its ngx_http_error_pages); others go out with an empty
     * body. 431 has one too: the engine answers over-large headers with 431 where nginx answers
     * 400 with a page of its own.
     */
    private static boolean hasPage(int code) {
        return switch (code) {
            case 301, 302, 303, 307, 308, 400, 401, 402, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414,
                    415, 416, 421, 429, 431, 494, 495, 496, 497, 500, 501, 502, 503, 504, 505, 507 -> true;
            default -> false;
        };
    }

    /**
     * nginx's internal statuses that go out as 400 with a page saying why (494..497); the
     * internal one is what {@code error-page} matches.
     */
    private static String detail(int code) {
        return switch (code) {
            case 494 -> "Request Header Or Cookie Too Large";
            case 495 -> "The SSL certificate error";
            case 496 -> "No required SSL certificate was sent";
            case 497 -> "The plain HTTP request was sent to HTTPS port";
            default -> null;
        };
    }

    /** The status a response goes out with: 400 for nginx's internal 494..497, else {@code code}. */
    public static int shown(int code) {
        return detail(code) != null ? 400 : code;
    }

    /** nginx's pages say "302 Found" and "401 Authorization Required" under its own status lines. */
    private static String pageTitle(int code, String reason) {
        return switch (code) {
            case 302 -> "Found";
            case 401 -> "Authorization Required";
            default -> reason;
        };
    }

    /** The reason phrase: nginx's where its status lines differ from RFC 9110's names. */
    public static String reason(int code) {
        return switch (code) {
            case 302 -> "Moved Temporarily";
            case 405 -> "Not Allowed";
            case 408 -> "Request Time-out";
            case 413 -> "Request Entity Too Large";
            case 414 -> "Request-URI Too Large";
            case 503 -> "Service Temporarily Unavailable";
            case 504 -> "Gateway Time-out";
            case 431 -> "Request Header Fields Too Large";
            default -> {
                String r = HttpResponseStatus.valueOf(code).reasonPhrase();
                yield r.startsWith("Unknown") ? "Unknown" : r;
            }
        };
    }

    /** RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ), here not empty. */
    public static boolean isReasonPhrase(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == '\t' || c >= 0x20 && c < 0x7f || c >= 0x80 && c <= 0xff)) {
                return false;
            }
        }
        return true;
    }

    /** The status line with {@code reason} (checked by {@link #isReasonPhrase}), or the engine's own when null. */
    public static void writeStatusLine(ByteBuf out, int code, String reason) {
        if (reason == null) {
            writeStatusLine(out, code);
        } else {
            out.writeCharSequence("HTTP/1.1 " + code + " " + reason + "\r\n", StandardCharsets.ISO_8859_1);
        }
    }

    public static void writeStatusLine(ByteBuf out, int code) {
        if (code < STATUS_LINES.length) {
            out.writeBytes(STATUS_LINES[code]);
        } else {
            out.writeCharSequence("HTTP/1.1 " + code + " Unknown\r\n", StandardCharsets.US_ASCII);
        }
    }

    /** The HTML page for an error or redirect status, or null when nginx has none for it. */
    public static ByteBuf page(int code) {
        byte[] page = code >= 300 && code < PAGES.length ? PAGES[code] : null;
        return page == null ? null : Unpooled.wrappedBuffer(page);
    }
}
