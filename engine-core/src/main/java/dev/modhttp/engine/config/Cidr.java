package dev.modhttp.engine.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address block as nginx writes it: {@code 192.168.1.0/24}, {@code 2001:db8::/32}, a single
 * address ({@code 10.0.0.1}, {@code ::1}) or {@code all}. IPv4 blocks also match IPv4-mapped
 * IPv6 addresses ({@code ::ffff:10.0.0.1}), as nginx matches them.
 */
public record Cidr(byte[] network, int prefix, String text) {

    public static final Cidr ALL = new Cidr(new byte[0], 0, "all");

    public static Cidr parse(String text) {
        String t = text.trim();
        if (t.equals("all")) {
            return ALL;
        }
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = literal(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an address, an address/prefix or all");
        }
        int prefix = bytes.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("'" + text + "' has a prefix outside 0-" + bytes.length * 8);
            }
        }
        byte[] network = bytes.clone();
        for (int bit = prefix; bit < network.length * 8; bit++) {
            network[bit / 8] &= (byte) ~(0x80 >> (bit % 8)); // nginx warns about low bits set; they are ignored
        }
        return new Cidr(network, prefix, t);
    }

    /** The bytes of an IPv4 or IPv6 literal, never a name lookup; null when it is not one. */
    public static byte[] literal(String s) {
        if (s.isEmpty() || !(s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || c >= '0' && c <= '9'))) {
            return null;
        }
        if (s.indexOf(':') < 0 && s.chars().filter(c -> c == '.').count() != 3) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.')) {
                return null; // no zone ids, no names
            }
        }
        try {
            return InetAddress.getByName(s).getAddress(); // a literal: resolved without DNS
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Whether {@code address} lies in this block. */
    public boolean matches(InetAddress address) {
        if (this == ALL || prefix == 0 && network.length == 0) {
            return true;
        }
        byte[] a = address.getAddress();
        if (network.length == 4 && address instanceof Inet6Address && a.length == 16 && isMapped(a)) {
            a = Arrays.copyOfRange(a, 12, 16);
        }
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        return rest == 0 || ((a[full] ^ network[full]) & (0xff << (8 - rest))) == 0;
    }

    private static boolean isMapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    @Override
    public String toString() {
        return text;
    }
}
