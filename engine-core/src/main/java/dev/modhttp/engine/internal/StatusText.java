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
            if (code >= 300) {
                String title = code + " " + reason;
                PAGES[code] = ("<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>"
                        + title + "</h1></center>\r\n<hr><center>" + Server.NAME + "</center>\r\n</body>\r\n</html>\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
            }
        }
    }

    private StatusText() {
    }

    public static String reason(int code) {
        return switch (code) {
            case 413 -> "Request Entity Too Large";
            case 414 -> "Request-URI Too Large";
            case 431 -> "Request Header Fields Too Large";
            default -> {
                String r = HttpResponseStatus.valueOf(code).reasonPhrase();
                yield r.startsWith("Unknown") ? "Unknown" : r;
            }
        };
    }

    public static void writeStatusLine(ByteBuf out, int code) {
        if (code < STATUS_LINES.length) {
            out.writeBytes(STATUS_LINES[code]);
        } else {
            out.writeCharSequence("HTTP/1.1 " + code + " Unknown\r\n", StandardCharsets.US_ASCII);
        }
    }

    /** The HTML page for an error or redirect status, or null when the status has none. */
    public static ByteBuf page(int code) {
        byte[] page = code >= 300 && code < PAGES.length ? PAGES[code] : null;
        return page == null ? null : Unpooled.wrappedBuffer(page);
    }
}
