package dev.modhttp.engine.core;

/**
 * The browsers nginx recognises in a User-Agent, with its rules ({@code ngx_http_process_user_agent}),
 * for {@code keepalive-disable} and {@code gzip-disable}'s {@code msie6}.
 */
public final class UserAgents {

    private UserAgents() {
    }

    /**
     * Internet Explorer 4 to 6: {@code MSIE 4.}, {@code MSIE 5.}, or {@code MSIE 6.} without
     * {@code SV1} after it, with at least two characters more; never a User-Agent naming Opera.
     */
    public static boolean msie6(String ua) {
        int msie = ua.indexOf("MSIE ");
        if (msie < 0 || msie + 7 >= ua.length() || ua.contains("Opera") || ua.charAt(msie + 6) != '.') {
            return false;
        }
        char major = ua.charAt(msie + 5);
        return major == '4' || major == '5' || major == '6' && ua.indexOf("SV1", msie + 8) < 0;
    }

    /**
     * Safari on macOS: {@code Safari/} and {@code Mac OS X}, and none of what nginx looks for
     * first (Internet Explorer, Opera, {@code Gecko/}, {@code Chrome/}).
     */
    public static boolean safari(String ua) {
        int msie = ua.indexOf("MSIE ");
        boolean explorer = msie >= 0 && msie + 7 < ua.length();
        return !explorer && !ua.contains("Opera") && !ua.contains("Gecko/") && !ua.contains("Chrome/")
                && ua.contains("Safari/") && ua.contains("Mac OS X");
    }
}
