package dev.modhttp.engine.modules.proxy;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * nginx's consistent hash ring points ({@code hash KEY consistent}): 160 per unit of weight for
 * each server entry, as Cache::Memcached::Fast places them, so a key goes to the same server as in
 * nginx.
 */
final class Ketama {

    private Ketama() {
    }

    /** nginx's consistent hash points of a server: crc32(HOST \0 PORT PREVIOUS) as Cache::Memcached::Fast. */
    static long[] points(String server, int n) {
        int split = server.length();
        for (int j = server.length() - 1; j >= 0; j--) {
            char c = server.charAt(j);
            if (c == ':') {
                split = j;
                break;
            }
            if (c < '0' || c > '9') {
                break;
            }
        }
        byte[] host = server.substring(0, split).getBytes(StandardCharsets.ISO_8859_1);
        byte[] port = split < server.length() ? server.substring(split + 1).getBytes(StandardCharsets.ISO_8859_1)
                : new byte[0];
        long[] out = new long[n];
        int prev = 0;
        for (int j = 0; j < n; j++) {
            CRC32 crc = new CRC32();
            crc.update(host);
            crc.update(0);
            crc.update(port);
            crc.update(new byte[] {(byte) prev, (byte) (prev >>> 8), (byte) (prev >>> 16), (byte) (prev >>> 24)});
            out[j] = crc.getValue();
            prev = (int) out[j];
        }
        return out;
    }
}
