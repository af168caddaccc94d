package dev.modhttp.engine.http;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The one place where hosts and addresses are read and printed, so that Host validation,
 * absolute-form targets, real-ip, the PROXY protocol and the variables agree.
 *
 * <ul>
 *   <li>{@link #host}: a {@code Host} value or an absolute-form authority, {@code uri-host [":" port]}
 *       of RFC 9110 §7.2 / RFC 3986 §3.2: a reg-name of unreserved, pct-encoded and sub-delims
 *       characters, an IPv4 address or a bracketed IPv6 address, then at most {@code ":" *DIGIT}.
 *       No userinfo, no second port, nothing after {@code ]} but the port. nginx's own checks
 *       are kept on top ({@code ..} refused, one trailing dot dropped); the result is lower case.</li>
 *   <li>{@link #print}: addresses as nginx prints them, IPv6 in RFC 5952's short form without
 *       brackets ({@code ::1}, {@code 2001:db8::1}).</li>
 *   <li>{@link #parseAddress}: an address literal as a proxy writes it, with or without a port
 *       ({@code 203.0.113.7}, {@code 203.0.113.7:51008}, {@code 2001:db8::7}, {@code [2001:db8::7]:443}).</li>
 * </ul>
 */
public final class Addresses {

    private Addresses() {
    }

    /** The host of a Host value or authority, in lower case without port and trailing dot, or null when invalid. */
    public static String host(String authority) {
        int len = authority.length();
        if (len == 0) {
            return null;
        }
        int hostEnd;
        String host;
        if (authority.charAt(0) == '[') {
            int close = authority.indexOf(']');
            if (close < 0 || !NetUtil.isValidIpV6Address(authority.substring(1, close))) {
                return null;
            }
            hostEnd = close + 1;
            host = authority.substring(0, hostEnd);
        } else {
            hostEnd = 0;
            while (hostEnd < len && authority.charAt(hostEnd) != ':') {
                char c = authority.charAt(hostEnd);
                if (c == '%') {
                    if (hostEnd + 2 >= len || !isHex(authority.charAt(hostEnd + 1)) || !isHex(authority.charAt(hostEnd + 2))) {
                        return null;
                    }
                    hostEnd += 2;
                } else if (!isRegNameChar(c) || c == '.' && hostEnd > 0 && authority.charAt(hostEnd - 1) == '.') {
                    return null;
                }
                hostEnd++;
            }
            host = authority.substring(0, hostEnd);
            if (host.endsWith(".")) {
                host = host.substring(0, host.length() - 1);
            }
            if (host.isEmpty()) {
                return null;
            }
        }
        if (hostEnd < len) {
            if (authority.charAt(hostEnd) != ':') {
                return null;
            }
            for (int i = hostEnd + 1; i < len; i++) {
                char c = authority.charAt(i);
                if (c < '0' || c > '9') {
                    return null;
                }
            }
        }
        return host.toLowerCase(Locale.ROOT);
    }

    /**
     * The host of an absolute-form target's authority, read as nginx's request-line parser does:
     * a name of letters, digits, {@code .} and {@code -} (or a bracketed IPv6 address), then the
     * same checks as {@link #host}; null when invalid.
     */
    public static String absoluteFormHost(String authority) {
        if (!authority.startsWith("[")) {
            for (int i = 0; i < authority.length() && authority.charAt(i) != ':'; i++) {
                char c = authority.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-')) {
                    return null;
                }
            }
        }
        return host(authority);
    }

    private static boolean isRegNameChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return switch (c) {
            case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=' -> true;
            default -> false;
        };
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    /** An address as nginx prints it in {@code $remote_addr} and the logs. */
    public static String print(InetAddress address) {
        return NetUtil.toAddressString(address);
    }

    /** A socket address's host as nginx prints it; an unresolved one as it was given. */
    public static String print(InetSocketAddress address) {
        if (address == null) {
            return null;
        }
        return address.getAddress() == null ? address.getHostString() : print(address.getAddress());
    }

    /** An address literal with or without a port, or null when it is not one; never resolves names. */
    public static InetAddress parseAddress(String text) {
        String s = text.trim();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 < s.length() && !isPort(s, close + 1)) {
                return null;
            }
            s = s.substring(1, close);
        } else {
            int colon = s.indexOf(':');
            if (colon >= 0 && colon == s.lastIndexOf(':') && isPort(s, colon)) {
                s = s.substring(0, colon); // IPv4 with a port; several colons make an IPv6 address
            }
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(s);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Whether {@code s} from {@code colon} is ":" and one to five digits. */
    private static boolean isPort(String s, int colon) {
        int digits = s.length() - colon - 1;
        if (s.charAt(colon) != ':' || digits < 1 || digits > 5) {
            return false;
        }
        for (int i = colon + 1; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
