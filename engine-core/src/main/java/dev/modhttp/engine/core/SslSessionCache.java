package dev.modhttp.engine.core;

import dev.modhttp.engine.config.Size;

/**
 * nginx's {@code ssl_session_cache}: whether the server keeps sessions to resume them by id
 * (TLS 1.2), and how many. {@code off} and {@code none} keep none (the default, {@code none};
 * tickets still resume sessions unless {@code ssl-session-tickets} is off); {@code builtin[:n]}
 * keeps {@code n} sessions (20480 when left out); {@code shared:name:size} keeps as many as
 * {@code size} bytes hold in nginx, about 4000 per megabyte. The engine is one process, so both
 * forms are one cache per server context; several words add up.
 *
 * @param enabled whether sessions are kept
 * @param size the most sessions kept
 */
public record SslSessionCache(boolean enabled, int size) {

    /** nginx's default: sessions are not kept (tickets may still resume them). */
    public static final SslSessionCache NONE = new SslSessionCache(false, 0);

    /** The bytes one session takes in nginx's shared cache: one megabyte holds about 4000. */
    private static final long SESSION_BYTES = 256;

    /** @throws IllegalArgumentException for a word nginx does not take, naming the form it does */
    public static SslSessionCache parse(String text) {
        String t = text.trim();
        if (t.equals("off") || t.equals("none")) {
            return NONE;
        }
        long sessions = 0;
        for (String word : t.split("\\s+")) {
            if (word.equals("builtin")) {
                sessions += 20480;
            } else if (word.startsWith("builtin:")) {
                sessions += count(word.substring(8), text);
            } else if (word.startsWith("shared:") && word.indexOf(':', 7) > 7) {
                sessions += Math.max(1, Size.parse(word.substring(word.indexOf(':', 7) + 1)).bytes() / SESSION_BYTES);
            } else {
                throw new IllegalArgumentException("'" + text + "' is not off, none, builtin[:sessions] or shared:name:size");
            }
        }
        return new SslSessionCache(true, (int) Math.min(Integer.MAX_VALUE, sessions));
    }

    private static long count(String number, String text) {
        try {
            long n = Long.parseLong(number);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("'" + text + "': builtin takes a number of sessions above 0, as builtin:20480");
    }
}
