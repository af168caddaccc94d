package dev.modhttp.engine.http1;

import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The request field names clients send most, in the spellings they send them (capitalized as
 * browsers and curl write them, and lower case), found without allocating: a request's
 * {@code Host}, {@code User-Agent} and {@code Accept} reuse these names instead of copying
 * their bytes each time. A name is found only when its bytes are exactly one of these
 * spellings, so the header map keeps the client's spelling either way.
 */
final class KnownFieldNames {

    private static final String[] NAMES = {
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Connection", "Content-Length",
        "Content-Type", "Cookie", "Referer", "Cache-Control", "Pragma", "Origin", "Authorization",
        "If-Modified-Since", "If-None-Match", "Range", "Upgrade-Insecure-Requests", "X-Forwarded-For",
        "X-Forwarded-Proto", "X-Real-IP", "X-Requested-With", "Transfer-Encoding", "Expect", "Upgrade",
        "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Sec-Fetch-User", "DNT", "TE", "Priority",
    };

    /** By length: the spellings of that many bytes. */
    private static final AsciiString[][] BY_LENGTH;

    static {
        int longest = 0;
        for (String n : NAMES) {
            longest = Math.max(longest, n.length());
        }
        List<List<AsciiString>> byLength = new ArrayList<>();
        for (int i = 0; i <= longest; i++) {
            byLength.add(new ArrayList<>());
        }
        for (String n : NAMES) {
            byLength.get(n.length()).add(AsciiString.cached(n));
            byLength.get(n.length()).add(AsciiString.cached(n.toLowerCase(Locale.ROOT)));
        }
        BY_LENGTH = new AsciiString[longest + 1][];
        for (int i = 0; i <= longest; i++) {
            BY_LENGTH[i] = byLength.get(i).toArray(AsciiString[]::new);
        }
    }

    private KnownFieldNames() {
    }

    /** The known name whose bytes are exactly {@code in[0..len)}, or null. */
    static AsciiString find(byte[] in, int len) {
        if (len >= BY_LENGTH.length) {
            return null;
        }
        for (AsciiString k : BY_LENGTH[len]) {
            if (same(k.array(), k.arrayOffset(), in, len)) {
                return k;
            }
        }
        return null;
    }

    private static boolean same(byte[] a, int offset, byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (a[offset + i] != b[i]) {
                return false;
            }
        }
        return true;
    }
}
